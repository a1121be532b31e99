// The standard normal CDF and erf in double precision, for GELU on the TypeScript routes (the exact, erf form that
// PyTorch uses by default): one implementation shared by the gelu op and linear's fused GELU.

const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;
const INV_SQRT_2PI = 0.3989422804014327;

/** erf(t) for 0 ≤ t < 2.5: 2/√π · e^(−t²) · Σ (2t²)ⁿ t / (1·3·…·(2n+1)), a series of positive terms. */
function erfSeries(t: number): number {
  const t2 = t * t;
  let a = t, s = t;
  for (let n = 1; n < 200; n++) {
    a *= (2 * t2) / (2 * n + 1);
    s += a;
    if (a <= 1e-17 * s) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-t2) * s;
}

/** erfc(t) for t ≥ 2.5: e^(−t²)/√π · 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + …)))), the continued fraction. */
function erfcFraction(t: number): number {
  let k = 0;
  for (let n = 60; n > 0; n--) k = n / 2 / (t + k);
  return (Math.exp(-t * t) * INV_SQRT_PI) / (t + k);
}

/** Φ(x), the standard normal CDF, in double precision (both tails relative to ~1e-15). */
export function normCdf(x: number): number {
  if (x !== x) return x;
  const t = Math.abs(x) * SQRT1_2;
  // Φ(−|x|) = erfc(t)/2
  const low = t < 2.5 ? 0.5 - 0.5 * erfSeries(t) : 0.5 * erfcFraction(t);
  return x < 0 ? low : 1 - low;
}

/** erf(z) in double precision (the series below 2.5, 1 − the continued fraction above). */
export function erf(z: number): number {
  if (z !== z) return z;
  const t = Math.abs(z);
  const r = t < 2.5 ? erfSeries(t) : 1 - erfcFraction(t);
  return z < 0 ? -r : r;
}

/** GELU's derivative, d/dx x·Φ(x) = Φ(x) + x·φ(x). */
export function geluDerivative(x: number): number {
  return normCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

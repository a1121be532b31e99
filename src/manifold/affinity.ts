// t-SNE input affinities: per-point Gaussian bandwidths found by a safeguarded Newton search so that each conditional
// distribution has the requested perplexity, then symmetrised into a sparse joint distribution P.
import { fail } from "../core/errors.js";
import { CsrMatrix } from "../linalg/sparse.js";

export interface Calibration {
  /** Conditional probabilities p(j|i), n x k row-major, aligned with the neighbour lists. */
  conditional: Float64Array;
  /** Precision β = 1/(2σ²) of each point. */
  beta: Float64Array;
  /** Entropy (natural log) reached for each point. */
  entropy: Float64Array;
}

/**
 * Search on each βᵢ (Newton steps on log βᵢ, kept inside a bisection bracket) so that H(Pᵢ) = log(perplexity) to
 * `tol`. `sqDist` holds, for each of n points, the squared distances to its k neighbours (row-major n x k).
 */
export function calibratePerplexity(sqDist: Float64Array, n: number, k: number, perplexity: number, tol = 1e-5, maxIter = 200): Calibration {
  if (!(perplexity > 0)) fail(`perplexity must be positive, got ${perplexity}`);
  if (perplexity >= k + 1) fail(`perplexity=${perplexity} needs more than ${k} neighbours per point`);
  const target = Math.log(perplexity);
  const conditional = new Float64Array(n * k);
  const beta = new Float64Array(n);
  const entropy = new Float64Array(n);
  const p = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let dmin = Infinity;
    for (let t = 0; t < k; t++) dmin = Math.min(dmin, sqDist[o + t]!);
    // start at the scale of the distances, then safeguarded Newton steps on log β inside the bisection bracket
    let mean = 0;
    for (let t = 0; t < k; t++) mean += sqDist[o + t]! - dmin;
    let b = mean > 0 ? k / mean : 1;
    let lo = 0;
    let hi = Infinity;
    let H = 0;
    for (let it = 0; it < maxIter; it++) {
      let sum = 0;
      let dsum = 0;
      let d2sum = 0;
      for (let t = 0; t < k; t++) {
        const d = sqDist[o + t]! - dmin;
        const v = Math.exp(-d * b);
        p[t] = v;
        sum += v;
        dsum += d * v;
        d2sum += d * d * v;
      }
      const mean1 = dsum / sum;
      H = Math.log(sum) + b * mean1;
      const diff = H - target;
      if (Math.abs(diff) <= tol) break;
      if (diff > 0) lo = b;
      else hi = b;
      // dH/d(log β) = −β² Var(d)
      const slope = b * b * (d2sum / sum - mean1 * mean1);
      let next = slope > 0 ? b * Math.exp(Math.min(2, Math.max(-2, diff / slope))) : NaN;
      if (!(next > lo && next < hi)) next = hi === Infinity ? b * 2 : (lo + hi) / 2;
      b = next;
    }
    let sum = 0;
    for (let t = 0; t < k; t++) sum += p[t]!;
    for (let t = 0; t < k; t++) conditional[o + t] = p[t]! / sum;
    beta[i] = b;
    entropy[i] = H;
  }
  return { conditional, beta, entropy };
}

/** P = (P_{j|i} + P_{i|j}) / (2n) as a symmetric CSR matrix. */
export function jointProbabilities(conditional: Float64Array, indices: Int32Array, n: number, k: number): CsrMatrix {
  const rows = new Int32Array(2 * n * k);
  const cols = new Int32Array(2 * n * k);
  const vals = new Float64Array(2 * n * k);
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < k; s++) {
      const j = indices[i * k + s]!;
      const v = conditional[i * k + s]! / (2 * n);
      rows[t] = i; cols[t] = j; vals[t++] = v;
      rows[t] = j; cols[t] = i; vals[t++] = v;
    }
  }
  return CsrMatrix.fromTriplets(n, n, rows, cols, vals);
}

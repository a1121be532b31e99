// Complex fast Fourier transforms of lengths 2^a·3^b (Stockham autosort, radix 4, 2 and 3), batched: many sequences
// stored interleaved, element t of sequence b at t·ld + b, so the innermost loop runs over contiguous memory.
// Used by the FFT-interpolation t-SNE gradient for 2-D grid convolutions.
import { fail } from "./errors.js";

/** Whether n = 2^a·3^b (the lengths this module transforms). */
export function isFftSize(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  while (n % 3 === 0) n /= 3;
  return n === 1;
}

/** Smallest 2^a·3^b that is >= n. */
export function nextFftSize(n: number): number {
  let m = Math.max(1, Math.ceil(n));
  while (!isFftSize(m)) m++;
  return m;
}

export interface Stage {
  radix: number;
  /** Length of the sub-transforms at this stage (n_cur) and the stride s (product of earlier radices). */
  len: number;
  stride: number;
  /** Twiddles w^(pp·r) for pp < len/radix and r = 1..radix−1, interleaved cos, −sin. */
  tw: Float64Array;
}

/** A transform plan for one length; reusable and stateless apart from its scratch buffers. */
export class FFTPlan {
  readonly n: number;
  private readonly stages: Stage[] = [];

  constructor(n: number) {
    if (!isFftSize(n)) fail(`FFT length must be a product of powers of 2 and 3, got ${n}`);
    this.n = n;
    const radices: number[] = [];
    let r = n;
    while (r % 4 === 0) { radices.push(4); r /= 4; }
    while (r % 2 === 0) { radices.push(2); r /= 2; }
    while (r % 3 === 0) { radices.push(3); r /= 3; }
    let len = n;
    let stride = 1;
    for (const p of radices) {
      const m = len / p;
      const tw = new Float64Array(2 * m * (p - 1));
      for (let pp = 0; pp < m; pp++) {
        for (let q = 1; q < p; q++) {
          const a = (-2 * Math.PI * pp * q) / len;
          tw[2 * (pp * (p - 1) + q - 1)] = Math.cos(a);
          tw[2 * (pp * (p - 1) + q - 1) + 1] = Math.sin(a);
        }
      }
      this.stages.push({ radix: p, len, stride, tw });
      len = m;
      stride *= p;
    }
  }

  /** The stages (radix, sub-transform length, stride, twiddles), for kernels that run the same plan elsewhere. */
  describe(): ReadonlyArray<Readonly<Stage>> {
    return this.stages;
  }

  /**
   * In-place forward DFT (X_k = Σ x_t e^{−2πi·tk/n}) of `batch` sequences: element t of sequence b at
   * offset + t·ld + b (ld >= batch). The inverse is conj(F(conj x))/n, which callers build with {@link conjugate}.
   */
  forward(re: Float64Array, im: Float64Array, batch: number, ld = batch, offset = 0): void {
    const need = this.n * batch;
    if (this.bufs[0]!.length < need) this.bufs = [0, 1, 2, 3].map(() => new Float64Array(need));
    const [s0, s1, s2, s3] = this.bufs as [Float64Array, Float64Array, Float64Array, Float64Array];
    // strided or offset input is gathered into a packed copy (ld = batch) so each stage streams contiguous blocks
    const packed = ld === batch && offset === 0;
    let xr = packed ? re : s0;
    let xi = packed ? im : s1;
    let yr = packed ? s0 : s2;
    let yi = packed ? s1 : s3;
    if (!packed) {
      for (let t = 0; t < this.n; t++) {
        const src = offset + t * ld;
        xr.set(re.subarray(src, src + batch), t * batch);
        xi.set(im.subarray(src, src + batch), t * batch);
      }
    }
    for (const st of this.stages) {
      if (st.radix === 4) radix4(st, batch, xr, xi, yr, yi);
      else if (st.radix === 2) radix2(st, batch, xr, xi, yr, yi);
      else radix3(st, batch, xr, xi, yr, yi);
      [xr, yr] = [yr, xr];
      [xi, yi] = [yi, xi];
    }
    if (packed) {
      if (xr !== re) {
        re.set(xr.subarray(0, need));
        im.set(xi.subarray(0, need));
      }
    } else {
      for (let t = 0; t < this.n; t++) {
        const dst = offset + t * ld;
        re.set(xr.subarray(t * batch, (t + 1) * batch), dst);
        im.set(xi.subarray(t * batch, (t + 1) * batch), dst);
      }
    }
  }

  private bufs: Float64Array[] = [new Float64Array(0)];
}

/** im ← −im over [0, length). */
export function conjugate(im: Float64Array, length = im.length): void {
  for (let t = 0; t < length; t++) im[t] = -im[t]!;
}

// One Stockham stage: x[(q + s·(pp + t·m))·B + b] → y[(q + s·(p·pp + r))·B + b]; q and b merge into one contiguous
// run u of length s·B.
function radix4(st: Stage, B: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const m = st.len / 4;
  const sB = st.stride * B;
  const tw = st.tw;
  for (let pp = 0; pp < m; pp++) {
    const w1r = tw[6 * pp]!, w1i = tw[6 * pp + 1]!;
    const w2r = tw[6 * pp + 2]!, w2i = tw[6 * pp + 3]!;
    const w3r = tw[6 * pp + 4]!, w3i = tw[6 * pp + 5]!;
    const x0 = pp * sB, x1 = (pp + m) * sB, x2 = (pp + 2 * m) * sB, x3 = (pp + 3 * m) * sB;
    const y0 = 4 * pp * sB, y1 = y0 + sB, y2 = y1 + sB, y3 = y2 + sB;
    for (let u = 0; u < sB; u++) {
      const a0r = xr[x0 + u]!, a0i = xi[x0 + u]!;
      const a1r = xr[x1 + u]!, a1i = xi[x1 + u]!;
      const a2r = xr[x2 + u]!, a2i = xi[x2 + u]!;
      const a3r = xr[x3 + u]!, a3i = xi[x3 + u]!;
      const b0r = a0r + a2r, b0i = a0i + a2i;
      const b1r = a0r - a2r, b1i = a0i - a2i;
      const b2r = a1r + a3r, b2i = a1i + a3i;
      // (a1 − a3)·(−i)
      const b3r = a1i - a3i, b3i = a3r - a1r;
      yr[y0 + u] = b0r + b2r;
      yi[y0 + u] = b0i + b2i;
      const c1r = b1r + b3r, c1i = b1i + b3i;
      yr[y1 + u] = c1r * w1r - c1i * w1i;
      yi[y1 + u] = c1r * w1i + c1i * w1r;
      const c2r = b0r - b2r, c2i = b0i - b2i;
      yr[y2 + u] = c2r * w2r - c2i * w2i;
      yi[y2 + u] = c2r * w2i + c2i * w2r;
      const c3r = b1r - b3r, c3i = b1i - b3i;
      yr[y3 + u] = c3r * w3r - c3i * w3i;
      yi[y3 + u] = c3r * w3i + c3i * w3r;
    }
  }
}

function radix2(st: Stage, B: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const m = st.len / 2;
  const sB = st.stride * B;
  const tw = st.tw;
  for (let pp = 0; pp < m; pp++) {
    const wr = tw[2 * pp]!, wi = tw[2 * pp + 1]!;
    const x0 = pp * sB, x1 = (pp + m) * sB;
    const y0 = 2 * pp * sB, y1 = y0 + sB;
    for (let u = 0; u < sB; u++) {
      const a0r = xr[x0 + u]!, a0i = xi[x0 + u]!;
      const a1r = xr[x1 + u]!, a1i = xi[x1 + u]!;
      yr[y0 + u] = a0r + a1r;
      yi[y0 + u] = a0i + a1i;
      const dr = a0r - a1r, di = a0i - a1i;
      yr[y1 + u] = dr * wr - di * wi;
      yi[y1 + u] = dr * wi + di * wr;
    }
  }
}

const SIN60 = Math.sqrt(3) / 2;

function radix3(st: Stage, B: number, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const m = st.len / 3;
  const sB = st.stride * B;
  const tw = st.tw;
  for (let pp = 0; pp < m; pp++) {
    const w1r = tw[4 * pp]!, w1i = tw[4 * pp + 1]!;
    const w2r = tw[4 * pp + 2]!, w2i = tw[4 * pp + 3]!;
    const x0 = pp * sB, x1 = (pp + m) * sB, x2 = (pp + 2 * m) * sB;
    const y0 = 3 * pp * sB, y1 = y0 + sB, y2 = y1 + sB;
    for (let u = 0; u < sB; u++) {
      const a0r = xr[x0 + u]!, a0i = xi[x0 + u]!;
      const a1r = xr[x1 + u]!, a1i = xi[x1 + u]!;
      const a2r = xr[x2 + u]!, a2i = xi[x2 + u]!;
      const t1r = a1r + a2r, t1i = a1i + a2i;
      const t2r = a0r - 0.5 * t1r, t2i = a0i - 0.5 * t1i;
      const t3r = SIN60 * (a1r - a2r), t3i = SIN60 * (a1i - a2i);
      yr[y0 + u] = a0r + t1r;
      yi[y0 + u] = a0i + t1i;
      // y1 = t2 − i·t3, y2 = t2 + i·t3
      const c1r = t2r + t3i, c1i = t2i - t3r;
      const c2r = t2r - t3i, c2i = t2i + t3r;
      yr[y1 + u] = c1r * w1r - c1i * w1i;
      yi[y1 + u] = c1r * w1i + c1i * w1r;
      yr[y2 + u] = c2r * w2r - c2i * w2i;
      yi[y2 + u] = c2r * w2i + c2i * w2r;
    }
  }
}

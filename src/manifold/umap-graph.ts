// UMAP's fuzzy simplicial set (McInnes, Healy & Melville 2018): per-point distance to the nearest neighbour (ρ) and
// bandwidth (σ) so that Σ_j exp(−(d_ij − ρ_i)/σ_i) = log2(k), memberships from them, fuzzy union of the two
// directions.
import { CsrMatrix } from "../linalg/sparse.js";

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

export interface Memberships {
  rho: Float64Array;
  sigma: Float64Array;
  /** n x k membership strengths aligned with the neighbour lists. */
  weights: Float64Array;
}

/** ρ, σ and the directed membership strengths from kNN distances (n x k, nearest first, self excluded). */
export function smoothKnn(dist: Float32Array, n: number, k: number, nIter = 64): Memberships {
  const target = Math.log2(k);
  const rho = new Float64Array(n);
  const sigma = new Float64Array(n);
  const weights = new Float64Array(n * k);
  let meanAll = 0;
  for (let t = 0; t < n * k; t++) meanAll += dist[t]!;
  meanAll /= n * k;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let r = 0;
    for (let t = 0; t < k; t++) {
      if (dist[o + t]! > 0) {
        r = dist[o + t]!;
        break;
      }
    }
    rho[i] = r;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < nIter; it++) {
      let s = 0;
      for (let t = 0; t < k; t++) {
        const d = dist[o + t]! - r;
        s += d > 0 ? Math.exp(-d / mid) : 1;
      }
      if (Math.abs(s - target) < SMOOTH_K_TOLERANCE) break;
      if (s > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    let meanI = 0;
    for (let t = 0; t < k; t++) meanI += dist[o + t]!;
    meanI /= k;
    const floor = MIN_K_DIST_SCALE * (r > 0 ? meanI : meanAll);
    sigma[i] = Math.max(mid, floor);
    for (let t = 0; t < k; t++) {
      const d = dist[o + t]! - r;
      weights[o + t] = d <= 0 ? 1 : Math.exp(-d / sigma[i]!);
    }
  }
  return { rho, sigma, weights };
}

/** Fuzzy union W = A + Aᵀ − A∘Aᵀ of the directed kNN memberships, as symmetric CSR. */
export function fuzzyUnion(indices: Int32Array, weights: Float64Array, n: number, k: number): CsrMatrix {
  const A = CsrMatrix.fromTriplets(n, n, Int32Array.from({ length: n * k }, (_, t) => Math.floor(t / k)), indices, weights);
  const T = A.transpose();
  // merge the sorted rows of A and Aᵀ: a + t − a·t where both hold the pair, the one value elsewhere
  const indptr = new Int32Array(n + 1);
  const cols = new Int32Array(A.nnz + T.nnz);
  const vals = new Float64Array(A.nnz + T.nnz);
  let m = 0;
  for (let i = 0; i < n; i++) {
    let p = A.indptr[i]!;
    let q = T.indptr[i]!;
    const pe = A.indptr[i + 1]!;
    const qe = T.indptr[i + 1]!;
    while (p < pe || q < qe) {
      const ja = p < pe ? A.indices[p]! : n;
      const jt = q < qe ? T.indices[q]! : n;
      if (ja === jt) {
        const a = A.data[p++]!;
        const t = T.data[q++]!;
        cols[m] = ja;
        vals[m++] = a + t - a * t;
      } else if (ja < jt) {
        cols[m] = ja;
        vals[m++] = A.data[p++]!;
      } else {
        cols[m] = jt;
        vals[m++] = T.data[q++]!;
      }
    }
    indptr[i + 1] = m;
  }
  return new CsrMatrix(n, n, indptr, cols.slice(0, m), vals.slice(0, m));
}

/** Least-squares fit of 1/(1 + a·x^(2b)) to UMAP's target curve for minDist and spread (Gauss–Newton). */
export function findABParams(spread: number, minDist: number): { a: number; b: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = (3 * spread * i) / 299;
    xs.push(x);
    ys.push(x < minDist ? 1 : Math.exp(-(x - minDist) / spread));
  }
  let a = 1.5;
  let b = 0.9;
  let lambda = 1e-3;
  const sse = (aa: number, bb: number): number => xs.reduce((s, x, i) => s + (1 / (1 + aa * Math.pow(x, 2 * bb)) - ys[i]!) ** 2, 0);
  let err = sse(a, b);
  for (let it = 0; it < 200; it++) {
    // J^T J and J^T r for the two parameters (Levenberg–Marquardt damping)
    let jaa = 0, jab = 0, jbb = 0, ra = 0, rb = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (x === 0) continue;
      const p = Math.pow(x, 2 * b);
      const den = 1 + a * p;
      const f = 1 / den;
      const r = f - ys[i]!;
      const da = -p / (den * den);
      const db = (-a * p * 2 * Math.log(x)) / (den * den);
      jaa += da * da; jab += da * db; jbb += db * db;
      ra += da * r; rb += db * r;
    }
    const m00 = jaa * (1 + lambda), m11 = jbb * (1 + lambda);
    const det = m00 * m11 - jab * jab;
    if (det === 0) break;
    const sa = -(m11 * ra - jab * rb) / det;
    const sb = -(m00 * rb - jab * ra) / det;
    const e2 = sse(a + sa, b + sb);
    if (e2 < err) {
      a += sa;
      b += sb;
      lambda /= 3;
      if (err - e2 < 1e-14) {
        err = e2;
        break;
      }
      err = e2;
    } else {
      lambda *= 5;
    }
  }
  return { a, b };
}

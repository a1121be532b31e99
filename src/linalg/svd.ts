// Thin singular value decomposition of a dense matrix, in float64: Householder QR for tall inputs, then one-sided
// (Hestenes) Jacobi on the square factor, preconditioned by the eigenvectors of its Gram matrix so that the Jacobi
// sweeps only polish an almost-diagonal problem (typically 2–3 sweeps).
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { eigh } from "./eigh.js";
import { fromColumns, qr, qrR, toColumns } from "./qr.js";
import { sq } from "../core/numeric.js";

export interface SVDResult {
  /** m x r left singular vectors (empty 0-column matrix when not computed). */
  U: Matrix;
  /** r singular values, descending. */
  S: Float64Array;
  /** r x n right singular vectors as rows. */
  Vt: Matrix;
}

export interface SVDOptions {
  /** Compute U (default true). */
  computeU?: boolean;
}

/** Thin SVD A = U·diag(S)·Vt with r = min(m, n), signs fixed by {@link svdFlip}. */
export function svd(A: Matrix, opts: SVDOptions = {}): SVDResult {
  const computeU = opts.computeU ?? true;
  if (A.rows === 0 || A.cols === 0) fail(`svd: matrix is empty (${A.rows}x${A.cols})`);
  let res: SVDResult;
  if (A.rows < A.cols) {
    const t = svdTall(A.transpose(), true);
    res = { U: t.Vt.transpose(), S: t.S, Vt: t.U.transpose() };
    if (!computeU) res.U = Matrix.zeros(A.rows, 0, "float64");
  } else {
    res = svdTall(A, computeU);
  }
  svdFlip(res.U, res.Vt);
  return res;
}

function svdTall(A: Matrix, computeU: boolean): SVDResult {
  const m = A.rows;
  const n = A.cols;
  let Q: Matrix | null = null;
  let R: Matrix;
  if (m > n) {
    if (computeU) {
      const f = qr(A);
      Q = f.Q;
      R = f.R;
    } else {
      R = qrR(A);
    }
  } else {
    R = A.dtype === "float64" ? A : A.astype("float64");
  }
  const { U: Ur, S, V } = jacobiSquare(R);
  const Vt = V.transpose();
  if (!computeU) return { U: Matrix.zeros(m, 0, "float64"), S, Vt };
  const U = Q ? matmul64(Q, Ur) : Ur;
  return { U, S, Vt };
}

/** Row-major float64 product, for the small products inside the decompositions. */
export function matmul64(A: Matrix, B: Matrix): Matrix {
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  if (B.rows !== k) fail(`matmul64: ${A.rows}x${A.cols} times ${B.rows}x${B.cols}`);
  const C = Matrix.zeros(m, n, "float64");
  const a = A.data;
  const b = B.data;
  const c = C.data;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      if (av === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
    }
  }
  return C;
}

/** One-sided Jacobi SVD of an n x n (or m x n, m >= n) float64 matrix. Returns U (m x n), S, V (n x n). */
function jacobiSquare(R: Matrix): { U: Matrix; S: Float64Array; V: Matrix } {
  const m = R.rows;
  const n = R.cols;
  // Precondition: V0 = eigenvectors of RᵀR, W = R·V0 has nearly orthogonal columns.
  const G = Matrix.zeros(n, n, "float64");
  {
    const r = R.data;
    const g = G.data;
    for (let i = 0; i < m; i++) {
      const o = i * n;
      for (let p = 0; p < n; p++) {
        const v = r[o + p]!;
        if (v === 0) continue;
        for (let q = p; q < n; q++) g[p * n + q]! += v * r[o + q]!;
      }
    }
    for (let p = 0; p < n; p++) for (let q = 0; q < p; q++) g[p * n + q] = g[q * n + p]!;
  }
  const V0 = eigh(G).vectors;
  const w = toColumns(matmul64(R, V0));
  const v = toColumns(V0);
  const tol = 1e-15;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const cp = p * m;
      for (let q = p + 1; q < n; q++) {
        const cq = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[cp + i]!;
          const y = w[cq + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(w, cp, cq, m, c, s);
        rotate(v, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) break;
  }
  const S = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += sq(w[j * m + i]!);
    S[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => S[b]! - S[a]!);
  const Ss = new Float64Array(n);
  const u = new Float64Array(m * n);
  const vs = new Float64Array(n * n);
  const smax = S[order[0]!]!;
  const rankTol = smax * Math.max(m, n) * 2.2e-16;
  for (let c = 0; c < n; c++) {
    const src = order[c]!;
    Ss[c] = S[src]!;
    vs.set(v.subarray(src * n, (src + 1) * n), c * n);
    if (S[src]! > rankTol) {
      const inv = 1 / S[src]!;
      for (let i = 0; i < m; i++) u[c * m + i] = w[src * m + i]! * inv;
    }
  }
  // Columns of U for (numerically) zero singular values: complete to an orthonormal set.
  completeOrthonormal(u, m, n, Ss, rankTol);
  return { U: fromColumns(u, m, n), S: Ss, V: fromColumns(vs, n, n) };
}

/** Plane rotation of the length-len vectors at offsets p and q of a. */
function rotate(a: Float64Array, p: number, q: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const x = a[p + i]!;
    const y = a[q + i]!;
    a[p + i] = c * x - s * y;
    a[q + i] = s * x + c * y;
  }
}

/** Fills the columns c with S[c] <= tol by Gram–Schmidt on unit vectors, against all the other columns. */
function completeOrthonormal(u: Float64Array, m: number, n: number, S: Float64Array, tol: number): void {
  let e = 0;
  for (let c = 0; c < n; c++) {
    if (S[c]! > tol) continue;
    for (; e < m; e++) {
      const cand = new Float64Array(m);
      cand[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let o = 0; o < n; o++) {
          if (o === c || (S[o]! <= tol && o > c)) continue;
          let d = 0;
          for (let i = 0; i < m; i++) d += u[o * m + i]! * cand[i]!;
          for (let i = 0; i < m; i++) cand[i]! -= d * u[o * m + i]!;
        }
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += sq(cand[i]!);
      nrm = Math.sqrt(nrm);
      if (nrm > 0.5) {
        for (let i = 0; i < m; i++) u[c * m + i] = cand[i]! / nrm;
        e++;
        break;
      }
    }
  }
}

/**
 * Deterministic signs: each right singular vector (row of Vt) is flipped so that its entry of largest magnitude
 * is positive; the matching column of U is flipped with it (scikit-learn's svd_flip with u_based_decision=False).
 */
export function svdFlip(U: Matrix, Vt: Matrix): void {
  const r = Vt.rows;
  const n = Vt.cols;
  for (let i = 0; i < r; i++) {
    let best = 0;
    let bi = 0;
    for (let j = 0; j < n; j++) {
      const a = Math.abs(Vt.data[i * n + j]!);
      if (a > best) {
        best = a;
        bi = j;
      }
    }
    if (Vt.data[i * n + bi]! < 0) {
      for (let j = 0; j < n; j++) Vt.data[i * n + j] = -Vt.data[i * n + j]!;
      if (U.cols > i) for (let k = 0; k < U.rows; k++) U.data[k * U.cols + i] = -U.data[k * U.cols + i]!;
    }
  }
}

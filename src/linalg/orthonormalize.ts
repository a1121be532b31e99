// Orthonormal bases for the columns of a tall matrix: Cholesky QR (two GEMMs, fast on the compute core) with
// column scaling, repeated once for full accuracy (CholeskyQR2); Householder QR where the Gram matrix is too
// ill-conditioned for Cholesky in the working precision.
import { matmul } from "../core/gemm.js";
import { Matrix } from "../core/matrix.js";
import { qr } from "./qr.js";
import { sq } from "../core/numeric.js";

/** Upper-triangular R with RᵀR = G (float64), or null if G is not numerically positive definite. */
export function cholesky(G: Matrix, relTol: number): Float64Array | null {
  const n = G.rows;
  const g = G.data;
  const r = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i]!);
  for (let j = 0; j < n; j++) {
    let d = g[j * n + j]!;
    for (let k = 0; k < j; k++) d -= sq(r[k * n + j]!);
    if (!(d > relTol * maxDiag)) return null;
    const rjj = Math.sqrt(d);
    r[j * n + j] = rjj;
    for (let i = j + 1; i < n; i++) {
      let s = g[j * n + i]!;
      for (let k = 0; k < j; k++) s -= r[k * n + j]! * r[k * n + i]!;
      r[j * n + i] = s / rjj;
    }
  }
  return r;
}

/** Inverse of an upper-triangular n x n matrix (row-major). */
export function invertUpper(r: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = n - 1; j >= 0; j--) {
    inv[j * n + j] = 1 / r[j * n + j]!;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r[i * n + k]! * inv[k * n + j]!;
      inv[i * n + j] = -s / r[i * n + i]!;
    }
  }
  return inv;
}

function cholQR(Y: Matrix): Matrix | null {
  const l = Y.cols;
  const G = matmul(Y, Y, { transA: true }).astype("float64");
  const scale = new Float64Array(l);
  for (let j = 0; j < l; j++) {
    const d = G.data[j * l + j]!;
    if (!(d > 0)) return null;
    scale[j] = 1 / Math.sqrt(d);
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) G.data[i * l + j]! *= scale[i]! * scale[j]!;
  const tol = Y.dtype === "float32" ? 1e-5 : 1e-13;
  const R = cholesky(G, tol);
  if (!R) return null;
  const inv = invertUpper(R, l);
  // Q = Y · D · R⁻¹
  for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) inv[i * l + j]! *= scale[i]!;
  const T = new Matrix(l, l, Y.dtype === "float32" ? Float32Array.from(inv) : inv);
  return matmul(Y, T);
}

/**
 * An orthonormal basis Q (same shape and dtype as Y) of Y's column space. `accurate` repeats Cholesky QR so that Q
 * is orthonormal to working precision; without it one pass is done (enough to normalise power iterations).
 */
export function orthonormalize(Y: Matrix, accurate = true): Matrix {
  let Q = cholQR(Y);
  if (Q && accurate) Q = cholQR(Q);
  if (Q) return Q;
  const H = qr(Y).Q;
  return Y.dtype === "float32" ? H.astype("float32") : H;
}

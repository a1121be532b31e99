// Householder QR (thin), in float64 on column-major copies.
import { Matrix } from "../core/matrix.js";

export interface QRResult {
  /** m x r with orthonormal columns, r = min(m, n). */
  Q: Matrix;
  /** r x n upper triangular. */
  R: Matrix;
}

/** Column-major float64 copy of a matrix: column j is out.subarray(j*m, (j+1)*m). */
export function toColumns(A: Matrix): Float64Array {
  const { rows: m, cols: n, data } = A;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[j * m + i] = data[o + j]!;
  }
  return out;
}

/** Row-major matrix from column-major storage (m rows, n columns). */
export function fromColumns(c: Float64Array, m: number, n: number, dtype: "float32" | "float64" = "float64"): Matrix {
  const out = Matrix.zeros(m, n, dtype);
  const d = out.data;
  for (let j = 0; j < n; j++) {
    const o = j * m;
    for (let i = 0; i < m; i++) d[i * n + j] = c[o + i]!;
  }
  return out;
}

/**
 * Householder reflections of a column-major m x n array, in place: on return the upper triangle holds R (with
 * diagonal in `rdiag`) and the columns below the diagonal hold the Householder vectors (LAPACK-style, v(0)=1 implied
 * by storing the full vector scaled so that v·v = 2).
 */
function householder(a: Float64Array, m: number, n: number): Float64Array {
  const r = Math.min(m, n);
  const rdiag = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    const ck = k * m;
    let nrm = 0;
    for (let i = k; i < m; i++) nrm = Math.hypot(nrm, a[ck + i]!);
    if (nrm !== 0) {
      if (a[ck + k]! < 0) nrm = -nrm;
      for (let i = k; i < m; i++) a[ck + i]! /= nrm;
      a[ck + k]! += 1;
      for (let j = k + 1; j < n; j++) {
        const cj = j * m;
        let s = 0;
        for (let i = k; i < m; i++) s += a[ck + i]! * a[cj + i]!;
        s = -s / a[ck + k]!;
        for (let i = k; i < m; i++) a[cj + i]! += s * a[ck + i]!;
      }
    }
    rdiag[k] = -nrm;
  }
  return rdiag;
}

/** The R factor (r x n) from householder()'s packed output. */
function extractR(a: Float64Array, rdiag: Float64Array, m: number, n: number): Matrix {
  const r = Math.min(m, n);
  const R = Matrix.zeros(r, n, "float64");
  for (let i = 0; i < r; i++) {
    R.data[i * n + i] = rdiag[i]!;
    for (let j = i + 1; j < n; j++) R.data[i * n + j] = a[j * m + i]!;
  }
  return R;
}

/** R factor only (r x n, r = min(m, n)), skipping the cost of forming Q. */
export function qrR(A: Matrix): Matrix {
  const a = toColumns(A);
  return extractR(a, householder(a, A.rows, A.cols), A.rows, A.cols);
}

/** Thin QR: A = Q·R with Q m x min(m,n) orthonormal, R upper triangular. */
export function qr(A: Matrix): QRResult {
  const m = A.rows;
  const n = A.cols;
  const a = toColumns(A);
  const R = extractR(a, householder(a, m, n), m, n);
  const r = Math.min(m, n);
  // Q = H_0 ... H_{r-1} applied to the first r columns of I, accumulated backwards.
  const q = new Float64Array(m * r);
  for (let k = r - 1; k >= 0; k--) {
    const ck = k * m;
    q[k * m + k] = 1;
    for (let j = k; j < r; j++) {
      const cj = j * m;
      if (a[ck + k]! !== 0) {
        let s = 0;
        for (let i = k; i < m; i++) s += a[ck + i]! * q[cj + i]!;
        s = -s / a[ck + k]!;
        for (let i = k; i < m; i++) q[cj + i]! += s * a[ck + i]!;
      }
    }
  }
  return { Q: fromColumns(q, m, r), R };
}

// Symmetric eigendecomposition: Householder tridiagonalisation followed by the implicit QL algorithm
// (the EISPACK tred2/tql2 pair), in float64.
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";

export interface EighResult {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** Eigenvectors as columns (n x n, float64), in the order of `values`. */
  vectors: Matrix;
}

/** Eigen-decomposition of a symmetric matrix (only symmetry to 1e-8 relative is checked). */
export function eigh(A: Matrix): EighResult {
  const n = A.rows;
  if (A.cols !== n) fail(`eigh: matrix must be square, got ${A.rows}x${A.cols}`);
  // V holds rows of the working matrix; row-major V[i][j] = v[i*n+j]
  const v = Float64Array.from(A.data);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(v[i]!));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(v[i * n + j]! - v[j * n + i]!) > 1e-8 * Math.max(scale, 1e-300)) {
        fail(`eigh: matrix is not symmetric: A[${i}][${j}] = ${v[i * n + j]} but A[${j}][${i}] = ${v[j * n + i]}`);
      }
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  // v is symmetric, so it is its own transpose: tred2 reads and writes it transposed
  tred2(n, v, d, e);
  const w = v;
  tql2(n, w, d, e);
  // descending order of eigenvalues
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[b]! - d[a]!);
  const values = new Float64Array(n);
  const vectors = Matrix.zeros(n, n, "float64");
  for (let c = 0; c < n; c++) {
    const src = order[c]!;
    values[c] = d[src]!;
    for (let r = 0; r < n; r++) vectors.data[r * n + c] = w[src * n + r]!;
  }
  return { values, vectors };
}

/**
 * Householder tridiagonalisation (EISPACK tred2), written on the transpose of the textbook's V so that every
 * inner loop runs over contiguous memory. On return V holds the accumulated transformation transposed: its rows
 * are the columns of the textbook's V (the layout tql2 below wants).
 */
function tred2(n: number, V: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = V[(j) * n + (n - 1)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[(j) * n + (i - 1)]!;
        V[(j) * n + i] = 0;
        V[(i) * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[(i) * n + j] = f;
        g = e[j]! + V[(j) * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[(j) * n + k]! * d[k]!;
          e[k]! += V[(j) * n + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[(j) * n + k]! -= f * e[k]! + g * d[k]!;
        d[j] = V[(j) * n + (i - 1)]!;
        V[(j) * n + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[(i) * n + (n - 1)] = V[(i) * n + i]!;
    V[(i) * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[(i + 1) * n + k]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[(i + 1) * n + k]! * V[(j) * n + k]!;
        for (let k = 0; k <= i; k++) V[(j) * n + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(j) * n + (n - 1)]!;
    V[(j) * n + (n - 1)] = 0;
  }
  V[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e); W holds the eigenvectors as rows (the transpose of tred2's V). */
function tql2(n: number, W: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 100) fail("eigh: the QL iteration did not converge (the matrix may hold huge or tiny values)");
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            h = W[ri1 + k]!;
            W[ri1 + k] = s * W[ri + k]! + c * h;
            W[ri + k] = c * W[ri + k]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

// The h algebraically largest eigenpairs of a large symmetric matrix given by its products (a CSR matrix, any
// symmetric LinearOperator): randomized block subspace iteration (Halko, Martinsson & Tropp 2011, Algorithm 4.4,
// which for a symmetric matrix needs one product per round) on the shifted matrix A − lo·I, whose spectrum is
// ≥ 0 when every eigenvalue of A is ≥ lo, so that the dominant subspace is the one of the largest eigenvalues and
// not of the largest magnitudes; then a Rayleigh–Ritz step (the eigenvectors of the small l×l matrix QᵀAQ, solved by
// eigh) turns the subspace into eigenpairs. With l = h + oversampling ≥ n the subspace is the whole space and the
// result is the exact decomposition.
// Eigenvalues just above the cut separate slowly under plain powers (the ratio (λ_k − lo)/(λ_{l+1} − lo) per round is
// close to 1), so for "algebraic" each round applies a Chebyshev polynomial of degree 4 instead of A − lo·I (Zhou &
// Saad 2007, "A Chebyshev–Davidson algorithm for large symmetric eigenproblems"; Chebyshev-filtered subspace
// iteration): T_m((A − c)/e) with [lo, cut] mapped onto [−1, 1] and cut the smallest Ritz value of the block, a
// lower bound of the l-th eigenvalue; above the cut T_m grows like exp(m·√(2δ/e)) instead of (1 + δ/(cut − lo))^m. spectral.ts does the same for UMAP's initialisation with a fixed shift.
// With which "magnitude" there is no shift and the Ritz pairs are ranked by |λ|: for a symmetric matrix these are its
// leading singular triplets (σ = |λ|), at one product per round instead of the two of a randomized SVD, and without
// the SVD of a tall l-column matrix at the end (NetMF's final step on a dense n×n matrix).
import { fail, throwIfAborted } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import { matmul } from "../core/gemm.js";
import { Matrix, type DType } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { eigh } from "./eigh.js";
import { asOperator, type LinearOperator } from "./operator.js";
import { orthonormalize } from "./orthonormalize.js";
import { CsrMatrix } from "./sparse.js";

export interface TopEigenOptions {
  /**
   * "algebraic" (default): the largest eigenvalues, iterating on A − lowerBound·I; "magnitude": the largest |λ|
   * (the leading singular triplets of a symmetric matrix: σ = |λ|, u = v up to sign), iterating on A itself.
   */
  which?: "algebraic" | "magnitude";
  /** A lower bound of the spectrum (default −1: normalised adjacency matrices have their spectrum in [−1, 1]). */
  lowerBound?: number;
  /** Subspace iterations (default 20). */
  nIter?: number;
  /**
   * Degree of the Chebyshev filter applied per iteration (which "algebraic" only; default 4; 1 = plain subspace
   * iteration): degree products per orthonormalisation instead of one.
   */
  degree?: number;
  /** Extra directions beyond h (default max(10, h/8)). */
  nOversamples?: number;
  seed?: number;
  /** Working precision of the products (default float32 when the matrix is large, float64 otherwise). */
  dtype?: DType;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface TopEigenResult {
  /** The h largest eigenvalues (Ritz values), descending. */
  values: Float64Array;
  /** n × h eigenvectors as columns (float64), in the order of `values`. */
  vectors: Matrix;
}

/** The h algebraically largest eigenpairs of a symmetric matrix (see the header comment). */
export async function topEigenpairs(A: Matrix | CsrMatrix | LinearOperator, h: number, opts: TopEigenOptions = {}): Promise<TopEigenResult> {
  const op = asOperator(A);
  const n = op.rows;
  if (op.cols !== n) fail(`topEigenpairs: the matrix must be square, got ${op.rows}x${op.cols}`);
  if (!Number.isInteger(h) || h < 1 || h > n) fail(`topEigenpairs: h must be an integer in [1, ${n}], got ${h}`);
  const which = opts.which ?? "algebraic";
  const lo = which === "magnitude" ? 0 : opts.lowerBound ?? -1;
  const nIter = opts.nIter ?? 20;
  const l = Math.min(n, h + (opts.nOversamples ?? Math.max(10, Math.ceil(h / 8))));
  const big = A instanceof CsrMatrix ? A.nnz * l >= 1 << 22 : n * n * l >= 1 << 24;
  const dtype = opts.dtype ?? (A instanceof Matrix ? A.dtype : big ? "float32" : "float64");
  const rng = new Random(opts.seed ?? 0);
  const total = nIter + 2;
  const tick = async (stage: string, step: number): Promise<void> => {
    opts.onProgress?.({ stage, step, total, metrics: {} });
    await new Promise((res) => setTimeout(res, 0));
    throwIfAborted(opts.signal);
  };
  throwIfAborted(opts.signal);
  const shifted = (Q: Matrix): Matrix => {
    const Y = op.matmul(Q);
    if (lo !== 0) for (let k = 0; k < Y.data.length; k++) Y.data[k]! -= lo * Q.data[k]!;
    return Y;
  };
  const degree = opts.degree ?? 4;
  return op.hold(async () => {
    let Q: Matrix;
    const axpy = (Y: Matrix, a: number, X: Matrix, b: number): Matrix => {
      // Y·a + X·b, in place in Y
      const y = Y.data, x = X.data;
      for (let k = 0; k < y.length; k++) y[k] = y[k]! * a + x[k]! * b;
      return Y;
    };
    if (l === n) {
      // the whole space: the identity is an exact basis
      Q = Matrix.identity(n, dtype);
    } else {
      const omega = Matrix.zeros(n, l, dtype);
      rng.fillNormal(omega.data);
      Q = orthonormalize(shifted(omega), false);
      await tick("range sample", 1);
      for (let it = 0; it < nIter; it++) {
        if (which === "algebraic" && degree > 1) {
          // Chebyshev filter of the given degree, small on [lo, cut] and growing fast above it: cut = the smallest Ritz
          // value of the block, a lower bound of the l-th eigenvalue (Cauchy interlacing), so no wanted one is damped
          const AQ = op.matmul(Q);
          const T = matmul(Q, AQ, { transA: true }).astype("float64");
          let cut = Infinity;
          for (const v of eigh(symmetrize(T)).values) cut = Math.min(cut, v);
          const e = (cut - lo) / 2, c = (cut + lo) / 2;
          if (!(e > 1e-6)) {
            Q = orthonormalize(axpy(AQ, 1, Q, -lo), it === nIter - 1);
          } else {
            let Y0 = Q, Y1 = axpy(AQ, 1 / e, Q, -c / e);
            for (let k = 2; k <= degree; k++) {
              const Y2 = axpy(op.matmul(Y1), 2 / e, Y1, (-2 * c) / e);
              axpy(Y2, 1, Y0, -1);
              Y0 = Y1;
              Y1 = Y2;
            }
            Q = orthonormalize(Y1, it === nIter - 1);
          }
        } else {
          Q = orthonormalize(shifted(Q), it === nIter - 1);
        }
        await tick(`subspace iteration ${it + 1}/${nIter}`, it + 2);
      }
    }
    // Rayleigh–Ritz: T = Qᵀ A Q (symmetrised in float64), T = V Λ Vᵀ, eigenvectors Q·V
    const AQ = op.matmul(Q);
    const T = matmul(Q, AQ, { transA: true }).astype("float64");
    const { values, vectors } = eigh(symmetrize(T));
    // descending λ, or descending |λ| (stable: ties keep eigh's order)
    const order = Array.from({ length: l }, (_, k) => k);
    if (which === "magnitude") order.sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b);
    const V = Matrix.zeros(l, h, "float64");
    for (let r = 0; r < l; r++) for (let c = 0; c < h; c++) V.data[r * h + c] = vectors.data[r * l + order[c]!]!;
    const U = matmul(Q, dtype === "float32" ? V.astype("float32") : V).astype("float64");
    await tick("Rayleigh–Ritz", total);
    return { values: Float64Array.from(order.slice(0, h), (k) => values[k]!), vectors: U };
  });
}

/** (T + Tᵀ)/2 in place (rounding leaves QᵀAQ a hair off symmetric). */
function symmetrize(T: Matrix): Matrix {
  const l = T.rows, t = T.data;
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) t[a * l + b] = t[b * l + a] = (t[a * l + b]! + t[b * l + a]!) / 2;
  return T;
}

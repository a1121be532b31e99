// The h algebraically largest eigenpairs of a large symmetric matrix given by its products (a CSR matrix, any
// symmetric LinearOperator): randomized block subspace iteration (Halko, Martinsson & Tropp 2011, Algorithm 4.4,
// which for a symmetric matrix needs one product per round) on the shifted matrix A − lo·I, whose spectrum is
// ≥ 0 when every eigenvalue of A is ≥ lo, so that the dominant subspace is the one of the largest eigenvalues and
// not of the largest magnitudes; then a Rayleigh–Ritz step (the eigenvectors of the small l×l matrix QᵀAQ, solved by
// eigh) turns the subspace into eigenpairs. With l = h + oversampling ≥ n the subspace is the whole space and the
// result is the exact decomposition. spectral.ts does the same for UMAP's initialisation with a fixed shift.
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
  /** A lower bound of the spectrum (default −1: normalised adjacency matrices have their spectrum in [−1, 1]). */
  lowerBound?: number;
  /** Subspace iterations (default 20). */
  nIter?: number;
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
  const lo = opts.lowerBound ?? -1;
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
  return op.hold(async () => {
    let Q: Matrix;
    if (l === n) {
      // the whole space: the identity is an exact basis
      Q = Matrix.identity(n, dtype);
    } else {
      const omega = Matrix.zeros(n, l, dtype);
      rng.fillNormal(omega.data);
      Q = orthonormalize(shifted(omega), false);
      await tick("range sample", 1);
      for (let it = 0; it < nIter; it++) {
        Q = orthonormalize(shifted(Q), it === nIter - 1);
        await tick(`subspace iteration ${it + 1}/${nIter}`, it + 2);
      }
    }
    // Rayleigh–Ritz: T = Qᵀ A Q (symmetrised in float64), T = V Λ Vᵀ, eigenvectors Q·V
    const AQ = op.matmul(Q);
    const T = matmul(Q, AQ, { transA: true }).astype("float64");
    for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) T.data[a * l + b] = T.data[b * l + a] = (T.data[a * l + b]! + T.data[b * l + a]!) / 2;
    const { values, vectors } = eigh(T);
    const V = vectors.colRange(0, h);
    const U = matmul(Q, dtype === "float32" ? V.astype("float32") : V).astype("float64");
    await tick("Rayleigh–Ritz", total);
    return { values: values.slice(0, h), vectors: U };
  });
}

// Randomized truncated SVD (Halko, Martinsson & Tropp 2011; the scikit-learn defaults): Gaussian test matrix,
// oversampling, power iterations with re-orthonormalisation, then an exact SVD of the small projected matrix.
import { coreFor } from "../core/backend.js";
import { fail, requireInt, throwIfAborted } from "../core/errors.js";
import { gram, matmul } from "../core/gemm.js";
import { eigh } from "./eigh.js";
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { asOperator, type LinearOperator } from "./operator.js";
import { orthonormalize } from "./orthonormalize.js";
import { CsrMatrix } from "./sparse.js";
import { svd, svdFlip, type SVDResult } from "./svd.js";

import type { Progress } from "../core/estimator.js";

export type { Progress };

export interface RandomizedSVDOptions {
  /** Extra random directions beyond k (default 10). */
  nOversamples?: number;
  /** Power iterations; "auto" = 7 when k < 0.1·min(m, n), else 4 (scikit-learn's rule). */
  nIter?: number | "auto";
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Working precision for sparse or operator input (default: float32 for large sparse input where the WASM core
   *  runs, else float64). */
  dtype?: "float32" | "float64";
  /** Compute U (default true); without it U is an empty matrix (PCA needs only S and Vt). */
  computeU?: boolean;
  /**
   * Dense tall input (rows ≥ cols): run the power iterations on the Gram matrix AᵀA, formed once (one pass over A),
   * when that costs fewer multiply-adds than the 2·nIter + 2 products with A (default true).
   */
  gram?: boolean;
}

/**
 * Whether the Gram route costs fewer multiply-adds: AᵀA as a symmetric update (about m·n·(n + 128)/2) against the
 * 2·nIter + 2 products of A (m × n) with an n × l or m × l block.
 */
export function gramRoutePays(m: number, n: number, l: number, nIter: number): boolean {
  return m >= n && n <= 8192 && (m * n * (n + 128)) / 2 < (2 * nIter + 2) * m * n * l;
}

/** The k leading singular triplets of A (dense, CSR or any linear operator). */
export async function randomizedSVD(
  A: Matrix | CsrMatrix | LinearOperator, k: number, opts: RandomizedSVDOptions = {},
): Promise<SVDResult> {
  const op = asOperator(A);
  const m = op.rows;
  const n = op.cols;
  const r = Math.min(m, n);
  if (r === 0) fail(`randomizedSVD: matrix is empty (${m}x${n})`);
  if (!Number.isInteger(k) || k < 1 || k > r) {
    fail(`randomizedSVD: k must be an integer in [1, min(rows, cols) = ${r}], got ${k}`);
  }
  const p = requireInt("nOversamples", opts.nOversamples ?? 10, 0);
  const nIter = opts.nIter === undefined || opts.nIter === "auto" ? (k < 0.1 * r ? 7 : 4) : requireInt("nIter", opts.nIter, 0);
  const l = Math.min(k + p, r);
  // large sparse input: float32 blocks (products in the WASM core, ~1e-4 relative accuracy in U and V); small
  // problems and other operators: float64
  const big = A instanceof CsrMatrix && A.nnz * l >= 1 << 22;
  const dtype = A instanceof Matrix ? A.dtype : opts.dtype ?? (big && coreFor("csrProduct") ? "float32" : "float64");
  const rng = new Random(opts.seed ?? 0);
  const viaGram = A instanceof Matrix && (opts.gram ?? true) && gramRoutePays(m, n, l, nIter);
  const total = viaGram ? nIter + 3 : 2 * nIter + 3;
  let step = 0;
  const tick = async (stage: string): Promise<void> => {
    step++;
    opts.onProgress?.({ stage, step, total, metrics: {} });
    await new Promise((res) => setTimeout(res, 0));
    throwIfAborted(opts.signal);
  };
  throwIfAborted(opts.signal);
  if (viaGram) {
    return gramRoute(A, k, l, nIter, rng, opts.computeU ?? true, tick);
  }
  return op.hold(async () => {
    const omega = Matrix.zeros(n, l, dtype);
    rng.fillNormal(omega.data);
    let Y = op.matmul(omega);
    await tick("range sample");
    for (let it = 0; it < nIter; it++) {
      const Z = op.tmatmul(orthonormalize(Y, false));
      await tick(`power iteration ${it + 1}/${nIter} (Aᵀ)`);
      Y = op.matmul(orthonormalize(Z, false));
      await tick(`power iteration ${it + 1}/${nIter} (A)`);
    }
    const Q = orthonormalize(Y, true);
    const Bt = op.tmatmul(Q); // n x l = (QᵀA)ᵀ
    await tick("projection");
    const small = svd(Bt.astype("float64")); // Bt = Ub S Vbt  =>  QᵀA = Vb S Ubᵀ
    const Uq = small.Vt.transpose().colRange(0, k); // l x k
    const U = opts.computeU === false ? Matrix.zeros(0, 0, dtype) : matmul(Q, dtype === "float32" ? Uq.astype("float32") : Uq);
    const Vt = small.U.transpose().rowRange(0, k).clone();
    const S = small.S.slice(0, k);
    svdFlip(U, Vt);
    await tick("small SVD");
    return { U, S, Vt };
  });
}

/**
 * The randomized SVD of a tall dense A through its Gram matrix G = AᵀA: the right singular subspace that the
 * direct iteration reaches, range((AᵀA)^(nIter+1)·Ω), is found by nIter + 1 products with G (d × d) instead of
 * 2·nIter + 2 passes over A, then a Rayleigh–Ritz step on G gives S² and V. One pass over A forms G (a symmetric
 * update, in float32 for float32 A: the GEMM accumulates products of the centred data, as covariance-eig does).
 */
async function gramRoute(A: Matrix, k: number, l: number, nIter: number, rng: Random, computeU: boolean,
  tick: (stage: string) => Promise<void>): Promise<SVDResult> {
  const n = A.cols;
  const G = gram(A);
  await tick("gram matrix");
  let P = Matrix.zeros(n, l, G.dtype);
  rng.fillNormal(P.data);
  for (let it = 0; it <= nIter; it++) {
    P = matmul(G, orthonormalize(P, false));
    await tick(`power iteration ${it + 1}/${nIter + 1} (AᵀA)`);
  }
  const Q = orthonormalize(P, true); // n x l
  const T = matmul(Q, matmul(G, Q), { transA: true }).astype("float64"); // l x l
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (T.data[i * l + j]! + T.data[j * l + i]!);
    T.data[i * l + j] = v;
    T.data[j * l + i] = v;
  }
  const { values, vectors } = eigh(T);
  const V = matmul(Q.astype("float64"), vectors.colRange(0, k)); // n x k
  const Vt = V.transpose().clone();
  const S = Float64Array.from(values.subarray(0, k), (v) => Math.sqrt(Math.max(v, 0)));
  let U = Matrix.zeros(0, 0, A.dtype);
  if (computeU) {
    U = matmul(A, A.dtype === "float32" ? Vt.astype("float32") : Vt, { transB: true }); // m x k = A·V
    const c = U.cols;
    for (let i = 0; i < U.rows; i++) for (let j = 0; j < c; j++) U.data[i * c + j] = S[j]! > 0 ? U.data[i * c + j]! / S[j]! : 0;
  }
  svdFlip(U, Vt);
  await tick("small SVD");
  return { U, S, Vt };
}

// Randomized truncated SVD (Halko, Martinsson & Tropp 2011; the scikit-learn defaults): Gaussian test matrix,
// oversampling, power iterations with re-orthonormalisation, then an exact SVD of the small projected matrix.
import { coreFor } from "../core/backend.js";
import { fail, requireInt, throwIfAborted } from "../core/errors.js";
import { matmul } from "../core/gemm.js";
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
  const total = 2 * nIter + 3;
  let step = 0;
  const tick = async (stage: string): Promise<void> => {
    step++;
    opts.onProgress?.({ stage, step, total, metrics: {} });
    await new Promise((res) => setTimeout(res, 0));
    throwIfAborted(opts.signal);
  };
  throwIfAborted(opts.signal);
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
    const U = matmul(Q, dtype === "float32" ? Uq.astype("float32") : Uq);
    const Vt = small.U.transpose().rowRange(0, k).clone();
    const S = small.S.slice(0, k);
    svdFlip(U, Vt);
    await tick("small SVD");
    return { U, S, Vt };
  });
}

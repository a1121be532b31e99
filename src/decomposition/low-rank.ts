// Best rank-k approximation (Eckart–Young): X_k = U_k Σ_k V_kᵀ, with error ‖X − X_k‖²_F = Σ_{i>k} σᵢ².
import { fail } from "../core/errors.js";
import { sumSquares } from "../core/estimator.js";
import { matmul } from "../core/gemm.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { randomizedSVD } from "../linalg/randomized.js";
import { svd } from "../linalg/svd.js";
import { sq } from "../core/numeric.js";

export interface LowRankApproximation {
  /** U_k Σ_k V_kᵀ, same shape as X. */
  approximation: Matrix;
  U: Matrix;
  S: Float64Array;
  Vt: Matrix;
  /** ‖X − X_k‖²_F = ‖X‖²_F − Σ_{i≤k} σᵢ² (= Σ_{i>k} σᵢ²). */
  error: number;
  /** error / ‖X‖²_F. */
  relativeError: number;
}

export interface LowRankOptions {
  solver?: "full" | "randomized";
  seed?: number;
}

export async function lowRankApproximation(X: MatrixLike, k: number, opts: LowRankOptions = {}): Promise<LowRankApproximation> {
  const M = toMatrix(X, "X", X instanceof Matrix ? X.dtype : "float64");
  const r = Math.min(M.rows, M.cols);
  if (!Number.isInteger(k) || k < 1 || k > r) fail(`k must be an integer in [1, min(rows, cols) = ${r}], got ${k}`);
  const res = opts.solver === "randomized"
    ? await randomizedSVD(M, k, { seed: opts.seed ?? 0 })
    : svd(M.astype("float64"));
  const U = res.U.colRange(0, k);
  const S = res.S.slice(0, k);
  const Vt = res.Vt.rowRange(0, k);
  const US = U.astype("float64");
  for (let i = 0; i < US.rows; i++) for (let j = 0; j < k; j++) US.data[i * k + j]! *= S[j]!;
  const approximation = matmul(US, Vt.astype("float64"));
  const total = sumSquares(M);
  let kept = 0;
  for (let i = 0; i < k; i++) kept += sq(S[i]!);
  const error = Math.max(0, total - kept);
  return { approximation, U, S, Vt, error, relativeError: total > 0 ? error / total : 0 };
}

// Truncated SVD without centring (LSA on term-document matrices): dense or CSR input.
import { fail } from "../core/errors.js";
import {
  checkFeatures, checkSaved, fitted, matrixFromJSON, numbersFromJSON, matrixToJSON, type InvertibleTransformer, type MatrixJSON, type Progress,
} from "../core/estimator.js";
import { choice, decodeParams, encodeParams, func, int, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { matmul } from "../core/gemm.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { randomizedSVD } from "../linalg/randomized.js";
import { CsrMatrix } from "../linalg/sparse.js";
import { svd } from "../linalg/svd.js";
import { sq } from "../core/numeric.js";

export interface TruncatedSVDOptions {
  /** Components to keep (default 2). */
  nComponents?: number;
  /** "randomized" (default) or "full" (exact, dense only). */
  algorithm?: "randomized" | "full";
  /** Power iterations of the randomized solver (default 5, as scikit-learn). */
  nIter?: number;
  nOversamples?: number;
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export const TRUNCATED_SVD_PARAMS = {
  nComponents: int("components to keep", { min: 1, default: 2 }),
  algorithm: choice(["randomized", "full"], "randomized (Halko et al.) or full (exact, dense)", { default: "randomized" }),
  nIter: int("power iterations of the randomized solver", { min: 0, default: 5 }),
  nOversamples: int("extra random directions beyond k", { min: 0, default: 10 }),
  seed: int("seed of the randomized solver", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after each step of the randomized solver"),
  signal: signal(),
} satisfies Schema<TruncatedSVDOptions>;

export type TruncatedSVDParams = ParamsOf<TruncatedSVDOptions, typeof TRUNCATED_SVD_PARAMS>;

export interface TruncatedSVDJSON {
  type: "TruncatedSVD";
  version: 1;
  options: Record<string, unknown>;
  components: MatrixJSON;
  singularValues: number[];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

type Input = MatrixLike | CsrMatrix;

export class TruncatedSVD implements InvertibleTransformer<Input, Matrix, TruncatedSVDParams> {
  static readonly schema = TRUNCATED_SVD_PARAMS;
  readonly options: TruncatedSVDParams;
  private components_?: Matrix;
  private singularValues_?: Float64Array;
  private explainedVariance_?: Float64Array;
  private explainedVarianceRatio_?: Float64Array;

  constructor(options: TruncatedSVDOptions = {}) {
    this.options = resolveParams(TRUNCATED_SVD_PARAMS, options, "TruncatedSVD");
  }

  getParams(): TruncatedSVDParams {
    return { ...this.options };
  }

  get components(): Matrix {
    return fitted(this.components_, "TruncatedSVD");
  }
  get singularValues(): Float64Array {
    return fitted(this.singularValues_, "TruncatedSVD");
  }
  /** Variance of each column of the projection X·Vᵀ. */
  get explainedVariance(): Float64Array {
    return fitted(this.explainedVariance_, "TruncatedSVD");
  }
  /** explainedVariance over the summed variances of X's columns. */
  get explainedVarianceRatio(): Float64Array {
    return fitted(this.explainedVarianceRatio_, "TruncatedSVD");
  }
  get nFeatures(): number {
    return this.components.cols;
  }

  async fit(X: Input): Promise<this> {
    await this.fitTransform(X);
    return this;
  }

  async fitTransform(X: Input): Promise<Matrix> {
    const A = X instanceof CsrMatrix ? X : toMatrix(X);
    const k = this.options.nComponents;
    const r = Math.min(A.rows, A.cols);
    if (k > r) fail(`nComponents=${k} must be <= min(nSamples, nFeatures) = min(${A.rows}, ${A.cols}) = ${r}`);
    let res;
    if (this.options.algorithm === "full") {
      const dense = A instanceof CsrMatrix ? A.toDense("float64") : A.astype("float64");
      res = svd(dense, { computeU: false });
    } else {
      res = await randomizedSVD(A, k, {
        nIter: this.options.nIter, nOversamples: this.options.nOversamples, seed: this.options.seed,
        onProgress: this.options.onProgress, signal: this.options.signal,
      });
    }
    this.components_ = res.Vt.rowRange(0, k).astype("float32");
    this.singularValues_ = res.S.slice(0, k);
    const Z = this.project(A);
    // variances of the projections and of the input columns
    const ev = columnVariances(Z);
    const totalVar = A instanceof CsrMatrix ? csrColumnVarianceSum(A) : columnVariances(A).reduce((a, b) => a + b, 0);
    this.explainedVariance_ = ev;
    this.explainedVarianceRatio_ = Float64Array.from(ev, (v) => (totalVar > 0 ? v / totalVar : 0));
    return Z;
  }

  transform(X: Input): Matrix {
    const A = X instanceof CsrMatrix ? X : toMatrix(X);
    if (A.cols !== this.nFeatures) checkFeatures(new Matrix(0, A.cols), this.nFeatures, "TruncatedSVD");
    return this.project(A);
  }

  private project(A: Matrix | CsrMatrix): Matrix {
    if (A instanceof CsrMatrix) return A.matmul(this.components.transpose().astype("float64")).astype("float32");
    return matmul(A.astype("float32"), this.components, { transB: true });
  }

  inverseTransform(Z: MatrixLike): Matrix {
    const M = toMatrix(Z, "Z");
    if (M.cols !== this.components.rows) fail(`Z has ${M.cols} columns, but this TruncatedSVD has ${this.components.rows} components`);
    return matmul(M, this.components);
  }

  toJSON(): TruncatedSVDJSON {
    return {
      type: "TruncatedSVD",
      version: 1,
      options: encodeParams(TRUNCATED_SVD_PARAMS, this.options),
      components: matrixToJSON(this.components),
      singularValues: Array.from(this.singularValues),
      explainedVariance: Array.from(this.explainedVariance),
      explainedVarianceRatio: Array.from(this.explainedVarianceRatio),
    };
  }

  static fromJSON(json: TruncatedSVDJSON): TruncatedSVD {
    checkSaved(json, "TruncatedSVD");
    const t = new TruncatedSVD(decodeParams(TRUNCATED_SVD_PARAMS, json.options, "TruncatedSVD"));
    t.components_ = matrixFromJSON(json.components, "TruncatedSVD.components");
    const per = { length: t.components_.rows, lengthOf: `one per component: components has ${t.components_.rows} rows`, min: 0 };
    t.singularValues_ = numbersFromJSON(json.singularValues, "TruncatedSVD.singularValues", per);
    t.explainedVariance_ = numbersFromJSON(json.explainedVariance, "TruncatedSVD.explainedVariance", per);
    t.explainedVarianceRatio_ = numbersFromJSON(json.explainedVarianceRatio, "TruncatedSVD.explainedVarianceRatio", per);
    return t;
  }
}

/** Population variance of each column. */
export function columnVariances(X: Matrix): Float64Array {
  const c = X.cols;
  const mean = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < c; j++) {
      const v = X.data[i * c + j]!;
      mean[j]! += v;
      sumSq[j]! += v * v;
    }
  }
  return Float64Array.from(mean, (m, j) => Math.max(0, sumSq[j]! / X.rows - sq(m / X.rows)));
}

function csrColumnVarianceSum(A: CsrMatrix): number {
  const mean = new Float64Array(A.cols);
  const sumSq = new Float64Array(A.cols);
  for (let p = 0; p < A.nnz; p++) {
    const j = A.indices[p]!;
    mean[j]! += A.data[p]!;
    sumSq[j]! += sq(A.data[p]!);
  }
  let s = 0;
  for (let j = 0; j < A.cols; j++) s += Math.max(0, sumSq[j]! / A.rows - sq(mean[j]! / A.rows));
  return s;
}

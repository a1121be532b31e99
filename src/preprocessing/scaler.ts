// Standardisation: centre each feature and/or scale it to unit variance.
import { fail } from "../core/errors.js";
import { checkFeatures, checkSaved, columnMeans, fitted, numbersFromJSON, type InvertibleTransformer } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { bool, decodeParams, encodeParams, resolveParams, type ParamsOf, type Schema } from "../core/params.js";
import { sq } from "../core/numeric.js";

export interface StandardScalerOptions {
  /** Subtract the column mean (default true). */
  withMean?: boolean;
  /** Divide by the column standard deviation (population, ddof=0; default true). */
  withStd?: boolean;
}

export const STANDARD_SCALER_PARAMS = {
  withMean: bool("subtract the column mean", { default: true }),
  withStd: bool("divide by the column standard deviation (population)", { default: true }),
} satisfies Schema<StandardScalerOptions>;

export type StandardScalerParams = ParamsOf<StandardScalerOptions, typeof STANDARD_SCALER_PARAMS>;

export interface StandardScalerJSON {
  type: "StandardScaler";
  version: 1;
  options: Record<string, unknown>;
  mean: number[];
  scale: number[];
  variance: number[];
}

export class StandardScaler implements InvertibleTransformer<MatrixLike, Matrix, StandardScalerParams> {
  static readonly schema = STANDARD_SCALER_PARAMS;
  readonly options: StandardScalerParams;
  private mean_?: Float64Array;
  private scale_?: Float64Array;
  private variance_?: Float64Array;

  constructor(options: StandardScalerOptions = {}) {
    this.options = resolveParams(STANDARD_SCALER_PARAMS, options, "StandardScaler");
  }

  getParams(): StandardScalerParams {
    return { ...this.options };
  }

  /** Per-feature mean. */
  get mean(): Float64Array {
    return fitted(this.mean_, "StandardScaler");
  }
  /** Per-feature divisor: the standard deviation, or 1 where it is zero (constant features are left as they are). */
  get scale(): Float64Array {
    return fitted(this.scale_, "StandardScaler");
  }
  /** Per-feature population variance. */
  get variance(): Float64Array {
    return fitted(this.variance_, "StandardScaler");
  }
  get nFeatures(): number {
    return this.mean.length;
  }

  /** Learns the column means and scales (async like every fit; the work itself is one synchronous pass). */
  async fit(X: MatrixLike): Promise<this> {
    return this.fitSync(X);
  }

  private fitSync(X: MatrixLike): this {
    const M = toMatrix(X);
    const mean = columnMeans(M);
    const variance = new Float64Array(M.cols);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) variance[j]! += sq(M.data[i * M.cols + j]! - mean[j]!);
    }
    const scale = new Float64Array(M.cols);
    for (let j = 0; j < M.cols; j++) {
      variance[j]! /= M.rows;
      const s = Math.sqrt(variance[j]!);
      scale[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j]!)) ? s : 1;
    }
    this.mean_ = mean;
    this.variance_ = variance;
    this.scale_ = scale;
    return this;
  }

  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    checkFeatures(M, this.nFeatures, "StandardScaler");
    const { withMean, withStd } = this.options;
    const out = Matrix.zeros(M.rows, M.cols, M.dtype);
    const mean = this.mean;
    const scale = this.scale;
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        let v = M.data[i * M.cols + j]!;
        if (withMean) v -= mean[j]!;
        if (withStd) v /= scale[j]!;
        out.data[i * M.cols + j] = v;
      }
    }
    return out;
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const M = toMatrix(X);
    return this.fitSync(M).transform(M);
  }

  inverseTransform(Z: MatrixLike): Matrix {
    const M = toMatrix(Z, "Z");
    checkFeatures(M, this.nFeatures, "StandardScaler");
    const { withMean, withStd } = this.options;
    const out = Matrix.zeros(M.rows, M.cols, M.dtype);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        let v = M.data[i * M.cols + j]!;
        if (withStd) v *= this.scale[j]!;
        if (withMean) v += this.mean[j]!;
        out.data[i * M.cols + j] = v;
      }
    }
    return out;
  }

  toJSON(): StandardScalerJSON {
    return {
      type: "StandardScaler",
      version: 1,
      options: encodeParams(STANDARD_SCALER_PARAMS, this.options),
      mean: Array.from(this.mean),
      scale: Array.from(this.scale),
      variance: Array.from(this.variance),
    };
  }

  static fromJSON(json: StandardScalerJSON): StandardScaler {
    checkSaved(json, "StandardScaler");
    const s = new StandardScaler(decodeParams(STANDARD_SCALER_PARAMS, json.options, "StandardScaler"));
    const mean = numbersFromJSON(json.mean, "StandardScaler.mean");
    const per = { length: mean.length, lengthOf: "one per feature, as the mean" };
    const scale = numbersFromJSON(json.scale, "StandardScaler.scale", per);
    for (let j = 0; j < scale.length; j++) if (!(scale[j]! > 0)) fail(`StandardScaler.scale[${j}] is ${scale[j]}: expected a positive number in the saved model`);
    s.mean_ = mean;
    s.scale_ = scale;
    s.variance_ = numbersFromJSON(json.variance, "StandardScaler.variance", { ...per, min: 0 });
    return s;
  }
}

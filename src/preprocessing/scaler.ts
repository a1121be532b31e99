// Standardisation: centre each feature and/or scale it to unit variance.
import { checkFeatures, checkSaved, columnMeans, fitted } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { sq } from "../core/numeric.js";

export interface StandardScalerOptions {
  /** Subtract the column mean (default true). */
  withMean?: boolean;
  /** Divide by the column standard deviation (population, ddof=0; default true). */
  withStd?: boolean;
}

export interface StandardScalerJSON {
  type: "StandardScaler";
  version: 1;
  options: Required<StandardScalerOptions>;
  mean: number[];
  scale: number[];
  variance: number[];
}

export class StandardScaler {
  readonly options: Required<StandardScalerOptions>;
  private mean_?: Float64Array;
  private scale_?: Float64Array;
  private variance_?: Float64Array;

  constructor(options: StandardScalerOptions = {}) {
    this.options = { withMean: options.withMean ?? true, withStd: options.withStd ?? true };
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

  fit(X: MatrixLike): this {
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

  fitTransform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    return this.fit(M).transform(M);
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
      options: this.options,
      mean: Array.from(this.mean),
      scale: Array.from(this.scale),
      variance: Array.from(this.variance),
    };
  }

  static fromJSON(json: StandardScalerJSON): StandardScaler {
    checkSaved(json, "StandardScaler");
    const s = new StandardScaler(json.options);
    s.mean_ = Float64Array.from(json.mean);
    s.scale_ = Float64Array.from(json.scale);
    s.variance_ = Float64Array.from(json.variance);
    return s;
  }
}

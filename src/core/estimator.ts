// Pieces shared by every estimator: fitted-state checks, feature-count checks and (de)serialisation of matrices.
import { fail } from "./errors.js";
import { checkFinite, Matrix, type DType } from "./matrix.js";

export interface MatrixJSON {
  rows: number;
  cols: number;
  dtype: DType;
  data: number[];
}

export function matrixToJSON(m: Matrix): MatrixJSON {
  return { rows: m.rows, cols: m.cols, dtype: m.dtype, data: Array.from(m.data) };
}

export function matrixFromJSON(j: MatrixJSON, name: string): Matrix {
  if (!j || typeof j.rows !== "number" || typeof j.cols !== "number" || !Array.isArray(j.data)) {
    fail(`${name}: expected {rows, cols, data} in the saved model`);
  }
  if (j.data.length !== j.rows * j.cols) fail(`${name}: ${j.data.length} values for a ${j.rows}x${j.cols} matrix`);
  const data = j.dtype === "float64" ? Float64Array.from(j.data) : Float32Array.from(j.data);
  return new Matrix(j.rows, j.cols, data);
}

/** Checks the saved-model header: its type name and format version. */
export function checkSaved(json: { type?: unknown; version?: unknown } | null | undefined, type: string): void {
  if (!json || json.type !== type) fail(`expected a saved ${type} (type: "${type}"), got type ${JSON.stringify(json?.type)}`);
  if (json.version !== 1) fail(`${type}: unsupported saved-model version ${JSON.stringify(json.version)}, expected 1`);
}

/** Returns the fitted value or throws the uniform not-fitted error. */
export function fitted<T>(value: T | undefined, estimator: string): T {
  if (value === undefined) fail(`this ${estimator} is not fitted yet: call fit() first`);
  return value;
}

export function checkFeatures(X: Matrix, expected: number, estimator: string): void {
  if (X.cols !== expected) fail(`X has ${X.cols} features, but this ${estimator} was fitted with ${expected}`);
}

/**
 * Column means in float64. A non-finite mean means a NaN or an infinity somewhere (or an overflow): then the full
 * scan of checkFinite names the offending entry, so callers can skip a separate validation pass.
 */
export function columnMeansChecked(X: Matrix, name = "X"): Float64Array {
  const mean = columnMeans(X);
  for (let j = 0; j < mean.length; j++) if (!Number.isFinite(mean[j]!)) checkFinite(X, name);
  return mean;
}

/** Column means in float64. */
export function columnMeans(X: Matrix): Float64Array {
  const mean = new Float64Array(X.cols);
  const d = X.data;
  const c = X.cols;
  for (let o = 0; o < d.length; o += c) {
    for (let j = 0; j < c; j++) mean[j] = mean[j]! + d[o + j]!;
  }
  for (let j = 0; j < X.cols; j++) mean[j]! /= X.rows;
  return mean;
}

/** X − 1·meanᵀ as a new matrix of the given dtype. */
export function centered(X: Matrix, mean: ArrayLike<number>, dtype: DType = X.dtype): Matrix {
  const out = Matrix.zeros(X.rows, X.cols, dtype);
  centerInto(X, mean, out);
  return out;
}

/** Writes X − 1·meanᵀ into `out` (same shape) and returns the sum of squares of the result. */
export function centerInto(X: Matrix, mean: ArrayLike<number>, out: Matrix): number {
  const d = X.data;
  const o = out.data;
  const c = X.cols;
  const m = Float64Array.from(mean);
  let ss = 0;
  for (let r = 0; r < d.length; r += c) {
    for (let j = 0; j < c; j++) {
      const v = d[r + j]! - m[j]!;
      o[r + j] = v;
      ss += v * v;
    }
  }
  return ss;
}

/** Sum of squares of all entries, in float64. */
export function sumSquares(X: Matrix): number {
  let s = 0;
  const d = X.data;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return s;
}

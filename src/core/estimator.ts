// The estimator contract (see docs/ARCHITECTURE.md), and the pieces every estimator shares: fitted-state checks,
// feature-count checks and (de)serialisation of matrices.
import { describeValue, fail } from "./errors.js";
import { checkFinite, FLOAT32_MAX, Matrix, type DType, type MatrixLike } from "./matrix.js";
import type { AnySchema } from "./params.js";

/**
 * What every long computation reports through `onProgress`: the stage it is in, `step` of `total` steps done, and
 * stage-specific numbers (t-SNE's `kl`, MDS's and Sammon's `stress`, word2vec's `alpha` and `wordsPerSecond`…).
 */
export interface Progress {
  /** What is being done ("early exaggeration", "epochs", "power iteration 2/7 (A)", …). */
  stage: string;
  /** Steps done so far (in this fit, across stages). */
  step: number;
  /** Steps in all. */
  total: number;
  /** Numbers describing the current state, by name. */
  metrics: Readonly<Record<string, number>>;
}

/** Labels for a supervised fit, one per sample (Sammon's label regulariser uses them; the others ignore them). */
export type Labels = ArrayLike<string | number>;

/** A saved model: its type name, the format version, the parameters and the fitted state. */
export interface SavedModel {
  type: string;
  version: number;
  /** Every serialisable parameter (by the estimator's schema). */
  options: Record<string, unknown>;
}

/**
 * The part of the contract every estimator follows: constructed from one options object (validated by its schema),
 * an async `fit` (which may take labels as a second argument, as scikit-learn's y), `getParams()` and `toJSON()`.
 * Fitted state is exposed through read-only getters that throw "not fitted yet" before `fit`.
 */
export interface Estimator<In, P = Readonly<Record<string, unknown>>> {
  /** The resolved parameters (defaults filled in). */
  readonly options: P;
  fit(X: In, y?: Labels): Promise<this>;
  /** A copy of every parameter: what the constructor was given, defaults filled in. */
  getParams(): P;
  /** The parameters and fitted state as plain JSON. */
  toJSON(): SavedModel;
}

/**
 * A fitted closed-form map (PCA, TruncatedSVD, StandardScaler, the vectorizers, LSA): `fit` is async like every fit,
 * `transform` (and `inverseTransform` where it exists) is synchronous and cheap.
 */
export interface Transformer<In, Out = Matrix, P = Readonly<Record<string, unknown>>> extends Estimator<In, P> {
  fitTransform(X: In, y?: Labels): Promise<Out>;
  transform(X: In): Out;
}

/** A Transformer that maps back to the input space. */
export interface InvertibleTransformer<In, Out = Matrix, P = Readonly<Record<string, unknown>>> extends Transformer<In, Out, P> {
  inverseTransform(Z: MatrixLike): Matrix;
}

/**
 * An embedding found by iterative optimisation (TSNE, UMAP, MDS, Sammon): `fitTransform` returns the fitted
 * `embedding`; progress through `onProgress`, cancellation through `signal`.
 */
export interface Embedder<In = MatrixLike, P = Readonly<Record<string, unknown>>> extends Estimator<In, P> {
  fitTransform(X: In, y?: Labels): Promise<Matrix>;
  /** The fitted map, one row per training sample. */
  readonly embedding: Matrix;
}

/** An Embedder that places new points in the fitted map; `transform` optimises them, so it is async. */
export interface InductiveEmbedder<In = MatrixLike, P = Readonly<Record<string, unknown>>> extends Embedder<In, P> {
  transform(X: In): Promise<Matrix>;
}

/** Word vectors learned from sentences (Word2Vec, CooccurrenceEmbedding): async `fit` on a corpus, then the vectors. */
export interface WordEmbedder<In, P = Readonly<Record<string, unknown>>> extends Estimator<In, P> {
  /** Input (word) vectors, one row per vocabulary word. */
  readonly wordMatrix: Matrix;
  /** Output (context) vectors. */
  readonly contextMatrix: Matrix;
}

/** The static side of the contract: `new E(options)`, the schema, and `E.fromJSON(json)`. */
export interface EstimatorClass<E, O = never, J = never> {
  new (options?: O): E;
  /** One spec per option: type, range or choices, default, doc, whether it is saved. */
  readonly schema: AnySchema;
  fromJSON(json: J): E;
}

export interface MatrixJSON {
  rows: number;
  cols: number;
  dtype: DType;
  data: number[];
}

export function matrixToJSON(m: Matrix): MatrixJSON {
  return { rows: m.rows, cols: m.cols, dtype: m.dtype, data: Array.from(m.data) };
}

/**
 * A matrix from a saved model, checked: integer shape, one finite number per entry (within the float32 range unless
 * the dtype is float64), and, when given, the expected shape (`rows`/`cols` of another part of the model).
 */
export function matrixFromJSON(j: MatrixJSON, name: string, expect: { rows?: number; cols?: number } = {}): Matrix {
  if (!j || typeof j !== "object" || !Number.isInteger(j.rows) || !Number.isInteger(j.cols) || j.rows < 0 || j.cols < 0 || !Array.isArray(j.data)) {
    fail(`${name}: expected {rows, cols, data} with non-negative integer rows and cols in the saved model`);
  }
  if (j.dtype !== undefined && j.dtype !== "float32" && j.dtype !== "float64") fail(`${name}: dtype must be "float32" or "float64", got ${describeValue(j.dtype)}`);
  if (j.data.length !== j.rows * j.cols) fail(`${name}: ${j.data.length} values for a ${j.rows}x${j.cols} matrix`);
  if (expect.rows !== undefined && j.rows !== expect.rows) fail(`${name}: ${j.rows} rows, expected ${expect.rows} to match the rest of the saved model`);
  if (expect.cols !== undefined && j.cols !== expect.cols) fail(`${name}: ${j.cols} columns, expected ${expect.cols} to match the rest of the saved model`);
  const f64 = j.dtype === "float64";
  const data = f64 ? new Float64Array(j.data.length) : new Float32Array(j.data.length);
  for (let k = 0; k < j.data.length; k++) {
    const v = j.data[k];
    if (typeof v !== "number" || !Number.isFinite(v) || (!f64 && Math.abs(v) > FLOAT32_MAX)) {
      const i = j.cols > 0 ? Math.floor(k / j.cols) : 0;
      fail(`${name}: entry [${i}][${k - i * j.cols}] is ${describeValue(v)}: expected a finite number${f64 ? "" : " in the float32 range"} in the saved model`);
    }
    data[k] = v;
  }
  return new Matrix(j.rows, j.cols, data);
}

/**
 * A numeric array from a saved model, checked: an array of finite numbers (`min` bounds them from below, e.g. 0
 * for variances), of length `length` when given.
 */
export function numbersFromJSON(v: unknown, name: string, opts: { length?: number; min?: number; lengthOf?: string } = {}): Float64Array {
  if (!Array.isArray(v)) fail(`${name}: expected an array of numbers in the saved model, got ${describeValue(v)}`);
  if (opts.length !== undefined && v.length !== opts.length) {
    fail(`${name}: ${v.length} values, expected ${opts.length}${opts.lengthOf ? ` (${opts.lengthOf})` : ""}`);
  }
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) {
    const x = v[k];
    if (typeof x !== "number" || !Number.isFinite(x) || (opts.min !== undefined && x < opts.min)) {
      fail(`${name}[${k}] is ${describeValue(x)}: expected a finite number${opts.min !== undefined ? ` >= ${opts.min}` : ""} in the saved model`);
    }
    out[k] = x;
  }
  return out;
}

/** A single number from a saved model: finite (and >= `min`, an integer when `integer`). */
export function numberFromJSON(v: unknown, name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max) ||
    (opts.integer && !Number.isInteger(v))) {
    const range = [opts.min !== undefined ? ` >= ${opts.min}` : "", opts.max !== undefined ? ` <= ${opts.max}` : ""].filter(Boolean).join(" and");
    fail(`${name} is ${describeValue(v)}: expected a finite ${opts.integer ? "integer" : "number"}${range} in the saved model`);
  }
  return v;
}

/**
 * Throws when an estimator's result holds NaN or an infinity (an overflow the input checks did not foresee), naming
 * the estimator and what to do, so that no NaN is ever returned or written silently.
 */
export function checkOutput(m: Matrix, what: string): Matrix {
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k]!)) {
      const i = Math.floor(k / m.cols);
      fail(`${what} produced a non-finite value (${describeValue(d[k])}) at row ${i}, column ${k - i * m.cols}: ` +
        `the input's magnitude is too extreme for float32 arithmetic; rescale the data`);
    }
  }
  return m;
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

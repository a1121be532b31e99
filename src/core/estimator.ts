// The estimator contract (see docs/ARCHITECTURE.md), and the pieces every estimator shares: fitted-state checks,
// feature-count checks and (de)serialisation of matrices.
import { fail } from "./errors.js";
import { checkFinite, Matrix, type DType, type MatrixLike } from "./matrix.js";
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

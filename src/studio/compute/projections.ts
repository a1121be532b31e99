// What the studio's compute worker computes, as plain functions of the data (no messages, no DOM), so that Node
// tests call them directly: PCA (exact), t-SNE and UMAP with live positions, custom axes, exact neighbours of a
// point, and the quality of a map on a sample. Every one runs the library's own estimators.
import { describeValue, fail, throwIfAborted } from "../../core/errors.js";
import { columnMeans } from "../../core/estimator.js";
import { matmul } from "../../core/gemm.js";
import { Matrix } from "../../core/matrix.js";
import { Random } from "../../core/random.js";
import { PCA } from "../../decomposition/pca.js";
import { eigh } from "../../linalg/eigh.js";
import { TSNE, type TSNEProgress } from "../../manifold/tsne.js";
import { UMAP, type UMAPProgress } from "../../manifold/umap.js";
import { knnRecall, trustworthiness } from "../../metrics/quality.js";
import { exactKnn } from "../../neighbors/knn.js";
import type { Coords, NeighbourResult, PcaResult, ProjectionUpdate } from "../types.js";

/**
 * Dimensions t-SNE and UMAP reduce their input to first when it has more (as the CLI's `--pca 50`, which the studio
 * matches so that a map in the page equals the Node CLI's for the same seed).
 */
export const DEFAULT_PCA_DIMS = 50;

/** Milliseconds between two live updates of a running map (at most; the last positions come with the result). */
export const UPDATE_INTERVAL_MS = 150;

/** t-SNE iterations between two progress reports (each one may become a live update). */
export const TSNE_PROGRESS_EVERY = 5;

/** The data as a Matrix (no copy): n x dim, row-major. */
export function dataMatrix(n: number, dim: number, vectors: Float32Array): Matrix {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) fail(`studio compute: the data must have n >= 1 rows and dim >= 1 columns, got n=${describeValue(n)}, dim=${describeValue(dim)}`);
  if (vectors.length !== n * dim) fail(`studio compute: vectors has ${vectors.length} values, expected n x dim = ${n} x ${dim} = ${n * dim}`);
  return new Matrix(n, dim, vectors);
}

/** A map as a Matrix (no copy). */
export function coordsMatrix(c: Coords, n: number): Matrix {
  if (c.dims !== 2 && c.dims !== 3) fail(`studio compute: a map has 2 or 3 dimensions, got dims=${describeValue(c.dims)}`);
  if (c.values.length !== n * c.dims) fail(`studio compute: the map has ${c.values.length} values, expected ${n} points x ${c.dims} = ${n * c.dims}`);
  return new Matrix(n, c.dims, c.values);
}

/** The exact PCA solver for n x d data: the d x d covariance route when n ≫ d (n >= 2d, d <= 4096), else the SVD. */
export function pcaSolverFor(n: number, d: number): "covariance-eig" | "full" {
  return n >= 2 * d && d <= 4096 ? "covariance-eig" : "full";
}

/** Exact PCA of every point to 2 or 3 components, with the explained variance ratio of each. */
export async function pcaMap(X: Matrix, dims: 2 | 3, signal?: AbortSignal): Promise<PcaResult> {
  if (dims !== 2 && dims !== 3) fail(`PCA map: dims must be 2 or 3, got ${describeValue(dims)}`);
  if (X.cols < dims) fail(`PCA map: the data has ${X.cols} dimensions, fewer than the ${dims} asked for`);
  const pca = new PCA({ nComponents: dims, solver: pcaSolverFor(X.rows, X.cols), ...(signal ? { signal } : {}) });
  const Z = await pca.fitTransform(X);
  return { coords: { dims, values: Z.data as Float32Array }, explainedVarianceRatio: Array.from(pca.explainedVarianceRatio) };
}

/**
 * The dimensions t-SNE/UMAP's input is reduced to by PCA, or null for none: `pcaDims` when given (0 = none), else
 * DEFAULT_PCA_DIMS when the data has more; never more than min(n, dim) (then no reduction).
 */
export function mapInputDims(n: number, dim: number, pcaDims?: number): number | null {
  if (pcaDims !== undefined && (!Number.isInteger(pcaDims) || pcaDims < 0)) fail(`pcaDims must be a whole number >= 0 (0 = no PCA first), got ${describeValue(pcaDims)}`);
  const want = pcaDims ?? (dim > DEFAULT_PCA_DIMS ? DEFAULT_PCA_DIMS : 0);
  if (want === 0 || want >= dim) return null;
  return Math.min(want, n);
}

/** The input of t-SNE/UMAP: the data, or its PCA to `dims` components exactly as the CLI's `--pca dims --seed seed`. */
export async function reduceForMap(X: Matrix, dims: number | null, seed: number, signal?: AbortSignal): Promise<Matrix> {
  if (dims === null) return X;
  return new PCA({ nComponents: dims, seed, ...(signal ? { signal } : {}) }).fitTransform(X);
}

/** How t-SNE/UMAP get their input: reduceForMap, or a caching wrapper of it (the worker keeps the last one). */
export type Reducer = (X: Matrix, dims: number | null, seed: number, signal?: AbortSignal) => Promise<Matrix>;

/** Milliseconds between two readings of t-SNE's KL divergence for the live updates. */
export const KL_INTERVAL_MS = 10_000;

/** Calls `onUpdate` at most every `intervalMs` with a copy of the positions the estimator reports. */
function liveUpdates(dims: 2 | 3, onUpdate: ((u: ProjectionUpdate) => void) | undefined, intervalMs: number):
  ((p: TSNEProgress | UMAPProgress) => void) | undefined {
  if (!onUpdate) return undefined;
  let last = -Infinity;
  // t-SNE's kl is computed when read, a pass over P (about 0.5 s at 70,000 points): refreshed every KL_INTERVAL_MS,
  // the last value sent in between (read at every update, it doubled a 70,000-point run)
  let klAt = -Infinity;
  let kl: number | undefined;
  return (p) => {
    const now = performance.now();
    if (now - last < intervalMs || p.step >= p.total) return; // the last positions are the result
    const E = p.embedding;
    if (!E) return;
    last = now;
    const metrics: Record<string, number> = {};
    for (const k of Object.keys(p.metrics)) if (k !== "kl") metrics[k] = p.metrics[k]!;
    if ("kl" in p.metrics) {
      if (now - klAt >= KL_INTERVAL_MS) {
        kl = p.metrics.kl;
        klAt = now;
      }
      if (kl !== undefined) metrics.kl = kl;
    }
    onUpdate({ stage: p.stage, step: p.step, total: p.total, coords: { dims, values: E.data as Float32Array }, metrics });
  };
}

export interface TsneMapOptions {
  dims: 2 | 3;
  perplexity: number;
  seed: number;
  /** Reduce to this many principal components first (0 = none; default 50 when the data has more). */
  pcaDims?: number;
  /** Minimum milliseconds between live updates (default UPDATE_INTERVAL_MS). */
  updateIntervalMs?: number;
}

/**
 * t-SNE of every point with the CLI's defaults (1000 iterations, θ = 0.5, PCA initialisation, method auto), after
 * PCA to 50 dimensions when the data has more: the same map as `latentkit tsne --pca 50 --seed …` on the same data.
 * `onUpdate` gets the current map while it runs (at most every updateIntervalMs).
 */
export async function tsneMap(X: Matrix, o: TsneMapOptions, onUpdate?: (u: ProjectionUpdate) => void, signal?: AbortSignal,
  reduce: Reducer = reduceForMap): Promise<Coords> {
  const input = await reduce(X, mapInputDims(X.rows, X.cols, o.pcaDims), o.seed, signal);
  throwIfAborted(signal);
  const onProgress = liveUpdates(o.dims, onUpdate, o.updateIntervalMs ?? UPDATE_INTERVAL_MS);
  const tsne = new TSNE({
    nComponents: o.dims, perplexity: o.perplexity, seed: o.seed, progressEvery: TSNE_PROGRESS_EVERY,
    ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}),
  });
  const Z = await tsne.fitTransform(input);
  return { dims: o.dims, values: Z.data as Float32Array };
}

export interface UmapMapOptions {
  dims: 2 | 3;
  nNeighbors: number;
  minDist: number;
  seed: number;
  pcaDims?: number;
  updateIntervalMs?: number;
}

/**
 * UMAP of every point with the CLI's defaults (spectral initialisation, 500 epochs up to 10,000 points, else 200;
 * Hogwild SGD on the core's threads), after PCA to 50 dimensions when the data has more, as `latentkit umap --pca 50`.
 */
export async function umapMap(X: Matrix, o: UmapMapOptions, onUpdate?: (u: ProjectionUpdate) => void, signal?: AbortSignal,
  reduce: Reducer = reduceForMap): Promise<Coords> {
  const input = await reduce(X, mapInputDims(X.rows, X.cols, o.pcaDims), o.seed, signal);
  throwIfAborted(signal);
  if (o.nNeighbors >= input.rows) fail(`UMAP: nNeighbors=${o.nNeighbors} must be less than the number of points n=${input.rows}`);
  const onProgress = liveUpdates(o.dims, onUpdate, o.updateIntervalMs ?? UPDATE_INTERVAL_MS);
  const umap = new UMAP({
    nComponents: o.dims, nNeighbors: o.nNeighbors, minDist: o.minDist, seed: o.seed,
    ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}),
  });
  const Z = await umap.fitTransform(input);
  return { dims: o.dims, values: Z.data as Float32Array };
}

/** Column means of the rows `idx` (all rows when idx is null), in float64. */
function meanOf(X: Matrix, idx: Int32Array | null, what: string): Float64Array {
  if (idx === null) return columnMeans(X);
  const d = X.cols;
  const m = new Float64Array(d);
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= X.rows) fail(`custom axes: ${what} holds point ${i}, outside [0, ${X.rows})`);
    const off = i * d;
    for (let j = 0; j < d; j++) m[j]! += X.data[off + j]!;
  }
  for (let j = 0; j < d; j++) m[j]! /= idx.length;
  return m;
}

/** The unit axis mean(pos) − mean(neg) (neg empty or absent: the mean of all points). */
function axisOf(X: Matrix, pos: Int32Array, neg: Int32Array | undefined, name: string): Float64Array {
  if (pos.length === 0) fail(`custom axes: ${name}Positive is empty; it needs at least one point`);
  const a = meanOf(X, pos, `${name}Positive`);
  const b = meanOf(X, neg && neg.length > 0 ? neg : null, `${name}Negative`);
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! -= b[j]!) ** 2;
  if (!(s > 0)) fail(`custom axes: the mean of ${name}Positive equals the mean of ${name}Negative, so there is no ${name} axis`);
  const inv = 1 / Math.sqrt(s);
  for (let j = 0; j < a.length; j++) a[j]! *= inv;
  return a;
}

/** Covariance of the data (d x d, float64, divided by n), from centred blocks of rows. */
export function covariance(X: Matrix, mean = columnMeans(X)): Float64Array {
  const n = X.rows;
  const d = X.cols;
  const C = new Float64Array(d * d);
  const block = Math.max(1, Math.min(n, Math.floor(2 ** 22 / d)));
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    const B = new Matrix(r1 - r0, d, new Float32Array((r1 - r0) * d));
    for (let i = r0; i < r1; i++) for (let j = 0; j < d; j++) B.data[(i - r0) * d + j] = X.data[i * d + j]! - mean[j]!;
    const G = matmul(B, B, { transA: true }).data;
    for (let t = 0; t < d * d; t++) C[t]! += G[t]!;
  }
  for (let t = 0; t < d * d; t++) C[t]! /= n;
  return C;
}

/** The first principal axis of the data once the direction u is taken out: top eigenvector of (I − uuᵀ) C (I − uuᵀ). */
function firstAxisWithout(C: Float64Array, d: number, u: Float64Array): Float64Array {
  // Cu, uᵀCu, then P C P = C − u(Cu)ᵀ − (Cu)uᵀ + (uᵀCu) uuᵀ
  const cu = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += C[i * d + j]! * u[j]!;
    cu[i] = s;
  }
  let ucu = 0;
  for (let i = 0; i < d; i++) ucu += u[i]! * cu[i]!;
  const M = new Matrix(d, d, new Float64Array(d * d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) M.data[i * d + j] = C[i * d + j]! - u[i]! * cu[j]! - cu[i]! * u[j]! + ucu * u[i]! * u[j]!;
  }
  // exact symmetry for eigh
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) M.data[i * d + j] = M.data[j * d + i]!;
  const { vectors } = eigh(M);
  const v = new Float64Array(d);
  for (let i = 0; i < d; i++) v[i] = vectors.data[i * d]!;
  return v;
}

export interface CustomAxesQuery {
  xPositive: Int32Array;
  xNegative: Int32Array;
  yPositive?: Int32Array;
  yNegative?: Int32Array;
}

/**
 * Custom axes (as TF Projector's "custom" tab): x = (v − mean) · u_x with u_x the unit vector along
 * mean(xPositive) − mean(xNegative) (xNegative empty: the mean of all points); y likewise from the y queries, or,
 * without yPositive, along the first principal axis of the data once u_x is taken out (so y is orthogonal to x).
 * `cov` is the data's covariance (computed when not given; the worker keeps it per data set).
 */
export function customAxesMap(X: Matrix, q: CustomAxesQuery, cov?: () => Float64Array): Coords {
  const n = X.rows;
  const d = X.cols;
  const ux = axisOf(X, q.xPositive, q.xNegative, "x");
  const uy = q.yPositive && q.yPositive.length > 0 ? axisOf(X, q.yPositive, q.yNegative, "y") : firstAxisWithout(cov ? cov() : covariance(X), d, ux);
  const mean = columnMeans(X);
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < d; j++) {
    cx += mean[j]! * ux[j]!;
    cy += mean[j]! * uy[j]!;
  }
  const values = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x = 0;
    let y = 0;
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = X.data[off + j]!;
      x += v * ux[j]!;
      y += v * uy[j]!;
    }
    values[2 * i] = x - cx;
    values[2 * i + 1] = y - cy;
  }
  return { dims: 2, values };
}

/**
 * The k nearest neighbours of point i (the point itself left out), nearest first, in the data or in a map, equal to
 * row i of exactKnn(space, k): the library's exactKnn with point i as the query against the other points, which it
 * scans in the same order with the same arithmetic as exactKnn does for row i, so even ties at the k-th distance
 * resolve the same way.
 */
export function neighboursOf(X: Matrix, i: number, k: number, metric: "cosine" | "euclidean", map?: Coords): NeighbourResult {
  const S = map ? coordsMatrix(map, X.rows) : X;
  const n = S.rows;
  const d = S.cols;
  if (!Number.isInteger(i) || i < 0 || i >= n) fail(`neighbours: point ${describeValue(i)} is outside [0, ${n})`);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) fail(`neighbours: k must be a whole number in [1, ${n - 1}], got ${describeValue(k)}`);
  if (metric !== "cosine" && metric !== "euclidean") fail(`neighbours: metric must be "cosine" or "euclidean", got ${describeValue(metric)}`);
  // the other points, in order
  const others = new (S.data.constructor as Float32ArrayConstructor)((n - 1) * d);
  others.set(S.data.subarray(0, i * d));
  others.set(S.data.subarray((i + 1) * d), i * d);
  const g = exactKnn(new Matrix(n - 1, d, others), k, { metric, query: S.rowRange(i, i + 1) });
  return { indices: g.indices.map((j) => (j >= i ? j + 1 : j)), distances: g.distances };
}

export interface QualityResult {
  trustworthiness: number;
  knnRecall: number;
  sample: number;
  k: number;
}

/**
 * Trustworthiness(k) and kNN recall(k) of a map against the original space, on a seeded random sample of points
 * (default 1000, k = 10): neighbours are found among the sampled points in both spaces (as the CLI's
 * --quality-sample), so on a sample the figures are estimates of the full ones. k is capped at ⌊(sample − 1)/2⌋.
 */
export function mapQuality(X: Matrix, coords: Coords, opts: { sample?: number; k?: number; seed?: number } = {}): QualityResult {
  const n = X.rows;
  const Z = coordsMatrix(coords, n);
  const sample = opts.sample ?? 1000;
  const kWant = opts.k ?? 10;
  if (!Number.isInteger(sample) || sample < 3) fail(`quality: sample must be a whole number >= 3, got ${describeValue(sample)}`);
  if (!Number.isInteger(kWant) || kWant < 1) fail(`quality: k must be a whole number >= 1, got ${describeValue(kWant)}`);
  if (n < 3) fail(`quality: a map needs at least 3 points, got ${n}`);
  const m = Math.min(n, sample);
  const idx = m < n ? Array.from(new Random(opts.seed ?? 0).sample(n, m)).sort((a, b) => a - b) : Array.from({ length: n }, (_, i) => i);
  const Xs = X.selectRows(idx);
  const Zs = Z.selectRows(idx);
  const k = Math.min(kWant, Math.floor((m - 1) / 2));
  return {
    trustworthiness: trustworthiness(Xs, Zs, k),
    knnRecall: knnRecall(exactKnn(Xs, k), exactKnn(Zs, k)),
    sample: m,
    k,
  };
}

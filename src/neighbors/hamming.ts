// Binary codes and Hamming search, the retrieval side of semantic hashing (Salakhutdinov & Hinton, "Semantic
// hashing", 2009) and of locality-sensitive hashing. A code of b bits is packed into ceil(b/32) 32-bit words (bit j
// of an item is bit j mod 32 of word j/32), so the Hamming distance of two items is the population count of the XOR
// of their words: a handful of integer operations per 32 bits, no floating point.
//
// HammingIndex ranks a database by distance to a query exactly, by a linear scan: the distances to every item go into
// one reused buffer, a histogram over the b+1 possible distances finds the distance D at which the top k is reached,
// and one more pass places the items (a counting sort, stable in the item index), so ties are broken by index and
// nothing is allocated per item. withinRadius(query, r) returns the whole Hamming ball of radius r (sorted the same
// way) — the "Hamming ball" retrieval of the semantic hashing paper, here found by a scan rather than by enumerating
// the ball's addresses in a table (exact either way; a scan costs n·words popcounts, a table lookup Σ_{i≤r} C(b, i)).
//
// Codes come from a model (SemanticHashing.codes), from RandomHyperplaneLSH (Charikar 2002, "Similarity estimation
// techniques from rounding algorithms": the sign of projections on random Gaussian hyperplanes, so two vectors at
// angle θ agree on a bit with probability 1 − θ/π), or from any real-valued embedding thresholded at its training
// medians (medianThresholds / medianThresholdCodes: the PCA / LSA baseline of the semantic hashing literature, each
// bit then on for half the training items).
import { describeValue, fail } from "../core/errors.js";
import { checkFeatures, checkSaved, columnMeans, fitted, numbersFromJSON, type Transformer } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { bool, decodeParams, encodeParams, int, resolveParams, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";

/** n binary codes of `bits` bits each, packed: item i's bits are words[i·W … (i+1)·W), W = ceil(bits/32). */
export interface BinaryCodes {
  readonly n: number;
  readonly bits: number;
  readonly words: Uint32Array;
}

/** 32-bit words per code of `bits` bits. */
export function wordsPerCode(bits: number): number {
  return Math.ceil(bits / 32);
}

/** Checks the shape of a BinaryCodes value (n, bits and the length of words), naming `what`. */
export function checkCodes(c: BinaryCodes, what = "codes"): void {
  if (!c || typeof c !== "object") fail(`${what} must be binary codes {n, bits, words}, got ${describeValue(c)}`);
  if (!Number.isSafeInteger(c.n) || c.n < 0) fail(`${what}.n must be an integer >= 0, got ${describeValue(c.n)}`);
  if (!Number.isSafeInteger(c.bits) || c.bits < 1) fail(`${what}.bits must be an integer >= 1, got ${describeValue(c.bits)}`);
  if (!(c.words instanceof Uint32Array)) fail(`${what}.words must be a Uint32Array, got ${describeValue(c.words)}`);
  const want = c.n * wordsPerCode(c.bits);
  if (c.words.length !== want) fail(`${what}.words has ${c.words.length} words, expected n·ceil(bits/32) = ${c.n}·${wordsPerCode(c.bits)} = ${want}`);
}

/**
 * Packs a real matrix into codes: bit j of row i is on when Z[i][j] > threshold (a number, or one per column).
 * Z's columns are the bits.
 */
export function packBits(Z: MatrixLike, threshold: number | ArrayLike<number> = 0): BinaryCodes {
  const M = toMatrix(Z, "Z", "float64");
  const n = M.rows, b = M.cols;
  if (b < 1) fail(`packBits needs at least one column (one bit), got ${n}x${b}`);
  let t: ArrayLike<number>;
  if (typeof threshold === "number") {
    if (Number.isNaN(threshold)) fail(`packBits: threshold is NaN`);
    t = new Float64Array(b).fill(threshold);
  } else {
    if (!threshold || typeof threshold.length !== "number" || threshold.length !== b) {
      fail(`packBits: threshold must be a number or one per column (${b}), got ${describeValue(threshold)}`);
    }
    t = threshold;
    for (let j = 0; j < b; j++) if (Number.isNaN(t[j]!)) fail(`packBits: threshold[${j}] is NaN`);
  }
  const W = wordsPerCode(b);
  const words = new Uint32Array(n * W);
  const d = M.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < b; j++) {
      // (toMatrix refused NaN and infinities)
      if (d[i * b + j]! > t[j]!) words[i * W + (j >>> 5)]! |= 1 << (j & 31);
    }
  }
  return { n, bits: b, words };
}

/** The codes as a 0/1 matrix (n x bits, float32): the inverse of packBits at threshold 0.5. */
export function unpackBits(c: BinaryCodes): Matrix {
  checkCodes(c);
  const W = wordsPerCode(c.bits);
  const out = Matrix.zeros(c.n, c.bits, "float32");
  for (let i = 0; i < c.n; i++) {
    for (let j = 0; j < c.bits; j++) out.data[i * c.bits + j] = (c.words[i * W + (j >>> 5)]! >>> (j & 31)) & 1;
  }
  return out;
}

/** The rows `indices` of codes, as codes. */
export function selectCodes(c: BinaryCodes, indices: ArrayLike<number>): BinaryCodes {
  const W = wordsPerCode(c.bits);
  const words = new Uint32Array(indices.length * W);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= c.n) fail(`selectCodes: index ${describeValue(i)} is outside [0, ${c.n})`);
    words.set(c.words.subarray(i * W, i * W + W), k * W);
  }
  return { n: indices.length, bits: c.bits, words };
}

/** Fraction of the items with each bit on (the balance of the codes: 0.5 is a bit that splits the data in half). */
export function bitBalance(c: BinaryCodes): Float64Array {
  checkCodes(c);
  const W = wordsPerCode(c.bits);
  const on = new Float64Array(c.bits);
  for (let i = 0; i < c.n; i++) {
    for (let j = 0; j < c.bits; j++) on[j]! += (c.words[i * W + (j >>> 5)]! >>> (j & 31)) & 1;
  }
  for (let j = 0; j < c.bits; j++) on[j]! /= Math.max(c.n, 1);
  return on;
}

/** Number of bits set in a 32-bit word (the SWAR popcount). */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between item i of a and item j of b (same number of bits). */
export function hammingDistance(a: BinaryCodes, i: number, b: BinaryCodes, j: number): number {
  if (a.bits !== b.bits) fail(`hammingDistance: codes of ${a.bits} and ${b.bits} bits`);
  const W = wordsPerCode(a.bits);
  let d = 0;
  for (let w = 0; w < W; w++) d += popcount32(a.words[i * W + w]! ^ b.words[j * W + w]!);
  return d;
}

/** One query's ranking: item indices and their distances, nearest first, ties by index. */
export interface HammingHits {
  indices: Int32Array;
  distances: Int32Array;
}

/** Rankings of many queries: k per query, query q's at [q·k, (q+1)·k). */
export interface HammingBatchHits {
  k: number;
  indices: Int32Array;
  distances: Int32Array;
}

/** Hamming balls of many queries, CSR-like: query q's items at [offsets[q], offsets[q+1]). */
export interface HammingBalls {
  offsets: Int32Array;
  indices: Int32Array;
  distances: Int32Array;
}

/** A query: an item of the index (by number), or one code's W words (e.g. `codes.words.subarray(q·W, (q+1)·W)`). */
export type HammingQuery = number | Uint32Array;

/**
 * Exact Hamming search over a database of codes (a linear scan with popcounts, ranked by a counting sort).
 * The index keeps a reference to the codes (not a copy) and one distance buffer of n entries, reused by every query
 * (so one index must not be searched from two threads at once — JavaScript has none — but it may be searched from
 * many queries in turn without allocating per item).
 */
export class HammingIndex {
  readonly codes: BinaryCodes;
  readonly words: number;
  private readonly dist: Uint16Array;
  private readonly count: Int32Array;

  constructor(codes: BinaryCodes) {
    checkCodes(codes, "HammingIndex codes");
    if (codes.bits > 65535) fail(`HammingIndex: codes of ${codes.bits} bits, at most 65535 are supported`);
    this.codes = codes;
    this.words = wordsPerCode(codes.bits);
    this.dist = new Uint16Array(codes.n);
    this.count = new Int32Array(codes.bits + 2);
  }

  /** Number of items. */
  get size(): number {
    return this.codes.n;
  }

  get bits(): number {
    return this.codes.bits;
  }

  /** Hamming distance between items i and j of the index. */
  hamming(i: number, j: number): number {
    this.item(i, "i");
    this.item(j, "j");
    return hammingDistance(this.codes, i, this.codes, j);
  }

  private item(i: number, what: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.codes.n) fail(`HammingIndex: ${what} = ${describeValue(i)} is not an item index in [0, ${this.codes.n})`);
  }

  /** The words of a query, checked. */
  private queryWords(q: HammingQuery): Uint32Array {
    const W = this.words;
    if (typeof q === "number") {
      this.item(q, "query");
      return this.codes.words.subarray(q * W, q * W + W);
    }
    if (!(q instanceof Uint32Array) || q.length !== W) {
      fail(`HammingIndex: a query must be an item index or a Uint32Array of ${W} words (one ${this.bits}-bit code), got ${describeValue(q)}`);
    }
    return q;
  }

  /** Distances from query words q (offset qo in qw) to every item, into the distance buffer. */
  private scan(qw: Uint32Array, qo: number): Uint16Array {
    const W = this.words, n = this.codes.n, cw = this.codes.words, dist = this.dist;
    // the common widths unrolled: one or two words (32 and 64 bits)
    if (W === 1) {
      const a = qw[qo]!;
      for (let i = 0; i < n; i++) {
        let x = a ^ cw[i]!;
        x = x - ((x >>> 1) & 0x55555555);
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        x = (x + (x >>> 4)) & 0x0f0f0f0f;
        dist[i] = Math.imul(x, 0x01010101) >>> 24;
      }
    } else if (W === 2) {
      const a = qw[qo]!, b = qw[qo + 1]!;
      for (let i = 0; i < n; i++) dist[i] = popcount32(a ^ cw[2 * i]!) + popcount32(b ^ cw[2 * i + 1]!);
    } else {
      for (let i = 0; i < n; i++) {
        let d = 0;
        const o = i * W;
        for (let w = 0; w < W; w++) d += popcount32(qw[qo + w]! ^ cw[o + w]!);
        dist[i] = d;
      }
    }
    return dist;
  }

  /** The top k of the scanned distances into out (at offset o), by (distance, index). */
  private rank(k: number, outI: Int32Array, outD: Int32Array, o: number): void {
    const n = this.codes.n, b = this.bits, dist = this.dist, count = this.count;
    count.fill(0);
    for (let i = 0; i < n; i++) count[dist[i]!]!++;
    // D: the distance at which the top k is complete; below it every item is in, at D the first by index
    let D = 0, before = 0;
    while (before + count[D]! < k) before += count[D++]!;
    // start of each distance's block (reusing count as positions)
    let pos = 0;
    for (let d = 0; d <= D; d++) {
      const c = count[d]!;
      count[d] = pos;
      pos += c;
    }
    for (let d = D + 1; d <= b; d++) count[d] = -1;
    for (let i = 0; i < n; i++) {
      const d = dist[i]!;
      if (d > D) continue;
      const p = count[d]!;
      if (p >= k) continue; // only at d = D: the block is full
      outI[o + p] = i;
      outD[o + p] = d;
      count[d] = p + 1;
    }
  }

  private checkK(k: number): void {
    if (!Number.isInteger(k) || k < 1 || k > this.codes.n) fail(`HammingIndex: k must be an integer in [1, ${this.codes.n}] (the number of items), got ${describeValue(k)}`);
  }

  /** The k nearest items to the query by Hamming distance, ties broken by index (a query item finds itself first). */
  search(query: HammingQuery, k: number): HammingHits {
    this.checkK(k);
    const q = this.queryWords(query);
    this.scan(q, 0);
    const indices = new Int32Array(k), distances = new Int32Array(k);
    this.rank(k, indices, distances, 0);
    return { indices, distances };
  }

  /** search() for every code of `queries` (codes of the same width): k items per query. */
  searchBatch(queries: BinaryCodes, k: number): HammingBatchHits {
    this.checkQueries(queries);
    this.checkK(k);
    const indices = new Int32Array(queries.n * k), distances = new Int32Array(queries.n * k);
    for (let q = 0; q < queries.n; q++) {
      this.scan(queries.words, q * this.words);
      this.rank(k, indices, distances, q * k);
    }
    return { k, indices, distances };
  }

  private checkQueries(queries: BinaryCodes): void {
    checkCodes(queries, "queries");
    if (queries.bits !== this.bits) fail(`queries have ${queries.bits} bits, but this index's codes have ${this.bits}`);
  }

  private checkRadius(r: number): void {
    if (!Number.isInteger(r) || r < 0) fail(`HammingIndex: the radius must be an integer >= 0, got ${describeValue(r)}`);
  }

  /** Every item within Hamming distance r of the query (the Hamming ball), nearest first, ties by index. */
  withinRadius(query: HammingQuery, r: number): HammingHits {
    this.checkRadius(r);
    this.scan(this.queryWords(query), 0);
    return this.ball(Math.min(r, this.bits));
  }

  /** withinRadius() for every code of `queries`. */
  withinRadiusBatch(queries: BinaryCodes, r: number): HammingBalls {
    this.checkQueries(queries);
    this.checkRadius(r);
    const offsets = new Int32Array(queries.n + 1);
    const parts: HammingHits[] = [];
    for (let q = 0; q < queries.n; q++) {
      this.scan(queries.words, q * this.words);
      const h = this.ball(Math.min(r, this.bits));
      parts.push(h);
      offsets[q + 1] = offsets[q]! + h.indices.length;
    }
    const indices = new Int32Array(offsets[queries.n]!), distances = new Int32Array(offsets[queries.n]!);
    parts.forEach((h, q) => {
      indices.set(h.indices, offsets[q]!);
      distances.set(h.distances, offsets[q]!);
    });
    return { offsets, indices, distances };
  }

  /** Items with scanned distance <= r, by (distance, index). */
  private ball(r: number): HammingHits {
    const n = this.codes.n, dist = this.dist, count = this.count;
    count.fill(0);
    for (let i = 0; i < n; i++) if (dist[i]! <= r) count[dist[i]!]!++;
    let pos = 0;
    for (let d = 0; d <= r; d++) {
      const c = count[d]!;
      count[d] = pos;
      pos += c;
    }
    const indices = new Int32Array(pos), distances = new Int32Array(pos);
    for (let i = 0; i < n; i++) {
      const d = dist[i]!;
      if (d > r) continue;
      const p = count[d]!++;
      indices[p] = i;
      distances[p] = d;
    }
    return { indices, distances };
  }

  /**
   * For one query, the number of items at each distance 0…bits, and (with `labels` and the query's label) how many
   * of those share the label: what the retrieval metrics need (src/metrics/retrieval.ts), in one scan.
   */
  distanceHistogram(queries: BinaryCodes, q: number, labels?: ArrayLike<unknown>, label?: unknown): { total: Int32Array; relevant: Int32Array } {
    const b = this.bits, n = this.codes.n;
    this.scan(queries.words, q * this.words);
    const total = new Int32Array(b + 1), relevant = new Int32Array(b + 1);
    const dist = this.dist;
    for (let i = 0; i < n; i++) {
      const d = dist[i]!;
      total[d]!++;
      if (labels && labels[i] === label) relevant[d]!++;
    }
    return { total, relevant };
  }

  /** Checks a set of query codes against this index (for the metrics). */
  checkQueryCodes(queries: BinaryCodes): void {
    this.checkQueries(queries);
  }
}

/** The median of each column of Z (the training codes' thresholds for medianThresholdCodes). */
export function medianThresholds(Z: MatrixLike): Float64Array {
  const M = toMatrix(Z, "Z", "float64");
  if (M.rows < 1) fail(`medianThresholds needs at least one row, got ${M.rows}x${M.cols}`);
  const out = new Float64Array(M.cols);
  const col = new Float64Array(M.rows);
  for (let j = 0; j < M.cols; j++) {
    for (let i = 0; i < M.rows; i++) col[i] = M.data[i * M.cols + j]!;
    col.sort();
    const h = M.rows >> 1;
    out[j] = M.rows % 2 ? col[h]! : 0.5 * (col[h - 1]! + col[h]!);
  }
  return out;
}

/**
 * Codes of a real embedding by thresholding each column at a median: the baseline of PCA or LSA codes. Fit the
 * thresholds on the training embedding (`medianThresholds(Ztrain)`, the default when none are given) and apply the
 * same ones to test data: `medianThresholdCodes(Ztest, medianThresholds(Ztrain))`.
 */
export function medianThresholdCodes(Z: MatrixLike, thresholds?: ArrayLike<number>): BinaryCodes {
  const M = toMatrix(Z, "Z", "float64");
  return packBits(M, thresholds ?? medianThresholds(M));
}

export interface RandomHyperplaneLSHOptions {
  /** Bits of the codes (hyperplanes). Default 64. */
  bits?: number;
  /** Hyperplanes through the training mean (true), or through the origin (false: the cosine of raw vectors). Default true. */
  center?: boolean;
  /** Seed of the hyperplanes. Default 0. */
  seed?: number;
}

export const RANDOM_HYPERPLANE_LSH_PARAMS = {
  bits: int("bits of the codes (random hyperplanes)", { min: 1, max: 65535, default: 64 }),
  center: bool("hyperplanes through the training mean (else through the origin)", { default: true }),
  seed: int("seed of the random hyperplanes", { default: 0 }),
} satisfies Schema<RandomHyperplaneLSHOptions>;

export type RandomHyperplaneLSHParams = ParamsOf<RandomHyperplaneLSHOptions, typeof RANDOM_HYPERPLANE_LSH_PARAMS>;

export interface RandomHyperplaneLSHJSON {
  type: "RandomHyperplaneLSH";
  version: 1;
  options: Record<string, unknown>;
  nFeatures: number;
  mean: number[];
  /** The hyperplanes' normals, bits x nFeatures, row-major. */
  planes: number[];
}

/**
 * Charikar's SimHash: bit j of x is the sign of w_j·(x − μ), w_j with i.i.d. standard normal entries and μ the
 * training mean (or 0). Two centred vectors at angle θ share a bit with probability 1 − θ/π, so the Hamming distance
 * over b bits estimates the angle: E[d] = b·θ/π. fit only learns μ and draws the planes; nothing else is fitted.
 */
export class RandomHyperplaneLSH implements Transformer<MatrixLike, Matrix, RandomHyperplaneLSHParams> {
  static readonly schema = RANDOM_HYPERPLANE_LSH_PARAMS;
  readonly options: RandomHyperplaneLSHParams;
  private mean_?: Float64Array;
  private planes_?: Matrix;

  constructor(options: RandomHyperplaneLSHOptions = {}) {
    this.options = resolveParams(RANDOM_HYPERPLANE_LSH_PARAMS, options, "RandomHyperplaneLSH");
  }

  getParams(): RandomHyperplaneLSHParams {
    return { ...this.options };
  }

  /** The centre of the hyperplanes (the training mean, or zeros with center false). */
  get mean(): Float64Array {
    return fitted(this.mean_, "RandomHyperplaneLSH");
  }

  /** The hyperplanes' normals, bits x nFeatures. */
  get planes(): Matrix {
    return fitted(this.planes_, "RandomHyperplaneLSH");
  }

  get nFeatures(): number {
    return this.planes.cols;
  }

  async fit(X: MatrixLike): Promise<this> {
    const M = toMatrix(X, "X", "float64");
    if (M.rows < 1 || M.cols < 1) fail(`RandomHyperplaneLSH needs at least one row and one column, got ${M.rows}x${M.cols}`);
    this.mean_ = this.options.center ? columnMeans(M) : new Float64Array(M.cols);
    const planes = Matrix.zeros(this.options.bits, M.cols, "float64");
    new Random(this.options.seed).fillNormal(planes.data);
    this.planes_ = planes;
    return this;
  }

  /** The projections (x − μ)·w_j, n x bits (the codes are their signs). */
  transform(X: MatrixLike): Matrix {
    const P = this.planes;
    const M = toMatrix(X, "X", "float64");
    checkFeatures(M, P.cols, "RandomHyperplaneLSH");
    const d = P.cols, b = P.rows, mu = this.mean;
    const out = Matrix.zeros(M.rows, b, "float64");
    const xc = new Float64Array(d);
    for (let i = 0; i < M.rows; i++) {
      for (let k = 0; k < d; k++) xc[k] = M.data[i * d + k]! - mu[k]!;
      for (let j = 0; j < b; j++) {
        let s = 0;
        const o = j * d;
        for (let k = 0; k < d; k++) s += xc[k]! * P.data[o + k]!;
        out.data[i * b + j] = s;
      }
    }
    return out;
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const M = toMatrix(X, "X", "float64");
    await this.fit(M);
    return this.transform(M);
  }

  /** The binary codes of X: bit j on when (x − μ)·w_j > 0. */
  codes(X: MatrixLike): BinaryCodes {
    return packBits(this.transform(X), 0);
  }

  toJSON(): RandomHyperplaneLSHJSON {
    return {
      type: "RandomHyperplaneLSH", version: 1, options: encodeParams(RANDOM_HYPERPLANE_LSH_PARAMS, this.options),
      nFeatures: this.nFeatures, mean: Array.from(this.mean), planes: Array.from(this.planes.data),
    };
  }

  static fromJSON(json: RandomHyperplaneLSHJSON): RandomHyperplaneLSH {
    checkSaved(json, "RandomHyperplaneLSH");
    const h = new RandomHyperplaneLSH(decodeParams(RANDOM_HYPERPLANE_LSH_PARAMS, json.options, "RandomHyperplaneLSH"));
    const mean = numbersFromJSON(json.mean, "RandomHyperplaneLSH.mean");
    const d = mean.length;
    if (d < 1) fail(`RandomHyperplaneLSH.mean: empty in the saved model`);
    if (json.nFeatures !== d) fail(`RandomHyperplaneLSH.nFeatures is ${describeValue(json.nFeatures)} but the saved mean has ${d} values`);
    const planes = numbersFromJSON(json.planes, "RandomHyperplaneLSH.planes", { length: h.options.bits * d, lengthOf: "bits x nFeatures" });
    h.mean_ = mean;
    h.planes_ = new Matrix(h.options.bits, d, planes);
    return h;
  }
}

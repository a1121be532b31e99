// Count-based word vectors (Levy, Goldberg & Dagan 2015): symmetric window co-occurrence counts, positive PMI with
// context-distribution smoothing and an optional shift, factorised by randomized SVD with eigenvalue weighting:
//   PMI(w, c) = log [ #(w,c) · Σ_c' #(c')^α / ( #(w) · #(c)^α ) ] − log(shift),   PPMI = max(PMI, 0),
//   PPMI ≈ U Σ Vᵀ,  W = U Σ^p (word vectors),  C = V Σ^p (context vectors).
import { describeValue, fail, requireInt } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, numbersFromJSON, matrixToJSON, type MatrixJSON, type Progress, type WordEmbedder } from "../core/estimator.js";
import { Matrix } from "../core/matrix.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { randomizedSVD } from "../linalg/randomized.js";
import { CsrMatrix } from "../linalg/sparse.js";
import type { Sentences } from "./sentences.js";
import { KeyedVectors } from "./keyed-vectors.js";
import { checkSentences, Vocabulary, type VocabularyJSON } from "./vocabulary.js";

export interface CooccurrenceOptions {
  /** Words on each side counted as context (default 5). */
  window?: number;
  /** "uniform" (default) or "harmonic": a context at distance d counts 1/d (as GloVe). */
  weighting?: "uniform" | "harmonic";
  minCount?: number;
  maxVocabulary?: number;
}

/** Symmetric window co-occurrence counts over encoded sentences, as a CSR matrix (vocabulary x vocabulary). */
export function cooccurrenceCounts(ids: Int32Array, starts: Int32Array, vocabSize: number, options: CooccurrenceOptions = {}): CsrMatrix {
  const window = options.window ?? 5;
  requireInt("window", window, 1);
  const weighting = options.weighting ?? "uniform";
  if (weighting !== "uniform" && weighting !== "harmonic") fail(`weighting must be "uniform" or "harmonic", got ${describeValue(weighting)}`);
  const table = new PairTable(vocabSize);
  for (let s = 0; s + 1 < starts.length; s++) {
    const a = starts[s]!;
    const b = starts[s + 1]!;
    for (let i = a; i < b; i++) {
      const wi = ids[i]!;
      const end = Math.min(b, i + window + 1);
      for (let j = i + 1; j < end; j++) {
        const w = weighting === "harmonic" ? 1 / (j - i) : 1;
        const wj = ids[j]!;
        // counted once per unordered pair here and mirrored when the matrix is built
        if (wi <= wj) table.add(wi, wj, w);
        else table.add(wj, wi, w);
      }
    }
  }
  return table.toSymmetricCsr();
}

/** Open-addressing hash table of (row ≤ col) pair weights. */
class PairTable {
  private keys: Float64Array;
  private vals: Float64Array;
  private used = 0;
  constructor(private readonly n: number, capacity = 1 << 16) {
    this.keys = new Float64Array(capacity).fill(-1);
    this.vals = new Float64Array(capacity);
  }
  add(a: number, b: number, w: number): void {
    if (2 * (this.used + 1) > this.keys.length) this.rehash();
    const key = a * this.n + b;
    const mask = this.keys.length - 1;
    let h = hash(key) & mask;
    for (;;) {
      const k = this.keys[h]!;
      if (k === key) {
        this.vals[h]! += w;
        return;
      }
      if (k === -1) {
        this.keys[h] = key;
        this.vals[h] = w;
        this.used++;
        return;
      }
      h = (h + 1) & mask;
    }
  }
  private rehash(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    this.keys = new Float64Array(oldK.length * 2).fill(-1);
    this.vals = new Float64Array(oldK.length * 2);
    this.used = 0;
    for (let t = 0; t < oldK.length; t++) {
      const k = oldK[t]!;
      if (k === -1) continue;
      const a = Math.floor(k / this.n);
      this.add(a, k - a * this.n, oldV[t]!);
    }
  }
  toSymmetricCsr(): CsrMatrix {
    const n = this.n;
    const K = this.keys;
    const rows = new Int32Array(2 * this.used);
    const cols = new Int32Array(2 * this.used);
    const vals = new Float64Array(2 * this.used);
    let m = 0;
    for (let t = 0; t < K.length; t++) {
      const k = K[t]!;
      if (k === -1) continue;
      const a = Math.floor(k / n);
      const b = k - a * n;
      rows[m] = a;
      cols[m] = b;
      vals[m++] = this.vals[t]!;
      if (a !== b) {
        rows[m] = b;
        cols[m] = a;
        vals[m++] = this.vals[t]!;
      }
    }
    return CsrMatrix.fromTriplets(n, n, rows.subarray(0, m), cols.subarray(0, m), vals.subarray(0, m));
  }
}

function hash(key: number): number {
  // mix the (exact integer) key's low and high 32-bit halves
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface PpmiOptions {
  /** Context-distribution smoothing exponent α (default 0.75; 1 = none). */
  alpha?: number;
  /** Shift k: PMI − log k (default 1 = no shift). */
  shift?: number;
}

/** Positive PMI of a co-occurrence matrix (rows: words, columns: contexts), as CSR with only the positive cells. */
export function ppmi(counts: CsrMatrix, options: PpmiOptions = {}): CsrMatrix {
  const alpha = options.alpha ?? 0.75;
  const shift = options.shift ?? 1;
  if (!(alpha > 0 && alpha <= 1)) fail(`alpha must be in (0, 1], got ${describeValue(alpha)}`);
  if (!(shift >= 1)) fail(`shift must be >= 1, got ${describeValue(shift)}`);
  const { indptr, indices, data } = counts;
  const rowSum = new Float64Array(counts.rows);
  const colSum = new Float64Array(counts.cols);
  let total = 0;
  for (let i = 0; i < counts.rows; i++) {
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
      rowSum[i]! += data[p]!;
      colSum[indices[p]!]! += data[p]!;
      total += data[p]!;
    }
  }
  if (total === 0) fail("the co-occurrence matrix is empty (no word has a context within the window)");
  let colAlphaSum = 0;
  const colAlpha = Float64Array.from(colSum, (c) => {
    const v = c ** alpha;
    colAlphaSum += v;
    return v;
  });
  const logShift = Math.log(shift);
  const outPtr = new Int32Array(counts.rows + 1);
  const outIdx: number[] = [];
  const outVal: number[] = [];
  for (let i = 0; i < counts.rows; i++) {
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
      const c = indices[p]!;
      // P(w,c) / (P(w) P_α(c)) = (#wc / N) / ((#w / N) (#c^α / Σ#c'^α))
      const pmi = Math.log((data[p]! * colAlphaSum) / (rowSum[i]! * colAlpha[c]!)) - logShift;
      if (pmi > 0) {
        outIdx.push(c);
        outVal.push(pmi);
      }
    }
    outPtr[i + 1] = outIdx.length;
  }
  return new CsrMatrix(counts.rows, counts.cols, outPtr, Int32Array.from(outIdx), Float64Array.from(outVal));
}

export interface CooccurrenceEmbeddingOptions extends CooccurrenceOptions, PpmiOptions {
  /** Vector dimensions (default 100). */
  dim?: number;
  /** Eigenvalue weighting p in W = U Σ^p (default 0.5; 1 = classic SVD, 0 = U alone). */
  eigenWeight?: number;
  nIter?: number;
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export const COOCCURRENCE_EMBEDDING_PARAMS = {
  window: int("words on each side counted as context", { min: 1, default: 5 }),
  weighting: choice(["uniform", "harmonic"], "uniform, or harmonic: a context at distance d counts 1/d (as GloVe)", { default: "uniform" }),
  minCount: int("drop words seen fewer times", { min: 1, default: 1 }),
  maxVocabulary: int("keep at most this many of the most frequent words", { min: 1 }),
  alpha: num("context-distribution smoothing exponent (1 = none)", { gt: 0, max: 1, default: 0.75 }),
  shift: num("shift k: PMI - log k (1 = no shift)", { min: 1, default: 1 }),
  dim: int("vector dimensions", { min: 1, default: 100 }),
  eigenWeight: num("eigenvalue weighting p in W = U Σ^p", { min: 0, max: 1, default: 0.5 }),
  nIter: int("power iterations of the randomized SVD", { min: 0, default: 5 }),
  seed: int("seed of the randomized SVD", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after each step of the randomized SVD"),
  signal: signal(),
} satisfies Schema<CooccurrenceEmbeddingOptions>;

export type CooccurrenceEmbeddingParams = ParamsOf<CooccurrenceEmbeddingOptions, typeof COOCCURRENCE_EMBEDDING_PARAMS>;

export interface CooccurrenceEmbeddingJSON {
  type: "CooccurrenceEmbedding";
  version: 1;
  options: Record<string, unknown>;
  vocabulary: VocabularyJSON;
  words: MatrixJSON;
  contexts: MatrixJSON;
  singularValues: number[];
}

export class CooccurrenceEmbedding implements WordEmbedder<Sentences, CooccurrenceEmbeddingParams> {
  static readonly schema = COOCCURRENCE_EMBEDDING_PARAMS;
  readonly options: CooccurrenceEmbeddingParams;
  private vocab_?: Vocabulary;
  private W_?: Matrix;
  private C_?: Matrix;
  private S_?: Float64Array;
  private ppmi_?: CsrMatrix;

  constructor(options: CooccurrenceEmbeddingOptions = {}) {
    this.options = resolveParams(COOCCURRENCE_EMBEDDING_PARAMS, options, "CooccurrenceEmbedding");
  }

  getParams(): CooccurrenceEmbeddingParams {
    return { ...this.options };
  }

  get vocabulary(): Vocabulary {
    return fitted(this.vocab_, "CooccurrenceEmbedding");
  }
  /** Word vectors W = U Σ^p (vocabulary x dim). */
  get wordMatrix(): Matrix {
    return fitted(this.W_, "CooccurrenceEmbedding");
  }
  /** Context vectors C = V Σ^p. */
  get contextMatrix(): Matrix {
    return fitted(this.C_, "CooccurrenceEmbedding");
  }
  get singularValues(): Float64Array {
    return fitted(this.S_, "CooccurrenceEmbedding");
  }
  /** The PPMI matrix of the last fit (not saved). */
  get ppmiMatrix(): CsrMatrix {
    return fitted(this.ppmi_, "CooccurrenceEmbedding");
  }

  /** Word vectors as "w" (W), "c" (C) or "w+c" (their sum). */
  vectors(which: "w" | "c" | "w+c" = "w"): KeyedVectors {
    const W = this.wordMatrix;
    const C = this.contextMatrix;
    let M: Matrix;
    if (which === "w") M = W;
    else if (which === "c") M = C;
    else if (which === "w+c") {
      M = W.clone();
      for (let t = 0; t < M.data.length; t++) M.data[t]! += C.data[t]!;
    } else fail(`which must be "w", "c" or "w+c", got ${describeValue(which)}`);
    return new KeyedVectors(this.vocabulary.words, M, this.vocabulary.counts);
  }

  async fit(sentences: Sentences): Promise<this> {
    checkSentences(sentences);
    const o = this.options;
    const vocab = await Vocabulary.build(sentences, { minCount: o.minCount, ...(o.maxVocabulary ? { maxSize: o.maxVocabulary } : {}) });
    const { ids, starts } = await vocab.encode(sentences);
    const counts = cooccurrenceCounts(ids, starts, vocab.size, o);
    const P = ppmi(counts, o);
    const dim = o.dim;
    if (dim > vocab.size) fail(`dim=${dim} must be <= the vocabulary size ${vocab.size}`);
    const res = await randomizedSVD(P, dim, {
      nIter: o.nIter, seed: o.seed,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}),
    });
    const p = o.eigenWeight;
    const V = vocab.size;
    const W = Matrix.zeros(V, dim, "float32");
    const C = Matrix.zeros(V, dim, "float32");
    for (let c = 0; c < dim; c++) {
      const s = res.S[c]! ** p;
      for (let i = 0; i < V; i++) {
        W.data[i * dim + c] = res.U.data[i * res.U.cols + c]! * s;
        C.data[i * dim + c] = res.Vt.data[c * V + i]! * s;
      }
    }
    this.vocab_ = vocab;
    this.W_ = W;
    this.C_ = C;
    this.S_ = res.S.slice(0, dim);
    this.ppmi_ = P;
    return this;
  }

  toJSON(): CooccurrenceEmbeddingJSON {
    return {
      type: "CooccurrenceEmbedding", version: 1,
      options: encodeParams(COOCCURRENCE_EMBEDDING_PARAMS, this.options),
      vocabulary: this.vocabulary.toJSON(), words: matrixToJSON(this.wordMatrix), contexts: matrixToJSON(this.contextMatrix),
      singularValues: Array.from(this.singularValues),
    };
  }

  static fromJSON(json: CooccurrenceEmbeddingJSON): CooccurrenceEmbedding {
    checkSaved(json, "CooccurrenceEmbedding");
    const e = new CooccurrenceEmbedding(decodeParams(COOCCURRENCE_EMBEDDING_PARAMS, json.options, "CooccurrenceEmbedding"));
    e.vocab_ = Vocabulary.fromJSON(json.vocabulary);
    e.W_ = matrixFromJSON(json.words, "CooccurrenceEmbedding.words", { rows: e.vocab_.size });
    e.C_ = matrixFromJSON(json.contexts, "CooccurrenceEmbedding.contexts", { rows: e.vocab_.size, cols: e.W_.cols });
    e.S_ = numbersFromJSON(json.singularValues, "CooccurrenceEmbedding.singularValues", { min: 0 });
    return e;
  }
}

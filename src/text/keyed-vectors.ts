// Word vectors keyed by word: cosine similarity, nearest words, analogies (3CosAdd and 3CosMul, Levy & Goldberg
// 2014), the odd one out, and sentence/document vectors.
import { describeValue, fail, requireInt } from "../core/errors.js";
import { matmul } from "../core/gemm.js";
import { Matrix } from "../core/matrix.js";
import { topK } from "../core/numeric.js";
import { svd } from "../linalg/svd.js";

export interface WordScore {
  word: string;
  score: number;
}

export interface DocumentVectorOptions {
  /** "mean" (default): the mean of the word vectors; "principal": the first principal direction of the document's
   *  word-vector matrix (its top right singular vector, sign matched to the mean, scaled by σ₁/√words). */
  method?: "mean" | "principal";
  /** Remove this many common components: the top principal directions of all the document vectors (default 0;
   *  1 is Arora et al.'s "common component removal"). */
  removeComponents?: number;
}

export class KeyedVectors {
  readonly words: readonly string[];
  /** The vectors, one row per word (float32). */
  readonly vectors: Matrix;
  /** Corpus counts of the words, when known. */
  readonly counts: Float64Array | null;
  private readonly index: Map<string, number>;
  private unit_?: Matrix;

  constructor(words: readonly string[], vectors: Matrix, counts?: ArrayLike<number> | null) {
    if (words.length !== vectors.rows) fail(`${words.length} words but ${vectors.rows} vectors`);
    this.words = words;
    this.vectors = vectors.dtype === "float32" ? vectors : vectors.astype("float32");
    // a NaN or infinite coordinate would leave the word out of every neighbour list (its similarities are NaN)
    const d = this.vectors.data;
    const dim = vectors.cols;
    for (let t = 0; t < d.length; t++) {
      if (!Number.isFinite(d[t]!)) {
        const r = Math.floor(t / dim);
        fail(`the vector of ${JSON.stringify(words[r])} (row ${r}) has ${describeValue(d[t])} at dimension ${t - r * dim + 1}: word vectors must be finite`);
      }
    }
    this.counts = counts ? Float64Array.from(counts) : null;
    this.index = new Map();
    words.forEach((w, i) => {
      if (this.index.has(w)) fail(`word ${JSON.stringify(w)} appears twice`);
      this.index.set(w, i);
    });
  }

  get size(): number {
    return this.words.length;
  }
  get dim(): number {
    return this.vectors.cols;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** Row of a word; a clear error when it is unknown. */
  indexOf(word: string): number {
    const i = this.index.get(word);
    if (i === undefined) fail(`word ${JSON.stringify(word)} is not in the vocabulary (${this.size} words)`);
    return i;
  }

  /** A copy of the word's vector. */
  get(word: string): Float32Array {
    const i = this.indexOf(word);
    return this.vectors.data.slice(i * this.dim, (i + 1) * this.dim) as Float32Array;
  }

  /** Unit-length rows (zero rows stay zero), computed once. */
  get unitVectors(): Matrix {
    if (!this.unit_) {
      const U = this.vectors.clone();
      const d = this.dim;
      for (let i = 0; i < U.rows; i++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += U.data[i * d + c]! ** 2;
        const f = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let c = 0; c < d; c++) U.data[i * d + c]! *= f;
      }
      this.unit_ = U;
    }
    return this.unit_;
  }

  /** Cosine similarity of two words. */
  similarity(a: string, b: string): number {
    const U = this.unitVectors;
    const i = this.indexOf(a) * this.dim;
    const j = this.indexOf(b) * this.dim;
    let s = 0;
    for (let c = 0; c < this.dim; c++) s += U.data[i + c]! * U.data[j + c]!;
    return s;
  }

  /** Cosine similarity of every word to a vector (not normalised). */
  private cosines(v: ArrayLike<number>): Float64Array {
    if (v.length !== this.dim) fail(`vector has ${v.length} dimensions, expected ${this.dim}`);
    let n = 0;
    for (let c = 0; c < this.dim; c++) n += v[c]! * v[c]!;
    const U = this.unitVectors;
    const q = new Matrix(this.dim, 1, Float32Array.from(v, (x) => x / (Math.sqrt(n) || 1)));
    return Float64Array.from(matmul(U, q).data);
  }

  /**
   * The words nearest to the mean of the unit vectors of `positive` minus those of `negative` (3CosAdd; as gensim's
   * most_similar). A raw vector may be given instead of words. Input words are left out of the answer.
   */
  mostSimilar(positive: string | readonly string[] | ArrayLike<number>, negative: readonly string[] = [], topn = 10): WordScore[] {
    requireInt("topn", topn, 1);
    const exclude = new Set<number>();
    let target: Float64Array;
    if (typeof positive === "string" || (Array.isArray(positive) && positive.every((p) => typeof p === "string"))) {
      const pos = typeof positive === "string" ? [positive] : (positive as readonly string[]);
      if (pos.length + negative.length === 0) fail("mostSimilar needs at least one word");
      target = new Float64Array(this.dim);
      const U = this.unitVectors;
      for (const [list, sign] of [[pos, 1], [negative, -1]] as const) {
        for (const w of list) {
          const i = this.indexOf(w);
          exclude.add(i);
          for (let c = 0; c < this.dim; c++) target[c]! += sign * U.data[i * this.dim + c]!;
        }
      }
    } else {
      target = Float64Array.from(positive as ArrayLike<number>);
      for (const w of negative) {
        const i = this.indexOf(w);
        exclude.add(i);
        for (let c = 0; c < this.dim; c++) target[c]! -= this.unitVectors.data[i * this.dim + c]!;
      }
    }
    return this.best(this.cosines(target), topn, exclude);
  }

  /** 3CosMul: argmax_x Π cos'(x, pos) / (Π cos'(x, neg) + ε) with cos' = (1 + cos)/2 (as gensim's most_similar_cosmul). */
  mostSimilarCosmul(positive: readonly string[], negative: readonly string[] = [], topn = 10): WordScore[] {
    requireInt("topn", topn, 1);
    if (positive.length + negative.length === 0) fail("mostSimilarCosmul needs at least one word");
    const exclude = new Set<number>();
    const U = this.unitVectors;
    const score = new Float64Array(this.size).fill(1);
    const denom = new Float64Array(this.size).fill(1);
    for (const [list, into] of [[positive, score], [negative, denom]] as const) {
      for (const w of list) {
        const i = this.indexOf(w);
        exclude.add(i);
        const cos = this.cosines(U.data.subarray(i * this.dim, (i + 1) * this.dim));
        for (let t = 0; t < this.size; t++) into[t]! *= (1 + cos[t]!) / 2;
      }
    }
    for (let t = 0; t < this.size; t++) score[t]! /= denom[t]! + 1e-6;
    return this.best(score, topn, exclude);
  }

  /** a is to b as c is to ?: the best answers by 3CosAdd ("add", default) or 3CosMul ("mul"). */
  analogy(a: string, b: string, c: string, opts: { method?: "add" | "mul"; topn?: number } = {}): WordScore[] {
    const method = opts.method ?? "add";
    if (method !== "add" && method !== "mul") fail(`method must be "add" or "mul", got ${describeValue(method)}`);
    return method === "add" ? this.mostSimilar([b, c], [a], opts.topn ?? 1) : this.mostSimilarCosmul([b, c], [a], opts.topn ?? 1);
  }

  /** The word least similar to the mean of the group's unit vectors. */
  doesntMatch(words: readonly string[]): string {
    const known = words.filter((w) => this.has(w));
    if (known.length < 2) fail(`doesntMatch needs at least two known words, got ${JSON.stringify(words)}`);
    const U = this.unitVectors;
    const mean = new Float64Array(this.dim);
    for (const w of known) {
      const i = this.indexOf(w);
      for (let c = 0; c < this.dim; c++) mean[c]! += U.data[i * this.dim + c]! / known.length;
    }
    let worst = known[0]!;
    let worstScore = Infinity;
    for (const w of known) {
      const i = this.indexOf(w);
      let s = 0;
      for (let c = 0; c < this.dim; c++) s += U.data[i * this.dim + c]! * mean[c]!;
      if (s < worstScore) {
        worstScore = s;
        worst = w;
      }
    }
    return worst;
  }

  /** Document vectors for token lists (unknown words skipped; a document with none gets a zero vector). */
  documentVectors(docs: readonly (readonly string[])[], opts: DocumentVectorOptions = {}): Matrix {
    const method = opts.method ?? "mean";
    if (method !== "mean" && method !== "principal") fail(`method must be "mean" or "principal", got ${describeValue(method)}`);
    const remove = opts.removeComponents ?? 0;
    requireInt("removeComponents", remove, 0);
    const d = this.dim;
    const out = Matrix.zeros(docs.length, d, "float32");
    const V = this.vectors.data;
    docs.forEach((doc, r) => {
      const rows = doc.map((w) => this.index.get(w)).filter((i): i is number => i !== undefined);
      if (rows.length === 0) return;
      const mean = new Float64Array(d);
      for (const i of rows) for (let c = 0; c < d; c++) mean[c]! += V[i * d + c]! / rows.length;
      if (method === "mean" || rows.length === 1) {
        for (let c = 0; c < d; c++) out.data[r * d + c] = mean[c]!;
        return;
      }
      const M = Matrix.zeros(rows.length, d, "float64");
      rows.forEach((i, t) => {
        for (let c = 0; c < d; c++) M.data[t * d + c] = V[i * d + c]!;
      });
      const res = svd(M, { computeU: false });
      let dot = 0;
      for (let c = 0; c < d; c++) dot += res.Vt.data[c]! * mean[c]!;
      const f = (dot < 0 ? -1 : 1) * res.S[0]! / Math.sqrt(rows.length);
      for (let c = 0; c < d; c++) out.data[r * d + c] = res.Vt.data[c]! * f;
    });
    if (remove > 0) removeCommonComponents(out, remove);
    return out;
  }

  private best(scores: Float64Array, topn: number, exclude: Set<number>): WordScore[] {
    return topK(scores, Math.min(topn, this.size - exclude.size), (t) => exclude.has(t))
      .map((i) => ({ word: this.words[i]!, score: scores[i]! }));
  }

  /** The vectors of the first n words (the most frequent, when built from a corpus). */
  restrict(n: number): KeyedVectors {
    requireInt("n", n, 1);
    const m = Math.min(n, this.size);
    return new KeyedVectors(this.words.slice(0, m), this.vectors.rowRange(0, m), this.counts?.slice(0, m) ?? null);
  }
}

/** Subtracts from every row its projection on the top `k` principal directions (uncentred) of the rows. */
export function removeCommonComponents(X: Matrix, k: number): void {
  const d = X.cols;
  const r = Math.min(k, X.rows, d);
  if (r === 0) return;
  const res = svd(X.astype("float64"), { computeU: false });
  for (let c = 0; c < r; c++) {
    const u = res.Vt.data.subarray(c * d, (c + 1) * d);
    for (let i = 0; i < X.rows; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += X.data[i * d + t]! * u[t]!;
      for (let t = 0; t < d; t++) X.data[i * d + t]! -= s * u[t]!;
    }
  }
}

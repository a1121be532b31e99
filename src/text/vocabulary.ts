// A vocabulary: the words kept (by minimum count and maximum size), most frequent first (ties alphabetical), with
// their corpus counts, and a corpus encoder to word ids.
import { describeValue, fail } from "../core/errors.js";
import { numberFromJSON, numbersFromJSON } from "../core/estimator.js";
import { int, resolveParams, type Schema } from "../core/params.js";
import { iterate, type Sentences } from "./sentences.js";

export interface VocabularyOptions {
  /** Drop words seen fewer times (default 1). */
  minCount?: number;
  /** Keep at most this many of the most frequent words (default: all). */
  maxSize?: number;
}

export const VOCABULARY_PARAMS = {
  minCount: int("drop words seen fewer times", { min: 1, default: 1 }),
  maxSize: int("keep at most this many of the most frequent words (default: all)", { min: 1 }),
} satisfies Schema<VocabularyOptions>;

/**
 * Throws a clear error unless `sentences` is sentences of tokens: a string (a whole text) or a list of strings (texts
 * not yet tokenised) is refused with a hint, since iterating either would train on characters. Checks the first
 * sentence of an in-memory list; streamed corpora are checked sentence by sentence as they are read.
 */
export function checkSentences(sentences: unknown): void {
  const hint = "expected sentences of tokens (string[][], or a TextCorpus); tokenise text first, e.g. with new Tokenizer().tokenize(line)";
  if (typeof sentences === "string") fail(`sentences must be a list of token lists, got a string ${describeValue(sentences)}: ${hint}`);
  if (sentences === null || typeof sentences !== "object" || !(Symbol.iterator in sentences || Symbol.asyncIterator in sentences)) {
    fail(`sentences must be an iterable of token lists, got ${describeValue(sentences)}: ${hint}`);
  }
  if (Array.isArray(sentences) && sentences.length > 0) checkSentence(sentences[0], 0);
}

function checkSentence(s: unknown, i: number): void {
  if (typeof s === "string") fail(`sentence ${i} is a string ${describeValue(s)}, not a list of tokens: tokenise text first, e.g. with new Tokenizer().tokenize(line)`);
  if (s === null || typeof s !== "object" || !(Symbol.iterator in s)) fail(`sentence ${i} must be a list of tokens, got ${describeValue(s)}`);
}

export interface VocabularyJSON {
  type: "Vocabulary";
  version: 1;
  words: string[];
  counts: number[];
  /** Tokens in the corpus the vocabulary was built from (kept or not). */
  totalTokens: number;
}

export class Vocabulary {
  readonly words: readonly string[];
  readonly counts: Float64Array;
  readonly totalTokens: number;
  private readonly index: Map<string, number>;

  constructor(words: readonly string[], counts: ArrayLike<number>, totalTokens?: number) {
    if (words.length !== counts.length) fail(`vocabulary has ${words.length} words but ${counts.length} counts`);
    this.words = words;
    this.counts = Float64Array.from(counts);
    this.index = new Map(words.map((w, i) => [w, i]));
    if (this.index.size !== words.length) fail("vocabulary words must be distinct");
    this.totalTokens = totalTokens ?? this.counts.reduce((a, b) => a + b, 0);
  }

  /** Counts every token of the sentences and keeps the words that pass the limits. */
  static async build(sentences: Sentences, options: VocabularyOptions = {}): Promise<Vocabulary> {
    const o = resolveParams(VOCABULARY_PARAMS, options, "Vocabulary");
    const minCount = o.minCount;
    const maxSize = o.maxSize ?? Infinity;
    const counts = new Map<string, number>();
    let total = 0;
    let docs = 0;
    checkSentences(sentences);
    for await (const s of iterate(sentences)) {
      checkSentence(s, docs);
      docs++;
      for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
      total += s.length;
    }
    if (total === 0) fail(`the corpus is empty: ${docs} documents and no tokens`);
    return Vocabulary.fromCounts(counts, { minCount, maxSize }, total);
  }

  static fromCounts(counts: Map<string, number>, options: VocabularyOptions = {}, totalTokens?: number): Vocabulary {
    const minCount = options.minCount ?? 1;
    const maxSize = options.maxSize ?? Infinity;
    const kept = [...counts].filter(([, c]) => c >= minCount);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (kept.length === 0) {
      const max = Math.max(0, ...counts.values());
      fail(`the vocabulary is empty: no word occurs at least minCount=${minCount} times (the most frequent occurs ${max} times)`);
    }
    const top = kept.slice(0, Math.min(kept.length, maxSize));
    return new Vocabulary(top.map((x) => x[0]), top.map((x) => x[1]), totalTokens);
  }

  get size(): number {
    return this.words.length;
  }

  /** The word's id, or -1 when it is not in the vocabulary. */
  id(word: string): number {
    return this.index.get(word) ?? -1;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The word's id; a clear error for unknown words. */
  require(word: string): number {
    const i = this.index.get(word);
    if (i === undefined) fail(`word ${JSON.stringify(word)} is not in the vocabulary (${this.size} words)`);
    return i;
  }

  /** Encodes sentences to one Int32Array of ids (unknown words dropped) and sentence start offsets. */
  async encode(sentences: Sentences): Promise<{ ids: Int32Array; starts: Int32Array }> {
    let ids = new Int32Array(1 << 16);
    let n = 0;
    const starts: number[] = [];
    for await (const s of iterate(sentences)) {
      starts.push(n);
      for (const w of s) {
        const i = this.index.get(w);
        if (i === undefined) continue;
        if (n === ids.length) {
          const bigger = new Int32Array(ids.length * 2);
          bigger.set(ids);
          ids = bigger;
        }
        ids[n++] = i;
      }
    }
    starts.push(n);
    return { ids: ids.slice(0, n), starts: Int32Array.from(starts) };
  }

  toJSON(): VocabularyJSON {
    return { type: "Vocabulary", version: 1, words: [...this.words], counts: Array.from(this.counts), totalTokens: this.totalTokens };
  }

  static fromJSON(json: VocabularyJSON): Vocabulary {
    if (json?.type !== "Vocabulary") fail(`not a saved Vocabulary (type ${describeValue(json?.type)})`);
    if (!Array.isArray(json.words) || !json.words.every((w) => typeof w === "string")) fail("Vocabulary.words: expected an array of strings in the saved model");
    const counts = numbersFromJSON(json.counts, "Vocabulary.counts", { length: json.words.length, lengthOf: "one per word", min: 0 });
    const total = json.totalTokens === undefined ? undefined : numberFromJSON(json.totalTokens, "Vocabulary.totalTokens", { min: 0 });
    return new Vocabulary(json.words, counts, total);
  }
}

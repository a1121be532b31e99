// Intrinsic evaluation of word vectors, as gensim's evaluate_word_pairs and evaluate_word_analogies: Spearman's ρ
// between cosine similarities and human scores on a TSV of word pairs, and analogy accuracy on the
// questions-words.txt format (": section" headers, then "a b c d" lines: a is to b as c is to d).
// These take the file's text (`source` names it in messages); evaluateWordPairs and evaluateAnalogies in
// io/evaluate.ts read it from a path.
import { fail } from "../core/errors.js";
import type { KeyedVectors } from "./keyed-vectors.js";

/** Average ranks (1-based, ties share their mean rank). */
export function ranks(values: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const r = new Float64Array(values.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && values[idx[e + 1]!] === values[idx[s]!]) e++;
    const mean = (s + e) / 2 + 1;
    for (let t = s; t <= e; t++) r[idx[t]!] = mean;
    s = e + 1;
  }
  return r;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]! / n;
    my += y[i]! / n;
  }
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

/**
 * How test words find vocabulary words. Case-sensitive: exactly. Otherwise as gensim's case_insensitive (its
 * default): by upper-cased form, the most frequent (first) vocabulary word of each form standing for it.
 */
function wordLookup(kv: KeyedVectors, caseSensitive: boolean | undefined): (w: string) => string | undefined {
  if (caseSensitive) return (w) => (kv.has(w) ? w : undefined);
  const byUpper = new Map<string, string>();
  for (const w of kv.words) {
    const u = w.toUpperCase();
    if (!byUpper.has(u)) byUpper.set(u, w);
  }
  return (w) => byUpper.get(w.toUpperCase());
}

export interface WordPairsOptions {
  caseSensitive?: boolean;
  delimiter?: string;
}

export interface WordPairsResult {
  spearman: number;
  pearson: number;
  /** Pairs scored (both words known). */
  pairs: number;
  /** Pairs skipped for an unknown word, and their share of all pairs. */
  skipped: number;
  oovRatio: number;
}

/**
 * Spearman (and Pearson) correlation of cosine similarity with the scores of a TSV file: "word1 <tab> word2 <tab>
 * score" per line (lines starting with # are comments). Words match the vocabulary case-insensitively (as gensim)
 * unless `caseSensitive`; pairs with a word the vocabulary lacks are counted in `skipped`.
 */
export function evaluateWordPairsText(kv: KeyedVectors, text: string, opts: WordPairsOptions = {}, source = "word pairs"): WordPairsResult {
  const sims: number[] = [];
  const gold: number[] = [];
  let skipped = 0;
  const lookup = wordLookup(kv, opts.caseSensitive);
  text.split("\n").forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith("#")) return;
    const parts = l.split(opts.delimiter ?? "\t");
    if (parts.length < 3) fail(`${source}: line ${i + 1} has ${parts.length} fields, expected word1, word2 and a score`);
    const a = lookup(parts[0]!.trim());
    const b = lookup(parts[1]!.trim());
    const score = Number(parts[2]);
    if (!Number.isFinite(score) || parts[2]!.trim() === "") fail(`${source}: line ${i + 1}: score ${JSON.stringify(parts[2])} is not a number`);
    if (a === undefined || b === undefined) {
      skipped++;
      return;
    }
    sims.push(kv.similarity(a, b));
    gold.push(score);
  });
  if (sims.length < 2) fail(`${source}: fewer than two pairs have both words in the vocabulary (${skipped} skipped)`);
  return { spearman: spearman(sims, gold), pearson: pearson(sims, gold), pairs: sims.length, skipped, oovRatio: skipped / (skipped + sims.length) };
}

export interface AnalogySection {
  name: string;
  correct: number;
  total: number;
}

export interface AnalogiesOptions {
  method?: "add" | "mul";
  restrictVocab?: number;
  caseSensitive?: boolean;
}

export interface AnalogiesResult {
  /** Correct answers over the questions whose four words are all known (as gensim). */
  accuracy: number;
  correct: number;
  total: number;
  skipped: number;
  sections: AnalogySection[];
}

/**
 * Analogy accuracy on the questions-words.txt format: for "a b c d", the answer to a : b :: c : ? (3CosAdd, or
 * 3CosMul with method "mul") among the `restrictVocab` most frequent words, excluding a, b and c, must be d.
 */
export function evaluateAnalogiesText(kv: KeyedVectors, text: string, opts: AnalogiesOptions = {}, source = "analogies"): AnalogiesResult {
  const vocab = opts.restrictVocab ? kv.restrict(opts.restrictVocab) : kv;
  const sections: AnalogySection[] = [];
  let current: AnalogySection | null = null;
  let skipped = 0;
  const lookup = wordLookup(vocab, opts.caseSensitive);
  text.split("\n").forEach((line, i) => {
    const l = line.trim();
    if (!l) return;
    if (l.startsWith(":")) {
      current = { name: l.slice(1).trim(), correct: 0, total: 0 };
      sections.push(current);
      return;
    }
    const w = l.split(/\s+/);
    if (w.length !== 4) fail(`${source}: line ${i + 1} has ${w.length} words, expected 4`);
    if (!current) {
      current = { name: "(no section)", correct: 0, total: 0 };
      sections.push(current);
    }
    const found = w.map(lookup);
    if (found.some((x) => x === undefined)) {
      skipped++;
      return;
    }
    const [a, b, c, d] = found as [string, string, string, string];
    // as gensim: the best answer that is none of the question's words (in any case)
    const same = (x: string, y: string): boolean => (opts.caseSensitive ? x === y : x.toUpperCase() === y.toUpperCase());
    const best = vocab.analogy(a, b, c, { method: opts.method ?? "add", topn: 5 }).find((h) => !same(h.word, a) && !same(h.word, b) && !same(h.word, c));
    current.total++;
    if (best && same(best.word, d)) current.correct++;
  });
  const correct = sections.reduce((s, x) => s + x.correct, 0);
  const total = sections.reduce((s, x) => s + x.total, 0);
  return { accuracy: total ? correct / total : 0, correct, total, skipped, sections };
}

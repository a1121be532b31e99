// Word-vector evaluation from files (plain or gzipped): the scoring is text/evaluate.ts, re-exported here.
import type { KeyedVectors } from "../text/keyed-vectors.js";
import {
  evaluateAnalogiesText, evaluateWordPairsText, pearson, ranks, spearman,
  type AnalogiesOptions, type AnalogiesResult, type WordPairsOptions, type WordPairsResult,
} from "../text/evaluate.js";
import { readMaybeGzip } from "./files.js";

export {
  evaluateAnalogiesText, evaluateWordPairsText, pearson, ranks, spearman,
  type AnalogiesOptions, type AnalogiesResult, type WordPairsOptions, type WordPairsResult,
};

/** evaluateWordPairsText on a file's text: "word1 <tab> word2 <tab> score" lines. */
export function evaluateWordPairs(kv: KeyedVectors, path: string, opts: WordPairsOptions = {}): WordPairsResult {
  return evaluateWordPairsText(kv, readMaybeGzip(path).toString("utf8"), opts, path);
}

/** evaluateAnalogiesText on a file in the questions-words.txt format. */
export function evaluateAnalogies(kv: KeyedVectors, path: string, opts: AnalogiesOptions = {}): AnalogiesResult {
  return evaluateAnalogiesText(kv, readMaybeGzip(path).toString("utf8"), opts, path);
}

// Tokenising: runs of Unicode letters and digits (apostrophes inside a word kept, as in "don't"), optionally
// lower-cased, with a minimum length and an optional stop-word list.
import { describeValue, fail } from "../core/errors.js";

/**
 * A common English stop-word list (function words: articles, pronouns, auxiliaries, prepositions, conjunctions and
 * frequent adverbs), in lower case.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all almost also although always am among an and another any anyone anything " +
    "are around as at be became because become becomes been before being below besides between both but by can " +
    "cannot could did do does doing done down during each either else enough etc even ever every few for from " +
    "further had has have having he her here hers herself him himself his how however i if in indeed into is it " +
    "its itself just least less many may me might mine more most much must my myself neither never nevertheless " +
    "no nobody none nor not nothing now of off often on once one only onto or other others otherwise our ours " +
    "ourselves out over own per perhaps quite rather same several shall she should since so some somehow someone " +
    "something sometimes still such than that the their theirs them themselves then there therefore these they " +
    "this those though through throughout thus to together too toward towards under until up upon us very via " +
    "was we well were what whatever when whenever where whereas wherever whether which while who whoever whole " +
    "whom whose why will with within without would yet you your yours yourself yourselves"
  ).split(" "),
);

export interface TokenizerOptions {
  /** Lower-case every token (default true). */
  lowercase?: boolean;
  /** Drop tokens shorter than this many characters (default 1). */
  minLength?: number;
  /** "english" for {@link ENGLISH_STOP_WORDS}, a list of your own, or null/undefined for none. */
  stopWords?: "english" | Iterable<string> | null;
}

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

export class Tokenizer {
  readonly lowercase: boolean;
  readonly minLength: number;
  readonly stopWords: ReadonlySet<string> | null;

  constructor(options: TokenizerOptions = {}) {
    this.lowercase = options.lowercase ?? true;
    this.minLength = options.minLength ?? 1;
    if (!Number.isInteger(this.minLength) || this.minLength < 1) fail(`minLength must be an integer >= 1, got ${describeValue(options.minLength)}`);
    const sw = options.stopWords;
    if (sw === undefined || sw === null) this.stopWords = null;
    else if (sw === "english") this.stopWords = ENGLISH_STOP_WORDS;
    else if (typeof sw === "string") fail(`stopWords must be "english", a list of words or null, got ${describeValue(sw)}`);
    else this.stopWords = new Set([...sw].map((w) => (this.lowercase ? w.toLowerCase() : w)));
  }

  /** The tokens of a text, in order. */
  tokenize(text: string): string[] {
    const src = this.lowercase ? text.toLowerCase() : text;
    // match() with the global pattern returns the strings alone (no match objects)
    const all = src.match(TOKEN);
    if (!all) return [];
    const min = this.minLength;
    const stop = this.stopWords;
    if (min <= 1 && !stop) return all;
    let m = 0;
    for (const t of all) if (t.length >= min && !stop?.has(t)) all[m++] = t;
    all.length = m;
    return all;
  }

  toJSON(): { lowercase: boolean; minLength: number; stopWords: string[] | "english" | null } {
    return {
      lowercase: this.lowercase, minLength: this.minLength,
      stopWords: this.stopWords === ENGLISH_STOP_WORDS ? "english" : this.stopWords ? [...this.stopWords] : null,
    };
  }
}

// Tokenising: runs of Unicode letters and digits (apostrophes inside a word kept, as in "don't"), optionally
// lower-cased, with a minimum length and an optional stop-word list.
import { anyOf, bool, choice, custom, int, resolveParams, type ParamsOf, type Schema } from "../core/params.js";

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

/** An iterable of strings other than a string itself (a list or a Set of words). */
function isWordList(v: unknown): boolean {
  if (v === null || typeof v !== "object" || !(Symbol.iterator in v)) return false;
  for (const w of v as Iterable<unknown>) if (typeof w !== "string") return false;
  return true;
}

export const TOKENIZER_PARAMS = {
  lowercase: bool("lower-case every token", { default: true }),
  minLength: int("drop tokens shorter than this many characters", { min: 1, default: 1 }),
  stopWords: anyOf<"english" | Iterable<string> | null>([
    choice(["english", null], ""),
    custom<Iterable<string>>("a list of words", "", isWordList, { normalise: (v) => [...v] }),
  ], "words to drop: \"english\" (ENGLISH_STOP_WORDS), a list of your own, or null for none"),
} satisfies Schema<TokenizerOptions>;

export type TokenizerParams = ParamsOf<TokenizerOptions, typeof TOKENIZER_PARAMS>;

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

export class Tokenizer {
  readonly lowercase: boolean;
  readonly minLength: number;
  readonly stopWords: ReadonlySet<string> | null;

  static readonly schema = TOKENIZER_PARAMS;

  constructor(options: TokenizerOptions = {}) {
    const o = resolveParams(TOKENIZER_PARAMS, options, "Tokenizer");
    this.lowercase = o.lowercase;
    this.minLength = o.minLength;
    const sw = o.stopWords;
    if (sw === undefined || sw === null) this.stopWords = null;
    else if (sw === "english") this.stopWords = ENGLISH_STOP_WORDS;
    else this.stopWords = new Set([...sw].map((w) => (this.lowercase ? w.toLowerCase() : w)));
  }

  /** The options that make this tokenizer (custom stop words as a list). */
  getParams(): TokenizerParams {
    return { lowercase: this.lowercase, minLength: this.minLength, stopWords: this.toJSON().stopWords };
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

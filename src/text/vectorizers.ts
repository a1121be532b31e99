// Bag-of-words term-document matrices (documents as rows, as scikit-learn): CountVectorizer and TfidfVectorizer
// with scikit-learn's options and formulas — n-grams, min/max document frequency, max features, sublinear tf,
// smoothed idf ln((1 + n)/(1 + df)) + 1, and l2/l1 row normalisation.
import { describeValue, fail } from "../core/errors.js";
import { checkSaved, fitted, numbersFromJSON, type Transformer } from "../core/estimator.js";
import { bool, choice, custom, decodeParams, encodeParams, int, resolveParams, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import { CsrMatrix } from "../linalg/sparse.js";
import { TOKENIZER_PARAMS, Tokenizer, type TokenizerOptions } from "./tokenize.js";

export interface CountVectorizerOptions extends TokenizerOptions {
  /** Smallest and largest n-gram (default [1, 1]); an n-gram is its words joined by a space. */
  ngramRange?: [number, number];
  /** Drop terms in fewer documents: a fraction in (0, 1) or a count >= 1 (default 1). */
  minDf?: number;
  /** Drop terms in more documents: a count or a fraction (default 1.0 = keep all). */
  maxDf?: number;
  /** Keep only the most frequent terms (by total count; by document frequency when `binary`, as scikit-learn). */
  maxFeatures?: number;
  /** Record presence (1) instead of counts. */
  binary?: boolean;
}

export const COUNT_VECTORIZER_PARAMS = {
  ...TOKENIZER_PARAMS,
  minLength: int("drop tokens shorter than this many characters (scikit-learn's token pattern: 2)", { min: 1, default: 2 }),
  ngramRange: custom<[number, number]>("[min, max] with integers 1 <= min <= max", "smallest and largest n-gram",
    (v) => Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && Number.isInteger(v[1]) && v[0] >= 1 && v[1] >= v[0],
    { default: [1, 1] }),
  minDf: custom<number>("a fraction in (0, 1) or a document count >= 1", "drop terms in fewer documents",
    (v) => typeof v === "number" && v > 0 && (v < 1 || Number.isInteger(v)), { default: 1 }),
  maxDf: custom<number>("a fraction in (0, 1] or a document count", "drop terms in more documents",
    (v) => typeof v === "number" && v > 0 && (v <= 1 || Number.isInteger(v)), { default: 1 }),
  maxFeatures: int("keep only the most frequent terms (by total count; by document frequency when binary)", { min: 1 }),
  binary: bool("record presence (1) instead of counts", { default: false }),
} satisfies Schema<CountVectorizerOptions>;

export type CountVectorizerParams = ParamsOf<CountVectorizerOptions, typeof COUNT_VECTORIZER_PARAMS>;

export interface CountVectorizerJSON {
  type: "CountVectorizer" | "TfidfVectorizer";
  version: 1;
  options: Record<string, unknown>;
  terms: string[];
  idf?: number[];
}

export class CountVectorizer implements Transformer<readonly string[], CsrMatrix, CountVectorizerParams> {
  static readonly schema: AnySchema = COUNT_VECTORIZER_PARAMS;
  readonly options: CountVectorizerParams;
  readonly tokenizer: Tokenizer;
  protected terms_?: string[];
  protected index_?: Map<string, number>;

  constructor(options: CountVectorizerOptions = {}) {
    // the subclass's schema validates the subclass's options
    const schema = (new.target as unknown as { schema: AnySchema }).schema;
    this.options = resolveParams(schema, options, new.target.name) as CountVectorizerParams;
    const { lowercase, minLength, stopWords } = this.options;
    this.tokenizer = new Tokenizer({ lowercase, minLength, stopWords });
  }

  getParams(): CountVectorizerParams {
    return { ...this.options };
  }

  /** The terms (columns), in alphabetical order. */
  get terms(): readonly string[] {
    return fitted(this.terms_, this.constructor.name);
  }

  /** The column of a term, or -1. */
  termIndex(term: string): number {
    fitted(this.index_, this.constructor.name);
    return this.index_!.get(term) ?? -1;
  }

  /** The n-grams of one document, in order. */
  analyze(doc: string): string[] {
    const toks = this.tokenizer.tokenize(doc);
    const [lo, hi] = this.options.ngramRange;
    if (lo === 1 && hi === 1) return toks;
    const out: string[] = [];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= toks.length; i++) out.push(n === 1 ? toks[i]! : toks.slice(i, i + n).join(" "));
    }
    return out;
  }

  /** Learns the vocabulary (async like every fit; the work itself is synchronous). */
  async fit(docs: readonly string[]): Promise<this> {
    this.learn(docs);
    return this;
  }

  async fitTransform(docs: readonly string[]): Promise<CsrMatrix> {
    return this.learn(docs);
  }

  private learn(docs: readonly string[]): CsrMatrix {
    if (!Array.isArray(docs)) fail(`documents must be an array of strings, got ${describeValue(docs)}`);
    const n = docs.length;
    if (n === 0) fail("no documents: the corpus is empty");
    // every distinct n-gram gets a provisional id on first sight; counts live in typed arrays
    const ids = new Map<string, number>();
    let df = new Int32Array(1024);
    let tf = new Float64Array(1024);
    let last = new Int32Array(1024).fill(-1);
    const encoded = docs.map((d, i) => {
      if (typeof d !== "string") fail(`document ${i} is not a string: ${describeValue(d)}`);
      const grams = this.analyze(d);
      const e = new Int32Array(grams.length);
      for (let k = 0; k < grams.length; k++) {
        let id = ids.get(grams[k]!);
        if (id === undefined) {
          id = ids.size;
          ids.set(grams[k]!, id);
          if (id === df.length) {
            df = grow(df, 0);
            tf = grow(tf, 0);
            last = grow(last, -1);
          }
        }
        e[k] = id;
        tf[id]!++;
        if (last[id] !== i) {
          last[id] = i;
          df[id]!++;
        }
      }
      return e;
    });
    if (ids.size === 0) fail(`the ${n} documents contain no tokens (after tokenising and stop words)`);
    const { minDf, maxDf } = this.options;
    // below 1 (min) / up to 1 (max): a fraction of the documents; otherwise a document count
    const lo = minDf < 1 ? minDf * n : minDf;
    const hi = maxDf <= 1 ? maxDf * n : maxDf;
    let kept = [...ids].filter(([, id]) => df[id]! >= lo && df[id]! <= hi);
    if (kept.length === 0) fail(`no terms remain: minDf=${minDf} and maxDf=${maxDf} remove all ${ids.size} terms of ${n} documents`);
    if (this.options.maxFeatures !== undefined && kept.length > this.options.maxFeatures) {
      // as scikit-learn: by the column sums of the matrix it builds, so by document frequency when binary
      const rank = this.options.binary ? df : tf;
      kept.sort((a, b) => rank[b[1]]! - rank[a[1]]! || (a[0] < b[0] ? -1 : 1));
      kept = kept.slice(0, this.options.maxFeatures);
    }
    kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.terms_ = kept.map(([t]) => t);
    this.index_ = new Map(this.terms_.map((t, j) => [t, j]));
    // provisional id -> column (or -1), and each kept term's document frequency
    const column = new Int32Array(ids.size).fill(-1);
    const keptDf = new Float64Array(kept.length);
    kept.forEach(([, id], j) => {
      column[id] = j;
      keptDf[j] = df[id]!;
    });
    for (const e of encoded) for (let k = 0; k < e.length; k++) e[k] = column[e[k]!]!;
    this.afterVocabulary(keptDf, n);
    return this.matrix(encoded);
  }

  transform(docs: readonly string[]): CsrMatrix {
    fitted(this.terms_, this.constructor.name);
    if (!Array.isArray(docs)) fail(`documents must be an array of strings, got ${describeValue(docs)}`);
    const index = this.index_!;
    return this.matrix(docs.map((d, i) => {
      if (typeof d !== "string") fail(`document ${i} is not a string: ${describeValue(d)}`);
      return Int32Array.from(this.analyze(d), (g) => index.get(g) ?? -1);
    }));
  }

  /** Hook for subclasses that learn from the fitted documents: each column's document frequency, of n documents. */
  protected afterVocabulary(_df: Float64Array, _n: number): void {}

  /** Raw counts (or presence) per document, from each document's columns (−1: not a term). */
  protected matrix(columns: Int32Array[]): CsrMatrix {
    const indptr = new Int32Array(columns.length + 1);
    let nnz = 0;
    for (const c of columns) nnz += c.length;
    const indices = new Int32Array(nnz);
    const data = new Float64Array(nnz);
    const binary = this.options.binary;
    let m = 0;
    columns.forEach((c, i) => {
      const s = c.sort(); // typed-array sort: numeric, in place; the -1s come first
      let p = 0;
      while (p < s.length && s[p]! < 0) p++;
      while (p < s.length) {
        const j = s[p]!;
        let q = p + 1;
        while (q < s.length && s[q] === j) q++;
        indices[m] = j;
        data[m++] = binary ? 1 : q - p;
        p = q;
      }
      indptr[i + 1] = m;
    });
    return new CsrMatrix(columns.length, this.index_!.size, indptr, indices.slice(0, m), data.slice(0, m));
  }

  toJSON(): CountVectorizerJSON {
    const schema = (this.constructor as typeof CountVectorizer).schema;
    return { type: "CountVectorizer", version: 1, options: encodeParams(schema, this.options), terms: [...this.terms] };
  }

  static fromJSON(json: CountVectorizerJSON): CountVectorizer {
    checkSaved(json, "CountVectorizer");
    const v = new CountVectorizer(decodeParams(COUNT_VECTORIZER_PARAMS, json.options, "CountVectorizer"));
    v.terms_ = termsFromJSON(json.terms, "CountVectorizer.terms");
    v.index_ = new Map(v.terms_.map((t, i) => [t, i]));
    return v;
  }
}

export interface TfidfVectorizerOptions extends CountVectorizerOptions {
  /** Weight by inverse document frequency (default true). */
  useIdf?: boolean;
  /** idf = ln((1 + n)/(1 + df)) + 1 (default true), else ln(n/df) + 1. */
  smoothIdf?: boolean;
  /** tf → 1 + ln(tf) (default false). */
  sublinearTf?: boolean;
  /** Row normalisation (default "l2"). */
  norm?: "l2" | "l1" | null;
}

export const TFIDF_VECTORIZER_PARAMS = {
  ...COUNT_VECTORIZER_PARAMS,
  useIdf: bool("weight by inverse document frequency", { default: true }),
  smoothIdf: bool("idf = ln((1 + n)/(1 + df)) + 1, else ln(n/df) + 1", { default: true }),
  sublinearTf: bool("tf -> 1 + ln(tf)", { default: false }),
  norm: choice(["l2", "l1", null], "row normalisation", { default: "l2" }),
} satisfies Schema<TfidfVectorizerOptions>;

export type TfidfVectorizerParams = ParamsOf<TfidfVectorizerOptions, typeof TFIDF_VECTORIZER_PARAMS>;

export class TfidfVectorizer extends CountVectorizer implements Transformer<readonly string[], CsrMatrix, TfidfVectorizerParams> {
  static override readonly schema: AnySchema = TFIDF_VECTORIZER_PARAMS;
  declare readonly options: TfidfVectorizerParams;
  private idf_?: Float64Array;

  constructor(options: TfidfVectorizerOptions = {}) {
    super(options);
  }

  override getParams(): TfidfVectorizerParams {
    return { ...this.options };
  }

  /** The inverse document frequencies of the terms. */
  get idf(): Float64Array {
    return fitted(this.idf_, "TfidfVectorizer");
  }

  protected override afterVocabulary(df: Float64Array, n: number): void {
    const smooth = this.options.smoothIdf;
    this.idf_ = Float64Array.from(df, (d) => (smooth ? Math.log((1 + n) / (1 + d)) : Math.log(n / d)) + 1);
  }

  protected override matrix(columns: Int32Array[]): CsrMatrix {
    const C = super.matrix(columns);
    const { useIdf, sublinearTf: sub, norm } = this.options;
    const idf = this.idf_!;
    const { indptr, indices, data } = C;
    for (let i = 0; i < C.rows; i++) {
      let s = 0;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        let v = data[p]!;
        if (sub) v = 1 + Math.log(v);
        if (useIdf) v *= idf[indices[p]!]!;
        data[p] = v;
        s += norm === "l1" ? Math.abs(v) : v * v;
      }
      if (norm && s > 0) {
        const f = norm === "l2" ? 1 / Math.sqrt(s) : 1 / s;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) data[p]! *= f;
      }
    }
    return C;
  }

  override toJSON(): CountVectorizerJSON {
    return { ...super.toJSON(), type: "TfidfVectorizer", idf: Array.from(this.idf) };
  }

  static override fromJSON(json: CountVectorizerJSON): TfidfVectorizer {
    checkSaved(json, "TfidfVectorizer");
    const v = new TfidfVectorizer(decodeParams(TFIDF_VECTORIZER_PARAMS, json.options, "TfidfVectorizer"));
    v.terms_ = termsFromJSON(json.terms, "TfidfVectorizer.terms");
    v.index_ = new Map(v.terms_.map((t, i) => [t, i]));
    v.idf_ = numbersFromJSON(json.idf, "TfidfVectorizer.idf", { length: v.terms_.length, lengthOf: "one per term", min: 0 });
    return v;
  }
}

/** The terms of a saved vectorizer: distinct strings. */
function termsFromJSON(terms: unknown, name: string): string[] {
  if (!Array.isArray(terms)) fail(`${name}: expected an array of strings in the saved model, got ${describeValue(terms)}`);
  const seen = new Set<string>();
  terms.forEach((t, i) => {
    if (typeof t !== "string") fail(`${name}[${i}] is ${describeValue(t)}: expected a string in the saved model`);
    if (seen.has(t)) fail(`${name}[${i}]: ${describeValue(t)} appears twice in the saved model`);
    seen.add(t);
  });
  return terms as string[];
}

/** A copy of a typed array at twice the length, the new half filled with `fill`. */
function grow<T extends Int32Array | Float64Array>(a: T, fill: number): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  b.fill(fill, a.length);
  return b;
}

// Parameter schemas: each estimator's options are validated by its schema, with one-line messages that name the
// option and the value; wrong types, NaN, non-integers and out-of-range values are refused, unknown names suggested.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeValue, LatentkitError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import {
  anyOf, bool, choice, decodeParams, encodeParams, int, matrix, nearestName, num, object, resolveParams, type AnySchema,
  type ParamSpec, type Schema,
} from "../../src/core/params.js";
import { PCA } from "../../src/decomposition/pca.js";
import { TruncatedSVD } from "../../src/decomposition/truncated-svd.js";
import { MDS } from "../../src/manifold/mds.js";
import { Sammon } from "../../src/manifold/sammon.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { UMAP } from "../../src/manifold/umap.js";
import { StandardScaler } from "../../src/preprocessing/scaler.js";
import { CooccurrenceEmbedding } from "../../src/text/cooccurrence.js";
import { LSA } from "../../src/text/lsa.js";
import { Tokenizer } from "../../src/text/tokenize.js";
import { Vocabulary } from "../../src/text/vocabulary.js";
import { CountVectorizer, TfidfVectorizer } from "../../src/text/vectorizers.js";
import { Word2Vec } from "../../src/text/word2vec.js";
import { LogisticRegression } from "../../src/linear/logistic.js";
import { KNeighborsClassifier } from "../../src/neighbors/classifier.js";

/** Asserts that fn throws a one-line LatentkitError matching re. */
function refuses(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LatentkitError, `not a LatentkitError: ${String(e)}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes("\n"), `message has more than one line: ${e.message}`);
    return true;
  });
}

test("wrong types, NaN, non-integers and out-of-range values give a clear message naming the option and the value", () => {
  refuses(() => new TSNE({ perplexity: "30" as never }), /^perplexity must be a number > 0, got "30"$/);
  refuses(() => new TSNE({ perplexity: 0 }), /^perplexity must be a number > 0, got 0$/);
  refuses(() => new UMAP({ minDist: NaN }), /^minDist must be a number >= 0, got NaN$/);
  refuses(() => new PCA({ seed: 1.5 }), /^seed must be an integer, got 1\.5$/);
  refuses(() => new TSNE({ seed: NaN }), /^seed must be an integer, got NaN$/);
  refuses(() => new Word2Vec({ seed: "1" as never }), /^seed must be an integer, got "1"$/);
  refuses(() => new UMAP({ nNeighbors: 1 }), /^nNeighbors must be an integer >= 2, got 1$/);
  refuses(() => new Word2Vec({ window: 0 }), /^window must be an integer >= 1, got 0$/);
  refuses(() => new Word2Vec({ sample: Infinity }), /^sample must be a number >= 0, got Infinity$/);
  refuses(() => new CooccurrenceEmbedding({ eigenWeight: 1.5 }), /^eigenWeight must be a number in \[0, 1\], got 1\.5$/);
  refuses(() => new CooccurrenceEmbedding({ alpha: 0 }), /^alpha must be a number in \(0, 1\], got 0$/);
  refuses(() => new StandardScaler({ withMean: "yes" as never }), /^withMean must be true or false, got "yes"$/);
  refuses(() => new UMAP({ metric: "manhattan" as never }), /^metric must be "euclidean" or "cosine", got "manhattan"$/);
  refuses(() => new TSNE({ method: "bh" as never }), /^method must be "auto", "fft", "barnes-hut" or "exact", got "bh"$/);
  refuses(() => new TSNE({ learningRate: -1 }), /^learningRate must be a number > 0 or "auto", got -1$/);
  refuses(() => new TSNE({ init: "spectral" as never }), /^init must be "pca" or "random" or a Matrix, got "spectral"$/);
  refuses(() => new PCA({ nComponents: 2.5 }), /^nComponents must be a positive integer or a fraction in \(0, 1\), got 2\.5$/);
  refuses(() => new PCA({ nIter: "many" as never }), /^nIter must be an integer >= 0 or "auto", got "many"$/);
  refuses(() => new TfidfVectorizer({ norm: "l3" as never }), /^norm must be "l2", "l1" or null, got "l3"$/);
  refuses(() => new CountVectorizer({ ngramRange: [0, 2] }), /^ngramRange must be \[min, max\] with integers 1 <= min <= max, got \[0,2\]$/);
  refuses(() => new CountVectorizer({ stopWords: "french" as never }), /^stopWords must be "english" or null or a list of words, got "french"$/);
  refuses(() => new Tokenizer({ minLength: 0 }), /^minLength must be an integer >= 1, got 0$/);
  refuses(() => new TSNE({ onProgress: 5 as never }), /^onProgress must be a function, got 5$/);
  refuses(() => new UMAP({ signal: {} as never }), /^signal must be an AbortSignal, got \{\}$/);
  refuses(() => new PCA(5 as never), /^PCA options must be an object, got 5$/);
  refuses(() => new MDS([] as never), /^MDS options must be an object, got \[\]$/);
});

test("nested options are validated with their path", () => {
  refuses(() => new TSNE({ fft: { nodes: 0 } }), /^fft\.nodes must be an integer >= 1, got 0$/);
  refuses(() => new TSNE({ fft: { node: 3 } as never }), /^unknown option "node" for fft: did you mean "nodes"\?/);
  refuses(() => new TSNE({ fft: 3 as never }), /^fft must be an object, got 3$/);
  refuses(() => new LSA({ vectorizer: { minDf: -1 } }), /^vectorizer\.minDf must be a fraction in \(0, 1\) or a document count >= 1, got -1$/);
  assert.deepEqual(new TSNE({ fft: { nodes: 2, backend: "ts" } }).options.fft, { nodes: 2, backend: "ts" });
});

test("unknown option names are refused, with the nearest known name when it is a likely typo", () => {
  refuses(() => new TSNE({ perplexty: 30 } as never), /^unknown option "perplexty" for TSNE: did you mean "perplexity"\? \(options: nComponents, perplexity,/);
  refuses(() => new UMAP({ n_neighbors: 5 } as never), /^unknown option "n_neighbors" for UMAP: did you mean "nNeighbors"\?/);
  refuses(() => new PCA({ zzz: 1 } as never), /^unknown option "zzz" for PCA \(options: /);
  assert.equal(nearestName("learningrate", ["learningRate", "maxIter"]), "learningRate");
  assert.equal(nearestName("banana", ["learningRate", "maxIter"]), undefined);
});

test("cross-field checks run after the schema", () => {
  refuses(() => new TSNE({ nComponents: 4 }), /^Barnes-Hut t-SNE needs nComponents 2 or 3, got 4/);
  refuses(() => new UMAP({ minDist: 2 }), /^minDist must be in \[0, spread = 1\], got 2$/);
  refuses(() => new PCA({ nComponents: 0.5, solver: "randomized" }), /full spectrum/);
  assert.equal(new TSNE({ nComponents: 4, method: "exact" }).options.nComponents, 4);
});

test("undefined means the default; the resolved options are typed and complete", () => {
  const t = new TSNE({ perplexity: undefined, seed: 5 });
  assert.equal(t.options.perplexity, 30);
  assert.equal(t.options.seed, 5);
  const u = new UMAP();
  assert.equal(u.options.deterministic, false);
  assert.equal(u.options.nEpochs, undefined); // computed in fit from n
  // compile-time: defaulted options are plain values (no `?? default` needed)
  const lr: number = new UMAP().options.learningRate;
  assert.equal(lr, 1);
});

test("every option of every estimator rejects a value of the wrong type, naming the option and the value", () => {
  const classes: Array<{ schema: AnySchema; name: string; new (o?: object): unknown }> = [
    PCA, TruncatedSVD, StandardScaler, TSNE, UMAP, MDS, Sammon, LSA, CountVectorizer, TfidfVectorizer,
    CooccurrenceEmbedding, Word2Vec, Tokenizer, LogisticRegression, KNeighborsClassifier,
  ];
  const wrong: Record<string, unknown> = {
    int: "1", number: "1", boolean: 1, enum: "no such choice", string: 1, matrix: 1, function: 1, signal: 1, object: 1,
    union: true, custom: true,
  };
  let checked = 0;
  for (const cls of classes) {
    for (const [key, spec] of Object.entries(cls.schema)) {
      const bad = wrong[spec.kind];
      refuses(() => new cls({ [key]: bad }), new RegExp(`^${key} must be .*, got ${escape(describeValue(bad))}$`));
      if (spec.kind === "int") refuses(() => new cls({ [key]: 2.5 }), new RegExp(`^${key} must be an integer.*, got 2\\.5$`));
      if (spec.kind === "int" || spec.kind === "number") refuses(() => new cls({ [key]: NaN }), new RegExp(`^${key} must be .*, got NaN$`));
      checked++;
    }
  }
  assert.ok(checked > 100, `${checked} options checked`);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("fromJSON goes through the same validation", () => {
  refuses(() => TSNE.fromJSON({ type: "TSNE", version: 1, options: { perplexity: -1 }, embedding: { rows: 0, cols: 2, dtype: "float32", data: [] }, klDivergence: 0 }),
    /^perplexity must be a number > 0, got -1$/);
  refuses(() => UMAP.fromJSON({ type: "UMAP", version: 1, options: { learnRate: 1 }, a: 1, b: 1, data: { rows: 0, cols: 0, dtype: "float32", data: [] }, embedding: { rows: 0, cols: 0, dtype: "float32", data: [] } }),
    /^unknown option "learnRate" for UMAP: did you mean "learningRate"\?/);
});

test("Word2Vec and CooccurrenceEmbedding refuse a string (or untokenised lines) as sentences", async () => {
  const rejects = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
    await assert.rejects(p, (e: unknown) => e instanceof LatentkitError && re.test(e.message) && !e.message.includes("\n"));
  };
  await rejects(new Word2Vec().fit("the cat sat on the mat" as never), /^sentences must be a list of token lists, got a string "the cat sat on the mat": /);
  await rejects(new Word2Vec().fit(["the cat sat", "on the mat"] as never), /^sentence 0 is a string "the cat sat", not a list of tokens/);
  await rejects(new CooccurrenceEmbedding().fit("text" as never), /^sentences must be a list of token lists, got a string "text"/);
  await rejects(new Word2Vec().fit(42 as never), /^sentences must be an iterable of token lists, got 42/);
  await rejects(Vocabulary.build([["a"]], { maxSize: 0 }), /^maxSize must be an integer >= 1, got 0$/);
  await rejects(Vocabulary.build([["a"]], { minCount: 1.5 }), /^minCount must be an integer >= 1, got 1\.5$/);
  // a long string is cut in the message
  await rejects(new Word2Vec().fit("word ".repeat(1000) as never), /\(a string of 5000 characters\)/);
});

test("the schema helpers: ranges, choices, unions, nested objects and matrices (de)serialise", () => {
  const s = {
    k: int("k", { min: 1, max: 9, default: 3 }),
    p: num("p", { gt: 0, lt: 1 }),
    on: bool("on", { default: true }),
    c: choice(["a", "b", null], "c", { default: null }),
    u: anyOf<number | "auto">([num("", { min: 0 }), choice(["auto"], "")], "u", { default: "auto" }),
    m: matrix("m"),
    o: object<{ x?: number }>({ x: int("x", { min: 0 }) }, "o"),
  } satisfies Schema<{ k?: number; p?: number; on?: boolean; c?: "a" | "b" | null; u?: number | "auto"; m?: Matrix; o?: { x?: number } }>;
  refuses(() => resolveParams(s, { k: 10 }, "T"), /^k must be an integer in \[1, 9\], got 10$/);
  refuses(() => resolveParams(s, { p: 1 }, "T"), /^p must be a number in \(0, 1\), got 1$/);
  refuses(() => resolveParams(s, { c: "d" }, "T"), /^c must be "a", "b" or null, got "d"$/);
  refuses(() => resolveParams(s, { m: [[1]] }, "T"), /^m must be a Matrix, got \[\[1\]\]$/);
  refuses(() => resolveParams(s, { o: { x: -1 } }, "T"), /^o\.x must be an integer >= 0, got -1$/);
  const p = resolveParams(s, { p: 0.5, u: 2, m: Matrix.fromArray([[1, 2]]), o: { x: 1 } }, "T");
  assert.deepEqual({ ...p, m: undefined }, { k: 3, p: 0.5, on: true, c: null, u: 2, m: undefined, o: { x: 1 } });
  const saved = JSON.parse(JSON.stringify(encodeParams(s, p)));
  assert.deepEqual(saved.m, { rows: 1, cols: 2, dtype: "float32", data: [1, 2] });
  const back = resolveParams(s, decodeParams(s, saved, "T"), "T");
  assert.ok(back.m instanceof Matrix);
  assert.deepEqual(Array.from(back.m.data), [1, 2]);
  assert.deepEqual({ ...back, m: undefined }, { ...p, m: undefined });
});

test("a schema is checked by the compiler against its options interface", () => {
  interface O {
    a?: number;
    b?: "x" | "y";
  }
  // @ts-expect-error a schema that lacks an option does not compile
  const missing: Schema<O> = { a: int("a") };
  // @ts-expect-error a spec of the wrong type does not compile
  const wrongType: Schema<O> = { a: int("a"), b: bool("b") };
  const ok = { a: int("a"), b: choice(["x", "y"], "b") } satisfies Schema<O>;
  // @ts-expect-error an option that is not in the interface does not compile
  const extra = { a: int("a"), b: choice(["x", "y"], "b"), c: int("c") } satisfies Schema<O>;
  assert.ok(missing && wrongType && ok && extra);
  const spec: ParamSpec<number> = ok.a;
  assert.equal(spec.kind, "int");
});

test("TSNE.transform's options go through their schema: wrong types, out-of-range values and unknown names are refused", async () => {
  const { TSNE } = await import("../../src/manifold/tsne.js");
  const { randn } = await import("../helpers.js");
  const X = randn(40, 5, 3, "float32");
  const t = new TSNE({ perplexity: 5, maxIter: 50, seed: 1 });
  await t.fit(X);
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ perplexity: "5" }, /^perplexity must be a number > 0, got "5"$/],
    [{ maxIter: 2.5 }, /^maxIter must be an integer >= 0, got 2\.5$/],
    [{ learningRate: -1 }, /^learningRate must be a number > 0, got -1$/],
    [{ maxIterations: 10 }, /^unknown option "maxIterations" for TSNE\.transform .*maxIter/],
    [{ perplexity: 40 }, /^perplexity must be in \(0, 40\) for 40 training points, got 40$/],
  ];
  for (const [opts, re] of bad) {
    await assert.rejects(t.transform(X, opts as never), (e: unknown) => e instanceof LatentkitError && re.test((e as Error).message), JSON.stringify(opts));
  }
  const Y = await t.transform(X, { maxIter: 5 });
  assert.equal(Y.rows, 40);
});

import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Matrix } from "../../src/core/matrix.js";
import { readWordVectors, writeWordVectors, formatFloat32 } from "../../src/io/word-vectors.js";
import { svd } from "../../src/linalg/svd.js";
import { CooccurrenceEmbedding, cooccurrenceCounts, ppmi } from "../../src/text/cooccurrence.js";
import { TextCorpus, readDocuments } from "../../src/io/corpus.js";
import { readMaybeGzip } from "../../src/io/files.js";
import { KeyedVectors } from "../../src/text/keyed-vectors.js";
import { evaluateAnalogies, evaluateWordPairs, pearson, spearman } from "../../src/io/evaluate.js";
import { LSA } from "../../src/text/lsa.js";
import { Tokenizer } from "../../src/text/tokenize.js";
import { CountVectorizer, TfidfVectorizer } from "../../src/text/vectorizers.js";
import { Vocabulary } from "../../src/text/vocabulary.js";
import { sharedData, randn } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-text-"));
const DOCS = ["The dog ran in the park.", "A dog and a cat played in the park", "The cat sat on the mat", "Dogs and cats: friends or foes?"];

test("tokenizer: Unicode words, lower case, apostrophes, minimum length, stop words", () => {
  assert.deepEqual(new Tokenizer().tokenize("Größe: Don't STOP — 42 naïve cafés!"), ["größe", "don't", "stop", "42", "naïve", "cafés"]);
  assert.deepEqual(new Tokenizer({ lowercase: false, minLength: 3 }).tokenize("A Big dog"), ["Big", "dog"]);
  assert.deepEqual(new Tokenizer({ stopWords: "english" }).tokenize("the dog and the cat"), ["dog", "cat"]);
  assert.deepEqual(new Tokenizer({ stopWords: ["Dog"] }).tokenize("the dog"), ["the"]);
  assert.throws(() => new Tokenizer({ minLength: 0 }), /minLength must be an integer >= 1, got 0/);
});

test("vocabulary: counts, min count, max size, encoding, and clear errors", async () => {
  const sents = [["a", "b", "a"], ["c", "a", "b"], ["d"]];
  const v = await Vocabulary.build(sents, { minCount: 2 });
  assert.deepEqual(v.words, ["a", "b"]);
  assert.deepEqual(Array.from(v.counts), [3, 2]);
  assert.equal(v.totalTokens, 7);
  const enc = await v.encode(sents);
  assert.deepEqual(Array.from(enc.ids), [0, 1, 0, 0, 1]);
  assert.deepEqual(Array.from(enc.starts), [0, 3, 5, 5]);
  assert.equal((await Vocabulary.build(sents, { maxSize: 1 })).size, 1);
  await assert.rejects(() => Vocabulary.build([[], []]), /corpus is empty: 2 documents and no tokens/);
  await assert.rejects(() => Vocabulary.build(sents, { minCount: 10 }), /vocabulary is empty: no word occurs at least minCount=10 times \(the most frequent occurs 3 times\)/);
  assert.throws(() => v.require("zebra"), /"zebra" is not in the vocabulary/);
});

test("corpus reader streams plain and gzip files, one document per line", async () => {
  const plain = join(tmp, "docs.txt");
  writeFileSync(plain, DOCS.join("\n") + "\n\n");
  const gz = join(tmp, "docs.txt.gz");
  writeFileSync(gz, gzipSync(Buffer.from(DOCS.join("\n"))));
  assert.deepEqual(await readDocuments(plain), DOCS);
  assert.deepEqual(await readDocuments(gz), DOCS);
  const toks: string[][] = [];
  for await (const t of new TextCorpus(gz, {}, 2)) toks.push(t);
  assert.deepEqual(toks, [["the", "dog", "ran", "in", "the", "park"], ["a", "dog", "and", "a", "cat", "played", "in", "the", "park"]]);
  // one gzip reader for files read whole and streamed: the same messages
  assert.throws(() => new TextCorpus(join(tmp, "missing.txt")), /cannot read .*missing\.txt: no such file/);
  const broken = join(tmp, "broken.txt.gz");
  writeFileSync(broken, gzipSync(Buffer.from(DOCS.join("\n").repeat(50))).subarray(0, 40));
  await assert.rejects(() => readDocuments(broken), /broken\.txt\.gz: corrupt gzip data/);
  assert.throws(() => readMaybeGzip(broken), /broken\.txt\.gz: corrupt gzip data/);
});

test("TfidfVectorizer equals scikit-learn (1-2 grams, sublinear tf, smooth idf, l2) and CountVectorizer's df limits", async () => {
  const v = new TfidfVectorizer({ ngramRange: [1, 2], sublinearTf: true });
  const X = await v.fitTransform(DOCS);
  // scikit-learn 1.2.1: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) on the same four documents
  assert.equal(v.terms.length, 35);
  assert.deepEqual(v.terms.slice(0, 6), ["and", "and cat", "and cats", "cat", "cat played", "cat sat"]);
  const row0 = X.toDense().data.subarray(0, 35);
  const want: Record<string, number> = {
    "dog": 0.2740596951393489, "dog ran": 0.3476099726629569, "in": 0.2740596951393489, "in the": 0.2740596951393489,
    "park": 0.2740596951393489, "ran": 0.3476099726629569, "ran in": 0.3476099726629569, "the": 0.3756669337613694,
    "the dog": 0.3476099726629569, "the park": 0.2740596951393489,
  };
  v.terms.forEach((t, j) => assert.ok(Math.abs(row0[j]! - (want[t] ?? 0)) < 1e-12, `${t}: ${row0[j]}`));
  assert.ok(Math.abs(v.idf[v.termIndex("the")]! - 1.2231435513142097) < 1e-12);
  assert.deepEqual((await new CountVectorizer({ minDf: 2 }).fit(DOCS)).terms, ["and", "cat", "dog", "in", "park", "the"]);
  assert.deepEqual((await new CountVectorizer({ maxDf: 0.5 }).fit(DOCS)).terms,
    ["and", "cat", "cats", "dog", "dogs", "foes", "friends", "in", "mat", "on", "or", "park", "played", "ran", "sat"]);
  const cv = await new CountVectorizer().fit(DOCS);
  const counts = cv.transform(["the the dog zebra"]).toDense();
  assert.equal(counts.data[cv.termIndex("the")], 2);
  assert.equal(counts.data[cv.termIndex("dog")], 1);
  const back = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  assert.deepEqual(back.transform(DOCS).data, v.transform(DOCS).data);
  await assert.rejects(new CountVectorizer().fit([]), /no documents/);
  await assert.rejects(new CountVectorizer({ stopWords: "english" }).fit(["the and of", "a an"]), /contain no tokens/);
  await assert.rejects(new CountVectorizer({ minDf: 5 }).fit(DOCS), /no terms remain: minDf=5/);
  assert.throws(() => new CountVectorizer({ ngramRange: [2, 1] }), /ngramRange/);
});

test("LSA equals a dense SVD of the tf-idf matrix; search, folding-in and topics behave", async () => {
  const docs = [
    "the cat sat on the mat with another cat", "dogs chase cats and cats chase mice", "a cat and a dog are pets",
    "stocks fell as markets slid on rate fears", "bond markets rallied while stocks rose", "investors sold stocks and bonds",
    "the recipe needs flour butter and sugar", "bake the cake with butter and sugar", "flour and eggs make the dough",
  ];
  const lsa = new LSA({ nComponents: 3, seed: 1 });
  const Z = await lsa.fitTransform(docs);
  const X = lsa.vectorizer.transform(docs).toDense("float64");
  const ref = svd(X);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(lsa.singularValues[c]! - ref.S[c]!) < 1e-5, `σ${c}`);
  // document vectors = U Σ up to the sign of each component
  for (let c = 0; c < 3; c++) {
    const sign = Math.sign(Z.get(0, c) * ref.U.get(0, c)) || 1;
    for (let i = 0; i < docs.length; i++) assert.ok(Math.abs(Z.get(i, c) - sign * ref.U.get(i, c) * ref.S[c]!) < 1e-4);
  }
  // folding a fitted document back in gives its own vector
  const again = lsa.transform([docs[4]!]);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(again.get(0, c) - Z.get(4, c)) < 1e-4);
  const hits = lsa.search("stock markets", 3);
  assert.deepEqual(hits.map((h) => h.index).sort(), [3, 4, 5]);
  assert.ok(lsa.search("butter cake", 1)[0]!.index >= 6);
  const topics = [0, 1, 2].map((c) => lsa.topTerms(c, 3).map((t) => t.term));
  assert.ok(topics.some((t) => t.includes("stocks") || t.includes("markets")));
  const T = lsa.termVectors;
  assert.equal(T.rows, lsa.terms.length);
  const loaded = LSA.fromJSON(JSON.parse(JSON.stringify(lsa.toJSON())));
  assert.deepEqual(loaded.search("stock markets", 3), hits);
  assert.throws(() => lsa.search("zebra quux", 3), /no known terms/);
  await assert.rejects(() => new LSA({ nComponents: 50 }).fit(docs), /nComponents=50 must be <= min\(documents, terms\)/);
});

test("PPMI matches a hand computation on the 'dog park' toy corpus (α = 1 and α = 0.75, shift)", async () => {
  // window 1 over "dog park", "dog bark", "cat park": pairs dog–park, dog–bark, cat–park (both directions), N = 6
  const sents = [["dog", "park"], ["dog", "bark"], ["cat", "park"]];
  const vocab = await Vocabulary.build(sents);
  const { ids, starts } = await vocab.encode(sents);
  const C = cooccurrenceCounts(ids, starts, vocab.size, { window: 1 });
  const get = (M: ReturnType<typeof ppmi>, a: string, b: string): number => M.toDense().get(vocab.id(a), vocab.id(b));
  assert.equal(get(C, "dog", "park"), 1);
  assert.equal(get(C, "park", "dog"), 1);
  assert.equal(get(C, "dog", "cat"), 0);
  const P1 = ppmi(C, { alpha: 1 });
  assert.ok(Math.abs(get(P1, "dog", "park") - Math.log((1 * 6) / (2 * 2))) < 1e-12); // log 1.5
  assert.ok(Math.abs(get(P1, "dog", "bark") - Math.log(3)) < 1e-12);
  assert.ok(Math.abs(get(P1, "cat", "park") - Math.log(3)) < 1e-12);
  // α = 0.75: Σ_c #(c)^α = 2·2^0.75 + 2 = 5.3636; PMI(dog, park) = log(5.3636 / (2 · 2^0.75)) = 0.4666
  const P75 = ppmi(C);
  const s = 2 * 2 ** 0.75 + 2;
  assert.ok(Math.abs(get(P75, "dog", "park") - Math.log(s / (2 * 2 ** 0.75))) < 1e-12);
  assert.ok(Math.abs(get(P75, "dog", "bark") - Math.log(s / 2)) < 1e-12);
  // a shift of 2 removes the cells with PMI <= log 2
  const P2 = ppmi(C, { alpha: 1, shift: 2 });
  assert.equal(get(P2, "dog", "park"), 0);
  assert.ok(Math.abs(get(P2, "dog", "bark") - Math.log(1.5)) < 1e-12);
  // harmonic weighting: a context two words away counts 1/2
  const v2 = await Vocabulary.build([["a", "b", "c"]]);
  const e2 = await v2.encode([["a", "b", "c"]]);
  const H = cooccurrenceCounts(e2.ids, e2.starts, v2.size, { window: 2, weighting: "harmonic" }).toDense();
  assert.equal(H.get(v2.id("a"), v2.id("c")), 0.5);
  assert.equal(H.get(v2.id("a"), v2.id("b")), 1);
});

test("word vector files: word2vec text and binary round-trip byte for byte, GloVe reads, errors are clear", () => {
  const words = ["king", "queen", "naïve", "x"];
  const kv = new KeyedVectors(words, new Matrix(4, 3, Float32Array.from([0.1, -2.5, 3e-7, 1 / 3, 0, -0, 1e10, 2, -1.25, 7, 8, 9])));
  for (const [format, name] of [["word2vec", "v.txt"], ["word2vec-binary", "v.bin"], ["word2vec", "v.txt.gz"]] as const) {
    const p1 = join(tmp, name);
    writeWordVectors(p1, kv, format);
    const back = readWordVectors(p1, format);
    assert.deepEqual(back.words, words);
    assert.deepEqual(back.vectors.data, kv.vectors.data);
    const p2 = join(tmp, "again-" + name);
    writeWordVectors(p2, back, format);
    assert.ok(readFileSync(p1).equals(readFileSync(p2)) || name.endsWith(".gz"), `${name} differs after a round trip`);
  }
  assert.equal(readFileSync(join(tmp, "v.txt"), "utf8").split("\n")[0], "4 3");
  // a model larger than the writer's 1 MiB pieces: the same bytes as one joined text, and the same floats back
  const rng = new Random(2);
  const big = new KeyedVectors(Array.from({ length: 3000 }, (_, i) => `w${i}`), new Matrix(3000, 50, Float32Array.from({ length: 150000 }, () => rng.normal())));
  for (const [format, name] of [["word2vec", "big.txt"], ["word2vec-binary", "big.bin"], ["glove", "big.txt.gz"]] as const) {
    writeWordVectors(join(tmp, name), big, format);
    const back = readWordVectors(join(tmp, name), format);
    assert.deepEqual(back.vectors.data, big.vectors.data, name);
  }
  const expected = ["3000 50", ...big.words.map((w, r) => [w, ...Array.from(big.vectors.data.subarray(50 * r, 50 * r + 50), formatFloat32)].join(" "))].join("\n") + "\n";
  assert.ok(readFileSync(join(tmp, "big.txt"), "utf8") === expected);
  assert.equal(formatFloat32(Math.fround(0.1)), "0.1");
  const glove = join(tmp, "g.txt");
  writeFileSync(glove, "the 0.5 1\ncat -1 2.5\n");
  const g = readWordVectors(glove);
  assert.deepEqual(g.words, ["the", "cat"]);
  assert.deepEqual(Array.from(g.get("cat")), [-1, 2.5]);
  writeFileSync(join(tmp, "bad.txt"), "2 3\na 1 2 3\nb 1 2\n");
  assert.throws(() => readWordVectors(join(tmp, "bad.txt")), /line 3 has 2 values, expected 3/);
  writeFileSync(join(tmp, "short.txt"), "3 2\na 1 2\n");
  assert.throws(() => readWordVectors(join(tmp, "short.txt")), /header says 3 words, the file has 1/);
  assert.throws(() => writeWordVectors(join(tmp, "w.txt"), new KeyedVectors(["a b"], new Matrix(1, 1, Float32Array.of(1)))), /without whitespace/);
});

test("KeyedVectors: similarity, neighbours, 3CosAdd/3CosMul analogies, odd one out, document vectors", () => {
  // a planted structure: gender axis g and royalty axis r, plus noise dimensions
  const noise = randn(8, 6, 5);
  const base: Record<string, number[]> = {
    man: [1, 0], woman: [-1, 0], king: [1, 1], queen: [-1, 1], prince: [1, 0.8], apple: [0, -1], pear: [0.1, -1.1], car: [0.2, -3],
  };
  const words = Object.keys(base);
  const V = Matrix.zeros(words.length, 8, "float32");
  words.forEach((w, i) => {
    V.data[i * 8] = base[w]![0]! * 3;
    V.data[i * 8 + 1] = base[w]![1]! * 3;
    for (let c = 2; c < 8; c++) V.data[i * 8 + c] = 0.05 * noise.get(i, c - 2);
  });
  const kv = new KeyedVectors(words, V);
  assert.ok(kv.similarity("king", "prince") > kv.similarity("king", "apple"));
  assert.ok(Math.abs(kv.similarity("king", "king") - 1) < 1e-6);
  assert.equal(kv.mostSimilar("king", [], 1)[0]!.word, "prince");
  assert.ok(!kv.mostSimilar("king", [], 7).some((s) => s.word === "king"));
  assert.equal(kv.analogy("man", "king", "woman")[0]!.word, "queen");
  assert.equal(kv.analogy("man", "king", "woman", { method: "mul" })[0]!.word, "queen");
  assert.equal(kv.doesntMatch(["apple", "pear", "king"]), "king");
  const D = kv.documentVectors([["king", "queen", "zebra"], ["apple"], ["zebra"]]);
  assert.ok(Math.abs(D.get(0, 1) - 3) < 1e-5 && Math.abs(D.get(0, 0)) < 1e-5);
  assert.deepEqual(Array.from(D.data.subarray(16, 24)), new Array(8).fill(0));
  const P = kv.documentVectors([["king", "prince"]], { method: "principal" });
  assert.ok(P.get(0, 0) > 0 && P.get(0, 1) > 0);
  const R = kv.documentVectors([["king"], ["queen"], ["prince"], ["man"]], { removeComponents: 1 });
  assert.equal(R.rows, 4);
  assert.throws(() => kv.similarity("king", "zebra"), /"zebra" is not in the vocabulary \(8 words\)/);
  // evaluation files: Spearman on scored pairs (ties ranked by their mean, as scipy), analogy accuracy per section
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12); // scipy 1.10
  assert.ok(Math.abs(pearson([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8320502943378436) < 1e-12);
  const pairsFile = join(tmp, "pairs.tsv");
  writeFileSync(pairsFile, "# word1\tword2\tscore\nKing\tprince\t9\nking\tqueen\t7\napple\tpear\t8.5\nking\tapple\t1\nzebra\tking\t3\n");
  const wp = evaluateWordPairs(kv, pairsFile);
  assert.equal(wp.pairs, 4);
  assert.equal(wp.skipped, 1);
  assert.ok(Math.abs(wp.oovRatio - 0.2) < 1e-12);
  const sims = [kv.similarity("king", "prince"), kv.similarity("king", "queen"), kv.similarity("apple", "pear"), kv.similarity("king", "apple")];
  assert.ok(Math.abs(wp.spearman - spearman(sims, [9, 7, 8.5, 1])) < 1e-12);
  const qFile = join(tmp, "questions.txt");
  writeFileSync(qFile, ": royalty\nman king woman queen\nwoman queen man king\nman king woman zebra\n: fruit\napple pear king car\n");
  const an = evaluateAnalogies(kv, qFile);
  assert.equal(an.total, 3);
  assert.equal(an.skipped, 1);
  // woman : queen :: man : ? is "prince" in this planted geometry (closer to queen − woman + man than king)
  assert.deepEqual(an.sections.map((x) => [x.name, x.correct, x.total]), [["royalty", 1, 2], ["fruit", 0, 1]]);
  assert.ok(Math.abs(an.accuracy - 1 / 3) < 1e-12);
  writeFileSync(join(tmp, "bad-pairs.tsv"), "a\tb\n");
  assert.throws(() => evaluateWordPairs(kv, join(tmp, "bad-pairs.tsv")), /line 1 has 2 fields/);
  assert.throws(() => kv.mostSimilar([]), /at least one word/);
  assert.throws(() => kv.doesntMatch(["king", "zebra"]), /at least two known words/);
});

test("PPMI-SVD vectors on a GCIDE slice put related words near each other", { timeout: 120000 }, async () => {
  const corpus = new TextCorpus(sharedData("text/gcide-definitions.txt.gz"), {}, 40000);
  const emb = await new CooccurrenceEmbedding({ dim: 100, window: 5, minCount: 5, seed: 0 }).fit(corpus);
  const kv = emb.vectors("w");
  assert.ok(kv.size > 5000);
  const top = (w: string): string[] => kv.mostSimilar(w, [], 20).map((s) => s.word);
  for (const [w, related] of [["red", ["blue", "yellow", "green", "color", "colour", "white", "black"]], ["king", ["queen", "prince", "sovereign", "monarch", "ruler", "emperor"]], ["river", ["stream", "lake", "water", "sea", "brook"]]] as const) {
    const t = top(w);
    assert.ok(related.some((r) => t.includes(r)), `${w}: ${t.join(" ")}`);
  }
  assert.ok(kv.similarity("horse", "sheep") > kv.similarity("horse", "payment"));
  assert.ok(kv.similarity("money", "cash") > kv.similarity("money", "sword"));
});

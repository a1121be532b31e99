// Issue 10, interoperability with scikit-learn 1.2 and gensim 4.2 on the same inputs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { loadDataset } from "../../src/io/dataset.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { trustworthiness } from "../../src/metrics/quality.js";
import { evaluateAnalogiesText, evaluateWordPairsText } from "../../src/text/evaluate.js";
import { KeyedVectors } from "../../src/text/keyed-vectors.js";
import { CountVectorizer } from "../../src/text/vectorizers.js";
import { PROJECT_DATA, runCli, scratchFile } from "../helpers.js";

test("CountVectorizer({binary, maxFeatures}) keeps the terms in most documents, as scikit-learn", async () => {
  // "spam" has the largest total count (6, all in one document); "tea" and "cup" are in the most documents
  const docs = ["spam spam spam spam spam spam tea", "tea cup", "cup tea milk", "milk cup"];
  const bin = await new CountVectorizer({ binary: true, maxFeatures: 2 }).fit(docs);
  assert.deepEqual([...bin.terms], ["cup", "tea"]);
  const counts = await new CountVectorizer({ maxFeatures: 2 }).fit(docs);
  assert.deepEqual([...counts.terms], ["cup", "spam"]); // total counts: spam 6, cup 3, tea 3 (ties by term)
});

test("a variance fraction equal to a cumulative ratio keeps one more component (scikit-learn #15669)", async () => {
  const X4 = loadDataset(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X.colRange(20, 24);
  const full = await new PCA({ solver: "full" }).fit(X4);
  const ratio = full.explainedVarianceRatio;
  const cum = [...ratio].reduce<number[]>((a, v) => (a.push((a.at(-1) ?? 0) + v), a), []);
  // exactly the second-highest cumulative ratio: all the features (as scikit-learn's regression test)
  const p = await new PCA({ nComponents: cum[cum.length - 2]!, solver: "full" }).fit(X4);
  assert.equal(p.nComponents, X4.cols);
  const p1 = await new PCA({ nComponents: cum[0]!, solver: "full" }).fit(X4);
  assert.equal(p1.nComponents, 2);
  const below = await new PCA({ nComponents: cum[0]! - 1e-9, solver: "full" }).fit(X4);
  assert.equal(below.nComponents, 1);
});

test("new TSNE({nComponents: 1}) works with the default method", async () => {
  const X = loadDataset(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X.rowRange(0, 150);
  const t = new TSNE({ nComponents: 1, maxIter: 400, perplexity: 15 });
  const Z = await t.fitTransform(X);
  assert.equal(Z.cols, 1);
  assert.equal(t.resolvedMethod(150), "exact");
  assert.ok(Z.data.every(Number.isFinite));
  // a 1-D map of digits still keeps most neighbourhoods (random order gives about 0.5)
  assert.ok(trustworthiness(X, Z, 5) > 0.75, `${trustworthiness(X, Z, 5)}`);
});

test("word pairs and analogies match words case-insensitively against the vocabulary and count what was skipped", async () => {
  // cased vocabulary (as GoogleNews vectors): "Paris" and "paris" both exist; the first (most frequent) stands for
  // its upper-cased form
  const words = ["King", "queen", "Man", "woman", "Paris", "France", "paris", "Berlin", "Germany"];
  const vecs = [[1, 1, 0], [1, -1, 0.1], [0.2, 1, 0], [0.2, -1, 0.1], [0, 0.1, 1], [0.5, 0.2, 1], [0, 0, -1], [0, 0.3, 1], [0.5, 0.4, 1]];
  const kv = new KeyedVectors(words, Matrix.fromArray(vecs));
  const pairs = "king\tqueen\t8\nman\twoman\t8\nKING\tman\t5\nparis\tfrance\t9\nberlin\tgermany\t9\nunicorn\tking\t1\n";
  const r = evaluateWordPairsText(kv, pairs);
  assert.equal(r.pairs, 5);
  assert.equal(r.skipped, 1);
  assert.ok(Math.abs(r.oovRatio - 1 / 6) < 1e-12);
  // "paris" is looked up as "Paris" (the first of its forms), as gensim does
  // looked up exactly, only lower-case "paris" is known: no pair has both words
  assert.throws(() => evaluateWordPairsText(kv, pairs, { caseSensitive: true }), /fewer than two pairs have both words in the vocabulary \(6 skipped\)/);
  const analogies = ": capitals\nparis france berlin germany\nberlin germany paris france\nrome italy paris france\n: people\nman king woman queen\n";
  const a = evaluateAnalogiesText(kv, analogies);
  assert.equal(a.total + a.skipped, 4);
  assert.equal(a.skipped, 1);
  const cli = runCli("evaluate", scratchFile("cased.vec", `${words.length} 3\n${words.map((w, i) => `${w} ${vecs[i]!.join(" ")}`).join("\n")}\n`),
    "--pairs", scratchFile("pairs.tsv", pairs), "--json");
  assert.equal(cli.status, 0, cli.stderr);
  const out = JSON.parse(cli.stdout);
  assert.equal(out.pairs.pairs, 5);
  assert.equal(out.pairs.skipped, 1);
});

test("test files that need ../shared/data stop with one clear line when it is missing", () => {
  // the helper, run where the shared folder does not exist
  const helpers = fileURLToPath(new URL("../helpers.js", import.meta.url));
  const script = `import(${JSON.stringify(helpers)}).then((h) => { h.sharedData("no/such/file.csv"); console.log("not reached"); });`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^this test needs no\/such\/file\.csv from the shared data folder, which is missing: expected .*no\/such\/file\.csv/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

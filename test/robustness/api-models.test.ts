// Issue 10, cause 6: saved models are checked for values and consistency, and the CLI's --save-model file loads with
// the documented call.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PCA } from "../../src/decomposition/pca.js";
import { TruncatedSVD } from "../../src/decomposition/truncated-svd.js";
import { loadDataset } from "../../src/io/dataset.js";
import { MDS } from "../../src/manifold/mds.js";
import { Sammon } from "../../src/manifold/sammon.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { UMAP } from "../../src/manifold/umap.js";
import { StandardScaler } from "../../src/preprocessing/scaler.js";
import { LSA } from "../../src/text/lsa.js";
import { TfidfVectorizer } from "../../src/text/vectorizers.js";
import { Vocabulary } from "../../src/text/vocabulary.js";
import { PROJECT_DATA, refuses, runCli, scratchDir } from "../helpers.js";

const digits = loadDataset(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X.rowRange(0, 120);
/** A deep copy of a saved model with one change. */
const edit = <T>(json: T, change: (j: any) => void): T => {
  const j = JSON.parse(JSON.stringify(json));
  change(j);
  return j;
};

test("PCA.fromJSON checks every value and that the parts agree", async () => {
  const pca = await new PCA({ nComponents: 3 }).fit(digits);
  const json = pca.toJSON();
  const back = PCA.fromJSON(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(Array.from(back.transform(digits).data), Array.from(pca.transform(digits).data));
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.components.data[5] = "x"))),
    /^PCA\.components: entry \[0\]\[5\] is "x": expected a finite number in the float32 range in the saved model$/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.components.data[0] = null))), /^PCA\.components: entry \[0\]\[0\] is null/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.components.data[70] = 1e39))), /^PCA\.components: entry \[1\]\[6\] is 1e\+39/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => j.singularValues.pop())),
    /^PCA\.singularValues: 2 values, expected 3 \(one per component: components has 3 rows\)$/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.explainedVariance[1] = -1))), /^PCA\.explainedVariance\[1\] is -1: expected a finite number >= 0/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => j.mean.push(0))), /^PCA\.mean: 65 values, expected 64 \(one per column of the components\)$/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.mean[3] = "0"))), /^PCA\.mean\[3\] is "0": expected a finite number/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.noiseVariance = "big"))), /^PCA\.noiseVariance is "big": expected a finite number >= 0/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.nSamples = 2.5))), /^PCA\.nSamples is 2\.5: expected a finite integer >= 2/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.solverUsed = "magic"))), /^PCA\.solverUsed is "magic"/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.components.rows = -3))), /^PCA\.components: expected \{rows, cols, data\} with non-negative integer rows/);
  await refuses(() => PCA.fromJSON(edit(json, (j) => (j.options.nComponents = 5))), /^PCA: options\.nComponents is 5 but PCA\.components has 3 rows in the saved model$/);
});

test("LSA.fromJSON checks that its vectorizer, SVD and document vectors belong together", async () => {
  const docs = ["the cat sat on the mat", "a dog sat on a log", "the cat saw the dog", "ships sail on the sea", "the sea is wide"];
  const other = ["red green blue", "green blue yellow", "blue red", "yellow green red blue", "red red green"];
  const a = await new LSA({ nComponents: 2 }).fit(docs);
  const b = await new LSA({ nComponents: 2 }).fit(other);
  const ja = JSON.parse(JSON.stringify(a.toJSON()));
  const jb = JSON.parse(JSON.stringify(b.toJSON()));
  assert.deepEqual(LSA.fromJSON(ja).topTerms(0, 3), a.topTerms(0, 3));
  await refuses(() => LSA.fromJSON({ ...ja, svd: jb.svd }), /^LSA: the saved SVD has \d+ term columns but the saved vectorizer has \d+ terms/);
  await refuses(() => LSA.fromJSON(edit(ja, (j) => { j.documents.cols = 1; j.documents.data = j.documents.data.slice(0, j.documents.rows); })),
    /^LSA\.documents has 1 columns, expected 2/);
});

test("every estimator's fromJSON rejects non-numbers and mismatched parts", async () => {
  const svd = await new TruncatedSVD({ nComponents: 2 }).fit(digits);
  await refuses(() => TruncatedSVD.fromJSON(edit(svd.toJSON(), (j) => j.singularValues.push(1))), /^TruncatedSVD\.singularValues: 3 values, expected 2/);
  const sc = await new StandardScaler().fit(digits);
  await refuses(() => StandardScaler.fromJSON(edit(sc.toJSON(), (j) => (j.scale[0] = 0))), /^StandardScaler\.scale\[0\] is 0: expected a positive number/);
  await refuses(() => StandardScaler.fromJSON(edit(sc.toJSON(), (j) => j.variance.pop())), /^StandardScaler\.variance: 63 values, expected 64/);
  const small = digits.rowRange(0, 30);
  const tsne = new TSNE({ perplexity: 5, maxIter: 250 });
  await tsne.fit(small);
  await refuses(() => TSNE.fromJSON(edit(tsne.toJSON(), (j) => (j.klDivergence = "low"))), /^TSNE\.klDivergence is "low"/);
  await refuses(() => TSNE.fromJSON(edit(tsne.toJSON(), (j) => ((j.data.rows = 29), (j.data.data = j.data.data.slice(64))))),
    /^TSNE\.data: 29 rows, expected 30 to match the rest of the saved model/);
  const umap = new UMAP({ nNeighbors: 5, nEpochs: 20 });
  await umap.fit(small);
  await refuses(() => UMAP.fromJSON(edit(umap.toJSON(), (j) => (j.embedding.data[3] = "NaN"))), /^UMAP\.embedding: entry \[1\]\[1\] is "NaN"/);
  await refuses(() => UMAP.fromJSON(edit(umap.toJSON(), (j) => (j.a = null))), /^UMAP\.a is null/);
  const mds = new MDS({ maxIter: 20 });
  await mds.fit(small);
  await refuses(() => MDS.fromJSON(edit(mds.toJSON(), (j) => (j.stress = null))), /^MDS\.stress is null: expected a finite number >= 0/);
  await refuses(() => MDS.fromJSON(edit(mds.toJSON(), (j) => ((j.embedding.cols = 3), (j.embedding.rows = 20)))), /^MDS\.embedding: 3 columns, expected 2/);
  const sam = new Sammon({ maxIter: 10 });
  await sam.fit(small);
  await refuses(() => Sammon.fromJSON(edit(sam.toJSON(), (j) => (j.stress = -1))), /^Sammon\.stress is -1/);
  const tf = await new TfidfVectorizer().fit(["the cat sat", "the dog ran"]);
  await refuses(() => TfidfVectorizer.fromJSON(edit(tf.toJSON(), (j) => (j.idf[0] = "1"))), /^TfidfVectorizer\.idf\[0\] is "1"/);
  await refuses(() => TfidfVectorizer.fromJSON(edit(tf.toJSON(), (j) => (j.terms[1] = j.terms[0]))), /^TfidfVectorizer\.terms\[1\]: "\w+" appears twice/);
  const vocab = new Vocabulary(["a", "b"], [3, 2]);
  await refuses(() => Vocabulary.fromJSON(edit(vocab.toJSON(), (j) => (j.counts[1] = "2"))), /^Vocabulary\.counts\[1\] is "2"/);
  // the unedited files load
  assert.equal(UMAP.fromJSON(JSON.parse(JSON.stringify(umap.toJSON()))).embedding.rows, 30);
  await refuses(() => UMAP.fromJSON(JSON.parse(JSON.stringify(umap.toJSON()))).graph, /^this UMAP was loaded from a saved model, which keeps the map and the training data but not the fuzzy graph/);
  assert.equal(Sammon.fromJSON(JSON.parse(JSON.stringify(sam.toJSON()))).stress, sam.stress);
});

test("the CLI's --save-model file loads with PCA.fromJSON(file); with --standardize it holds the scaler too", async () => {
  const model = join(scratchDir(), "model.json");
  const csv = join(PROJECT_DATA, "digits.csv.gz");
  const r = runCli("pca", csv, "--label-column", "-1", "-k", "3", "--standardize", "--save-model", model, "--out", join(scratchDir(), "z.tsv"), "--json");
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(model, "utf8"));
  const pca = PCA.fromJSON(json);
  const scaler = StandardScaler.fromJSON(json.scaler);
  assert.equal(pca.nComponents, 3);
  // the saved pipeline reproduces the CLI's projections
  const all = loadDataset(csv, { labelColumn: -1 }).X;
  const Z = pca.transform(scaler.transform(all));
  const lines = readFileSync(join(scratchDir(), "z.tsv"), "utf8").trim().split("\n");
  const first = lines[0]!.split("\t").map(Number);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(first[c]! - Z.get(0, c)) < 1e-4, `${first[c]} vs ${Z.get(0, c)}`);
  const help = runCli("pca", "--help");
  assert.match(help.stdout, /PCA\.fromJSON\(json\)/);
});

// The estimator contract, for every estimator: a JSON round trip keeps every parameter (getParams) and the fitted
// behaviour (transform of new data, or the fitted output), every option is in the schema, unknown options fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as latentkit from "../../src/index.js";
import { LatentkitError } from "../../src/core/errors.js";
import type { EstimatorClass } from "../../src/core/estimator.js";
import { Matrix } from "../../src/core/matrix.js";
import type { AnySchema } from "../../src/core/params.js";
import { Random } from "../../src/core/random.js";
import { PCA } from "../../src/decomposition/pca.js";
import { TruncatedSVD } from "../../src/decomposition/truncated-svd.js";
import { readCsv } from "../../src/io/csv.js";
import { MDS } from "../../src/manifold/mds.js";
import { Sammon } from "../../src/manifold/sammon.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { UMAP } from "../../src/manifold/umap.js";
import { StandardScaler } from "../../src/preprocessing/scaler.js";
import { CooccurrenceEmbedding } from "../../src/text/cooccurrence.js";
import { LSA } from "../../src/text/lsa.js";
import { CountVectorizer, TfidfVectorizer } from "../../src/text/vectorizers.js";
import { Word2Vec } from "../../src/text/word2vec.js";
import { Autoencoder } from "../../src/models/autoencoder.js";
import { DenoisingAutoencoder } from "../../src/models/denoising.js";
import { LogisticRegression } from "../../src/linear/logistic.js";
import { KNeighborsClassifier } from "../../src/neighbors/classifier.js";
import { LinearAutoencoder } from "../../src/models/linear-autoencoder.js";
import { SparseAutoencoder } from "../../src/models/sparse.js";
import { ContractiveAutoencoder } from "../../src/models/contractive.js";
import { ConvAutoencoder } from "../../src/models/conv-autoencoder.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { VAE } from "../../src/models/vae.js";
import { SemanticHashing } from "../../src/models/semantic-hashing.js";
import { RandomHyperplaneLSH } from "../../src/neighbors/hamming.js";
import { NetMF } from "../../src/graph/netmf.js";
import { Graph } from "../../src/graph/graph.js";
import { DeepWalk, Node2Vec } from "../../src/graph/node2vec.js";
import { readEdgeList } from "../../src/io/graph.js";
import { PROJECT_DATA, sharedData } from "../helpers.js";

const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
const train = digits.X.rowRange(0, 200);
const fresh = digits.X.rowRange(1000, 1020);
const trainLabels = digits.labels!.slice(0, 200);
const unit = (M: Matrix): Matrix => new Matrix(M.rows, M.cols, Float32Array.from(M.data, (v) => v / 16));

const DOCS = [
  "the cat sat on the mat", "the dog ran in the park", "cats and dogs are friends or foes", "the cat played in the park",
  "a dog and a cat sat together", "the park was green and quiet", "dogs ran after the cats", "a quiet mat in the sun",
];
const NEW_DOCS = ["a cat in the sun", "dogs and cats in a green park", "cat cat dog park park park", "zebra"];

/** Sentences over a 40-word vocabulary where word w is followed by w+1 or w+2 (so contexts carry structure). */
function corpus(n: number, seed: number): string[][] {
  const rng = new Random(seed);
  const out: string[][] = [];
  for (let s = 0; s < n; s++) {
    let w = rng.int(40);
    const sent: string[] = [];
    for (let t = 0; t < 10; t++) {
      sent.push(`w${w}`);
      w = (w + 1 + rng.int(2)) % 40;
    }
    out.push(sent);
  }
  return out;
}
const SENTENCES = corpus(600, 3);

type Probe = (e: any) => Promise<unknown> | unknown;

interface Case {
  name: string;
  cls: EstimatorClass<any, any, any>;
  /** Non-default options (the ones a round trip used to lose among them). */
  options: Record<string, unknown>;
  fit: (e: any) => Promise<unknown>;
  /** What must be the same before and after the round trip: transform of new data where there is one. */
  probe: Probe;
  /** Saved options whose loss must show in the probe (proof that the check can fail). */
  sensitive?: string[];
}

const plain = (m: Matrix): number[] => Array.from(m.data);
/** Digits' grey levels 0..16 scaled to [0, 1]. */
const scaled = (m: Matrix): Matrix => new Matrix(m.rows, m.cols, Float32Array.from(m.data, (v) => v / 16));

/** A ring of 12 named nodes with two chords: a small graph for the node-embedding estimators. */
const RING = Graph.fromEdges({
  source: [...Array.from({ length: 12 }, (_, i) => `n${i}`), "n0", "n3"],
  target: [...Array.from({ length: 12 }, (_, i) => `n${(i + 1) % 12}`), "n6", "n9"],
});
const karate = readEdgeList(sharedData("graphs/karate.edges.tsv.gz"));

const CASES: Case[] = [
  {
    name: "DeepWalk", cls: DeepWalk, options: { dim: 8, walkLength: 12, walksPerNode: 3, window: 4, epochs: 2, seed: 3, threads: 1, sample: 0 },
    fit: (e) => e.fit(karate), probe: (e) => [e.names, plain(e.embedding), e.vectors.mostSimilar("0", [], 3)],
  },
  {
    name: "Node2Vec", cls: Node2Vec, options: { dim: 8, walkLength: 12, walksPerNode: 3, p: 0.5, q: 2, negativeSharing: "pair", seed: 3, threads: 1 },
    fit: (e) => e.fit(karate), probe: (e) => [e.names, plain(e.embedding), e.vectors.mostSimilar("33", [], 3)],
  },
  {
    name: "PCA", cls: PCA, options: { nComponents: 5, solver: "full", whiten: true, seed: 3 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), plain(e.inverseTransform(e.transform(fresh)))],
    sensitive: ["whiten"],
  },
  {
    name: "TruncatedSVD", cls: TruncatedSVD, options: { nComponents: 4, nIter: 3, nOversamples: 6, seed: 2 },
    fit: (e) => e.fit(train), probe: (e) => plain(e.transform(fresh)),
  },
  {
    name: "StandardScaler", cls: StandardScaler, options: { withMean: false },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), plain(e.inverseTransform(fresh))],
    sensitive: ["withMean"],
  },
  {
    // the known-bad case: TSNE.toJSON dropped metric, so a cosine map came back euclidean
    name: "TSNE", cls: TSNE, options: { metric: "cosine", perplexity: 10, maxIter: 250, seed: 3, theta: 0.4 },
    fit: (e) => e.fit(train), probe: async (e) => plain(await e.transform(fresh)),
    sensitive: ["metric"],
  },
  {
    // the known-bad case: UMAP.toJSON dropped learningRate, negativeSampleRate, repulsionStrength and threads
    name: "UMAP", cls: UMAP,
    options: { nNeighbors: 10, nEpochs: 60, learningRate: 0.5, negativeSampleRate: 2, repulsionStrength: 2, threads: 1, seed: 4 },
    fit: (e) => e.fit(train), probe: async (e) => plain(await e.transform(fresh)),
    sensitive: ["learningRate", "negativeSampleRate", "repulsionStrength"],
  },
  {
    name: "MDS", cls: MDS, options: { nComponents: 3, maxIter: 40, eps: 1e-4, seed: 5 },
    fit: (e) => e.fit(train.rowRange(0, 60)), probe: (e) => [plain(e.embedding), e.stress],
  },
  {
    name: "Sammon", cls: Sammon, options: { maxIter: 15, labelWeight: 0.5, method: "gradient", learningRate: 0.5 },
    fit: (e) => e.fit(train.rowRange(0, 60), trainLabels.slice(0, 60)), probe: (e) => [plain(e.embedding), e.stress, e.nIter],
  },
  {
    name: "CountVectorizer", cls: CountVectorizer, options: { stopWords: new Set(["the", "a"]), ngramRange: [1, 2], binary: true },
    fit: (e) => e.fit(DOCS), probe: (e) => [e.terms, Array.from(e.transform(NEW_DOCS).toDense().data)],
    sensitive: ["stopWords", "binary"],
  },
  {
    name: "TfidfVectorizer", cls: TfidfVectorizer, options: { norm: "l1", sublinearTf: true, smoothIdf: false, minDf: 2 },
    fit: (e) => e.fit(DOCS), probe: (e) => [e.terms, Array.from(e.transform(NEW_DOCS).toDense().data)],
    sensitive: ["norm"],
  },
  {
    name: "LSA", cls: LSA, options: { nComponents: 3, nIter: 3, seed: 1, vectorizer: { ngramRange: [1, 2], stopWords: ["the"] } },
    fit: (e) => e.fit(DOCS), probe: (e) => [plain(e.transform(NEW_DOCS)), e.search("cat park", 3)],
  },
  {
    name: "CooccurrenceEmbedding", cls: CooccurrenceEmbedding, options: { dim: 6, window: 2, weighting: "harmonic", alpha: 0.9, eigenWeight: 1 },
    fit: (e) => e.fit(SENTENCES), probe: (e) => [plain(e.vectors("w+c").vectors), e.vectors().mostSimilar("w3", [], 3)],
  },
  {
    name: "Word2Vec", cls: Word2Vec, options: { dim: 12, window: 3, epochs: 1, minCount: 2, threads: 1, seed: 7, model: "cbow" },
    fit: (e) => e.fit(SENTENCES), probe: (e) => [e.vocabulary.words, plain(e.wordMatrix), plain(e.contextMatrix), e.vectors.mostSimilar("w3", [], 3)],
  },
  {
    name: "Autoencoder", cls: Autoencoder,
    options: { layers: [16], code: 3, activation: "tanh", loss: "mse", tied: true, epochs: 2, batchSize: 50, learningRate: 3e-3, seed: 2 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), plain(e.inverseTransform(e.transform(fresh)))],
    sensitive: ["activation", "loss"],
  },
  {
    name: "DenoisingAutoencoder", cls: DenoisingAutoencoder,
    options: { layers: [16], code: 3, noise: "gaussian", noiseLevel: 0.2, loss: "mse", epochs: 2, batchSize: 50, learningRate: 3e-3, seed: 2 },
    // digits are 0..16: scaled to [0, 1] for the Gaussian corruption; the probe includes the denoising loss, which
    // depends on the saved noise and noiseLevel
    fit: (e) => e.fit(scaled(train)),
    probe: (e) => [plain(e.transform(scaled(fresh))), plain(e.reconstruct(scaled(fresh))), e.denoisingError(scaled(fresh), { seed: 1 })],
    sensitive: ["noise", "noiseLevel", "loss"],
  },
  {
    // supervised: fit takes the labels; saved without multiClass, the ovr weights would be read as a softmax
    name: "LogisticRegression", cls: LogisticRegression, options: { C: 0.05, multiClass: "ovr", maxIter: 40, tol: 1e-6, memory: 5 },
    fit: (e) => e.fit(train, trainLabels), probe: (e) => [e.predict(fresh), plain(e.predictProba(fresh)), e.classes, e.nIter],
    sensitive: ["multiClass"],
  },
  {
    // transductive: the fitted embedding and node names are the state
    name: "NetMF", cls: NetMF, options: { dim: 3, window: 3, negative: 2, mode: "dense", svdIter: 5, oversample: 4, seed: 4 },
    fit: (e) => e.fit(RING), probe: (e) => [plain(e.embedding), [...e.names], Array.from(e.singularValues), e.mode],
  },
  {
    name: "KNeighborsClassifier", cls: KNeighborsClassifier, options: { k: 3, metric: "cosine" },
    fit: (e) => e.fit(train, trainLabels), probe: (e) => [e.predict(fresh), e.classes, e.score(fresh, digits.labels!.slice(1000, 1020))],
  },
  {
    name: "LinearAutoencoder", cls: LinearAutoencoder,
    options: { code: 3, tied: true, epochs: 2, batchSize: 50, learningRate: 3e-3, lrSchedule: "cosine", seed: 2 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), plain(e.inverseTransform(e.transform(fresh)))],
  },
  {
    name: "SparseAutoencoder", cls: SparseAutoencoder,
    options: { layers: [16], code: 6, sparsity: "l1", target: 0.1, sparsityWeight: 0.5, codeActivation: "relu", loss: "mse", epochs: 2, batchSize: 50, seed: 2 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), plain(e.inverseTransform(e.transform(fresh))), e.sparsityPenalty(fresh)],
    sensitive: ["sparsityWeight", "codeActivation"],
  },
  {
    name: "ContractiveAutoencoder", cls: ContractiveAutoencoder,
    options: { layers: [12], code: 4, contraction: 0.3, loss: "mse", epochs: 2, batchSize: 50, seed: 2 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), e.jacobianNorm(fresh), e.reconstructionError(fresh)],
    sensitive: ["contraction"],
  },
  {
    // the digits as 8x8 single-channel images (grey levels 0..16: loss mse)
    name: "ConvAutoencoder", cls: ConvAutoencoder,
    options: { imageShape: [1, 8, 8], channels: [4, 4], kernelSize: 3, code: 3, upsample: "nearest", loss: "mse", codeActivation: "tanh", epochs: 2, batchSize: 50, learningRate: 3e-3, seed: 2 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), plain(e.inverseTransform(e.transform(fresh)))],
    sensitive: ["codeActivation", "loss"],
  },
  {
    // the digits as 8x8 images, with batch norm (the probe depends on its saved statistics), a residual block and
    // dropout; every saved option that shapes the net is needed to load its tensors (a loss fails the load)
    name: "CNNClassifier", cls: CNNClassifier,
    options: { layers: "conv4,bn,relu,res4,maxpool,dropout0.2,flatten,dense8,relu", optimizer: "sgd", momentum: 0.8, nesterov: true, lrSchedule: "step", epochs: 2, batchSize: 50, learningRate: 0.05, seed: 2 },
    fit: (e) => e.fit(scaled(train), trainLabels),
    probe: (e) => [e.predict(scaled(fresh)), plain(e.predictProba(scaled(fresh))), plain(e.transform(scaled(fresh), "res1")), e.classes, e.layerNames],
  },
  {
    // pixels / 16 in [0, 1], so that either likelihood takes them (the probe without "likelihood" is Bernoulli)
    name: "VAE", cls: VAE,
    options: { layers: [12], code: 3, likelihood: "gaussian", beta: 0.5, epochs: 2, batchSize: 50, learningRate: 3e-3, seed: 2 },
    fit: (e) => e.fit(unit(train)),
    probe: (e) => [plain(e.transform(unit(fresh))), plain(e.inverseTransform(e.transform(unit(fresh)))), e.reconstructionError(unit(fresh)), e.elbo(unit(fresh), 1), plain(e.sample(2, 3))],
    sensitive: ["likelihood", "beta"],
  },
  {
    name: "SemanticHashing", cls: SemanticHashing,
    options: { bits: 6, layers: [12], activation: "tanh", input: "real", noiseStd: 1, balance: 0.5, epochs: 2, batchSize: 50, learningRate: 3e-3, seed: 2 },
    fit: (e) => e.fit(train.rowRange(0, 100)),
    probe: (e) => [plain(e.transform(fresh)), Array.from(e.codes(fresh).words), plain(e.reconstruct(fresh))],
    sensitive: ["activation", "input"],
  },
  {
    name: "RandomHyperplaneLSH", cls: RandomHyperplaneLSH, options: { bits: 40, center: false, seed: 4 },
    fit: (e) => e.fit(train), probe: (e) => [plain(e.transform(fresh)), Array.from(e.codes(fresh).words)],
  },
];

const roundTrip = (e: { toJSON(): unknown }): unknown => JSON.parse(JSON.stringify(e.toJSON()));

for (const c of CASES) {
  test(`${c.name}: a JSON round trip keeps every parameter and the fitted behaviour`, async () => {
    const est = new c.cls(c.options);
    await c.fit(est);
    const json = roundTrip(est) as { options: Record<string, unknown> };
    const copy = c.cls.fromJSON(json);
    assert.deepEqual(copy.getParams(), est.getParams());
    assert.deepEqual(await c.probe(copy), await c.probe(est));
    // every serialisable parameter that is set is in the saved options
    const schema = c.cls.schema;
    const params = est.getParams();
    for (const [key, spec] of Object.entries(schema)) {
      if (spec.serialise && params[key] !== undefined) assert.ok(key in json.options, `${c.name}.toJSON() lacks option ${key}`);
      if (!spec.serialise) assert.ok(!(key in json.options), `${c.name}.toJSON() saved ${key}`);
    }
    // the probe is sensitive: dropping a saved option (as the old toJSON did) changes it
    for (const key of c.sensitive ?? []) {
      const { [key]: _, ...rest } = json.options;
      const lossy = c.cls.fromJSON({ ...json, options: rest });
      assert.notDeepEqual(await c.probe(lossy), await c.probe(est), `${c.name} without ${key} behaves the same`);
    }
  });
}

test("every estimator exported by latentkit is covered by the round-trip cases", () => {
  const covered = new Set(CASES.map((c) => c.cls as unknown));
  // the autoencoder family's abstract base is exported for subclassing, not constructed
  const estimators = Object.entries(latentkit).filter(([n, v]) => n !== "AutoencoderBase" &&
    typeof v === "function" && typeof (v as { prototype?: { fit?: unknown } }).prototype?.fit === "function");
  assert.ok(estimators.length >= CASES.length);
  for (const [name, cls] of estimators) assert.ok(covered.has(cls), `${name} has fit() but no round-trip case`);
});

for (const c of CASES) {
  test(`${c.name}: getParams() has exactly the schema's options; unknown options are refused`, () => {
    const schema: AnySchema = c.cls.schema;
    const est = new c.cls();
    assert.deepEqual(Object.keys(est.getParams()).sort(), Object.keys(schema).sort());
    assert.deepEqual(est.getParams(), est.options);
    assert.notEqual(est.getParams(), est.options); // a copy
    for (const [key, spec] of Object.entries(schema)) {
      assert.ok(spec.doc.length > 0, `${c.name}.${key} has no doc`);
      assert.equal(est.getParams()[key], spec.default, `${c.name}.${key}: the default`);
      if (spec.default !== undefined) spec.check(spec.default, key); // defaults pass their own check
      assert.equal(spec.serialise, spec.kind !== "function" && spec.kind !== "signal", `${c.name}.${key}: serialise`);
    }
    assert.throws(() => new c.cls({ notAnOption: 1 }), (e: unknown) =>
      e instanceof LatentkitError && e.message.startsWith(`unknown option "notAnOption" for ${c.name}`));
  });
}

test("Word2Vec: saved without its context vectors it keeps the word vectors, and says what is missing", async () => {
  const w = await new Word2Vec({ dim: 8, epochs: 1, minCount: 2, threads: 1 }).fit(SENTENCES);
  const json = JSON.parse(JSON.stringify(w.toJSON({ includeContext: false })));
  assert.equal(json.contexts, undefined);
  const copy = Word2Vec.fromJSON(json);
  assert.deepEqual(plain(copy.wordMatrix), plain(w.wordMatrix));
  assert.deepEqual(copy.stats, w.stats);
  assert.throws(() => copy.contextMatrix, /loaded without its context vectors/);
  assert.throws(() => Word2Vec.fromJSON({ ...json, options: { ...json.options, dim: 9 } }), /saved word vectors are \d+x8, expected \d+x9/);
  assert.throws(() => Word2Vec.fromJSON({ ...json, type: "CooccurrenceEmbedding" }), /expected a saved Word2Vec/);
});

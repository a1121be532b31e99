// The main entry ("latentkit") must bundle for a browser: no `node:` import reachable from it. The Node entry
// ("latentkit/node") holds the file I/O, and every name the single entry used to export is still in one of the two.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ROOT, bundleForBrowser, nodeImports } from "./bundle.js";

test("the main entry and its helper worker bundle for the browser with no node: import", async () => {
  let bundle;
  try {
    bundle = await bundleForBrowser();
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string } | null }> }).errors ?? [];
    assert.fail(`esbuild cannot bundle the main entry for the browser:\n${errors.map((x) => `${x.location?.file}: ${x.text}`).join("\n") || e}`);
  }
  assert.deepEqual(nodeImports(bundle.metafile), []);
  const inputs = Object.keys(bundle.metafile.inputs);
  // nothing from the Node side was pulled in, even without a node: import of its own
  assert.deepEqual(inputs.filter((f) => /dist\/src\/(io|cli)\/|dist\/src\/node\.js|core\/wasm\/worker\.js/.test(f)), []);
  assert.ok(inputs.some((f) => f.endsWith("dist/src/manifold/tsne.js")), "the bundle holds t-SNE");
  const index = bundle.files.get("index.js")!;
  assert.ok(index.length > 100000);
  // the helper script is found beside the bundle at run time
  assert.match(index, /new URL\("\.\/web-worker\.js", import\.meta\.url\)/);
  assert.ok(bundle.files.get("web-worker.js")!.includes("Atomics.wait"));
  // no bare `require` of Node modules survived (esbuild would keep them as __require calls)
  assert.doesNotMatch(index, /__require\(/);
});

test("the check catches node: imports: the Node entry does not bundle for the browser", async () => {
  await assert.rejects(() => bundleForBrowser({ node: `${ROOT}dist/src/node.js` }), (e: { errors?: Array<{ text: string }> }) => {
    const texts = (e.errors ?? []).map((x) => x.text).join("\n");
    assert.match(texts, /node:fs/);
    assert.match(texts, /node:zlib/);
    return true;
  });
});

// The value names src/index.ts exported before the split into "latentkit" and "latentkit/node".
const BEFORE = `Matrix toMatrix checkFinite Random LatentkitError CancelledError matmul pairwiseSqDistances rowSqNorms withPinned
  setThreads wasmCore qr qrR eigh svd svdFlip randomizedSVD orthonormalize CsrMatrix DenseOperator SparseOperator asOperator
  PCA TruncatedSVD lowRankApproximation StandardScaler parseCsv readCsv parseNpy encodeNpy readNpy writeNpy parseIdx readIdx
  readIdxImages readIdxLabels loadDataset FASHION_MNIST_CLASSES writeEmbedding matrixToTsv metadataTsv render saveFigure
  scatterFigure imageGridFigure reconstructionFigure spectrumFigure exactKnn normalizeRows trustworthiness continuity
  knnRecall knnAccuracy stress sammonStress distanceMatrix TSNE UMAP MDS classicalMDS Sammon calibratePerplexity
  jointProbabilities nnDescent knnGraph FFTPlan isFftSize nextFftSize FftRepulsion Tokenizer ENGLISH_STOP_WORDS TextCorpus
  readLines readDocuments Vocabulary CountVectorizer TfidfVectorizer LSA CooccurrenceEmbedding cooccurrenceCounts ppmi
  Word2Vec KeyedVectors removeCommonComponents readWordVectors writeWordVectors formatFloat32 evaluateWordPairs
  evaluateAnalogies spearman pearson ranks`.split(/\s+/);

// What moved to "latentkit/node" (README's Library section lists the same).
const MOVED = `readCsv readNpy writeNpy readIdx readIdxImages readIdxLabels loadDataset writeEmbedding saveFigure TextCorpus
  readLines readDocuments readWordVectors writeWordVectors evaluateWordPairs evaluateAnalogies`.split(/\s+/);

test("every name of the old single entry is in latentkit/node; the main entry keeps all but the file I/O", async () => {
  // the package's own name resolves through package.json "exports"
  const main = (await import("latentkit")) as Record<string, unknown>;
  const node = (await import("latentkit/node")) as Record<string, unknown>;
  assert.deepEqual(BEFORE.filter((n) => node[n] === undefined), []);
  assert.deepEqual(BEFORE.filter((n) => main[n] === undefined), MOVED);
  // the node entry adds to the main one: the same objects, except render, which compresses with zlib there
  assert.deepEqual(Object.keys(main).filter((n) => main[n] !== node[n]), ["render"]);
  assert.equal(typeof main.initCore, "function");
});

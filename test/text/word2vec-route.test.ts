import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { withRoute, type Route } from "../../src/core/backend.js";
import { wasmCore } from "../../src/core/wasm/runtime.js";
import { TextCorpus } from "../../src/io/corpus.js";
import { Word2Vec, type Word2VecOptions } from "../../src/text/word2vec.js";
import { SHARED_DATA } from "../helpers.js";

const CORPUS = join(SHARED_DATA, "text/gcide-definitions.txt.gz");
const sentences: string[][] = [];
for await (const s of new TextCorpus(CORPUS, {}, 1500)) if (s.length) sentences.push(s);

function fit(route: Route, opts: Word2VecOptions): Promise<Word2Vec> {
  // the route is chosen when training starts, after the vocabulary is built: withRoute keeps it until the fit settles
  return withRoute(route, () => new Word2Vec({ threads: 1, epochs: 1, seed: 4, minCount: 2, dim: 24, ...opts }).fit(sentences));
}

/** Smallest cosine between a word's vector in a and in b. */
function minCosine(a: Word2Vec, b: Word2Vec): number {
  const A = a.wordMatrix.data, B = b.wordMatrix.data, d = a.wordMatrix.cols;
  let min = 1;
  for (let i = 0; i < a.wordMatrix.rows; i++) {
    let ab = 0, aa = 0, bb = 0;
    for (let c = 0; c < d; c++) {
      ab += A[i * d + c]! * B[i * d + c]!;
      aa += A[i * d + c]! ** 2;
      bb += B[i * d + c]! ** 2;
    }
    min = Math.min(min, ab / Math.sqrt(aa * bb));
  }
  return min;
}

for (const opts of [{}, { negativeSharing: "pair" }, { model: "cbow" }] as Word2VecOptions[]) {
  test(`word2vec's TypeScript route is the kernel's algorithm: same vectors up to rounding with one thread ${JSON.stringify(opts)}`,
    { skip: !wasmCore() && "no WebAssembly core to compare with" }, async () => {
      const w = await fit("auto", opts);
      const s = await fit("ts", opts);
      // the same random stream: the same tokens survive subsampling and get trained
      assert.equal(s.stats.trainedWords, w.stats.trainedWords);
      assert.equal(s.stats.words, w.stats.words);
      assert.equal(s.vocabulary.size, w.vocabulary.size);
      const c = minCosine(w, s);
      assert.ok(c > 0.999, `smallest cosine between a word's WASM and TypeScript vectors: ${c}`);
      let maxDiff = 0, maxAbs = 0;
      for (let t = 0; t < w.wordMatrix.data.length; t++) {
        maxDiff = Math.max(maxDiff, Math.abs(w.wordMatrix.data[t]! - s.wordMatrix.data[t]!));
        maxAbs = Math.max(maxAbs, Math.abs(w.wordMatrix.data[t]!));
      }
      assert.ok(maxDiff < 1e-2 * maxAbs, `largest difference ${maxDiff} (largest weight ${maxAbs})`);
    });
}

test("word2vec trains without WebAssembly (LATENTKIT_WASM=0), as the forced TypeScript route does, and learns", async () => {
  const s = await fit("ts", { epochs: 3 });
  const code =
    `const { TextCorpus } = await import(${JSON.stringify(new URL("../../src/io/corpus.js", import.meta.url).href)});\n` +
    `const { Word2Vec } = await import(${JSON.stringify(new URL("../../src/text/word2vec.js", import.meta.url).href)});\n` +
    `const sentences = []; for await (const s of new TextCorpus(${JSON.stringify(CORPUS)}, {}, 1500)) if (s.length) sentences.push(s);\n` +
    "const w = await new Word2Vec({ threads: 1, epochs: 3, seed: 4, minCount: 2, dim: 24 }).fit(sentences);\n" +
    "console.log(JSON.stringify({ trained: w.stats.trainedWords, head: Array.from(w.wordMatrix.data.subarray(0, 50)) }));";
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, LATENTKIT_WASM: "0" } });
  assert.equal(r.status, 0, r.stderr);
  const child = JSON.parse(r.stdout) as { trained: number; head: number[] };
  assert.equal(child.trained, s.stats.trainedWords);
  assert.deepEqual(child.head, Array.from(s.wordMatrix.data.subarray(0, 50)));
  // the vectors learned something: centred (word2vec's vectors share a common direction early on), each of the most
  // frequent words has a near neighbour among the 400 most frequent (random 24-d vectors: largest cosine about 0.6)
  const M = s.wordMatrix, d = M.cols, R = Math.min(M.rows, 400);
  const mean = new Float64Array(d);
  for (let i = 0; i < R; i++) for (let c = 0; c < d; c++) mean[c]! += M.data[i * d + c]! / R;
  const centred = (i: number): Float64Array => Float64Array.from({ length: d }, (_, c) => M.data[i * d + c]! - mean[c]!);
  const cos = (a: Float64Array, b: Float64Array): number => {
    let ab = 0, aa = 0, bb = 0;
    for (let c = 0; c < d; c++) { ab += a[c]! * b[c]!; aa += a[c]! ** 2; bb += b[c]! ** 2; }
    return ab / Math.sqrt(aa * bb);
  };
  const rows = Array.from({ length: R }, (_, i) => centred(i));
  let near = 0, avg = 0;
  for (let i = 0; i < 40; i++) {
    let best = -1, sum = 0;
    for (let j = 0; j < rows.length; j++) {
      if (j === i) continue;
      const c = cos(rows[i]!, rows[j]!);
      best = Math.max(best, c);
      sum += c / (rows.length - 1);
    }
    near += best / 40;
    avg += sum / 40;
  }
  assert.ok(near > 0.8 && Math.abs(avg) < 0.1, `mean nearest-neighbour cosine ${near}, mean cosine ${avg}`);
});

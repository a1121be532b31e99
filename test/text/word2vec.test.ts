import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TextCorpus } from "../../src/io/corpus.js";
import type { KeyedVectors } from "../../src/text/keyed-vectors.js";
import { Word2Vec } from "../../src/text/word2vec.js";
import { sharedData } from "../helpers.js";

const sentences: string[][] = [];
for await (const s of new TextCorpus(sharedData("text/gcide-definitions.txt.gz"), {}, 30000)) if (s.length) sentences.push(s);

// pairs a reader calls related; the score is the share found among each other's 10 nearest words
const PAIRS = [["red", "blue"], ["yellow", "green"], ["king", "queen"], ["father", "mother"], ["son", "daughter"],
  ["river", "stream"], ["sea", "ocean"], ["horse", "mule"], ["sheep", "goat"], ["gold", "silver"], ["sword", "dagger"],
  ["money", "payment"], ["north", "south"], ["summer", "winter"], ["boy", "girl"], ["man", "woman"]];
function recall(kv: KeyedVectors): number {
  let hit = 0, total = 0;
  for (const [a, b] of PAIRS) {
    if (!kv.has(a!) || !kv.has(b!)) continue;
    for (const [x, y] of [[a!, b!], [b!, a!]] as const) {
      total++;
      if (kv.mostSimilar(x, [], 10).some((s) => s.word === y)) hit++;
    }
  }
  return hit / total;
}

test("word2vec skip-gram on a GCIDE slice: related words are neighbours; 2 threads match 1 thread's quality", { timeout: 300000 }, async () => {
  const one = await new Word2Vec({ threads: 1, epochs: 3, seed: 3 }).fit(sentences);
  const two = await new Word2Vec({ threads: 2, epochs: 3, seed: 3 }).fit(sentences);
  const r1 = recall(one.vectors);
  const r2 = recall(two.vectors);
  assert.ok(r1 >= 0.35, `1 thread recall@10 ${r1} (2 threads ${r2})`);
  assert.ok(r2 >= r1 - 0.1, `2 threads recall@10 ${r2} vs 1 thread ${r1}`);
  assert.ok(one.vectors.similarity("red", "blue") > one.vectors.similarity("red", "sword"));
  assert.equal(one.stats.words, 3 * (await one.vocabulary.encode(sentences)).ids.length);
  assert.ok(one.stats.trainedWords > 0 && one.stats.trainedWords < one.stats.words); // subsampling dropped some
});

test("word2vec: one thread is deterministic for a seed; CBOW trains; progress and bad input", async () => {
  const small = sentences.slice(0, 3000);
  const progress: number[] = [];
  const a = await new Word2Vec({ threads: 1, epochs: 2, seed: 5, minCount: 3, onProgress: (p) => progress.push(p.metrics.progress!) }).fit(small);
  const b = await new Word2Vec({ threads: 1, epochs: 2, seed: 5, minCount: 3 }).fit(small);
  assert.deepEqual(a.wordMatrix.data, b.wordMatrix.data);
  const c = await new Word2Vec({ threads: 1, epochs: 2, seed: 6, minCount: 3 }).fit(small);
  assert.notDeepEqual(a.wordMatrix.data, c.wordMatrix.data);
  assert.ok(progress.length >= 2 && Math.abs(progress[progress.length - 1]! - 1) < 1e-9);
  const pair = await new Word2Vec({ threads: 1, epochs: 2, seed: 5, minCount: 3, negativeSharing: "pair" }).fit(small);
  assert.notDeepEqual(pair.wordMatrix.data, a.wordMatrix.data);
  assert.ok(pair.wordMatrix.data.every(Number.isFinite));
  assert.throws(() => new Word2Vec({ negativeSharing: "none" as "pair" }), /negativeSharing must be "window" or "pair"/);
  const cbow = await new Word2Vec({ model: "cbow", epochs: 3, minCount: 3 }).fit(small);
  assert.equal(cbow.vectors.dim, 100);
  assert.ok(cbow.wordMatrix.data.every(Number.isFinite));
  await assert.rejects(() => new Word2Vec().fit([]), /corpus is empty/);
  await assert.rejects(() => new Word2Vec({ minCount: 100000 }).fit(small), /vocabulary is empty/);
  assert.throws(() => new Word2Vec({ model: "glove" as "cbow" }), /model must be "skipgram" or "cbow"/);
  assert.throws(() => new Word2Vec({ dim: 0 }), /dim must be an integer >= 1, got 0/);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(() => new Word2Vec({ signal: ac.signal, epochs: 50, minCount: 3 }).fit(small), /cancelled/);
});

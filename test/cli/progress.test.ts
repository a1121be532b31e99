import { test } from "node:test";
import assert from "node:assert/strict";
import { ProgressBar } from "../../src/cli/progress.js";

test("the progress bar draws any estimator's Progress: stage, step of total, and the metrics it was asked for", () => {
  const bar = new ProgressBar("tsne", false, ["kl"]);
  const line = bar.line({ stage: "main", step: 500, total: 1000, metrics: { kl: 1.23456789, other: 3 } });
  assert.match(line, /^tsne \[#{14}-{14}\] 500\/1000 \d+\.\ds main kl 1\.2346/);
  assert.ok(!line.includes("other"));
  assert.equal(line.length, 100);
  const w2v = new ProgressBar("word2vec", false, ["wordsPerSecond", "alpha"]);
  assert.match(w2v.line({ stage: "epoch 2/5", step: 3, total: 2, metrics: { wordsPerSecond: 1234567.8, alpha: 0.0125 } }),
    /\[#{28}\] 3\/2 .* epoch 2\/5 1,234,568 words\/s alpha 0\.012500/);
});

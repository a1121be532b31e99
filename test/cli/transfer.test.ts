import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { loadDataset } from "../../src/io/dataset.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { resizeImages } from "../../src/models/transfer.js";
import { PROJECT_DATA, cliFails, runCli, scratchDir } from "../helpers.js";

// A tiny net trained on the digits 0–4 (8×8, values / 16), saved; the command then transfers it to the digits 5–9.
const dir = scratchDir();
const digits = loadDataset(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: "-1" });
const X = new Matrix(digits.X.rows, 64, Float32Array.from(digits.X.data, (v) => v / 16));
const labels = digits.labels!;
const low = labels.flatMap((l, i) => (Number(l) < 5 ? [i] : [])), high = labels.flatMap((l, i) => (Number(l) >= 5 ? [i] : []));
const modelPath = join(dir, "digits04.safetensors");
const csvOf = (M: Matrix, rows: number[]): string => rows.map((i) => [...M.data.subarray(i * M.cols, (i + 1) * M.cols)].map((v) => +v.toFixed(4)).join(",") + `,${labels[i]}`).join("\n") + "\n";
const target = join(dir, "digits59.csv");
writeFileSync(target, csvOf(X, high));
const ready = (async () => {
  const m = await new CNNClassifier({ layers: "conv4,relu,maxpool,flatten,dense16,relu", epochs: 6, batchSize: 64, learningRate: 3e-3, seed: 1 }).fit(X.selectRows(low), low.map((i) => labels[i]!));
  writeFileSync(modelPath, m.toSafetensors());
  m.dispose();
})();

test("latentkit transfer --json: probes on the frozen features and on pixels, fine-tuning, per shots; a plot", async () => {
  await ready;
  const plot = join(dir, "transfer.png");
  const r = runCli("transfer", modelPath, target, "--label-column", "-1", "--shots", "1,5", "--repeats", "2", "--probe", "knn,logistic,finetune",
    "--lr", "1e-2", "--plot", plot, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ["command", "model", "file", "layer", "nFeatures", "classes", "nPool", "nTest", "shots", "repeats", "probes", "results", "seconds", "files"]) assert.ok(k in j, `no ${k}`);
  assert.equal(j.command, "transfer");
  assert.equal(j.layer, "features");
  assert.equal(j.nFeatures, 16);
  assert.deepEqual(j.classes, ["5", "6", "7", "8", "9"]);
  assert.equal(j.nPool + j.nTest, high.length);
  assert.equal(j.nTest, Math.round(high.length * 0.3));
  assert.deepEqual(j.shots, [1, 5]);
  assert.equal(j.resized, false);
  // (features, pixels) × (knn, logistic) + finetune, at each of the 2 shots
  assert.equal(j.results.length, 10);
  for (const row of j.results) {
    assert.equal(row.accuracies.length, 2);
    assert.ok(row.mean >= 0 && row.mean <= 1 && row.std >= 0, JSON.stringify(row));
    assert.ok(Math.abs(row.mean - (row.accuracies[0] + row.accuracies[1]) / 2) < 1e-12);
  }
  const at = (rep: string, probe: string, shots: number) => j.results.find((x: { representation: string; probe: string; shots: number }) => x.representation === rep && x.probe === probe && x.shots === shots);
  // 5 labelled digits per class: the pixels' logistic regression is far above chance (20 %)
  assert.ok(at("pixels", "logistic", 5).mean > 0.6, JSON.stringify(at("pixels", "logistic", 5)));
  assert.ok(at("features", "finetune", 5).mean > 0.4, JSON.stringify(at("features", "finetune", 5)));
  assert.deepEqual(j.files, [plot]);
  assert.deepEqual(Array.from(readFileSync(plot).subarray(1, 4)), [0x50, 0x4e, 0x47]);
});

test("latentkit transfer: --test, --layer, --resize of other image sizes, the text table", async () => {
  await ready;
  const half = Math.floor(high.length / 2);
  const a = join(dir, "a.csv"), b = join(dir, "b.csv");
  writeFileSync(a, csvOf(X, high.slice(0, half)));
  writeFileSync(b, csvOf(X, high.slice(half)));
  const r = runCli("transfer", modelPath, a, "--test", b, "--label-column", "-1", "--shots", "3", "--repeats", "1", "--layer", "flatten", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.layer, "flatten");
  assert.equal(j.nFeatures, 4 * 4 * 4);
  assert.equal(j.nTest, high.length - half);
  // 4×4 images: refused without --resize, upsampled to the model's 8×8 with it
  const small = resizeImages(X, [1, 8, 8], [4, 4]);
  const s4 = join(dir, "small.csv");
  writeFileSync(s4, csvOf(small, high));
  cliFails(["transfer", modelPath, s4, "--label-column", "-1", "--shots", "1"], /has 16 values a row, but the model takes 1x8x8 = 64 images: pass --resize/);
  const rs = runCli("transfer", modelPath, s4, "--label-column", "-1", "--shots", "2", "--repeats", "1", "--resize", "--json");
  assert.equal(rs.status, 0, rs.stderr);
  assert.equal(JSON.parse(rs.stdout).resized, true);
  const t = runCli("transfer", modelPath, target, "--label-column", "-1", "--shots", "1", "--repeats", "1");
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /layer features, 1-NN +\d+\.\d ± 0\.0 %/);
  assert.match(t.stdout, /pixels, logistic +\d+\.\d ± 0\.0 %/);
});

test("latentkit transfer: bad input is one line naming the value", async () => {
  await ready;
  const base = ["transfer", modelPath, target, "--label-column", "-1"];
  cliFails([...base, "--shots", "0"], /--shots must be labelled images per class as integers >= 1, e\.g\. 1,5,10, got "0"/);
  cliFails([...base, "--shots", "1,x"], /--shots must be .* got "1,x"/);
  cliFails([...base, "--shots", "1", "--probe", "knn,svm"], /--probe must be a list of knn, logistic, finetune, got "svm"/);
  cliFails([...base, "--shots", "1", "--layer", "conv7"], /no layer "conv7"/);
  cliFails([...base, "--shots", "500"], /--shots 500: class "\d" has only \d+ training rows after the hold-out/);
  cliFails([...base, "--shots", "1", "--holdout", "1.5"], /--holdout must be a fraction in \(0, 1\), got 1\.5/);
  cliFails([...base, "--shots", "1", "--epochs", "3"], /--epochs and --lr are options of --probe finetune/);
  cliFails(["transfer", target, target, "--label-column", "-1", "--shots", "1"], /digits59\.csv/);
  cliFails(["transfer", modelPath, target, "--shots", "1"], /has no labels: give --label-column/);
});

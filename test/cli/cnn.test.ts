import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { confusionFigure } from "../../src/plot/confusion.js";
import { encodeNpy } from "../../src/formats/npy.js";
import { serializeSafetensors } from "../../src/formats/safetensors.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { Matrix } from "../../src/core/matrix.js";
import { loadImages, parseImageShape } from "../../src/cli/images.js";
import { PROJECT_DATA, cliFails, runCli, scratchDir, scratchFile, sharedData } from "../helpers.js";

const digits = join(PROJECT_DATA, "digits.csv.gz");
const SMALL = "conv8,relu,maxpool,conv16,relu,maxpool,flatten,dense32,relu";
const png = (path: string): void => assert.deepEqual(Array.from(readFileSync(path).subarray(1, 4)), [0x50, 0x4e, 0x47], path);

test("latentkit cnn train --json on Fashion-MNIST IDX: learns, and cnn eval of the saved model gives the same test accuracy, its confusion matrix consistent", () => {
  const train = sharedData("fashion-mnist/train-images-idx3-ubyte.gz");
  const t10k = sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz");
  const dir = scratchDir();
  const model = join(dir, "cnn.safetensors"), curves = join(dir, "curves.png"), conf = join(dir, "confusion.png");
  const r = runCli("cnn", "train", train, "--limit", "1000", "--layers", SMALL, "--epochs", "2", "--batch-size", "32", "--lr", "3e-3",
    "--validation", "0.1", "--test", t10k, "--save-model", model, "--plot", curves, "--confusion", conf, "--threads", "1", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "cnn train");
  assert.equal(j.epochs, 2);
  assert.deepEqual(j.imageShape, [1, 28, 28]);
  assert.equal(j.nSamples, 1000);
  assert.equal(j.nTest, 1000, "--limit applies to the test file too");
  assert.equal(j.scaling, "divide255");
  assert.equal(j.classes.length, 10);
  // conv8 (80) + conv16 (1168) + dense 784→32 (25120) + logits 32→10 (330)
  assert.equal(j.parameters, 80 + 1168 + 25120 + 330);
  assert.ok(j.samplesPerSecond > 0 && j.seconds > 0);
  // 10 classes: chance is 10 %; ~70 steps of a small net already reach well above it
  assert.ok(j.testAccuracy > 0.6, `test accuracy ${j.testAccuracy}`);
  assert.ok(j.trainLoss < j.lossHistory[0] + 1e-9 && j.lossHistory[1] < j.lossHistory[0], `loss ${j.lossHistory}`);
  assert.ok(j.trainAccuracy > 0.4 && j.validationAccuracy > 0.5, JSON.stringify(j));
  assert.equal(j.validationHistory.length, 2);
  png(curves);
  png(conf);

  const e = runCli("cnn", "eval", model, t10k, "--limit", "1000", "--json");
  assert.equal(e.status, 0, e.stderr);
  const v = JSON.parse(e.stdout);
  assert.equal(v.nSamples, 1000);
  // the saved weights (and batch order-free evaluation) give exactly the accuracy training reported
  assert.equal(v.accuracy, j.testAccuracy);
  assert.ok(Math.abs(v.loss - j.testLoss) < 1e-9);
  const total = v.confusion.flat().reduce((a: number, b: number) => a + b, 0);
  assert.equal(total, 1000);
  const diag = v.classes.reduce((s: number, _c: string, k: number) => s + v.confusion[k][k], 0);
  assert.equal(diag / total, v.accuracy);
  for (const [k, c] of v.classes.entries()) {
    const row = v.confusion[k] as number[];
    assert.equal(v.perClassAccuracy[c], row[k]! / row.reduce((a, b) => a + b, 0));
  }
  assert.ok(v.classes.includes("T-shirt/top"), "Fashion-MNIST class names");

  const human = runCli("cnn", "eval", model, t10k, "--limit", "200");
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /: accuracy \d+\.\d\d% on 200 images, loss \d\.\d+\n/);
  assert.match(human.stdout, /\n {2}Trouser +\d+\.\d\d%\n/);
});

test("latentkit cnn train: CSV digits with a label column, min-max scaled, human output", () => {
  const r = runCli("cnn", "train", digits, "--label-column", "-1", "--limit", "600", "--layers", "conv4,relu,maxpool,flatten,dense16,relu",
    "--epochs", "1", "--batch-size", "32", "--lr", "3e-3", "--threads", "1");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^CNN layers \(conv4,relu,maxpool,flatten,dense16,relu; [\d,]+ parameters\) on .*: 600 images 1x8x8, 10 classes, 1 epochs of batch 32/);
  assert.match(r.stdout, /\ntrain: loss \d\.\d+, accuracy \d+\.\d\d%\n/);
  assert.match(r.stderr, /min-max scaled to \[0, 1\]/);
});

test("images.ts: loadImages scales IDX pixels to [0, 1], reads the sibling labels, and refuses a file without labels", () => {
  const set = loadImages(sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), { limit: 50 }, { labels: "required" });
  assert.deepEqual(set.imageShape, [1, 28, 28]);
  assert.equal(set.labels!.length, 50);
  assert.equal(set.labels![0], "Ankle boot");
  let lo = Infinity, hi = -Infinity;
  for (const x of set.X.data) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9, `${lo} ${hi}`);
  assert.deepEqual(parseImageShape("3x4x5"), [3, 4, 5]);
  assert.deepEqual(parseImageShape("28x28"), [1, 28, 28]);
  assert.throws(() => parseImageShape("28"), /--image-shape must look like HxW or CxHxW/);
  const fig = confusionFigure([[3, 1], [0, 4]], ["a", "b"]);
  assert.ok(fig.width > 0 && fig.height > 0);
  assert.throws(() => confusionFigure([[1]], ["a", "b"]), /2×2 counts/);
});

test("latentkit cnn: bad inputs exit 2 with one line", () => {
  const dir = scratchDir();
  const out = join(dir, "never.safetensors");
  // a labels file of the wrong length
  const labels = scratchFile("five-labels.txt", "1\n2\n3\n4\n5\n");
  const X = Matrix.zeros(20, 64, "float32");
  const npy = scratchFile("images.npy", encodeNpy(X));
  cliFails(["cnn", "train", npy, "--labels", labels, "--save-model", out], /images\.npy: 5 labels for 20 rows/, [out]);
  // no labels at all
  cliFails(["cnn", "train", npy, "--save-model", out], /images\.npy has no labels: give --labels <file>/, [out]);
  // a model file that is not a CNNClassifier
  const other = scratchFile("other.safetensors", serializeSafetensors([["w", { shape: [1], data: [0] }]], { latentkit: JSON.stringify({ type: "Autoencoder" }) }));
  cliFails(["cnn", "eval", other, digits, "--label-column", "-1"], /other\.safetensors: holds a "Autoencoder", not a CNNClassifier/);
  cliFails(["cnn", "eval", digits, digits, "--label-column", "-1"], /digits\.csv\.gz/);
  // options checked before any work
  cliFails(["cnn", "train", digits, "--label-column", "-1", "--no-residual", "--save-model", out], /residual applies to the resnet preset/, [out]);
  cliFails(["cnn", "train", digits, "--label-column", "-1", "--layers", "conv8,relu,warp9"], /unknown layer "warp9"/);
  cliFails(["cnn", "train", digits, "--label-column", "-1", "--confusion", join(dir, "c.png")], /--confusion .* needs --test/);
  cliFails(["cnn", "train", digits, "--label-column", "-1", "--dropout", "1.5"], /^latentkit: --dropout must be/);
  cliFails(["cnn", "train", digits, "--label-column", "-1", "--optimizer", "rmsprop"], /rmsprop/);
  // a model that takes other images
  const tiny = new CNNClassifier({ layers: "conv2,relu,flatten", epochs: 1, seed: 1 });
  const x = Matrix.zeros(4, 16, "float32");
  x.data.forEach((_, i) => { x.data[i] = (i % 7) / 7; });
  return tiny.fit(x, [0, 1, 0, 1]).then(() => {
    const small = scratchFile("tiny.safetensors", tiny.toSafetensors());
    tiny.dispose();
    cliFails(["cnn", "eval", small, digits, "--label-column", "-1"], /digits\.csv\.gz has 64 values per row, but the model takes 1x4x4 images/);
  });
});

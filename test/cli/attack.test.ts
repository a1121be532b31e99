// `latentkit attack`: a small CNN trained here and saved, attacked from the command line: the JSON keys and values
// (the clean accuracy and the curve equal the library's on the same images), the grid and plot written, one-line errors.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { FASHION_MNIST_CLASSES } from "../../src/formats/dataset.js";
import { readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { robustAccuracy } from "../../src/models/adversarial.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { cliFails, runCli, scratchDir, sharedData } from "../helpers.js";

const trainImages = sharedData("fashion-mnist/train-images-idx3-ubyte.gz");
const testImages = sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz");
const dir = scratchDir();
const modelPath = join(dir, "cnn.safetensors");

/** Images / 255 and the class names, as the command line loads an IDX file. */
function fashion(images: string, n: number): { X: Matrix; y: string[] } {
  const { X } = readIdxImages(images, n);
  const y = readIdxLabels(images.replace("images-idx3", "labels-idx1"), n);
  return { X: new Matrix(n, X.cols, Float32Array.from(X.data, (v) => v / 255)), y: Array.from(y, (c) => FASHION_MNIST_CLASSES[c]!) };
}

const tr = fashion(trainImages, 1500);
const model = await new CNNClassifier({ layers: "conv8,relu,maxpool,conv16,relu,maxpool,flatten,dense32,relu", epochs: 2, batchSize: 64, learningRate: 2e-3, seed: 3 })
  .fit(tr.X, tr.y);
writeFileSync(modelPath, model.toSafetensors());

test("latentkit attack --json: clean accuracy and the accuracy per eps are the library's on the same images; grid and plot written", () => {
  const grid = join(dir, "adv.png"), plot = join(dir, "curve.png");
  const r = runCli("attack", modelPath, testImages, "--limit", "200", "--method", "fgsm", "--eps", "0.1", "--eps-list", "0,0.05,0.1,0.2",
    "--grid", grid, "--plot", plot, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ["command", "method", "eps", "nSamples", "cleanAccuracy", "accuracy", "curve", "seconds", "files"]) assert.ok(k in j, `no ${k} in ${r.stdout}`);
  assert.equal(j.method, "fgsm");
  assert.equal(j.nSamples, 200);
  const te = fashion(testImages, 200);
  const lib = robustAccuracy(model, te.X, te.y, [0, 0.05, 0.1, 0.2], "fgsm");
  assert.deepEqual(j.curve, lib);
  assert.equal(j.cleanAccuracy, model.score(te.X, te.y));
  assert.equal(j.accuracy, lib[2]!.accuracy);
  assert.ok(j.cleanAccuracy > 0.6 && j.accuracy < j.cleanAccuracy - 0.2, r.stdout);
  for (const f of [grid, plot]) assert.deepEqual(Array.from(readFileSync(f).subarray(1, 4)), [0x50, 0x4e, 0x47]);
  assert.deepEqual(j.files.sort(), [grid, plot].sort());
});

test("latentkit attack: PGD, targeted, and the human-readable report", () => {
  const r = runCli("attack", modelPath, testImages, "--limit", "100", "--method", "pgd", "--steps", "10", "--eps", "0.2", "--targeted", "--target", "Bag", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.steps, 10);
  assert.equal(j.targeted, true);
  assert.equal(j.target, "Bag");
  assert.ok(j.targetSuccess > 0.8, r.stdout);
  const h = runCli("attack", modelPath, testImages, "--limit", "50", "--eps", "0.05");
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /^fgsm attack on 50 images of .*\n  eps 0 +accuracy \d+\.\d\d %\n  eps 0\.05 +accuracy \d+\.\d\d %\n$/);
});

test("latentkit attack: bad input exits 2 with one line, before any output", () => {
  const grid = join(dir, "bad.png");
  const base = [modelPath, testImages, "--limit", "20"];
  cliFails(["attack", ...base, "--method", "cw"], /--method/);
  cliFails(["attack", ...base, "--eps", "-0.1", "--grid", grid], /--eps must be a number >= 0, got -0\.1/, [grid]);
  cliFails(["attack", ...base, "--eps", "abc"], /--eps must be a number, got "abc"/);
  cliFails(["attack", ...base, "--eps-list", "0,x"], /--eps-list must be radii >= 0/);
  cliFails(["attack", ...base, "--steps", "5"], /--steps is an option of --method pgd/);
  cliFails(["attack", ...base, "--targeted"], /--targeted needs --target/);
  cliFails(["attack", ...base, "--target", "3"], /--target 3 needs --targeted/);
  cliFails(["attack", ...base, "--targeted", "--target", "Bags", "--grid", grid], /--target "Bags" is not one of the model's classes/, [grid]);
  cliFails(["attack", ...base, "--eps", "0", "--plot", join(dir, "p.png")], /--plot needs at least two radii/);
  cliFails(["attack", join(dir, "missing.safetensors"), testImages], /missing\.safetensors/);
  cliFails(["attack", modelPath, trainImages.replace("train-images", "nothing-images")], /nothing-images/);
  assert.ok(!existsSync(grid));
});

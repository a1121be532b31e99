import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseUnits } from "../../src/cli/visualize.js";
import { Matrix } from "../../src/core/matrix.js";
import { FASHION_MNIST_CLASSES } from "../../src/formats/dataset.js";
import { readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { topActivating } from "../../src/models/visualize.js";
import { cliFails, refuses, runCli, scratchDir, sharedData } from "../helpers.js";

const images = sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz");
const labels = sharedData("fashion-mnist/t10k-labels-idx1-ubyte.gz");
const png = (path: string): void => assert.deepEqual(Array.from(readFileSync(path).subarray(1, 4)), [0x50, 0x4e, 0x47], path);

/** A tiny CNN trained on 400 test images (labels as the CLI reads them: class names), saved as safetensors. */
async function savedModel(): Promise<{ path: string; model: CNNClassifier; X: Matrix }> {
  const { X: raw } = readIdxImages(images, 400);
  const X = new Matrix(raw.rows, raw.cols, Float32Array.from(raw.data, (v) => v / 255));
  const y = Array.from(readIdxLabels(labels, 400), (v) => FASHION_MNIST_CLASSES[v]!);
  const model = await new CNNClassifier({ layers: "conv6,relu,maxpool,conv8,relu,maxpool,flatten,dense16,relu", epochs: 3, batchSize: 32, learningRate: 3e-3, seed: 0 }).fit(X, y);
  const path = join(scratchDir(), "vis.safetensors");
  writeFileSync(path, model.toSafetensors());
  return { path, model, X };
}

const model = savedModel();

test("latentkit visualize --json: filters, maximisation, top-9 and saliency pictures; the numbers match the library", async () => {
  const { path, model: m, X } = await model;
  const dir = scratchDir();
  const files = ["f.png", "units.png", "top9.png", "s.png"].map((f) => join(dir, f));
  const r = runCli("visualize", path, images, "--limit", "300", "--layer", "conv2,dense1", "--units", "0-3,7", "--filters", files[0]!,
    "--maximize", files[1]!, "--top", files[2]!, "--saliency", files[3]!, "--smooth", "3", "--steps", "30", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "visualize");
  assert.equal(j.nImages, 300);
  const first300 = X.selectRows(Array.from({ length: 300 }, (_, i) => i));
  const y300 = Array.from(readIdxLabels(labels, 300), (v) => FASHION_MNIST_CLASSES[v]!);
  assert.equal(j.accuracy, m.score(first300, y300));
  assert.ok(j.accuracy > 0.5, `accuracy ${j.accuracy}`);
  assert.deepEqual(j.filters, { layer: "conv1", count: 6, shape: [3, 3], channels: 1 });
  assert.deepEqual(j.layers.map((l: { layer: string }) => l.layer), ["conv2", "dense1"]);
  for (const l of j.layers) {
    assert.deepEqual(l.units, [0, 1, 2, 3, 7]);
    for (const mx of l.maximize) {
      assert.ok(mx.activation > mx.start, `${l.layer} #${mx.unit}: ${mx.start} → ${mx.activation}`);
      assert.ok(Number.isFinite(mx.bestInData));
    }
    // the top-9 of the command are the library's on the same 300 images (pixels / 255)
    const lib = topActivating(m, first300, l.layer, 7);
    const t7 = l.top.find((t: { unit: number }) => t.unit === 7);
    assert.deepEqual(t7.index, Array.from(lib.index));
    assert.equal(t7.labels.length, 9);
  }
  assert.equal(j.saliency.rows.length, 10);
  for (const f of files) png(f);
  assert.deepEqual(j.files, files);
  // the filters alone, human output, without a data file
  const f2 = join(dir, "f2.svg");
  const h = runCli("visualize", path, "--filters", f2);
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /^CNNClassifier conv6,relu,maxpool,conv8,relu,maxpool,flatten,dense16,relu on 1x28x28 images\n/);
  assert.match(readFileSync(f2, "utf8"), /^<svg/);
});

test("latentkit visualize: bad input is one line naming the value, and no picture is left behind", async () => {
  const { path } = await model;
  const out = join(scratchDir(), "never.png");
  cliFails(["visualize", path, "--layer", "conv9", "--maximize", out], /no layer "conv9" \(layers: conv1, relu1, pool1, conv2/, [out]);
  cliFails(["visualize", path, "--layer", "conv1", "--units", "0-6", "--maximize", out], /--units: unit 6 is out of range: layer conv1 has 6 channels \(0 to 5\)/, [out]);
  cliFails(["visualize", path, "--units", "3-1", "--maximize", out], /--units must be indices and ranges such as 0-15 or 0,3,7-9, got "3-1"/, [out]);
  cliFails(["visualize", path, "--top", out], /--top needs a data file/, [out]);
  cliFails(["visualize", path], /nothing to do: give --filters, --maximize, --top, --saliency/);
  cliFails(["visualize", path, "--filters", join(scratchDir(), "f.jpg")], /cannot tell the picture format of .*f\.jpg: use \.png or \.svg/);
  cliFails(["visualize", path, "--steps", "x", "--maximize", out], /--steps must be a non-negative integer, got "x"/, [out]);
  cliFails(["visualize", path, "--lr", "0", "--maximize", out], /lr must be a number > 0, got 0/, [out]);
  const csv = join(scratchDir(), "small.csv");
  writeFileSync(csv, "a,b,c,d,label\n0,1,0,1,x\n1,0,1,0,y\n");
  cliFails(["visualize", path, csv, "--label-column", "-1", "--top", out], /small\.csv has 4 values per row, but the model takes 1x28x28 images \(784 values\)/, [out]);
  const notModel = join(scratchDir(), "not.safetensors");
  writeFileSync(notModel, "hello");
  cliFails(["visualize", notModel, "--filters", out], /not\.safetensors/, [out]);
});

test("parseUnits: ranges and lists, in order without repeats; bad specs refused", async () => {
  assert.deepEqual(parseUnits("0-3"), [0, 1, 2, 3]);
  assert.deepEqual(parseUnits("5, 1-2,2,9"), [5, 1, 2, 9]);
  await refuses(() => parseUnits("a"), /--units must be indices and ranges such as 0-15 or 0,3,7-9, got "a"/);
  await refuses(() => parseUnits("1,"), /got "1,"/);
});

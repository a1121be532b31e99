import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { drawShots, FeatureExtractor, fineTune, meanStd, probeAccuracy, resizeImages } from "../../src/models/transfer.js";
import { refuses, sharedData } from "../helpers.js";

/** The first n images of a Fashion-MNIST split (pixels / 255) with their labels. */
function fashion(split: "train" | "t10k", n: number): { X: Matrix; y: number[] } {
  const { X } = readIdxImages(sharedData(`fashion-mnist/${split}-images-idx3-ubyte.gz`), n);
  const y = Array.from(readIdxLabels(sharedData(`fashion-mnist/${split}-labels-idx1-ubyte.gz`), n));
  return { X: new Matrix(X.rows, X.cols, Float32Array.from(X.data, (v) => v / 255)), y };
}

function rowsWhere(d: { X: Matrix; y: number[] }, keep: (label: number) => boolean): { X: Matrix; y: number[] } {
  const idx = d.y.flatMap((v, i) => (keep(v) ? [i] : []));
  return { X: d.X.selectRows(idx), y: idx.map((i) => d.y[i]!) };
}

// The CI-sized setup: a small net (with a batch norm, so freezing has statistics to keep) trained briefly on the
// first 5000 training images of classes 0–4 (~2500), the new task being classes 5–9.
const train = fashion("train", 5000);
const testSet = fashion("t10k", 2000);
const source = rowsWhere(train, (v) => v < 5);
const target = rowsWhere(train, (v) => v >= 5);
const targetTest = rowsWhere(testSet, (v) => v >= 5);
const LAYERS = "conv8,relu,maxpool,conv16,bn,relu,maxpool,flatten,dense32,relu";
const modelP = new CNNClassifier({ layers: LAYERS, epochs: 4, seed: 1 }).fit(source.X, source.y);

const copyState = (m: CNNClassifier): Map<string, Float32Array> => new Map([...m.network.stateDict()].map(([k, t]) => [k, Float32Array.from(t.data)]));

test("FeatureExtractor: the model's transform of the layer, its width, one-line refusals", async () => {
  const model = await modelP;
  const X = targetTest.X.selectRows([0, 1, 2, 3, 4, 5, 6]);
  const fe = new FeatureExtractor(model);
  assert.equal(fe.layer, "features");
  assert.deepEqual(Array.from(fe.transform(X).data), Array.from(model.transform(X).data));
  assert.equal(fe.nFeatures, 32);
  assert.equal(fe.transform(X).cols, 32);
  const conv = new FeatureExtractor(model, { layer: "flatten" });
  assert.deepEqual(Array.from(conv.transform(X).data), Array.from(model.transform(X, "flatten").data));
  assert.equal(conv.nFeatures, 16 * 7 * 7);
  const pool = new FeatureExtractor(model, { layer: "pool1" });
  assert.equal(pool.nFeatures, 8 * 14 * 14);
  assert.equal(pool.transform(X).cols, 8 * 14 * 14);
  await refuses(() => new FeatureExtractor(model, { layer: "conv9" }), /no layer "conv9" \(layers: conv1, relu1/);
  await refuses(() => new FeatureExtractor(new CNNClassifier()), /not fitted/);
});

test("fineTune: frozen tensors (and batch-norm statistics) bit-identical, the head trained for the new classes, the source model untouched", async () => {
  const model = await modelP;
  const before = copyState(model);
  const probe = targetTest.X.selectRows([0, 1, 2, 3]);
  const sourceOut = Array.from(model.decisionFunction(probe).data);
  const idx = drawShots(target.y, 10, new Random(3));
  const X = target.X.selectRows(idx), y = Array.from(idx, (i) => `class ${target.y[i]}`);
  // only the new logits train (layers up to "features" frozen)
  const head = await fineTune(model, X, y, { epochs: 40, learningRate: 1e-2, seed: 2 });
  assert.deepEqual(head.classes, ["class 5", "class 6", "class 7", "class 8", "class 9"]);
  const logits = head.layerIndex("logits");
  for (const [k, t] of head.network.stateDict()) {
    if (k.startsWith(`${logits}.`)) continue;
    assert.deepEqual(Array.from(t.data), Array.from(before.get(k)!), `${k} changed`);
  }
  assert.ok(before.has(`${model.layerIndex("bn1")}.running_mean`));
  const h = head.history.train;
  assert.equal(h.length, 40);
  assert.ok(h[h.length - 1]! < 0.6 * h[0]!, `training loss ${h[0]} -> ${h[h.length - 1]}`);
  // better than chance (20 %) by far on the new classes' test images
  assert.ok(head.score(targetTest.X, targetTest.y.map((v) => `class ${v}`)) > 0.5);
  // freezing up to flatten: conv and batch-norm tensors identical, the dense layer moved away from the source's
  const deeper = await fineTune(model, X, y, { freezeUpTo: "flatten", epochs: 20, learningRate: 3e-3, seed: 2 });
  const dense = deeper.layerIndex("dense1");
  for (const [k, t] of deeper.network.stateDict()) {
    const layer = Number(k.split(".")[0]);
    if (layer < dense) assert.deepEqual(Array.from(t.data), Array.from(before.get(k)!), `${k} changed`);
    else if (layer === dense) assert.notDeepEqual(Array.from(t.data), Array.from(before.get(k)!), `${k} did not train`);
  }
  // "none": everything trains, batch-norm statistics too
  const all = await fineTune(model, X, y, { freezeUpTo: "none", epochs: 2, seed: 2 });
  const bn = `${model.layerIndex("bn1")}.running_mean`;
  assert.notDeepEqual(Array.from(all.network.stateDict().get(bn)!.data), Array.from(before.get(bn)!));
  // the source model is as it was
  for (const [k, t] of model.network.stateDict()) assert.deepEqual(Array.from(t.data), Array.from(before.get(k)!), `source ${k} changed`);
  assert.deepEqual(Array.from(model.decisionFunction(probe).data), sourceOut);
  for (const m of [head, deeper, all]) m.dispose();
});

test("fineTune: the fine-tuned model saves and loads (safetensors and JSON) with the same predictions", async () => {
  const model = await modelP;
  const idx = drawShots(target.y, 5, new Random(4));
  const tuned = await fineTune(model, target.X.selectRows(idx), Array.from(idx, (i) => target.y[i]!), { freezeUpTo: "flatten", epochs: 5, seed: 1 });
  const probe = targetTest.X.selectRows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const again of [CNNClassifier.fromSafetensors(tuned.toSafetensors()), CNNClassifier.fromJSON(JSON.parse(JSON.stringify(tuned.toJSON())))]) {
    assert.deepEqual(again.classes, [5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(again.predictProba(probe).data), Array.from(tuned.predictProba(probe).data));
    assert.deepEqual(Array.from(again.transform(probe).data), Array.from(tuned.transform(probe).data));
    again.dispose();
  }
  tuned.dispose();
});

test("fineTune: one-line refusals", async () => {
  const model = await modelP;
  const X = target.X.selectRows([0, 1, 2]), y = target.y.slice(0, 3);
  await refuses(() => fineTune(model, X, y, { freezeUpTo: "logits" }), /freezeUpTo "logits" leaves nothing to train/);
  await refuses(() => fineTune(model, X, y, { freezeUpTo: "dense7" }), /no layer "dense7"/);
  await refuses(() => fineTune(model, [[0, 1, 2]], [1]), /X has 3 columns, but the model takes images of 1x28x28 = 784 values/);
  await refuses(() => fineTune(model, X, [5, 5, 5]), /at least 2 classes/);
  await refuses(() => fineTune(new CNNClassifier(), X, y), /not fitted/);
  await refuses(() => fineTune(model, X, y, { epochs: 0 }), /epochs must be/);
});

test("resizeImages: identity at equal sizes, constants stay constant, bilinear values at pixel centres", () => {
  const rng = new Random(5);
  const X = Matrix.zeros(3, 2 * 5 * 6, "float32");
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.uniform();
  assert.deepEqual(Array.from(resizeImages(X, [2, 5, 6], [5, 6]).data), Array.from(X.data));
  const C = new Matrix(2, 64, new Float32Array(128).fill(0.375));
  const up = resizeImages(C, [1, 8, 8], [28, 28]);
  assert.deepEqual([up.rows, up.cols], [2, 784]);
  assert.ok(up.data.every((v) => v === 0.375));
  // [[0, 1], [2, 3]] to 4x4: output (1, 2) reads the input at (y, x) = (1.5·½ − ½, 2.5·½ − ½) = (0.25, 0.75):
  // 0·0.75·0.25 + 1·0.75·0.75 + 2·0.25·0.25 + 3·0.25·0.75 = 1.25; borders clamp (output (0, 0) = input (0, 0))
  const R = resizeImages([[0, 1, 2, 3]], [1, 2, 2], [4, 4]);
  assert.deepEqual(Array.from(R.data), [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
  // 3x4 to 5x3 (up in y, down in x), as torch.nn.functional.interpolate(mode="bilinear", align_corners=False) gives it
  const S = resizeImages([Array.from({ length: 12 }, (_, i) => i)], [1, 3, 4], [5, 3]);
  const torch = [0.1667, 1.5, 2.8333, 1.7667, 3.1, 4.4333, 4.1667, 5.5, 6.8333, 6.5667, 7.9, 9.2333, 8.1667, 9.5, 10.8333];
  S.data.forEach((v, i) => assert.ok(Math.abs(v - torch[i]!) < 1e-4, `${i}: ${v} vs ${torch[i]}`));
  // channels are resized independently
  const two = resizeImages([[0, 1, 2, 3, 5, 5, 5, 5]], [2, 2, 2], [4, 4]);
  assert.deepEqual(Array.from(two.data.subarray(0, 16)), Array.from(R.data));
  assert.ok(two.data.subarray(16).every((v) => v === 5));
});

test("resizeImages and drawShots: one-line refusals; drawShots gives k distinct rows of each class", async () => {
  await refuses(() => resizeImages([[1, 2, 3]], [1, 2, 2], [4, 4]), /X has 3 columns, but images of \[1, 2, 2\] have 4 values/);
  await refuses(() => resizeImages([[1, 2, 3, 4]], [1, 2, 2], [0, 4]), /to must be \[height, width\] \(integers >= 1\), got \[0, ?4\]/);
  await refuses(() => resizeImages([[1, 2, 3, 4]], [1, 2] as never, [4, 4]), /from must be \[channels, height, width\]/);
  const labels = ["a", "b", "a", "c", "b", "a", "c", "b", "c"];
  const idx = drawShots(labels, 2, new Random(1));
  assert.equal(idx.length, 6);
  assert.equal(new Set(idx).size, 6);
  assert.deepEqual(Array.from(idx, (i) => labels[i]), ["a", "a", "b", "b", "c", "c"]);
  await refuses(() => drawShots(labels, 4, new Random(1)), /4 labelled rows per class: class "a" has only 3/);
  await refuses(() => drawShots(labels, 0, new Random(1)), /shots must be an integer >= 1, got 0/);
});

test("transfer on Fashion-MNIST: with 10 labels per class of classes 5–9, logistic regression on the frozen conv features of a net trained on classes 0–4 beats raw pixels", async (t) => {
  const model = await modelP;
  // the conv features (the input of the dense layer) transfer; the dense layer's are specific to the source classes
  const fe = new FeatureExtractor(model, { layer: "flatten" });
  const F = fe.transform(target.X), Ft = fe.transform(targetTest.X);
  const feats: number[] = [], pixels: number[] = [];
  for (let r = 0; r < 5; r++) {
    const idx = drawShots(target.y, 10, new Random(100 + r));
    const y = Array.from(idx, (i) => target.y[i]!);
    feats.push(await probeAccuracy("logistic", F.selectRows(idx), y, Ft, targetTest.y));
    pixels.push(await probeAccuracy("logistic", target.X.selectRows(idx), y, targetTest.X, targetTest.y));
  }
  const f = meanStd(feats), p = meanStd(pixels);
  t.diagnostic(`conv features ${f.mean.toFixed(4)} ± ${f.std.toFixed(4)}, pixels ${p.mean.toFixed(4)} ± ${p.std.toFixed(4)}`);
  // measured: conv features 86.2 ± 1.0 %, pixels 82.9 ± 2.0 % over the same 5 draws
  assert.ok(f.mean > p.mean + 0.01, `features ${feats.map((v) => v.toFixed(3))} vs pixels ${pixels.map((v) => v.toFixed(3))}`);
  assert.ok(p.mean > 0.6, `pixels ${p.mean}`);
});

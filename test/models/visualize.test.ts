import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import {
  activations, filterImages, topActivatingUnits, gaussianBlur, gaussianKernel, maximizeActivation, maximizeActivations, roll, saliency, topActivating,
} from "../../src/models/visualize.js";
import { refuses, sharedData } from "../helpers.js";

/** The first n images of a Fashion-MNIST file (pixels / 255) and their labels. */
function fashion(part: "train" | "t10k", n: number): { X: Matrix; y: number[] } {
  const { X } = readIdxImages(sharedData(`fashion-mnist/${part}-images-idx3-ubyte.gz`), n);
  const y = Array.from(readIdxLabels(sharedData(`fashion-mnist/${part}-labels-idx1-ubyte.gz`), n));
  return { X: new Matrix(X.rows, X.cols, Float32Array.from(X.data, (v) => v / 255)), y };
}

function uniformImages(n: number, d: number, seed: number): Matrix {
  const rng = new Random(seed);
  return new Matrix(n, d, Float32Array.from({ length: n * d }, () => rng.uniform()));
}

/** A tiny fitted net on random images (weights barely trained: enough for exact properties). */
async function tinyNet(imageShape: [number, number, number], layers: string, classes = 3): Promise<{ model: CNNClassifier; X: Matrix }> {
  const d = imageShape[0] * imageShape[1] * imageShape[2];
  const X = uniformImages(30, d, 7);
  const y = Array.from({ length: 30 }, (_, i) => i % classes);
  const model = await new CNNClassifier({ imageShape, layers, epochs: 1, batchSize: 10, seed: 3 }).fit(X, y);
  return { model, X };
}

/** The logit of class k for one image x (float64 copy of the float32 forward pass). */
function logit(model: CNNClassifier, x: Float32Array, k: number): number {
  const S = model.decisionFunction(new Matrix(1, x.length, x));
  return S.data[k]!;
}

test("saliency equals |central finite differences| of the class logit, max over channels; default class = predicted", async () => {
  for (const [shape, layers] of [[[1, 6, 6], "conv3,bn,relu,flatten,dense6,relu"], [[2, 5, 4], "conv4x3,relu,avgpool,flatten,dense5"]] as const) {
    const { model, X } = await tinyNet(shape as [number, number, number], layers);
    const [c, h, w] = shape;
    const rows = X.selectRows([0, 1, 2]);
    const predicted = model.predict(rows).map((l) => model.classes.indexOf(l));
    const classIndex = [2, 0, 1];
    const S = saliency(model, rows, classIndex);
    const Sdefault = saliency(model, rows);
    const SpredGiven = saliency(model, rows, predicted);
    assert.deepEqual(Array.from(Sdefault.data), Array.from(SpredGiven.data), "default class is the predicted one");
    assert.equal(S.cols, h * w);
    const eps = 1e-3;
    let worst = 0, scale = 0;
    for (let i = 0; i < 3; i++) {
      const x = Float32Array.from(rows.row(i));
      for (let p = 0; p < h * w; p++) {
        let m = 0;
        for (let ch = 0; ch < c; ch++) {
          const j = ch * h * w + p;
          const x0 = x[j]!;
          x[j] = x0 + eps;
          const up = logit(model, x, classIndex[i]!);
          x[j] = x0 - eps;
          const down = logit(model, x, classIndex[i]!);
          x[j] = x0;
          m = Math.max(m, Math.abs((up - down) / (2 * eps)));
        }
        worst = Math.max(worst, Math.abs(S.get(i, p) - m));
        scale = Math.max(scale, m);
      }
    }
    assert.ok(scale > 1e-3, `a saliency that is not all zero (max ${scale})`);
    assert.ok(worst < 2e-3 + 1e-2 * scale, `saliency vs finite differences: max error ${worst} (scale ${scale}) for ${layers}`);
    // SmoothGrad: noise 0 is the plain map; else the mean of the plain maps of the noisy copies (drawn in row order)
    assert.deepEqual(saliency(model, rows, classIndex, { samples: 3, noise: 0 }), S);
    const smooth = saliency(model, rows, undefined, { samples: 3, noise: 0.1, seed: 9 });
    const rng = new Random(9);
    const mean = new Float64Array(S.data.length);
    for (let t = 0; t < 3; t++) {
      const noisy = new Matrix(3, rows.cols, Float32Array.from(rows.data, (v) => v + 0.1 * rng.normal()));
      saliency(model, noisy, predicted).data.forEach((v, j) => { mean[j]! += v / 3; });
    }
    assert.ok(smooth.data.every((v, j) => Math.abs(v - mean[j]!) < 1e-6 * (1 + mean[j]!)));
    assert.ok(smooth.data.some((v, j) => Math.abs(v - Sdefault.data[j]!) > 1e-4), "the noise changes the map");
    // the parameters are left as they were: requiring grad, no gradient accumulated
    for (const p of model.network.parameters()) {
      assert.equal(p.requiresGrad, true);
      assert.ok(!p.grad || p.grad.data.every((v) => v === 0), "no weight gradient left behind");
    }
    model.dispose();
  }
});

test("topActivating equals a brute-force ranking of transform(X, layer) (max and mean over positions; dense units)", async () => {
  const { model } = await tinyNet([1, 8, 8], "conv4,relu,maxpool,conv6,relu,flatten,dense5,relu");
  const X = uniformImages(300, 64, 11);
  const brute = (layer: string, unit: number, score: "max" | "mean"): number[] => {
    const T = model.transform(X, layer);
    const shape = model.layers[model.layerIndex(layer)]!.outShape;
    const hw = shape.length === 3 ? shape[1]! * shape[2]! : 1;
    const s = Array.from({ length: X.rows }, (_, i) => {
      const v = Array.from(T.row(i).subarray(unit * hw, (unit + 1) * hw));
      return score === "max" ? Math.max(...v) : v.reduce((a, b) => a + b, 0) / hw;
    });
    return s;
  };
  for (const [layer, unit, score] of [["conv2", 3, "max"], ["relu1", 1, "mean"], ["dense1", 4, "max"], ["conv1", 0, "mean"]] as const) {
    const s = brute(layer, unit, score);
    const order = s.map((_, i) => i).sort((a, b) => s[b]! - s[a]! || a - b).slice(0, 9);
    const top = topActivating(model, X, layer, unit, 9, { score });
    assert.deepEqual(Array.from(top.index), order, `${layer} unit ${unit} (${score})`);
    for (let j = 0; j < 9; j++) assert.ok(Math.abs(top.activation[j]! - s[order[j]!]!) < 1e-5 * (1 + Math.abs(s[order[j]!]!)));
    const all = activations(model, X, layer, unit, score);
    assert.ok(all.every((v, i) => Math.abs(v - s[i]!) < 1e-5 * (1 + Math.abs(s[i]!))));
  }
  // several units from one pass: the same as one at a time
  const many = topActivatingUnits(model, X, "conv2", [5, 0, 3], 4);
  [5, 0, 3].forEach((u, j) => assert.deepEqual(many[j], topActivating(model, X, "conv2", u, 4)));
  // k beyond the rows: every row, ranked
  assert.equal(topActivating(model, X.selectRows([0, 1, 2]), "conv1", 0, 9).index.length, 3);
  model.dispose();
});

test("bad layer names, units and arguments are one-line errors naming the value", async () => {
  const { model, X } = await tinyNet([1, 6, 6], "conv4,relu,flatten,dense3,relu");
  await refuses(() => topActivating(model, X, "conv9", 0), /no layer "conv9" \(layers: conv1, relu1, flatten, dense1, relu2, logits, features\)/);
  await refuses(() => topActivating(model, X, "conv1", 4), /unit 4 is out of range: layer conv1 has 4 channels \(0 to 3\)/);
  await refuses(() => topActivating(model, X, "dense1", -1), /unit -1 is out of range: layer dense1 has 3 features/);
  await refuses(() => topActivating(model, X, "conv1", 0, 0), /k must be an integer >= 1, got 0/);
  await refuses(() => topActivating(model, X, "conv1", 0, 9, { score: "median" as never }), /score must be "max", "mean" or "center", got "median"/);
  await refuses(() => topActivating(model, uniformImages(2, 5, 1), "conv1", 0), /X has 5 columns, but the model takes images of 36 values/);
  await refuses(() => maximizeActivation(model, "pool1", 0), /no layer "pool1"/);
  await refuses(() => maximizeActivation(model, "logits", 3), /unit 3 is out of range: layer logits has 3 features \(0 to 2\)/);
  await refuses(() => maximizeActivation(model, "conv1", 1.5), /unit 1.5 is out of range/);
  await refuses(() => maximizeActivation(model, "conv1", 0, { steps: -1 }), /steps must be an integer >= 0, got -1/);
  await refuses(() => maximizeActivation(model, "conv1", 0, { lr: 0 }), /lr must be a number > 0, got 0/);
  await refuses(() => maximizeActivation(model, "conv1", 0, { clip: [1, 0] }), /clip must be \[lo, hi\] with lo < hi, got \[1,0\]/);
  await refuses(() => filterImages(model, "relu1"), /layer "relu1" is a relu layer, not a convolution \(convolutions: conv1\)/);
  await refuses(() => filterImages(model, "nope"), /no layer "nope"/);
  await refuses(() => saliency(model, X, [0, 1]), /classIndex must give one class index per row of X \(30\)/);
  await refuses(() => saliency(model, X, undefined, { samples: 0 }), /samples must be an integer >= 1, got 0/);
  await refuses(() => saliency(model, X, undefined, { noise: -1 }), /noise must be a number >= 0, got -1/);
  await refuses(() => saliency(model, X.selectRows([0]), [3]), /classIndex\[0\] is 3: expected an index into the 3 classes \(0 to 2\)/);
  for (const f of [() => topActivating(model, X, "x", 0), () => maximizeActivation(model, "conv1", 9)]) {
    try {
      f();
    } catch (e) {
      assert.ok(!(e as Error).message.includes("\n"), "one line");
    }
  }
  model.dispose();
});

test("filterImages: one image per filter with the kernel's shape, each scaled on its own (0 → 0.5, ±max|w| → 0 or 1)", async () => {
  const { model } = await tinyNet([2, 9, 9], "conv5x5,relu,conv3,flatten,dense4,relu");
  const f = filterImages(model);
  assert.equal(f.layer, "conv1");
  assert.equal(f.images.length, 5);
  assert.deepEqual(f.shape, [5, 5]);
  assert.equal(f.channels, 2);
  const weight = (model.network.at(0) as unknown as { weight: { data: Float32Array } }).weight.data;
  f.images.forEach((img, k) => {
    assert.equal(img.length, 2 * 25);
    const w = weight.subarray(k * 50, (k + 1) * 50);
    const m = Math.max(...Array.from(w, Math.abs));
    let ext = 0;
    for (let j = 0; j < 50; j++) {
      assert.ok(img[j]! >= 0 && img[j]! <= 1);
      assert.ok(Math.abs(img[j]! - (0.5 + w[j]! / (2 * m))) < 1e-6);
      ext = Math.max(ext, Math.abs(img[j]! - 0.5));
    }
    assert.ok(Math.abs(ext - 0.5) < 1e-6, "the largest |weight| reaches 0 or 1");
  });
  const mm = filterImages(model, "conv2", { normalize: "minmax" });
  assert.equal(mm.images.length, 3);
  assert.deepEqual(mm.shape, [3, 3]);
  assert.equal(mm.channels, 5);
  for (const img of mm.images) {
    assert.ok(Math.abs(Math.min(...img)) < 1e-6 && Math.abs(Math.max(...img) - 1) < 1e-6);
  }
  model.dispose();
});

test("the regularisers: blur keeps constants and mass, roll inverts itself, images stay inside the clip range", async () => {
  const k = gaussianKernel(0.8);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.deepEqual(Array.from(gaussianKernel(0)), [1]);
  const flat = new Float32Array(2 * 7 * 6).fill(0.3);
  gaussianBlur(flat, 2, 7, 6, k);
  assert.ok(flat.every((v) => Math.abs(v - 0.3) < 1e-6));
  const rng = new Random(4);
  const img = Float32Array.from({ length: 2 * 3 * 7 * 6 }, () => rng.normal());
  const tv = (a: Float32Array): number => {
    let s = 0;
    for (let i = 1; i < a.length; i++) if (i % 6 !== 0) s += Math.abs(a[i]! - a[i - 1]!);
    return s;
  };
  const blurred = img.slice();
  gaussianBlur(blurred, 6, 7, 6, k);
  assert.ok(tv(blurred) < 0.6 * tv(img), "the blur smooths");
  const shifts = Int32Array.of(1, -2, 3, 0);
  const a = new Float32Array(img.length), b = new Float32Array(img.length);
  roll(img, a, 2, 3, 7, 6, shifts, 1);
  assert.equal(a[1 * 6 + ((0 - 2 + 6) % 6)], img[0]);
  roll(a, b, 2, 3, 7, 6, shifts, -1);
  assert.deepEqual(b, img);

  const { model } = await tinyNet([1, 8, 8], "conv4,relu,maxpool,flatten,dense3,relu");
  for (const o of [{ clip: [0.2, 0.7] as [number, number] }, { clip: [-1, 1] as [number, number], lr: 0.5, l2: 0, blurEvery: 0, jitter: 0 }]) {
    const r = maximizeActivations(model, "conv1", [0, 1, 2, 3], { steps: 40, ...o });
    for (const { image } of r) assert.ok(image.every((v) => v >= o.clip[0] && v <= o.clip[1]), `inside ${o.clip}`);
  }
  // more blur and decay give a smoother image closer to the centre of the range
  const rough = maximizeActivation(model, "dense1", 0, { steps: 60, l2: 0, blurEvery: 0, jitter: 0, lr: 0.1 });
  const smooth = maximizeActivation(model, "dense1", 0, { steps: 60, l2: 0.05, blurEvery: 1, blurSigma: 1, jitter: 0, lr: 0.1 });
  assert.ok(tv(smooth.image) < tv(rough.image), `blur: total variation ${tv(smooth.image)} < ${tv(rough.image)}`);
  const dev = (x: Float32Array): number => x.reduce((s, v) => s + Math.abs(v - 0.5), 0);
  assert.ok(dev(smooth.image) < dev(rough.image), "decay pulls towards the centre");
  // deterministic for a seed
  assert.deepEqual(maximizeActivation(model, "conv1", 2, { steps: 10, seed: 5 }).image, maximizeActivation(model, "conv1", 2, { steps: 10, seed: 5 }).image);
  model.dispose();
});

test("maximizeActivation on a small net trained on Fashion-MNIST: far above its start and above the best test image", async () => {
  const train = fashion("train", 2000);
  const testSet = fashion("t10k", 500);
  const model = await new CNNClassifier({ layers: "conv8,relu,maxpool,conv16,relu,maxpool,flatten,dense32,relu", epochs: 3, batchSize: 32, learningRate: 3e-3, seed: 1 }).fit(train.X, train.y);
  const accuracy = model.score(testSet.X, testSet.y);
  assert.ok(accuracy > 0.75, `test accuracy ${accuracy}`);
  for (const [layer, units] of [["conv2", [0, 5, 11]], ["dense1", [1, 7]], ["logits", [3]]] as const) {
    const r = maximizeActivations(model, layer, units as unknown as number[], { steps: 150, seed: 2 });
    units.forEach((u, j) => {
      const real = activations(model, testSet.X, layer, u, "mean");
      const best = Math.max(...real);
      const { activation, start } = r[j]!;
      // the final value is recomputed: it equals the unit's objective at the returned image
      const again = activations(model, new Matrix(1, 784, r[j]!.image), layer, u, "mean")[0]!;
      assert.ok(Math.abs(again - activation) < 1e-4 * (1 + Math.abs(activation)));
      const spread = Math.max(1e-3, best - Math.min(...real));
      assert.ok(activation > best, `${layer} unit ${u}: maximised ${activation.toFixed(3)} > best of 500 test images ${best.toFixed(3)}`);
      // (measured: 0.5 to 1.3 times the spread)
      assert.ok(activation - start > 0.4 * spread, `${layer} unit ${u}: rise ${(activation - start).toFixed(3)} from ${start.toFixed(3)} > 0.4 × the test images' spread ${spread.toFixed(3)}`);
    });
  }
  model.dispose();
});

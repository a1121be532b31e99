// CNNClassifier (src/models/cnn.ts) and its layer language (cnn-layers.ts): options refused in one line; the plan's
// tensors are the built network's state names and shapes; the whole network's gradient (conv, batch norm in training
// mode, residual and plain blocks, pooling, global average pooling, dense) against central differences in float64;
// save/load round trips (safetensors and JSON) with batch-norm statistics; hostile model files; early stopping that
// restores the best epoch; the learning-rate schedules; cancellation; progress; transform of every layer; gradients
// of forward(x) reaching x. The Fashion-MNIST quality floor and the random-label property are in cnn-fashion.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { CancelledError, LatentkitError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import type { Progress } from "../../src/core/estimator.js";
import { Random } from "../../src/core/random.js";
import { parseSafetensors, serializeSafetensors } from "../../src/formats/safetensors.js";
import { readCsv } from "../../src/io/csv.js";
import { CNNClassifier, stepFactor, type CNNClassifierJSON } from "../../src/models/cnn.js";
import type { Label } from "../../src/linear/labels.js";
import { buildLayers, layerTokens, planLayers, planTensors, presetLayers } from "../../src/models/cnn-layers.js";
import { backward, noGrad, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { softmaxCrossEntropy } from "../../src/nn/ops/losses.js";
import { sum } from "../../src/nn/ops/sum.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import { splitRows } from "../../src/nn/train.js";
import { Tensor } from "../../src/nn/tensor.js";
import { PROJECT_DATA, refuses } from "../helpers.js";

// the digits: 8x8 grey levels 0..16, scaled to [0, 1]
const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
const unit = (M: Matrix): Matrix => new Matrix(M.rows, M.cols, Float32Array.from(M.data, (v) => v / 16));
const X = unit(digits.X.rowRange(0, 600));
const y = digits.labels!.slice(0, 600);
const Xnew = unit(digits.X.rowRange(1500, 1540));
const plain = (m: Matrix): number[] => Array.from(m.data);

/** Runs f and returns the LatentkitError's message, checking it is one line. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LatentkitError, `expected a LatentkitError, got ${String(e)}`);
    assert.ok(!e.message.includes("\n"), `not one line: ${e.message}`);
    return e.message;
  }
  assert.fail("expected a refusal");
}

test("options refused in one line naming the value: preset, width or residual with layers, residual with lenet, tokens, shapes", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ preset: "vgg" }, /preset.*"vgg"/],
    [{ layers: "conv8,relu,flatten", width: 8 }, /width and residual switch a preset; with layers "conv8,relu,flatten"/],
    [{ layers: "conv8,relu,flatten", residual: true }, /width and residual switch a preset/],
    [{ preset: "lenet", residual: false }, /residual applies to the resnet preset; the lenet preset has no residual blocks/],
    [{ residual: true }, /residual applies to the resnet preset/],
    // tokens are checked at construction even before the image shape is known
    [{ layers: "conv8,relu,conv8y3,flatten" }, /unknown layer "conv8y3" in layers "conv8,relu,conv8y3,flatten" \(known: conv<C>/],
    [{ layers: "conv8,softmax,flatten" }, /unknown layer "softmax"/],
    [{ layers: "conv0,flatten" }, /layer "conv0": the channels must be an integer >= 1, got 0/],
    [{ layers: "conv4x0,flatten" }, /layer "conv4x0": the kernel size must be an integer >= 1, got 0/],
    [{ layers: "conv4,flatten,dropout1.5" }, /layer "dropout1.5": the dropout probability must be in \[0, 1\), got 1.5/],
    [{ layers: " , " }, /layers is empty/],
    // with the image shape the plan is checked at construction
    [{ imageShape: [1, 4, 4], layers: "conv4,maxpool,maxpool,maxpool,flatten" }, /layer "maxpool" takes 1x1 feature maps to 0x0: use fewer poolings/],
    [{ imageShape: [1, 5, 5], layers: "conv4,maxpool6,flatten" }, /layer "maxpool6" takes 5x5 feature maps to 0x0/],
    [{ imageShape: [1, 8, 8], layers: "conv8,relu,res16,gap" }, /block "res16" keeps 16 channels, but its input has 8: put a conv16 before it/],
    [{ imageShape: [3, 8, 8], layers: "resbn4,gap" }, /block "resbn4" keeps 4 channels, but its input has 3/],
    [{ imageShape: [1, 8, 8], layers: "conv8,relu,maxpool" }, /the layers end with \[8, 4, 4\] feature maps: end them with flatten or gap/],
    [{ imageShape: [1, 8, 8], layers: "conv8,dense10" }, /layer "dense10" needs flat features: put flatten or gap before it/],
    [{ imageShape: [1, 8, 8], layers: "conv8,gap,maxpool,dense4" }, /layer "maxpool" needs \[C, H, W\] feature maps, but after "gap" they are flat \(8 features\)/],
    [{ imageShape: [1, 8, 8, 1] }, /imageShape/],
    [{ optimizer: "adam", nesterov: true }, /nesterov applies to optimizer "sgd", not "adam"/],
    [{ lrSchedule: "exp" }, /lrSchedule.*"exp"/],
    [{ dropout: 1 }, /dropout/],
  ];
  for (const [options, message] of cases) assert.match(refusal(() => new CNNClassifier(options as never)), message, JSON.stringify(options));
});

test("fit refuses bad data in one line: too few classes, a side pooled to 0, a row length that is not an image", async () => {
  await refuses(() => new CNNClassifier({ layers: "conv4,maxpool,maxpool,maxpool,maxpool,flatten" }).fit(X, y), /layer "maxpool" takes 1x1 feature maps to 0x0/);
  await refuses(() => new CNNClassifier().fit(X, Array(600).fill(3)), /at least 2 classes, but y holds only 3/);
  await refuses(() => new CNNClassifier().fit(new Matrix(600, 63, X.data.subarray(0, 600 * 63)), y), /X has 63 columns, not a square number: give imageShape/);
  await refuses(() => new CNNClassifier({ imageShape: [2, 4, 4] }).fit(new Matrix(600, 64, X.data), y), /imageShape \[2, 4, 4\] needs 2·4·4 = 32/);
  assert.throws(() => new CNNClassifier().classes, /this CNNClassifier is not fitted yet: call fit\(\) first/);
});

/** Every token of the language, in a stack for [2, 16, 16] images: flattened at the end, and through gap. */
const EVERY_TOKEN_FLAT = "bn,conv6x5s2,bn,relu,res6,resbn6,plain6,plainbn6,maxpool,conv4x1,avgpool,dropout0.1,flatten,dense12,bn,relu,dropout,dense7";
const EVERY_TOKEN_GAP = "conv5s2,relu,maxpool3,resbn5,gap,bn,dense6,relu";

test("planLayers: the tensors of the plan are the built network's stateDict, names, shapes and order, for the presets and custom stacks", () => {
  const stacks: [string, [number, number, number]][] = [
    [presetLayers("lenet", { width: 32, hidden: 128, batchNorm: true, dropout: 0.25, residual: true }), [1, 28, 28]],
    [presetLayers("lenet", { width: 6, hidden: 20, batchNorm: false, dropout: 0, residual: true }), [3, 10, 12]],
    [presetLayers("resnet", { width: 16, hidden: 128, batchNorm: true, dropout: 0.25, residual: true }), [1, 28, 28]],
    [presetLayers("resnet", { width: 4, hidden: 128, batchNorm: false, dropout: 0, residual: false }), [1, 8, 8]],
    [EVERY_TOKEN_FLAT, [2, 16, 16]],
    [EVERY_TOKEN_GAP, [2, 16, 16]],
  ];
  for (const [layers, shape] of stacks) {
    const plans = planLayers(layers, shape, 5);
    const net = buildLayers(plans, new Random(1));
    try {
      assert.equal(net.length, plans.length);
      assert.deepEqual(planTensors(plans), [...net.stateDict()].map(([n, t]) => [n, t.shape.slice()]), layers);
      // and each layer's output shape is the planned one
      tidy(() => noGrad(() => {
        net.eval();
        let x = Tensor.randn([2, ...shape], new Random(2));
        plans.forEach((p, i) => {
          assert.deepEqual(p.inShape, x.shape.slice(1), `${layers}: ${p.name} input`);
          x = net.at(i).forward(x);
          assert.deepEqual(x.shape.slice(1), p.outShape.slice(), `${layers}: ${p.name} output`);
        });
      }));
    } finally {
      net.dispose();
    }
  }
  // the presets as documented, and the names by kind and position
  assert.equal(presetLayers("lenet", { width: 32, hidden: 128, batchNorm: true, dropout: 0.25, residual: true }),
    "conv32,bn,relu,maxpool,conv64,bn,relu,maxpool,flatten,dropout0.25,dense128,relu,dropout0.25");
  assert.equal(presetLayers("resnet", { width: 16, hidden: 128, batchNorm: true, dropout: 0, residual: true }),
    "conv16,bn,relu,maxpool,resbn16,conv32,bn,relu,maxpool,resbn32,gap");
  assert.equal(presetLayers("resnet", { width: 16, hidden: 128, batchNorm: false, dropout: 0, residual: false }),
    "conv16,relu,maxpool,plain16,conv32,relu,maxpool,plain32,gap");
  assert.deepEqual(planLayers(EVERY_TOKEN_FLAT, [2, 16, 16], 3).map((p) => p.name), [
    "bn1", "conv1", "bn2", "relu1", "res1", "res2", "plain1", "plain2", "pool1", "conv2", "pool2", "dropout1", "flatten", "dense1", "bn3",
    "relu2", "dropout2", "dense2", "logits"]);
  const plans = planLayers(EVERY_TOKEN_FLAT, [2, 16, 16], 3);
  assert.deepEqual(plans[1]!.outShape, [6, 8, 8]); // 5x5 stride 2, padding 2: 16 -> 8
  assert.deepEqual(plans[12]!.outShape, [16]); // 4 channels x 2 x 2 after two poolings
  assert.equal(plans[11]!.p, 0.1);
  assert.equal(plans[16]!.p, 0.5);
  assert.deepEqual(planLayers("conv3,maxpool3,flatten", [1, 7, 7], 2)[1]!.outShape, [3, 2, 2]); // floor: 7 -> 2
  assert.deepEqual(layerTokens(" Conv8 , RELU\tflatten  "), ["conv8", "relu", "flatten"]);
});

test("the whole network's gradient (conv, bn in training mode, res/plain blocks, pooling, gap, dense) matches central differences in float64", () => {
  const stacks = [
    "conv3,bn,relu,resbn3,maxpool,res3,conv4x3s2,relu,gap,dense5,bn,relu",
    "conv3x5,relu,avgpool,plainbn3,plain3,flatten,dense6,relu",
  ];
  const shape: [number, number, number] = [2, 6, 6];
  const n = 3, K = 4;
  const labels = Int32Array.from([0, 3, 1]);
  for (const layers of stacks) {
    withEngineRoute("ts64", () => {
      const rng = new Random(11);
      const net = buildLayers(planLayers(layers, shape, K), rng);
      // biases away from zero, batch-norm scales away from one, so that no ReLU input sits on its kink
      for (const [name, p] of net.namedParameters()) if (name.endsWith("bias") || /\.weight$/.test(name) && p.rank === 1) for (let i = 0; i < p.size; i++) p.data[i]! += 0.3 * (rng.uniform() - 0.5);
      net.train();
      const x = Tensor.longLived([n, ...shape]);
      for (let i = 0; i < x.size; i++) x.data[i] = rng.normal();
      x.requiresGrad = true;
      const loss = (): Tensor => softmaxCrossEntropy(net.forward(x), labels);
      try {
        tidy(() => backward(loss()));
        const value = (): number => tidy(() => noGrad(() => loss().item()));
        let worst = 0, checked = 0, largest = 0;
        for (const [name, p] of [...net.namedParameters(), ["x", x] as [string, Tensor]]) {
          const g = p.grad!.data;
          for (let i = 0; i < p.size; i++) {
            const v = p.data[i]!;
            p.data[i] = v + 1e-6;
            const up = value();
            p.data[i] = v - 1e-6;
            const down = value();
            p.data[i] = v;
            const numeric = (up - down) / 2e-6;
            const err = Math.abs(numeric - g[i]!);
            assert.ok(err < 1e-7, `${layers}: ${name}[${i}]: analytic ${g[i]}, numeric ${numeric}`);
            worst = Math.max(worst, err);
            largest = Math.max(largest, Math.abs(g[i]!));
            checked++;
          }
        }
        assert.ok(checked > 300 && largest > 1e-2, `${checked} checked, largest gradient ${largest}`);
      } finally {
        net.dispose();
        x.grad?.dispose();
        x.dispose();
      }
    });
  }
});

// one small fitted model with every kind of state: batch norm (2d and 1d), a residual block, dropout, string labels
const LAYERS = "conv6,bn,relu,resbn6,maxpool,dropout0.1,conv8,relu,gap,dense16,bn,relu";
const names = y.map((v) => `digit ${v}`);
let fittedModel: Promise<{ model: CNNClassifier; progress: Progress[] }> | undefined;
function smallModel(): Promise<{ model: CNNClassifier; progress: Progress[] }> {
  fittedModel ??= (async () => {
    const progress: Progress[] = [];
    const model = new CNNClassifier({ layers: LAYERS, epochs: 6, batchSize: 32, learningRate: 1e-2, validationFraction: 0.2, seed: 5, onProgress: (p) => progress.push(p) });
    await model.fit(X, names);
    return { model, progress };
  })();
  return fittedModel;
}

test("progress: stage \"epoch e/E\", loss, accuracy, valLoss, valAccuracy, samplesPerSecond, lr; the history keeps the same per epoch", async () => {
  const { model, progress } = await smallModel();
  assert.ok(progress.length >= 6);
  for (const p of progress) {
    assert.match(p.stage, /^epoch [1-6]\/6$/);
    assert.ok(p.metrics!.accuracy! >= 0 && p.metrics!.accuracy! <= 1);
    assert.ok(p.metrics!.samplesPerSecond! > 0 && p.metrics!.lr === 1e-2);
  }
  const ends = progress.filter((p) => p.metrics!.valLoss !== undefined);
  assert.equal(ends.length, 6);
  const h = model.history;
  ends.forEach((p, e) => {
    assert.equal(p.metrics!.loss, h.train[e]);
    assert.equal(p.metrics!.accuracy, h.terms!.accuracy![e]);
    assert.equal(p.metrics!.valLoss, h.validation[e]);
    assert.equal(p.metrics!.valAccuracy, h.validationTerms!.accuracy![e]);
  });
  // it learned: the last epoch's validation accuracy is well above chance, and the training loss fell
  assert.ok(h.validationTerms!.accuracy![5]! > 0.8, `validation accuracy ${h.validationTerms!.accuracy![5]}`);
  assert.ok(h.train[5]! < h.train[0]! / 2);
  assert.deepEqual(model.classes, [...new Set(names)].sort());
  const score = model.score(unit(digits.X.rowRange(1000, 1400)), digits.labels!.slice(1000, 1400).map((v) => `digit ${v}`));
  assert.ok(score > 0.8, `test accuracy ${score}`);
});

test("transform of every layer name has the planned shape; features is the logits' input, logits the decision function", async () => {
  const { model } = await smallModel();
  assert.deepEqual(model.layerNames, ["conv1", "bn1", "relu1", "res1", "pool1", "dropout1", "conv2", "relu2", "gap", "dense1", "bn2", "relu3", "logits", "features"]);
  for (const name of model.layerNames) {
    const plan = model.layers[model.layerIndex(name)]!;
    const T = model.transform(Xnew, name);
    assert.equal(T.rows, 40);
    assert.equal(T.cols, plan.outShape.reduce((a, b) => a * b, 1), name);
    tidy(() => noGrad(() => assert.deepEqual(model.forward(Tensor.from(Xnew.data.subarray(0, 3 * 64), [3, 64]), name).shape, [3, ...plan.outShape])));
  }
  assert.deepEqual(plain(model.transform(Xnew)), plain(model.transform(Xnew, "relu3")));
  assert.deepEqual(plain(model.transform(Xnew, "logits")), plain(model.decisionFunction(Xnew)));
  // relu outputs are non-negative; eval mode: dropout is the identity
  assert.ok(model.transform(Xnew, "relu1").data.every((v) => v >= 0));
  assert.deepEqual(plain(model.transform(Xnew, "dropout1")), plain(model.transform(Xnew, "pool1")));
  const P = model.predictProba(Xnew);
  for (let i = 0; i < 40; i++) assert.ok(Math.abs(Array.from(P.data.subarray(i * 10, i * 10 + 10)).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.throws(() => model.transform(Xnew, "conv9"), /no layer "conv9" \(layers: conv1, bn1, relu1/);
  assert.throws(() => model.predict(new Matrix(2, 63, X.data.subarray(0, 126))), /X has 63 features, but this CNNClassifier was fitted with 64/);
});

test("forward(x) lets gradients reach x: ∂(R·logits)/∂x of a trained model matches central differences in float64", async () => {
  const { model } = await smallModel();
  const json = JSON.parse(JSON.stringify(model.toJSON())) as CNNClassifierJSON;
  const m64 = withEngineRoute("ts64", () => CNNClassifier.fromJSON(json));
  try {
    for (const layer of ["logits", "conv2", "features"]) {
      const r = checkGrad((x) => m64.forward(x!, layer), [[2, 64]], { values: [Array.from(Xnew.data.subarray(0, 128), (v) => v + 0.01)], eps: 1e-6 });
      assert.ok(r.maxError < 1e-6, `${layer}: ${JSON.stringify(r)}`);
    }
    // and in float32 the gradient is there and not zero
    tidy(() => {
      const x = Tensor.from(Xnew.data.subarray(0, 64), [1, 64]);
      x.requiresGrad = true;
      const out = model.forward(x);
      backward(sum(out));
      assert.ok(x.grad && x.grad.data.some((v) => v !== 0));
    });
  } finally {
    m64.dispose();
  }
});

test("save/load round trips (safetensors and JSON) give identical predictions, features and history, batch-norm statistics included", async () => {
  const { model } = await smallModel();
  const state = model.network.stateDict();
  // the statistics were trained: not the initial 0 and 1
  const rv = state.get("1.running_var")!.data;
  assert.ok(Array.from(rv).some((v) => Math.abs(v - 1) > 1e-3), "running_var trained");
  const bytes = model.toSafetensors();
  const file = parseSafetensors(bytes);
  assert.deepEqual([...file.tensors.keys()], [...state.keys()]);
  const copies = [CNNClassifier.fromSafetensors(bytes), CNNClassifier.fromJSON(JSON.parse(JSON.stringify(model.toJSON())))];
  for (const copy of copies) {
    assert.deepEqual(plain(copy.predictProba(Xnew)), plain(model.predictProba(Xnew)));
    assert.deepEqual(copy.predict(Xnew), model.predict(Xnew));
    assert.deepEqual(plain(copy.transform(Xnew, "res1")), plain(model.transform(Xnew, "res1")));
    assert.deepEqual(copy.getParams(), { ...model.getParams(), onProgress: undefined });
    assert.deepEqual(copy.classes, model.classes);
    assert.deepEqual(copy.layers, model.layers);
    assert.deepEqual(copy.history.train, model.history.train);
    assert.deepEqual(copy.history.validationTerms, model.history.validationTerms);
    assert.equal(copy.history.bestEpoch, model.history.bestEpoch);
    for (const [k, t] of copy.network.stateDict()) assert.deepEqual(Array.from(t.data), Array.from(state.get(k)!.data), k);
    copy.dispose();
  }
  // the statistics matter: a file with the initial ones predicts otherwise (so the round trip checks them)
  const reset = [...file.tensors].map(([n, t]) => [n, n.endsWith("running_mean") ? { shape: t.shape, data: new Float32Array(t.data.length) }
    : n.endsWith("running_var") ? { shape: t.shape, data: new Float32Array(t.data.length).fill(1) } : t] as [string, { shape: number[]; data: Float32Array }]);
  const stale = CNNClassifier.fromSafetensors(serializeSafetensors(reset, file.metadata));
  assert.notDeepEqual(plain(stale.predictProba(Xnew)), plain(model.predictProba(Xnew)));
  stale.dispose();
  // PyTorch's state_dict has batch-norm counters: they load (and are ignored)
  const torchLike = [...file.tensors, ["1.num_batches_tracked", { shape: [], data: new Float32Array([57]) }]] as [string, { shape: number[]; data: Float32Array }][];
  const fromTorch = CNNClassifier.fromSafetensors(serializeSafetensors(torchLike, file.metadata));
  assert.deepEqual(plain(fromTorch.predictProba(Xnew)), plain(model.predictProba(Xnew)));
  fromTorch.dispose();
});

test("hostile model files fail with one line: missing, extra, wrong-shaped or NaN tensors, wrong type or version, bad header", async () => {
  const { model } = await smallModel();
  const file = parseSafetensors(model.toSafetensors());
  const header = JSON.parse(file.metadata.latentkit!);
  type T = [string, { shape: number[]; data: Float32Array }];
  const tensors = (): T[] => [...file.tensors].map(([n, t]) => [n, { shape: t.shape.slice(), data: Float32Array.from(t.data) }] as T);
  const withMeta = (ts: T[], meta: Record<string, string> = file.metadata): Uint8Array => serializeSafetensors(ts, meta);
  const loads = (b: Uint8Array): string => refusal(() => CNNClassifier.fromSafetensors(b, "m.safetensors"));
  assert.match(loads(withMeta(tensors().filter(([n]) => n !== "6.weight"))), /m\.safetensors: tensor "6\.weight" \[8, 6, 3, 3\] is missing for this CNNClassifier \(layers conv6,bn/);
  assert.match(loads(withMeta([...tensors(), ["13.weight", { shape: [2], data: new Float32Array(2) }]])), /m\.safetensors: unexpected tensor "13\.weight"/);
  assert.match(loads(withMeta(tensors().map(([n, t]) => (n === "12.weight" ? [n, { shape: [10, 8], data: t.data.subarray(0, 80) }] : [n, t]) as T))),
    /tensor "12\.weight" has shape \[10, 8\], expected \[10, 16\] from the layers and classes/);
  assert.match(loads(withMeta(tensors().map(([n, t]) => { if (n === "3.0.inner.1.running_var") t.data[2] = NaN; return [n, t] as T; }))),
    /m\.safetensors: tensor "3\.0\.inner\.1\.running_var": element 2 is NaN \(expected finite values\)/);
  const meta = (h: Record<string, unknown>): Record<string, string> => ({ ...file.metadata, latentkit: JSON.stringify(h) });
  assert.match(loads(withMeta(tensors(), meta({ ...header, type: "VAE" }))), /m\.safetensors: holds a "VAE", not a CNNClassifier/);
  assert.match(loads(withMeta(tensors(), meta({ ...header, version: 2 }))), /version 2/);
  assert.match(loads(withMeta(tensors(), meta({ ...header, classes: ["a"] }))), /classes holds 1 class; expected at least 2/);
  assert.match(loads(withMeta(tensors(), meta({ ...header, imageShape: [1, 8] }))), /imageShape must be \[channels, height, width\], got/);
  assert.match(loads(withMeta(tensors(), meta({ ...header, options: { ...header.options, layers: "conv6,bn,relu,resbn6,pool" } }))), /unknown layer "pool"/);
  assert.match(loads(withMeta(tensors(), meta({ ...header, history: { ...header.history, train: [1, "x"] } }))), /history\.train: expected an array of finite numbers/);
  assert.match(loads(withMeta(tensors(), { latentkit: "{not json" })), /m\.safetensors: the "latentkit" metadata is not JSON/);
  assert.match(loads(withMeta(tensors(), {})), /m\.safetensors: no "latentkit" metadata entry: not a model saved by latentkit/);
  assert.match(loads(model.toSafetensors().subarray(0, 100)), /m\.safetensors/);
  // the JSON form
  const json = JSON.parse(JSON.stringify(model.toJSON())) as CNNClassifierJSON;
  const fromJSON = (j: unknown): string => refusal(() => CNNClassifier.fromJSON(j as CNNClassifierJSON));
  const { ["0.bias"]: _, ...fewer } = json.weights;
  assert.match(fromJSON({ ...json, weights: fewer }), /tensor "0\.bias" \[6\] is missing/);
  assert.match(fromJSON({ ...json, weights: { ...json.weights, "0.bias": { ...json.weights["0.bias"]!, dtype: "float64" } } }), /weights\.0\.bias: dtype must be "float32", got "float64"/);
  assert.match(fromJSON({ ...json, weights: { ...json.weights, "0.bias": { ...json.weights["0.bias"]!, shape: [3, 2] } } }), /tensor "0\.bias" has shape \[3, 2\], expected \[6\]/);
  const nan = new Uint8Array(new Float32Array([0, 0, NaN, 0, 0, 0]).buffer);
  assert.match(fromJSON({ ...json, weights: { ...json.weights, "0.bias": { ...json.weights["0.bias"]!, base64: Buffer.from(nan).toString("base64") } } }),
    /tensor "0\.bias" element 2 is NaN: expected finite values/);
  assert.match(fromJSON({ ...json, type: "ConvAutoencoder" }), /expected a saved CNNClassifier \(type: "CNNClassifier"\), got type "ConvAutoencoder"/);
  assert.match(fromJSON({ ...json, version: 7 }), /unsupported saved-model version 7, expected 1/);
  assert.match(fromJSON(null), /expected a saved CNNClassifier/);
});

/** The rows held out for validation by a fit with these options (the same generator calls as fit's). */
function heldRows(model: CNNClassifier, n: number): Int32Array {
  const rng = new Random(model.options.seed);
  buildLayers(planLayers(model.layerSpec, model.imageShape, model.classes.length), rng).dispose();
  return splitRows(n, model.options.validationFraction, rng).held;
}

/** Mean cross-entropy of the model on the rows `rows` of X with labels y. */
function crossEntropy(model: CNNClassifier, M: Matrix, labels: ArrayLike<Label>, rows: Int32Array): number {
  const sub = new Matrix(rows.length, M.cols, new Float32Array(rows.length * M.cols));
  rows.forEach((r, i) => sub.data.set(M.data.subarray(r * M.cols, (r + 1) * M.cols), i * M.cols));
  return tidy(() => noGrad(() => softmaxCrossEntropy(Tensor.fromMatrix(model.decisionFunction(sub)), Int32Array.from(rows, (r) => model.classes.indexOf(labels[r]!))).item()));
}

test("early stopping with restoreBest ends with the best epoch's weights: the validation loss recomputed is history's best", async () => {
  // a wide net on 200 images at a high rate overfits: the validation loss turns up after a few epochs
  const Xs = X.rowRange(0, 200), ys = y.slice(0, 200);
  const o = { layers: "conv16,relu,maxpool,flatten,dense256,relu", epochs: 14, batchSize: 20, learningRate: 1e-2, validationFraction: 0.3, seed: 3 };
  const kept = await new CNNClassifier(o).fit(Xs, ys);
  const h = kept.history;
  const held = heldRows(kept, 200);
  assert.equal(held.length, 60);
  const last = h.validation.length - 1;
  assert.ok(h.bestEpoch < last, `the best epoch ${h.bestEpoch} is not the last (${JSON.stringify(h.validation)})`);
  assert.equal(Math.min(...h.validation), h.validation[h.bestEpoch]);
  const best = crossEntropy(kept, Xs, ys, held);
  assert.ok(Math.abs(best - h.validation[h.bestEpoch]!) < 1e-5 * Math.max(1, best), `recomputed ${best}, history's best ${h.validation[h.bestEpoch]}`);
  // without restoreBest the same run ends with the last epoch's weights
  const lastWeights = await new CNNClassifier({ ...o, restoreBest: false }).fit(Xs, ys);
  assert.deepEqual(lastWeights.history.validation, h.validation);
  const end = crossEntropy(lastWeights, Xs, ys, held);
  assert.ok(Math.abs(end - h.validation[last]!) < 1e-5 * Math.max(1, end), `recomputed ${end}, last ${h.validation[last]}`);
  assert.ok(Math.abs(end - best) > 1e-3);
  // early stopping: patience 2 ends the run two epochs after the best one and still restores the best
  const stopped = await new CNNClassifier({ ...o, earlyStopping: 2 }).fit(Xs, ys);
  assert.ok(stopped.history.stoppedEarly);
  assert.equal(stopped.history.train.length, stopped.history.bestEpoch + 3);
  assert.ok(stopped.history.train.length < 14);
  assert.deepEqual(stopped.history.validation, h.validation.slice(0, stopped.history.train.length));
  const sh = stopped.history;
  assert.ok(sh.bestEpoch < sh.train.length - 1);
  const restored = crossEntropy(stopped, Xs, ys, held);
  assert.ok(Math.abs(restored - sh.validation[sh.bestEpoch]!) < 1e-5 * Math.max(1, restored), `recomputed ${restored}, best ${sh.validation[sh.bestEpoch]}`);
  for (const m of [kept, lastWeights, stopped]) m.dispose();
});

test("learning-rate schedules give the documented rate in each epoch (progress's lr): constant, cosine, step", async () => {
  const Xs = X.rowRange(0, 64), ys = y.slice(0, 64);
  const lr0 = 2e-3, E = 8;
  const want: Record<string, (e: number) => number> = {
    constant: () => lr0,
    cosine: (e) => lr0 * 0.5 * (1 + Math.cos((Math.PI * e) / E)),
    step: (e) => lr0 * (e < 4 ? 1 : e < 6 ? 0.1 : 0.01),
  };
  for (const [lrSchedule, rate] of Object.entries(want)) {
    const lrs: number[] = [];
    const m = await new CNNClassifier({
      layers: "conv2,relu,maxpool,flatten", epochs: E, batchSize: 64, learningRate: lr0, lrSchedule: lrSchedule as "step", seed: 1,
      onProgress: (p) => { lrs[p.metrics!.epoch! - 1] = p.metrics!.lr!; },
    }).fit(Xs, ys);
    assert.equal(lrs.length, E);
    lrs.forEach((lr, e) => assert.ok(Math.abs(lr - rate(e)) < 1e-15, `${lrSchedule}, epoch ${e}: lr ${lr}, expected ${rate(e)}`));
    m.dispose();
  }
  // the step rule's milestones ⌊E/2⌋ and ⌊3E/4⌋ at other lengths
  const steps = (E: number): number[] => Array.from({ length: E }, (_, e) => stepFactor(e, E));
  assert.deepEqual(steps(1), [1]);
  assert.deepEqual(steps(2), [1, 0.1]);
  assert.deepEqual(steps(3), [1, 0.1, 0.1 * 0.1]);
  assert.deepEqual(steps(5), [1, 1, 0.1, 0.1 * 0.1, 0.1 * 0.1]);
});

test("cancellation: an aborted signal rejects fit with CancelledError and leaves the model unfitted", async () => {
  const ac = new AbortController();
  const m = new CNNClassifier({ layers: "conv4,relu,flatten", epochs: 50, batchSize: 8, seed: 1, signal: ac.signal, onProgress: () => ac.abort() });
  await assert.rejects(m.fit(X.rowRange(0, 200), y.slice(0, 200)), (e: unknown) => e instanceof CancelledError && /CNNClassifier\.fit was cancelled/.test(e.message));
  assert.throws(() => m.network, /not fitted yet/);
  const before = new AbortController();
  before.abort();
  await assert.rejects(new CNNClassifier({ layers: "conv4,relu,flatten", signal: before.signal }).fit(X.rowRange(0, 20), y.slice(0, 20)), CancelledError);
});

test("training with augmentation (shift, rotation; a last batch smaller than the others) learns, and a seed repeats a run exactly", async () => {
  // 250 rows in batches of 32: the last batch of each epoch has 26
  const Xs = X.rowRange(0, 250), ys = y.slice(0, 250);
  const o = { layers: "conv8,relu,maxpool,flatten,dense32,relu", epochs: 12, batchSize: 32, learningRate: 1e-2, seed: 4 };
  const augmented = { ...o, augment: true, shift: 1, rotate: 10 };
  const a = await new CNNClassifier(augmented).fit(Xs, ys);
  const again = await new CNNClassifier(augmented).fit(Xs, ys);
  const plainRun = await new CNNClassifier(o).fit(Xs, ys);
  assert.deepEqual(a.history.train, again.history.train);
  assert.deepEqual(plain(a.predictProba(Xnew)), plain(again.predictProba(Xnew)));
  const h = a.history.train;
  assert.ok(h[11]! < h[0]! / 2, `augmented training loss ${JSON.stringify(h)}`);
  // moved and turned 8x8 digits are harder to fit than the plain ones
  assert.ok(h[11]! > 2 * plainRun.history.train[11]!, `augmented ${h[11]}, plain ${plainRun.history.train[11]}`);
  const score = a.score(unit(digits.X.rowRange(1000, 1400)), digits.labels!.slice(1000, 1400));
  assert.ok(score > 0.65, `test accuracy ${score}`);
  for (const m of [a, again, plainRun]) m.dispose();
});

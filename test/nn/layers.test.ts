import assert from "node:assert/strict";
import { test } from "node:test";
import * as latentkit from "../../src/index.js";
import { Random } from "../../src/core/random.js";
import type { SafeTensor } from "../../src/formats/safetensors.js";
import { backward, noGrad, tidy } from "../../src/nn/autograd.js";
import { fans, glorotNormal, glorotUniform, heNormal, heUniform } from "../../src/nn/init.js";
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Flatten, GELU, LeakyReLU, Linear, MaxPool2d,
  ReLU, Reshape, Residual, Sequential, Sigmoid, Tanh, buildModule, registerModule,
} from "../../src/nn/layers/index.js";
import type { Module } from "../../src/nn/module.js";
import * as ops from "../../src/nn/ops/index.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { fixture, fixtureFile } from "./helpers.js";

const ROUTES = (nnCore() ? ["wasm", "ts"] : ["ts"]) as ("wasm" | "ts")[];

const fx = fixtureFile("layers.safetensors");
const T = (name: string): SafeTensor => fixture("layers.safetensors", name);
const TORCH_STATE = JSON.parse(fx.metadata.state!) as [string, number[]][];

/** latentkit's copy of the fixture's torch network (make_layers_fixtures.py), layer for layer. */
function everyLayer(rng = new Random(1)): Sequential {
  return new Sequential(
    new Conv2d(3, 4, 3, { padding: 1, rng }),
    new BatchNorm2d(4),
    new ReLU(),
    new MaxPool2d(2),
    new ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1, rng }),
    new AvgPool2d(2),
    new Flatten(),
    new Linear(32, 6, { rng }),
    new BatchNorm1d(6),
    new LeakyReLU(0.2),
    new Dropout(0.3, rng),
    new Residual(new Sequential(new Linear(6, 6, { rng }), new Tanh())),
    new Linear(6, 12, { rng }),
    new Sigmoid(),
    new Reshape([3, 4]),
    new GELU(),
    new Linear(4, 5, { bias: false, rng }),
    new ReLU(),
  );
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) assert.fail(`${what}[${i}]: ${a}, expected ${e} (tolerance ${tol})`);
  }
}

function loadTorchState(m: Module): void {
  const state = new Map<string, SafeTensor>();
  for (const [k] of TORCH_STATE) if (!k.endsWith("num_batches_tracked")) state.set(k, T(`state.${k}`));
  m.loadStateDict(state);
}

test("a Sequential of every layer type has PyTorch's state_dict names and shapes, in its order", () => {
  const net = everyLayer();
  const ours = [...net.stateDict()].map(([k, t]) => [k, [...t.shape]]);
  const theirs = TORCH_STATE.filter(([k]) => !k.endsWith("num_batches_tracked"));
  assert.deepEqual(ours, theirs);
  assert.deepEqual(net.namedBuffers().map(([k]) => k), ["1.running_mean", "1.running_var", "8.running_mean", "8.running_var"]);
  // PyTorch's batch-norm counters are accepted (and ignored) by loadStateDict
  const withCounters = new Map<string, { shape: number[]; data: ArrayLike<number> }>();
  for (const [k, shape] of TORCH_STATE) withCounters.set(k, k.endsWith("num_batches_tracked") ? { shape, data: [7] } : T(`state.${k}`));
  net.loadStateDict(withCounters);
  close(net.stateDict().get("8.running_var")!.data, T("state.8.running_var").data, 0, "loaded running_var");
  net.dispose();
});

test("loadStateDict refuses missing, unexpected and mis-shaped entries (strict), and takes a subset when not strict", () => {
  const m = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
  const ok = { "0.weight": { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }, "0.bias": { shape: [2], data: [0, 1] } };
  assert.throws(() => m.loadStateDict(ok), /missing "2.weight"; missing "2.bias"/);
  assert.throws(() => m.loadStateDict({ ...ok, "2.weight": { shape: [2, 1], data: [1, 2] }, "2.bias": { shape: [1], data: [0] } }), /"2.weight" is \[2, 1\], the module's \[1, 2\]/);
  // not strict: a subset loads, names it does not know are skipped, shapes are still checked
  m.loadStateDict({ ...ok, "1.weight": { shape: [1], data: [0] } }, { strict: false });
  assert.throws(() => m.loadStateDict({ "0.bias": { shape: [3], data: [0, 1, 2] } }, { strict: false }), /"0.bias" is \[3\]/);
  assert.deepEqual(Array.from((m.at(0) as Linear).weight.data), [1, 2, 3, 4, 5, 6]);
  m.dispose();
});

test("spec → JSON → buildModule rebuilds every layer with the same names, shapes and arguments", () => {
  const net = everyLayer();
  const spec = JSON.parse(JSON.stringify(net.spec()));
  const copy = buildModule(spec, new Random(9));
  assert.deepEqual(copy.spec(), net.spec());
  assert.deepEqual([...copy.stateDict()].map(([k, t]) => [k, t.shape]), [...net.stateDict()].map(([k, t]) => [k, t.shape]));
  // the rebuilt weights are new draws until loaded
  const w0 = (copy as Sequential).at(0) as Conv2d;
  assert.notDeepEqual(Array.from(w0.weight.data), Array.from((net.at(0) as Conv2d).weight.data));
  copy.loadStateDict(net.stateDict());
  for (const [k, t] of copy.stateDict()) assert.deepEqual(Array.from(t.data), Array.from(net.stateDict().get(k)!.data), k);
  // arguments survive: a sample
  assert.deepEqual(((copy as Sequential).at(4) as ConvTranspose2d).outputPadding, 1);
  assert.equal(((copy as Sequential).at(9) as LeakyReLU).negativeSlope, 0.2);
  assert.equal(((copy as Sequential).at(10) as Dropout).p, 0.3);
  assert.deepEqual(((copy as Sequential).at(14) as Reshape).shape, [3, 4]);
  assert.equal(((copy as Sequential).at(16) as Linear).bias, null);
  // a fused activation and a non-default init are part of the spec
  const l = buildModule(new Linear(4, 3, { activation: "tanh", init: "glorotUniform" }).spec()) as Linear;
  assert.equal(l.activation, "tanh");
  assert.equal(l.init, "glorotUniform");
  assert.throws(() => buildModule({ type: "Conv3d" }), /unknown module type "Conv3d" \(known: Linear, Conv2d/);
  assert.throws(() => buildModule({ type: "Residual", children: [] }), /a Residual has 1 child module, the spec gives 0/);
  assert.throws(() => buildModule({ type: "Linear", args: { inFeatures: 0, outFeatures: 2 } }), /Linear: inFeatures must be an integer >= 1, got 0/);
  assert.throws(() => buildModule({ type: "Linear", args: { inFeatures: 2, outFeatures: 2, activaton: "relu" } }), /a Linear has no argument "activaton" \(its arguments: inFeatures, outFeatures, bias, activation, init\)/);
  assert.throws(() => buildModule({ type: "ReLU", args: { inplace: true } }), /a ReLU has no argument "inplace" \(its arguments: none\)/);
  registerModule("Twice", () => new Sequential(new ReLU(), new ReLU()));
  assert.equal((buildModule({ type: "Sequential", children: [{ type: "Twice" }] }) as Sequential).length, 1);
  net.dispose();
  copy.dispose();
});

test("train() and eval() reach every module, nested ones included", () => {
  const net = everyLayer();
  net.eval();
  assert.ok(net.modules().every(([, m]) => !m.training));
  assert.ok(net.modules().some(([n]) => n === "11.inner.1"), net.modules().map(([n]) => n).join(" "));
  assert.equal(net.modules().length, 1 + 18 + 1 + 2);
  net.train();
  assert.ok(net.modules().every(([, m]) => m.training));
  ((net.at(11) as Residual).inner as Sequential).eval();
  assert.deepEqual(net.modules().filter(([, m]) => !m.training).map(([n]) => n), ["11.inner", "11.inner.0", "11.inner.1"]);
  net.dispose();
});

test("initialisers: He normal's std is within 5 % of √(2/fan_in); PyTorch's default bounds ±1/√fan_in; Glorot and He uniform bounds", () => {
  const rng = new Random(4);
  const big = new Linear(800, 400, { init: "heNormal", rng });
  const w = big.weight.data;
  let s = 0, s2 = 0;
  for (const v of w) {
    s += v;
    s2 += v * v;
  }
  const mean = s / w.length, std = Math.sqrt(s2 / w.length - mean * mean);
  assert.ok(Math.abs(std / Math.sqrt(2 / 800) - 1) < 0.05, `heNormal std ${std}, expected ${Math.sqrt(2 / 800)}`);
  assert.ok(Math.abs(mean) < 1e-3, `mean ${mean}`);
  assert.ok(big.bias!.data.every((v) => v === 0), "a non-default init zeroes the bias");
  big.dispose();

  const bounds = (t: Tensor): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (const v of t.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return [lo, hi];
  };
  const within = (t: Tensor, b: number, what: string): void => {
    const [lo, hi] = bounds(t);
    assert.ok(lo >= -b && hi <= b, `${what}: [${lo}, ${hi}] outside ±${b}`);
    if (t.size >= 200) assert.ok(lo < -0.97 * b && hi > 0.97 * b, `${what}: [${lo}, ${hi}] does not fill ±${b}`);
  };
  // PyTorch's defaults: Linear fan_in = in; Conv2d fan_in = C·kh·kw; ConvTranspose2d's weight [Cin, Cout, kh, kw]: fan_in = Cout·kh·kw
  const lin = new Linear(300, 250, { rng });
  within(lin.weight, 1 / Math.sqrt(300), "Linear weight");
  within(lin.bias!, 1 / Math.sqrt(300), "Linear bias");
  const conv = new Conv2d(6, 16, [3, 5], { rng });
  assert.deepEqual(conv.weight.shape, [16, 6, 3, 5]);
  within(conv.weight, 1 / Math.sqrt(90), "Conv2d weight");
  within(conv.bias!, 1 / Math.sqrt(90), "Conv2d bias");
  const convT = new ConvTranspose2d(6, 16, 3, { rng });
  assert.deepEqual(convT.weight.shape, [6, 16, 3, 3]);
  assert.deepEqual(fans(convT.weight.shape), { fanIn: 144, fanOut: 54 });
  within(convT.weight, 1 / Math.sqrt(144), "ConvTranspose2d weight");
  for (const m of [lin, conv, convT]) m.dispose();

  const t = Tensor.longLived([200, 300]);
  within(heUniform(t, rng), Math.sqrt(6 / 300), "heUniform");
  within(glorotUniform(t, rng), Math.sqrt(6 / 500), "glorotUniform");
  glorotNormal(t, rng);
  const rms = (x: Tensor): number => {
    let q = 0;
    for (const v of x.data) q += v * v;
    return Math.sqrt(q / x.size);
  };
  const sd = rms(t);
  assert.ok(Math.abs(sd / Math.sqrt(2 / 500) - 1) < 0.05, `glorotNormal std ${sd}`);
  heNormal(t, rng);
  const sdH = rms(t);
  assert.ok(Math.abs(sdH / Math.sqrt(2 / 300) - 1) < 0.05, `heNormal std ${sdH}`);
  t.dispose();

  // seeded: the same seed gives the same weights, another seed others
  const a = new Linear(5, 4, { rng: new Random(7) }), b = new Linear(5, 4, { rng: new Random(7) }), c = new Linear(5, 4, { rng: new Random(8) });
  assert.deepEqual(Array.from(a.weight.data), Array.from(b.weight.data));
  assert.notDeepEqual(Array.from(a.weight.data), Array.from(c.weight.data));
  for (const m of [a, b, c]) m.dispose();
});

test("layers refuse bad arguments and inputs with one-line messages", () => {
  assert.throws(() => new Conv2d(3, 4, [3] as never), /Conv2d: kernelSize must be an integer or a pair of integers/);
  assert.throws(() => new ConvTranspose2d(3, 4, 3, { stride: 2, outputPadding: 2 }), /outputPadding 2 must be less than the stride 2/);
  assert.throws(() => new Linear(3, 4, { init: "he" as never }), /init must be one of "default", "heNormal"/);
  assert.throws(() => new Linear(3, 4, { activation: "softplus" as never }), /activation must be one of/);
  assert.throws(() => new Dropout(1), /Dropout: p must be a number in \[0, 1\), got 1/);
  assert.throws(() => new BatchNorm1d(4, { momentum: 2 }), /momentum must be a number in \[0, 1\]/);
  assert.throws(() => new Reshape([2, -1, -1]), /at most one -1/);
  tidy(() => {
    assert.throws(() => new Linear(3, 4).forward(Tensor.zeros([2, 5])), /Linear\(3, 4\): the input \[2, 5\] must end in 3 features/);
    assert.throws(() => new Conv2d(3, 4, 3).forward(Tensor.zeros([2, 2, 5, 5])), /Conv2d\(3, 4\): the input \[2, 2, 5, 5\] must be \[N, 3, H, W\]/);
    assert.throws(() => new BatchNorm2d(4).forward(Tensor.zeros([2, 4])), /BatchNorm2d\(4\): the input \[2, 4\] must be \[N, 4, H, W\]/);
    assert.throws(() => new MaxPool2d(2).forward(Tensor.zeros([2, 4])), /MaxPool2d: the input \[2, 4\] must be \[N, C, H, W\]/);
    assert.throws(() => new Reshape([3, 3]).forward(Tensor.zeros([2, 8])), /a sample of the input \[2, 8\] has 8 values/);
  });
  // Dropout in eval mode and with p = 0 is the identity (no op needed)
  tidy(() => {
    const x = Tensor.from([1, 2, 3], [1, 3]);
    const d = new Dropout(0.5, new Random(1));
    d.eval();
    assert.equal(d.forward(x), x);
    assert.equal(new Dropout(0).forward(x), x);
  });
});

test("the network with PyTorch's weights gives PyTorch's eval-mode output to 1e-5, on every route", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => {
      const net = everyLayer();
      loadTorchState(net);
      net.eval();
      const y = noGrad(() => tidy(() => net.forward(Tensor.from(T("input").data, T("input").shape)).toFloat32Array()));
      close(y, T("eval.output").data, 1e-5, `${route} eval output`);
      // the rebuilt model gives the same
      const copy = buildModule(JSON.parse(JSON.stringify(net.spec())));
      copy.loadStateDict(net.stateDict());
      copy.eval();
      const y2 = noGrad(() => tidy(() => copy.forward(Tensor.from(T("input").data, T("input").shape)).toFloat32Array()));
      assert.deepEqual(y2, y);
      net.dispose();
      copy.dispose();
    });
  }
});

test("train mode up to the dropout: PyTorch's output, updated running statistics and parameter gradients, on every route", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => {
      const net = everyLayer();
      loadTorchState(net);
      const head = new Sequential(...Array.from({ length: 10 }, (_, i) => net.at(i)));
      head.train();
      tidy(() => {
        const y = head.forward(Tensor.from(T("input").data, T("input").shape));
        close(y.data, T("train.output").data, 1e-5, `${route} train output`);
        backward(ops.sum(ops.mul(y, Tensor.from(T("train.r").data, y.shape))));
      });
      for (const i of [1, 8]) {
        close(net.stateDict().get(`${i}.running_mean`)!.data, T(`train.${i}.running_mean`).data, 1e-5, `${route} ${i}.running_mean`);
        close(net.stateDict().get(`${i}.running_var`)!.data, T(`train.${i}.running_var`).data, 1e-5, `${route} ${i}.running_var`);
      }
      for (const [k, p] of head.namedParameters()) {
        const want = T(`train.grad.${k}`).data;
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        // a bias feeding batch norm has a zero gradient in exact arithmetic: both sides are float32 noise there, so
        // hold ours to the same smallness instead of matching the noise
        if (scale < 1e-3) assert.ok(p.grad!.data.every((v) => Math.abs(v) < 1e-3), `${route} grad ${k} should vanish`);
        else close(p.grad!.data, want, 1e-4, `${route} grad ${k}`);
      }
      net.dispose();
    });
  }
});

test("Sequential fuses Linear + activation into one linear op with the unfused result", () => {
  const rng = new Random(2);
  for (const act of [new ReLU(), new Sigmoid(), new Tanh(), new GELU(), new LeakyReLU()]) {
    const lin = new Linear(7, 5, { rng });
    const seq = new Sequential(lin, act);
    tidy(() => {
      const x = Tensor.randn([3, 7], rng);
      const fused = seq.forward(x).toFloat32Array();
      const apart = act.forward(lin.forward(x)).toFloat32Array();
      close(fused, apart, 1e-6, act.spec().type);
    });
    lin.dispose();
  }
});

test("the public API: the nn namespace (tensors, tape, ops, layers, optimisers, schedules, init) and the main classes", () => {
  const { nn } = latentkit;
  for (const name of ["Tensor", "tidy", "noGrad", "backward", "checkGrad", "setEngineRoute", "Module", "Sequential", "Linear", "Conv2d",
    "BatchNorm2d", "Residual", "buildModule", "SGD", "Adam", "AdamW", "StepLR", "CosineAnnealingLR", "ReduceLROnPlateau",
    "clipGradNorm", "clipGradValue", "linear", "conv2d", "matmul"] as const) {
    assert.equal(typeof (nn as Record<string, unknown>)[name], "function", `nn.${name}`);
  }
  assert.equal(typeof nn.ops.linear, "function");
  assert.equal(typeof nn.init.heNormal, "function");
  assert.equal(latentkit.Linear, nn.Linear);
  assert.equal(latentkit.Adam, nn.Adam);
  assert.equal(latentkit.Tensor, Tensor);
});

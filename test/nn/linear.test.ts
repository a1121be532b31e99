import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { kernelInfo, setThreads } from "../../src/core/wasm/runtime.js";
import type { SafeTensor } from "../../src/formats/safetensors.js";
import { backward, noGrad, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { linear, type Activation } from "../../src/nn/ops/linear.js";
import { erf } from "../../src/nn/ops/normal.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { fixture as fixtureOf, maxAbsDiff, randomArray } from "./helpers.js";

const ACTS: Activation[] = ["none", "relu", "leakyRelu", "sigmoid", "tanh", "gelu"];
const fixture = (name: string): SafeTensor => fixtureOf("norm_loss.safetensors", name);

test("erf matches reference values to double precision", () => {
  // erf(0.5), erf(1), erf(2), erf(3.5) (from mpmath)
  const ref: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3.5, 0.9999992569016276]];
  for (const [x, v] of ref) {
    assert.ok(Math.abs(erf(x) - v) < 1e-15, `erf(${x}) = ${erf(x)}`);
    assert.ok(Math.abs(erf(-x) + v) < 1e-15);
  }
  assert.equal(erf(0), 0);
  assert.equal(erf(7), 1);
});

test("linear's gradients match central differences for every activation, with and without bias, odd sizes", () => {
  for (const act of ACTS) {
    for (const bias of [true, false]) {
      const shapes = bias ? [[5, 7], [3, 7], [3]] : [[5, 7], [3, 7]];
      const r = checkGrad((x, w, b) => linear(x!, w!, bias ? b! : null, act), shapes, { seed: 11 });
      assert.ok(r.maxError < 1e-6, `${act} bias ${bias}: ${JSON.stringify(r)}`);
    }
  }
});

test("linear on an input that needs no gradient (an input layer) still gives W and b their gradients", () => {
  for (const act of ["relu", "gelu"] as const) {
    const r = checkGrad((x, w, b) => linear(x!, w!, b!, act), [[6, 4], [9, 4], [9]], { constant: [0], seed: 3 });
    assert.ok(r.maxError < 1e-6, `${act}: ${JSON.stringify(r)}`);
  }
  // and the x gradient is not computed at all
  tidy(() => {
    const x = Tensor.randn([4, 3], new Random(1));
    const w = Tensor.randn([2, 3], new Random(2));
    w.requiresGrad = true;
    backward(linear(x, w, null, "relu"), Tensor.full([4, 2], 1));
    assert.equal(x.grad, null);
    assert.ok(w.grad);
  });
});

test("linear on a hand-computed case: relu, sigmoid, leaky relu and the bias gradient", () => {
  withEngineRoute("ts64", () => tidy(() => {
    const x = Tensor.from([1, 2, -1, 0.5], [2, 2]);
    const w = Tensor.from([1, 0, 0, -1, 1, 1], [3, 2]);
    const b = Tensor.from([0.5, 0.5, -4], [3]);
    // z = x·Wᵀ + b = [[1.5, -1.5, -1], [-0.5, 0, -4.5]]
    assert.deepEqual(Array.from(linear(x, w, b, "none").data), [1.5, -1.5, -1, -0.5, 0, -4.5]);
    assert.deepEqual(Array.from(linear(x, w, b, "relu").data), [1.5, 0, 0, 0, 0, 0]);
    const lr = Array.from(linear(x, w, b, "leakyRelu").data);
    assert.deepEqual(lr.map((v) => Math.round(v * 1e6) / 1e6), [1.5, -0.015, -0.01, -0.005, 0, -0.045]);
    const s = linear(x, w, b, "sigmoid").data;
    assert.ok(Math.abs(s[0]! - 1 / (1 + Math.exp(-1.5))) < 1e-15 && Math.abs(s[5]! - 1 / (1 + Math.exp(4.5))) < 1e-15);
    b.requiresGrad = true;
    w.requiresGrad = true;
    backward(linear(x, w, b, "relu"), Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]));
    // dZ = g ⊙ (z > 0) = [[1, 0, 0], [0, 0, 0]]; db = [1, 0, 0]; dW = dZᵀ·x = [[1, 2], [0, 0], [0, 0]]
    assert.deepEqual(Array.from(b.grad!.data), [1, 0, 0]);
    assert.deepEqual(Array.from(w.grad!.data), [1, 2, 0, 0, 0, 0]);
  }));
});

test("linear refuses mismatched shapes and unknown activations, naming them", () => {
  tidy(() => {
    const x = Tensor.zeros([2, 3]);
    assert.throws(() => linear(x, Tensor.zeros([4, 2]), null), /linear needs x \[N, in\] and W \[out, in\].*x \[2, 3\] and W \[4, 2\]/);
    assert.throws(() => linear(x, Tensor.zeros([4, 3]), Tensor.zeros([3])), /bias must be \[4\].*got \[3\]/);
    assert.throws(() => linear(x, Tensor.zeros([4, 3]), null, "softplus" as Activation), /activation must be .*got "softplus"/);
  });
});

function runLinear(route: "wasm" | "ts", act: Activation, n: number, inF: number, outF: number, bias: boolean, seed: number) {
  const rng = new Random(seed);
  const xs = randomArray(n * inF, rng, 1.5);
  const ws = randomArray(outF * inF, rng, 0.3);
  const bs = randomArray(outF, rng);
  const gs = randomArray(n * outF, rng);
  return withEngineRoute(route, () => tidy(() => {
    const x = Tensor.from(xs, [n, inF]), w = Tensor.from(ws, [outF, inF]), b = Tensor.from(bs, [outF]);
    x.requiresGrad = w.requiresGrad = b.requiresGrad = true;
    const y = linear(x, w, bias ? b : null, act);
    const out = y.toFloat32Array();
    backward(y, Tensor.from(gs, [n, outF]));
    return { y: out, dx: x.grad!.toFloat32Array(), dw: w.grad!.toFloat32Array(), db: bias ? b.grad!.toFloat32Array() : new Float32Array(0) };
  }));
}

test("WASM linear (bias + activation pass, fused backward with column sums) agrees with the TypeScript route", { skip: !nnCore() && "no compute core" }, () => {
  for (const act of ACTS) {
    for (const [n, inF, outF] of [[37, 53, 29], [16, 8, 12], [3, 5, 1]] as const) {
      const w = runLinear("wasm", act, n, inF, outF, true, 5), t = runLinear("ts", act, n, inF, outF, true, 5);
      for (const k of ["y", "dx", "dw", "db"] as const) {
        const scale = Math.max(1, ...Array.from(t[k], Math.abs));
        const d = maxAbsDiff(w[k], t[k]) / scale;
        assert.ok(d < 2e-5, `${act} ${n}x${inF}->${outF} ${k}: ${d}`);
      }
    }
  }
  const w = runLinear("wasm", "relu", 9, 6, 7, false, 8), t = runLinear("ts", "relu", 9, 6, 7, false, 8);
  assert.ok(maxAbsDiff(w.y, t.y) < 1e-5 && maxAbsDiff(w.dw, t.dw) < 1e-5);
});

test("linear's passes over the threads: 1 and 2 threads give the same output and gradients, bit for bit", { skip: !nnCore() && "no compute core" }, () => {
  const before = kernelInfo().threads;
  try {
    for (const act of ["relu", "gelu"] as const) {
      setThreads(1);
      const one = runLinear("wasm", act, 256, 40, 515, true, 3);
      setThreads(2);
      const two = runLinear("wasm", act, 256, 40, 515, true, 3);
      if (kernelInfo().threads === 2) assert.ok(kernelInfo().helpers >= 1, `no helper thread: ${kernelInfo().helperError ?? "not started"}`);
      for (const k of ["y", "dx", "dw", "db"] as const) assert.deepEqual(one[k], two[k], `${act} ${k}`);
      const ts = runLinear("ts", act, 256, 40, 515, true, 3);
      assert.ok(maxAbsDiff(one.y, ts.y) < 1e-4 && maxAbsDiff(one.db, ts.db) < 1e-3, `${act}: ${maxAbsDiff(one.y, ts.y)} ${maxAbsDiff(one.db, ts.db)}`);
    }
  } finally {
    setThreads(before);
  }
});

test("the WASM activations and their derivatives keep their accuracy over a wide range (about 1e-6 relative)", { skip: !nnCore() && "no compute core" }, () => {
  const xs: number[] = [];
  for (let v = -30; v <= 30; v += 0.0137) xs.push(Math.fround(v));
  xs.push(0, 1e-7, -1e-7, 3e-4, -5e-4, 87, -87, 100, -100);
  const n = xs.length;
  for (const act of ["sigmoid", "tanh", "gelu"] as const) {
    // x as [n, 1] times the 1×1 identity: z = x, and dX = dZ = act'(x)
    const run = (route: "wasm" | "ts64"): [Float64Array, Float64Array] => withEngineRoute(route, () => tidy(() => {
      const x = Tensor.from(xs, [n, 1]);
      x.requiresGrad = true;
      const y = linear(x, Tensor.from([1], [1, 1]), null, act);
      const out = Float64Array.from(y.data);
      backward(y, Tensor.full([n, 1], 1));
      return [out, Float64Array.from(x.grad!.data)];
    }));
    const [wy, wd] = run("wasm"), [ty, td] = run("ts64");
    const worst = (a: Float64Array, ref: Float64Array): number => {
      let m = 0;
      // relative wherever the value is a normal float32 (|v| > 1e-37), absolute near 0
      for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i]! - ref[i]!) / Math.max(Math.abs(ref[i]!), Math.abs(ref[i]!) > 1e-37 ? 0 : 1));
      return m;
    };
    const ey = worst(wy, ty);
    assert.ok(ey < 1.5e-6, `${act}: worst relative error ${ey}`);
    let ed = 0;
    for (let i = 0; i < n; i++) {
      // relative to the derivative's terms away from float32 underflow (gelu' = Φ(x) + x·φ(x) crosses 0 at
      // x ≈ −0.75); sigmoid' = y(1 − y) and tanh' = 1 − y² absolute, next to 1
      const x = xs[i]!;
      const size = act === "gelu" ? Math.max(ty[i]! / (x || 1), Math.abs(x) * Math.exp(-x * x / 2)) : 1;
      if (size > 1e-30) ed = Math.max(ed, Math.abs(wd[i]! - td[i]!) / Math.abs(size));
    }
    assert.ok(ed < (act === "gelu" ? 2e-6 : 2e-7), `${act}': worst error ${ed}`);
  }
});

test("linear agrees with PyTorch (relu, gelu, sigmoid, tanh: forward, dX, dW, db) on both routes", () => {
  for (const act of ["relu", "gelu", "sigmoid", "tanh"] as const) {
    const k = `linear.${act}`;
    for (const route of nnCore() ? (["ts64", "wasm"] as const) : (["ts64"] as const)) {
      withEngineRoute(route, () => tidy(() => {
        const fx = fixture(`${k}.x`), fw = fixture(`${k}.w`), fb = fixture(`${k}.b`);
        const x = Tensor.from(fx.data, fx.shape), w = Tensor.from(fw.data, fw.shape), b = Tensor.from(fb.data, fb.shape);
        x.requiresGrad = w.requiresGrad = b.requiresGrad = true;
        const y = linear(x, w, b, act);
        const tol = route === "wasm" ? 1e-5 : 1e-6;
        assert.ok(maxAbsDiff(y.data, fixture(`${k}.y`).data) < tol, `${act} ${route} y`);
        backward(y, Tensor.from(fixture(`${k}.g`).data, y.shape));
        for (const [name, t] of [["dx", x], ["dw", w], ["db", b]] as const) {
          const d = maxAbsDiff(t.grad!.data, fixture(`${k}.${name}`).data);
          assert.ok(d < tol, `${act} ${route} ${name}: ${d}`);
        }
      }));
    }
  }
});

test("noGrad linear keeps no pre-activation and records nothing", () => {
  tidy(() => {
    const x = Tensor.randn([3, 4], new Random(4));
    const w = Tensor.randn([2, 4], new Random(5));
    w.requiresGrad = true;
    const y = noGrad(() => linear(x, w, null, "gelu"));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import type { SafeTensor } from "../../src/formats/safetensors.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { conv2d, type Conv2dOptions } from "../../src/nn/ops/conv2d.js";
import { convTranspose2d, type ConvTranspose2dOptions } from "../../src/nn/ops/conv-transpose2d.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { fixture, fixtureFile, maxRelDiff, maxScaledDiff, randomArray } from "./helpers.js";

const fixtures = fixtureFile("conv.safetensors");

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

test("conv2d's gradients (x, weight, bias) match central differences: strides, paddings, odd sizes, with and without bias", () => {
  const cases: { x: number[]; w: number[]; bias: boolean; opts: Conv2dOptions }[] = [
    { x: [2, 3, 7, 6], w: [4, 3, 3, 3], bias: true, opts: {} },
    { x: [1, 2, 7, 8], w: [3, 2, 3, 2], bias: false, opts: { stride: 2, padding: 1 } },
    { x: [2, 3, 9, 5], w: [2, 3, 4, 3], bias: true, opts: { stride: [2, 1], padding: [0, 2] } },
    { x: [3, 1, 5, 5], w: [2, 1, 5, 5], bias: true, opts: { padding: 2, stride: 3 } },
    { x: [2, 3, 6, 7], w: [3, 3, 3, 3], bias: true, opts: { padding: 1, maxColumnFloats: 1 } }, // one image per chunk
  ];
  for (const c of cases) {
    const shapes = c.bias ? [c.x, c.w, [c.w[0]!]] : [c.x, c.w];
    const r = checkGrad((x, w, b) => conv2d(x!, w!, b ?? null, c.opts), shapes);
    assert.ok(r.maxError < 1e-6, `${JSON.stringify(c)}: ${JSON.stringify(r)}`);
  }
});

test("convTranspose2d's gradients match central differences, with outputPadding and uneven strides", () => {
  const cases: { x: number[]; w: number[]; bias: boolean; opts: ConvTranspose2dOptions }[] = [
    { x: [2, 3, 4, 3], w: [3, 2, 3, 3], bias: true, opts: { stride: 2, padding: 1, outputPadding: 1 } },
    { x: [2, 2, 3, 3], w: [2, 3, 2, 2], bias: true, opts: { stride: 2 } },
    { x: [1, 2, 3, 4], w: [2, 2, 3, 2], bias: false, opts: { stride: [2, 3], padding: [0, 1], outputPadding: [1, 2] } },
    { x: [3, 2, 3, 3], w: [2, 2, 3, 3], bias: true, opts: { padding: 1, maxColumnFloats: 1 } },
  ];
  for (const c of cases) {
    const shapes = c.bias ? [c.x, c.w, [c.w[1]!]] : [c.x, c.w];
    const r = checkGrad((x, w, b) => convTranspose2d(x!, w!, b ?? null, c.opts), shapes);
    assert.ok(r.maxError < 1e-6, `${JSON.stringify(c)}: ${JSON.stringify(r)}`);
  }
});

test("conv2d and convTranspose2d with a constant input or a constant weight (only the other gradient, columns not kept)", () => {
  for (const constant of [[0], [1]]) {
    const r = checkGrad((x, w, b) => conv2d(x!, w!, b!, { stride: 2, padding: 1 }), [[2, 3, 6, 5], [4, 3, 3, 3], [4]], { constant });
    assert.ok(r.maxError < 1e-6, `conv2d constant ${constant}: ${JSON.stringify(r)}`);
    const t = checkGrad((x, w) => convTranspose2d(x!, w!, null, { stride: 2 }), [[2, 3, 3, 4], [3, 2, 2, 3]], { constant });
    assert.ok(t.maxError < 1e-6, `convTranspose2d constant ${constant}: ${JSON.stringify(t)}`);
  }
});

test("conv2d and convTranspose2d on a hand-computed case", () => {
  tidy(() => {
    // x = 1..9 as 3x3, kernel [[1, 0], [0, -1]], bias 10: y[i][j] = x[i][j] - x[i+1][j+1] + 10 = 6 everywhere
    const x = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = Tensor.from([1, 0, 0, -1], [1, 1, 2, 2]);
    const b = Tensor.from([10], [1]);
    assert.deepEqual(Array.from(conv2d(x, w, b).data), [6, 6, 6, 6]);
    // padding 1, stride 2: outputs at (-1,-1), (-1,1), (1,-1), (1,1) of the padded grid: -x00, -x02, -x20, x11 - x22
    assert.deepEqual(Array.from(conv2d(x, w, null, { stride: 2, padding: 1 }).data), [-1, -3, -7, 5 - 9]);
    // two output channels, two input channels: channel sums of 1x1 kernels
    const x2 = Tensor.from([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
    const w2 = Tensor.from([1, 1, 2, -1], [2, 2, 1, 1]);
    assert.deepEqual(Array.from(conv2d(x2, w2, null).data), [11, 22, 33, 44, -8, -16, -24, -32]);
    // transposed: each input pixel stamps its value times the 2x2 kernel at stride 2
    const t = convTranspose2d(Tensor.from([1, 2], [1, 1, 1, 2]), Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]), Tensor.from([0.5], [1]), { stride: 2 });
    assert.deepEqual(t.shape, [1, 1, 2, 4]);
    assert.deepEqual(Array.from(t.data), [1.5, 2.5, 2.5, 4.5, 3.5, 4.5, 6.5, 8.5]);
    // stride 1 overlaps add up: [1, 2] * [1, 1] = [1, 3, 2]
    assert.deepEqual(Array.from(convTranspose2d(Tensor.from([1, 2], [1, 1, 1, 2]), Tensor.from([1, 1], [1, 1, 1, 2]), null).data), [1, 3, 2]);
  });
});

test("conv2d refuses mismatched channels, a kernel larger than the padded input, and bad strides, in one line", () => {
  tidy(() => {
    const x = Tensor.zeros([1, 3, 4, 4]);
    assert.throws(() => conv2d(x, Tensor.zeros([2, 2, 3, 3]), null), /conv2d: weight \[2, 2, 3, 3\] expects 2 input channels, x \[1, 3, 4, 4\] has 3/);
    assert.throws(() => conv2d(x, Tensor.zeros([2, 3, 5, 5]), null), /does not fit the padded input 4x4/);
    assert.throws(() => conv2d(x, Tensor.zeros([2, 3, 3, 3]), null, { stride: 0 }), /stride must be an integer >= 1/);
    assert.throws(() => conv2d(x, Tensor.zeros([2, 3, 3, 3]), Tensor.zeros([3])), /bias must have shape \[2\]/);
    assert.throws(() => convTranspose2d(x, Tensor.zeros([3, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), /outputPadding \(2, 2\) must be smaller than the stride/);
  });
});

/** Forward and the three gradients of Σ gy ⊙ f(x, w, b) on one route. */
function runOp(route: "wasm" | "ts", f: (x: Tensor, w: Tensor, b: Tensor | null) => Tensor,
  vals: { x: number[]; w: number[]; b: number[] | null; gy: number[] }, xs: number[], ws: number[]): Float32Array[] {
  return withEngineRoute(route, () => tidy(() => {
    const x = Tensor.from(vals.x, xs), w = Tensor.from(vals.w, ws), b = vals.b ? Tensor.from(vals.b, [vals.b.length]) : null;
    x.requiresGrad = w.requiresGrad = true;
    if (b) b.requiresGrad = true;
    const y = f(x, w, b);
    backward(y, Tensor.from(vals.gy, y.shape));
    const out = [y.toFloat32Array(), x.grad!.toFloat32Array(), w.grad!.toFloat32Array()];
    if (b) out.push(b.grad!.toFloat32Array());
    for (const t of [x, w, b]) t?.grad?.dispose();
    return out;
  }));
}

test("WASM conv2d and convTranspose2d agree with the TypeScript route (forward and gradients, split over threads)", { skip: !nnCore() && "no compute core" }, () => {
  const rng = new Random(5);
  const cases: { xs: number[]; ws: number[]; t: boolean; opts: Conv2dOptions & ConvTranspose2dOptions; ys: number[] }[] = [
    { xs: [8, 8, 24, 23], ws: [16, 8, 3, 3], t: false, opts: { padding: 1 }, ys: [8, 16, 24, 23] },
    { xs: [5, 3, 17, 19], ws: [6, 3, 3, 4], t: false, opts: { stride: [2, 3], padding: [1, 2] }, ys: [5, 6, 9, 7] },
    { xs: [6, 4, 13, 12], ws: [5, 4, 3, 3], t: false, opts: { maxColumnFloats: 2000 }, ys: [6, 5, 11, 10] },
    // W2's and W4's first layers (one input channel: a GEMM with k = 9)
    { xs: [8, 1, 28, 28], ws: [16, 1, 3, 3], t: false, opts: { padding: 1 }, ys: [8, 16, 28, 28] },
    { xs: [6, 1, 28, 28], ws: [32, 1, 3, 3], t: false, opts: {}, ys: [6, 32, 26, 26] },
    { xs: [8, 16, 7, 7], ws: [16, 8, 2, 2], t: true, opts: { stride: 2 }, ys: [8, 8, 14, 14] },
    { xs: [4, 5, 6, 5], ws: [5, 3, 3, 3], t: true, opts: { stride: 2, padding: 1, outputPadding: 1 }, ys: [4, 3, 12, 10] },
  ];
  for (const c of cases) {
    const f = (x: Tensor, w: Tensor, b: Tensor | null): Tensor => (c.t ? convTranspose2d(x, w, b, c.opts) : conv2d(x, w, b, c.opts));
    const channels = c.t ? c.ws[1]! : c.ws[0]!;
    const vals = { x: randomArray(size(c.xs), rng), w: randomArray(size(c.ws), rng), b: randomArray(channels, rng), gy: randomArray(size(c.ys), rng) };
    const w = runOp("wasm", f, vals, c.xs, c.ws), t = runOp("ts", f, vals, c.xs, c.ws);
    assert.equal(w[0]!.length, size(c.ys));
    for (let i = 0; i < w.length; i++) {
      const d = maxScaledDiff(w[i]!, t[i]!);
      assert.ok(d < 1e-5, `${JSON.stringify(c)} output ${i}: ${d}`);
    }
  }
});

test("conv2d and convTranspose2d agree with PyTorch (fixtures of make_conv_fixtures.py) on both routes", () => {
  const get = (name: string): SafeTensor => fixture("conv.safetensors", name);
  let checked = 0;
  for (const [name, json] of Object.entries(fixtures.metadata)) {
    const o = JSON.parse(json) as { op: string; stride: [number, number]; padding: [number, number]; outputPadding?: [number, number] };
    if (o.op !== "conv2d" && o.op !== "convTranspose2d") continue;
    const hasBias = fixtures.tensors.has(`${name}/b`);
    for (const route of nnCore() ? (["wasm", "ts"] as const) : (["ts"] as const)) {
      withEngineRoute(route, () => tidy(() => {
        const fx = get(`${name}/x`), fw = get(`${name}/w`);
        const x = Tensor.from(fx.data, fx.shape), w = Tensor.from(fw.data, fw.shape);
        const b = hasBias ? Tensor.from(get(`${name}/b`).data) : null;
        for (const t of [x, w, b]) if (t) t.requiresGrad = true;
        const y = o.op === "conv2d"
          ? conv2d(x, w, b, { stride: o.stride, padding: o.padding })
          : convTranspose2d(x, w, b, { stride: o.stride, padding: o.padding, outputPadding: o.outputPadding });
        assert.deepEqual(y.shape, get(`${name}/y`).shape, name);
        assert.ok(maxRelDiff(y.data, get(`${name}/y`).data) < 1e-5, `${name} (${route}) output`);
        backward(y, Tensor.from(get(`${name}/gy`).data, y.shape));
        for (const [label, t] of [["gx", x], ["gw", w], ["gb", b]] as const) {
          if (!t) continue;
          const d = maxRelDiff(t.grad!.data, get(`${name}/${label}`).data);
          assert.ok(d < 1e-5, `${name} (${route}) ${label}: ${d}`);
          t.grad!.dispose();
        }
      }));
    }
    checked++;
  }
  assert.equal(checked, 7);
});

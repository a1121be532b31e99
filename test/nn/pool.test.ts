import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { avgPool2d, maxPool2d, type Pool2dOptions } from "../../src/nn/ops/pool2d.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { fixture, fixtureFile, maxRelDiff } from "./helpers.js";

const fixtures = fixtureFile("conv.safetensors");

/** Distinct values (a random permutation of multiples of 0.1), so that no window has a tie finite differences could split. */
function distinct(n: number, rng: Random): number[] {
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
}

const POOLS: { x: number[]; opts: Pool2dOptions }[] = [
  { x: [2, 3, 6, 8], opts: { kernel: 2 } },
  { x: [1, 2, 7, 9], opts: { kernel: 3, stride: 2, padding: 1 } },
  { x: [2, 1, 5, 7], opts: { kernel: [2, 3], stride: [1, 2], padding: [1, 1] } },
  { x: [1, 2, 9, 9], opts: { kernel: 2, stride: 2 } }, // odd input: the last row and column are dropped
];

test("maxPool2d's and avgPool2d's gradients match central differences (strides, padding, odd sizes)", () => {
  const rng = new Random(2);
  for (const c of POOLS) {
    const n = c.x.reduce((a, b) => a * b, 1);
    const rm = checkGrad((x) => maxPool2d(x!, c.opts), [c.x], { values: [distinct(n, rng)], eps: 1e-4 });
    assert.ok(rm.maxError < 1e-6, `max ${JSON.stringify(c)}: ${JSON.stringify(rm)}`);
    const ra = checkGrad((x) => avgPool2d(x!, c.opts), [c.x]);
    assert.ok(ra.maxError < 1e-6, `avg ${JSON.stringify(c)}: ${JSON.stringify(ra)}`);
  }
});

test("max and average pooling on a hand-computed case; padding is -inf for max, a zero counted in the mean for avg", () => {
  for (const route of nnCore() ? (["wasm", "ts"] as const) : (["ts"] as const)) {
    withEngineRoute(route, () => tidy(() => {
      const x = Tensor.from([1, 5, 2, 0, 3, 4, 8, 1, 9, 0, 7, 6], [1, 1, 3, 4]);
      x.requiresGrad = true;
      const m = maxPool2d(x, { kernel: 2 });
      assert.deepEqual(Array.from(m.data), [5, 8], route);
      backward(m, Tensor.from([10, 20], [1, 1, 1, 2]));
      assert.deepEqual(Array.from(x.grad!.data), [0, 10, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0], route);
      assert.deepEqual(Array.from(avgPool2d(x, { kernel: 2 }).data), [13 / 4, 11 / 4], route);
      // padding 1, kernel 2, stride 2 on the 3x4 plane: windows at padded rows {0,1}, {2,3} and columns {0,1}, {2,3}, {4,5}
      assert.deepEqual(Array.from(maxPool2d(x, { kernel: 2, padding: 1 }).data), [1, 5, 0, 9, 8, 6], route);
      const a = Array.from(avgPool2d(x, { kernel: 2, padding: 1 }).data);
      assert.deepEqual(a.map((v) => v * 4), [1, 7, 0, 12, 19, 7], route);
      // a window's first maximum wins a tie, as in PyTorch
      const t = Tensor.from([2, 2, 2, 2], [1, 1, 2, 2]);
      t.requiresGrad = true;
      backward(maxPool2d(t, { kernel: 2 }), Tensor.from([1], [1, 1, 1, 1]));
      assert.deepEqual(Array.from(t.grad!.data), [1, 0, 0, 0], route);
    }));
  }
});

test("pooling refuses a padding over half the kernel and a window larger than the input", () => {
  tidy(() => {
    const x = Tensor.zeros([1, 1, 3, 3]);
    assert.throws(() => maxPool2d(x, { kernel: 2, padding: 2 }), /maxPool2d: padding \(2, 2\) must be at most half the kernel/);
    assert.throws(() => avgPool2d(x, { kernel: 4 }), /avgPool2d: a 4x4 window does not fit the padded input 3x3/);
    assert.throws(() => maxPool2d(x, { kernel: 0 }), /kernel must be an integer >= 1/);
  });
});

test("WASM pooling agrees with the TypeScript route (the 2x2 SIMD path and the general one, split over threads)", { skip: !nnCore() && "no compute core" }, () => {
  const rng = new Random(9);
  const cases: { x: number[]; opts: Pool2dOptions }[] = [
    { x: [16, 32, 24, 24], opts: { kernel: 2 } },
    { x: [8, 16, 27, 21], opts: { kernel: 2 } },
    { x: [8, 16, 25, 22], opts: { kernel: 3, stride: 2, padding: 1 } },
    { x: [4, 8, 13, 17], opts: { kernel: [3, 2], stride: [1, 2], padding: [1, 0] } },
  ];
  for (const c of cases) {
    const n = c.x.reduce((a, b) => a * b, 1);
    const xv = Float32Array.from({ length: n }, () => rng.normal());
    // a few ties and a NaN-free plane: repeated values exercise the first-maximum rule on both routes
    for (let i = 0; i < n; i += 7) xv[i] = xv[i + 1] ?? 0;
    for (const pool of [maxPool2d, avgPool2d]) {
      const run = (route: "wasm" | "ts"): Float32Array[] => withEngineRoute(route, () => tidy(() => {
        const x = Tensor.from(xv, c.x);
        x.requiresGrad = true;
        const y = pool(x, c.opts);
        const g = Tensor.from(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)), y.shape);
        backward(y, g);
        return [y.toFloat32Array(), x.grad!.toFloat32Array()];
      }));
      const w = run("wasm"), t = run("ts");
      assert.ok(maxRelDiff(w[0]!, t[0]!) < 1e-6, `${pool.name} ${JSON.stringify(c)} forward`);
      assert.ok(maxRelDiff(w[1]!, t[1]!) < 1e-6, `${pool.name} ${JSON.stringify(c)} backward`);
    }
  }
});

test("maxPool2d and avgPool2d agree with PyTorch (fixtures of make_conv_fixtures.py) on both routes", () => {
  let checked = 0;
  for (const [name, json] of Object.entries(fixtures.metadata)) {
    const o = JSON.parse(json) as { op: string; kernel: [number, number]; stride: [number, number]; padding: [number, number] };
    if (o.op !== "maxPool2d" && o.op !== "avgPool2d") continue;
    const pool = o.op === "maxPool2d" ? maxPool2d : avgPool2d;
    for (const route of nnCore() ? (["wasm", "ts"] as const) : (["ts"] as const)) {
      withEngineRoute(route, () => tidy(() => {
        const fx = fixture("conv.safetensors", `${name}/x`), fy = fixture("conv.safetensors", `${name}/y`);
        const x = Tensor.from(fx.data, fx.shape);
        x.requiresGrad = true;
        const y = pool(x, { kernel: o.kernel, stride: o.stride, padding: o.padding });
        assert.deepEqual(y.shape, fy.shape, name);
        assert.ok(maxRelDiff(y.data, fy.data) < 1e-5, `${name} (${route}) output`);
        backward(y, Tensor.from(fixture("conv.safetensors", `${name}/gy`).data, y.shape));
        const d = maxRelDiff(x.grad!.data, fixture("conv.safetensors", `${name}/gx`).data);
        assert.ok(d < 1e-5, `${name} (${route}) gx: ${d}`);
      }));
    }
    checked++;
  }
  assert.equal(checked, 6);
});

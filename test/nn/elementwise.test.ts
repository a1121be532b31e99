import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import {
  add, addScalar, div, exp, gelu, leakyRelu, log, mul, mulScalar, neg, relu, sigmoid, sqrt, square, sub, tanh,
} from "../../src/nn/ops/index.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor, sizeOf, type Shape } from "../../src/nn/tensor.js";
import { maxRelDiff, onRoute, uniformArray } from "./helpers.js";

const noCore = !nnCore() && "no compute core";

/** Values of a shape: uniform in [lo, hi), optionally kept away from 0 by `gap`. */
const values = (shape: Shape, seed: number, lo = -2, hi = 2, gap = 0): number[] => uniformArray(sizeOf(shape), seed, lo, hi, gap);

function largest(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

const BINARY = { add, sub, mul, div };
// shape pairs: same shape, a row vector, a per-channel vector, scalars either side, a rank-0 tensor, size-1 axes on
// both sides (an outer product), different ranks, odd sizes, and a four-level pattern (the TypeScript loop)
const PAIRS: [Shape, Shape][] = [
  [[3, 4], [3, 4]], [[5, 7], [7]], [[7], [5, 7]], [[2, 3, 4, 5], [1, 3, 1, 1]], [[2, 3, 4, 5], [3, 1, 1]],
  [[4, 3], [1]], [[1], [4, 3]], [[], [2, 3]], [[3, 1, 5], [4, 1]], [[3, 1], [1, 3]], [[2, 1, 3, 1], [1, 4, 1, 5]],
  [[9, 13], [9, 1]], [[1, 1, 1], [1]],
];

test("add, sub, mul, div: gradients match central differences across broadcasts of every kind", () => {
  for (const [name, f] of Object.entries(BINARY)) {
    for (const [sa, sb] of PAIRS) {
      // divisors kept away from 0
      const vb = name === "div" ? values(sb, 7, -2, 2, 0.5) : undefined;
      const r = checkGrad((a, b) => f(a!, b!), [sa, sb], { values: [undefined, vb], seed: sa.length + 3 * sb.length });
      assert.ok(r.maxError < 1e-6, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}: ${JSON.stringify(r)}`);
    }
  }
});

test("a tensor used twice (x + x, x · x) gets both gradients", () => {
  for (const f of [(x: Tensor) => add(x, x), (x: Tensor) => mul(x, x), (x: Tensor) => sub(mul(x, x), x)]) {
    const r = checkGrad((x) => f(x!), [[4, 5]]);
    assert.ok(r.maxError < 1e-6, JSON.stringify(r));
  }
  const x = Tensor.from([1, 2, 3], [3]);
  x.requiresGrad = true;
  tidy(() => backward(add(x, x), Tensor.from([1, 1, 1], [3])));
  assert.deepEqual(Array.from(x.grad!.data), [2, 2, 2]);
});

test("binary ops: hand-computed broadcasts, and the gradient of the broadcast operand is summed", () => {
  const rows = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = Tensor.from([10, 20, 30], [3]);
  assert.deepEqual(add(rows, v).toArray(), [[11, 22, 33], [14, 25, 36]]);
  assert.deepEqual(sub(v, rows).toArray(), [[9, 18, 27], [6, 15, 24]]);
  assert.deepEqual(mul(Tensor.from([2, 3], [2, 1]), v).toArray(), [[20, 40, 60], [30, 60, 90]]);
  assert.deepEqual(div(rows, Tensor.from([2], [])).toArray(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
  v.requiresGrad = true;
  tidy(() => backward(mul(rows, v), Tensor.from([1, 1, 1, 1, 1, 1], [2, 3])));
  assert.deepEqual(Array.from(v.grad!.data), [5, 7, 9]);
  // a seed of the output's size but another shape (backward() allows it) is read in the output's shape
  const w = Tensor.from([1, 2, 3], [3]);
  w.requiresGrad = true;
  tidy(() => backward(add(rows, w), Tensor.from([1, 2, 3, 4, 5, 6], [6])));
  assert.deepEqual(Array.from(w.grad!.data), [5, 7, 9]);
});

test("binary ops refuse shapes that do not broadcast, naming the op, the shapes and the axis", () => {
  const a = Tensor.zeros([2, 3]), b = Tensor.zeros([4]);
  assert.throws(() => add(a, b), /add: shapes \[2, 3\] and \[4\] cannot be broadcast together \(axis -1: 3 against 4/);
  assert.throws(() => mul(Tensor.zeros([5, 2, 3]), Tensor.zeros([4, 3])), /mul: shapes \[5, 2, 3\] and \[4, 3\] .*axis -2: 2 against 4/);
  assert.throws(() => div(b, a), /div: shapes/);
  assert.throws(() => sub(a, Tensor.zeros([3, 2])), /sub: shapes/);
});

test("WASM binary kernels give the TypeScript route's values exactly for every broadcast pattern, and the same gradients", { skip: noCore }, () => {
  const pairs: [Shape, Shape][] = [...PAIRS, [[256, 515], [515]], [[8, 16, 7, 9], [1, 16, 1, 1]], [[33], [33]], [[1031], [1]],
    [[5, 1, 7], [5, 9, 7]]];
  for (const [name, f] of Object.entries(BINARY)) {
    for (const [sa, sb] of pairs) {
      const va = values(sa, 1, -3, 3), vb = values(sb, 2, -3, 3, 0.1);
      const body = (): Tensor[] => {
        const a = Tensor.from(va, sa), b = Tensor.from(vb, sb);
        a.requiresGrad = b.requiresGrad = true;
        const c = f(a, b);
        backward(c, Tensor.from(values(c.shape, 3), c.shape));
        const out = [c, Tensor.from(a.grad!.data, sa), Tensor.from(b.grad!.data, sb)];
        a.grad!.dispose();
        b.grad!.dispose();
        return out;
      };
      const [w, wa, wb] = onRoute("wasm", body), [t, ta, tb] = onRoute("ts", body);
      const what = `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`;
      assert.deepEqual(w, t, what);
      // gradients summed over broadcast axes: the routes add in different orders (float32 lanes against float64), so
      // the difference is measured against the largest entry (a sum that cancels has no relative precision)
      const ea = maxRelDiff(wa!, ta!, largest(ta!), true), eb = maxRelDiff(wb!, tb!, largest(tb!), true);
      assert.ok(ea < 1e-5 && eb < 1e-5, `${what}: gradients differ by ${ea}, ${eb}`);
    }
  }
});

const UNARY: Record<string, { f: (x: Tensor) => Tensor; lo: number; hi: number; gap?: number; pos?: boolean }> = {
  exp: { f: exp, lo: -3, hi: 3 },
  log: { f: log, lo: 0.2, hi: 4, pos: true },
  tanh: { f: tanh, lo: -3, hi: 3 },
  sigmoid: { f: sigmoid, lo: -6, hi: 6 },
  relu: { f: relu, lo: -2, hi: 2, gap: 0.01 },
  leakyRelu: { f: (x) => leakyRelu(x, 0.2), lo: -2, hi: 2, gap: 0.01 },
  gelu: { f: gelu, lo: -7, hi: 7 },
  square: { f: square, lo: -2, hi: 2 },
  sqrt: { f: sqrt, lo: 0.2, hi: 4, pos: true },
  addScalar: { f: (x) => addScalar(x, 1.5), lo: -2, hi: 2 },
  mulScalar: { f: (x) => mulScalar(x, -0.75), lo: -2, hi: 2 },
  neg: { f: neg, lo: -2, hi: 2 },
};

test("unary ops: gradients match central differences (odd sizes, gelu across both erf regions and the tails)", () => {
  for (const [name, u] of Object.entries(UNARY)) {
    for (const shape of [[3, 5], [37]] as Shape[]) {
      const r = checkGrad((x) => u.f(x!), [shape], { values: [values(shape, 11, u.lo, u.hi, u.gap ?? 0)] });
      assert.ok(r.maxError < 1e-6, `${name} ${JSON.stringify(shape)}: ${JSON.stringify(r)}`);
    }
  }
});

test("unary ops: hand-computed values (GELU as PyTorch's exact erf form)", () => {
  const x = Tensor.from([-3, -1, 0, 1, 2], [5]);
  // relative to each value (float32 results; the WASM approximations are within ~1e-6)
  const close = (t: ArrayLike<number>, want: number[], tol = 2e-6): void => {
    Array.from(t).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= tol * Math.abs(want[i]!), `[${i}] ${v} vs ${want[i]}`));
  };
  // PyTorch 1.13 in float64: torch.nn.functional.gelu(x), and the gradient of its sum
  close(gelu(x).data, [-0.00404969409489031, -0.15865525393145702, 0, 0.841344746068543, 1.9544997361036416]);
  const xg = Tensor.from([-3, -1, 0, 1, 2], [5]);
  xg.requiresGrad = true;
  tidy(() => backward(gelu(xg), Tensor.from([1, 1, 1, 1, 1], [5])));
  close(xg.grad!.data, [-0.01194564720418392, -0.08331547058768635, 0.5, 1.0833154705876864, 1.085231801078197]);
  // the float64 route to 1e-12
  withEngineRoute("ts64", () => close(gelu(Tensor.from([-3, -1, 0, 1, 2], [5])).data,
    [-0.00404969409489031, -0.15865525393145702, 0, 0.841344746068543, 1.9544997361036416], 1e-12));
  close(sigmoid(x).data, [0.04742587317756678, 0.2689414213699951, 0.5, 0.7310585786300049, 0.8807970779778823]);
  close(leakyRelu(x, 0.1).data, [-0.3, -0.1, 0, 1, 2]);
  close(relu(x).data, [0, 0, 0, 1, 2]);
  close(tanh(x).data, [-0.9950547536867305, -0.7615941559557649, 0, 0.7615941559557649, 0.9640275800758169]);
  close(neg(x).data, [3, 1, 0, -1, -2]);
  assert.throws(() => leakyRelu(x, NaN), /leakyRelu: slope must be a finite number, got NaN/);
  assert.throws(() => mulScalar(x, NaN), /mulScalar: the scalar must be a number, got NaN/);
});

// forward and backward of every unary kernel on both routes, over wide ranges (odd length for the SIMD tails)
const WIDE: Record<string, { f: (x: Tensor) => Tensor; xs: number[] }> = {
  exp: { f: exp, xs: [...values([1001], 3, -87, 88.5), -87.3, 88.7, 0, -0, 1e-8, -1e-8] },
  log: { f: log, xs: [...values([1001], 4, 0, 1).map((v) => Math.exp(60 * v - 40)), 1, 1.5, 2, 0.5, 3e38, 1e-37] },
  tanh: { f: tanh, xs: [...values([1001], 5, -12, 12), ...values([200], 13, -0.7, 0.7), 1e-6, -1e-6, 0.624, 0.626, -0.625, 30, -30] },
  sigmoid: { f: sigmoid, xs: [...values([1001], 6, -80, 80), 0, 1e-6, -1e-6] },
  relu: { f: relu, xs: values([1003], 7, -3, 3) },
  leakyRelu: { f: (x) => leakyRelu(x, 0.02), xs: values([1003], 8, -3, 3) },
  gelu: { f: gelu, xs: [...values([1001], 9, -10, 10), ...values([200], 14, -2, 2), 0, 1e-7, -1e-7, 1.414, 1.415, -1.414, -1.415, 3.535, -3.536] },
  square: { f: square, xs: values([1003], 10, -3, 3) },
  sqrt: { f: sqrt, xs: [...values([1001], 11, 0, 100), 0, 1e-30] },
};

test("WASM unary kernels agree with the TypeScript route (Math.*): forward to 2e-6 relative, backward to 1e-5", { skip: noCore }, () => {
  for (const [name, u] of Object.entries(WIDE)) {
    const g = values([u.xs.length], 12, -1, 1);
    const body = (): Tensor[] => {
      const x = Tensor.from(u.xs, [u.xs.length]);
      x.requiresGrad = true;
      const y = u.f(x);
      backward(y, Tensor.from(g, [g.length]));
      const dx = x.grad!;
      x.grad = null;
      const out = [y, Tensor.from(dx.data, dx.shape)];
      dx.dispose();
      return out;
    };
    const [wy, wdx] = onRoute("wasm", body), [ty, tdx] = onRoute("ts", body);
    // the backward of tanh and sigmoid is computed from y (as PyTorch's): where y is within an ulp of 1, 1 − y² and
    // y − y² carry the forward's last-bit difference, so their differences are measured against 1e-2 at least
    const ef = maxRelDiff(wy!, ty!, 1e-30, true), eb = maxRelDiff(wdx!, tdx!, 1e-2, true);
    // the kernels' approximations are within a few 1e-7 (gelu: 1e-6 near |x| = √2, where erf meets erfc)
    assert.ok(ef < 2e-6, `${name} forward: ${ef}`);
    assert.ok(eb < 1e-5, `${name} backward: ${eb}`);
  }
});

test("WASM transcendental kernels keep special values: exp overflow and underflow, log of 0, negatives, NaN", { skip: noCore }, () => {
  const [e, l, t, s, gl] = onRoute("wasm", () => {
    const x = Tensor.from([100, -120, Infinity, -Infinity, NaN], [5]);
    return [exp(x), log(Tensor.from([0, -1, Infinity, NaN, 1e-40], [5])), tanh(x), sigmoid(x), gelu(x)];
  });
  assert.deepEqual(Array.from(e!), [Infinity, 0, Infinity, 0, NaN]);
  assert.deepEqual(Array.from(l!).slice(0, 4), [-Infinity, NaN, Infinity, NaN]);
  assert.ok(Math.abs(l![4]! - Math.log(Math.fround(1e-40))) < 1e-5 * 92, `log of a denormal: ${l![4]}`);
  assert.deepEqual(Array.from(t!), [1, -1, 1, -1, NaN]);
  assert.deepEqual(Array.from(s!), [1, 0, 1, 0, NaN]);
  assert.deepEqual(Array.from(gl!).slice(0, 2), [100, -0]);
  assert.ok(Number.isNaN(gl![4]!));
});

test("large transcendental passes split over the threads give the one-part kernel's values exactly", { skip: noCore }, () => {
  const n = 40_003;
  const xs = values([n], 15, -8, 8), g = values([n], 16, -1, 1);
  for (const [name, f] of Object.entries({ exp, log, tanh, sigmoid, gelu })) {
    const x0 = name === "log" ? xs.map((v) => Math.abs(v) + 1e-3) : xs;
    const pass = (lo: number, hi: number): Float32Array[] => onRoute("wasm", () => {
      const x = Tensor.from(x0.slice(lo, hi), [hi - lo]);
      x.requiresGrad = true;
      const y = f(x);
      backward(y, Tensor.from(g.slice(lo, hi), [hi - lo]));
      const out = [y, Tensor.from(x.grad!.data, x.shape)];
      x.grad!.dispose();
      return out;
    });
    const [wy, wg] = pass(0, n);
    // the same values in pieces below the split threshold (one part each)
    const py = new Float32Array(n), pg = new Float32Array(n);
    for (let lo = 0; lo < n; lo += 1024) {
      const [y, d] = pass(lo, Math.min(n, lo + 1024));
      py.set(y!, lo);
      pg.set(d!, lo);
    }
    assert.deepEqual(wy, py, `${name} forward`);
    assert.deepEqual(wg, pg, `${name} backward`);
  }
});

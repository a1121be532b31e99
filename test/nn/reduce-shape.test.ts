import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { concat, max, mean, reshape, slice, sum, transpose } from "../../src/nn/ops/index.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor, sizeOf, type Shape } from "../../src/nn/tensor.js";
import { onRoute, randomArray } from "./helpers.js";

const noCore = !nnCore() && "no compute core";

const values = (shape: Shape, seed: number): number[] => randomArray(sizeOf(shape), seed);

/** The gradient of Σ seed ⊙ f(x) with respect to x, on the current route. */
function gradOf(f: (x: Tensor) => Tensor, x: Tensor, seed: number[]): number[] {
  x.requiresGrad = true;
  x.grad = null;
  const y = f(x);
  tidy(() => backward(y, Tensor.from(seed, y.shape)));
  return Array.from(x.grad!.data);
}

// [shape, axes, keepDims]: all axes, one axis (first, middle, last, negative), size-1 axes, the per-channel pattern
// (reduce both ends), two separate groups (reduced one at a time), odd sizes, and a rank-0 input
const CASES: [Shape, number | number[] | undefined, boolean][] = [
  [[4, 5], undefined, false], [[4, 5], 0, false], [[4, 5], 1, true], [[4, 5], -1, false], [[3, 4, 5], 1, true],
  [[3, 1, 5], 1, false], [[3, 1, 5], [0, 2], true], [[2, 3, 4, 5], [0, 2, 3], true], [[2, 3, 4, 5], [1, 3], false],
  [[2, 3, 4, 5], [-1, 0], true], [[7, 9], [0, 1], true], [[13], 0, false], [[], undefined, false], [[2, 3, 5], [], false],
];

test("sum, mean, max: gradients match central differences (axes, negative axes, keepDims, size-1 axes)", () => {
  for (const [name, f] of Object.entries({ sum, mean, max })) {
    for (const [shape, axes, keep] of CASES) {
      const r = checkGrad((x) => f(x!, axes, keep), [shape], { seed: shape.length + 5 });
      assert.ok(r.maxError < 1e-6, `${name} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepDims ${keep}: ${JSON.stringify(r)}`);
    }
  }
});

test("reductions: hand-computed values and shapes", () => {
  const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(sum(x).toArray(), 21);
  assert.deepEqual(sum(x).shape, []);
  assert.deepEqual(sum(x, 0).toArray(), [5, 7, 9]);
  assert.deepEqual(sum(x, -1, true).toArray(), [[6], [15]]);
  assert.deepEqual(mean(x, 1).toArray(), [2, 5]);
  assert.deepEqual(mean(x, [0, 1], true).shape, [1, 1]);
  assert.deepEqual(max(x, 0).toArray(), [4, 5, 6]);
  assert.deepEqual(max(Tensor.from([3, -1, 7, 2], [2, 1, 2]), [0, 2]).toArray(), [7]);
  assert.deepEqual(sum(Tensor.zeros([3, 0]), 1).toArray(), [0, 0, 0]);
  assert.ok(Number.isNaN(mean(Tensor.zeros([0])).item()));
});

test("reductions refuse bad axes and max over an empty axis, naming op, axis and shape", () => {
  const x = Tensor.zeros([2, 3]);
  assert.throws(() => sum(x, 2), /sum: axis 2 is out of range for shape \[2, 3\] \(expected an integer in \[-2, 1\]\)/);
  assert.throws(() => mean(x, [0, -2]), /mean: axis -2 is given twice/);
  assert.throws(() => max(x, 0.5), /max: axis 0.5 is out of range/);
  assert.throws(() => max(Tensor.zeros([2, 0]), 1), /max: cannot reduce an empty axis \(shape \[2, 0\]/);
});

test("max sends the gradient to the first maximal element (ties, SIMD lanes, several axes) on every route", () => {
  const routes = nnCore() ? (["wasm", "ts"] as const) : (["ts"] as const);
  for (const route of routes) {
    withEngineRoute(route, () => {
      assert.deepEqual(gradOf((x) => max(x), Tensor.from([1, 3, 3, 2], [4]), [1]), [0, 1, 0, 0]);
      // along the first axis of a matrix: column-wise ties
      assert.deepEqual(gradOf((x) => max(x, 0), Tensor.from([5, 1, 2, 5, 1, 0], [2, 3]), [1, 2, 3]), [1, 2, 3, 0, 0, 0]);
      // a long row (the SIMD path over k): ties in different lanes, the first wins
      const row = Array.from({ length: 23 }, (_, i) => (i === 6 || i === 13 || i === 19 ? 9 : i % 5));
      const g = gradOf((x) => max(x, -1), Tensor.from(row, [1, 23]), [2]);
      assert.deepEqual(g.map((v, i) => (v ? i : -1)).filter((i) => i >= 0), [6]);
      // two separate axes: "first" in the row-major order of the reduced indices
      const x3 = Tensor.from([0, 4, 1, 4, 4, 2, 3, 0], [2, 2, 2]);
      assert.deepEqual(gradOf((x) => max(x, [0, 2]), x3, [1, 1]), [0, 1, 0, 1, 0, 0, 0, 0]);
      // NaN is the maximum and takes the gradient
      const withNaN = Tensor.from(Array.from({ length: 12 }, (_, i) => (i === 10 ? NaN : i)), [12]);
      assert.ok(Number.isNaN(max(withNaN).item()));
      assert.deepEqual(gradOf((x) => max(x), withNaN, [1]).indexOf(1), 10);
    });
  }
});

test("WASM reduction kernels agree with the TypeScript route (sums to 1e-5, max exactly)", { skip: noCore }, () => {
  const cases: [Shape, number | number[] | undefined][] = [
    [[37, 513], 1], [[256, 515], 0], [[100003], undefined], [[8, 16, 7, 9], [0, 2, 3]], [[6, 5, 4, 3], [1, 3]],
    [[3, 41, 10], 1], [[64, 130], -1], [[5, 3], [0, 1]],
  ];
  for (const [shape, axes] of cases) {
    const v = values(shape, 3);
    const seedShape = sizeOf(shape);
    for (const [name, f] of Object.entries({ sum, mean, max })) {
      const body = (): Tensor[] => {
        const x = Tensor.from(v, shape);
        x.requiresGrad = true;
        const y = f(x, axes, true);
        backward(y, Tensor.from(values(y.shape, 4), y.shape));
        const out = [y, Tensor.from(x.grad!.data, shape)];
        x.grad!.dispose();
        return out;
      };
      const [wy, wg] = onRoute("wasm", body), [ty, tg] = onRoute("ts", body);
      if (name === "max") {
        assert.deepEqual(wy, ty, `max ${JSON.stringify(shape)} ${JSON.stringify(axes)}`);
        assert.deepEqual(wg, tg, `max grad ${JSON.stringify(shape)} ${JSON.stringify(axes)}`);
        continue;
      }
      let scale = 0;
      for (const t of ty!) scale = Math.max(scale, Math.abs(t));
      for (let i = 0; i < wy!.length; i++) {
        assert.ok(Math.abs(wy![i]! - ty![i]!) <= 1e-5 * Math.max(Math.abs(ty![i]!), 1e-3 * scale),
          `${name} ${JSON.stringify(shape)} ${JSON.stringify(axes)} [${i}]: ${wy![i]} vs ${ty![i]}`);
      }
      assert.deepEqual(wg, tg, `${name} grad ${JSON.stringify(shape)} (${seedShape})`);
    }
  }
});

test("reshape is a view of the same storage; -1 is inferred; the gradient comes back in x's shape", () => {
  tidy(() => {
    const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = reshape(x, [3, -1]);
    assert.deepEqual(y.shape, [3, 2]);
    x.data[0] = 42;
    assert.equal(y.data[0], 42);
    if (x.ptr >= 0) assert.equal(y.ptr, x.ptr);
  });
  const r = checkGrad((x) => reshape(x!, [5, -1, 2]), [[4, 5]]);
  assert.ok(r.maxError < 1e-6, JSON.stringify(r));
  const x = Tensor.zeros([2, 3]);
  assert.throws(() => reshape(x, [4, -1]), /reshape: cannot reshape \[2, 3\] \(6 elements\) into \[4, -1\]/);
  assert.throws(() => reshape(x, [-1, -1]), /at most one -1/);
  assert.throws(() => reshape(x, [2.5, 2]), /reshape: the shape must be an array of non-negative integers/);
});

// permutations: 2-D, batched 2-D, NCHW -> NHWC (merges to batched 2-D), a general one, size-1 axes, the identity
const PERMS: [Shape, number[] | undefined][] = [
  [[37, 53], undefined], [[3, 9, 6], [0, 2, 1]], [[2, 3, 5, 7], [0, 2, 3, 1]], [[3, 4, 5], [2, 0, 1]],
  [[4, 1, 6], [2, 1, 0]], [[2, 3, 4], [0, 1, 2]], [[2, 3, 4, 5], [3, 1, 0, 2]], [[6, 1], [1, 0]],
];

test("transpose: hand case, gradients, WASM kernel against the TypeScript loop (exactly), bad permutations", () => {
  assert.deepEqual(transpose(Tensor.from([1, 2, 3, 4, 5, 6], [2, 3])).toArray(), [[1, 4], [2, 5], [3, 6]]);
  const t = transpose(Tensor.from(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]), [2, 0, 1]);
  assert.deepEqual(t.shape, [4, 2, 3]);
  assert.equal(t.toArray() instanceof Array && (t.toArray() as number[][][])[3]![1]![2], 1 * 12 + 2 * 4 + 3);
  for (const [shape, perm] of PERMS) {
    const small = shape.map((d) => Math.min(d, 6));
    const r = checkGrad((x) => transpose(x!, perm), [small]);
    assert.ok(r.maxError < 1e-6, `${JSON.stringify(small)} ${JSON.stringify(perm)}: ${JSON.stringify(r)}`);
    if (nnCore()) {
      const v = values(shape, 5);
      const body = (): Tensor => transpose(Tensor.from(v, shape), perm);
      assert.deepEqual(onRoute("wasm", body), onRoute("ts", body), `${JSON.stringify(shape)} ${JSON.stringify(perm)}`);
    }
  }
  const x = Tensor.zeros([2, 3]);
  assert.throws(() => transpose(x, [0, 0]), /transpose: \[0,0\] is not a permutation of the 2 axes of \[2, 3\]/);
  assert.throws(() => transpose(x, [1]), /is not a permutation/);
});

test("slice: hand case, size -1, gradients (zeros outside the box), errors", () => {
  const x = Tensor.from(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
  assert.deepEqual(slice(x, [1, 1, 1], [1, 2, -1]).toArray(), [[[17, 18, 19], [21, 22, 23]]]);
  assert.deepEqual(slice(x, [0, 0, 0], [-1, -1, -1]).toArray(), x.toArray());
  assert.deepEqual(slice(x, [0, 2, 0], [2, 1, 4]).shape, [2, 1, 4]);
  assert.deepEqual(slice(x, [0, 1, 0], [2, 0, 4]).shape, [2, 0, 4]);
  for (const [shape, begin, size] of [[[5, 7], [1, 2], [3, -1]], [[3, 4, 5], [0, 1, 0], [3, 2, 5]], [[9], [4], [3]],
    [[2, 3, 4], [1, 0, 1], [1, 3, 2]]] as [Shape, number[], number[]][]) {
    const r = checkGrad((t) => slice(t!, begin, size), [shape]);
    assert.ok(r.maxError < 1e-6, `${JSON.stringify(shape)} ${JSON.stringify(begin)} ${JSON.stringify(size)}: ${JSON.stringify(r)}`);
  }
  assert.throws(() => slice(x, [0, 2, 0], [1, 2, 1]), /slice of \[2, 3, 4\] at \[0,2,0\] of size \[1,2,1\]: axis 1 asks for \[2, 4\) of 3/);
  assert.throws(() => slice(x, [0, 0], [1, 1]), /begin and size need one integer per axis \(3\)/);
});

test("concat: hand case, negative axis, gradients to each input, errors", () => {
  const a = Tensor.from([1, 2, 3, 4], [2, 2]), b = Tensor.from([5, 6], [2, 1]);
  assert.deepEqual(concat([a, b], 1).toArray(), [[1, 2, 5], [3, 4, 6]]);
  assert.deepEqual(concat([a, a], -2).toArray(), [[1, 2], [3, 4], [1, 2], [3, 4]]);
  for (const [shapes, axis] of [[[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1], [[[3, 2], [3, 7]], -1], [[[2, 3], [4, 3]], 0],
    [[[5], [2]], 0]] as [Shape[], number][]) {
    const r = checkGrad((...xs) => concat(xs, axis), shapes);
    assert.ok(r.maxError < 1e-6, `${JSON.stringify(shapes)} axis ${axis}: ${JSON.stringify(r)}`);
  }
  const r = checkGrad((p, q) => concat([p!, q!], 0), [[2, 2], [1, 2]], { constant: [1] });
  assert.ok(r.maxError < 1e-6, JSON.stringify(r));
  assert.throws(() => concat([a, b], 0), /concat along axis 0: shapes \[2, 2\], \[2, 1\] differ on an axis other than 0/);
  assert.throws(() => concat([a, b], 2), /concat: axis 2 is out of range for rank 2/);
  assert.throws(() => concat([]), /concat needs a non-empty array of tensors/);
});

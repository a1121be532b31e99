import assert from "node:assert/strict";
import { test } from "node:test";
import { tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { upsampleNearest2d } from "../../src/nn/ops/index.js";
import { Tensor } from "../../src/nn/tensor.js";

test("upsampleNearest2d: doubling copies each pixel into a 2x2 block; odd sizes take PyTorch's floor(i·in/out) source", () => {
  tidy(() => {
    const x = Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]);
    assert.deepEqual(Array.from(upsampleNearest2d(x, [4, 4]).data), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    // 3 -> 7 along the width: sources floor(j·3/7) = 0, 0, 0, 1, 1, 2, 2 (torch.nn.functional.interpolate, mode "nearest")
    const y = upsampleNearest2d(Tensor.from([5, 6, 7], [1, 1, 1, 3]), [2, 7]);
    assert.deepEqual(y.shape, [1, 1, 2, 7]);
    assert.deepEqual(Array.from(y.data), [5, 5, 5, 6, 6, 7, 7, 5, 5, 5, 6, 6, 7, 7]);
    // planes stay apart: two images of two channels
    const z = upsampleNearest2d(Tensor.from([1, 2, 3, 4], [2, 2, 1, 1]), [1, 2]);
    assert.deepEqual(Array.from(z.data), [1, 1, 2, 2, 3, 3, 4, 4]);
    assert.throws(() => upsampleNearest2d(Tensor.zeros([2, 3]), [2, 2]), /upsampleNearest2d: the input \[2, 3\] must be \[N, C, H, W\]/);
    assert.throws(() => upsampleNearest2d(x, [0, 2]), /upsampleNearest2d: size must be \[height, width\] \(integers >= 1\), got \[0,2\]/);
  });
});

test("upsampleNearest2d's gradient (sums over each copied block) matches central differences, even and odd sizes", () => {
  for (const [shape, size] of [[[2, 3, 3, 4], [6, 8]], [[1, 2, 3, 2], [7, 5]], [[2, 1, 4, 4], [4, 4]]] as [number[], [number, number]][]) {
    const r = checkGrad((x) => upsampleNearest2d(x!, size), [shape]);
    assert.ok(r.maxError < 1e-8, `${JSON.stringify(shape)} -> ${JSON.stringify(size)}: ${JSON.stringify(r)}`);
  }
});

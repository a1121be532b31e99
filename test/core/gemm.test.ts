import { test } from "node:test";
import assert from "node:assert/strict";
import { matmul, pairwiseSqDistances, rowSqNorms, withPinned } from "../../src/core/gemm.js";
import { Matrix } from "../../src/core/matrix.js";
import { wasmCore } from "../../src/core/wasm/runtime.js";
import { maxAbsDiff, naiveMatmul, randn } from "../helpers.js";

const shapes: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 2], [37, 61, 29], [130, 257, 33], [260, 300, 70]];

for (const backend of ["ts", "wasm"] as const) {
  for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
    test(`matmul ${backend} transA=${transA} transB=${transB} equals the definition on odd shapes`, (t) => {
      if (backend === "wasm" && !wasmCore()) return t.skip("no WebAssembly core");
      for (const [m, k, n] of shapes) {
        const A = randn(transA ? k : m, transA ? m : k, m + k, "float32");
        const B = randn(transB ? n : k, transB ? k : n, n + 7, "float32");
        const ref = naiveMatmul(A, B, transA, transB);
        for (const threads of backend === "wasm" ? [1, 2] : [1]) {
          const C = matmul(A, B, { transA, transB, backend, threads });
          assert.equal(C.rows, m);
          assert.equal(C.cols, n);
          assert.ok(maxAbsDiff(C, ref) < 1e-4 * Math.sqrt(k) * 4, `${m}x${k}x${n} threads=${threads}: ${maxAbsDiff(C, ref)}`);
        }
      }
    });
  }
}

test("matmul float64 stays float64 and exact to 1e-12", () => {
  const A = randn(20, 30, 1);
  const B = randn(30, 10, 2);
  const C = matmul(A, B);
  assert.equal(C.dtype, "float64");
  assert.ok(maxAbsDiff(C, naiveMatmul(A, B)) < 1e-12);
});

test("matmul rejects mismatched inner dimensions with both shapes in the message", () => {
  assert.throws(() => matmul(Matrix.zeros(2, 3), Matrix.zeros(4, 5)), /2x3.*4x5/);
});

test("pinned matrices give the same products and are released", () => {
  const A = randn(300, 200, 5, "float32");
  const B = randn(200, 40, 6, "float32");
  const ref = matmul(A, B);
  const inside = withPinned(A, () => [matmul(A, B), matmul(A, randn(300, 8, 1, "float32"), { transA: true })]);
  assert.ok(maxAbsDiff(inside[0]!, ref) === 0);
  assert.equal(inside[1]!.rows, 200);
});

test("row norms and pairwise squared distances match the definition", () => {
  const X = randn(150, 40, 9, "float32");
  const Y = randn(70, 40, 10, "float32");
  const n = rowSqNorms(X);
  let s = 0;
  for (let j = 0; j < 40; j++) s += X.get(3, j) ** 2;
  assert.ok(Math.abs(n[3]! - s) < 1e-4);
  const D = pairwiseSqDistances(X, Y);
  let d = 0;
  for (let j = 0; j < 40; j++) d += (X.get(5, j) - Y.get(11, j)) ** 2;
  assert.ok(Math.abs(D.get(5, 11) - d) < 1e-3 * d);
  const Dxx = pairwiseSqDistances(X);
  assert.equal(Dxx.get(7, 7), 0);
  assert.ok(Math.abs(Dxx.get(2, 9) - Dxx.get(9, 2)) < 1e-3);
});

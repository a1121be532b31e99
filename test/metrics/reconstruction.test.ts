// Reconstruction metrics: MSE by the definition, the two PSNR conventions on a worked example, Jensen's inequality
// between them, invariance to the pixel scale with the matching peak, and errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Matrix } from "../../src/core/matrix.js";
import { meanSquaredError, psnr, psnrOfMean, rowMeanSquaredErrors } from "../../src/metrics/reconstruction.js";
import { randn } from "../helpers.js";

test("MSE and PSNR on a worked example: per-image PSNR 20 and 40 dB average to 30; the mean MSE gives 22.97", () => {
  const clean = Matrix.fromArray([[0.5, 0.5, 0.5, 0.5], [0.2, 0.2, 0.2, 0.2]], "float64");
  const other = Matrix.fromArray([[0.6, 0.4, 0.6, 0.4], [0.21, 0.19, 0.21, 0.19]], "float64"); // MSE 0.01, 0.0001
  assert.deepEqual(Array.from(rowMeanSquaredErrors(clean, other), (v) => Number(v.toPrecision(12))), [0.01, 0.0001]);
  assert.ok(Math.abs(meanSquaredError(clean, other) - 0.00505) < 1e-15);
  assert.ok(Math.abs(psnr(clean, other) - 30) < 1e-9);
  assert.ok(Math.abs(psnrOfMean(clean, other) - 10 * Math.log10(1 / 0.00505)) < 1e-9);
  assert.ok(Math.abs(psnrOfMean(clean, other) - 22.967) < 1e-3);
  // nested arrays work as matrices do
  assert.equal(meanSquaredError([[0, 0], [1, 1]], [[1, 1], [1, 1]]), 0.5);
});

test("PSNR: the mean of per-image PSNRs is at least the PSNR of the mean MSE (Jensen); peak rescales", () => {
  const A = randn(50, 30, 1);
  const B = randn(50, 30, 2);
  for (let i = 0; i < 50; i++) for (let j = 0; j < 30; j++) B.set(i, j, A.get(i, j) + (0.01 + i / 100) * B.get(i, j));
  assert.ok(psnr(A, B) > psnrOfMean(A, B) + 1, `${psnr(A, B)} vs ${psnrOfMean(A, B)}`);
  const scale = (M: Matrix): Matrix => new Matrix(M.rows, M.cols, Float64Array.from(M.data, (v) => 255 * v));
  assert.ok(Math.abs(psnr(scale(A), scale(B), 255) - psnr(A, B)) < 1e-9);
  assert.ok(Math.abs(psnrOfMean(scale(A), scale(B), 255) - psnrOfMean(A, B)) < 1e-9);
  // peak 1 → 255 adds 20·log10(255) dB at the same error
  assert.ok(Math.abs(psnr(A, B, 255) - psnr(A, B) - 20 * Math.log10(255)) < 1e-9);
  // a perfect reconstruction: infinite PSNR
  assert.equal(psnr(A, A), 120); // an exact row counts as 120 dB (MSE floored at 1e-12), so means stay finite
  assert.equal(psnrOfMean(A, A), Infinity);
  assert.equal(meanSquaredError(A, A), 0);
});

test("reconstruction metrics: errors", () => {
  assert.throws(() => meanSquaredError([[1, 2]], [[1, 2, 3]]), /A is 1x2 but B is 1x3: expected the same shape/);
  assert.throws(() => psnr([[1]], [[0]], 0), /peak must be a finite number > 0, got 0/);
  assert.throws(() => psnr([[1]], [[NaN]]), /B\[0\]\[0\] is NaN/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Matrix } from "../../src/core/matrix.js";
import { eigh } from "../../src/linalg/eigh.js";
import { qr } from "../../src/linalg/qr.js";
import { svd } from "../../src/linalg/svd.js";
import { frob2, maxAbsDiff, naiveMatmul, orthoError, randn, reconstruct } from "../helpers.js";

test("QR: Q orthonormal, R upper triangular, A = QR (tall, square, wide)", () => {
  for (const [m, n] of [[50, 20], [20, 20], [8, 15], [1, 6], [6, 1]] as const) {
    const A = randn(m, n, m * n);
    const { Q, R } = qr(A);
    assert.ok(orthoError(Q) < 1e-12, `${m}x${n}`);
    for (let i = 0; i < R.rows; i++) for (let j = 0; j < Math.min(i, R.cols); j++) assert.equal(R.get(i, j), 0);
    assert.ok(maxAbsDiff(naiveMatmul(Q, R), A) < 1e-12);
  }
});

test("eigh: A V = V Λ, V orthogonal, values descending", () => {
  const B = randn(40, 40, 2);
  const A = naiveMatmul(B, B, false, true);
  const { values, vectors } = eigh(A);
  assert.ok(orthoError(vectors) < 1e-12);
  const AV = naiveMatmul(A, vectors);
  for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) assert.ok(Math.abs(AV.get(i, j) - values[j]! * vectors.get(i, j)) < 1e-9);
  for (let j = 1; j < 40; j++) assert.ok(values[j - 1]! >= values[j]!);
});

test("eigh: known spectrum of a diagonal-plus-rotation matrix and an indefinite one", () => {
  const A = Matrix.fromArray([[2, 1], [1, 2]], "float64");
  const { values } = eigh(A);
  assert.ok(Math.abs(values[0]! - 3) < 1e-14 && Math.abs(values[1]! - 1) < 1e-14);
  const { values: v2 } = eigh(Matrix.fromArray([[0, 1], [1, 0]], "float64"));
  assert.ok(Math.abs(v2[0]! - 1) < 1e-14 && Math.abs(v2[1]! + 1) < 1e-14);
  assert.throws(() => eigh(Matrix.fromArray([[1, 2], [3, 4]], "float64")), /not symmetric/);
});

test("SVD: A = UΣVᵀ with orthonormal U and V, on tall, wide, square, 1xn and nx1", () => {
  for (const [m, n] of [[60, 25], [25, 60], [30, 30], [1, 7], [7, 1]] as const) {
    const A = randn(m, n, m + 3 * n);
    const { U, S, Vt } = svd(A);
    const r = Math.min(m, n);
    assert.equal(S.length, r);
    assert.ok(orthoError(U) < 1e-12, `U ${m}x${n}`);
    assert.ok(orthoError(Vt.transpose()) < 1e-12, `V ${m}x${n}`);
    assert.ok(maxAbsDiff(reconstruct(U, S, Vt), A) < 1e-11, `A ${m}x${n}`);
    for (let i = 1; i < r; i++) assert.ok(S[i - 1]! >= S[i]!);
  }
});

test("SVD of a rank-deficient matrix: trailing singular values vanish and U stays orthonormal", () => {
  const L = randn(40, 3, 1);
  const R = randn(3, 12, 2);
  const A = naiveMatmul(L, R);
  const { U, S, Vt } = svd(A);
  for (let i = 3; i < 12; i++) assert.ok(S[i]! < 1e-12 * S[0]!, `σ${i} = ${S[i]}`);
  assert.ok(orthoError(U) < 1e-10);
  assert.ok(maxAbsDiff(reconstruct(U, S, Vt), A) < 1e-11);
});

test("SVD agrees with the eigen-decomposition of AᵀA", () => {
  const A = randn(80, 15, 4);
  const { S } = svd(A);
  const { values } = eigh(naiveMatmul(A, A, true));
  for (let i = 0; i < 15; i++) assert.ok(Math.abs(S[i]! ** 2 - values[i]!) < 1e-9 * values[0]!);
});

test("Eckart–Young: the rank-k truncation error equals the sum of the tail σ²", () => {
  const A = randn(70, 30, 11);
  const { U, S, Vt } = svd(A);
  for (const k of [1, 5, 17, 29]) {
    const Ak = reconstruct(U, S, Vt, k);
    const err = frob2(Matrix.fromArray(A.toArray().map((row, i) => row.map((v, j) => v - Ak.get(i, j))), "float64"));
    let tail = 0;
    for (let i = k; i < S.length; i++) tail += S[i]! ** 2;
    assert.ok(Math.abs(err - tail) < 1e-9 * frob2(A), `k=${k}: ${err} vs ${tail}`);
  }
});

test("SVD signs are deterministic: largest |v| entry of each component is positive", () => {
  const A = randn(20, 8, 5);
  const a = svd(A);
  const b = svd(A.clone());
  assert.deepEqual(Array.from(a.Vt.data), Array.from(b.Vt.data));
  for (let i = 0; i < a.Vt.rows; i++) {
    const row = Array.from(a.Vt.row(i));
    const big = row.reduce((x, y) => (Math.abs(y) > Math.abs(x) ? y : x), 0);
    assert.ok(big > 0);
  }
});

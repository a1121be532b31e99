import { test } from "node:test";
import assert from "node:assert/strict";
import { Matrix } from "../../src/core/matrix.js";
import { qr } from "../../src/linalg/qr.js";
import { principalAngles, principalAnglesRadians } from "../../src/linalg/subspace.js";
import { naiveMatmul, randn, refuses } from "../helpers.js";

test("principalAngles: known angles between planes in R^5, in any basis of either plane", () => {
  // A = span(e1, e2); B = span(e1·cos α + e3·sin α, e2·cos β + e4·sin β): angles α and β
  const alpha = 0.3, beta = 1.1;
  const A = Matrix.zeros(5, 2, "float64");
  A.set(0, 0, 1);
  A.set(1, 1, 1);
  const B = Matrix.zeros(5, 2, "float64");
  B.set(0, 0, Math.cos(alpha));
  B.set(2, 0, Math.sin(alpha));
  B.set(1, 1, Math.cos(beta));
  B.set(3, 1, Math.sin(beta));
  const c = principalAngles(A, B);
  assert.equal(c.length, 2);
  assert.ok(Math.abs(c[0]! - Math.cos(alpha)) < 1e-12 && Math.abs(c[1]! - Math.cos(beta)) < 1e-12, `cosines ${c}`);
  const r = principalAnglesRadians(A, B);
  assert.ok(Math.abs(r[0]! - alpha) < 1e-10 && Math.abs(r[1]! - beta) < 1e-10, `angles ${r}`);
  // the same spaces in other, non-orthogonal bases (A·G, B·H with G, H invertible) give the same angles
  const G = new Matrix(2, 2, Float64Array.from([2, 1, -0.5, 3]));
  const H = new Matrix(2, 2, Float64Array.from([0.1, 4, 1, 1]));
  const c2 = principalAngles(naiveMatmul(A, G), naiveMatmul(B, H));
  assert.ok(Math.abs(c2[0]! - c[0]!) < 1e-12 && Math.abs(c2[1]! - c[1]!) < 1e-12, `cosines ${c2} vs ${c}`);
  // symmetric, and rotating both spaces together changes nothing
  const Q = qr(randn(5, 5, 9)).Q;
  const c3 = principalAngles(naiveMatmul(Q, B), naiveMatmul(Q, A));
  assert.ok(Math.abs(c3[0]! - c[0]!) < 1e-12 && Math.abs(c3[1]! - c[1]!) < 1e-12, `cosines ${c3}`);
  // float32 inputs work too
  const c4 = principalAngles(A.astype("float32"), B.astype("float32"));
  assert.ok(Math.abs(c4[1]! - Math.cos(beta)) < 1e-6);
});

test("principalAngles: a space with itself, a subspace, orthogonal spaces; unequal column counts; bad input", async () => {
  const A = randn(30, 4, 2);
  for (const c of principalAngles(A, A)) assert.ok(Math.abs(c - 1) < 1e-12);
  // a line inside A's space: one cosine, 1
  const line = naiveMatmul(A, new Matrix(4, 1, Float64Array.from([1, -2, 0.5, 3])));
  const cl = principalAngles(line, A);
  assert.equal(cl.length, 1);
  assert.ok(Math.abs(cl[0]! - 1) < 1e-12);
  // the orthogonal complement of A's space (from a full QR of [A | random]): every cosine 0
  const R = randn(30, 4, 5);
  const AR = Matrix.zeros(30, 8, "float64");
  for (let i = 0; i < 30; i++) for (let j = 0; j < 4; j++) {
    AR.set(i, j, A.get(i, j));
    AR.set(i, 4 + j, R.get(i, j));
  }
  const Q = qr(AR).Q;
  const comp = new Matrix(30, 4, Float64Array.from({ length: 120 }, (_, t) => Q.get(Math.floor(t / 4), 4 + (t % 4))));
  for (const c of principalAngles(A, comp)) assert.ok(c < 1e-12, `cosine ${c}`);
  // two random 4-D subspaces of R^30 are far apart (the largest angle is well above 0)
  const c = principalAngles(A, randn(30, 4, 3));
  assert.ok(c[3]! < 0.6 && c[0]! < 0.99, `random subspaces: ${c}`);
  for (let i = 1; i < c.length; i++) assert.ok(c[i]! <= c[i - 1]!, "descending");
  await refuses(() => principalAngles(A, randn(29, 4)), /A has 30 rows and B 29/);
  await refuses(() => principalAngles(randn(3, 4), randn(3, 2)), /more columns than rows/);
  const nan = randn(30, 4, 2);
  nan.set(2, 1, NaN);
  await refuses(() => principalAngles(A, nan), /B\[2\]\[1\] is NaN/);
});

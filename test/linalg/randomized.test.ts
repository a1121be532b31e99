import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import assert from "node:assert/strict";
import { CancelledError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import { randomizedSVD } from "../../src/linalg/randomized.js";
import { CsrMatrix } from "../../src/linalg/sparse.js";
import { svd } from "../../src/linalg/svd.js";
import { lowRankPlusNoise, maxAbsDiff, naiveMatmul, orthoError, randn } from "../helpers.js";

test("randomized SVD matches the full SVD on low-rank plus noise (float64 and float32)", async () => {
  const X = lowRankPlusNoise(400, 120, 10, 0.01);
  const full = svd(X);
  for (const dtype of ["float64", "float32"] as const) {
    const r = await randomizedSVD(dtype === "float32" ? X.astype("float32") : X, 10, { seed: 1 });
    const tol = dtype === "float64" ? 1e-8 : 2e-4;
    for (let i = 0; i < 10; i++) assert.ok(Math.abs(r.S[i]! - full.S[i]!) < tol * full.S[0]!, `${dtype} σ${i}`);
    assert.ok(orthoError(r.U.astype("float64")) < (dtype === "float64" ? 1e-10 : 1e-4));
    // same components up to tolerance (signs are fixed the same way)
    assert.ok(maxAbsDiff(r.Vt.astype("float64"), full.Vt.rowRange(0, 10)) < (dtype === "float64" ? 1e-6 : 1e-2));
  }
});

test("randomized SVD is reproducible for a seed", async () => {
  const X = randn(200, 50, 2, "float32");
  const a = await randomizedSVD(X, 5, { seed: 3 });
  const b = await randomizedSVD(X, 5, { seed: 3 });
  assert.deepEqual(Array.from(a.Vt.data), Array.from(b.Vt.data));
});

test("randomized SVD works on a CSR matrix and agrees with the dense route", async () => {
  const X = lowRankPlusNoise(150, 60, 5, 0.05);
  for (let i = 0; i < X.data.length; i++) if (i % 3 === 0) X.data[i] = 0;
  const sparse = CsrMatrix.fromDense(X);
  const a = await randomizedSVD(sparse, 5, { seed: 1, nIter: 10 });
  const full = svd(X);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(a.S[i]! - full.S[i]!) < 1e-6 * full.S[0]!);
});

test("randomized SVD rejects k outside [1, min(m, n)] and can be cancelled", async () => {
  const X = randn(30, 10, 1);
  await assert.rejects(randomizedSVD(X, 11), /k must be an integer in \[1, min\(rows, cols\) = 10\], got 11/);
  await assert.rejects(randomizedSVD(X, 0), /got 0/);
  const ctl = new AbortController();
  const p = randomizedSVD(X, 3, { signal: ctl.signal, onProgress: () => ctl.abort() });
  await assert.rejects(p, CancelledError);
});

test("CSR: triplets sum duplicates and products match dense", () => {
  const S = CsrMatrix.fromTriplets(3, 4, [0, 0, 2, 2, 1], [1, 1, 3, 0, 2], [1, 2, 5, -1, 4]);
  assert.deepEqual(S.toDense().toArray(), [[0, 3, 0, 0], [0, 0, 4, 0], [-1, 0, 0, 5]]);
  const B = randn(4, 3, 2);
  assert.ok(maxAbsDiff(S.matmul(B), naiveMatmul(S.toDense(), B)) < 1e-12);
  const C = randn(3, 2, 3);
  assert.ok(maxAbsDiff(S.tmatmul(C), naiveMatmul(S.toDense(), C, true)) < 1e-12);
  assert.throws(() => CsrMatrix.fromTriplets(2, 2, [0], [5], [1]), /column 5 is outside \[0, 2\)/);
  assert.ok(Matrix.zeros(1, 1));
  // many random triplets with repeats: rows come out sorted, duplicates summed, equal to a dense accumulation
  const rng = new Random(4);
  const [m, n, t] = [37, 23, 2000];
  const r = Array.from({ length: t }, () => rng.nextUint32() % m);
  const c = Array.from({ length: t }, () => rng.nextUint32() % n);
  const v = Array.from({ length: t }, () => rng.normal());
  const dense = Matrix.zeros(m, n, "float64");
  for (let q = 0; q < t; q++) dense.data[r[q]! * n + c[q]!]! += v[q]!;
  const R = CsrMatrix.fromTriplets(m, n, r, c, v);
  assert.ok(maxAbsDiff(R.toDense(), dense) < 1e-12);
  for (let i = 0; i < m; i++) {
    for (let q = R.indptr[i]! + 1; q < R.indptr[i + 1]!; q++) assert.ok(R.indices[q]! > R.indices[q - 1]!, `row ${i} not strictly sorted`);
  }
});

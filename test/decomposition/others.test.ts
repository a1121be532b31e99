import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Matrix } from "../../src/core/matrix.js";
import { lowRankApproximation } from "../../src/decomposition/low-rank.js";
import { TruncatedSVD } from "../../src/decomposition/truncated-svd.js";
import { CsrMatrix } from "../../src/linalg/sparse.js";
import { svd } from "../../src/linalg/svd.js";
import { StandardScaler } from "../../src/preprocessing/scaler.js";
import { readCsv } from "../../src/io/csv.js";
import { frob2, lowRankPlusNoise, maxAbsDiff, PROJECT_DATA, randn, sharedData } from "../helpers.js";

test("StandardScaler: zero mean, unit variance, constant columns untouched, inverse and JSON round-trip", async () => {
  const X = [[1, 10, 5], [2, 20, 5], [3, 60, 5], [6, 30, 5]];
  const s = new StandardScaler();
  const Z = await s.fitTransform(X);
  for (let j = 0; j < 2; j++) {
    let m = 0, v = 0;
    for (let i = 0; i < 4; i++) m += Z.get(i, j);
    for (let i = 0; i < 4; i++) v += Z.get(i, j) ** 2;
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(v / 4 - 1) < 1e-6);
  }
  for (let i = 0; i < 4; i++) assert.equal(Z.get(i, 2), 0);
  assert.ok(maxAbsDiff(s.inverseTransform(Z), Matrix.fromArray(X)) < 1e-4);
  const copy = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  assert.equal(maxAbsDiff(copy.transform(X), Z), 0);
  const noStd = await new StandardScaler({ withStd: false }).fitTransform(X);
  assert.ok(Math.abs(noStd.get(0, 0) + 2) < 1e-6);
  assert.throws(() => s.transform([[1, 2]]), /X has 2 features, but this StandardScaler was fitted with 3/);
});

test("StandardScaler on wine: features that differ by 1000x in scale end on one scale", async () => {
  const { X } = readCsv(sharedData("tabular/wine_data.csv"), { labelColumn: -1 });
  assert.equal(X.rows, 178);
  assert.equal(X.cols, 13);
  const Z = await new StandardScaler().fitTransform(X);
  for (let j = 0; j < 13; j++) {
    let v = 0;
    for (let i = 0; i < 178; i++) v += Z.get(i, j) ** 2;
    assert.ok(Math.abs(v / 178 - 1) < 1e-4);
  }
});

test("TruncatedSVD (no centring) equals the leading SVD, dense and sparse, with sklearn-style variance ratios", async () => {
  const X = lowRankPlusNoise(300, 80, 6, 0.02);
  for (let i = 0; i < X.data.length; i++) if (i % 4 === 1) X.data[i] = 0;
  const ref = svd(X);
  const dense = new TruncatedSVD({ nComponents: 6, seed: 1 });
  const Zd = await dense.fitTransform(X);
  const sparse = new TruncatedSVD({ nComponents: 6, seed: 1 });
  const Zs = await sparse.fitTransform(CsrMatrix.fromDense(X));
  for (let i = 0; i < 6; i++) {
    assert.ok(Math.abs(dense.singularValues[i]! - ref.S[i]!) < 1e-4 * ref.S[0]!);
    assert.ok(Math.abs(sparse.singularValues[i]! - ref.S[i]!) < 1e-6 * ref.S[0]!);
  }
  assert.ok(maxAbsDiff(Zd, Zs) < 1e-3 * ref.S[0]!);
  const sumRatio = dense.explainedVarianceRatio.reduce((a, b) => a + b, 0);
  assert.ok(sumRatio > 0.9 && sumRatio <= 1 + 1e-6, `${sumRatio}`);
  const full = await new TruncatedSVD({ nComponents: 6, algorithm: "full" }).fit(X);
  assert.ok(maxAbsDiff(full.components, dense.components) < 1e-3);
  const copy = TruncatedSVD.fromJSON(JSON.parse(JSON.stringify(dense.toJSON())));
  assert.equal(maxAbsDiff(copy.transform(X), dense.transform(X)), 0);
  await assert.rejects(new TruncatedSVD({ nComponents: 81 }).fit(X), /nComponents=81 must be <= min/);
});

test("lowRankApproximation: error = Σ tail σ² = ‖X − X_k‖²_F, exact and randomized", async () => {
  const X = randn(60, 40, 8);
  const all = svd(X);
  for (const solver of ["full", "randomized"] as const) {
    const r = await lowRankApproximation(X, 7, { solver, seed: 1 });
    let tail = 0;
    for (let i = 7; i < all.S.length; i++) tail += all.S[i]! ** 2;
    const resid = X.clone();
    for (let i = 0; i < resid.data.length; i++) resid.data[i]! -= r.approximation.data[i]!;
    const direct = frob2(resid);
    const tol = solver === "full" ? 1e-9 : 2e-2;
    assert.ok(Math.abs(r.error - tail) < tol * tail, `${solver}: ${r.error} vs ${tail}`);
    assert.ok(Math.abs(direct - tail) < tol * tail, `${solver}: direct ${direct} vs ${tail}`);
    assert.ok(Math.abs(r.relativeError - tail / frob2(X)) < tol);
  }
  await assert.rejects(lowRankApproximation(X, 41), /k must be an integer in \[1, min\(rows, cols\) = 40\], got 41/);
});

test("digits bundled copy loads with labels", () => {
  const t = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
  assert.equal(t.X.rows, 1797);
  assert.equal(t.X.cols, 64);
  assert.deepEqual([...new Set(t.labels)].sort(), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
});

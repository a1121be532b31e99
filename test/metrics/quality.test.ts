import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readCsv } from "../../src/io/csv.js";
import { continuity, knnAccuracy, knnRecall, trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { randn, sharedData } from "../helpers.js";

const iris = readCsv(sharedData("tabular/iris.csv"), { labelColumn: -1 });

test("trustworthiness matches scikit-learn on iris and wine", async () => {
  const X = iris.X.astype("float64");
  const Z = await new PCA({ nComponents: 2, solver: "full" }).fitTransform(X);
  // sklearn.manifold.trustworthiness(X, PCA(2).fit_transform(X), n_neighbors=5); iris has many tied distances,
  // which numpy's (unstable) argsort and our stable ranks order differently, so only 1e-3 agreement is expected
  assert.ok(Math.abs(trustworthiness(X, Z, 5) - 0.9787605633802817) < 1e-3);
  assert.ok(Math.abs(trustworthiness(X, Z.colRange(0, 1), 10) - 0.9385080545229244) < 1e-3);
  const wine = readCsv(sharedData("tabular/wine_data.csv"), { labelColumn: -1 }).X.astype("float64");
  assert.ok(Math.abs(trustworthiness(wine, wine.colRange(0, 2), 7) - 0.646384598379485) < 1e-3);
});

test("trustworthiness equals scikit-learn's exactly on tie-free data", () => {
  // numpy: i = arange(120)[:, None]; j = arange(6)[None, :]; X = sin(0.7i + 1.3j) + 0.5cos(0.11ij + j)
  const X = Matrix.zeros(120, 6, "float64");
  for (let i = 0; i < 120; i++) for (let j = 0; j < 6; j++) X.set(i, j, Math.sin(0.7 * i + 1.3 * j) + 0.5 * Math.cos(0.11 * i * j + j));
  const Z = Matrix.zeros(120, 2, "float64");
  for (let i = 0; i < 120; i++) for (let j = 0; j < 2; j++) Z.set(i, j, X.get(i, j) + 0.3 * X.get(i, j + 2));
  assert.ok(Math.abs(trustworthiness(X, Z, 5) - 0.9060267857142857) < 1e-12);
  assert.ok(Math.abs(trustworthiness(X, Z, 12) - 0.8945128626163109) < 1e-12);
});

test("trustworthiness and continuity are 1 for the data itself and low for noise", () => {
  const X = randn(200, 5, 1);
  assert.equal(trustworthiness(X, X, 5), 1);
  assert.equal(continuity(X, X, 5), 1);
  const noise = randn(200, 2, 9);
  assert.ok(trustworthiness(X, noise, 5) < 0.65);
  assert.throws(() => trustworthiness(X, randn(10, 2)), /the embedding has 10 rows, the data 200/);
  assert.throws(() => trustworthiness(X, X, 100), /k=100 must be less than n\/2/);
});

test("kNN recall and kNN label accuracy", () => {
  const g = exactKnn(iris.X, 10);
  assert.equal(knnRecall(g, g), 1);
  const other = exactKnn(iris.X.colRange(0, 2), 10);
  const r = knnRecall(g, other, 10);
  assert.ok(r > 0.1 && r < 0.9);
  const acc = knnAccuracy(iris.X, iris.labels!, 10);
  assert.ok(acc > 0.93 && acc < 0.99, `${acc}`); // iris, 10-NN leave-one-out: about 0.96
  assert.throws(() => knnAccuracy(iris.X, ["a"]), /1 labels for 150 points/);
});

test("trustworthiness and continuity equal the definition with stable ranks on data full of ties", () => {
  // integer grids: most distances are tied, so every tie rule in the ranks and neighbour lists is exercised
  const n = 90;
  const X = Matrix.zeros(n, 3, "float64");
  const Z = Matrix.zeros(n, 2, "float64");
  for (let i = 0; i < n; i++) {
    X.set(i, 0, i % 5); X.set(i, 1, Math.floor(i / 5) % 4); X.set(i, 2, (i * 7) % 3);
    Z.set(i, 0, (i * 3) % 7); Z.set(i, 1, (i % 5) + (i % 2));
  }
  // the definition, written out: ranks by a stable sort of all distances (ties by index)
  const order = (M: Matrix, i: number): number[] => {
    const d = (j: number): number => { let s = 0; for (let c = 0; c < M.cols; c++) s += (M.get(i, c) - M.get(j, c)) ** 2; return s; };
    return Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).sort((a, b) => d(a) - d(b) || a - b);
  };
  const definition = (A: Matrix, B: Matrix, k: number): number => {
    let t = 0;
    for (let i = 0; i < n; i++) {
      const rankA = new Map(order(A, i).map((j, r) => [j, r + 1]));
      for (const j of order(B, i).slice(0, k)) t += Math.max(0, rankA.get(j)! - k);
    }
    return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * t;
  };
  for (const k of [1, 4, 9]) {
    assert.ok(Math.abs(trustworthiness(X, Z, k) - definition(X, Z, k)) < 1e-12, `trustworthiness k=${k}`);
    assert.ok(Math.abs(continuity(X, Z, k) - definition(Z, X, k)) < 1e-12, `continuity k=${k}`);
  }
});

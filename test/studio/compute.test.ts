// The functions the studio's compute worker runs (src/studio/compute/projections.ts), called directly in Node on the
// digits: PCA against the PCA class, t-SNE/UMAP as the CLI computes them (PCA to 50 first) with live positions,
// custom axes, neighbours against exactKnn, and the quality of a map on a sample against the full figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CancelledError, LatentkitError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readCsv } from "../../src/io/csv.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { knnRecall, trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import {
  customAxesMap, dataMatrix, mapInputDims, mapQuality, neighboursOf, pcaMap, pcaSolverFor, tsneMap, umapMap,
} from "../../src/studio/compute/projections.js";
import type { ProjectionUpdate } from "../../src/studio/types.js";
import { PROJECT_DATA } from "../helpers.js";

const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
const X = dataMatrix(digits.X.rows, digits.X.cols, digits.X.data as Float32Array);
const labels = digits.labels!;
const where = (label: string): Int32Array => Int32Array.from(labels.flatMap((l, i) => (l === label ? [i] : [])));

test("PCA map: the PCA class's projections and explained variance ratios, with the exact solver for the shape", async () => {
  assert.equal(pcaSolverFor(1797, 64), "covariance-eig");
  assert.equal(pcaSolverFor(100, 64), "full");
  for (const [M, solver] of [[X, "covariance-eig"], [X.rowRange(0, 100), "full"]] as const) {
    const r = await pcaMap(M, 3);
    const ref = new PCA({ nComponents: 3, solver });
    const Z = await ref.fitTransform(M);
    assert.equal(r.coords.dims, 3);
    assert.deepEqual(r.explainedVarianceRatio, Array.from(ref.explainedVarianceRatio));
    assert.deepEqual(Array.from(r.coords.values), Array.from(Z.data));
  }
  // both exact solvers agree on the spectrum (the studio's choice changes speed, not the answer)
  const full = new PCA({ nComponents: 2, solver: "full" });
  await full.fit(X);
  const r = await pcaMap(X, 2);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(r.explainedVarianceRatio[i]! - full.explainedVarianceRatio[i]!) < 1e-6);
  assert.ok(r.explainedVarianceRatio[0]! > 0.14 && r.explainedVarianceRatio[0]! < 0.16, `digits PC1 explains ${r.explainedVarianceRatio[0]}`);
  await assert.rejects(pcaMap(X, 4 as 2), (e: Error) => e instanceof LatentkitError && /dims must be 2 or 3, got 4/.test(e.message));
});

test("t-SNE map: the CLI's t-SNE of the data after PCA 50, live positions while it runs, stoppable", async () => {
  assert.equal(mapInputDims(1797, 64), 50);
  assert.equal(mapInputDims(1797, 30), null);
  assert.equal(mapInputDims(1797, 64, 0), null);
  assert.equal(mapInputDims(20, 64, 30), 20);
  assert.throws(() => mapInputDims(10, 64, -1), /pcaDims must be a whole number >= 0/);
  const M = X.rowRange(0, 400);
  const updates: ProjectionUpdate[] = [];
  const map = await tsneMap(M, { dims: 2, perplexity: 20, seed: 4, updateIntervalMs: 0 }, (u) => updates.push(u));
  // what `latentkit tsne --pca 50 --perplexity 20 --seed 4` computes
  const ref = await new TSNE({ nComponents: 2, perplexity: 20, seed: 4 }).fitTransform(await new PCA({ nComponents: 50, seed: 4 }).fitTransform(M));
  assert.deepEqual(Array.from(map.values), Array.from(ref.data));
  assert.ok(trustworthiness(M, new Matrix(400, 2, map.values), 10) > 0.97);
  // every fifth iteration but the last (the result), each a full map of its own
  assert.equal(updates.length, 199);
  assert.deepEqual(updates.slice(0, 3).map((u) => u.step), [5, 10, 15]);
  assert.equal(updates[0]!.stage, "early exaggeration");
  assert.equal(updates[updates.length - 1]!.stage, "main");
  for (const u of updates) assert.equal(u.coords.values.length, 800);
  assert.ok(Number.isFinite(updates[100]!.metrics.kl));
  assert.notDeepEqual(Array.from(updates[100]!.coords.values), Array.from(map.values));
  // throttled: at most one update per interval
  let count = 0;
  await tsneMap(M.rowRange(0, 150), { dims: 3, perplexity: 10, seed: 1, updateIntervalMs: 60000 }, () => count++);
  assert.equal(count, 1);
  // an abort stops it with CancelledError
  const ctl = new AbortController();
  let seen = 0;
  await assert.rejects(tsneMap(M, { dims: 2, perplexity: 20, seed: 4, updateIntervalMs: 0 }, () => (seen++, ctl.abort()), ctl.signal), CancelledError);
  assert.ok(seen >= 1 && seen < 100, `${seen} updates before the abort took effect`);
  await assert.rejects(tsneMap(M.rowRange(0, 30), { dims: 2, perplexity: 30, seed: 0 }), /perplexity=30 must be less than the number of samples n=30/);
});

test("UMAP map: the CLI's UMAP after PCA 50, with live positions", async () => {
  const M = X.rowRange(0, 500);
  const updates: ProjectionUpdate[] = [];
  const map = await umapMap(M, { dims: 2, nNeighbors: 15, minDist: 0.1, seed: 0, updateIntervalMs: 0 }, (u) => updates.push(u));
  assert.equal(map.values.length, 1000);
  assert.ok(trustworthiness(M, new Matrix(500, 2, map.values), 10) > 0.95);
  assert.equal(updates.length, 499); // 500 epochs for n <= 10000, the last being the result
  assert.equal(updates[0]!.stage, "epochs");
  await assert.rejects(umapMap(M.rowRange(0, 10), { dims: 2, nNeighbors: 15, minDist: 0.1, seed: 0 }), /nNeighbors=15 must be less than the number of points n=10/);
});

test("custom axes: x is the projection on mean(xPositive) − mean(xNegative); y another pair, or the first principal axis of the rest", async () => {
  const zeros = where("0");
  const ones = where("1");
  const sixes = where("6");
  const sevens = where("7");
  const d = X.cols;
  const meanOf = (idx: ArrayLike<number> | null): Float64Array => {
    const m = new Float64Array(d);
    const rows = idx ?? Array.from({ length: X.rows }, (_, i) => i);
    for (let t = 0; t < rows.length; t++) for (let j = 0; j < d; j++) m[j]! += X.get(rows[t]!, j) / rows.length;
    return m;
  };
  const unit = (a: Float64Array, b: Float64Array): Float64Array => {
    const v = a.map((x, j) => x - b[j]!);
    const s = Math.hypot(...v);
    return v.map((x) => x / s);
  };
  const mu = meanOf(null);
  const proj = (i: number, u: Float64Array): number => u.reduce((s, uj, j) => s + (X.get(i, j) - mu[j]!) * uj, 0);
  const ux = unit(meanOf(zeros), meanOf(ones));
  const uy = unit(meanOf(sixes), meanOf(sevens));
  const c = customAxesMap(X, { xPositive: zeros, xNegative: ones, yPositive: sixes, yNegative: sevens });
  assert.equal(c.dims, 2);
  for (let i = 0; i < X.rows; i += 13) {
    assert.ok(Math.abs(c.values[2 * i]! - proj(i, ux)) < 1e-3, `x of point ${i}`);
    assert.ok(Math.abs(c.values[2 * i + 1]! - proj(i, uy)) < 1e-3, `y of point ${i}`);
  }
  // the queries' classes end up at the ends of the axis
  const meanX = (idx: Int32Array): number => idx.reduce((s, i) => s + c.values[2 * i]!, 0) / idx.length;
  assert.ok(meanX(zeros) > 0 && meanX(ones) < 0);
  // an empty xNegative means "against the mean of all points"
  const c0 = customAxesMap(X, { xPositive: zeros, xNegative: new Int32Array(0), yPositive: sixes });
  const u0 = unit(meanOf(zeros), mu);
  for (let i = 0; i < X.rows; i += 97) assert.ok(Math.abs(c0.values[2 * i]! - proj(i, u0)) < 1e-3);
  // no y query: y is the first principal component of the data with the x direction taken out
  const cr = customAxesMap(X, { xPositive: zeros, xNegative: ones });
  const R = Matrix.zeros(X.rows, d, "float64");
  for (let i = 0; i < X.rows; i++) {
    const p = proj(i, ux);
    for (let j = 0; j < d; j++) R.set(i, j, X.get(i, j) - mu[j]! - p * ux[j]!);
  }
  const pc1 = await new PCA({ nComponents: 1, solver: "full" }).fitTransform(R);
  const sign = Math.sign(pc1.data[0]!) * Math.sign(cr.values[1]!);
  for (let i = 0; i < X.rows; i += 11) assert.ok(Math.abs(cr.values[2 * i + 1]! - sign * pc1.data[i]!) < 1e-3, `y of point ${i}: ${cr.values[2 * i + 1]} vs ${pc1.data[i]}`);
  assert.throws(() => customAxesMap(X, { xPositive: new Int32Array(0), xNegative: ones }), /xPositive is empty/);
  assert.throws(() => customAxesMap(X, { xPositive: zeros, xNegative: zeros }), /mean of xPositive equals the mean of xNegative/);
  assert.throws(() => customAxesMap(X, { xPositive: Int32Array.of(5000), xNegative: ones }), /xPositive holds point 5000, outside \[0, 1797\)/);
});

test("neighbours of a point equal exactKnn's row (the point left out): euclidean and cosine, in the data and in a map", async () => {
  const { coords } = await pcaMap(X, 2);
  const ref = {
    euclidean: exactKnn(X, 12), cosine: exactKnn(X, 12, { metric: "cosine" }),
    map: exactKnn(new Matrix(X.rows, 2, coords.values), 12), mapCosine: exactKnn(new Matrix(X.rows, 2, coords.values), 12, { metric: "cosine" }),
  };
  for (let i = 0; i < X.rows; i += 7) {
    for (const [name, r] of [
      ["euclidean", neighboursOf(X, i, 12, "euclidean")], ["cosine", neighboursOf(X, i, 12, "cosine")],
      ["map", neighboursOf(X, i, 12, "euclidean", coords)], ["mapCosine", neighboursOf(X, i, 12, "cosine", coords)],
    ] as const) {
      const g = ref[name];
      assert.deepEqual(Array.from(r.indices), Array.from(g.indices.subarray(i * 12, i * 12 + 12)), `${name} neighbours of ${i}`);
      assert.ok(!r.indices.includes(i));
      for (let t = 0; t < 12; t++) assert.ok(Math.abs(r.distances[t]! - g.distances[i * 12 + t]!) <= 1e-5 * (1 + g.distances[i * 12 + t]!));
    }
  }
  // duplicates: the point itself is left out, its twin kept
  const D = dataMatrix(4, 2, Float32Array.of(0, 0, 1, 1, 0, 0, 5, 5));
  assert.deepEqual(Array.from(neighboursOf(D, 2, 2, "euclidean").indices), [0, 1]);
  assert.deepEqual(Array.from(neighboursOf(D, 0, 1, "euclidean").indices), [2]);
  assert.throws(() => neighboursOf(X, 1797, 5, "euclidean"), /point 1797 is outside \[0, 1797\)/);
  assert.throws(() => neighboursOf(X, 0, 1797, "euclidean"), /k must be a whole number in \[1, 1796\], got 1797/);
  assert.throws(() => neighboursOf(X, 0, 5, "manhattan" as "cosine"), /metric must be "cosine" or "euclidean", got "manhattan"/);
  assert.throws(() => neighboursOf(X, 0, 5, "euclidean", { dims: 2, values: new Float32Array(10) }), /the map has 10 values, expected 1797 points x 2 = 3594/);
});

test("quality on a seeded sample of 1,000 points estimates the full trustworthiness of a digits map to 0.02", async () => {
  const map = await tsneMap(X, { dims: 2, perplexity: 30, seed: 0 });
  const Z = new Matrix(X.rows, 2, map.values);
  const full = trustworthiness(X, Z, 10);
  const q = mapQuality(X, map);
  assert.equal(q.sample, 1000);
  assert.equal(q.k, 10);
  assert.ok(Math.abs(q.trustworthiness - full) < 0.02, `sample ${q.trustworthiness} vs full ${full}`);
  const fullRecall = knnRecall(exactKnn(X, 10), exactKnn(Z, 10));
  assert.ok(Math.abs(q.knnRecall - fullRecall) < 0.1, `sample recall ${q.knnRecall} vs full ${fullRecall}`);
  // the same seed, the same sample; a sample as large as the data gives the full figures
  assert.deepEqual(mapQuality(X, map), q);
  assert.notEqual(mapQuality(X, map, { seed: 1 }).trustworthiness, q.trustworthiness);
  const all = mapQuality(X, map, { sample: 5000 });
  assert.equal(all.sample, 1797);
  assert.equal(all.trustworthiness, full);
  assert.equal(all.knnRecall, fullRecall);
  // a worse map scores lower
  const pca = mapQuality(X, (await pcaMap(X, 2)).coords);
  assert.ok(pca.trustworthiness < q.trustworthiness - 0.05 && pca.knnRecall < q.knnRecall);
  // small samples cap k
  assert.equal(mapQuality(X, map, { sample: 15 }).k, 7);
  assert.throws(() => mapQuality(X, map, { sample: 2 }), /sample must be a whole number >= 3, got 2/);
});

test("the data must have the shape it claims", () => {
  assert.throws(() => dataMatrix(10, 3, new Float32Array(29)), /vectors has 29 values, expected n x dim = 10 x 3 = 30/);
  assert.throws(() => dataMatrix(0, 3, new Float32Array(0)), /n >= 1 rows and dim >= 1 columns, got n=0/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readCsv } from "../../src/io/csv.js";
import { findABParams, fuzzyUnion, smoothKnn } from "../../src/manifold/umap-graph.js";
import { withRoute } from "../../src/core/backend.js";
import { Matrix } from "../../src/core/matrix.js";
import { UMAP } from "../../src/manifold/umap.js";
import { knnAccuracy, trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { PROJECT_DATA } from "../helpers.js";

const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });

test("UMAP curve parameters match umap-learn's find_ab_params", () => {
  const { a, b } = findABParams(1, 0.1);
  assert.ok(Math.abs(a - 1.576943460405378) < 1e-3 && Math.abs(b - 0.8950608781227859) < 1e-3, `${a} ${b}`);
  const w = findABParams(1, 0.5);
  assert.ok(Math.abs(w.a - 0.5830300205483709) < 1e-3 && Math.abs(w.b - 1.334166992455648) < 1e-3, `${w.a} ${w.b}`);
});

test("fuzzy simplicial set: memberships sum to log2(k), the union is symmetric with values in (0, 1]", () => {
  const k = 15;
  const g = exactKnn(digits.X, k);
  const m = smoothKnn(g.distances, digits.X.rows, k);
  for (let i = 0; i < digits.X.rows; i++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += m.weights[i * k + t]!;
    assert.ok(Math.abs(s - Math.log2(k)) < 1e-3, `point ${i}: ${s}`);
    assert.equal(m.weights[i * k]!, 1); // the nearest neighbour has membership 1
  }
  const G = fuzzyUnion(g.indices, m.weights, digits.X.rows, k);
  const D = G.toDense();
  for (let i = 0; i < 300; i++) for (let j = 0; j < 300; j++) assert.ok(Math.abs(D.get(i, j) - D.get(j, i)) < 1e-12);
  for (const v of G.data) assert.ok(v > 0 && v <= 1 + 1e-12);
});

test("UMAP on digits: trustworthiness(10) >= 0.97 and 10-NN accuracy >= 0.95; transform and JSON", async () => {
  // umap-learn reaches about 0.98 trustworthiness on digits with the defaults
  const umap = new UMAP({ seed: 0 });
  const Z = await umap.fitTransform(digits.X);
  const t = trustworthiness(digits.X, Z, 10);
  const acc = knnAccuracy(Z, digits.labels!, 10);
  assert.ok(t >= 0.97, `trustworthiness ${t}`);
  assert.ok(acc >= 0.95, `accuracy ${acc}`);
  // new points (here: copies of training points) land next to their originals
  const Zt = await umap.transform(digits.X.rowRange(0, 100));
  let close = 0;
  for (let i = 0; i < 100; i++) if ((Zt.get(i, 0) - Z.get(i, 0)) ** 2 + (Zt.get(i, 1) - Z.get(i, 1)) ** 2 < 1) close++;
  assert.ok(close >= 90, `${close}`);
  const copy = UMAP.fromJSON(JSON.parse(JSON.stringify(umap.toJSON())));
  assert.deepEqual(Array.from(copy.embedding.data), Array.from(Z.data));
  await assert.rejects(new UMAP({ nNeighbors: 15 }).fitTransform(digits.X.rowRange(0, 10)), /nNeighbors=15 must be less than the number of samples n=10/);
  assert.throws(() => new UMAP({ minDist: 2 }), /minDist must be in \[0, spread = 1\], got 2/);
  await assert.rejects(umap.transform([[1, 2]]), /X has 2 features, but this UMAP was fitted with 64/);
});

test("UMAP progress carries the current map: the last one equals the final embedding (2-D in the core, 2-D and 3-D in TypeScript)", async () => {
  const X = digits.X.rowRange(0, 400);
  for (const [nComponents, route] of [[2, "auto"], [3, "auto"], [2, "ts"]] as const) await withRoute(route, async () => {
    let last: Matrix | undefined;
    let first: Matrix | undefined;
    let reports = 0;
    const umap = new UMAP({
      nComponents, seed: 3, nEpochs: 30, deterministic: true,
      onProgress: (p) => {
        const E = p.embedding!;
        assert.deepEqual([E.rows, E.cols], [400, nComponents]);
        first ??= E;
        last = E;
        reports++;
      },
    });
    const Z = await umap.fitTransform(X);
    assert.equal(reports, 30);
    assert.deepEqual(Array.from(last!.data), Array.from(Z.data));
    assert.notDeepEqual(Array.from(first!.data), Array.from(Z.data), "the first epoch's copy keeps the map of that epoch");
  });
});

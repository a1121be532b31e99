import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readCsv } from "../../src/io/csv.js";
import { MDS } from "../../src/manifold/mds.js";
import { Sammon } from "../../src/manifold/sammon.js";
import { knnAccuracy, trustworthiness } from "../../src/metrics/quality.js";
import { distanceMatrix, sammonStress, stress } from "../../src/metrics/stress.js";
import { maxAbsDiff, PROJECT_DATA } from "../helpers.js";

// the first 500 distinct digits (the set has a few repeated images, which Sammon's stress cannot take)
const all = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
const keep: number[] = [];
const seen = new Set<string>();
for (let i = 0; i < all.X.rows && keep.length < 500; i++) {
  const key = Array.from(all.X.row(i)).join(",");
  if (!seen.has(key)) {
    seen.add(key);
    keep.push(i);
  }
}
const X = all.X.selectRows(keep);
const labels = keep.map((i) => all.labels![i]!);
const D = distanceMatrix(X);

test("classical MDS of euclidean data equals PCA (up to sign) and reproduces a planar configuration exactly", async () => {
  const mds = await new MDS({ method: "classical" }).fitTransform(X);
  const pca = await new PCA({ nComponents: 2, solver: "full" }).fitTransform(X);
  for (let c = 0; c < 2; c++) {
    const sign = Math.sign(mds.get(0, c)) === Math.sign(pca.get(0, c)) ? 1 : -1;
    for (let i = 0; i < 500; i++) assert.ok(Math.abs(mds.get(i, c) - sign * pca.get(i, c)) < 1e-2 * Math.abs(pca.get(0, 0)) + 1e-3);
  }
  const P = Matrix.fromArray([[0, 0], [3, 0], [0, 4], [1, 1], [-2, 5]], "float64");
  const back = await new MDS({ method: "classical" }).fit(P);
  assert.ok(stress(distanceMatrix(P), back.embedding) < 1e-6);
});

test("SMACOF metric MDS matches scikit-learn's stress and trustworthiness on 500 digits", async () => {
  const progress: number[] = [];
  const mds = new MDS({ onProgress: (p) => progress.push(p.metrics.stress!) });
  const Z = await mds.fitTransform(X);
  // scikit-learn 1.2 MDS(n_init=1, max_iter=300, eps=1e-5) on the same points: stress-1 0.326-0.331,
  // trustworthiness(10) 0.896-0.927 (seeds 0, 1)
  assert.ok(mds.stress <= 0.335, `stress-1 ${mds.stress}`);
  assert.ok(Math.abs(mds.stress - stress(D, Z)) < 1e-6);
  assert.ok(trustworthiness(X, Z, 10) >= 0.89);
  for (let t = 1; t < progress.length; t++) assert.ok(progress[t]! <= progress[t - 1]! + 1e-12); // majorisation never increases stress
  const pre = await new MDS({ dissimilarity: "precomputed" }).fitTransform(D);
  assert.ok(maxAbsDiff(pre, Z) < 1e-3);
  assert.throws(() => new MDS({ method: "isomap" as never }), /"isomap"/);
  await assert.rejects(new MDS({ dissimilarity: "precomputed" }).fitTransform([[0, 1], [2, 0]]), /not symmetric/);
});

test("Sammon's map lowers Sammon's stress below PCA's and SMACOF's, in both variants", async () => {
  const pcaStress = sammonStress(D, await new PCA({ nComponents: 2 }).fitTransform(X));
  const smacofStress = sammonStress(D, await new MDS().fitTransform(X));
  for (const method of ["newton", "gradient"] as const) {
    const s = new Sammon({ method });
    const Z = await s.fitTransform(X);
    assert.ok(Math.abs(s.stress - sammonStress(D, Z)) < 1e-6);
    assert.ok(s.stress < 0.45 * pcaStress, `${method}: ${s.stress} vs PCA ${pcaStress}`);
    assert.ok(s.stress <= smacofStress + 1e-3, `${method}: ${s.stress} vs SMACOF ${smacofStress}`);
    assert.ok(trustworthiness(X, Z, 10) >= 0.86);
  }
});

test("Sammon's label regulariser pulls classes together; duplicates share a spot; missing labels are refused", async () => {
  const plain = await new Sammon().fitTransform(X);
  const withLabels = await new Sammon({ labelWeight: 0.5 }).fitTransform(X, labels);
  const a0 = knnAccuracy(plain, labels, 10);
  const a1 = knnAccuracy(withLabels, labels, 10);
  assert.ok(a1 > a0 + 0.1, `${a0} -> ${a1}`);
  // coincident points (Sammon's stress divides by their distance 0) are mapped once and share the spot
  const dup = new Sammon();
  const Zd = await dup.fitTransform([[0, 0], [1, 1], [0, 0], [3, 0], [1, 1]]);
  assert.deepEqual(Array.from(Zd.row(2)), Array.from(Zd.row(0)));
  assert.deepEqual(Array.from(Zd.row(4)), Array.from(Zd.row(1)));
  assert.ok(dup.stress < 1e-3, `${dup.stress}`);
  await assert.rejects(new Sammon({ labelWeight: 1 }).fitTransform(X), /labelWeight > 0 needs one label per point \(500\), got none/);
  const copy = Sammon.fromJSON(JSON.parse(JSON.stringify((await new Sammon({ maxIter: 5 }).fit(X)).toJSON())));
  assert.equal(copy.embedding.rows, 500);
});

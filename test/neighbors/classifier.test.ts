// KNeighborsClassifier: against a brute-force reference (every distance, a full sort, the documented vote), against
// scikit-learn's predictions (fixture of test/fixtures/linear/make_logistic_fixtures.py), ties, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { KNeighborsClassifier } from "../../src/neighbors/classifier.js";
import { randn } from "../helpers.js";

interface KnnCase { data: string; metric: "euclidean" | "cosine"; k: number; predict: number[]; neighbors: number[][]; tied: boolean[]; score: number }
const FIXTURES = JSON.parse(readFileSync(fileURLToPath(new URL("../../../test/fixtures/linear/knn.json", import.meta.url)), "utf8")) as {
  datasets: Record<string, { train: number[][]; trainLabels: number[]; test: number[][]; testLabels: number[] }>;
  cases: KnnCase[];
};

/** The documented rule by brute force: most votes, then the smallest distance sum, then the nearest. */
function reference(X: Matrix, y: number[], Q: Matrix, k: number, metric: "euclidean" | "cosine"): number[] {
  const dist = (a: Float32Array | Float64Array, b: Float32Array | Float64Array): number => {
    let s = 0, na = 0, nb = 0, dot = 0;
    for (let j = 0; j < a.length; j++) {
      s += (a[j]! - b[j]!) ** 2;
      dot += a[j]! * b[j]!;
      na += a[j]! ** 2;
      nb += b[j]! ** 2;
    }
    return metric === "euclidean" ? Math.sqrt(s) : 1 - dot / Math.sqrt(na * nb);
  };
  const out: number[] = [];
  for (let i = 0; i < Q.rows; i++) {
    const order = Array.from({ length: X.rows }, (_, j) => ({ j, d: dist(Q.row(i), X.row(j)) })).sort((a, b) => a.d - b.d || a.j - b.j).slice(0, k);
    const stats = new Map<number, { votes: number; sum: number; first: number }>();
    order.forEach(({ j, d }, r) => {
      const s = stats.get(y[j]!) ?? { votes: 0, sum: 0, first: r };
      s.votes++;
      s.sum += d;
      stats.set(y[j]!, s);
    });
    const best = [...stats.entries()].sort(([, a], [, b]) => b.votes - a.votes || a.sum - b.sum || a.first - b.first)[0]!;
    out.push(best[0]);
  }
  return out;
}

test("KNeighborsClassifier matches a brute-force vote (euclidean and cosine, k = 1, 4, 7)", async () => {
  const rng = new Random(3);
  const X = randn(300, 6, 11);
  const Q = randn(80, 6, 12);
  // labels by region, with noise, over 4 classes (so ties happen for even k)
  const label = (r: Float32Array | Float64Array): number => (r[0]! > 0 ? 1 : 0) + (r[1]! > 0 ? 2 : 0);
  const y = Array.from({ length: X.rows }, (_, i) => (rng.uniform() < 0.2 ? rng.int(4) : label(X.row(i))));
  for (const metric of ["euclidean", "cosine"] as const) {
    for (const k of [1, 4, 7]) {
      const knn = await new KNeighborsClassifier({ k, metric }).fit(X, y);
      assert.deepEqual(knn.predict(Q), reference(X, y, Q, k, metric), `${metric} k=${k}`);
    }
  }
  const knn = await new KNeighborsClassifier({ k: 5 }).fit(X, y);
  const truth = Array.from({ length: Q.rows }, (_, i) => label(Q.row(i)));
  assert.ok(knn.score(Q, truth) > 0.7, `accuracy ${knn.score(Q, truth)} on the noise-free regions`);
});

test("KNeighborsClassifier agrees with scikit-learn's predictions (untied votes) on wine and noisy digits", async () => {
  let compared = 0;
  for (const c of FIXTURES.cases) {
    const d = FIXTURES.datasets[c.data]!;
    const X = Matrix.fromArray(d.train, "float64");
    const Q = Matrix.fromArray(d.test, "float64");
    const knn = await new KNeighborsClassifier({ k: c.k, metric: c.metric }).fit(X, d.trainLabels);
    const pred = knn.predict(Q);
    const ref = reference(X, d.trainLabels, Q, c.k, c.metric);
    for (let i = 0; i < pred.length; i++) {
      // a tied vote: scikit-learn takes the smallest label, we the closer one (checked against the reference)
      if (c.tied[i]) assert.equal(pred[i], ref[i]);
      else {
        assert.equal(pred[i], c.predict[i], `${c.data} ${c.metric} k=${c.k} row ${i}`);
        compared++;
      }
    }
    const untiedScore = knn.score(Q, d.testLabels);
    assert.ok(Math.abs(untiedScore - c.score) <= c.tied.filter(Boolean).length / pred.length + 1e-12);
  }
  assert.ok(compared > 600);
});

test("ties go to the label whose neighbours are closer in sum, then to the nearest", async () => {
  // query at 0: neighbours at 1 (a), -1.5 (b), 2 (b), -2.2 (a): 2 votes each; sums a 3.2, b 3.5 → a
  const X = [[1], [-1.5], [2], [-2.2], [50]];
  const knn = await new KNeighborsClassifier({ k: 4 }).fit(X, ["a", "b", "b", "a", "c"]);
  assert.deepEqual(knn.predict([[0]]), ["a"]);
  // equal sums (1 + 3 = 2 + 2): the nearest neighbour's label wins, whatever the label names
  for (const [near, far] of [["x", "y"], ["y", "x"]] as const) {
    const m = await new KNeighborsClassifier({ k: 4 }).fit([[1], [2], [-2], [3]], [near, far, far, near]);
    assert.deepEqual(m.predict([[0]]), [near]);
  }
});

test("KNeighborsClassifier: round trip and errors", async () => {
  const X = [[0, 0], [1, 0], [0, 1], [5, 5]];
  const knn = await new KNeighborsClassifier({ k: 3, metric: "cosine" }).fit(X, [1, 1, 2, 2]);
  const copy = KNeighborsClassifier.fromJSON(JSON.parse(JSON.stringify(knn.toJSON())));
  assert.deepEqual(copy.predict([[1, 1], [0.1, 2]]), knn.predict([[1, 1], [0.1, 2]]));
  await assert.rejects(new KNeighborsClassifier({ k: 5 }).fit(X, [1, 1, 2, 2]), /k=5 neighbours requested, but only 4 training rows/);
  await assert.rejects(new KNeighborsClassifier().fit(X, [1, 2]), /y has 2 labels, but X has 4 rows/);
  assert.throws(() => new KNeighborsClassifier({ metric: "manhattan" as never }), /metric must be "euclidean" or "cosine", got "manhattan"/);
  assert.throws(() => new KNeighborsClassifier({ k: 0 }), /k must be an integer >= 1, got 0/);
  assert.throws(() => new KNeighborsClassifier().predict(X), /not fitted yet/);
  assert.throws(() => knn.predict([[1, 2, 3]]), /X has 3 features, but this KNeighborsClassifier was fitted with 2/);
  const json = JSON.parse(JSON.stringify(knn.toJSON()));
  assert.throws(() => KNeighborsClassifier.fromJSON({ ...json, labels: [0, 0, 1, 7] }), /labels\[3\] is 7: expected a class index in \[0, 1\]/);
  // fit keeps its own copy of a Matrix
  const M = Matrix.fromArray(X);
  const m = await new KNeighborsClassifier({ k: 1 }).fit(M, [1, 1, 2, 2]);
  M.data.fill(0);
  assert.deepEqual(m.predict([[5, 4]]), [2]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Matrix } from "../../src/core/matrix.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { randn } from "../helpers.js";

function brute(X: Matrix, k: number, cosine = false): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.rows; i++) {
    const d: Array<[number, number]> = [];
    for (let j = 0; j < X.rows; j++) {
      if (j === i) continue;
      let s = 0, ni = 0, nj = 0;
      for (let a = 0; a < X.cols; a++) {
        s += cosine ? X.get(i, a) * X.get(j, a) : (X.get(i, a) - X.get(j, a)) ** 2;
        ni += X.get(i, a) ** 2;
        nj += X.get(j, a) ** 2;
      }
      d.push([cosine ? 1 - s / Math.sqrt(ni * nj) : Math.sqrt(s), j]);
    }
    d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(d.slice(0, k).map((p) => p[1]));
  }
  return out;
}

for (const metric of ["euclidean", "cosine"] as const) {
  test(`exact kNN (${metric}) equals brute force, across block boundaries`, () => {
    const X = randn(300, 12, 4, "float32");
    const g = exactKnn(X, 7, { metric, blockSize: 64 });
    const ref = brute(X, 7, metric === "cosine");
    let same = 0;
    for (let i = 0; i < 300; i++) for (let t = 0; t < 7; t++) if (g.indices[i * 7 + t] === ref[i]![t]) same++;
    assert.ok(same / (300 * 7) > 0.995, `${same}`); // float32 distances may swap near-ties
    for (let i = 0; i < 300; i++) for (let t = 1; t < 7; t++) assert.ok(g.distances[i * 7 + t]! >= g.distances[i * 7 + t - 1]!);
    // the reported distance is the true one
    const j = g.indices[0]!;
    let s = 0, n0 = 0, nj = 0;
    for (let a = 0; a < 12; a++) {
      s += metric === "cosine" ? X.get(0, a) * X.get(j, a) : (X.get(0, a) - X.get(j, a)) ** 2;
      n0 += X.get(0, a) ** 2;
      nj += X.get(j, a) ** 2;
    }
    const d = metric === "cosine" ? 1 - s / Math.sqrt(n0 * nj) : Math.sqrt(s);
    assert.ok(Math.abs(g.distances[0]! - d) < 1e-3);
  });
}

test("exact kNN with separate queries, and clear errors", () => {
  const X = Matrix.fromArray([[0, 0], [1, 0], [0, 2], [5, 5]]);
  const g = exactKnn(X, 2, { query: [[0.9, 0.1]] });
  assert.deepEqual(Array.from(g.indices), [1, 0]);
  assert.throws(() => exactKnn(X, 4), /k=4 neighbours requested, but only 3 other points exist/);
  assert.throws(() => exactKnn(X, 1, { query: [[1, 2, 3]] }), /query has 3 features, the data has 2/);
  assert.throws(() => exactKnn(X, 1, { metric: "manhattan" as never }), /"manhattan"/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { precisionAtK, precisionWithinRadius } from "../../src/metrics/retrieval.js";
import { HammingIndex, packBits, type BinaryCodes } from "../../src/neighbors/hamming.js";
import { refuses } from "../helpers.js";

/** Codes from bit strings ("0110": bit 0 first). */
function codesOf(...s: string[]): BinaryCodes {
  return packBits(s.map((r) => [...r].map(Number)), 0.5);
}

// a database of 6 four-bit codes; query 0 is 0000, query 1 is 1111
const DB = codesOf("0000", "1000", "1100", "0001", "1110", "1111");
const DB_LABELS = ["a", "b", "a", "a", "b", "b"];
const Q = codesOf("0000", "1111");
const Q_LABELS = ["a", "b"];

test("precisionAtK on a hand example: ties in database order, or their expectation", () => {
  // query 0000: distances 0,1,2,1,3,4 → ranking 0(a) 1(b) 3(a) 2(a) 4(b) 5(b)
  // query 1111: distances 4,3,2,3,1,0 → ranking 5(b) 4(b) 2(a) 1(b) 3(a) 0(a)
  assert.equal(precisionAtK(DB, Q, DB_LABELS, Q_LABELS, 1), 1);
  assert.equal(precisionAtK(DB, Q, DB_LABELS, Q_LABELS, 2), (1 / 2 + 2 / 2) / 2);
  assert.equal(precisionAtK(DB, Q, DB_LABELS, Q_LABELS, 3), (2 / 3 + 2 / 3) / 2);
  assert.equal(precisionAtK(DB, Q, DB_LABELS, Q_LABELS, 6), (3 / 6 + 3 / 6) / 2);
  // k = 2 for query 0: item 0 (a) then one of the tie {1 (b), 3 (a)} at distance 1: expected 1/2 relevant
  const index = new HammingIndex(DB);
  const avg = precisionAtK(index, Q, DB_LABELS, Q_LABELS, 2, { ties: "average" });
  assert.equal(avg, ((1 + 0.5) / 2 + 1) / 2);
  // query 1111 at k = 4: 5, 4, 2 then the tie {1 (b), 3 (a)} at distance 3: 2 + 0 + 0.5 over 4
  assert.equal(precisionAtK(index, codesOf("1111"), DB_LABELS, ["b"], 4, { ties: "average" }), 2.5 / 4);
  assert.equal(precisionAtK(index, codesOf("1111"), DB_LABELS, ["b"], 4), 3 / 4);
  // numeric labels work the same
  assert.equal(precisionAtK(DB, Q, [0, 1, 0, 0, 1, 1], Int32Array.from([0, 1]), 3), 2 / 3);
});

test("precisionWithinRadius on a hand example: empty balls are counted apart", () => {
  // radius 0: query 0000 finds item 0 (a): 1; 1111 finds item 5 (b): 1
  let r = precisionWithinRadius(DB, Q, DB_LABELS, Q_LABELS, 0);
  assert.deepEqual(r, { precision: 1, precisionCountingEmpty: 1, emptyFraction: 0, meanRetrieved: 1 });
  // radius 1: 0000 → {0 a, 1 b, 3 a}: 2/3; 1111 → {5 b, 4 b}: 1
  r = precisionWithinRadius(DB, Q, DB_LABELS, Q_LABELS, 1);
  assert.equal(r.precision, (2 / 3 + 1) / 2);
  assert.equal(r.meanRetrieved, 2.5);
  // a query far from everything: 0111 is at distance ≥ 1 from all; at radius 0 its ball is empty
  r = precisionWithinRadius(DB, codesOf("0000", "0110"), DB_LABELS, ["b", "a"], 0);
  assert.equal(r.precision, 0);
  assert.equal(r.emptyFraction, 0.5);
  assert.equal(r.precisionCountingEmpty, 0);
  r = precisionWithinRadius(DB, codesOf("0110"), DB_LABELS, ["a"], 0);
  assert.ok(Number.isNaN(r.precision));
  assert.equal(r.emptyFraction, 1);
  // radius 2 around 0110: items 0 (a, d=2), 2 (a, d=2), 4 (b, d=1), 5 (b, d=2)... 1000 is at 3
  r = precisionWithinRadius(DB, codesOf("0110"), DB_LABELS, ["a"], 2);
  assert.equal(r.meanRetrieved, 4);
  assert.equal(r.precision, 2 / 4);
});

test("the metrics agree with a brute-force computation on random codes", () => {
  const rng = new Random(2);
  const rows = (n: number): number[][] => Array.from({ length: n }, () => Array.from({ length: 12 }, () => (rng.uniform() < 0.3 ? 1 : 0)));
  const dbRows = rows(300), qRows = rows(40);
  const dbl = dbRows.map(() => rng.int(3)), ql = qRows.map(() => rng.int(3));
  const db = packBits(dbRows, 0.5), q = packBits(qRows, 0.5);
  const dist = (a: number[], b: number[]): number => a.reduce((s, x, k) => s + (x !== b[k] ? 1 : 0), 0);
  for (const k of [1, 10, 50]) {
    let want = 0;
    for (let i = 0; i < qRows.length; i++) {
      const order = dbRows.map((r, j) => ({ j, d: dist(r, qRows[i]!) })).sort((a, b) => a.d - b.d || a.j - b.j).slice(0, k);
      want += order.filter((o) => dbl[o.j] === ql[i]).length / k;
    }
    assert.ok(Math.abs(precisionAtK(db, q, dbl, ql, k) - want / qRows.length) < 1e-12);
    // the tie-averaged precision is the mean over random orders of the ties: close to a Monte Carlo estimate
    const avg = precisionAtK(db, q, dbl, ql, k, { ties: "average" });
    let mc = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const perm = rng.shuffle(Int32Array.from(dbRows.keys()));
      const rank = new Int32Array(perm.length);
      perm.forEach((j, p) => { rank[j] = p; });
      for (let i = 0; i < qRows.length; i++) {
        const order = dbRows.map((r, j) => ({ j, d: dist(r, qRows[i]!) })).sort((a, b) => a.d - b.d || rank[a.j]! - rank[b.j]!).slice(0, k);
        mc += order.filter((o) => dbl[o.j] === ql[i]).length / k / qRows.length / trials;
      }
    }
    assert.ok(Math.abs(avg - mc) < 0.01, `k ${k}: tie-averaged ${avg}, Monte Carlo ${mc}`);
  }
});

test("the retrieval metrics refuse mismatched inputs with one line", async () => {
  await refuses(() => precisionAtK(DB, Q, DB_LABELS, Q_LABELS, 0), /^precisionAtK: k must be an integer in \[1, 6\] \(the database size\), got 0$/);
  await refuses(() => precisionAtK(DB, Q, DB_LABELS.slice(1), Q_LABELS, 2), /^databaseLabels has 5 labels, expected 6 \(one per code\)$/);
  await refuses(() => precisionAtK(DB, Q, DB_LABELS, ["a"], 2), /^queryLabels has 1 labels, expected 2/);
  await refuses(() => precisionAtK(DB, codesOf("000"), DB_LABELS, ["a"], 2), /^queries have 3 bits, but this index's codes have 4$/);
  await refuses(() => precisionAtK(DB, Q, DB_LABELS, Q_LABELS, 2, { ties: "random" as "index" }), /ties must be "index" or "average", got "random"/);
  await refuses(() => precisionWithinRadius(DB, Q, DB_LABELS, Q_LABELS, -1), /^precisionWithinRadius: the radius must be an integer >= 0, got -1$/);
});

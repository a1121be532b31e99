import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import {
  HammingIndex, RandomHyperplaneLSH, bitBalance, hammingDistance, medianThresholdCodes, medianThresholds, packBits, popcount32,
  selectCodes, unpackBits, wordsPerCode, type BinaryCodes,
} from "../../src/neighbors/hamming.js";
import { randn, refuses } from "../helpers.js";

/** n random codes of b bits, bit j on with probability p (so distances spread and tie). */
function randomBits(n: number, b: number, seed: number, p = 0.5): Matrix {
  const rng = new Random(seed);
  const M = Matrix.zeros(n, b, "float32");
  for (let i = 0; i < M.data.length; i++) M.data[i] = rng.uniform() < p ? 1 : 0;
  return M;
}

/** Hamming distance from the 0/1 rows, by the definition. */
function naiveDistance(A: Matrix, i: number, B: Matrix, j: number): number {
  let d = 0;
  for (let k = 0; k < A.cols; k++) if (A.get(i, k) !== B.get(j, k)) d++;
  return d;
}

/** All items ordered by (distance, index), by the definition. */
function bruteRanking(db: Matrix, q: Matrix, qi: number): { i: number; d: number }[] {
  const all = Array.from({ length: db.rows }, (_, i) => ({ i, d: naiveDistance(db, i, q, qi) }));
  return all.sort((a, b) => a.d - b.d || a.i - b.i);
}

test("popcount32 and packBits/unpackBits against the definition, for widths around the word boundaries", () => {
  const rng = new Random(1);
  for (let t = 0; t < 2000; t++) {
    const x = rng.nextUint32();
    let c = 0;
    for (let k = 0; k < 32; k++) c += (x >>> k) & 1;
    assert.equal(popcount32(x), c);
  }
  assert.equal(popcount32(0xffffffff), 32);
  assert.equal(popcount32(0), 0);
  for (const b of [1, 31, 32, 33, 64, 65, 100]) {
    const M = randomBits(37, b, b);
    const codes = packBits(M, 0.5);
    assert.equal(codes.n, 37);
    assert.equal(codes.bits, b);
    assert.equal(codes.words.length, 37 * wordsPerCode(b));
    assert.deepEqual(Array.from(unpackBits(codes).data), Array.from(M.data));
    for (let i = 0; i < 10; i++) assert.equal(hammingDistance(codes, i, codes, 36 - i), naiveDistance(M, i, M, 36 - i));
    // bits beyond `bits` in the last word stay zero
    const W = wordsPerCode(b);
    if (b % 32) for (let i = 0; i < 37; i++) assert.equal(codes.words[i * W + W - 1]! >>> (b % 32), 0);
  }
  // a per-column threshold; the bit is on strictly above it
  const c = packBits([[0.2, 5, -1], [0.3, 4, -1]], [0.25, 4, -1]);
  assert.deepEqual(Array.from(unpackBits(c).data), [0, 1, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(bitBalance(c)), [0.5, 0.5, 0]);
  assert.deepEqual(Array.from(unpackBits(selectCodes(c, [1, 1, 0])).data), [1, 0, 0, 1, 0, 0, 0, 1, 0]);
});

test("HammingIndex.search and searchBatch agree with a brute-force ranking (ties broken by index), at 13, 32, 64 and 96 bits", () => {
  for (const b of [13, 32, 64, 96]) {
    // biased bits make near duplicates and many ties
    const db = randomBits(500, b, 10 + b, 0.15);
    const q = randomBits(20, b, 20 + b, 0.15);
    const index = new HammingIndex(packBits(db, 0.5));
    const queries = packBits(q, 0.5);
    const W = wordsPerCode(b);
    for (const k of [1, 7, 100, 500]) {
      const batch = index.searchBatch(queries, k);
      assert.equal(batch.indices.length, 20 * k);
      for (let qi = 0; qi < 20; qi++) {
        const want = bruteRanking(db, q, qi).slice(0, k);
        const one = index.search(queries.words.subarray(qi * W, qi * W + W), k);
        assert.deepEqual(Array.from(one.indices), want.map((h) => h.i), `bits ${b}, k ${k}, query ${qi}`);
        assert.deepEqual(Array.from(one.distances), want.map((h) => h.d));
        assert.deepEqual(Array.from(batch.indices.subarray(qi * k, (qi + 1) * k)), want.map((h) => h.i));
        assert.deepEqual(Array.from(batch.distances.subarray(qi * k, (qi + 1) * k)), want.map((h) => h.d));
      }
    }
    // an item of the index as the query finds itself (or an identical code before it) at distance 0
    const self = index.search(42, 5);
    assert.equal(self.distances[0], 0);
    assert.ok(self.indices[0]! <= 42);
    assert.equal(index.hamming(3, 4), naiveDistance(db, 3, db, 4));
  }
});

test("HammingIndex.withinRadius returns exactly the Hamming ball, sorted; the batch form agrees", () => {
  const b = 24;
  const db = randomBits(800, b, 3, 0.2);
  const q = randomBits(15, b, 4, 0.2);
  const index = new HammingIndex(packBits(db, 0.5));
  const queries = packBits(q, 0.5);
  for (const r of [0, 1, 2, 3, 5, 24, 100]) {
    const balls = index.withinRadiusBatch(queries, r);
    assert.equal(balls.offsets.length, 16);
    for (let qi = 0; qi < 15; qi++) {
      const want = bruteRanking(db, q, qi).filter((h) => h.d <= r);
      const got = index.withinRadius(queries.words.subarray(qi, qi + 1), r);
      assert.deepEqual(Array.from(got.indices), want.map((h) => h.i), `radius ${r}, query ${qi}`);
      assert.deepEqual(Array.from(got.distances), want.map((h) => h.d));
      assert.deepEqual(Array.from(balls.indices.subarray(balls.offsets[qi]!, balls.offsets[qi + 1]!)), want.map((h) => h.i));
    }
  }
  // radius r around an item contains the item
  assert.ok(Array.from(index.withinRadius(17, 0).indices).includes(17));
});

test("HammingIndex refuses bad queries, k and radius with one line naming them", async () => {
  const codes = packBits(randomBits(10, 40, 1), 0.5);
  const index = new HammingIndex(codes);
  await refuses(() => index.search(0, 0), /^HammingIndex: k must be an integer in \[1, 10\] \(the number of items\), got 0$/);
  await refuses(() => index.search(0, 11), /k must be an integer in \[1, 10\]/);
  await refuses(() => index.search(10, 3), /query = 10 is not an item index in \[0, 10\)/);
  await refuses(() => index.search(new Uint32Array(1), 3), /a query must be an item index or a Uint32Array of 2 words \(one 40-bit code\)/);
  await refuses(() => index.withinRadius(0, -1), /the radius must be an integer >= 0, got -1/);
  await refuses(() => index.withinRadius(0, 1.5), /the radius must be an integer >= 0, got 1.5/);
  await refuses(() => index.searchBatch(packBits(randomBits(3, 32, 2), 0.5), 2), /^queries have 32 bits, but this index's codes have 40$/);
  await refuses(() => new HammingIndex({ n: 3, bits: 40, words: new Uint32Array(5) }), /codes.words has 5 words, expected n·ceil\(bits\/32\) = 3·2 = 6/);
  await refuses(() => packBits([[1, 2]], [0]), /^packBits: threshold must be a number or one per column \(2\)/);
  await refuses(() => packBits([[1, NaN]], 0), /^Z\[0\]\[1\] is NaN/);
});

test("RandomHyperplaneLSH: two vectors at angle θ share a bit with probability 1 − θ/π (statistical, 4096 hyperplanes)", async () => {
  const d = 20;
  const rng = new Random(5);
  // pairs (u, v) at known angles, around the origin (center false) and, shifted, around their mean (center true)
  const angles = [0.1, 0.5, 1, Math.PI / 2, 2.5];
  const rows: number[][] = [];
  const u = Array.from({ length: d }, () => rng.normal());
  const nu = Math.hypot(...u);
  const e1 = u.map((x) => x / nu);
  // a unit vector orthogonal to e1
  const w = Array.from({ length: d }, () => rng.normal());
  const dot = w.reduce((s, x, k) => s + x * e1[k]!, 0);
  const o = w.map((x, k) => x - dot * e1[k]!);
  const no = Math.hypot(...o);
  const e2 = o.map((x) => x / no);
  rows.push(e1);
  for (const t of angles) rows.push(e1.map((x, k) => Math.cos(t) * x + Math.sin(t) * e2[k]!));
  const bits = 4096;
  const lsh = await new RandomHyperplaneLSH({ bits, center: false, seed: 3 }).fit(rows);
  const codes = lsh.codes(rows);
  angles.forEach((t, a) => {
    const agree = 1 - hammingDistance(codes, 0, codes, a + 1) / bits;
    const p = 1 - t / Math.PI;
    // binomial std over 4096 planes is at most 0.0078: 4 std
    assert.ok(Math.abs(agree - p) < 0.032, `angle ${t}: agreement ${agree}, expected ${p}`);
  });
  // with center true, the hyperplanes pass through the training mean: shifting everything changes nothing
  const shift = rows.map((r) => r.map((x) => x + 10));
  const c1 = (await new RandomHyperplaneLSH({ bits: 64, seed: 3 }).fit(rows)).codes(rows);
  const c2 = (await new RandomHyperplaneLSH({ bits: 64, seed: 3 }).fit(shift)).codes(shift);
  assert.deepEqual(Array.from(c1.words), Array.from(c2.words));
  // codes are the signs of transform
  const P = lsh.transform(rows);
  assert.deepEqual(Array.from(packBits(P, 0).words), Array.from(codes.words));
  // JSON round trip
  const json = JSON.parse(JSON.stringify(lsh.toJSON()));
  const back = RandomHyperplaneLSH.fromJSON(json);
  assert.deepEqual(Array.from(back.codes(rows).words), Array.from(codes.words));
  assert.deepEqual(back.getParams(), lsh.getParams());
  await refuses(() => RandomHyperplaneLSH.fromJSON({ ...json, planes: json.planes.slice(1) }), /^RandomHyperplaneLSH.planes: 81919 values, expected 81920 \(bits x nFeatures\)$/);
  await refuses(() => RandomHyperplaneLSH.fromJSON({ ...json, nFeatures: 3 }), /^RandomHyperplaneLSH.nFeatures is 3 but the saved mean has 20 values$/);
  await refuses(() => RandomHyperplaneLSH.fromJSON({ ...json, mean: [...json.mean.slice(1), "x"] }), /^RandomHyperplaneLSH.mean\[19\] is "x"/);
  await refuses(() => new RandomHyperplaneLSH({ bits: 0 }), /^bits must be an integer in \[1, 65535\], got 0$/);
  await refuses(() => new RandomHyperplaneLSH().codes(rows), /not fitted yet/);
  await refuses(() => lsh.codes([[1, 2]]), /X has 2 features, but this RandomHyperplaneLSH was fitted with 20/);
});

test("medianThresholdCodes: every bit on for half the training rows; the training thresholds apply to new rows", () => {
  const Z = randn(1001, 16, 4);
  // skewed columns: the median, not zero, balances them
  for (let i = 0; i < Z.data.length; i++) Z.data[i] = Math.exp(Z.data[i]!);
  const t = medianThresholds(Z);
  const codes = medianThresholdCodes(Z);
  for (const f of bitBalance(codes)) assert.ok(Math.abs(f - 500 / 1001) < 1e-12, `${f}`);
  assert.deepEqual(Array.from(codes.words), Array.from(medianThresholdCodes(Z, t).words));
  const fresh = randn(5, 16, 9);
  const c: BinaryCodes = medianThresholdCodes(fresh, t);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 16; j++) assert.equal((c.words[i]! >>> j) & 1, fresh.get(i, j) > t[j]! ? 1 : 0);
  }
  assert.deepEqual(Array.from(medianThresholds([[1], [3], [2], [10]])), [2.5]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Random } from "../../src/core/random.js";
import { sortPairs, topK } from "../../src/core/numeric.js";

test("same seed, same stream; different seed, different stream", () => {
  const a = new Random(7);
  const b = new Random(7);
  const c = new Random(8);
  const xa = Array.from({ length: 10 }, () => a.uniform());
  assert.deepEqual(xa, Array.from({ length: 10 }, () => b.uniform()));
  assert.notDeepEqual(xa, Array.from({ length: 10 }, () => c.uniform()));
});

test("uniform, normal and int have the right moments and ranges", () => {
  const r = new Random(1);
  const N = 200000;
  let su = 0, sn = 0, sn2 = 0;
  const counts = new Array(7).fill(0);
  for (let i = 0; i < N; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
    counts[r.int(7)]++;
  }
  assert.ok(Math.abs(su / N - 0.5) < 0.005);
  assert.ok(Math.abs(sn / N) < 0.01);
  assert.ok(Math.abs(sn2 / N - 1) < 0.015);
  for (const c of counts) assert.ok(Math.abs(c / N - 1 / 7) < 0.005);
});

test("shuffle is a permutation and sample draws distinct indices", () => {
  const r = new Random(3);
  const a = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  const s = r.sample(100, 30);
  assert.equal(new Set(s).size, 30);
});

test("topK: the k largest, best first, ties by index, NaN and skipped indices left out", () => {
  const scores = [0.5, NaN, 2, 0.5, -1, 2, 7, 0.5];
  assert.deepEqual(topK(scores, 4), [6, 2, 5, 0]);
  assert.deepEqual(topK(scores, 3, (i) => i === 6), [2, 5, 0]);
  assert.deepEqual(topK(scores, 0), []);
  assert.deepEqual(topK(scores, 20), [6, 2, 5, 0, 3, 7, 4]);
  const rng = new Random(3);
  const many = Array.from({ length: 500 }, () => Math.round(rng.normal() * 4));
  const expected = many.map((_, i) => i).sort((a, b) => many[b]! - many[a]! || a - b).slice(0, 25);
  assert.deepEqual(topK(many, 25), expected);
});

test("sortPairs: ascending keys, ties by id, pairs kept together", () => {
  const rng = new Random(5);
  const n = 300;
  const key = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 5));
  const id = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const pairs = Array.from(key, (k, i) => [k, id[i]!] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  sortPairs(key, id, n);
  assert.deepEqual(Array.from(key, (k, i) => [k, id[i]!]), pairs.map((p) => [p[0], p[1]]));
});

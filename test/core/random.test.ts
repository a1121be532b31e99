import { test } from "node:test";
import assert from "node:assert/strict";
import { Random } from "../../src/core/random.js";

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

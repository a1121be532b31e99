import { test } from "node:test";
import assert from "node:assert/strict";
import { FFTPlan, isFftSize, nextFftSize } from "../../src/core/fft.js";
import { Random } from "../../src/core/random.js";

function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const r = new Float64Array(n);
  const i = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((t * k) % n)) / n;
      r[k]! += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      i[k]! += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
  }
  return [r, i];
}

test("FFT lengths are the products of powers of 2 and 3", () => {
  assert.deepEqual([1, 2, 3, 4, 6, 9, 12, 5, 10, 7, 0].map(isFftSize), [true, true, true, true, true, true, true, false, false, false, false]);
  assert.equal(nextFftSize(100), 108);
  assert.equal(nextFftSize(97), 108);
  assert.equal(nextFftSize(64), 64);
  assert.throws(() => new FFTPlan(10), /powers of 2 and 3.*10/);
});

test("FFTPlan.forward equals the DFT by definition, for batches stored interleaved and strided", () => {
  const rng = new Random(3);
  for (const n of [1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 27, 32, 48, 54, 64, 96]) {
    const batch = 3;
    const ld = 5;
    const offset = 2;
    const re = new Float64Array(offset + n * ld);
    const im = new Float64Array(offset + n * ld);
    for (let t = 0; t < re.length; t++) {
      re[t] = rng.normal();
      im[t] = rng.normal();
    }
    const want = Array.from({ length: batch }, (_, b) =>
      naiveDft(Float64Array.from({ length: n }, (_, t) => re[offset + t * ld + b]!), Float64Array.from({ length: n }, (_, t) => im[offset + t * ld + b]!)));
    const untouched = re[offset + 4]; // column 4 of the stride is not part of the batch
    new FFTPlan(n).forward(re, im, batch, ld, offset);
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < n; k++) {
        assert.ok(Math.abs(re[offset + k * ld + b]! - want[b]![0][k]!) < 1e-10 * n, `n=${n} b=${b} k=${k}`);
        assert.ok(Math.abs(im[offset + k * ld + b]! - want[b]![1][k]!) < 1e-10 * n);
      }
    }
    if (n > 0) assert.equal(re[offset + 4], untouched);
    // packed batch, in place
    const pr = Float64Array.from({ length: n * 2 }, () => rng.normal());
    const pi = Float64Array.from({ length: n * 2 }, () => rng.normal());
    const w0 = naiveDft(Float64Array.from({ length: n }, (_, t) => pr[2 * t]!), Float64Array.from({ length: n }, (_, t) => pi[2 * t]!));
    new FFTPlan(n).forward(pr, pi, 2);
    for (let k = 0; k < n; k++) assert.ok(Math.abs(pr[2 * k]! - w0[0][k]!) < 1e-10 * n && Math.abs(pi[2 * k]! - w0[1][k]!) < 1e-10 * n);
  }
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { corrupt, corruptInto, formatCorruption, parseCorruption, type Corruption } from "../../src/models/corruption.js";
import { refuses } from "../helpers.js";

const full = (rows: number, cols: number, v: number): Matrix => new Matrix(rows, cols, new Float32Array(rows * cols).fill(v));
const count = (M: Matrix, f: (v: number) => boolean): number => {
  let n = 0;
  for (const v of M.data) if (f(v)) n++;
  return n;
};

test("Gaussian noise: mean and σ of the added noise match, values clipped to [0, 1]", () => {
  // inputs at 0.5 with σ = 0.1: clipping (5σ away) is negligible, so the output is 0.5 + σ·ε
  const X = full(200, 500, 0.5);
  const Y = corrupt(X, { kind: "gaussian", sigma: 0.1 }, new Random(1));
  const n = Y.data.length;
  let s = 0, s2 = 0;
  for (const v of Y.data) {
    s += v - 0.5;
    s2 += (v - 0.5) ** 2;
  }
  const mean = s / n, sd = Math.sqrt(s2 / n - mean * mean);
  // standard errors: σ/√n ≈ 3e-4 for the mean, σ/√(2n) ≈ 2e-4 for the deviation
  assert.ok(Math.abs(mean) < 2e-3, `mean of the noise ${mean}`);
  assert.ok(Math.abs(sd - 0.1) < 2e-3, `σ of the noise ${sd}, expected 0.1`);
  assert.ok(X.data.every((v) => v === 0.5), "the input is unchanged");
  // at 0 with σ = 0.3, half the values fall below 0 and are clipped to exactly 0; the rest stay below 1 but for
  // P(ε > 1/0.3) ≈ 4e-4
  const Z = corrupt(full(200, 500, 0), { kind: "gaussian", sigma: 0.3 }, new Random(2));
  assert.ok(Z.data.every((v) => v >= 0 && v <= 1), "clipped to [0, 1]");
  const zeros = count(Z, (v) => v === 0) / Z.data.length;
  const ones = count(Z, (v) => v === 1) / Z.data.length;
  assert.ok(Math.abs(zeros - 0.5) < 0.01, `fraction clipped to 0: ${zeros}`);
  assert.ok(ones > 1e-4 && ones < 1e-3, `fraction clipped to 1: ${ones}, expected about 4.3e-4`);
});

test("masking noise and salt-and-pepper: the empirical rates match, the other inputs are unchanged", () => {
  const n = 100 * 1000;
  for (const rate of [0.1, 0.5]) {
    const Y = corrupt(full(100, 1000, 0.7), { kind: "mask", rate }, new Random(3));
    const zeros = count(Y, (v) => v === 0) / n;
    // standard error √(p(1−p)/n) ≤ 1.6e-3
    assert.ok(Math.abs(zeros - rate) < 0.008, `masked fraction ${zeros}, expected ${rate}`);
    assert.equal(count(Y, (v) => v === 0 || v === Math.fround(0.7)), n, "every input is either masked or kept");
    const S = corrupt(full(100, 1000, 0.5), { kind: "saltPepper", rate }, new Random(4));
    const pepper = count(S, (v) => v === 0) / n, salt = count(S, (v) => v === 1) / n;
    assert.ok(Math.abs(pepper - rate / 2) < 0.006, `fraction set to 0: ${pepper}, expected ${rate / 2}`);
    assert.ok(Math.abs(salt - rate / 2) < 0.006, `fraction set to 1: ${salt}, expected ${rate / 2}`);
    assert.equal(count(S, (v) => v === 0 || v === 1 || v === 0.5), n);
  }
  // rates 0 and 1
  assert.equal(count(corrupt(full(10, 10, 0.3), { kind: "mask", rate: 0 }, new Random(1)), (v) => v === 0), 0);
  assert.equal(count(corrupt(full(10, 10, 0.3), { kind: "mask", rate: 1 }, new Random(1)), (v) => v === 0), 100);
  // masking is independent across inputs: the masked fractions of the rows spread binomially (variance p(1−p)/d)
  const Y = corrupt(full(2000, 100, 1), { kind: "mask", rate: 0.3 }, new Random(5));
  let v = 0;
  for (let i = 0; i < 2000; i++) v += (count(Y.rowRange(i, i + 1), (x) => x === 0) / 100 - 0.3) ** 2;
  v /= 2000;
  assert.ok(Math.abs(v / (0.3 * 0.7 / 100) - 1) < 0.12, `variance of the per-row masked fraction ${v}, expected ${0.21 / 100}`);
});

test("corruption is reproducible with a seed; corruptInto in place gives what corrupt gives", () => {
  const X = new Matrix(50, 64, Float32Array.from({ length: 50 * 64 }, (_, k) => (k % 17) / 16));
  const kinds: Corruption[] = [
    { kind: "gaussian", sigma: 0.3 }, { kind: "mask", rate: 0.5 }, { kind: "saltPepper", rate: 0.2 }, { kind: "block", size: 3, imageShape: [8, 8] },
  ];
  for (const c of kinds) {
    const a = corrupt(X, c, new Random(7)), b = corrupt(X, c, new Random(7)), other = corrupt(X, c, new Random(8));
    assert.deepEqual(a.data, b.data, `${c.kind}: the same seed`);
    assert.notDeepEqual(a.data, other.data, `${c.kind}: another seed`);
    assert.notDeepEqual(a.data, X.data, `${c.kind}: changes something`);
    const inPlace = X.clone();
    corruptInto(inPlace.data, inPlace.data, 64, c, new Random(7));
    assert.deepEqual(inPlace.data, a.data, `${c.kind}: in place`);
    assert.equal(formatCorruption(c), { gaussian: "gaussian:0.3", mask: "mask:0.5", saltPepper: "salt-pepper:0.2", block: "block:3" }[c.kind]);
    assert.deepEqual(parseCorruption(formatCorruption(c), [8, 8]), c);
  }
  // float64 matrices stay float64; arrays of rows are read
  assert.equal(corrupt(X.astype("float64"), kinds[0]!, new Random(1)).dtype, "float64");
  assert.equal(corrupt([[0.5, 0.5], [0.5, 0.5]], { kind: "mask", rate: 1 }, new Random(1)).data.every((v) => v === 0), true);
});

test("a missing block: exactly size×size zeros, inside the image, at uniformly random positions, in every channel", () => {
  const n = 3000, h = 28, w = 28, size = 10;
  const Y = corrupt(full(n, h * w, 1), parseCorruption("block:10", [h, w]), new Random(9));
  const corners: number[][] = [];
  for (let i = 0; i < n; i++) {
    let y0 = h, x0 = w, y1 = -1, x1 = -1, zeros = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (Y.data[i * h * w + y * w + x] === 0) {
          zeros++;
          y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        }
      }
    }
    // 100 zeros whose bounding box is 10×10: the block is the whole box, and it is inside the image
    assert.equal(zeros, size * size, `row ${i}`);
    assert.equal(y1 - y0 + 1, size);
    assert.equal(x1 - x0 + 1, size);
    corners.push([y0, x0]);
  }
  // each corner coordinate is uniform on 0…18: every value is met, with mean 9 and variance (19² − 1)/12 = 30
  for (const axis of [0, 1]) {
    const vals = corners.map((c) => c[axis]!);
    assert.equal(new Set(vals).size, h - size + 1);
    const mean = vals.reduce((a, b) => a + b, 0) / n;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    assert.ok(Math.abs(mean - 9) < 0.5, `mean corner ${mean}`);
    assert.ok(Math.abs(variance - 30) < 3, `variance of the corner ${variance}`);
  }
  // channel-major [c, h, w] images: the same block in every channel
  const C = corrupt(full(20, 3 * 6 * 5, 0.5), parseCorruption("block:4", [3, 6, 5]), new Random(1));
  for (let i = 0; i < 20; i++) {
    const planes = [0, 1, 2].map((q) => Array.from(C.data.subarray(i * 90 + q * 30, i * 90 + q * 30 + 30), (v) => v === 0));
    assert.equal(planes[0]!.filter(Boolean).length, 16);
    assert.deepEqual(planes[1], planes[0]);
    assert.deepEqual(planes[2], planes[0]);
  }
  // a block as large as the image blanks it
  assert.ok(corrupt(full(3, 16, 1), { kind: "block", size: 4, imageShape: [4, 4] }, new Random(1)).data.every((v) => v === 0));
});

test("parseCorruption reads the text forms and refuses bad ones with a line naming the text", async () => {
  assert.deepEqual(parseCorruption("gaussian:0.3"), { kind: "gaussian", sigma: 0.3 });
  assert.deepEqual(parseCorruption("mask:0.5"), { kind: "mask", rate: 0.5 });
  assert.deepEqual(parseCorruption("salt-pepper:0.2"), { kind: "saltPepper", rate: 0.2 });
  assert.deepEqual(parseCorruption("saltPepper:.2"), { kind: "saltPepper", rate: 0.2 });
  assert.deepEqual(parseCorruption(" Gaussian: 1e-1 "), { kind: "gaussian", sigma: 0.1 });
  assert.deepEqual(parseCorruption("block:10", [28, 28]), { kind: "block", size: 10, imageShape: [28, 28] });
  assert.deepEqual(parseCorruption("block:2", [1, 28, 28]), { kind: "block", size: 2, imageShape: [1, 28, 28] });
  await refuses(() => parseCorruption("gaussian"), /^corruption "gaussian" is not of the form "gaussian:σ", "mask:rate", "salt-pepper:rate" or "block:size"/);
  await refuses(() => parseCorruption("gaussian:-0.3"), /^corruption "gaussian:-0.3": sigma must be a number >= 0 after "gaussian:"/);
  await refuses(() => parseCorruption("gaussian:abc"), /sigma must be a number >= 0/);
  await refuses(() => parseCorruption("mask:1.5"), /^corruption "mask:1.5": the masking rate must be a number in \[0, 1\]/);
  await refuses(() => parseCorruption("salt-pepper:0x1"), /the salt-and-pepper rate must be a number in \[0, 1\]/);
  await refuses(() => parseCorruption("blur:3", undefined, "--noise"), /^--noise "blur:3": unknown corruption "blur": expected "gaussian:σ"/);
  await refuses(() => parseCorruption("block:10"), /^corruption "block:10": a missing block needs the image shape/);
  await refuses(() => parseCorruption("block:2.5", [28, 28]), /the block size must be an integer >= 1 after "block:"/);
  await refuses(() => parseCorruption("block:30", [28, 28]), /the block size must be an integer from 1 to 28 \(the 28x28 image's smaller side\), got 30/);
  await refuses(() => parseCorruption("block:3", [28, 0]), /the image shape must be \[h, w\] or \[c, h, w\]/);
  await refuses(() => parseCorruption(3 as unknown as string), /^corruption must be a string such as "gaussian:0.3"/);
  // corrupt checks its corruption and the block's image size
  await refuses(() => corrupt(full(2, 4, 0), { kind: "gaussian", sigma: NaN }, new Random(1)), /sigma must be a number >= 0, got NaN/);
  await refuses(() => corrupt(full(2, 4, 0), { kind: "mask", rate: 2 }, new Random(1)), /the mask rate must be a number in \[0, 1\], got 2/);
  await refuses(() => corrupt(full(2, 4, 0), { kind: "blur" } as never, new Random(1)), /unknown kind "blur"/);
  await refuses(() => corrupt(full(2, 10, 0), { kind: "block", size: 2, imageShape: [3, 3] }, new Random(1)), /a block corruption for 3x3 images needs rows of 9 values, got 10/);
  await refuses(() => corrupt(full(2, 4, 0), { kind: "mask", rate: 0.1 }, 7 as never), /rng must be a Random/);
});

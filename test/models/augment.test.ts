// Image augmentation (src/models/augment.ts): warpImage moves pixels exactly as its parameters say, flips and
// rotations are the index permutations they should be, and augmentImages draws every allowed shift.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { augmentImages, augments, warpImage, type Warp } from "../../src/models/augment.js";
import { refuses } from "../helpers.js";

/** n random images of [c, h, w] with values in [lo, hi]. */
function images(n: number, shape: [number, number, number], seed = 1, lo = 0, hi = 1): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n * shape[0] * shape[1] * shape[2] }, () => lo + (hi - lo) * rng.uniform());
}

function warp(src: Float32Array, shape: [number, number, number], w: Partial<Warp>): Float32Array {
  const dst = new Float32Array(src.length).fill(NaN);
  warpImage(src, dst, 0, shape, { dy: 0, dx: 0, flip: false, angle: 0, ...w });
  return dst;
}

test("a shift by (dy, dx) moves every pixel of every channel exactly, with zeros where the image moved away", () => {
  const shape: [number, number, number] = [2, 5, 7];
  const [c, h, w] = shape;
  const src = images(1, shape);
  for (const [dy, dx] of [[0, 0], [1, 0], [0, -2], [2, 3], [-1, -3], [4, 6], [5, 0]] as const) {
    for (const flip of [false, true]) {
      const out = warp(src, shape, { dy, dx, flip });
      for (let ch = 0; ch < c; ch++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const sy = y - dy, sx0 = x - dx;
            const inside = sy >= 0 && sy < h && sx0 >= 0 && sx0 < w;
            const sx = flip ? w - 1 - sx0 : sx0;
            const want = inside ? src[ch * h * w + sy * w + sx]! : 0;
            assert.equal(out[ch * h * w + y * w + x], want, `dy ${dy}, dx ${dx}, flip ${flip}: pixel (${ch}, ${y}, ${x})`);
          }
        }
      }
    }
  }
});

test("a flip reverses each row; flipping twice is the identity", () => {
  const shape: [number, number, number] = [3, 4, 6];
  const src = images(1, shape, 2);
  const once = warp(src, shape, { flip: true });
  assert.notDeepEqual(Array.from(once), Array.from(src));
  for (let r = 0; r < 12; r++) assert.deepEqual(Array.from(once.subarray(r * 6, r * 6 + 6)), Array.from(src.subarray(r * 6, r * 6 + 6)).reverse());
  assert.deepEqual(Array.from(warp(once, shape, { flip: true })), Array.from(src));
});

test("a rotation by 0 with no shift is the identity; by 90° it is the index permutation out[y][x] = in[w−1−x][y] (clockwise)", () => {
  const shape: [number, number, number] = [2, 6, 6];
  const src = images(1, shape, 3);
  assert.deepEqual(Array.from(warp(src, shape, {})), Array.from(src));
  // a tiny angle goes through the bilinear path, which must also reproduce the image at 0
  const tiny = warp(src, shape, { angle: 1e-9 });
  for (let i = 0; i < src.length; i++) assert.ok(Math.abs(tiny[i]! - src[i]!) < 1e-6, `angle 1e-9°: pixel ${i}`);
  for (const [angle, at] of [
    [90, (y: number, x: number) => [5 - x, y]],
    [-90, (y: number, x: number) => [x, 5 - y]],
    [180, (y: number, x: number) => [5 - y, 5 - x]],
  ] as const) {
    const out = warp(src, shape, { angle });
    for (let ch = 0; ch < 2; ch++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          const [sy, sx] = at(y, x);
          const want = src[ch * 36 + sy! * 6 + sx!]!;
          assert.ok(Math.abs(out[ch * 36 + y * 6 + x]! - want) < 1e-6, `${angle}°: (${ch}, ${y}, ${x}) is ${out[ch * 36 + y * 6 + x]}, expected ${want}`);
        }
      }
    }
  }
  // four quarter turns come back to the image; the top-right corner goes to the bottom-right (clockwise)
  let r = src;
  for (let k = 0; k < 4; k++) r = warp(r, shape, { angle: 90 });
  for (let i = 0; i < src.length; i++) assert.ok(Math.abs(r[i]! - src[i]!) < 1e-5);
  const corner = new Float32Array(36);
  corner[5] = 1;
  assert.equal(Math.round(warp(corner, [1, 6, 6], { angle: 90 })[35]!), 1);
});

test("rotations and shifts keep the values within the input's range (zeros outside it)", () => {
  const shape: [number, number, number] = [1, 9, 9];
  const src = images(1, shape, 4, 0.2, 0.9);
  const rng = new Random(5);
  let interpolated = 0;
  for (let t = 0; t < 50; t++) {
    const out = warp(src, shape, { dy: rng.int(5) - 2, dx: rng.int(5) - 2, flip: rng.uniform() < 0.5, angle: 60 * (rng.uniform() - 0.5) });
    for (const v of out) {
      assert.ok(v >= 0 && v <= 0.9 + 1e-7, `value ${v} outside [0, 0.9]`);
      if (v !== 0 && !src.includes(v)) interpolated++;
    }
  }
  assert.ok(interpolated > 0, "the rotations interpolated");
});

test("augmentImages: each image gets its own shift, drawn uniformly from every (dy, dx) in [−s, s]², channels moved alike", async () => {
  const shape: [number, number, number] = [2, 8, 8];
  const n = 400;
  const src = images(n, shape, 6, 0.1, 1);
  const dst = new Float32Array(src.length);
  const rng = new Random(7);
  augmentImages(src, dst, n, shape, { shift: 2, flip: true, rotate: 0 }, rng);
  const seen = new Map<string, number>();
  const size = 128;
  for (let i = 0; i < n; i++) {
    const one = src.subarray(i * size, (i + 1) * size);
    const got = Array.from(dst.subarray(i * size, (i + 1) * size));
    let match: string | undefined;
    for (let dy = -2; dy <= 2 && !match; dy++) {
      for (let dx = -2; dx <= 2 && !match; dx++) {
        for (const flip of [false, true]) {
          if (JSON.stringify(Array.from(warp(one, shape, { dy, dx, flip }))) === JSON.stringify(got)) match = `${dy},${dx},${flip}`;
        }
      }
    }
    assert.ok(match, `image ${i} is not a shifted (flipped) copy`);
    seen.set(match, (seen.get(match) ?? 0) + 1);
  }
  // 50 (dy, dx, flip) combinations, 8 expected each
  assert.equal(seen.size, 50);
  for (const [k, v] of seen) assert.ok(v >= 1 && v <= 25, `${k} drawn ${v} times of 400`);
  // the same seed gives the same draws; nothing to do when every switch is off
  const again = new Float32Array(src.length);
  augmentImages(src, again, n, shape, { shift: 2, flip: true, rotate: 0 }, new Random(7));
  assert.deepEqual(again, dst);
  assert.equal(augments({ shift: 0, flip: false, rotate: 0 }), false);
  assert.equal(augments({ shift: 0, flip: false, rotate: 5 }), true);
  await refuses(() => augmentImages(src, dst, n + 1, shape, { shift: 1, flip: false, rotate: 0 }, rng), /401 images of 2x8x8 need 51328 values/);
});

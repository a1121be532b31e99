// dropout: in training, zero each element with probability p and scale the rest by 1/(1−p) (inverted dropout);
// identity in eval and for p = 0 (the input itself is returned). The mask is counter-based: two 32-bit seeds drawn
// from the given Random, and element i kept when fmix32(fmix32(i·0x9E3779B9 + seedA) ^ seedB) ≥ ⌊p·2³²⌋, so the same
// Random state gives the same mask on every route (assembly/nn/dropout.ts is the same hash), and backward recomputes
// the mask from the seeds instead of keeping it.
import type { Random } from "../../core/random.js";
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor } from "../tensor.js";

function fmix32(z: number): number {
  z ^= z >>> 16;
  z = Math.imul(z, 0x85ebca6b);
  z ^= z >>> 13;
  z = Math.imul(z, 0xc2b2ae35);
  z ^= z >>> 16;
  return z >>> 0;
}

/** The 32-bit hash that decides element i of a mask (kept when it is ≥ the threshold). */
export function dropoutHash(i: number, seedA: number, seedB: number): number {
  return fmix32(fmix32((Math.imul(i, 0x9e3779b9) + seedA) | 0) ^ seedB);
}

function applyMask(x: Tensor, y: Tensor, seedA: number, seedB: number, threshold: number, scale: number): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0) {
    core.kernels.nnDropout(x.ptr, y.ptr, x.size, seedA, seedB, threshold, scale);
    return;
  }
  const xd: FloatArray = x.data, yd: FloatArray = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = dropoutHash(i, seedA, seedB) >= threshold ? xd[i]! * scale : 0;
}

export function dropout(x: Tensor, p: number, training: boolean, rng: Random): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p < 1)) fail(`dropout: p must be a number in [0, 1), got ${describeValue(p)}`);
  if (typeof training !== "boolean") fail(`dropout: training must be true or false, got ${describeValue(training)}`);
  if (!training || p === 0) return x;
  const seedA = rng.nextUint32(), seedB = rng.nextUint32();
  const threshold = Math.min(Math.floor(p * 4294967296), 4294967295);
  // the kernel multiplies in float32: both routes use the float32 scale
  const scale = x.data instanceof Float64Array ? 1 / (1 - p) : Math.fround(1 / (1 - p));
  const y = Tensor.empty(x.shape);
  applyMask(x, y, seedA, seedB, threshold, scale);
  return record("dropout", [x], y, (g) => {
    const dx = Tensor.empty(x.shape);
    applyMask(g, dx, seedA, seedB, threshold, scale);
    return [dx];
  });
}

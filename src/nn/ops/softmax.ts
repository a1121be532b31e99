// softmax and logSoftmax along an axis (default the last), stable (the maximum along the axis is subtracted first).
// x is seen as [outer, d, inner] around the axis; the kernel (assembly/nn/loss.ts: nnSoftmax) reduces rows with SIMD
// when the axis is the last and runs four neighbouring inner positions per vector otherwise.
// Backward from the saved output y: softmax dx = y ⊙ (g − Σ g⊙y), log softmax dx = g − exp(y)·Σ g, along the axis.
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";

function around(x: Tensor, axis: number, op: string): [number, number, number] {
  const r = x.rank;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) fail(`${op}: axis must be an integer in [${-r}, ${r - 1}] for ${shapeString(x.shape)}, got ${describeValue(axis)}`);
  const a = axis < 0 ? axis + r : axis;
  const d = x.shape[a]!;
  let outer = 1, inner = 1;
  for (let i = 0; i < a; i++) outer *= x.shape[i]!;
  for (let i = a + 1; i < r; i++) inner *= x.shape[i]!;
  return [outer, d, inner];
}

function softmaxTS(x: FloatArray, y: FloatArray, outer: number, d: number, inner: number, lg: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * d * inner + j;
      let m = -Infinity;
      for (let k = 0; k < d; k++) m = Math.max(m, x[base + k * inner]!);
      let s = 0;
      for (let k = 0; k < d; k++) s += Math.exp(x[base + k * inner]! - m);
      if (lg) {
        const lse = m + Math.log(s);
        for (let k = 0; k < d; k++) y[base + k * inner] = x[base + k * inner]! - lse;
      } else {
        for (let k = 0; k < d; k++) y[base + k * inner] = Math.exp(x[base + k * inner]! - m) / s;
      }
    }
  }
}

function softmaxBwdTS(y: FloatArray, g: FloatArray, dx: FloatArray, outer: number, d: number, inner: number, lg: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * d * inner + j;
      let t = 0;
      for (let k = 0; k < d; k++) t += lg ? g[base + k * inner]! : g[base + k * inner]! * y[base + k * inner]!;
      for (let k = 0; k < d; k++) {
        const i = base + k * inner;
        dx[i] = lg ? g[i]! - Math.exp(y[i]!) * t : y[i]! * (g[i]! - t);
      }
    }
  }
}

function softmaxOp(x: Tensor, axis: number, lg: boolean): Tensor {
  const op = lg ? "logSoftmax" : "softmax";
  const [outer, d, inner] = around(x, axis, op);
  const y = Tensor.empty(x.shape);
  const core = nnCore();
  if (d > 0 && outer * inner > 0) {
    if (core && x.ptr >= 0 && y.ptr >= 0) core.kernels.nnSoftmax(x.ptr, y.ptr, outer, d, inner, lg ? 1 : 0);
    else softmaxTS(x.data, y.data, outer, d, inner, lg);
  }
  return record(op, [x], y, (g) => {
    const dx = Tensor.empty(x.shape);
    if (d > 0 && outer * inner > 0) {
      if (core && y.ptr >= 0 && g.ptr >= 0 && dx.ptr >= 0) core.kernels.nnSoftmaxBwd(y.ptr, g.ptr, dx.ptr, outer, d, inner, lg ? 1 : 0);
      else softmaxBwdTS(y.data, g.data, dx.data, outer, d, inner, lg);
    }
    return [dx];
  });
}

/** exp(x − max) / Σ exp(x − max) along `axis` (default the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis, false);
}

/** x − max − log Σ exp(x − max) along `axis` (default the last). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis, true);
}

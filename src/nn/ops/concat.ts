// concat along an axis (negative: from the end): every input has the same shape but on that axis. A copy, in one
// block per input and outer index. Backward: each input's part of the gradient, copied out.
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { Tensor, shapeString } from "../tensor.js";

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0 || !xs.every((x) => x instanceof Tensor)) {
    fail(`concat needs a non-empty array of tensors, got ${describeValue(xs)}`);
  }
  const first = xs[0]!;
  const r = first.rank;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    fail(`concat: axis ${describeValue(axis)} is out of range for rank ${r} (expected an integer in [${-r}, ${r - 1}])`);
  }
  const ax = axis < 0 ? axis + r : axis;
  let total = 0;
  for (const x of xs) {
    const ok = x.rank === r && x.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!ok) {
      fail(`concat along axis ${axis}: shapes ${xs.map((t) => shapeString(t.shape)).join(", ")} differ on an axis other than ${axis}`);
    }
    total += x.shape[ax]!;
  }
  const shape = first.shape.slice();
  shape[ax] = total;
  let outer = 1, inner = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i]!;
  for (let i = ax + 1; i < r; i++) inner *= shape[i]!;
  const y = Tensor.empty(shape);
  const row = total * inner;
  {
    const yd = y.data;
    let at = 0;
    for (const x of xs) {
      const xd = x.data, blk = x.shape[ax]! * inner;
      for (let o = 0; o < outer; o++) yd.set(xd.subarray(o * blk, (o + 1) * blk), o * row + at);
      at += blk;
    }
  }
  return record("concat", xs, y, (g) => {
    const gd = g.data;
    let at = 0;
    return xs.map((x) => {
      const blk = x.shape[ax]! * inner;
      const start = at;
      at += blk;
      if (!x.requiresGrad) return null;
      const dx = Tensor.empty(x.shape);
      const dd = dx.data;
      for (let o = 0; o < outer; o++) dd.set(gd.subarray(o * row + start, o * row + start + blk), o * blk);
      return dx;
    });
  });
}

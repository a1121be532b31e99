// slice: a box of x, begin[i] .. begin[i] + size[i] (size -1: to the end), as a copy in runs of contiguous floats.
// Backward: zeros of x's shape with the gradient in the box.
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { record } from "../autograd.js";
import { Tensor, shapeString, type Shape } from "../tensor.js";

/**
 * Calls copy(outer offset in the box, offset in the full tensor, run length) for every contiguous run of the box
 * `size` at `begin` in `shape` (row-major, in the box's order).
 */
function forEachRun(shape: Shape, begin: readonly number[], size: readonly number[],
  copy: (boxOff: number, fullOff: number, n: number) => void): void {
  const r = shape.length;
  // the innermost axes that are whole join the run
  let d = r - 1;
  let run = 1;
  while (d >= 0 && size[d] === shape[d]) run *= shape[d--]!;
  if (d < 0) {
    copy(0, 0, run);
    return;
  }
  run *= size[d]!;
  const strides = new Array<number>(r);
  let s = 1;
  for (let k = r - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k]!;
  }
  let base = 0;
  for (let k = 0; k < r; k++) base += begin[k]! * strides[k]!;
  let boxTotal = 1;
  for (const v of size) boxTotal *= v;
  if (boxTotal === 0) return;
  const idx = new Array<number>(d).fill(0);
  let off = base;
  for (let boxOff = 0; boxOff < boxTotal; boxOff += run) {
    copy(boxOff, off, run);
    for (let k = d - 1; k >= 0; k--) {
      off += strides[k]!;
      if (++idx[k]! < size[k]!) break;
      idx[k] = 0;
      off -= strides[k]! * size[k]!;
    }
  }
}

export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const r = x.rank;
  const where = `slice of ${shapeString(x.shape)} at ${describeValue(begin)} of size ${describeValue(size)}`;
  if (!Array.isArray(begin) || !Array.isArray(size) || begin.length !== r || size.length !== r) {
    fail(`${where}: begin and size need one integer per axis (${r})`);
  }
  const sz = size.map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
  for (let i = 0; i < r; i++) {
    const b = begin[i]!, s = sz[i]!, n = x.shape[i]!;
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > n) {
      fail(`${where}: axis ${i} asks for [${b}, ${b + s}) of ${n} (expected 0 <= begin <= begin + size <= ${n}, size -1 for the rest)`);
    }
  }
  const y = Tensor.empty(sz);
  {
    const xd = x.data, yd = y.data;
    forEachRun(x.shape, begin, sz, (bo, fo, n) => yd.set(xd.subarray(fo, fo + n), bo));
  }
  return record("slice", [x], y, (g) => {
    const dx = Tensor.zeros(x.shape);
    const gd: FloatArray = g.data, dd = dx.data;
    forEachRun(x.shape, begin, sz, (bo, fo, n) => dd.set(gd.subarray(bo, bo + n), fo));
    return [dx];
  });
}

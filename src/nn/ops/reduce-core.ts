// The reductions behind sum, mean, max and the broadcast gradients: axes checked and collapsed into groups of kept
// and reduced axes, then one of the kernels of assembly/nn/reduce.ts (TypeScript loops without the core):
// [outer, r, inner] with the middle reduced (row sums, column sums, full sums, a middle axis) or [n, c, inner] with
// both ends reduced (per-channel sums). Other patterns reduce one group at a time (sums) or move the reduced axes
// last first (max).
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString, type Shape } from "../tensor.js";
import { permuteCopy } from "./transpose.js";

/** The axes of a reduction as sorted non-negative indices (default all); negative axes count from the end. */
export function normAxes(op: string, shape: Shape, axes: number | readonly number[] | undefined): number[] {
  const r = shape.length;
  if (axes === undefined) return shape.map((_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  if (!Array.isArray(list) && typeof axes !== "number") fail(`${op}: axes must be a number or an array of numbers, got ${describeValue(axes)}`);
  const out: number[] = [];
  for (const a of list) {
    if (!Number.isInteger(a) || a < -r || a >= r) {
      fail(`${op}: axis ${describeValue(a)} is out of range for shape ${shapeString(shape)} (expected an integer in [${-r}, ${r - 1}])`);
    }
    const k = a < 0 ? a + r : a;
    if (out.includes(k)) fail(`${op}: axis ${a} is given twice (axes ${describeValue(list)} for shape ${shapeString(shape)})`);
    out.push(k);
  }
  return out.sort((p, q) => p - q);
}

/** The shape with the reduced axes kept as 1 (keepDims) or removed. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

interface Group {
  n: number;
  reduced: boolean;
}

/** Axes of size 1 dropped, neighbours of the same kind merged. */
function groups(shape: Shape, axes: readonly number[]): Group[] {
  const out: Group[] = [];
  shape.forEach((n, i) => {
    if (n === 1) return;
    const reduced = axes.includes(i);
    const last = out[out.length - 1];
    if (last && last.reduced === reduced) last.n *= n;
    else out.push({ n, reduced });
  });
  return out;
}

function prod(gs: readonly Group[]): number {
  let p = 1;
  for (const g of gs) p *= g.n;
  return p;
}

function sumMidTS(x: FloatArray, y: FloatArray, outer: number, r: number, inner: number, scale: number): void {
  for (let o = 0; o < outer; o++) {
    const yo = o * inner, xo = o * r * inner;
    if (inner === 1) {
      let s = 0;
      for (let k = 0; k < r; k++) s += x[xo + k]!;
      y[yo] = s * scale;
      continue;
    }
    for (let i = 0; i < inner; i++) y[yo + i] = 0;
    for (let k = 0; k < r; k++) {
      const xr = xo + k * inner;
      for (let i = 0; i < inner; i++) y[yo + i]! += x[xr + i]!;
    }
    if (scale !== 1) for (let i = 0; i < inner; i++) y[yo + i]! *= scale;
  }
}

function sumOuterInnerTS(x: FloatArray, y: FloatArray, n: number, c: number, inner: number, scale: number): void {
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const o = (k * c + j) * inner;
      for (let i = 0; i < inner; i++) s += x[o + i]!;
    }
    y[j] = s * scale;
  }
}

function sumMid(x: Tensor, y: Tensor, outer: number, r: number, inner: number, scale: number): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0) core.kernels.nnSumMid(x.ptr, y.ptr, outer, r, inner, scale);
  else sumMidTS(x.data, y.data, outer, r, inner, scale);
}

/** scale · Σ of x over `axes` (sorted, non-negative), as a new tensor with those axes kept as 1. */
export function sumAxes(x: Tensor, axes: readonly number[], scale = 1): Tensor {
  const y = Tensor.empty(reducedShape(x.shape, axes, true));
  let gs = groups(x.shape, axes);
  if (y.size === 0) return y;
  if (!gs.some((g) => g.reduced)) {
    // nothing to add up (reduced axes of size 1): a scaled copy
    const yd = y.data, xd = x.data;
    for (let i = 0; i < yd.length; i++) yd[i] = xd[i]! * scale;
    return y;
  }
  const pattern = gs.map((g) => (g.reduced ? "R" : "K")).join("");
  if (pattern === "RKR") {
    const core = nnCore();
    if (core && x.ptr >= 0 && y.ptr >= 0) core.kernels.nnSumOuterInner(x.ptr, y.ptr, gs[0]!.n, gs[1]!.n, gs[2]!.n, scale);
    else sumOuterInnerTS(x.data, y.data, gs[0]!.n, gs[1]!.n, gs[2]!.n, scale);
    return y;
  }
  // reduce the last reduced group, then the next, ... (one pass when a single group is reduced)
  let src = x;
  for (;;) {
    const last = gs.map((g) => g.reduced).lastIndexOf(true);
    const before = gs.slice(0, last), after = gs.slice(last + 1);
    const done = !before.some((g) => g.reduced);
    const dst = done ? y : Tensor.empty([prod(before) * prod(after)]);
    sumMid(src, dst, prod(before), gs[last]!.n, prod(after), done ? scale : 1);
    if (done) return y;
    src = dst;
    // merge the kept neighbours of the group just reduced
    const merged = [...before];
    for (const g of after) {
      const l = merged[merged.length - 1];
      if (l && !l.reduced) l.n *= g.n;
      else merged.push({ ...g });
    }
    gs = merged.map((g) => ({ ...g }));
  }
}

/**
 * max over `axes` (sorted, non-negative, not empty of elements): the values with those axes kept as 1, and a
 * backward that routes g (of the values' shape) to the first maximal element of each reduced box.
 */
export function maxAxes(x: Tensor, axes: readonly number[]): { y: Tensor; back: (g: Tensor) => Tensor } {
  const keep = reducedShape(x.shape, axes, true);
  const gs = groups(x.shape, axes);
  const red = gs.filter((g) => g.reduced).length;
  if (red <= 1) {
    const i = gs.findIndex((g) => g.reduced);
    const outer = i < 0 ? x.size : prod(gs.slice(0, i));
    const r = i < 0 ? 1 : gs[i]!.n;
    const inner = i < 0 ? 1 : prod(gs.slice(i + 1));
    const y = Tensor.empty(keep);
    const idx = Tensor.empty(keep);
    maxMid(x, y, idx, outer, r, inner);
    return {
      y,
      back: (g) => {
        const dx = Tensor.empty(x.shape);
        maxScatter(g, idx, dx, outer, r, inner);
        return dx;
      },
    };
  }
  // several reduced groups: move the reduced axes last (in order), so the box is contiguous and its row-major order
  // is the order of the reduced indices
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  const xp = permuteCopy(x, perm);
  let r = 1;
  for (const a of axes) r *= x.shape[a]!;
  const outer = x.size / r;
  const y = Tensor.empty(keep);
  const idx = Tensor.empty(keep);
  maxMid(xp, y, idx, outer, r, 1);
  return {
    y,
    back: (g) => {
      const dxp = Tensor.empty(xp.shape);
      maxScatter(g, idx, dxp, outer, r, 1);
      return permuteCopy(dxp, inv);
    },
  };
}

function maxMid(x: Tensor, y: Tensor, idx: Tensor, outer: number, r: number, inner: number): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0 && idx.ptr >= 0) {
    core.kernels.nnMaxMid(x.ptr, y.ptr, idx.ptr, outer, r, inner);
    return;
  }
  const xd = x.data, yd = y.data, id = idx.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let best = xd[base]!, at = 0;
      for (let k = 1; k < r && best === best; k++) {
        const v = xd[base + k * inner]!;
        if (v > best || v !== v) {
          best = v;
          at = k;
        }
      }
      yd[o * inner + i] = best;
      id[o * inner + i] = at;
    }
  }
}

function maxScatter(g: Tensor, idx: Tensor, dx: Tensor, outer: number, r: number, inner: number): void {
  const core = nnCore();
  if (core && g.ptr >= 0 && idx.ptr >= 0 && dx.ptr >= 0) {
    core.kernels.nnMaxScatter(g.ptr, idx.ptr, dx.ptr, outer, r, inner);
    return;
  }
  const gd = g.data, id = idx.data, d = dx.data;
  d.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = o * inner + i;
      d[(o * r + id[at]!) * inner + i] = gd[at]!;
    }
  }
}

// Broadcasting for the binary ops (numpy rules: shapes aligned at the right, a dimension of 1 stretches) and the
// reverse of it for their gradients: the sum over the broadcast axes back to an input's shape.
//
// A broadcast is collapsed before it runs: axes of size 1 are dropped and neighbouring axes on which each operand
// either advances or stays put in the same way are merged, so the common cases become at most three levels
// ([N, C] + [C]: two; [N, C, H, W] + [1, C, 1, 1]: three; same shapes or a scalar: one), which the WASM kernel
// nnBinary runs with SIMD rows. Deeper patterns run the TypeScript loop, on any route.
import { NN_ADD, NN_DIV, NN_MUL, NN_SUB } from "../../../assembly/abi.js";
import { fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { scaleInto } from "../blas1.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString, type Shape } from "../tensor.js";
import { sumAxes } from "./reduce-core.js";

export const BINARY = { add: NN_ADD, sub: NN_SUB, mul: NN_MUL, div: NN_DIV } as const;
export type BinaryCode = (typeof BINARY)[keyof typeof BINARY];

/** The broadcast shape of a and b, or an error naming the op and the first axis (from the right) that clashes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 1; i <= r; i++) {
    const da = a[a.length - i] ?? 1, db = b[b.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast together (axis ${-i}: ${da} against ${db}; each must match or be 1)`);
    }
    out[r - i] = da === 1 ? db : da;
  }
  return out;
}

/** One merged level: its size and each operand's stride in floats (0 where it is broadcast). */
export interface Level {
  n: number;
  sa: number;
  sb: number;
}

/** The collapsed levels of a and b broadcast to `out` (outermost first); each of a, b is `out` or broadcast to it. */
export function collapse(out: Shape, a: Shape, b: Shape): Level[] {
  const r = out.length;
  // from the inside out: merge while each operand keeps advancing (or keeps standing still)
  const rev: { n: number; va: boolean; vb: boolean }[] = [];
  for (let i = 1; i <= r; i++) {
    const n = out[r - i]!;
    if (n === 1) continue;
    const va = (a[a.length - i] ?? 1) !== 1, vb = (b[b.length - i] ?? 1) !== 1;
    const last = rev[rev.length - 1];
    if (last && last.va === va && last.vb === vb) last.n *= n;
    else rev.push({ n, va, vb });
  }
  const levels: Level[] = [];
  let pa = 1, pb = 1;
  for (const l of rev) {
    levels.push({ n: l.n, sa: l.va ? pa : 0, sb: l.vb ? pb : 0 });
    if (l.va) pa *= l.n;
    if (l.vb) pb *= l.n;
  }
  return levels.reverse();
}

/** out = a ∘ b, with a and b broadcast to out's shape (each dimension equal to out's or 1). */
export function binaryInto(code: BinaryCode, a: Tensor, b: Tensor, out: Tensor): void {
  if (out.size === 0) return;
  const levels = collapse(out.shape, a.shape, b.shape);
  const core = nnCore();
  if (core && levels.length <= 3 && out.ptr >= 0 && a.ptr >= 0 && b.ptr >= 0) {
    while (levels.length < 3) levels.unshift({ n: 1, sa: 0, sb: 0 });
    const [l0, l1, l2] = levels as [Level, Level, Level];
    core.kernels.nnBinary(code, a.ptr, b.ptr, out.ptr, l0.n, l1.n, l2.n, l0.sa, l1.sa, l2.sa, l0.sb, l1.sb, l2.sb);
    return;
  }
  binaryTS(code, a.data, b.data, out.data, levels);
}

function binaryRow(code: BinaryCode, a: FloatArray, ao: number, sa: number, b: FloatArray, bo: number, sb: number,
  c: FloatArray, co: number, n: number): void {
  switch (code) {
    case NN_ADD: for (let i = 0; i < n; i++) c[co + i] = a[ao + i * sa]! + b[bo + i * sb]!; break;
    case NN_SUB: for (let i = 0; i < n; i++) c[co + i] = a[ao + i * sa]! - b[bo + i * sb]!; break;
    case NN_MUL: for (let i = 0; i < n; i++) c[co + i] = a[ao + i * sa]! * b[bo + i * sb]!; break;
    default: for (let i = 0; i < n; i++) c[co + i] = a[ao + i * sa]! / b[bo + i * sb]!; break;
  }
}

/** The TypeScript route: rows of the innermost level, an odometer over the outer ones. */
function binaryTS(code: BinaryCode, a: FloatArray, b: FloatArray, c: FloatArray, levels: Level[]): void {
  if (levels.length === 0) {
    binaryRow(code, a, 0, 0, b, 0, 0, c, 0, 1);
    return;
  }
  const inner = levels[levels.length - 1]!;
  const outer = levels.slice(0, -1);
  const idx = new Array<number>(outer.length).fill(0);
  let ao = 0, bo = 0;
  for (let co = 0; co < c.length; co += inner.n) {
    binaryRow(code, a, ao, inner.sa, b, bo, inner.sb, c, co, inner.n);
    for (let d = outer.length - 1; d >= 0; d--) {
      const l = outer[d]!;
      ao += l.sa;
      bo += l.sb;
      if (++idx[d]! < l.n) break;
      idx[d] = 0;
      ao -= l.sa * l.n;
      bo -= l.sb * l.n;
    }
  }
}

/** a ∘ b broadcast: a new tensor of the broadcast shape. */
export function binary(op: string, code: BinaryCode, a: Tensor, b: Tensor): Tensor {
  const out = Tensor.empty(broadcastShapes(op, a.shape, b.shape));
  binaryInto(code, a, b, out);
  return out;
}

/** g with the output's shape (backward's seed need only have the output's size). */
export function asShape(g: Tensor, shape: Shape): Tensor {
  return g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i]) ? g : g.view(shape);
}

/**
 * The gradient g of a broadcast result summed back to `shape` (an operand's), times `scale`. Returns g itself (or a
 * view of it) where nothing was broadcast and scale is 1: the caller must not write into the result.
 */
export function reduceTo(g: Tensor, shape: Shape, scale = 1): Tensor {
  const r = g.rank;
  const axes: number[] = [];
  for (let i = 0; i < r; i++) {
    const d = i - (r - shape.length);
    if (g.shape[i] !== 1 && (d < 0 || shape[d] === 1)) axes.push(i);
  }
  if (axes.length === 0) {
    const same = g.shape.length === shape.length ? g : g.view(shape);
    if (scale === 1) return same;
    const t = Tensor.empty(shape);
    scaleInto(t, same, scale);
    return t;
  }
  return sumAxes(g, axes, scale).view(shape);
}

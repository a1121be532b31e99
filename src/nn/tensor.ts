// The neural engine's n-dimensional float32 tensor: a shape over contiguous row-major storage (storage.ts), a flag
// for whether gradients flow to it, its gradient, and the tape node that made it (autograd.ts).
// Tensors are always contiguous: reshape and a slice of leading rows are views of the same storage; a transpose is
// either folded into the op that reads it (matmul's transA/transB) or a copy.
import { describeValue, fail } from "../core/errors.js";
import { Matrix, type FloatArray } from "../core/matrix.js";
import type { Random } from "../core/random.js";
import { allocBlock, allocLongLived, type Block } from "./storage.js";
import type { TapeNode } from "./autograd.js";

export type Shape = readonly number[];

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: Shape, what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    fail(`${what}: a shape must be an array of non-negative integers, got ${describeValue(shape)}`);
  }
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export class Tensor {
  readonly shape: Shape;
  readonly size: number;
  /** Whether gradients flow to this tensor (parameters, and results of ops on them while grad is enabled). */
  requiresGrad = false;
  /** The accumulated gradient (parameters and other leaves after backward()), same shape. */
  grad: Tensor | null = null;
  /** The tape node that computed this tensor (null for leaves). */
  node: TapeNode | null = null;
  /** A name for messages and for saved weights (parameters). */
  name: string | undefined;
  private readonly block: Block & { free?(): void };
  private readonly offset: number;

  /** Internal: use Tensor.zeros / Tensor.empty / Tensor.from. */
  constructor(shape: Shape, block: Block & { free?(): void }, offset = 0) {
    this.shape = Object.freeze(shape.slice());
    this.size = sizeOf(shape);
    this.block = block;
    this.offset = offset;
  }

  /** New uninitialised storage (zeroed outside a scope; whatever the arena held inside one). */
  static empty(shape: Shape): Tensor {
    checkShape(shape, "Tensor.empty");
    return new Tensor(shape, allocBlock(sizeOf(shape)));
  }

  /** New zeroed tensor. */
  static zeros(shape: Shape): Tensor {
    const t = Tensor.empty(shape);
    if (t.block.scope) t.data.fill(0);
    return t;
  }

  /** New tensor filled with v. */
  static full(shape: Shape, v: number): Tensor {
    const t = Tensor.empty(shape);
    t.data.fill(v);
    return t;
  }

  /** New long-lived tensor (outside any scope), zeroed: parameters, optimiser state. */
  static longLived(shape: Shape): Tensor {
    checkShape(shape, "Tensor.longLived");
    return new Tensor(shape, allocLongLived(sizeOf(shape)));
  }

  /**
   * New storage of `like`'s shape (or `shape`) with `like`'s lifetime: in the scope that made `like` (which may
   * enclose the current one), or long-lived (zeroed) when `like` is. Not zeroed in a scope.
   */
  static like(like: Tensor, shape: Shape = like.shape): Tensor {
    const scope = like.block.scope;
    if (!scope) return Tensor.longLived(shape);
    checkShape(shape, "Tensor.like");
    return new Tensor(shape, scope.alloc(sizeOf(shape)));
  }

  /** A copy of `values` (their length must match the shape) in engine storage. */
  static from(values: ArrayLike<number>, shape?: Shape): Tensor {
    const s = shape ?? [values.length];
    checkShape(s, "Tensor.from");
    if (sizeOf(s) !== values.length) fail(`Tensor.from: ${values.length} values do not fill shape ${shapeString(s)}`);
    const t = Tensor.empty(s);
    t.data.set(values);
    return t;
  }

  /** A copy of a matrix as an [rows, cols] tensor (float64 matrices are rounded to float32). */
  static fromMatrix(m: Matrix): Tensor {
    return Tensor.from(m.data, [m.rows, m.cols]);
  }

  /** Standard normal values times `std`. */
  static randn(shape: Shape, rng: Random, std = 1): Tensor {
    const t = Tensor.empty(shape);
    const d = t.data;
    for (let i = 0; i < d.length; i++) d[i] = rng.normal() * std;
    return t;
  }

  /** Uniform values in [lo, hi). */
  static uniform(shape: Shape, rng: Random, lo: number, hi: number): Tensor {
    const t = Tensor.empty(shape);
    const d = t.data;
    for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.uniform();
    return t;
  }

  /** The floats, a view of the storage (valid while the tensor is: not after dispose() or its scope's end). */
  get data(): FloatArray {
    const b = this.block;
    if (b.scope?.closed) fail(`a tensor of shape ${shapeString(this.shape)} was used after the tidy() scope that made it ended`);
    if (b.dead) fail(`a tensor of shape ${shapeString(this.shape)} was used after dispose()`);
    return this.offset === 0 && b.data.length === this.size ? b.data : b.data.subarray(this.offset, this.offset + this.size);
  }

  /** Byte offset of the first element in the compute core's memory (-1: a plain array, TypeScript route). */
  get ptr(): number {
    const b = this.block;
    if (b.scope?.closed) fail(`a tensor of shape ${shapeString(this.shape)} was used after the tidy() scope that made it ended`);
    if (b.dead) fail(`a tensor of shape ${shapeString(this.shape)} was used after dispose()`);
    return b.ptr < 0 ? b.ptr : b.ptr + this.offset * 4;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Whether the storage is scoped (freed when its tidy() scope ends). */
  get scoped(): boolean {
    return this.block.scope !== null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) fail(`item() needs a tensor of one element, got shape ${shapeString(this.shape)}`);
    return this.data[0]!;
  }

  /** A copy of the values as a plain Float32Array (outside engine storage). */
  toFloat32Array(): Float32Array {
    return Float32Array.from(this.data);
  }

  /** A copy as a Matrix: a 2-D tensor as it is, a higher one as [shape[0], rest]. */
  toMatrix(): Matrix {
    const rows = this.shape[0] ?? 1;
    return new Matrix(rows, rows === 0 ? 0 : this.size / rows, this.data.slice());
  }

  /** Nested arrays (tests, small tensors). */
  toArray(): unknown {
    const d = this.data;
    const rec = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return d[off]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => rec(dim + 1, off + i * stride));
    };
    return rec(0, 0);
  }

  /**
   * A view of the same storage with another shape of the same size (no copy, no tape node: use the reshape op
   * where gradients must flow). One dimension may be -1.
   */
  view(shape: Shape): Tensor {
    const s = shape.slice();
    const free = s.indexOf(-1);
    if (free >= 0) {
      const rest = sizeOf(s.filter((_, i) => i !== free));
      s[free] = rest === 0 ? 0 : this.size / rest;
    }
    checkShape(s, "view");
    if (sizeOf(s) !== this.size) fail(`cannot view a tensor of shape ${shapeString(this.shape)} as ${shapeString(shape)}`);
    return new Tensor(s, this.block, this.offset);
  }

  /** A view of rows [start, end) along the first axis (no copy, no tape node). */
  rows(start: number, end: number): Tensor {
    const n = this.shape[0] ?? 0;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= n)) {
      fail(`rows(${start}, ${end}) is outside a first axis of ${n}`);
    }
    const stride = n === 0 ? 0 : this.size / n;
    return new Tensor([end - start, ...this.shape.slice(1)], this.block, this.offset + start * stride);
  }

  /** Copies values of another tensor of the same size into this one. */
  copyFrom(src: Tensor): this {
    if (src.size !== this.size) fail(`copyFrom: sizes differ (${shapeString(src.shape)} into ${shapeString(this.shape)})`);
    this.data.set(src.data);
    return this;
  }

  /** Frees long-lived storage now (scoped storage goes with its scope). Views of it become invalid too. */
  dispose(): void {
    const b = this.block;
    if (b.scope || b.dead) return;
    b.dead = true;
    b.free?.();
  }

  toString(): string {
    return `Tensor${shapeString(this.shape)}${this.requiresGrad ? " (requires grad)" : ""}`;
  }
}

// Flatten and Reshape: views of the input with another shape (through the reshape op, so gradients flow).
import { fail } from "../../core/errors.js";
import { describeValue } from "../../core/errors.js";
import { Module, type ModuleSpec } from "../module.js";
import { reshape } from "../ops/reshape.js";
import { sizeOf, shapeString, type Tensor } from "../tensor.js";

/** Merges axes startDim..endDim into one (PyTorch's nn.Flatten; defaults 1 and -1: [N, ...] → [N, rest]). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    for (const [n, v] of [["startDim", startDim], ["endDim", endDim]] as const) {
      if (!Number.isInteger(v)) fail(`Flatten: ${n} must be an integer, got ${describeValue(v)}`);
    }
  }
  forward(x: Tensor): Tensor {
    const r = x.rank;
    const s = this.startDim < 0 ? r + this.startDim : this.startDim;
    const e = this.endDim < 0 ? r + this.endDim : this.endDim;
    if (!(s >= 0 && e < r && s <= e)) fail(`Flatten(${this.startDim}, ${this.endDim}): axes out of range for an input ${shapeString(x.shape)}`);
    if (s === e) return x;
    return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
  }
  spec(): ModuleSpec {
    return { type: "Flatten", args: { startDim: this.startDim, endDim: this.endDim } };
  }
}

/**
 * Gives each sample the shape `shape` (one entry may be -1): [N, ...] → [N, ...shape]. PyTorch's equivalent on a flat
 * input is nn.Unflatten(1, shape).
 */
export class Reshape extends Module {
  readonly shape: readonly number[];
  constructor(shape: readonly number[]) {
    super();
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < -1) || shape.filter((d) => d === -1).length > 1) {
      fail(`Reshape: shape must be a list of non-negative integers with at most one -1, got ${describeValue(shape)}`);
    }
    this.shape = Object.freeze(shape.slice());
  }
  forward(x: Tensor): Tensor {
    if (x.rank < 1) fail(`Reshape: the input must have a batch axis, got ${shapeString(x.shape)}`);
    const n = x.shape[0]!;
    const per = n === 0 ? 0 : x.size / n;
    const known = sizeOf(this.shape.filter((d) => d !== -1));
    const ok = this.shape.includes(-1) ? known > 0 && per % known === 0 : known === per;
    if (!ok) fail(`Reshape(${shapeString(this.shape)}): a sample of the input ${shapeString(x.shape)} has ${per} values`);
    return reshape(x, [n, ...this.shape.map((d) => (d === -1 ? per / known : d))]);
  }
  spec(): ModuleSpec {
    return { type: "Reshape", args: { shape: [...this.shape] } };
  }
}

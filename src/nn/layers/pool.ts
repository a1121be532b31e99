// MaxPool2d and AvgPool2d over NCHW (no parameters).
import { fail } from "../../core/errors.js";
import { Module, type ModuleSpec } from "../module.js";
import { avgPool2d, maxPool2d } from "../ops/pool2d.js";
import { shapeString, type Tensor } from "../tensor.js";
import { pair, type Pair } from "./util.js";

export interface PoolLayerOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** Default 0. */
  padding?: Pair;
}

abstract class Pool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  constructor(readonly type: string, kernelSize: Pair, opts: PoolLayerOptions) {
    super();
    this.kernelSize = pair(type, "kernelSize", kernelSize, 1);
    this.stride = pair(type, "stride", opts.stride ?? this.kernelSize, 1);
    this.padding = pair(type, "padding", opts.padding ?? 0, 0);
  }
  protected check(x: Tensor): void {
    if (x.rank !== 4) fail(`${this.type}: the input ${shapeString(x.shape)} must be [N, C, H, W]`);
  }
  spec(): ModuleSpec {
    return { type: this.type, args: { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } };
  }
}

export class MaxPool2d extends Pool2d {
  constructor(kernelSize: Pair, opts: PoolLayerOptions = {}) {
    super("MaxPool2d", kernelSize, opts);
  }
  forward(x: Tensor): Tensor {
    this.check(x);
    return maxPool2d(x, { kernel: this.kernelSize, stride: this.stride, padding: this.padding });
  }
}

export class AvgPool2d extends Pool2d {
  constructor(kernelSize: Pair, opts: PoolLayerOptions = {}) {
    super("AvgPool2d", kernelSize, opts);
  }
  forward(x: Tensor): Tensor {
    this.check(x);
    return avgPool2d(x, { kernel: this.kernelSize, stride: this.stride, padding: this.padding });
  }
}

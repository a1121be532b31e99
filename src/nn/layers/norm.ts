// BatchNorm1d ([N, C] or [N, C, L]) and BatchNorm2d ([N, C, H, W]) through the batchNorm op. State as PyTorch's:
// parameters "weight" (γ, ones) and "bias" (β, zeros), buffers "running_mean" (zeros) and "running_var" (ones);
// PyTorch's "num_batches_tracked" is not kept (loadStateDict ignores it). Training mode normalises by the batch's
// statistics and updates the running ones; eval mode uses the running ones (batch statistics without them).
import { fail } from "../../core/errors.js";
import { Module, type ModuleSpec } from "../module.js";
import { batchNorm } from "../ops/batch-norm.js";
import { Tensor, shapeString } from "../tensor.js";
import { bool, int, num } from "./util.js";

export interface BatchNormLayerOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1, PyTorch's). */
  momentum?: number;
  /** Learnable γ and β (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true). */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly type: string, readonly numFeatures: number, opts: BatchNormLayerOptions, private readonly ranks: readonly number[],
    private readonly expected: string) {
    super();
    int(type, "numFeatures", numFeatures, 1);
    this.eps = num(type, "eps", opts.eps, 1e-5, 0);
    this.momentum = num(type, "momentum", opts.momentum, 0.1, 0, 1);
    if (bool(type, "affine", opts.affine, true)) {
      this.weight = this.param("weight", Tensor.longLived([numFeatures]));
      this.weight.data.fill(1);
      this.bias = this.param("bias", Tensor.longLived([numFeatures]));
    } else {
      this.weight = this.bias = null;
    }
    if (bool(type, "trackRunningStats", opts.trackRunningStats, true)) {
      this.runningMean = this.buffer("running_mean", Tensor.longLived([numFeatures]));
      this.runningVar = this.buffer("running_var", Tensor.longLived([numFeatures]));
      this.runningVar.data.fill(1);
    } else {
      this.runningMean = this.runningVar = null;
    }
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      fail(`${this.type}(${this.numFeatures}): the input ${shapeString(x.shape)} must be ${this.expected.replaceAll("C", String(this.numFeatures))}`);
    }
    const training = this.training || this.runningMean === null;
    return batchNorm(x, this.weight, this.bias, this.runningMean, this.runningVar, { training, momentum: this.momentum, eps: this.eps });
  }

  spec(): ModuleSpec {
    return {
      type: this.type,
      args: { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.weight !== null, trackRunningStats: this.runningMean !== null },
    };
  }
}

export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super("BatchNorm1d", numFeatures, opts, [2, 3], "[N, C] or [N, C, L]");
  }
}

export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super("BatchNorm2d", numFeatures, opts, [4], "[N, C, H, W]");
  }
}

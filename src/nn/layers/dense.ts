// Linear: y = act(x·Wᵀ + b) through the fused linear op; weight [out, in] and bias [out] as PyTorch's nn.Linear
// (state names "weight", "bias"), initialised as PyTorch's by default. Inputs of rank > 2 are linear over the last axis.
import { fail } from "../../core/errors.js";
import type { Random } from "../../core/random.js";
import { initLayer, type Init } from "../init.js";
import { Module, type ModuleSpec } from "../module.js";
import { linear, type Activation } from "../ops/linear.js";
import { reshape } from "../ops/reshape.js";
import { Tensor, shapeString } from "../tensor.js";
import { activationName, bool, initName, int, rngOf } from "./util.js";

export interface LinearOptions {
  /** Default true. */
  bias?: boolean;
  /** An activation fused into the layer (default "none"; PyTorch would write it as the next module). */
  activation?: Activation;
  /** Default "default" (PyTorch's). */
  init?: Init;
  rng?: Random;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly activation: Activation;
  readonly init: Init;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    int("Linear", "inFeatures", inFeatures, 1);
    int("Linear", "outFeatures", outFeatures, 1);
    this.activation = activationName("Linear", opts.activation);
    this.init = initName("Linear", opts.init);
    this.weight = this.param("weight", Tensor.longLived([outFeatures, inFeatures]));
    this.bias = bool("Linear", "bias", opts.bias, true) ? this.param("bias", Tensor.longLived([outFeatures])) : null;
    initLayer(this.weight, this.bias, this.init, rngOf("Linear", opts.rng));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, this.activation);
  }

  /** The layer followed by `activation` instead of its own (Sequential fuses a following activation module). */
  forwardWith(x: Tensor, activation: Activation): Tensor {
    const inF = this.inFeatures;
    if (x.rank < 1 || x.shape[x.rank - 1] !== inF) fail(`Linear(${inF}, ${this.outFeatures}): the input ${shapeString(x.shape)} must end in ${inF} features`);
    if (x.rank === 2) return linear(x, this.weight, this.bias, activation);
    const lead = x.shape.slice(0, -1);
    const y = linear(reshape(x, [-1, inF]), this.weight, this.bias, activation);
    return reshape(y, [...lead, this.outFeatures]);
  }

  spec(): ModuleSpec {
    return { type: "Linear", args: { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, activation: this.activation, init: this.init } };
  }
}

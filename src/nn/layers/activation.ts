// Activation modules (no parameters). `fused` names the activation the linear op can apply in its own pass, so a
// Sequential runs Linear + activation as one fused op while the state names stay PyTorch's.
import { Module, type ModuleSpec } from "../module.js";
import { gelu } from "../ops/gelu.js";
import type { Activation } from "../ops/linear.js";
import { leakyRelu, relu } from "../ops/relu.js";
import { sigmoid } from "../ops/sigmoid.js";
import { tanh } from "../ops/tanh.js";
import type { Tensor } from "../tensor.js";
import { num } from "./util.js";

export abstract class ActivationModule extends Module {
  /** The linear op's activation equal to this module, or null. */
  abstract readonly fused: Activation | null;
}

export class ReLU extends ActivationModule {
  readonly fused: Activation = "relu";
  forward(x: Tensor): Tensor {
    return relu(x);
  }
  spec(): ModuleSpec {
    return { type: "ReLU" };
  }
}

/** The slope the linear op's fused "leakyRelu" uses. */
export const FUSED_LEAKY_SLOPE = 0.01;

export class LeakyReLU extends ActivationModule {
  readonly negativeSlope: number;
  readonly fused: Activation | null;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = num("LeakyReLU", "negativeSlope", negativeSlope, 0.01, -Infinity);
    this.fused = this.negativeSlope === FUSED_LEAKY_SLOPE ? "leakyRelu" : null;
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  spec(): ModuleSpec {
    return { type: "LeakyReLU", args: { negativeSlope: this.negativeSlope } };
  }
}

export class Sigmoid extends ActivationModule {
  readonly fused: Activation = "sigmoid";
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
  spec(): ModuleSpec {
    return { type: "Sigmoid" };
  }
}

export class Tanh extends ActivationModule {
  readonly fused: Activation = "tanh";
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
  spec(): ModuleSpec {
    return { type: "Tanh" };
  }
}

export class GELU extends ActivationModule {
  readonly fused: Activation = "gelu";
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
  spec(): ModuleSpec {
    return { type: "GELU" };
  }
}

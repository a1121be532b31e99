// Dropout: in training, zeroes each element with probability p and scales the rest by 1/(1 − p); identity in eval.
import type { Random } from "../../core/random.js";
import { Module, type ModuleSpec } from "../module.js";
import { dropout } from "../ops/dropout.js";
import type { Tensor } from "../tensor.js";
import { num, rngOf } from "./util.js";

export class Dropout extends Module {
  readonly p: number;
  readonly rng: Random;
  constructor(p = 0.5, rng?: Random) {
    super();
    this.p = num("Dropout", "p", p, 0.5, 0, 1, true);
    this.rng = rngOf("Dropout", rng);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, this.training, this.rng);
  }
  spec(): ModuleSpec {
    return { type: "Dropout", args: { p: this.p } };
  }
}

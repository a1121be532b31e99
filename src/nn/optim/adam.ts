// Adam (torch.optim.Adam: weight decay as an L2 term added to the gradient) and AdamW (torch.optim.AdamW: decoupled
// weight decay, p ← p·(1 − lr·wd) before the step), with bias correction:
//   g' = g + wd·p (Adam);  m = β1·m + (1 − β1)·g';  v = β2·v + (1 − β2)·g'²;
//   p = p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε).
// One fused pass per element over p, g, m, v (assembly/nn/optim.ts, every parameter in one job).
import { NN_OPT_B1, NN_OPT_B2, NN_OPT_EPS, NN_OPT_WD } from "../../../assembly/abi.js";
import { fail } from "../../core/errors.js";
import type { ParamBlock } from "../../core/wasm/runtime.js";
import type { PartKernel } from "../../core/wasm/kernel-exports.js";
import { BaseOptimizer, checkNumber, type ParamList, type StepEntry } from "./base.js";

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 0.01, as PyTorch's). */
  weightDecay?: number;
}

export class Adam extends BaseOptimizer {
  lr = 1e-3;
  beta1 = 0.9;
  beta2 = 0.999;
  eps = 1e-8;
  weightDecay = 0;

  constructor(params: ParamList, opts: AdamOptions = {}, protected readonly decoupled = false) {
    super(decoupled ? "AdamW" : "Adam", params, ["exp_avg", "exp_avg_sq"]);
    if (!opts || typeof opts !== "object") fail(`${this.type}: options must be an object`);
    const betas = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) fail(`${this.type}: betas must be a pair [β1, β2], got ${JSON.stringify(betas)}`);
    this.setOptions({ lr: opts.lr ?? 1e-3, beta1: betas[0], beta2: betas[1], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? (decoupled ? 0.01 : 0) });
  }

  protected options(): Record<string, number | boolean> {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected setOptions(o: Record<string, number | boolean>): void {
    this.lr = checkNumber(this.type, "lr", o.lr, 0);
    this.beta1 = checkNumber(this.type, "β1 (betas[0])", o.beta1, 0, 1, false, true);
    this.beta2 = checkNumber(this.type, "β2 (betas[1])", o.beta2, 0, 1, false, true);
    this.eps = checkNumber(this.type, "eps", o.eps, 0);
    this.weightDecay = checkNumber(this.type, "weightDecay", o.weightDecay, 0);
  }

  protected entries(): StepEntry[] {
    return this.withGrad().map((i) => {
      const t = this.steps[i]!;
      const p = this.params[i]!;
      return {
        p, g: p.grad!, s1: this.stateOf(i, 0), s2: this.stateOf(i, 1),
        f0: this.lr / (1 - this.beta1 ** t),
        f1: 1 / Math.sqrt(1 - this.beta2 ** t),
        f2: this.decoupled ? 1 - this.lr * this.weightDecay : 1,
      };
    });
  }

  protected kernel(): PartKernel {
    return "nnAdamPart";
  }

  protected fillBlock(b: ParamBlock): void {
    b.setF32(NN_OPT_B1, this.beta1).setF32(NN_OPT_B2, this.beta2).setF32(NN_OPT_EPS, this.eps)
      .setF32(NN_OPT_WD, this.decoupled ? 0 : this.weightDecay);
  }

  protected updateTS(e: StepEntry): void {
    const p = e.p.data, g = e.g.data, m = e.s1!.data, v = e.s2!.data;
    const b1 = this.beta1, b2 = this.beta2, c1 = 1 - b1, c2 = 1 - b2, eps = this.eps;
    const wd = this.decoupled ? 0 : this.weightDecay;
    const ss = e.f0, ib = e.f1, decay = e.f2;
    for (let i = 0; i < p.length; i++) {
      const pi = p[i]!;
      const gi = g[i]! + wd * pi;
      const mi = b1 * m[i]! + c1 * gi;
      const vi = b2 * v[i]! + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = pi * decay - ss * (mi / (Math.sqrt(vi) * ib + eps));
    }
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.01), as torch.optim.AdamW. */
export class AdamW extends Adam {
  constructor(params: ParamList, opts: AdamOptions = {}) {
    super(params, opts, true);
  }
}

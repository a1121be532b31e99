// SGD with momentum, dampening, Nesterov momentum and L2 weight decay: torch.optim.SGD's update.
//   d = g + wd·p;  with momentum μ: b = d on the first step, else b = μ·b + (1 − dampening)·d;
//   d = d + μ·b (Nesterov) or d = b;  p = p − lr·d.
import { NN_OPT_B1, NN_OPT_LR, NN_OPT_NESTEROV, NN_OPT_WD } from "../../../assembly/abi.js";
import { fail } from "../../core/errors.js";
import type { ParamBlock } from "../../core/wasm/runtime.js";
import type { PartKernel } from "../../core/wasm/kernel-exports.js";
import { BaseOptimizer, checkNumber, type ParamList, type StepEntry } from "./base.js";

export interface SGDOptions {
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0; default false). */
  nesterov?: boolean;
}

export class SGD extends BaseOptimizer {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;

  constructor(params: ParamList, opts: SGDOptions) {
    super("SGD", params, ["momentum_buffer"]);
    if (!opts || typeof opts !== "object") fail("SGD: options with lr are required, e.g. new SGD(params, { lr: 0.01 })");
    this.lr = 0;
    this.momentum = 0;
    this.dampening = 0;
    this.weightDecay = 0;
    this.nesterov = false;
    this.setOptions({ lr: opts.lr, momentum: opts.momentum ?? 0, dampening: opts.dampening ?? 0, weightDecay: opts.weightDecay ?? 0, nesterov: opts.nesterov ?? false });
  }

  protected options(): Record<string, number | boolean> {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected setOptions(o: Record<string, number | boolean>): void {
    const lr = checkNumber("SGD", "lr", o.lr, 0);
    const momentum = checkNumber("SGD", "momentum", o.momentum ?? 0, 0);
    const dampening = checkNumber("SGD", "dampening", o.dampening ?? 0, 0, 1);
    const weightDecay = checkNumber("SGD", "weightDecay", o.weightDecay ?? 0, 0);
    const nesterov = o.nesterov ?? false;
    if (typeof nesterov !== "boolean") fail(`SGD: nesterov must be true or false, got ${String(nesterov)}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) fail(`SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${momentum}, dampening ${dampening}`);
    Object.assign(this, { lr, momentum, dampening, weightDecay, nesterov });
  }

  protected entries(): StepEntry[] {
    return this.withGrad().map((i) => {
      const first = this.steps[i] === 1 || !this.state[i]![0];
      const buf = this.momentum !== 0 ? this.stateOf(i, 0) : null;
      return { p: this.params[i]!, g: this.params[i]!.grad!, s1: buf, s2: null, f0: first ? 0 : this.momentum, f1: first ? 1 : 1 - this.dampening, f2: 0 };
    });
  }

  protected kernel(): PartKernel {
    return "nnSgdPart";
  }

  protected fillBlock(b: ParamBlock): void {
    b.setF32(NN_OPT_LR, this.lr).setF32(NN_OPT_B1, this.momentum).setF32(NN_OPT_WD, this.weightDecay).set(NN_OPT_NESTEROV, this.nesterov ? 1 : 0);
  }

  protected updateTS(e: StepEntry): void {
    const p = e.p.data, g = e.g.data;
    const lr = this.lr, wd = this.weightDecay, mu = this.momentum;
    if (!e.s1) {
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * (g[i]! + wd * p[i]!);
      return;
    }
    const b = e.s1.data, f0 = e.f0, f1 = e.f1, nesterov = this.nesterov;
    for (let i = 0; i < p.length; i++) {
      const pi = p[i]!;
      const d = g[i]! + wd * pi;
      const bi = f0 * b[i]! + f1 * d;
      b[i] = bi;
      p[i] = pi - lr * (nesterov ? d + mu * bi : bi);
    }
  }
}

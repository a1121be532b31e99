// Sequential (children named "0", "1", … as PyTorch's nn.Sequential) and Residual (x + inner(x); its child is named
// "inner", as a PyTorch module with `self.inner = inner` would have it).
import { describeValue, fail } from "../../core/errors.js";
import { Module, type ModuleSpec } from "../module.js";
import { add } from "../ops/add.js";
import { shapeString, type Tensor } from "../tensor.js";
import { ActivationModule } from "./activation.js";
import { Linear } from "./dense.js";

export class Sequential extends Module {
  private readonly layers: Module[] = [];

  constructor(...modules: (Module | Module[])[]) {
    super();
    for (const m of modules.flat()) this.push(m);
  }

  /** Appends a module (named by its index). */
  push(m: Module): this {
    if (!(m instanceof Module)) fail(`Sequential: expected a module, got ${describeValue(m)}`);
    this.child(String(this.layers.length), m);
    this.layers.push(m);
    return this;
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module {
    const m = this.layers[i < 0 ? this.layers.length + i : i];
    if (!m) fail(`Sequential.at(${i}): there are ${this.layers.length} modules`);
    return m;
  }

  /**
   * Runs the modules in order. A Linear without its own activation followed by an activation the linear op can fuse
   * runs as one fused op (same result, one pass fewer).
   */
  forward(x: Tensor): Tensor {
    const ls = this.layers;
    for (let i = 0; i < ls.length; i++) {
      const m = ls[i]!;
      const next = ls[i + 1];
      if (m instanceof Linear && m.activation === "none" && next instanceof ActivationModule && next.fused) {
        x = m.forwardWith(x, next.fused);
        i++;
        continue;
      }
      x = m.forward(x);
    }
    return x;
  }

  spec(): ModuleSpec {
    return { type: "Sequential", children: this.layers.map((m) => m.spec()) };
  }
}

export class Residual extends Module {
  readonly inner: Module;
  constructor(inner: Module) {
    super();
    if (!(inner instanceof Module)) fail(`Residual: expected a module, got ${describeValue(inner)}`);
    this.inner = this.child("inner", inner);
  }
  forward(x: Tensor): Tensor {
    const y = this.inner.forward(x);
    if (y.rank !== x.rank || y.shape.some((d, i) => d !== x.shape[i])) {
      fail(`Residual: the inner module maps ${shapeString(x.shape)} to ${shapeString(y.shape)}; x + inner(x) needs the same shape`);
    }
    return add(x, y);
  }
  spec(): ModuleSpec {
    return { type: "Residual", children: [this.inner.spec()] };
  }
}

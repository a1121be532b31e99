// Module: a layer or a network of them, as PyTorch's nn.Module. A module owns named parameters (long-lived tensors
// that require grad), named buffers (state that is saved but not trained: batch norm's running statistics) and named
// child modules; parameters() walks them all in registration order, which is also the order of saved weights.
import { fail } from "../core/errors.js";
import { shapeString, type Tensor } from "./tensor.js";

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateOptions {
  /** Refuse names the module does not have (batch-norm counters aside), and require all of its own (default true). */
  strict?: boolean;
  /** Require every tensor of the module even when not strict (default: as `strict`); file loads do. */
  requireAll?: boolean;
  /**
   * Where the state comes from (a file's path): the message then begins with it, lists the module's tensors and
   * groups the problems (missing, wrong shape, tensors the module does not have).
   */
  source?: string;
}

/** `"a", "b", "c"`, the first 8 of the names, and how many more. */
export function quotedList(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `"${n}"`).join(", ");
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}

/** A module's architecture as JSON: its type and constructor arguments, and its children's (saved with the weights). */
export interface ModuleSpec {
  type: string;
  args?: Record<string, unknown>;
  children?: ModuleSpec[];
}

/** A saved value: a tensor, or anything with a shape and its values (a parsed safetensors entry). */
export interface StateValue {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export abstract class Module {
  /** Training mode (dropout active, batch norm on batch statistics) or eval mode. */
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly bufs = new Map<string, Tensor>();
  private readonly kids = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** The architecture, to rebuild the module on load (see src/nn/layers/). */
  abstract spec(): ModuleSpec;

  /** Registers a parameter (made long-lived and requiring grad) under `name`. */
  protected param(name: string, t: Tensor): Tensor {
    if (t.scoped) fail(`parameter ${name} must be a long-lived tensor, made outside tidy()`);
    t.requiresGrad = true;
    t.name = name;
    this.params.set(name, t);
    return t;
  }

  /** Registers a buffer (saved, not trained). */
  protected buffer(name: string, t: Tensor): Tensor {
    if (t.scoped) fail(`buffer ${name} must be a long-lived tensor, made outside tidy()`);
    t.name = name;
    this.bufs.set(name, t);
    return t;
  }

  /** Registers a child module. */
  protected child<M extends Module>(name: string, m: M): M {
    this.kids.set(name, m);
    return m;
  }

  /** Child modules in registration order. */
  children(): [string, Module][] {
    return [...this.kids];
  }

  /** Every parameter of this module and its children, with dotted names ("0.weight", "encoder.1.bias"). */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.params) out.push([prefix + n, t]);
    for (const [n, m] of this.kids) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Every buffer, with dotted names. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.bufs) out.push([prefix + n, t]);
    for (const [n, m] of this.kids) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /**
   * Parameters and buffers by name: what is saved (PyTorch's state_dict, in its order: a module's parameters, then its
   * buffers, then its children's).
   */
  stateDict(prefix = ""): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, t] of this.params) out.set(prefix + n, t);
    for (const [n, t] of this.bufs) out.set(prefix + n, t);
    for (const [n, m] of this.kids) for (const [k, t] of m.stateDict(`${prefix}${n}.`)) out.set(k, t);
    return out;
  }

  /**
   * Copies saved values into the parameters and buffers (shapes must match). With `strict` (default) every name of
   * stateDict() must be given and no other, except PyTorch's batch-norm counters ("….num_batches_tracked"), which are
   * ignored; without it, a subset loads and other names are ignored. Values are tensors, or {shape, data} as
   * parseSafetensors gives them. Nothing is copied when a check fails. See {@link LoadStateOptions} for files.
   */
  loadStateDict(state: Map<string, StateValue> | Record<string, StateValue>, opts: LoadStateOptions = {}): this {
    const strict = opts.strict ?? true;
    const requireAll = opts.requireAll ?? strict;
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const problems: string[] = []; // the message without a source: in the order met
    const extra: string[] = [];
    const wrong: string[] = [];
    for (const [k, v] of given) {
      const t = own.get(k);
      if (!t) {
        if (!k.endsWith(".num_batches_tracked") && k !== "num_batches_tracked") {
          extra.push(k);
          if (strict) problems.push(`unexpected "${k}"`);
        }
        continue;
      }
      const shape = v.shape;
      if (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i]) || v.data.length !== t.size) {
        problems.push(`"${k}" is [${shape.join(", ")}], the module's [${t.shape.join(", ")}]`);
        wrong.push(`"${k}" is ${shapeString(shape)} in the file, the module's is ${shapeString(t.shape)}`);
      }
    }
    const missing = requireAll ? [...own.keys()].filter((k) => !given.has(k)) : [];
    for (const k of missing) problems.push(`missing "${k}"`);
    if (problems.length > 0) {
      if (opts.source === undefined) {
        const more = problems.length > 4 ? ` and ${problems.length - 4} more` : "";
        fail(`loadStateDict: ${problems.slice(0, 4).join("; ")}${more}`);
      }
      const parts: string[] = [];
      if (missing.length) parts.push(`missing ${quotedList(missing)}`);
      if (wrong.length) parts.push(`wrong shape: ${wrong.slice(0, 5).join("; ")}${wrong.length > 5 ? `; and ${wrong.length - 5} more` : ""}`);
      if (strict && extra.length) parts.push(`tensors the module does not have: ${quotedList(extra)}`);
      fail(`${opts.source}: the weights do not fit the module (${own.size} tensors: ${quotedList([...own.keys()])}): ${parts.join("; ")}`);
    }
    for (const [k, v] of given) {
      const t = own.get(k);
      if (t && t.data !== v.data) t.data.set(v.data);
    }
    return this;
  }

  /** This module and every module below it, depth first, with dotted names ("" for this one). */
  modules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.kids) out.push(...m.modules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** Sets training mode here and in every child. */
  train(on = true): this {
    this.training = on;
    for (const m of this.kids.values()) m.train(on);
    return this;
  }

  /** Sets eval mode. */
  eval(): this {
    return this.train(false);
  }

  /** Frees every parameter, gradient and buffer. */
  dispose(): void {
    for (const t of [...this.parameters(), ...this.namedBuffers().map(([, b]) => b)]) {
      t.grad?.dispose();
      t.dispose();
    }
  }
}

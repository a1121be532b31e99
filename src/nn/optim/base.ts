// What SGD, Adam and AdamW share: the parameter list with names, per-parameter state tensors (long-lived, zeroed,
// made on a parameter's first update), per-parameter step counts, the list of tensors handed to the one update job
// of a step (assembly/nn/optim.ts), and the resumable state.
import {
  NN_OPT_COUNT, NN_OPT_E_F0, NN_OPT_E_F1, NN_OPT_E_F2, NN_OPT_E_G, NN_OPT_E_N, NN_OPT_E_P, NN_OPT_E_S1, NN_OPT_E_S2,
  NN_OPT_ENTRY_SLOTS, NN_OPT_LIST,
} from "../../../assembly/abi.js";
import { partsFor } from "../../core/backend.js";
import { describeValue, fail } from "../../core/errors.js";
import type { WasmCore } from "../../core/wasm/runtime.js";
import type { ParamBlock } from "../../core/wasm/runtime.js";
import type { PartKernel } from "../../core/wasm/kernel-exports.js";
import { zeroGrad } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";
import type { Optimizer, OptimizerState, OptimizerStateJSON } from "./optimizer.js";

/** Parameters to optimise: tensors (named "0", "1", … in state), or named pairs (Module.namedParameters()). */
export type ParamList = Iterable<Tensor> | Iterable<readonly [string, Tensor]>;

/** One tensor of a step: parameter, gradient, its state tensors and three numbers of its own step (abi.ts). */
export interface StepEntry {
  p: Tensor;
  g: Tensor;
  s1: Tensor | null;
  s2: Tensor | null;
  f0: number;
  f1: number;
  f2: number;
}

export function checkNumber(opt: string, name: string, v: unknown, lo: number, hi = Infinity, loOpen = false, hiOpen = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || (hiOpen ? v >= hi : v > hi)) {
    const range = `${loOpen ? ">" : ">="} ${lo}${hi < Infinity ? ` and ${hiOpen ? "<" : "<="} ${hi}` : ""}`;
    fail(`${opt}: ${name} must be a finite number ${range}, got ${describeValue(v)}`);
  }
  return v;
}

export abstract class BaseOptimizer implements Optimizer {
  abstract lr: number;
  readonly params: readonly Tensor[];
  /** Names of the parameters, in order (state keys). */
  readonly names: readonly string[];
  /** Steps taken. */
  stepCount = 0;
  protected readonly steps: number[];
  /** Per parameter, its state tensors (null until its first update), in the order of stateNames. */
  protected readonly state: (Tensor | null)[][];
  private list: { core: WasmCore; ptr: number } | null = null;

  constructor(readonly type: string, params: ParamList, protected readonly stateNames: readonly string[]) {
    const ps: Tensor[] = [];
    const names: string[] = [];
    for (const item of params as Iterable<Tensor | readonly [string, Tensor]>) {
      const [name, t] = item instanceof Tensor ? [String(ps.length), item] : item;
      if (!(t instanceof Tensor)) fail(`${type}: parameters must be tensors (or [name, tensor] pairs), got ${describeValue(t)}`);
      if (t.scoped) fail(`${type}: parameter ${name} is a scoped tensor (made inside tidy()); parameters must be long-lived`);
      if (ps.includes(t)) fail(`${type}: parameter ${name} is listed twice`);
      if (names.includes(name)) fail(`${type}: two parameters are named "${name}"`);
      ps.push(t);
      names.push(name);
    }
    if (ps.length === 0) fail(`${type}: no parameters to optimise`);
    this.params = ps;
    this.names = names;
    this.steps = ps.map(() => 0);
    this.state = ps.map(() => stateNames.map(() => null));
  }

  /** The hyper-parameters, as stateDict() saves them. */
  protected abstract options(): Record<string, number | boolean>;
  protected abstract setOptions(o: Record<string, number | boolean>): void;
  /** The entries of this step (parameters with a gradient; their step counts already advanced). */
  protected abstract entries(): StepEntry[];
  /** The kernel and its shared slots (count and list are filled by the base). */
  protected abstract kernel(): PartKernel;
  protected abstract fillBlock(b: ParamBlock): void;
  /** The TypeScript update of one entry (any FloatArray: the "ts" and "ts64" routes). */
  protected abstract updateTS(e: StepEntry): void;

  /** State tensor k of parameter i, made (zeroed, long-lived, the parameter's shape) on first use. */
  protected stateOf(i: number, k: number): Tensor {
    const row = this.state[i]!;
    let t = row[k];
    if (!t) {
      t = Tensor.longLived(this.params[i]!.shape);
      t.name = `${this.names[i]}.${this.stateNames[k]}`;
      row[k] = t;
    }
    return t;
  }

  /** Parameters that have a gradient now, by index (their step counts are advanced). */
  protected withGrad(): number[] {
    const out: number[] = [];
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (!g) return;
      if (g.size !== p.size) fail(`${this.type}: the gradient of ${this.names[i]} is ${shapeString(g.shape)}, its parameter ${shapeString(p.shape)}`);
      this.steps[i]!++;
      out.push(i);
    });
    return out;
  }

  step(): void {
    const es = this.entries();
    this.stepCount++;
    if (es.length === 0) return;
    const core = nnCore();
    const wasm = core !== null && es.every((e) => e.p.ptr >= 0 && e.g.ptr >= 0 && (e.s1?.ptr ?? 0) >= 0 && (e.s2?.ptr ?? 0) >= 0);
    if (!wasm) {
      for (const e of es) this.updateTS(e);
      return;
    }
    const list = this.listFor(core, es.length);
    const i32 = new Int32Array(core.memory.buffer, list, es.length * NN_OPT_ENTRY_SLOTS);
    const f32 = new Float32Array(core.memory.buffer, list, es.length * NN_OPT_ENTRY_SLOTS);
    let total = 0;
    es.forEach((e, j) => {
      const o = j * NN_OPT_ENTRY_SLOTS;
      i32[o + NN_OPT_E_P] = e.p.ptr;
      i32[o + NN_OPT_E_G] = e.g.ptr;
      i32[o + NN_OPT_E_S1] = e.s1 ? e.s1.ptr : 0;
      i32[o + NN_OPT_E_S2] = e.s2 ? e.s2.ptr : 0;
      i32[o + NN_OPT_E_N] = e.p.size;
      f32[o + NN_OPT_E_F0] = e.f0;
      f32[o + NN_OPT_E_F1] = e.f1;
      f32[o + NN_OPT_E_F2] = e.f2;
      total += e.p.size;
    });
    const b = core.callBlock().set(NN_OPT_COUNT, es.length).set(NN_OPT_LIST, list);
    this.fillBlock(b);
    // about eight operations per element: split over the threads from the engine's parallel threshold
    core.run(this.kernel(), b.ptr, partsFor(core, "nn", total * 8));
  }

  private listFor(core: WasmCore, count: number): number {
    if (this.list && this.list.core !== core) this.list = null;
    if (!this.list) this.list = { core, ptr: core.alloc(Math.max(this.params.length, count) * NN_OPT_ENTRY_SLOTS * 4) };
    return this.list.ptr;
  }

  zeroGrad(): void {
    zeroGrad(this.params);
  }

  dispose(): void {
    for (const row of this.state) {
      for (let k = 0; k < row.length; k++) {
        row[k]?.dispose();
        row[k] = null;
      }
    }
    if (this.list) this.list.core.free(this.list.ptr);
    this.list = null;
  }

  stateDict(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    this.params.forEach((_, i) => {
      steps[this.names[i]!] = this.steps[i]!;
      this.state[i]!.forEach((t, k) => {
        if (t) tensors.set(`${this.names[i]}.${this.stateNames[k]}`, t);
      });
    });
    return { type: this.type, options: this.options(), step: this.stepCount, steps, tensors };
  }

  /** The state as plain JSON (tensors' values as number arrays). */
  toJSON(): OptimizerStateJSON {
    const s = this.stateDict();
    const tensors: OptimizerStateJSON["tensors"] = {};
    for (const [k, t] of s.tensors) tensors[k] = { shape: [...t.shape], data: Array.from(t.data) };
    return { ...s, tensors };
  }

  loadStateDict(s: OptimizerState | OptimizerStateJSON): void {
    const what = `${this.type}.loadStateDict`;
    if (!s || typeof s !== "object") fail(`${what}: expected a saved optimiser state, got ${describeValue(s)}`);
    if (s.type !== this.type) fail(`${what}: the state is of ${describeValue(s.type)}, not ${this.type}`);
    if (!Number.isInteger(s.step) || s.step < 0) fail(`${what}: step must be a non-negative integer, got ${describeValue(s.step)}`);
    const entries: [string, { shape: readonly number[]; data: ArrayLike<number> }][] = s.tensors instanceof Map
      ? [...s.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data }])
      : Object.entries(s.tensors ?? {});
    const known = new Map<string, [number, number]>();
    this.params.forEach((_, i) => this.stateNames.forEach((n, k) => known.set(`${this.names[i]}.${n}`, [i, k])));
    for (const [key] of entries) if (!known.has(key)) fail(`${what}: the state has a tensor "${key}" that belongs to no parameter of this optimiser`);
    for (const name of Object.keys(s.steps ?? {})) {
      if (!this.names.includes(name)) fail(`${what}: the state has a step count for "${name}", which is not a parameter of this optimiser`);
    }
    for (const [key, t] of entries) {
      const [i] = known.get(key)!;
      const p = this.params[i]!;
      const shape = t.shape ?? [];
      if (shape.length !== p.shape.length || shape.some((d, j) => d !== p.shape[j]) || t.data?.length !== p.size) {
        fail(`${what}: "${key}" is ${shapeString(shape)} (${t.data?.length} values), its parameter ${shapeString(p.shape)}`);
      }
    }
    const steps = this.names.map((n) => {
      const v = s.steps?.[n] ?? 0;
      if (!Number.isInteger(v) || v < 0) fail(`${what}: the step count of "${n}" must be a non-negative integer, got ${describeValue(v)}`);
      return v;
    });
    // checked: now write
    this.setOptions(s.options ?? {});
    this.stepCount = s.step;
    steps.forEach((v, i) => (this.steps[i] = v));
    const given = new Set(entries.map(([key]) => key));
    this.state.forEach((row, i) => row.forEach((t, k) => {
      if (t && !given.has(`${this.names[i]}.${this.stateNames[k]}`)) {
        t.dispose();
        row[k] = null;
      }
    }));
    for (const [key, t] of entries) {
      const [i, k] = known.get(key)!;
      const own = this.stateOf(i, k);
      if (own.data !== t.data) own.data.set(t.data);
    }
  }
}

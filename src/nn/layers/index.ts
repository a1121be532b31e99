// The layers, and buildModule: any module rebuilt from its spec() (the architecture saved beside the weights).
import { describeValue, fail } from "../../core/errors.js";
import type { Random } from "../../core/random.js";
import { Module, type ModuleSpec } from "../module.js";
import { GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from "./activation.js";
import { Conv2d, ConvTranspose2d } from "./conv.js";
import { Sequential, Residual } from "./container.js";
import { Linear } from "./dense.js";
import { Dropout } from "./dropout.js";
import { BatchNorm1d, BatchNorm2d } from "./norm.js";
import { AvgPool2d, MaxPool2d } from "./pool.js";
import { Flatten, Reshape } from "./shape.js";
import { defaultRng } from "./util.js";

export { Linear, type LinearOptions } from "./dense.js";
export { Conv2d, ConvTranspose2d, type Conv2dLayerOptions, type ConvTranspose2dLayerOptions } from "./conv.js";
export { MaxPool2d, AvgPool2d, type PoolLayerOptions } from "./pool.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from "./norm.js";
export { Dropout } from "./dropout.js";
export { ActivationModule, ReLU, LeakyReLU, Sigmoid, Tanh, GELU } from "./activation.js";
export { Flatten, Reshape } from "./shape.js";
export { Sequential, Residual } from "./container.js";
export { setInitSeed, type Pair } from "./util.js";

/** Builds a module of one type from its spec; `build` builds the children's. */
export type ModuleBuilder = (spec: ModuleSpec, rng: Random, build: (s: ModuleSpec) => Module) => Module;

type Args = Record<string, unknown>;
const a = (s: ModuleSpec): Args => s.args ?? {};
const only = (s: ModuleSpec, n: number): ModuleSpec[] => {
  const c = s.children ?? [];
  if (c.length !== n) fail(`buildModule: a ${s.type} has ${n} child module${n === 1 ? "" : "s"}, the spec gives ${c.length}`);
  return c;
};

const builders = new Map<string, ModuleBuilder>([
  ["Linear", (s, rng) => new Linear(a(s).inFeatures as number, a(s).outFeatures as number, { ...a(s), rng })],
  ["Conv2d", (s, rng) => new Conv2d(a(s).inChannels as number, a(s).outChannels as number, a(s).kernelSize as number, { ...a(s), rng })],
  ["ConvTranspose2d", (s, rng) => new ConvTranspose2d(a(s).inChannels as number, a(s).outChannels as number, a(s).kernelSize as number, { ...a(s), rng })],
  ["MaxPool2d", (s) => new MaxPool2d(a(s).kernelSize as number, a(s))],
  ["AvgPool2d", (s) => new AvgPool2d(a(s).kernelSize as number, a(s))],
  ["BatchNorm1d", (s) => new BatchNorm1d(a(s).numFeatures as number, a(s))],
  ["BatchNorm2d", (s) => new BatchNorm2d(a(s).numFeatures as number, a(s))],
  ["Dropout", (s, rng) => new Dropout((a(s).p as number | undefined) ?? 0.5, rng)],
  ["ReLU", () => new ReLU()],
  ["LeakyReLU", (s) => new LeakyReLU((a(s).negativeSlope as number | undefined) ?? 0.01)],
  ["Sigmoid", () => new Sigmoid()],
  ["Tanh", () => new Tanh()],
  ["GELU", () => new GELU()],
  ["Flatten", (s) => new Flatten((a(s).startDim as number | undefined) ?? 1, (a(s).endDim as number | undefined) ?? -1)],
  ["Reshape", (s) => new Reshape(a(s).shape as number[])],
  ["Sequential", (s, _rng, build) => new Sequential((s.children ?? []).map(build))],
  ["Residual", (s, _rng, build) => new Residual(build(only(s, 1)[0]!))],
]);

// The arguments each built-in type's spec may carry (a misspelt one is refused rather than silently defaulted).
const conv = ["inChannels", "outChannels", "kernelSize", "stride", "padding", "bias", "init"];
const pool = ["kernelSize", "stride", "padding"];
const bn = ["numFeatures", "eps", "momentum", "affine", "trackRunningStats"];
const ARGS: Record<string, readonly string[]> = {
  Linear: ["inFeatures", "outFeatures", "bias", "activation", "init"], Conv2d: conv, ConvTranspose2d: [...conv, "outputPadding"],
  MaxPool2d: pool, AvgPool2d: pool, BatchNorm1d: bn, BatchNorm2d: bn, Dropout: ["p"], LeakyReLU: ["negativeSlope"],
  Flatten: ["startDim", "endDim"], Reshape: ["shape"],
};

const BUILTIN = new Map(builders);

/** Lets buildModule rebuild modules of a type of your own (estimators register theirs). */
export function registerModule(type: string, build: ModuleBuilder): void {
  if (typeof type !== "string" || type === "") fail(`registerModule: type must be a non-empty string, got ${describeValue(type)}`);
  builders.set(type, build);
}

/**
 * Rebuilds a module from its spec(), with new weights drawn from `rng` (load the saved ones with loadStateDict).
 * Parameter names and shapes are those of the module that wrote the spec.
 */
export function buildModule(spec: ModuleSpec, rng: Random = defaultRng()): Module {
  const build = (s: ModuleSpec): Module => {
    if (!s || typeof s !== "object" || typeof s.type !== "string") fail(`buildModule: expected a module spec {type, args?, children?}, got ${describeValue(s)}`);
    const b = builders.get(s.type);
    if (!b) fail(`buildModule: unknown module type ${describeValue(s.type)} (known: ${[...builders.keys()].join(", ")})`);
    if (s.args !== undefined && (typeof s.args !== "object" || s.args === null || Array.isArray(s.args))) {
      fail(`buildModule: the args of a ${s.type} must be an object, got ${describeValue(s.args)}`);
    }
    const allowed = builders.get(s.type) === BUILTIN.get(s.type) ? ARGS[s.type] ?? [] : null;
    const unknown = allowed ? Object.keys(s.args ?? {}).filter((k) => !allowed.includes(k)) : [];
    if (unknown.length > 0) fail(`buildModule: a ${s.type} has no argument ${describeValue(unknown[0])} (its arguments: ${allowed!.join(", ") || "none"})`);
    if (s.children !== undefined && !Array.isArray(s.children)) fail(`buildModule: the children of a ${s.type} must be a list, got ${describeValue(s.children)}`);
    return b(s, rng, build);
  };
  return build(spec);
}

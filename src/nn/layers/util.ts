// Argument checks shared by the layers (one-line messages naming the layer, the argument and the value).
import { describeValue, fail } from "../../core/errors.js";
import { Random } from "../../core/random.js";
import { INITS, type Init } from "../init.js";
import type { Activation } from "../ops/linear.js";

export type Pair = number | readonly [number, number];

export function int(layer: string, name: string, v: unknown, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) fail(`${layer}: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return v as number;
}

export function pair(layer: string, name: string, v: unknown, min: number): Pair {
  if (Array.isArray(v)) {
    if (v.length !== 2) fail(`${layer}: ${name} must be an integer or a pair of integers, got ${describeValue(v)}`);
    int(layer, name, v[0], min);
    int(layer, name, v[1], min);
    return [v[0] as number, v[1] as number];
  }
  return int(layer, name, v, min);
}

export function bool(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") fail(`${layer}: ${name} must be true or false, got ${describeValue(v)}`);
  return v;
}

export function num(layer: string, name: string, v: unknown, dflt: number, lo: number, hi = Infinity, hiOpen = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    fail(`${layer}: ${name} must be a number in [${lo}, ${hi}${hiOpen ? ")" : "]"}, got ${describeValue(v)}`);
  }
  return v;
}

export function initName(layer: string, v: unknown): Init {
  if (v === undefined) return "default";
  if (!INITS.includes(v as Init)) fail(`${layer}: init must be one of ${INITS.map((s) => `"${s}"`).join(", ")}, got ${describeValue(v)}`);
  return v as Init;
}

export const ACTIVATIONS: readonly Activation[] = ["none", "relu", "leakyRelu", "sigmoid", "tanh", "gelu"];

export function activationName(layer: string, v: unknown): Activation {
  if (v === undefined) return "none";
  if (!ACTIVATIONS.includes(v as Activation)) fail(`${layer}: activation must be one of ${ACTIVATIONS.map((s) => `"${s}"`).join(", ")}, got ${describeValue(v)}`);
  return v as Activation;
}

let shared: Random | null = null;

/**
 * The generator layers draw their initial weights from when not given one: one per process, seeded 42, so a model
 * built the same way in a fresh process gets the same weights (pass `rng` for control; see setInitSeed).
 */
export function defaultRng(): Random {
  return (shared ??= new Random(42));
}

/** Reseeds the generator layers use when they are not given one. */
export function setInitSeed(seed: number): void {
  shared = new Random(seed);
}

export function rngOf(layer: string, v: unknown): Random {
  if (v === undefined) return defaultRng();
  if (!(v instanceof Random)) fail(`${layer}: rng must be a Random, got ${describeValue(v)}`);
  return v;
}

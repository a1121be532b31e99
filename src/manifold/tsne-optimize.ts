// The t-SNE optimiser, shared by fitTransform and transform (as openTSNE shares one gradient descent between an
// embedding and its partial embeddings): gradient descent with momentum and adaptive gains, run in phases of fixed
// exaggeration and momentum, yielding to the event loop and checking for cancellation, and stopping with a clear
// message when the map diverges.
import { Pacer, fail } from "../core/errors.js";

/** Iterations of fixed exaggeration and momentum. */
export interface TSNEPhase {
  name: "early exaggeration" | "main";
  iterations: number;
  /** Factor on the attractive forces (passed to the objective). */
  exaggeration: number;
  momentum: number;
}

/**
 * The objective's gradient at Y, with the attraction times `exaggeration`, written into grad (same layout as Y).
 * Returns the normalisation Z (or any positive number): a non-finite or non-positive value means the map diverged.
 */
export type TSNEObjective = (Y: Float64Array, exaggeration: number, grad: Float64Array) => number;

export interface TSNEOptimizeOptions {
  phases: TSNEPhase[];
  learningRate: number;
  /** Names the work in the messages ("t-SNE", "t-SNE transform"). */
  what: string;
  signal?: AbortSignal;
  /** Called after each step, with the 0-based iteration, its phase and the objective's Z. */
  onStep?: (iteration: number, phase: TSNEPhase, z: number) => void;
}

/**
 * One coordinate's step of gradient descent with momentum and adaptive gains (as scikit-learn): the gain grows by 0.2
 * where the gradient points against the running update and shrinks by 0.8 (floor 0.01) elsewhere. Returns the new
 * update, to add to the coordinate.
 */
export function gainsStep(g: number, t: number, update: Float64Array, gains: Float64Array, momentum: number, lr: number): number {
  const gain = (g > 0) !== (update[t]! > 0) ? gains[t]! + 0.2 : Math.max(gains[t]! * 0.8, 0.01);
  gains[t] = gain;
  return (update[t] = momentum * update[t]! - lr * gain * g);
}

/** Moves Y (in place) through the phases; gains start at 1 and the running update at 0. */
export async function optimizeTSNE(Y: Float64Array, objective: TSNEObjective, o: TSNEOptimizeOptions): Promise<void> {
  const len = Y.length;
  const grad = new Float64Array(len);
  const update = new Float64Array(len);
  const gains = new Float64Array(len).fill(1);
  const lr = o.learningRate;
  const pacer = new Pacer(o.signal, o.what);
  let it = 0;
  for (const phase of o.phases) {
    for (let s = 0; s < phase.iterations; s++, it++) {
      const z = objective(Y, phase.exaggeration, grad);
      if (len > 0 && (!Number.isFinite(z) || !(z > 0))) diverged(o.what, it, lr);
      for (let t = 0; t < len; t++) Y[t]! += gainsStep(grad[t]!, t, update, gains, phase.momentum, lr);
      o.onStep?.(it, phase, z);
      await pacer.tick();
    }
  }
  if (!Y.every(Number.isFinite)) diverged(o.what, it - 1, lr);
}

/** Fails with the message for a map that diverged at 0-based iteration `it`. */
export function diverged(what: string, it: number, lr: number): never {
  return fail(`${what} diverged at iteration ${it + 1}: the map has non-finite coordinates; ` +
    `learningRate=${lr} is too large for this data`);
}

// The optimiser interface: updates parameters in place from their accumulated gradients, outside the tape.
import type { Tensor } from "../tensor.js";

export interface Optimizer {
  /** The learning rate the next step uses (schedules set it). */
  lr: number;
  readonly params: readonly Tensor[];
  /** One update from the parameters' `grad` (parameters without a gradient are skipped). */
  step(): void;
  /** Zeroes every parameter's gradient. */
  zeroGrad(): void;
  /** Frees the optimiser's state (moment estimates). */
  dispose(): void;
  /** The state to resume from: options, step counts and the state tensors by parameter name (see base.ts). */
  stateDict(): OptimizerState;
  /** Restores a state saved by stateDict() (or its toJSON form) of an optimiser of the same type and parameters. */
  loadStateDict(state: OptimizerState | OptimizerStateJSON): void;
}

/** An optimiser's resumable state, with its tensors (long-lived: the optimiser's own, not copies). */
export interface OptimizerState {
  type: string;
  /** The hyper-parameters (lr is the current one, as a schedule left it). */
  options: Record<string, number | boolean>;
  /** Steps taken (calls of step()). */
  step: number;
  /** Per parameter name, the updates it has had (a parameter without a gradient at a step is skipped). */
  steps: Record<string, number>;
  /** State tensors named "<parameter>.<state>", e.g. "0.weight.exp_avg" (PyTorch's state names). */
  tensors: Map<string, Tensor>;
}

/** OptimizerState as plain JSON: tensors as {shape, data}. */
export interface OptimizerStateJSON {
  type: string;
  options: Record<string, number | boolean>;
  step: number;
  steps: Record<string, number>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

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
}

// batchNorm over axis 1 of [N, C] or [N, C, ...spatial]: training mode normalises by the batch's statistics and
// updates the running ones in place (PyTorch's momentum convention, unbiased running variance); eval mode uses the
// running ones. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export interface BatchNormOptions {
  training: boolean;
  /** Default 0.1 (PyTorch's). */
  momentum?: number;
  /** Default 1e-5. */
  eps?: number;
}

export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, runningMean: Tensor | null,
  runningVar: Tensor | null, opts: BatchNormOptions): Tensor {
  return fail("batchNorm is not implemented yet" + String(x) + String(gamma) + String(beta) + String(runningMean) + String(runningVar) + JSON.stringify(opts));
}

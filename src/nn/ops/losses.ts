// Losses, each fused with what precedes it where that is stabler and faster. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export type Reduction = "mean" | "sum";

/** Cross-entropy of softmax(logits [N, C]) against integer class labels; mean over the N rows by default. */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array, reduction: Reduction = "mean"): Tensor {
  return fail("softmaxCrossEntropy" + String(logits) + labels.length + reduction);
}

/** Binary cross-entropy of sigmoid(logits) against targets in [0, 1], same shape; mean over all elements by default. */
export function bceWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = "mean"): Tensor {
  return fail("bceWithLogits" + String(logits) + String(targets) + reduction);
}

/** Mean (or summed) squared error. */
export function mseLoss(pred: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  return fail("mseLoss" + String(pred) + String(target) + reduction);
}

/**
 * KL(N(μ, exp(logVar)) ‖ N(0, I)) = −½ Σ (1 + logVar − μ² − exp(logVar)) over the latent axis (axis 1), then mean
 * over the batch ("mean") or summed ("sum").
 */
export function gaussianKL(mu: Tensor, logVar: Tensor, reduction: Reduction = "mean"): Tensor {
  return fail("gaussianKL" + String(mu) + String(logVar) + reduction);
}

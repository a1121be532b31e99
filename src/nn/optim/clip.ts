// Gradient clipping, in place on the parameters' `grad` (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).
import { fail, describeValue } from "../../core/errors.js";
import { scaleInto, sumSquares } from "../blas1.js";
import { nnCore } from "../storage.js";
import type { Tensor } from "../tensor.js";

function grads(params: Iterable<Tensor>): Tensor[] {
  const out: Tensor[] = [];
  for (const p of params) if (p.grad) out.push(p.grad);
  return out;
}

/**
 * Scales every gradient by maxNorm / (‖g‖ + 1e-6) when that is below 1, ‖g‖ being the norm of all gradients together
 * (L2 by default, or the largest |g| with normType Infinity). Returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType: 2 | typeof Infinity = 2): number {
  if (typeof maxNorm !== "number" || !(maxNorm >= 0) || maxNorm === Infinity) fail(`clipGradNorm: maxNorm must be a finite number >= 0, got ${describeValue(maxNorm)}`);
  if (normType !== 2 && normType !== Infinity) fail(`clipGradNorm: normType must be 2 or Infinity, got ${describeValue(normType)}`);
  const gs = grads(params);
  let total = 0;
  if (normType === 2) {
    for (const g of gs) total += sumSquares(g);
    total = Math.sqrt(total);
  } else {
    for (const g of gs) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) {
        const a = Math.abs(d[i]!);
        if (!(a <= total)) total = Number.isNaN(a) ? NaN : a;
        if (Number.isNaN(total)) break;
      }
    }
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of gs) scaleInto(g, g, coef);
  return total;
}

/** Clamps every gradient element into [−clip, clip]. */
export function clipGradValue(params: Iterable<Tensor>, clip: number): void {
  if (typeof clip !== "number" || !(clip >= 0) || clip === Infinity) fail(`clipGradValue: clip must be a finite number >= 0, got ${describeValue(clip)}`);
  const core = nnCore();
  for (const g of grads(params)) {
    if (core && g.ptr >= 0) {
      core.kernels.nnClamp(g.ptr, g.size, -clip, clip);
      continue;
    }
    const d = g.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i]!, -clip), clip);
  }
}

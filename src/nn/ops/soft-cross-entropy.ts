// Cross-entropy of softmax(logits) against soft (non-negative, unnormalised) targets, along the last axis of [N, C]:
//   loss_r = −Σ_c t_rc · log softmax(x_r)_c = (Σ_c t_rc) · lse(x_r) − Σ_c t_rc x_rc,
// the multinomial negative log-likelihood of a bag of words t (word counts) under the word distribution softmax(x):
// the loss of the "constrained Poisson" / replicated-softmax output of semantic hashing (Salakhutdinov & Hinton),
// whose Poisson rates N·softmax(x) (N the document's length) give the same gradient up to terms free of x.
// With one-hot targets it is softmaxCrossEntropy. Fused (stable log-sum-exp, the probabilities kept for backward):
//   ∂/∂x_rc = (Σ_c' t_rc') · p_rc − t_rc,   ∂/∂t_rc = −log p_rc.
// TypeScript loops over the tensors' data (on the compute core's memory too): the op is memory-bound and a few
// passes over [N, C].
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { Tensor, shapeString } from "../tensor.js";
import type { Reduction } from "./losses.js";

/** −Σ_c t_c log softmax(x)_c per row of logits [N, C] with targets [N, C]; mean over the rows by default. */
export function softTargetCrossEntropy(logits: Tensor, targets: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "softTargetCrossEntropy";
  if (reduction !== "mean" && reduction !== "sum") fail(`${op}: reduction must be "mean" or "sum", got ${describeValue(reduction)}`);
  if (logits.rank !== 2 || logits.shape[1] === 0) fail(`${op} needs logits [N, C] with C ≥ 1, got ${shapeString(logits.shape)}`);
  if (targets.rank !== 2 || targets.shape[0] !== logits.shape[0] || targets.shape[1] !== logits.shape[1]) {
    fail(`${op}: logits and targets must have the same shape, got ${shapeString(logits.shape)} and ${shapeString(targets.shape)}`);
  }
  const n = logits.shape[0]!, c = logits.shape[1]!;
  if (reduction === "mean" && n === 0) fail(`${op}: the mean over no rows is undefined (logits ${shapeString(logits.shape)})`);
  // log-probabilities, kept for backward; per-row target mass
  const logp = Tensor.empty([n, c]);
  const mass = new Float64Array(n);
  const x = logits.data, t = targets.data, lp = logp.data;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const o = r * c;
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, x[o + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x[o + j]! - m);
    const lse = m + Math.log(s);
    let row = 0, tm = 0;
    for (let j = 0; j < c; j++) {
      const l = x[o + j]! - lse;
      lp[o + j] = l;
      const tj = t[o + j]!;
      if (tj !== 0) row -= tj * l;
      tm += tj;
    }
    mass[r] = tm;
    total += row;
  }
  const k = reduction === "mean" ? 1 / n : 1;
  return record(op, [logits, targets], Tensor.from([total * k], []), (g) => {
    const scale = g.data[0]! * k;
    const dx = logits.requiresGrad ? Tensor.empty(logits.shape) : null;
    const dt = targets.requiresGrad ? Tensor.empty(targets.shape) : null;
    const lpd = logp.data, td = targets.data;
    const dxd = dx?.data, dtd = dt?.data;
    for (let r = 0; r < n; r++) {
      const o = r * c, tm = mass[r]!;
      for (let j = 0; j < c; j++) {
        if (dxd) dxd[o + j] = (tm * Math.exp(lpd[o + j]!) - td[o + j]!) * scale;
        if (dtd) dtd[o + j] = -lpd[o + j]! * scale;
      }
    }
    return [dx, dt];
  });
}

// Losses, each fused with what precedes it where that is stabler and faster: softmax cross-entropy from logits (the
// log-sum-exp with the maximum taken out; backward softmax − onehot from the probabilities kept by the forward pass),
// binary cross-entropy from logits in the stable form max(x, 0) − x·t + log(1 + e^−|x|) (backward σ(x) − t), the
// squared error, and the Gaussian KL of a VAE's code. Each returns a scalar tensor (shape []); the kernels are in
// assembly/nn/loss.ts and return their f64 sums.
import { NN_BCE_CHUNK, NN_BCE_DT, NN_BCE_DX, NN_BCE_N, NN_BCE_SCALE, NN_BCE_SUMS, NN_BCE_T, NN_BCE_X } from "../../../assembly/abi.js";
import { partsFor } from "../../core/backend.js";
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";

export type Reduction = "mean" | "sum";

function checkReduction(r: unknown, op: string): void {
  if (r !== "mean" && r !== "sum") fail(`${op}: reduction must be "mean" or "sum", got ${describeValue(r)}`);
}

function sameShape(a: Tensor, b: Tensor, op: string, names: string): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    fail(`${op}: ${names} must have the same shape, got ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  }
}

function scalar(v: number): Tensor {
  return Tensor.from([v], []);
}

/** Whether every tensor is in the compute core's memory. */
function onCore(...ts: Tensor[]): boolean {
  for (const t of ts) if (t.ptr < 0) return false;
  return true;
}

/** Cross-entropy of softmax(logits [N, C]) against integer class labels; mean over the N rows by default. */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array, reduction: Reduction = "mean"): Tensor {
  const op = "softmaxCrossEntropy";
  checkReduction(reduction, op);
  if (logits.rank !== 2 || logits.shape[1] === 0) fail(`${op} needs logits [N, C] with C ≥ 1, got ${shapeString(logits.shape)}`);
  const n = logits.shape[0]!, c = logits.shape[1]!;
  if (!labels || typeof labels.length !== "number" || labels.length !== n) {
    fail(`${op}: ${n} labels expected (one per row of logits ${shapeString(logits.shape)}), got ${labels && typeof labels.length === "number" ? labels.length : describeValue(labels)}`);
  }
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= c) fail(`${op}: labels must be integers in [0, ${c - 1}], got ${describeValue(l)} at row ${i}`);
  }
  if (reduction === "mean" && n === 0) fail(`${op}: the mean over no rows is undefined (logits ${shapeString(logits.shape)})`);
  const p = Tensor.empty([n, c]);
  const core = nnCore();
  let total = 0;
  // the labels as int32 in the core's memory; the tensor is held by the backward below (a raw pointer alone would
  // let the garbage collector free a long-lived block the backward still reads)
  let lab: Tensor | null = null;
  let labPtr = -1;
  if (core && onCore(logits, p)) {
    lab = Tensor.empty([n]);
    labPtr = lab.ptr;
    new Int32Array(core.memory.buffer, labPtr, n).set(labels);
    total = core.kernels.nnCrossEntropyFwd(logits.ptr, labPtr, p.ptr, n, c);
  } else {
    const x = logits.data, pd = p.data;
    for (let r = 0; r < n; r++) {
      const o = r * c;
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, x[o + j]!);
      let s = 0;
      for (let j = 0; j < c; j++) {
        const e = Math.exp(x[o + j]! - m);
        pd[o + j] = e;
        s += e;
      }
      for (let j = 0; j < c; j++) pd[o + j]! /= s;
      total += Math.log(s) + m - x[o + labels[r]!]!;
    }
  }
  const k = reduction === "mean" ? 1 / n : 1;
  return record(op, [logits], scalar(total * k), (g) => {
    const scale = g.data[0]! * k;
    const dx = Tensor.empty([n, c]);
    if (core && lab && onCore(p, dx)) core.kernels.nnCrossEntropyBwd(p.ptr, lab.ptr, dx.ptr, n, c, scale);
    else {
      const pd = p.data, dd = dx.data;
      for (let i = 0; i < pd.length; i++) dd[i] = pd[i]! * scale;
      for (let r = 0; r < n; r++) dd[r * c + labels[r]!]! -= scale;
    }
    return [dx];
  });
}

/** max(x, 0) − x·t + log(1 + e^−|x|). */
function bceTS(x: number, t: number): number {
  return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoidTS(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Binary cross-entropy of sigmoid(logits) against targets in [0, 1], same shape; mean over all elements by default. */
export function bceWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "bceWithLogits";
  checkReduction(reduction, op);
  sameShape(logits, targets, op, "logits and targets");
  const n = logits.size;
  if (reduction === "mean" && n === 0) fail(`${op}: the mean over no elements is undefined`);
  const core = nnCore();
  const wasm = !!core && onCore(logits, targets);
  let total = 0;
  if (core && wasm) {
    // per-chunk sums from a job over the threads, added here in order: the same loss for any number of parts
    const chunks = Math.ceil(n / NN_BCE_CHUNK);
    const sums = Tensor.empty([2 * Math.max(chunks, 1)]);
    const p = core.callBlock().set(NN_BCE_X, logits.ptr).set(NN_BCE_T, targets.ptr).set(NN_BCE_N, n).set(NN_BCE_SUMS, sums.ptr);
    // about 40 operations an element (exp, log1p): split from the engine's parallel threshold
    if (chunks > 0) core.run("nnBceFwdPart", p.ptr, Math.min(chunks, partsFor(core, "nn", n * 8)));
    const f64 = new Float64Array(core.memory.buffer, sums.ptr, chunks);
    for (let c = 0; c < chunks; c++) total += f64[c]!;
  } else {
    const x = logits.data, t = targets.data;
    for (let i = 0; i < n; i++) total += bceTS(x[i]!, t[i]!);
  }
  const k = reduction === "mean" ? 1 / n : 1;
  return record(op, [logits, targets], scalar(total * k), (g) => {
    const scale = g.data[0]! * k;
    const dx = logits.requiresGrad ? Tensor.empty(logits.shape) : null;
    const dt = targets.requiresGrad ? Tensor.empty(targets.shape) : null;
    if (core && wasm && (!dx || dx.ptr >= 0) && (!dt || dt.ptr >= 0)) {
      const p = core.callBlock().set(NN_BCE_X, logits.ptr).set(NN_BCE_T, targets.ptr).set(NN_BCE_N, n)
        .set(NN_BCE_DX, dx ? dx.ptr : 0).set(NN_BCE_DT, dt ? dt.ptr : 0).setF32(NN_BCE_SCALE, scale);
      core.run("nnBceBwdPart", p.ptr, partsFor(core, "nn", n * 8));
    } else {
      const x = logits.data, t = targets.data;
      const dd: FloatArray | undefined = dx?.data, td: FloatArray | undefined = dt?.data;
      for (let i = 0; i < n; i++) {
        if (dd) dd[i] = (sigmoidTS(x[i]!) - t[i]!) * scale;
        if (td) td[i] = -x[i]! * scale;
      }
    }
    return [dx, dt];
  });
}

/** Mean (or summed) squared error. */
export function mseLoss(pred: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "mseLoss";
  checkReduction(reduction, op);
  sameShape(pred, target, op, "pred and target");
  const n = pred.size;
  if (reduction === "mean" && n === 0) fail(`${op}: the mean over no elements is undefined`);
  const core = nnCore();
  const wasm = !!core && onCore(pred, target);
  let total = 0;
  if (core && wasm) total = core.kernels.nnMseFwd(pred.ptr, target.ptr, n);
  else {
    const a = pred.data, b = target.data;
    for (let i = 0; i < n; i++) {
      const d = a[i]! - b[i]!;
      total += d * d;
    }
  }
  const k = reduction === "mean" ? 1 / n : 1;
  return record(op, [pred, target], scalar(total * k), (g) => {
    const scale = g.data[0]! * k;
    const da = pred.requiresGrad ? Tensor.empty(pred.shape) : null;
    const db = target.requiresGrad ? Tensor.empty(target.shape) : null;
    if (core && wasm && (!da || da.ptr >= 0) && (!db || db.ptr >= 0)) {
      core.kernels.nnMseBwd(pred.ptr, target.ptr, da ? da.ptr : 0, db ? db.ptr : 0, n, scale);
    } else {
      const a = pred.data, b = target.data, ad = da?.data, bd = db?.data;
      for (let i = 0; i < n; i++) {
        const d = 2 * (a[i]! - b[i]!) * scale;
        if (ad) ad[i] = d;
        if (bd) bd[i] = -d;
      }
    }
    return [da, db];
  });
}

/**
 * KL(N(μ, exp(logVar)) ‖ N(0, I)) = −½ Σ (1 + logVar − μ² − exp(logVar)) over the latent axis (axis 1), then mean
 * over the batch ("mean") or summed ("sum").
 */
export function gaussianKL(mu: Tensor, logVar: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "gaussianKL";
  checkReduction(reduction, op);
  if (mu.rank < 1) fail(`${op} needs mu and logVar as [N, latent], got ${shapeString(mu.shape)}`);
  sameShape(mu, logVar, op, "mu and logVar");
  const n = mu.size, batch = mu.shape[0]!;
  if (reduction === "mean" && batch === 0) fail(`${op}: the mean over an empty batch is undefined`);
  const core = nnCore();
  const wasm = !!core && onCore(mu, logVar);
  let total = 0;
  if (core && wasm) total = core.kernels.nnKlFwd(mu.ptr, logVar.ptr, n);
  else {
    const m = mu.data, l = logVar.data;
    for (let i = 0; i < n; i++) total += 1 + l[i]! - m[i]! * m[i]! - Math.exp(l[i]!);
  }
  const k = reduction === "mean" ? 1 / batch : 1;
  return record(op, [mu, logVar], scalar(-0.5 * total * k), (g) => {
    const scale = g.data[0]! * k;
    const dm = mu.requiresGrad ? Tensor.empty(mu.shape) : null;
    const dl = logVar.requiresGrad ? Tensor.empty(logVar.shape) : null;
    if (core && wasm && (!dm || dm.ptr >= 0) && (!dl || dl.ptr >= 0)) {
      core.kernels.nnKlBwd(mu.ptr, logVar.ptr, dm ? dm.ptr : 0, dl ? dl.ptr : 0, n, scale);
    } else {
      const m = mu.data, l = logVar.data, md = dm?.data, ld = dl?.data;
      for (let i = 0; i < n; i++) {
        if (md) md[i] = m[i]! * scale;
        if (ld) ld[i] = 0.5 * (Math.exp(l[i]!) - 1) * scale;
      }
    }
    return [dm, dl];
  });
}

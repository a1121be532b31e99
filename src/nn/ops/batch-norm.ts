// batchNorm over axis 1 of [N, C] or [N, C, ...spatial]: training mode normalises by the batch's statistics (mean and
// biased variance over N and the spatial axes) and updates the running ones in place with PyTorch's convention
// (r ← (1 − momentum)·r + momentum·batch, the variance unbiased by M/(M − 1), M = N·spatial); eval mode uses the
// running ones (or the batch's when none are given, as PyTorch without tracked statistics).
// Forward: one stats kernel (two passes: mean, then Σ(x − mean)²), then y = (x − mean)·γ/σ + β in one pass.
// Backward (training), with x̂ = (x − mean)/σ: dβ = Σ g, dγ = Σ g·x̂, dx = γ/σ·(g − dβ/M − x̂·dγ/M), as one pass
// dx = A·g + B·(x − mean) + C over per-channel coefficients; in eval mode dx = g·γ/σ.
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";

export interface BatchNormOptions {
  training: boolean;
  /** Default 0.1 (PyTorch's). */
  momentum?: number;
  /** Default 1e-5. */
  eps?: number;
}

function checkChannels(t: Tensor | null, c: number, what: string, x: Tensor): void {
  if (t && t.size !== c) fail(`batchNorm: ${what} must have ${c} values (the channels of x ${shapeString(x.shape)}), got ${shapeString(t.shape)}`);
}

function statsTS(x: FloatArray, n: number, c: number, s: number, mean: FloatArray, vr: FloatArray): void {
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    let t = 0;
    for (let i = 0; i < n; i++) for (let j = 0, o = (i * c + ch) * s; j < s; j++) t += x[o + j]!;
    const mu = t / m;
    let q = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0, o = (i * c + ch) * s; j < s; j++) {
        const d = x[o + j]! - mu;
        q += d * d;
      }
    }
    mean[ch] = mu;
    vr[ch] = q / m;
  }
}

/** y = (x − mean)·scale + shift per channel (mean, shift null: none). */
function affineTS(x: FloatArray, y: FloatArray, n: number, c: number, s: number, mean: FloatArray | null,
  scale: FloatArray, shift: FloatArray | null): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const mu = mean ? mean[ch]! : 0, a = scale[ch]!, b = shift ? shift[ch]! : 0;
      for (let j = 0, o = (i * c + ch) * s; j < s; j++) y[o + j] = (x[o + j]! - mu) * a + b;
    }
  }
}

function channelAffine(x: Tensor, y: Tensor, n: number, c: number, s: number, mean: Tensor | null, scale: Tensor,
  shift: Tensor | null): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0 && scale.ptr >= 0 && (!mean || mean.ptr >= 0) && (!shift || shift.ptr >= 0)) {
    core.kernels.nnChannelAffine(x.ptr, y.ptr, n, c, s, mean ? mean.ptr : 0, scale.ptr, shift ? shift.ptr : 0);
  } else {
    affineTS(x.data, y.data, n, c, s, mean?.data ?? null, scale.data, shift?.data ?? null);
  }
}

/** sumG = Σ g, sumGX = Σ g·(x − mean) per channel. */
function backwardSums(g: Tensor, x: Tensor, n: number, c: number, s: number, mean: Tensor, sumG: Tensor, sumGX: Tensor): void {
  const core = nnCore();
  if (core && g.ptr >= 0 && x.ptr >= 0 && mean.ptr >= 0) {
    core.kernels.nnBnBwdSums(g.ptr, x.ptr, n, c, s, mean.ptr, sumG.ptr, sumGX.ptr);
    return;
  }
  const gd = g.data, xd = x.data, md = mean.data, sg = sumG.data, sgx = sumGX.data;
  for (let ch = 0; ch < c; ch++) {
    const mu = md[ch]!;
    let a = 0, b = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0, o = (i * c + ch) * s; j < s; j++) {
        a += gd[o + j]!;
        b += gd[o + j]! * (xd[o + j]! - mu);
      }
    }
    sg[ch] = a;
    sgx[ch] = b;
  }
}

export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, runningMean: Tensor | null,
  runningVar: Tensor | null, opts: BatchNormOptions): Tensor {
  if (x.rank < 2) fail(`batchNorm needs x as [N, C] or [N, C, ...spatial], got ${shapeString(x.shape)}`);
  if (typeof opts?.training !== "boolean") fail(`batchNorm: training must be true or false, got ${describeValue(opts?.training)}`);
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
    fail(`batchNorm: momentum must be a number in [0, 1], got ${describeValue(momentum)}`);
  }
  if (typeof eps !== "number" || !(eps > 0 && Number.isFinite(eps))) fail(`batchNorm: eps must be a number > 0, got ${describeValue(eps)}`);
  const n = x.shape[0]!, c = x.shape[1]!;
  const s = n * c === 0 ? 0 : x.size / (n * c);
  checkChannels(gamma, c, "gamma", x);
  checkChannels(beta, c, "beta", x);
  checkChannels(runningMean, c, "runningMean", x);
  checkChannels(runningVar, c, "runningVar", x);
  if (!runningMean !== !runningVar) fail("batchNorm: give both running statistics (runningMean and runningVar) or neither");
  const m = n * s;
  const batchStats = opts.training || !runningMean || !runningVar;
  if (batchStats && m < 2 && opts.training) {
    fail(`batchNorm: training needs more than one value per channel, got x ${shapeString(x.shape)}`);
  }
  const core = nnCore();
  const onCore = (t: Tensor | null): boolean => !t || t.ptr >= 0;
  const wasm = !!core && x.ptr >= 0 && onCore(gamma) && onCore(beta);

  // the statistics used: the batch's, or the running ones (eval)
  let mean: Tensor, vr: Tensor;
  if (batchStats) {
    mean = Tensor.empty([c]);
    vr = Tensor.empty([c]);
    if (core && wasm) core.kernels.nnBnStats(x.ptr, n, c, s, mean.ptr, vr.ptr);
    else statsTS(x.data, n, c, s, mean.data, vr.data);
    if (opts.training && runningMean && runningVar) {
      const rm = runningMean.data, rv = runningVar.data, md = mean.data, vd = vr.data;
      const unbias = m / (m - 1);
      for (let ch = 0; ch < c; ch++) {
        rm[ch] = (1 - momentum) * rm[ch]! + momentum * md[ch]!;
        rv[ch] = (1 - momentum) * rv[ch]! + momentum * vd[ch]! * unbias;
      }
    }
  } else {
    mean = runningMean!;
    vr = runningVar!;
  }
  const invStd = Tensor.empty([c]);
  const scale = Tensor.empty([c]);
  {
    const vd = vr.data, id = invStd.data, sd = scale.data, gd = gamma?.data;
    for (let ch = 0; ch < c; ch++) {
      const inv = 1 / Math.sqrt(vd[ch]! + eps);
      id[ch] = inv;
      sd[ch] = gd ? gd[ch]! * inv : inv;
    }
  }
  const y = Tensor.empty(x.shape);
  channelAffine(x, y, n, c, s, mean, scale, beta);

  const inputs: Tensor[] = [x];
  if (gamma) inputs.push(gamma);
  if (beta) inputs.push(beta);
  return record("batchNorm", inputs, y, (g) => {
    const needParams = !!gamma?.requiresGrad || !!beta?.requiresGrad;
    let sumG: Tensor | null = null, sumGX: Tensor | null = null;
    if (needParams || (batchStats && x.requiresGrad)) {
      sumG = Tensor.empty([c]);
      sumGX = Tensor.empty([c]);
      backwardSums(g, x, n, c, s, mean, sumG, sumGX);
    }
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = Tensor.empty(x.shape);
      if (!batchStats) channelAffine(g, dx, n, c, s, null, scale, null);
      else {
        const A = scale;
        const B = Tensor.empty([c]), C = Tensor.empty([c]);
        const bd = B.data, cd = C.data, ad = A.data, id = invStd.data, sg = sumG!.data, sgx = sumGX!.data;
        for (let ch = 0; ch < c; ch++) {
          const k = ad[ch]!, inv = id[ch]!;
          bd[ch] = (-k * inv * inv * sgx[ch]!) / m;
          cd[ch] = (-k * sg[ch]!) / m;
        }
        if (core && g.ptr >= 0 && x.ptr >= 0 && dx.ptr >= 0 && mean.ptr >= 0) {
          core.kernels.nnBnBwdDx(g.ptr, x.ptr, dx.ptr, n, c, s, mean.ptr, A.ptr, B.ptr, C.ptr);
        } else {
          const gd = g.data, xd = x.data, dd = dx.data, md = mean.data;
          for (let i = 0; i < n; i++) {
            for (let ch = 0; ch < c; ch++) {
              const a = ad[ch]!, b = bd[ch]!, cc = cd[ch]!, mu = md[ch]!;
              for (let j = 0, o = (i * c + ch) * s; j < s; j++) dd[o + j] = a * gd[o + j]! + b * (xd[o + j]! - mu) + cc;
            }
          }
        }
      }
    }
    const out: (Tensor | null)[] = [dx];
    if (gamma) {
      let dg: Tensor | null = null;
      if (gamma.requiresGrad) {
        dg = Tensor.empty(gamma.shape);
        const dd = dg.data, id = invStd.data, sgx = sumGX!.data;
        for (let ch = 0; ch < c; ch++) dd[ch] = sgx[ch]! * id[ch]!;
      }
      out.push(dg);
    }
    if (beta) out.push(beta.requiresGrad ? (sumG ? sumG.view(beta.shape) : null) : null);
    return out;
  });
}

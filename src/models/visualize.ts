// Understanding what a trained CNNClassifier's layers respond to, four ways:
//
// - filterImages: the first layer's kernels drawn as images (Krizhevsky et al. 2012 fig. 3; Zeiler & Fergus 2014),
//   each scaled on its own so that 0 is mid-grey and its largest |weight| is black or white.
// - topActivating: the dataset view of a unit, the k (9) images of a data set that excite it most (Zeiler & Fergus
//   2014; Yosinski et al. 2015 "Understanding neural networks through deep visualization", fig. 4). A unit of a
//   feature map [C, H, W] is a channel, scored by its largest value over the positions (the strongest local match:
//   "max", the default) or their mean ("mean"); a unit of a flat layer is one feature.
// - maximizeActivation: activation maximisation (Erhan et al. 2009; Simonyan et al. 2014, section 2; Yosinski et
//   al. 2015, section 3): gradient ascent on the input image, from small noise around mid-grey, on the unit's mean
//   over the positions (Olah et al. 2017's "channel objective"; "max" and "center" on request). Unregularised ascent
//   gives high-frequency patterns no image holds; following Yosinski et al., each step is taken at a randomly shifted
//   copy of the image (jitter), followed by L2 decay towards the centre of the range (x ← c + (1 − λ)(x − c)), a
//   Gaussian blur every few steps, and clipping to the valid input range. The gradient is scaled to unit RMS before
//   the step, so that `lr` is in pixel units whatever the unit's scale. Several units ascend together as the rows of
//   one batch (rows are independent in eval mode).
// - saliency: Simonyan et al. 2014, section 3: |∂ S_c / ∂ x| for the class score S_c (the logit, before the
//   softmax) of the predicted class (or a given one), the maximum over the channels at each pixel; optionally
//   SmoothGrad (Smilkov et al. 2017): the mean map over noisy copies of the image, which removes much of the speckle.
//
// Every gradient here is taken with respect to the input only: the network's parameters are set not to require grad
// for the duration (no weight gradients computed, none left behind in their .grad).
import { CancelledError, describeValue, fail } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { backward, noGrad, tidy } from "../nn/autograd.js";
import { Tensor } from "../nn/tensor.js";
import type { CNNClassifier } from "./cnn.js";

/** Rows per forward pass in topActivating and saliency. */
const CHUNK = 256;

/** How a unit of a feature map is scored: the max or the mean of its channel over the positions, or the centre value. */
export type UnitScore = "max" | "mean" | "center";

/** The layer's index, its output shape per image and its number of units (channels of a map, features of a vector). */
function unitsOf(model: CNNClassifier, layer: string, what: string): { index: number; shape: readonly number[]; units: number } {
  if (typeof layer !== "string") fail(`${what}: layer must be a layer name (${model.layerNames.join(", ")}), got ${describeValue(layer)}`);
  const index = model.layerIndex(layer);
  const shape = index < 0 ? model.imageShape : model.layers[index]!.outShape;
  return { index, shape, units: shape[0]! };
}

function checkUnit(unit: unknown, units: number, layer: string, shape: readonly number[], what: string): number {
  if (typeof unit !== "number" || !Number.isSafeInteger(unit) || unit < 0 || unit >= units) {
    const kind = shape.length === 3 ? "channels" : "features";
    fail(`${what}: unit ${describeValue(unit)} is out of range: layer ${layer} has ${units} ${kind} (0 to ${units - 1})`);
  }
  return unit;
}

function checkScore(score: unknown, what: string): UnitScore {
  if (score !== "max" && score !== "mean" && score !== "center") fail(`${what}: score must be "max", "mean" or "center", got ${describeValue(score)}`);
  return score;
}

/** Runs fn with the network's parameters not requiring grad (gradients with respect to the input only). */
function inputGradOnly<T>(model: CNNClassifier, fn: () => T): T {
  const params = model.network.parameters();
  const before = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return fn();
  } finally {
    params.forEach((p, i) => { p.requiresGrad = before[i]!; });
  }
}

/**
 * The score of `unit` in each row of a layer output `out` ([n, C, H, W] or [n, F]), and (with `seed`) the gradient
 * of the sum of the scores with respect to `out` written into seed (zeros elsewhere).
 */
function scoreUnit(out: Float32Array | Float64Array, n: number, shape: readonly number[], unit: number | ArrayLike<number>, score: UnitScore,
  seed?: Float32Array | Float64Array): Float64Array {
  const per = out.length / n;
  const res = new Float64Array(n);
  const spatial = shape.length === 3;
  const hw = spatial ? shape[1]! * shape[2]! : 1;
  for (let i = 0; i < n; i++) {
    const u = typeof unit === "number" ? unit : unit[i]!;
    const base = i * per + u * hw;
    if (!spatial) {
      res[i] = out[base]!;
      if (seed) seed[base] = 1;
      continue;
    }
    if (score === "mean") {
      let s = 0;
      for (let p = 0; p < hw; p++) s += out[base + p]!;
      res[i] = s / hw;
      if (seed) for (let p = 0; p < hw; p++) seed[base + p] = 1 / hw;
    } else if (score === "max") {
      let b = 0;
      for (let p = 1; p < hw; p++) if (out[base + p]! > out[base + b]!) b = p;
      res[i] = out[base + b]!;
      if (seed) seed[base + b] = 1;
    } else {
      const p = Math.floor(shape[1]! / 2) * shape[2]! + Math.floor(shape[2]! / 2);
      res[i] = out[base + p]!;
      if (seed) seed[base + p] = 1;
    }
  }
  return res;
}

export interface FilterImages {
  /** One image per filter: channels·kh·kw values (channel-major), scaled to [0, 1]. */
  images: Float32Array[];
  /** [kh, kw] of each channel of a filter. */
  shape: [number, number];
  /** Input channels of each filter (1 for grey images). */
  channels: number;
  /** The layer they belong to. */
  layer: string;
}

/**
 * The kernels of a convolution (default: the first) as images, one per output channel, each scaled on its own for
 * display: "symmetric" (default) maps 0 to 0.5 and ±max|w| of the filter to 0 and 1 (sign and zero stay readable);
 * "minmax" maps the filter's min and max to 0 and 1.
 */
export function filterImages(model: CNNClassifier, layer?: string, o: { normalize?: "symmetric" | "minmax" } = {}): FilterImages {
  const plans = model.layers;
  const name = layer ?? plans.find((p) => p.kind === "conv")?.name;
  if (name === undefined) fail(`filterImages: this CNNClassifier has no convolution (layers: ${model.layerNames.join(", ")})`);
  const i = model.layerIndex(name);
  const plan = plans[i];
  if (!plan || plan.kind !== "conv") fail(`filterImages: layer ${describeValue(name)} is a ${plan?.kind ?? "features"} layer, not a convolution (convolutions: ${plans.filter((p) => p.kind === "conv").map((p) => p.name).join(", ")})`);
  const normalize = o.normalize ?? "symmetric";
  if (normalize !== "symmetric" && normalize !== "minmax") fail(`filterImages: normalize must be "symmetric" or "minmax", got ${describeValue(normalize)}`);
  const weight = (model.network.at(i) as unknown as { weight: Tensor }).weight;
  const [O, C, kh, kw] = weight.shape as [number, number, number, number];
  const w = weight.data;
  const per = C * kh * kw;
  const images: Float32Array[] = [];
  for (let f = 0; f < O; f++) {
    const src = w.subarray(f * per, (f + 1) * per);
    const img = new Float32Array(per);
    let lo = Infinity, hi = -Infinity, m = 0;
    for (const v of src) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      m = Math.max(m, Math.abs(v));
    }
    for (let j = 0; j < per; j++) {
      img[j] = normalize === "symmetric" ? (m > 0 ? 0.5 + src[j]! / (2 * m) : 0.5) : hi > lo ? (src[j]! - lo) / (hi - lo) : 0.5;
    }
    images.push(img);
  }
  return { images, shape: [kh, kw], channels: C, layer: name };
}

/**
 * The k rows of X that excite `unit` of `layer` most, best first (ties: the lower row), and their scores. A unit of a
 * feature map is a channel, scored by its maximum over the positions (score "max", the default) or its mean.
 */
export function topActivating(model: CNNClassifier, X: MatrixLike, layer: string, unit: number, k = 9,
  o: { score?: UnitScore } = {}): { index: Int32Array; activation: Float64Array } {
  return topActivatingUnits(model, X, layer, [unit], k, o)[0]!;
}

/** topActivating for several units of one layer, from one pass over X. */
export function topActivatingUnits(model: CNNClassifier, X: MatrixLike, layer: string, units: readonly number[], k = 9,
  o: { score?: UnitScore } = {}): { index: Int32Array; activation: Float64Array }[] {
  const what = "topActivating";
  if (!Number.isSafeInteger(k) || k < 1) fail(`${what}: k must be an integer >= 1, got ${describeValue(k)}`);
  const all = unitActivations(model, X, layer, units, o.score ?? "max", what);
  return all.map((scores) => {
    const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
    return { index: Int32Array.from(order), activation: Float64Array.from(order, (i) => scores[i]!) };
  });
}

/** The score of `unit` of `layer` for every row of X (chunked forward passes without the tape). */
export function activations(model: CNNClassifier, X: MatrixLike, layer: string, unit: number, score: UnitScore = "max"): Float64Array {
  return unitActivations(model, X, layer, [unit], score, "activations")[0]!;
}

/** The scores of several units of one layer for every row of X, from one pass. */
export function unitActivations(model: CNNClassifier, X: MatrixLike, layer: string, units: readonly number[], score: UnitScore = "max",
  what = "unitActivations"): Float64Array[] {
  const { shape, units: nUnits } = unitsOf(model, layer, what);
  if (!Array.isArray(units) || units.length === 0) fail(`${what}: give at least one unit, got ${describeValue(units)}`);
  for (const u of units) checkUnit(u, nUnits, layer, shape, what);
  checkScore(score, what);
  const M = toMatrix(X, "X", "float32");
  if (M.cols !== model.nFeatures) fail(`${what}: X has ${M.cols} columns, but the model takes images of ${model.nFeatures} values`);
  const d = M.cols;
  const out = units.map(() => new Float64Array(M.rows));
  for (let s = 0; s < M.rows; s += CHUNK) {
    const e = Math.min(M.rows, s + CHUNK);
    tidy(() => noGrad(() => {
      const y = model.forward(Tensor.from(M.data.subarray(s * d, e * d), [e - s, d]), layer).data;
      units.forEach((u, j) => out[j]!.set(scoreUnit(y, e - s, shape, u, score), s));
    }));
  }
  return out;
}

export interface MaximizeOptions {
  /** Gradient steps (default 200). */
  steps?: number;
  /** Step size in input units, the gradient scaled to unit RMS (default 0.05). */
  lr?: number;
  /** L2 decay per step towards the centre of the range: x ← c + (1 − l2)(x − c) (default 0.01; 0: none). */
  l2?: number;
  /** Blur every this many steps (default 4; 0: never). */
  blurEvery?: number;
  /** σ of the Gaussian blur in pixels (default 0.5). */
  blurSigma?: number;
  /** Largest random shift in pixels of the copy each step's gradient is taken at (default 1; 0: none). */
  jitter?: number;
  /** Valid input range the image is clipped to after each step (default [0, 1]). */
  clip?: [number, number];
  /** σ of the starting noise around the centre of the range (default 0.05 of its width). */
  noise?: number;
  /** The unit's objective on feature maps: "mean" over positions (default), "max", or the "center" position. */
  score?: UnitScore;
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface Maximized {
  /** The image (c·h·w values, as a row of X). */
  image: Float32Array;
  /** The unit's objective at the final image (without jitter). */
  activation: number;
  /** The unit's objective at the starting noise. */
  start: number;
}

/** Activation maximisation of one unit (see maximizeActivations and the file header). */
export function maximizeActivation(model: CNNClassifier, layer: string, unit: number, o: MaximizeOptions = {}): Maximized {
  return maximizeActivations(model, layer, [unit], o)[0]!;
}

function checkNumber(v: unknown, name: string, o: { min?: number; integer?: boolean; gtZero?: boolean } = {}): number {
  const bad = typeof v !== "number" || !Number.isFinite(v) || (o.integer && !Number.isSafeInteger(v)) || (o.min !== undefined && v < o.min) || (o.gtZero && !(v > 0));
  if (bad) fail(`maximizeActivation: ${name} must be ${o.integer ? "an integer" : "a number"}${o.gtZero ? " > 0" : o.min !== undefined ? ` >= ${o.min}` : ""}, got ${describeValue(v)}`);
  return v as number;
}

/**
 * Activation maximisation of several units of one layer at once (one image each, as the rows of one batch): `steps`
 * steps of normalised gradient ascent at a jittered copy, L2 decay, a blur every `blurEvery` steps, clipping.
 * Progress reports the mean objective over the units.
 */
export function maximizeActivations(model: CNNClassifier, layer: string, units: readonly number[], o: MaximizeOptions = {}): Maximized[] {
  const what = "maximizeActivation";
  const { shape: outShape, units: nUnits } = unitsOf(model, layer, what);
  if (!Array.isArray(units) || units.length === 0) fail(`${what}: give at least one unit, got ${describeValue(units)}`);
  for (const u of units) checkUnit(u, nUnits, layer, outShape, what);
  const steps = checkNumber(o.steps ?? 200, "steps", { integer: true, min: 0 });
  const lr = checkNumber(o.lr ?? 0.05, "lr", { gtZero: true });
  const l2 = checkNumber(o.l2 ?? 0.01, "l2", { min: 0 });
  if (l2 >= 1) fail(`maximizeActivation: l2 must be below 1 (the fraction of x − c removed each step), got ${l2}`);
  const blurEvery = checkNumber(o.blurEvery ?? 4, "blurEvery", { integer: true, min: 0 });
  const blurSigma = checkNumber(o.blurSigma ?? 0.5, "blurSigma", { min: 0 });
  const jitter = checkNumber(o.jitter ?? 1, "jitter", { integer: true, min: 0 });
  const clip = o.clip ?? [0, 1];
  if (!Array.isArray(clip) || clip.length !== 2 || !clip.every(Number.isFinite) || !(clip[1] > clip[0])) {
    fail(`${what}: clip must be [lo, hi] with lo < hi, got ${describeValue(clip)}`);
  }
  const [lo, hi] = clip;
  const center = (lo + hi) / 2;
  const noise = checkNumber(o.noise ?? 0.05 * (hi - lo), "noise", { min: 0 });
  const score = checkScore(o.score ?? "mean", what);
  const rng = new Random(o.seed ?? 0);
  const [c, h, w] = model.imageShape;
  const d = c * h * w;
  const n = units.length;
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi, Math.max(lo, center + noise * rng.normal()));
  const shifted = new Float32Array(n * d);
  const grad = new Float32Array(n * d);
  const shifts = new Int32Array(2 * n);
  const kernel = gaussianKernel(blurSigma);

  /** The objective of each row at `input`; with `g`, its gradient with respect to the input into g. */
  const evaluate = (input: Float32Array, g?: Float32Array): Float64Array => tidy(() => {
    if (!g) return noGrad(() => scoreUnit(model.forward(Tensor.from(input, [n, d]), layer).data, n, outShape, units, score));
    return inputGradOnly(model, () => {
      const xt = Tensor.from(input, [n, d]);
      xt.requiresGrad = true;
      const out = model.forward(xt, layer);
      const seed = Tensor.zeros(out.shape);
      const s = scoreUnit(out.data, n, outShape, units, score, seed.data);
      if (out.requiresGrad && out.node) {
        backward(out, seed);
        g.set(xt.grad!.data);
      } else g.fill(0);
      return s;
    });
  });

  const start = evaluate(x);
  for (let step = 0; step < steps; step++) {
    if (o.signal?.aborted) throw new CancelledError("maximizeActivation was cancelled");
    for (let r = 0; r < n; r++) {
      shifts[2 * r] = jitter > 0 ? rng.int(2 * jitter + 1) - jitter : 0;
      shifts[2 * r + 1] = jitter > 0 ? rng.int(2 * jitter + 1) - jitter : 0;
    }
    roll(x, shifted, n, c, h, w, shifts, 1);
    const s = evaluate(shifted, grad);
    // the gradient at the shifted copy, shifted back
    roll(grad, shifted, n, c, h, w, shifts, -1);
    for (let r = 0; r < n; r++) {
      let ss = 0;
      for (let j = r * d; j < (r + 1) * d; j++) ss += shifted[j]! * shifted[j]!;
      const scale = ss > 0 ? lr / Math.sqrt(ss / d) : 0;
      for (let j = r * d; j < (r + 1) * d; j++) {
        const v = center + (1 - l2) * (x[j]! + scale * shifted[j]! - center);
        x[j] = v;
      }
    }
    if (blurEvery > 0 && kernel.length > 1 && (step + 1) % blurEvery === 0) gaussianBlur(x, n * c, h, w, kernel);
    for (let j = 0; j < x.length; j++) x[j] = Math.min(hi, Math.max(lo, x[j]!));
    if (o.onProgress) {
      let m = 0;
      for (const v of s) m += v / n;
      o.onProgress({ stage: `maximizing ${layer}`, step: step + 1, total: steps, metrics: { activation: m } });
    }
  }
  const end = evaluate(x);
  return units.map((_, r) => ({ image: x.slice(r * d, (r + 1) * d), activation: end[r]!, start: start[r]! }));
}

/** Circular shift of each of n images [c, h, w] by (dir·dy, dir·dx) from `shifts` (dy, dx per image), src → dst. */
export function roll(src: Float32Array, dst: Float32Array, n: number, c: number, h: number, w: number, shifts: Int32Array, dir: 1 | -1): void {
  const d = c * h * w;
  for (let r = 0; r < n; r++) {
    const dy = ((dir * shifts[2 * r]!) % h + h) % h, dx = ((dir * shifts[2 * r + 1]!) % w + w) % w;
    for (let ch = 0; ch < c; ch++) {
      const base = r * d + ch * h * w;
      for (let y = 0; y < h; y++) {
        const ty = (y + dy) % h;
        for (let xx = 0; xx < w; xx++) dst[base + ty * w + ((xx + dx) % w)] = src[base + y * w + xx]!;
      }
    }
  }
}

/** A normalised 1-D Gaussian of σ (radius ⌈3σ⌉; [1] for σ = 0). */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma > 0)) return Float64Array.of(1);
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Separable Gaussian blur in place of `planes` planes h×w, edges clamped (a constant image stays constant). */
export function gaussianBlur(x: Float32Array, planes: number, h: number, w: number, kernel: Float64Array): void {
  const r = (kernel.length - 1) / 2;
  const tmp = new Float64Array(h * w);
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let s = 0;
        for (let t = -r; t <= r; t++) s += kernel[t + r]! * x[base + y * w + Math.min(w - 1, Math.max(0, xx + t))]!;
        tmp[y * w + xx] = s;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let s = 0;
        for (let t = -r; t <= r; t++) s += kernel[t + r]! * tmp[Math.min(h - 1, Math.max(0, y + t)) * w + xx]!;
        x[base + y * w + xx] = s;
      }
    }
  }
}

/**
 * Saliency maps (Simonyan et al. 2014): for each row of X, |∂ S_c / ∂ x| with S_c the logit of class c (an index
 * into model.classes: `classIndex[i]` per row, or the predicted class), the maximum over the channels: one value per
 * pixel (h·w columns). With `noise` > 0, SmoothGrad (Smilkov et al. 2017): the mean of the maps of `samples` copies
 * x + N(0, noise²) (drawn per copy in row order from `seed`), for the class of the clean image.
 */
export function saliency(model: CNNClassifier, X: MatrixLike, classIndex?: ArrayLike<number>, o: SmoothOptions = {}): Matrix {
  const M = toMatrix(X, "X", "float32");
  if (M.cols !== model.nFeatures) fail(`saliency: X has ${M.cols} columns, but the model takes images of ${model.nFeatures} values`);
  const K = model.classes.length;
  if (classIndex !== undefined) {
    if (classIndex === null || typeof classIndex !== "object" || classIndex.length !== M.rows) {
      fail(`saliency: classIndex must give one class index per row of X (${M.rows}), got ${describeValue(classIndex)}`);
    }
    for (let i = 0; i < M.rows; i++) {
      const k = classIndex[i];
      if (typeof k !== "number" || !Number.isSafeInteger(k) || k < 0 || k >= K) fail(`saliency: classIndex[${i}] is ${describeValue(k)}: expected an index into the ${K} classes (0 to ${K - 1})`);
    }
  }
  const samples = o.samples ?? 1, noise = o.noise ?? 0;
  if (!Number.isSafeInteger(samples) || samples < 1) fail(`saliency: samples must be an integer >= 1, got ${describeValue(samples)}`);
  if (typeof noise !== "number" || !(noise >= 0) || !Number.isFinite(noise)) fail(`saliency: noise must be a number >= 0, got ${describeValue(noise)}`);
  if (noise === 0) return plainSaliency(model, M, classIndex);
  // SmoothGrad: the class of the clean image, the maps of noisy copies averaged
  const classes = classIndex ?? argmaxRows(model.decisionFunction(M));
  const rng = new Random(o.seed ?? 0);
  const out = Matrix.zeros(M.rows, model.imageShape[1] * model.imageShape[2], "float32");
  const noisy = new Matrix(M.rows, M.cols, new Float32Array(M.data.length));
  for (let t = 0; t < samples; t++) {
    for (let j = 0; j < M.data.length; j++) noisy.data[j] = M.data[j]! + noise * rng.normal();
    const S = plainSaliency(model, noisy, classes);
    for (let j = 0; j < out.data.length; j++) out.data[j]! += S.data[j]! / samples;
  }
  return out;
}

/** Options of saliency: SmoothGrad (Smilkov et al. 2017), the mean map over noisy copies x + N(0, noise²). */
export interface SmoothOptions {
  /** Noisy copies averaged (default 1). */
  samples?: number;
  /** σ of the Gaussian noise in input units (default 0: the plain map; e.g. 0.1 to 0.2 of the range). */
  noise?: number;
  seed?: number;
}

function argmaxRows(S: Matrix): Int32Array {
  const out = new Int32Array(S.rows);
  for (let i = 0; i < S.rows; i++) {
    let b = 0;
    for (let j = 1; j < S.cols; j++) if (S.data[i * S.cols + j]! > S.data[i * S.cols + b]!) b = j;
    out[i] = b;
  }
  return out;
}

/** |∂ S_c / ∂ x|, max over channels, for checked rows and classes (the predicted ones when not given). */
function plainSaliency(model: CNNClassifier, M: Matrix, classIndex?: ArrayLike<number>): Matrix {
  const K = model.classes.length;
  const [c, h, w] = model.imageShape;
  const d = c * h * w, hw = h * w;
  const out = Matrix.zeros(M.rows, hw, "float32");
  for (let s = 0; s < M.rows; s += CHUNK) {
    const e = Math.min(M.rows, s + CHUNK);
    const n = e - s;
    tidy(() => inputGradOnly(model, () => {
      const xt = Tensor.from(M.data.subarray(s * d, e * d), [n, d]);
      xt.requiresGrad = true;
      const logits = model.forward(xt);
      const seed = Tensor.zeros(logits.shape);
      const L = logits.data;
      for (let i = 0; i < n; i++) {
        let k: number;
        if (classIndex) k = classIndex[s + i]!;
        else {
          k = 0;
          for (let j = 1; j < K; j++) if (L[i * K + j]! > L[i * K + k]!) k = j;
        }
        seed.data[i * K + k] = 1;
      }
      backward(logits, seed);
      const g = xt.grad!.data;
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < hw; p++) {
          let m = 0;
          for (let ch = 0; ch < c; ch++) m = Math.max(m, Math.abs(g[i * d + ch * hw + p]!));
          out.data[(s + i) * hw + p] = m;
        }
      }
    }));
  }
  return out;
}

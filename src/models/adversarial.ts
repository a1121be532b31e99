// Adversarial examples against a trained CNNClassifier: small L∞-bounded changes of the input that change the
// prediction.
// - FGSM, the fast gradient sign method (Goodfellow, Shlens & Szegedy, "Explaining and harnessing adversarial
//   examples", ICLR 2015): one step x' = clip(x + ε·sign(∇ₓ L(x, y))), the first-order maximiser of the loss in the
//   L∞ ball of radius ε.
// - PGD, projected gradient descent (Madry, Makelov, Schmidt, Tsipras & Vladu, "Towards deep learning models resistant
//   to adversarial attacks", ICLR 2018): from a uniform random start in the ball, `steps` steps
//   x ← Π(x + α·sign(∇ₓ L)), each projected back into the ball around the original image and into the valid range.
// - Targeted variants (Kurakin, Goodfellow & Bengio 2017) descend the loss of a chosen target class instead:
//   x ← Π(x − α·sign(∇ₓ L(x, target))).
// L is the softmax cross-entropy of the logits (summed over rows, so each row's gradient is its own); the gradient
// w.r.t. the input comes from the engine's autograd through CNNClassifier.forward (eval mode: running batch-norm
// statistics, no dropout). The network's parameters are taken off the tape for an attack (their gradients are not
// needed, and are neither computed nor accumulated), so an attack in the middle of training leaves them untouched.
// Rows are attacked in chunks, each gradient evaluation in its own tidy() scope.
// adversarialBatch is the same attack on a raw network, for adversarial training (CNNClassifier's `adversarial`
// option: a fraction of every batch replaced by adversarial copies made against the current weights).
import { describeValue, fail } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import type { Label } from "../linear/labels.js";
import { backward, tidy } from "../nn/autograd.js";
import { softmaxCrossEntropy } from "../nn/ops/losses.js";
import { Tensor } from "../nn/tensor.js";
import type { CNNClassifier } from "./cnn.js";

export interface AttackOptions {
  /** L∞ radius, in input units (pixels in [0, 1]). */
  eps: number;
  /** Default false: untargeted (raise the loss of the true label). True: lower the loss of `target`. */
  targeted?: boolean;
  /** Class INDEX (into model.classes) per row or for all rows, when targeted. */
  target?: ArrayLike<number> | number;
  /** Valid input range, default [0, 1]: every adversarial pixel is clipped into it. */
  clip?: [number, number];
  /** Called after each chunk of rows (stage "attack", step = rows done). */
  onProgress?: (p: Progress) => void;
}

export interface PGDOptions extends AttackOptions {
  /** Gradient steps (default 10). */
  steps?: number;
  /** Step size (default 2.5·eps/steps, Madry et al.'s choice). */
  alpha?: number;
  /** Start from a uniform random point of the ε-ball (default true). */
  randomStart?: boolean;
  /** Seed of the random start (default 0). */
  seed?: number;
}

/** What one attack does, checked: FGSM is one step of size ε from the image itself. */
export interface AttackSpec {
  eps: number;
  steps: number;
  alpha: number;
  randomStart: boolean;
  targeted: boolean;
  lo: number;
  hi: number;
}

/** Rows attacked at once (one forward and backward pass each step). */
const CHUNK = 256;

/**
 * The gradient of the summed cross-entropy w.r.t. the input rows x [n, d] (written into `grad`), and the loss. The
 * network's parameters must be off the tape (withoutParameterGrads), or their gradients accumulate.
 */
function lossAndGrad(forward: (x: Tensor) => Tensor, x: Float32Array, n: number, d: number, labels: Int32Array, grad: Float32Array): number {
  return tidy(() => {
    const t = Tensor.from(x, [n, d]);
    t.requiresGrad = true;
    const loss = softmaxCrossEntropy(forward(t), labels, "sum");
    const v = loss.item();
    backward(loss);
    grad.set(t.grad!.data);
    return v;
  });
}

/** Runs fn with the parameters' requiresGrad off (restored after): backward then computes input gradients only. */
function withoutParameterGrads<T>(params: readonly Tensor[], fn: () => T): T {
  const before = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return fn();
  } finally {
    params.forEach((p, i) => { p.requiresGrad = before[i]!; });
  }
}

/**
 * Adversarial copies of rows x [n, d] into out (may not alias x): `steps` signed-gradient steps of size alpha, each
 * projected into [x − eps, x + eps] ∩ [lo, hi]. labels: the true class (untargeted) or the target (targeted).
 */
function attackRows(forward: (x: Tensor) => Tensor, x: Float32Array, n: number, d: number, labels: Int32Array, s: AttackSpec,
  rng: Random | null, out: Float32Array, grad: Float32Array): void {
  const m = n * d;
  const { eps, lo, hi } = s;
  const sign = s.targeted ? -1 : 1;
  for (let i = 0; i < m; i++) {
    const v = s.randomStart && rng ? x[i]! + eps * (2 * rng.uniform() - 1) : x[i]!;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  const g = grad.subarray(0, m);
  for (let t = 0; t < s.steps; t++) {
    lossAndGrad(forward, out.subarray(0, m), n, d, labels, g);
    const step = sign * s.alpha;
    for (let i = 0; i < m; i++) {
      const gi = g[i]!;
      let v = out[i]! + (gi > 0 ? step : gi < 0 ? -step : 0);
      const x0 = x[i]!;
      if (v < x0 - eps) v = x0 - eps;
      else if (v > x0 + eps) v = x0 + eps;
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/**
 * Adversarial training's attack: rows x [n, d] of a batch (float32, channel-major images) against a network `forward`
 * (the caller puts it in the mode it wants) with parameters `params`, written into out. For CNNClassifier.train.
 */
export function adversarialBatch(forward: (x: Tensor) => Tensor, params: readonly Tensor[], x: Float32Array, n: number, d: number,
  labels: Int32Array, s: AttackSpec, rng: Random, out: Float32Array): void {
  const grad = new Float32Array(n * d);
  withoutParameterGrads(params, () => attackRows(forward, x, n, d, labels, s, rng, out, grad));
}

/** The class index of each label of y in the model's classes (a label it does not know is an error). */
export function labelIndices(model: CNNClassifier, y: ArrayLike<Label>, n: number, what: string): Int32Array {
  if (!y || typeof y !== "object" || typeof y.length !== "number") fail(`${what}: y must be one label per row of X, got ${describeValue(y)}`);
  if (y.length !== n) fail(`${what}: y has ${y.length} labels, but X has ${n} rows`);
  const classes = model.classes;
  const at = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const byText = new Map<string, number>(classes.map((c, i) => [String(c), i]));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    const k = at.get(v) ?? byText.get(String(v));
    if (k === undefined) fail(`${what}: y[${i}] is ${describeValue(v)}, not one of the model's classes (${classes.slice(0, 12).map(String).join(", ")}${classes.length > 12 ? ", …" : ""})`);
    out[i] = k;
  }
  return out;
}

function checkNumber(v: unknown, name: string, what: string, ok: (x: number) => boolean, rule: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) fail(`${what}: ${name} must be ${rule}, got ${describeValue(v)}`);
  return v;
}

/** The checked attack of the options (FGSM: steps 1, alpha = eps, no random start). */
function specOf(o: PGDOptions, method: "fgsm" | "pgd", what: string): AttackSpec {
  if (!o || typeof o !== "object") fail(`${what}: options { eps, … } expected, got ${describeValue(o)}`);
  const eps = checkNumber(o.eps, "eps", what, (x) => x >= 0, "a number >= 0 (the L∞ radius, in pixel units)");
  const clip = o.clip ?? [0, 1];
  if (!Array.isArray(clip) || clip.length !== 2 || !clip.every((c) => typeof c === "number" && Number.isFinite(c)) || !(clip[0] < clip[1])) {
    fail(`${what}: clip must be [lo, hi] with finite lo < hi, got ${describeValue(clip)}`);
  }
  if (o.targeted !== undefined && typeof o.targeted !== "boolean") fail(`${what}: targeted must be true or false, got ${describeValue(o.targeted)}`);
  if (method === "fgsm") {
    for (const k of ["steps", "alpha", "randomStart", "seed"] as const) {
      if ((o as unknown as Record<string, unknown>)[k] !== undefined) fail(`${what}: ${k} is an option of pgd; FGSM is one step of size eps`);
    }
    return { eps, steps: 1, alpha: eps, randomStart: false, targeted: o.targeted === true, lo: clip[0], hi: clip[1] };
  }
  const steps = o.steps === undefined ? 10 : checkNumber(o.steps, "steps", what, (x) => Number.isInteger(x) && x >= 1, "an integer >= 1");
  const alpha = o.alpha === undefined ? (2.5 * eps) / steps : checkNumber(o.alpha, "alpha", what, (x) => x > 0, "a number > 0 (the step size)");
  if (o.randomStart !== undefined && typeof o.randomStart !== "boolean") fail(`${what}: randomStart must be true or false, got ${describeValue(o.randomStart)}`);
  if (o.seed !== undefined) checkNumber(o.seed, "seed", what, (x) => Number.isInteger(x), "an integer");
  return { eps, steps, alpha, randomStart: o.randomStart ?? true, targeted: o.targeted === true, lo: clip[0], hi: clip[1] };
}

/** The targets of a targeted attack (class indices), one per row; null for an untargeted one. */
function targetsOf(o: AttackOptions, nClasses: number, n: number, what: string): Int32Array | null {
  if (o.targeted !== true) {
    if (o.target !== undefined) fail(`${what}: target ${describeValue(o.target)} is given but targeted is not true (pass targeted: true for a targeted attack)`);
    return null;
  }
  if (o.target === undefined) fail(`${what}: a targeted attack needs target (a class index, or one per row)`);
  const one = typeof o.target === "number";
  const t = o.target as ArrayLike<number>;
  if (!one && (typeof t !== "object" || t === null || typeof t.length !== "number")) fail(`${what}: target must be a class index or one per row, got ${describeValue(o.target)}`);
  if (!one && t.length !== n) fail(`${what}: target has ${t.length} entries, but X has ${n} rows`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = one ? (o.target as number) : t[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= nClasses) {
      fail(`${what}: target${one ? "" : `[${i}]`} ${describeValue(v)} is not a class index in [0, ${nClasses - 1}]`);
    }
    out[i] = v;
  }
  return out;
}

/** X as float32 rows of the model's size, every value inside the clip range. */
function inputOf(model: CNNClassifier, X: MatrixLike, s: AttackSpec, what: string): Matrix {
  const M = toMatrix(X, "X", "float32");
  const d = model.nFeatures;
  if (M.cols !== d) fail(`${what}: X has ${M.cols} columns, but the model takes images of ${d} values`);
  for (let i = 0; i < M.data.length; i++) {
    const v = M.data[i]!;
    if (!(v >= s.lo && v <= s.hi)) {
      fail(`${what}: X holds ${describeValue(v)} at row ${Math.floor(i / d)}, outside the valid range [${s.lo}, ${s.hi}] (scale the pixels to it, or pass clip)`);
    }
  }
  return M;
}

function attack(model: CNNClassifier, X: MatrixLike, y: ArrayLike<Label>, o: PGDOptions, method: "fgsm" | "pgd"): Matrix {
  const what = method;
  const s = specOf(o, method, what);
  const M = inputOf(model, X, s, what);
  const n = M.rows, d = M.cols;
  const truth = labelIndices(model, y, n, what);
  const targets = targetsOf(o, model.classes.length, n, what);
  const labels = targets ?? truth;
  const out = Matrix.zeros(n, d, "float32");
  if (n === 0 || s.eps === 0) {
    out.data.set(M.data);
    return out;
  }
  const rng = method === "pgd" ? new Random(o.seed ?? 0) : null;
  const grad = new Float32Array(Math.min(CHUNK, n) * d);
  const forward = (x: Tensor): Tensor => model.forward(x);
  withoutParameterGrads(model.network.parameters(), () => {
    for (let r = 0; r < n; r += CHUNK) {
      const e = Math.min(n, r + CHUNK);
      attackRows(forward, M.data.subarray(r * d, e * d) as Float32Array, e - r, d, labels.subarray(r, e), s, rng,
        out.data.subarray(r * d, e * d) as Float32Array, grad);
      o.onProgress?.({ stage: "attack", step: e, total: n, metrics: {} });
    }
  });
  return out;
}

/** FGSM adversarial copies of X (rows in the clip range); y: labels as given to fit. */
export function fgsm(model: CNNClassifier, X: MatrixLike, y: ArrayLike<Label>, o: AttackOptions): Matrix {
  return attack(model, X, y, o, "fgsm");
}

/** PGD (L∞) adversarial copies of X; y: labels as given to fit. */
export function pgd(model: CNNClassifier, X: MatrixLike, y: ArrayLike<Label>, o: PGDOptions): Matrix {
  return attack(model, X, y, o, "pgd");
}

/**
 * The gradient of the summed cross-entropy of the labels y w.r.t. each input row, and the loss (for tests and
 * pictures: FGSM's step is eps·sign of this).
 */
export function inputGradient(model: CNNClassifier, X: MatrixLike, y: ArrayLike<Label>): { gradient: Matrix; loss: number } {
  const M = toMatrix(X, "X", "float32");
  if (M.cols !== model.nFeatures) fail(`inputGradient: X has ${M.cols} columns, but the model takes images of ${model.nFeatures} values`);
  const labels = labelIndices(model, y, M.rows, "inputGradient");
  const G = Matrix.zeros(M.rows, M.cols, "float32");
  let loss = 0;
  withoutParameterGrads(model.network.parameters(), () => {
    for (let r = 0; r < M.rows; r += CHUNK) {
      const e = Math.min(M.rows, r + CHUNK);
      loss += lossAndGrad((x) => model.forward(x), M.data.subarray(r * M.cols, e * M.cols) as Float32Array, e - r, M.cols,
        labels.subarray(r, e), G.data.subarray(r * M.cols, e * M.cols) as Float32Array);
    }
  });
  return { gradient: G, loss };
}

/** Accuracy under attack for each eps (eps 0 = clean accuracy), against the true labels y. */
export function robustAccuracy(model: CNNClassifier, X: MatrixLike, y: ArrayLike<Label>, eps: number[], method: "fgsm" | "pgd",
  o: Partial<PGDOptions> = {}): { eps: number; accuracy: number }[] {
  const what = "robustAccuracy";
  if (method !== "fgsm" && method !== "pgd") fail(`${what}: method must be "fgsm" or "pgd", got ${describeValue(method)}`);
  if (!Array.isArray(eps) || eps.length === 0) fail(`${what}: eps must be a non-empty array of radii, got ${describeValue(eps)}`);
  eps.forEach((e, i) => checkNumber(e, `eps[${i}]`, what, (x) => x >= 0, "a number >= 0"));
  const M = toMatrix(X, "X", "float32");
  const truth = labelIndices(model, y, M.rows, what);
  if (M.rows === 0) fail(`${what}: X has no rows`);
  const classes = model.classes;
  return eps.map((e) => {
    const A = e === 0 ? M : attack(model, M, y, { ...o, eps: e } as PGDOptions, method);
    const p = model.predict(A);
    let hit = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === classes[truth[i]!]) hit++;
    return { eps: e, accuracy: hit / p.length };
  });
}

// Transfer learning and few-shot learning with a trained CNNClassifier (Yosinski et al. 2014, "How transferable are
// features in deep neural networks?"; Razavian et al. 2014, "CNN features off-the-shelf"): the activations of a net
// trained on one task are a representation for another, used three ways —
//   - FeatureExtractor: the net as a fixed map x ↦ φ(x) (the input of its classifier, or any named layer), to feed a
//     cheap probe (nearest neighbour, logistic regression) trained on a few labelled images of the new classes;
//   - fineTune: a copy of the net whose classifier is replaced by a fresh one for the new classes, trained on the new
//     images with every layer up to `freezeUpTo` frozen (its weights fixed and its batch-norm layers in eval mode, so
//     their running statistics stay those of the source task; dropout there is off too), the layers after it
//     starting from the trained weights and trained further;
//   - resizeImages: bilinear resampling, to show the net images of another size (the 8×8 digits at 28×28).
// drawShots and probeAccuracy are the few-shot protocol the benchmark and `latentkit transfer` share: k labelled rows
// per class drawn at random, a probe fitted on them, accuracy on held-out rows.
import { describeValue, fail } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { encodeLabels, type Label } from "../linear/labels.js";
import { LogisticRegression } from "../linear/logistic.js";
import { KNeighborsClassifier } from "../neighbors/classifier.js";
import type { Tensor } from "../nn/tensor.js";
import { CNNClassifier, type CNNClassifierOptions } from "./cnn.js";
import { buildLayers, planLayers } from "./cnn-layers.js";

/** A trained CNNClassifier used as a fixed feature map: transform(X) = model.transform(X, layer). */
export class FeatureExtractor {
  readonly layer: string;
  private readonly width: number;

  constructor(readonly model: CNNClassifier, options: { layer?: string } = {}) {
    if (!(model instanceof CNNClassifier)) fail(`FeatureExtractor needs a trained CNNClassifier, got ${describeValue(model)}`);
    const layer = options.layer ?? "features";
    if (typeof layer !== "string") fail(`FeatureExtractor: layer must be a layer name, got ${describeValue(layer)}`);
    const i = model.layerIndex(layer); // throws "not fitted yet" or names the layers
    this.layer = layer;
    this.width = i < 0 ? model.nFeatures : model.layers[i]!.outShape.reduce((a, b) => a * b, 1);
  }

  /** Features of the layer, one row per image (feature maps flattened channel-major). */
  transform(X: MatrixLike): Matrix {
    return this.model.transform(X, this.layer);
  }

  /** Values per row of transform. */
  get nFeatures(): number {
    return this.width;
  }
}

export interface FineTuneOptions {
  /**
   * The last frozen layer (a name of model.layerNames): it and every layer before it keep their weights and run in
   * eval mode; the layers after it train. Default "features" (only the new logits train); "none" trains everything.
   */
  freezeUpTo?: string;
  /** Default: enough passes for about 300 optimiser steps, at least 10 (few-shot sets are a batch or less). */
  epochs?: number;
  /** Default: the model's learning rate. */
  learningRate?: number;
  /** Default: the model's batch size. */
  batchSize?: number;
  /** Seed of the new logits and of the batch order. Default: the model's seed. */
  seed?: number;
  /** Augment the new images as the model's options say (default: the model's setting). */
  augment?: boolean;
  /** Fraction held out for validation (default 0: few-shot sets are too small to split). */
  validationFraction?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * A copy of `model` with a new logits layer for the classes of y, trained on (X, y) with every layer up to and
 * including `freezeUpTo` frozen (see FineTuneOptions). The other options (optimiser, schedule, weight decay, augment
 * shifts) are the model's. `model` itself is left as it was.
 */
export async function fineTune(model: CNNClassifier, X: MatrixLike, y: ArrayLike<Label>, o: FineTuneOptions = {}): Promise<CNNClassifier> {
  if (!(model instanceof CNNClassifier)) fail(`fineTune needs a trained CNNClassifier, got ${describeValue(model)}`);
  const plans0 = model.layers; // throws "not fitted yet"
  const freezeUpTo = o.freezeUpTo ?? "features";
  if (typeof freezeUpTo !== "string") fail(`fineTune: freezeUpTo must be a layer name or "none", got ${describeValue(freezeUpTo)}`);
  if (freezeUpTo === "logits") fail(`fineTune: freezeUpTo "logits" leaves nothing to train (the logits are replaced): use "features" to train only them`);
  const last = freezeUpTo === "none" ? -1 : model.layerIndex(freezeUpTo);
  const M = toMatrix(X, "X", "float32");
  if (M.cols !== model.nFeatures) fail(`fineTune: X has ${M.cols} columns, but the model takes images of ${model.imageShape.join("x")} = ${model.nFeatures} values`);
  if (M.rows < 1) fail("fineTune needs at least one image, got 0 rows");
  const { classes, index } = encodeLabels(y, M.rows, "fineTune");
  if (classes.length < 2) fail(`fineTune needs images of at least 2 classes, but y holds only ${describeValue(classes[0])}`);
  const base = model.getParams();
  const batchSize = o.batchSize ?? base.batchSize;
  const steps = Math.ceil(M.rows / Math.min(batchSize, M.rows));
  const { onProgress: _p, signal: _s, earlyStopping: _e, ...kept } = base as CNNClassifierOptions;
  void _p, void _s, void _e;
  const tuned = new CNNClassifier({
    ...kept, imageShape: model.imageShape, batchSize,
    epochs: o.epochs ?? Math.max(10, Math.ceil(300 / steps)),
    learningRate: o.learningRate ?? base.learningRate,
    seed: o.seed ?? base.seed,
    augment: o.augment ?? base.augment,
    validationFraction: o.validationFraction ?? 0,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const plans = planLayers(tuned.layerSpec, model.imageShape, classes.length);
  const logits = plans.length - 1;
  if (plans.length !== plans0.length) fail("fineTune: the model's layers do not match its options"); // cannot happen for a model of this latentkit
  const net = buildLayers(plans, new Random(tuned.options.seed));
  const frozen: Tensor[] = [];
  try {
    const source = model.network.stateDict();
    for (const [name, t] of net.stateDict()) {
      if (name.startsWith(`${logits}.`)) continue;
      t.data.set(source.get(name)!.data);
    }
    const trainable: Tensor[] = [];
    for (let i = 0; i < plans.length; i++) (i <= last ? frozen : trainable).push(...net.at(i).parameters());
    // frozen weights off the tape: no gradients are computed or kept for them
    for (const t of frozen) t.requiresGrad = false;
    await tuned.fitNetwork(net, plans, M, index, classes, trainable, last + 1);
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    for (const t of frozen) t.requiresGrad = true;
  }
  return tuned;
}

/**
 * Bilinear resize of rows of [c, h, w] images (channel-major) to [c, H, W], sampling at pixel centres as PyTorch's
 * F.interpolate(mode="bilinear", align_corners=False) does: output pixel j reads the input at (j + ½)·h/H − ½, clamped
 * to the image. Equal sizes give the images back; a constant image stays constant.
 */
export function resizeImages(X: MatrixLike, from: [number, number, number], to: [number, number]): Matrix {
  const okInt = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
  if (!Array.isArray(from) || from.length !== 3 || !from.every(okInt)) fail(`resizeImages: from must be [channels, height, width] (integers >= 1), got ${describeValue(from)}`);
  if (!Array.isArray(to) || to.length !== 2 || !to.every(okInt)) fail(`resizeImages: to must be [height, width] (integers >= 1), got ${describeValue(to)}`);
  const M = toMatrix(X, "X", "float32");
  const [c, h, w] = from;
  const [H, W] = to;
  if (M.cols !== c * h * w) fail(`resizeImages: X has ${M.cols} columns, but images of [${from.join(", ")}] have ${c * h * w} values`);
  // per output coordinate: the two input indices and the weight of the second
  const axis = (n: number, N: number): { i0: Int32Array; i1: Int32Array; t: Float64Array } => {
    const i0 = new Int32Array(N), i1 = new Int32Array(N), t = new Float64Array(N);
    for (let j = 0; j < N; j++) {
      const s = Math.max(0, (j + 0.5) * (n / N) - 0.5);
      const a = Math.min(Math.floor(s), n - 1);
      i0[j] = a;
      i1[j] = Math.min(a + 1, n - 1);
      t[j] = s - a;
    }
    return { i0, i1, t };
  };
  const ys = axis(h, H), xs = axis(w, W);
  const out = Matrix.zeros(M.rows, c * H * W, "float32");
  const src = M.data, dst = out.data;
  for (let r = 0; r < M.rows; r++) {
    for (let ch = 0; ch < c; ch++) {
      const si = r * c * h * w + ch * h * w;
      const di = r * c * H * W + ch * H * W;
      for (let Y = 0; Y < H; Y++) {
        const row0 = si + ys.i0[Y]! * w, row1 = si + ys.i1[Y]! * w, ty = ys.t[Y]!;
        for (let Xo = 0; Xo < W; Xo++) {
          const x0 = xs.i0[Xo]!, x1 = xs.i1[Xo]!, tx = xs.t[Xo]!;
          const top = src[row0 + x0]! * (1 - tx) + src[row0 + x1]! * tx;
          const bottom = src[row1 + x0]! * (1 - tx) + src[row1 + x1]! * tx;
          dst[di + Y * W + Xo] = top * (1 - ty) + bottom * ty;
        }
      }
    }
  }
  return out;
}

/**
 * `shots` rows of each class of `labels`, drawn at random without replacement (class by class, in the order of
 * `classes`, or of first appearance); a class with fewer rows is refused, naming it.
 */
export function drawShots(labels: ArrayLike<Label>, shots: number, rng: Random, classes?: readonly Label[]): Int32Array {
  if (!(Number.isSafeInteger(shots) && shots >= 1)) fail(`shots must be an integer >= 1, got ${describeValue(shots)}`);
  const byClass = new Map<Label, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    let rows = byClass.get(l);
    if (!rows) byClass.set(l, (rows = []));
    rows.push(i);
  }
  const order = classes ?? [...byClass.keys()];
  const out = new Int32Array(order.length * shots);
  let k = 0;
  for (const cls of order) {
    const rows = byClass.get(cls) ?? [];
    if (rows.length < shots) fail(`${shots} labelled rows per class: class ${describeValue(cls)} has only ${rows.length}`);
    for (const j of rng.sample(rows.length, shots)) out[k++] = rows[j]!;
  }
  return out;
}

/** The probes of a frozen representation. */
export type Probe = "knn" | "logistic";

/**
 * Test accuracy of a probe fitted on (Xtrain, ytrain): "knn" is the 1-nearest-neighbour rule (Euclidean; the only k
 * defined from one shot per class), "logistic" multinomial logistic regression (L2, C = 1, L-BFGS).
 */
export async function probeAccuracy(probe: Probe, Xtrain: Matrix, ytrain: ArrayLike<Label>, Xtest: Matrix, ytest: ArrayLike<Label>): Promise<number> {
  if (probe === "knn") {
    const knn = await new KNeighborsClassifier({ k: 1 }).fit(Xtrain, ytrain);
    return knn.score(Xtest, ytest);
  }
  if (probe === "logistic") {
    const lr = await new LogisticRegression({ C: 1, maxIter: 200 }).fit(Xtrain, ytrain);
    return lr.score(Xtest, ytest);
  }
  return fail(`unknown probe ${describeValue(probe)} (known: knn, logistic)`);
}

/** Mean and sample standard deviation (0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const v = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

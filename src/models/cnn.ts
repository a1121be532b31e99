// CNNClassifier: a convolutional network for image classification, and a feature learner: `transform` gives the
// features of any layer (by default the input of the classifier, "features"). The stack is a preset ("lenet",
// "resnet") with switches for batch norm, dropout and residual shortcuts, or any token list (cnn-layers.ts). Training
// is the shared loop (src/nn/train.ts): shuffled mini-batches, softmax cross-entropy, Adam/AdamW/SGD with momentum, a
// schedule, augmentation drawn fresh each batch (augment.ts), a validation split with early stopping (the best
// epoch's weights restored), progress with loss, accuracy and samples/s. Rows of X are flattened channel-major images
// (c·h·w values, as IDX files and PyTorch's x.flatten(1) give them); without imageShape a row of s² values is one
// s×s channel. Model files are safetensors with the state_dict of the same torch.nn.Sequential and a JSON header.
import { describeValue, fail } from "../core/errors.js";
import { checkFeatures, checkSaved, fitted, numberFromJSON, type Estimator, type Progress } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { bool, choice, custom, decodeParams, encodeParams, int, num, resolveParams, str, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";
import { serializeSafetensors } from "../formats/safetensors.js";
import { classesFromJSON, encodeLabels, type Label } from "../linear/labels.js";
import { backward } from "../nn/autograd.js";
import type { Sequential } from "../nn/layers/container.js";
import { reshape } from "../nn/ops/reshape.js";
import { softmax } from "../nn/ops/softmax.js";
import { softmaxCrossEntropy } from "../nn/ops/losses.js";
import { Adam, AdamW } from "../nn/optim/adam.js";
import type { Optimizer } from "../nn/optim/optimizer.js";
import { SGD } from "../nn/optim/sgd.js";
import { Tensor } from "../nn/tensor.js";
import { BatchBuffer, fitLoop, type LossHistory } from "../nn/train.js";
import { augmentImages, augments } from "./augment.js";
import { TRAINING_PARAMS, headerOf, mapRowChunks, weightsFromJSON, type HistoryJSON, type NamedTensors, type WeightJSON } from "./base.js";
import { buildLayers, checkLayerTokens, forwardMacs, planLayers, planTensors, presetLayers, type CNNPreset, type LayerPlan } from "./cnn-layers.js";
import { toBase64 } from "../core/bytes.js";
import { adversarialBatch } from "./adversarial.js";

export interface CNNClassifierOptions {
  /** [channels, height, width] of the images the rows hold. Default: [1, s, s] for rows of s² values. */
  imageShape?: [number, number, number];
  /** The stack when `layers` is not given: "lenet" (default) or "resnet". */
  preset?: CNNPreset;
  /** A token list (cnn-layers.ts), e.g. "conv32,bn,relu,maxpool,flatten,dense128,relu"; overrides the preset and its switches. */
  layers?: string;
  /** Channels of the preset's first stage (the second has twice as many). Default 32 (lenet), 16 (resnet). */
  width?: number;
  /** Features of lenet's dense layer. Default 128. */
  hidden?: number;
  /** Batch norm after every convolution of the preset. Default true. */
  batchNorm?: boolean;
  /** Dropout probability before the preset's dense layers (0: none). Default 0.25. */
  dropout?: number;
  /** resnet: shortcuts in the blocks (false: the same convolutions without them). Default true. */
  residual?: boolean;
  /** Augment the training images each batch (shift, flip, rotate below). Default false. */
  augment?: boolean;
  /** Largest random shift in pixels with augment. Default 2. */
  shift?: number;
  /** Random horizontal flips with augment. Default false (wrong for digits and text). */
  flip?: boolean;
  /** Largest random rotation in degrees with augment. Default 0. */
  rotate?: number;
  batchSize?: number;
  epochs?: number;
  learningRate?: number;
  /** "adam" (default), "adamw" (decoupled weight decay) or "sgd" (with momentum). */
  optimizer?: "adam" | "adamw" | "sgd";
  /** SGD's momentum (Nesterov's with nesterov). Default 0.9. */
  momentum?: number;
  nesterov?: boolean;
  /**
   * "constant" (default), "cosine" (learningRate·½(1 + cos(π·e/E)) in epoch e of E) or "step" (×0.1 from epoch ⌊E/2⌋
   * and again from ⌊3E/4⌋).
   */
  lrSchedule?: "constant" | "cosine" | "step";
  weightDecay?: number;
  /** Fraction of the training rows held out for validation loss and accuracy (0: none). */
  validationFraction?: number;
  /** Early stopping after this many epochs without improvement of the validation (else training) loss. */
  earlyStopping?: number;
  minDelta?: number;
  /** With validation: end with the weights of the epoch of lowest validation loss. Default true. */
  restoreBest?: boolean;
  /** Adversarial training (adversarial.ts): replace a fraction of each batch by FGSM or PGD copies. Default "none". */
  adversarial?: "none" | "fgsm" | "pgd";
  /** L∞ radius of the training attack (pixels in [0, 1]). Default 0.1. */
  adversarialEps?: number;
  /** Fraction of each batch replaced by adversarial copies. Default 0.5. */
  adversarialFraction?: number;
  /** PGD steps of the training attack (step 2.5·eps/steps, random start). Default 7. */
  adversarialSteps?: number;
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

const positiveInts = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 1);

export const CNN_CLASSIFIER_PARAMS = {
  imageShape: custom<[number, number, number]>("[channels, height, width] (integers >= 1)", "shape of the images the rows hold (default: [1, s, s] for rows of s² values)",
    (v) => positiveInts(v) && (v as number[]).length === 3, { normalise: (v) => v.slice() as [number, number, number] }),
  preset: choice(["lenet", "resnet"], "the layer stack when layers is not given", { default: "lenet" }),
  layers: str("layer tokens (conv32,bn,relu,maxpool,res32,gap,flatten,dropout0.5,dense128,…); overrides the preset"),
  width: int("channels of the preset's first stage (default 32 for lenet, 16 for resnet)", { min: 1 }),
  hidden: int("features of lenet's dense layer", { min: 1, default: 128 }),
  batchNorm: bool("batch norm after every convolution of the preset", { default: true }),
  dropout: num("dropout probability before the preset's dense layers (0: none)", { min: 0, lt: 1, default: 0.25 }),
  residual: bool("resnet: shortcuts in the residual blocks (false: the same convolutions without them)"),
  augment: bool("augment the training images each batch (shift, flip, rotate)", { default: false }),
  shift: int("largest random shift in pixels with augment", { min: 0, default: 2 }),
  flip: bool("random horizontal flips with augment", { default: false }),
  rotate: num("largest random rotation in degrees with augment", { min: 0, max: 180, default: 0 }),
  ...TRAINING_PARAMS,
  batchSize: int("rows per mini-batch", { min: 1, default: 128 }),
  optimizer: choice(["adam", "adamw", "sgd"], "the optimiser: Adam, AdamW (decoupled weight decay) or SGD with momentum", { default: "adam" }),
  momentum: num("SGD's momentum", { min: 0, lt: 1, default: 0.9 }),
  nesterov: bool("SGD with Nesterov momentum", { default: false }),
  lrSchedule: choice(["constant", "cosine", "step"], "learning rate per epoch: constant, cosine annealing towards 0, or x0.1 from epoch floor(E/2) and again from floor(3E/4)", { default: "constant" }),
  restoreBest: bool("with validation, end with the weights of the epoch of lowest validation loss", { default: true }),
  adversarial: choice(["none", "fgsm", "pgd"], "adversarial training: replace adversarialFraction of each batch by FGSM or PGD copies against the current weights", { default: "none" }),
  adversarialEps: num("L∞ radius of the adversarial training attack (pixels in [0, 1])", { min: 0, default: 0.1 }),
  adversarialFraction: num("fraction of each batch replaced by adversarial copies", { gt: 0, max: 1, default: 0.5 }),
  adversarialSteps: int("PGD steps of the adversarial training attack", { min: 1, default: 7 }),
} satisfies Schema<CNNClassifierOptions>;

export type CNNClassifierParams = ParamsOf<CNNClassifierOptions, typeof CNN_CLASSIFIER_PARAMS>;

/** A saved CNNClassifier, less its tensors (the safetensors metadata "latentkit" holds this). */
export interface CNNClassifierHeaderJSON {
  type: "CNNClassifier";
  version: number;
  options: Record<string, unknown>;
  imageShape: [number, number, number];
  classes: Label[];
  history: HistoryJSON;
}

/** A saved CNNClassifier with its parameters and buffers as base64 (toJSON). */
export interface CNNClassifierJSON extends CNNClassifierHeaderJSON {
  weights: Record<string, WeightJSON>;
}

/** Rows processed at once by predict, predictProba and transform. */
const CHUNK = 512;
const VERSION = 1;

/** Fitted state: the network, its plan, the classes, the training history. */
interface Fitted {
  net: Sequential;
  plans: LayerPlan[];
  imageShape: [number, number, number];
  classes: Label[];
  history: LossHistory;
}

export class CNNClassifier implements Estimator<MatrixLike, CNNClassifierParams> {
  static readonly schema = CNN_CLASSIFIER_PARAMS;
  readonly options: CNNClassifierParams;
  private state_?: Fitted;

  constructor(options: CNNClassifierOptions = {}) {
    this.options = resolveParams(CNN_CLASSIFIER_PARAMS, options, "CNNClassifier", (p) => {
      if (p.layers !== undefined && (p.width !== undefined || p.residual !== undefined)) {
        fail(`CNNClassifier: width and residual switch a preset; with layers ${describeValue(p.layers)} give the channels in the tokens`);
      }
      if (p.residual !== undefined && p.preset !== "resnet" && p.layers === undefined) {
        fail(`CNNClassifier: residual applies to the resnet preset; the ${p.preset} preset has no residual blocks`);
      }
      if (p.nesterov && p.optimizer !== "sgd") fail(`CNNClassifier: nesterov applies to optimizer "sgd", not ${describeValue(p.optimizer)}`);
      if (p.imageShape) planLayers(this.layersFor(p), p.imageShape, 2);
      else if (p.layers !== undefined) checkLayerTokens(p.layers);
    });
  }

  getParams(): CNNClassifierParams {
    return { ...this.options };
  }

  /** The token list the options give. */
  get layerSpec(): string {
    return this.layersFor(this.options);
  }

  private layersFor(p: CNNClassifierParams): string {
    if (p.layers !== undefined) return p.layers;
    return presetLayers(p.preset, {
      width: p.width ?? (p.preset === "lenet" ? 32 : 16), hidden: p.hidden, batchNorm: p.batchNorm, dropout: p.dropout, residual: p.residual ?? true,
    });
  }

  /** The image shape for rows of d values (the option, or [1, s, s]). */
  imageShapeFor(d: number): [number, number, number] {
    const s = this.options.imageShape;
    if (s) {
      const size = s[0] * s[1] * s[2];
      if (size !== d) fail(`CNNClassifier: X has ${d} columns, but imageShape [${s.join(", ")}] needs ${s[0]}·${s[1]}·${s[2]} = ${size}`);
      return s.slice() as [number, number, number];
    }
    const side = Math.round(Math.sqrt(d));
    if (side * side !== d) fail(`CNNClassifier: X has ${d} columns, not a square number: give imageShape [channels, height, width] (${d} values in all)`);
    return [1, side, side];
  }

  private get state(): Fitted {
    return fitted(this.state_, "CNNClassifier");
  }
  /** The network (a Sequential, one child per layer of `layers`). */
  get network(): Sequential {
    return this.state.net;
  }
  /** The checked layers: names, kinds, shapes. */
  get layers(): readonly LayerPlan[] {
    return this.state.plans;
  }
  /** The layer names transform accepts ("conv1", "relu2", "res1", "features", "logits", …). */
  get layerNames(): string[] {
    return [...this.state.plans.map((p) => p.name), "features"];
  }
  get classes(): Label[] {
    return this.state.classes;
  }
  get imageShape(): [number, number, number] {
    return this.state.imageShape.slice() as [number, number, number];
  }
  get nFeatures(): number {
    const [c, h, w] = this.state.imageShape;
    return c * h * w;
  }
  /** Loss (and accuracy) per epoch, validation too; bestEpoch, seconds, samplesPerSecond. */
  get history(): LossHistory {
    return this.state.history;
  }
  /** Multiply-adds of one image's forward pass. */
  get forwardMacs(): number {
    return forwardMacs(this.state.plans);
  }

  /** Trains a new network on images X (one row each) and labels y (strings or numbers). */
  async fit(X: MatrixLike, y?: ArrayLike<Label>): Promise<this> {
    const M = toMatrix(X, "X", "float32");
    if (M.rows < 1) fail("CNNClassifier needs at least one image, got 0 rows");
    const { classes, index } = encodeLabels(y, M.rows, "CNNClassifier");
    if (classes.length < 2) fail(`CNNClassifier needs images of at least 2 classes, but y holds only ${describeValue(classes[0])}`);
    const imageShape = this.imageShapeFor(M.cols);
    const plans = planLayers(this.layerSpec, imageShape, classes.length);
    this.checkSize(plans);
    this.dispose();
    const o = this.options;
    const rng = new Random(o.seed);
    const net = buildLayers(plans, rng);
    try {
      const history = await this.train(net, M, index, imageShape, net.parameters(), rng);
      this.state_ = { net, plans, imageShape, classes, history };
    } catch (e) {
      net.dispose();
      throw e;
    }
    return this;
  }

  /** Refuses a network whose weights, gradients and optimiser state would not fit the compute core's memory. */
  private checkSize(plans: readonly LayerPlan[]): void {
    let count = 0;
    for (const [, s] of planTensors(plans)) count += s.reduce((a, b) => a * b, 1);
    if (count * 16 > 3 * 2 ** 30) fail(`this CNNClassifier has ${count} parameters: with gradients and optimiser state more than the 3 GiB the compute core can give it; use fewer channels`);
  }

  /**
   * Fine-tuning (transfer.ts): trains `net`, built from `plans` with weights copied from a trained model, on images M
   * with class indices `labels` (into `classes`), updating only `params`; the first `frozenLayers` layers stay in eval
   * mode (batch-norm statistics kept, dropout off). The trained network becomes this model's fitted state; on an error
   * the caller still owns `net`.
   */
  async fitNetwork(net: Sequential, plans: LayerPlan[], M: Matrix, labels: Int32Array, classes: Label[], params: Tensor[], frozenLayers = 0): Promise<this> {
    const imageShape = this.imageShapeFor(M.cols);
    this.dispose();
    const history = await this.train(net, M, labels, imageShape, params, new Random(this.options.seed), { frozenLayers });
    this.state_ = { net, plans, imageShape, classes, history };
    return this;
  }

  /**
   * The training loop over `params` (all of the network's, or the unfrozen ones of a fine-tuning): shuffled batches,
   * augmentation, cross-entropy, the optimiser and schedule of the options, validation and early stopping. Leaves the
   * network in eval mode. `frozenLayers`: the first layers stay in eval mode while the rest train.
   */
  protected async train(net: Sequential, M: Matrix, labels: Int32Array, imageShape: [number, number, number], params: Tensor[], rng: Random,
    over: { epochs?: number; learningRate?: number; frozenLayers?: number } = {}): Promise<LossHistory> {
    const o = this.options;
    const n = M.rows;
    const epochs = over.epochs ?? o.epochs;
    const lr0 = over.learningRate ?? o.learningRate;
    if (o.validationFraction > 0 && n < 2) fail(`validationFraction ${o.validationFraction} needs at least 2 images, got ${n}`);
    const named = net.namedParameters().filter(([, t]) => params.includes(t));
    const optimizer: Optimizer = o.optimizer === "sgd"
      ? new SGD(named, { lr: lr0, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay })
      : new (o.optimizer === "adamw" ? AdamW : Adam)(named, { lr: lr0, weightDecay: o.weightDecay });
    const bs = Math.min(o.batchSize, n);
    const buffer = new BatchBuffer(M, bs);
    const aug = { shift: o.shift, flip: o.flip, rotate: o.rotate };
    const augmenting = o.augment && augments(aug);
    const augmented = augmenting ? Tensor.longLived([bs, M.cols]) : null;
    const noise = new Random(o.seed ^ 0x5eed);
    const batchLabels = new Int32Array(bs);
    const [c, h, w] = imageShape;
    const advTrain = this.adversarialStep(net, M, labels, imageShape);
    let best: Map<string, Float32Array> | null = null;
    const stateOf = (): Map<string, Float32Array> => new Map([...net.stateDict()].map(([k, t]) => [k, Float32Array.from(t.data)]));
    const lossOf = (x: Tensor, idx: Int32Array): { loss: Tensor; accuracy: number } => {
      const y = batchLabels.subarray(0, idx.length);
      for (let i = 0; i < idx.length; i++) y[i] = labels[idx[i]!]!;
      const logits = net.forward(reshape(x, [idx.length, c, h, w]));
      return { loss: softmaxCrossEntropy(logits, y), accuracy: accuracyOf(logits, y) };
    };
    const schedule = o.lrSchedule === "cosine"
      ? (e: number) => lr0 * 0.5 * (1 + Math.cos((Math.PI * e) / epochs))
      : o.lrSchedule === "step"
        ? (e: number) => lr0 * stepFactor(e, epochs)
        : undefined;
    try {
      const history = await fitLoop({
        n, batchSize: bs, epochs, shuffle: rng,
        ...(o.validationFraction > 0 ? { validation: o.validationFraction } : {}),
        step: (idx) => {
          net.train();
          for (let i = 0; i < (over.frozenLayers ?? 0); i++) net.at(i).eval();
          let x = buffer.gather(idx);
          if (augmented) {
            const out = idx.length === bs ? augmented : augmented.rows(0, idx.length);
            augmentImages(x.data as Float32Array, out.data as Float32Array, idx.length, imageShape, aug, noise);
            x = out;
          }
          if (advTrain) x = advTrain(x, idx);
          const { loss, accuracy } = lossOf(x, idx);
          const v = loss.item();
          backward(loss);
          optimizer.step();
          optimizer.zeroGrad();
          return { loss: v, terms: { accuracy } };
        },
        evaluate: (idx) => {
          net.eval();
          const { loss, accuracy } = lossOf(buffer.gather(idx), idx);
          return { loss: loss.item(), terms: { accuracy } };
        },
        ...(o.earlyStopping !== undefined ? { earlyStopping: { patience: o.earlyStopping, minDelta: o.minDelta } } : {}),
        optimizer,
        ...(schedule ? { schedule } : {}),
        ...(o.validationFraction > 0 && o.restoreBest ? { onBest: () => { best = stateOf(); } } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        what: "CNNClassifier.fit",
      });
      if (best) {
        const saved: Map<string, Float32Array> = best;
        for (const [k, t] of net.stateDict()) t.data.set(saved.get(k)!);
      }
      return history;
    } finally {
      net.eval();
      buffer.dispose();
      augmented?.dispose();
      optimizer.dispose();
    }
  }

  /**
   * Adversarial training (option adversarial): a function that returns the batch x with its first
   * round(adversarialFraction·rows) rows (a random subset: batches are shuffled) replaced by FGSM or PGD copies made
   * against the current weights in eval mode (running batch-norm statistics, no dropout: the attack neither updates
   * the statistics nor sees dropout noise); null when off. Needs pixels in [0, 1], the attack's valid range.
   */
  private adversarialStep(net: Sequential, M: Matrix, labels: Int32Array, imageShape: [number, number, number]): ((x: Tensor, idx: Int32Array) => Tensor) | null {
    const o = this.options;
    if (o.adversarial === "none" || o.adversarialEps === 0) return null;
    for (let i = 0; i < M.data.length; i++) {
      const v = M.data[i]!;
      if (!(v >= 0 && v <= 1)) fail(`CNNClassifier: adversarial training needs pixels in [0, 1], but X holds ${v} at row ${Math.floor(i / M.cols)}`);
    }
    const eps = o.adversarialEps;
    const steps = o.adversarial === "fgsm" ? 1 : o.adversarialSteps;
    const spec = { eps, steps, alpha: o.adversarial === "fgsm" ? eps : (2.5 * eps) / steps, randomStart: o.adversarial === "pgd", targeted: false, lo: 0, hi: 1 };
    const rng = new Random(o.seed ^ 0xad5);
    const [c, h, w] = imageShape;
    const d = M.cols;
    const forward = (t: Tensor): Tensor => net.forward(reshape(t, [t.shape[0]!, c, h, w]));
    return (x, idx) => {
      const k = Math.round(o.adversarialFraction * idx.length);
      if (k === 0) return x;
      const y = new Int32Array(k);
      for (let i = 0; i < k; i++) y[i] = labels[idx[i]!]!;
      // plain arrays: engine memory may grow (and move) during the attack's passes
      const clean = Float32Array.from(x.data.subarray(0, k * d));
      const adv = new Float32Array(k * d);
      net.eval();
      adversarialBatch(forward, net.parameters(), clean, k, d, y, spec, rng, adv);
      net.train();
      const mixed = Tensor.from(x.data, x.shape);
      mixed.data.set(adv);
      return mixed;
    };
  }

  /** The input checked against the fitted model: float32 rows of nFeatures values. */
  protected input(X: MatrixLike, name = "X"): Matrix {
    const s = this.state;
    const M = toMatrix(X, name, "float32");
    checkFeatures(M, this.nFeatures, "CNNClassifier");
    void s;
    return M;
  }

  /** The index of a layer by name ("features": the input of the logits). */
  layerIndex(layer: string): number {
    const plans = this.state.plans;
    if (layer === "features") return plans.length - 2;
    const i = plans.findIndex((p) => p.name === layer);
    if (i < 0) fail(`CNNClassifier: no layer ${describeValue(layer)} (layers: ${this.layerNames.join(", ")})`);
    return i;
  }

  /**
   * The output of layer `layer` (default: the logits) for a batch of rows x [n, nFeatures], in eval mode, on the tape
   * when grad is enabled (for attacks, saliency and activation maximisation: x may require grad). Shape [n, …] of the
   * layer ([n, C, H, W] for feature maps). "features" before the first layer (a net of only logits) is the input.
   */
  forward(x: Tensor, layer: string = "logits"): Tensor {
    const s = this.state;
    const last = this.layerIndex(layer);
    s.net.eval();
    const n = x.shape[0]!;
    const [c, h, w] = s.imageShape;
    let y = reshape(x, [n, c, h, w]);
    if (last === s.plans.length - 1) return s.net.forward(y);
    for (let i = 0; i <= last; i++) y = s.net.at(i).forward(y);
    return y;
  }

  /** Runs f on chunks of rows (tidy + noGrad) and collects its [rows, cols] outputs. */
  private map(M: Matrix, cols: number, f: (x: Tensor) => Tensor): Matrix {
    return mapRowChunks(M, cols, CHUNK, f);
  }

  /** Class scores before the softmax, one row per image. */
  decisionFunction(X: MatrixLike): Matrix {
    return this.map(this.input(X), this.state.classes.length, (x) => this.forward(x));
  }

  /** Class probabilities (softmax of the logits), columns in the order of `classes`. */
  predictProba(X: MatrixLike): Matrix {
    return this.map(this.input(X), this.state.classes.length, (x) => softmax(this.forward(x)));
  }

  /** The most probable class of each image. */
  predict(X: MatrixLike): Label[] {
    const S = this.decisionFunction(X);
    const K = S.cols;
    const classes = this.state.classes;
    const out: Label[] = new Array(S.rows);
    for (let i = 0; i < S.rows; i++) {
      let b = 0;
      for (let k = 1; k < K; k++) if (S.data[i * K + k]! > S.data[i * K + b]!) b = k;
      out[i] = classes[b]!;
    }
    return out;
  }

  /** Mean accuracy of predict(X) against y. */
  score(X: MatrixLike, y: ArrayLike<Label>): number {
    const p = this.predict(X);
    if (!y || y.length !== p.length) fail(`CNNClassifier.score: y has ${y?.length ?? describeValue(y)} labels, but X has ${p.length} rows`);
    let hit = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === y[i]) hit++;
    return hit / p.length;
  }

  /** The features of a layer for each image, flattened (C·H·W values a row for feature maps). Default "features". */
  transform(X: MatrixLike, layer = "features"): Matrix {
    const M = this.input(X);
    const i = this.layerIndex(layer);
    const shape = i < 0 ? [this.nFeatures] : this.state.plans[i]!.outShape;
    const cols = shape.reduce((a, b) => a * b, 1);
    return this.map(M, cols, (x) => (i < 0 ? x : this.forward(x, layer)));
  }

  async fitTransform(X: MatrixLike, y?: ArrayLike<Label>): Promise<Matrix> {
    await this.fit(X, y);
    return this.transform(X);
  }

  private header(): CNNClassifierHeaderJSON {
    const s = this.state;
    const h = s.history;
    return {
      type: "CNNClassifier", version: VERSION, options: encodeParams(CNN_CLASSIFIER_PARAMS, this.options as never),
      imageShape: s.imageShape.slice() as [number, number, number], classes: s.classes.slice(),
      history: {
        train: h.train.slice(), validation: h.validation.slice(), bestEpoch: h.bestEpoch,
        ...(h.terms ? { terms: h.terms } : {}), ...(h.validationTerms ? { validationTerms: h.validationTerms } : {}),
      },
    };
  }

  toJSON(): CNNClassifierJSON {
    const weights: Record<string, WeightJSON> = {};
    for (const [name, t] of this.state.net.stateDict()) {
      const bytes = new Uint8Array(Float32Array.from(t.data).buffer);
      weights[name] = { shape: t.shape.slice(), dtype: "float32", base64: toBase64(bytes) };
    }
    return { ...this.header(), weights };
  }

  /** The model as safetensors: the state_dict (parameters and batch-norm statistics) and the header as metadata. */
  toSafetensors(): Uint8Array {
    const tensors = [...this.state.net.stateDict()].map(([n, t]) => [n, { shape: t.shape, data: t.data }] as [string, { shape: readonly number[]; data: ArrayLike<number> }]);
    return serializeSafetensors(tensors, { latentkit: JSON.stringify(this.header()), format: "pt" });
  }

  static fromJSON(json: CNNClassifierJSON): CNNClassifier {
    checkSaved(json, "CNNClassifier");
    return CNNClassifier.restore(json, weightsFromJSON(json.weights, "CNNClassifier"), "CNNClassifier");
  }

  static fromSafetensors(bytes: Uint8Array, source = "safetensors data"): CNNClassifier {
    const { header, tensors } = headerOf(bytes, source);
    const h = header as unknown as CNNClassifierHeaderJSON;
    if (h.type !== "CNNClassifier") fail(`${source}: holds a ${describeValue(h.type)}, not a CNNClassifier`);
    return CNNClassifier.restore(h, tensors, source);
  }

  private static restore(json: CNNClassifierHeaderJSON, tensors: NamedTensors, source: string): CNNClassifier {
    checkSaved(json, "CNNClassifier");
    if (json.version !== VERSION) fail(`${source}: CNNClassifier file version ${describeValue(json.version)}, this latentkit reads version ${VERSION}`);
    const m = new CNNClassifier(decodeParams(CNN_CLASSIFIER_PARAMS, json.options, "CNNClassifier") as CNNClassifierOptions);
    const shape = json.imageShape;
    if (!positiveInts(shape) || shape.length !== 3) fail(`${source}: CNNClassifier.imageShape must be [channels, height, width], got ${describeValue(shape)}`);
    const classes = classesFromJSON(json.classes, "CNNClassifier.classes");
    if (classes.length < 2) fail(`${source}: CNNClassifier.classes holds ${classes.length} class; expected at least 2`);
    const plans = planLayers(m.layerSpec, shape, classes.length);
    m.checkSize(plans);
    const expected = planTensors(plans);
    const names = new Set(expected.map(([n]) => n));
    for (const n of tensors.keys()) {
      if (!names.has(n) && !n.endsWith("num_batches_tracked")) fail(`${source}: unexpected tensor "${n}" for this CNNClassifier (layers ${m.layerSpec})`);
    }
    for (const [n, s] of expected) {
      const got = tensors.get(n);
      if (!got) fail(`${source}: tensor "${n}" [${s.join(", ")}] is missing for this CNNClassifier (layers ${m.layerSpec})`);
      if (got.shape.length !== s.length || got.shape.some((x, i) => x !== s[i]) || got.data.length !== s.reduce((a, b) => a * b, 1)) {
        fail(`${source}: tensor "${n}" has shape [${got.shape.join(", ")}], expected [${s.join(", ")}] from the layers and classes`);
      }
      const bad = Array.prototype.findIndex.call(got.data, (v: number) => !Number.isFinite(v));
      if (bad >= 0) fail(`${source}: tensor "${n}" element ${bad} is ${got.data[bad]}: expected finite values`);
    }
    const h = json.history ?? { train: [], validation: [], bestEpoch: -1 };
    const train = Array.from(numbersOr(h.train, "CNNClassifier.history.train"));
    const validation = Array.from(numbersOr(h.validation ?? [], "CNNClassifier.history.validation"));
    const bestEpoch = train.length > 0 ? numberFromJSON(h.bestEpoch, "CNNClassifier.history.bestEpoch", { min: 0, max: train.length - 1, integer: true }) : -1;
    const net = buildLayers(plans, new Random(0));
    for (const [n, t] of net.stateDict()) t.data.set(tensors.get(n)!.data);
    net.eval();
    m.state_ = {
      net, plans, imageShape: shape.slice() as [number, number, number], classes,
      history: {
        train, validation, bestEpoch, stoppedEarly: false, seconds: 0, samplesPerSecond: 0,
        ...(h.terms ? { terms: termsOr(h.terms, "terms") } : {}), ...(h.validationTerms ? { validationTerms: termsOr(h.validationTerms, "validationTerms") } : {}),
      },
    };
    return m;
  }

  /** Frees the network (long-lived engine storage); the model is then unfitted. */
  dispose(): void {
    this.state_?.net.dispose();
    this.state_ = undefined;
  }
}

function numbersOr(v: unknown, name: string): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) fail(`${name}: expected an array of finite numbers in the saved model, got ${describeValue(v)}`);
  return v as number[];
}

function termsOr(t: unknown, what: string): Record<string, number[]> {
  if (!t || typeof t !== "object" || Array.isArray(t)) fail(`CNNClassifier.history.${what}: expected an object of per-epoch numbers in the saved model`);
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) out[k] = numbersOr(v, `CNNClassifier.history.${what}.${k}`);
  return out;
}

/**
 * The "step" schedule's factor for epoch e (0-based) of E: ×0.1 from epoch ⌊E/2⌋ (when >= 1) and ×0.1 again from
 * ⌊3E/4⌋ (when later than the first drop), as PyTorch's MultiStepLR(milestones=[E//2, 3*E//4], gamma=0.1).
 */
export function stepFactor(e: number, epochs: number): number {
  const m1 = Math.floor(epochs / 2), m2 = Math.floor((3 * epochs) / 4);
  let f = 1;
  if (m1 >= 1 && e >= m1) f *= 0.1;
  if (m2 > m1 && e >= m2) f *= 0.1;
  return f;
}

/** The fraction of rows whose largest logit is the label's. */
export function accuracyOf(logits: Tensor, labels: Int32Array): number {
  const d = logits.data;
  const K = logits.shape[1]!;
  const n = logits.shape[0]!;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let k = 1; k < K; k++) if (d[i * K + k]! > d[i * K + b]!) b = k;
    if (b === labels[i]) hit++;
  }
  return hit / Math.max(n, 1);
}

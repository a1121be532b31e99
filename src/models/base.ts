// What every model of the autoencoder family shares (Autoencoder, LinearAutoencoder, DenoisingAutoencoder,
// SparseAutoencoder, ContractiveAutoencoder, ConvAutoencoder, VAE, SemanticHashing): the training options and their
// schema, fit through the shared training loop (src/nn/train.ts) with Adam/AdamW, a schedule, validation and early
// stopping, encode/decode over chunks of rows (transform, inverseTransform, reconstruct), the reconstruction loss of
// new data, and the model file: safetensors with every parameter under its PyTorch state_dict name and the rest
// (type, version, options, nFeatures, history) as JSON in the metadata entry "latentkit"; toJSON holds the same with
// the weights as base64. A model says what differs: its network (`buildNet`, with the parameter shapes checked
// before anything is allocated), the loss of a batch (with named terms: a VAE's reconstruction and KL, a penalty),
// encode and decode. `loadModel` reads back any model of the family from its file.
import { describeValue, fail } from "../core/errors.js";
import { checkFeatures, checkOutput, checkSaved, fitted, numberFromJSON, numbersFromJSON, type Progress } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type AnySchema } from "../core/params.js";
import { Random } from "../core/random.js";
import { toBase64 } from "../core/bytes.js";
import { parseSafetensors, serializeSafetensors } from "../formats/safetensors.js";
import { backward, noGrad, tidy } from "../nn/autograd.js";
import { bceWithLogits, mseLoss, sigmoid } from "../nn/ops/index.js";
import type { Module } from "../nn/module.js";
import { Adam, AdamW } from "../nn/optim/adam.js";
import type { Optimizer } from "../nn/optim/optimizer.js";
import { Tensor } from "../nn/tensor.js";
import { BatchBuffer, fitLoop, type LossHistory, type StepResult } from "../nn/train.js";

/** The training options every model of the family takes. */
export interface TrainingOptions {
  batchSize?: number;
  epochs?: number;
  learningRate?: number;
  /** "adam" (weightDecay as an L2 term in the gradient, as torch.optim.Adam) or "adamw" (decoupled decay). */
  optimizer?: "adam" | "adamw";
  /** Learning rate per epoch: "constant", or "cosine" annealing from learningRate towards 0 over the epochs. Default "constant". */
  lrSchedule?: "constant" | "cosine";
  /** Weight decay: an L2 term added to the gradient with "adam", decoupled with "adamw" (as PyTorch's). Default 0. */
  weightDecay?: number;
  /** Fraction of the rows held out to report (and early-stop on) a validation loss. Default 0: none. */
  validationFraction?: number;
  /** Early stopping: epochs without improvement of the validation loss (the training loss without one). Default: off. */
  earlyStopping?: number;
  /** Smallest decrease of the monitored loss that counts as an improvement for early stopping. Default 0. */
  minDelta?: number;
  /** Seed of the initial weights, the held-out split, the order of the batches and any noise. Default 0. */
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** The schema of the training options (spread into each model's schema). */
export const TRAINING_PARAMS = {
  batchSize: int("rows per mini-batch", { min: 1, default: 256 }),
  epochs: int("passes over the training rows", { min: 1, default: 10 }),
  learningRate: num("the optimiser's learning rate", { gt: 0, default: 1e-3 }),
  optimizer: choice(["adam", "adamw"], "the optimiser: Adam (L2 weight decay) or AdamW (decoupled weight decay)", { default: "adam" }),
  lrSchedule: choice(["constant", "cosine"], "learning rate per epoch: constant, or cosine annealing towards 0", { default: "constant" }),
  weightDecay: num("weight decay (L2 in the gradient with adam, decoupled with adamw)", { min: 0, default: 0 }),
  validationFraction: num("fraction of the rows held out for a validation loss (0: none)", { min: 0, lt: 1, default: 0 }),
  earlyStopping: int("stop after this many epochs without improvement of the validation (else training) loss", { min: 1 }),
  minDelta: num("smallest decrease of the loss that counts as an improvement for early stopping", { min: 0, default: 0 }),
  seed: int("seed of the initial weights, the validation split, the batch order and any noise", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after every epoch and about every 100 ms within one"),
  signal: signal(),
} as const;

/** The resolved training options (what every model's `options` holds besides its own). */
export interface TrainingParams {
  readonly batchSize: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly optimizer: "adam" | "adamw";
  readonly lrSchedule: "constant" | "cosine";
  readonly weightDecay: number;
  readonly validationFraction: number;
  readonly earlyStopping?: number | undefined;
  readonly minDelta: number;
  readonly seed: number;
  readonly onProgress?: ((p: Progress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** One weight in a saved model: its shape and its float32 values, little-endian, as base64. */
export interface WeightJSON {
  shape: number[];
  dtype: "float32";
  base64: string;
}

/** The saved history of a model's training. */
export interface HistoryJSON {
  train: number[];
  validation: number[];
  bestEpoch: number;
  terms?: Record<string, number[]>;
  validationTerms?: Record<string, number[]>;
}

/** A saved model of the family, less its weights (the safetensors metadata "latentkit" holds this). */
export interface ModelHeaderJSON {
  type: string;
  version: number;
  options: Record<string, unknown>;
  nFeatures: number;
  history: HistoryJSON;
  /** Anything else the model keeps (fitted statistics, a threshold): checked by the model's `loadExtra`. */
  extra?: Record<string, unknown>;
}

/** A saved model with its weights as base64 (toJSON). */
export interface ModelJSON extends ModelHeaderJSON {
  /** Parameters by name ("encoder.0.weight" [out, in], "encoder.0.bias", …). */
  weights: Record<string, WeightJSON>;
}

/** Named float32 tensors, as a file holds them. */
export type NamedTensors = Map<string, { shape: number[]; data: Float32Array }>;

/** What a model's loss returns: the loss tensor (a scalar) and named terms (batch means, as numbers). */
export type BatchLoss = Tensor | { loss: Tensor; terms: Record<string, number> };

/** Rows processed at once by transform, inverseTransform, reconstruct and reconstructionError. */
export const CHUNK = 1024;

function decodeBase64(s: string, name: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    fail(`${name}: the weights are not valid base64 in the saved model`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function float32Bytes(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) v.setFloat32(i * 4, data[i]!, true);
  return out;
}

function float32FromBytes(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.length / 4);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = v.getFloat32(i * 4, true);
  return out;
}

/** The weights of a toJSON() model, decoded and checked for shape and dtype (not yet against the network). */
export function weightsFromJSON(w: unknown, type: string): NamedTensors {
  if (!w || typeof w !== "object") fail(`${type}.weights: expected an object of named weights in the saved model`);
  const tensors: NamedTensors = new Map();
  for (const [name, v] of Object.entries(w as Record<string, WeightJSON>)) {
    if (!v || typeof v !== "object" || typeof v.base64 !== "string" || !Array.isArray(v.shape)) {
      fail(`${type}.weights.${name}: expected {shape, dtype, base64} in the saved model`);
    }
    if (v.dtype !== "float32") fail(`${type}.weights.${name}: dtype must be "float32", got ${describeValue(v.dtype)}`);
    const bytes = decodeBase64(v.base64, `${type}.weights.${name}`);
    if (bytes.length % 4 !== 0) fail(`${type}.weights.${name}: ${bytes.length} bytes is not a whole number of float32 values`);
    tensors.set(name, { shape: v.shape, data: float32FromBytes(bytes) });
  }
  return tensors;
}

/** The constructor side of a model class: what loading needs. */
export interface ModelClass<M extends AutoencoderBase = AutoencoderBase> {
  new (options?: never): M;
  readonly schema: AnySchema;
  /** The type name in saved files ("Autoencoder", "VAE", …). */
  readonly modelName: string;
  /** The file format version this class writes. */
  readonly modelVersion: number;
}

const REGISTRY = new Map<string, ModelClass>();

/** Makes a model class loadable by `loadModel` (each model file calls this for its class). */
export function registerModel(cls: ModelClass): void {
  REGISTRY.set(cls.modelName, cls);
}

/** The header (metadata "latentkit") of a model file, parsed (any model of latentkit's: the family, CNNClassifier). */
export function headerOf(bytes: Uint8Array, source: string): { header: ModelHeaderJSON; tensors: NamedTensors } {
  const file = parseSafetensors(bytes, source);
  const meta = file.metadata.latentkit;
  if (meta === undefined) fail(`${source}: no "latentkit" metadata entry: not a model saved by latentkit`);
  let header: unknown;
  try {
    header = JSON.parse(meta);
  } catch (e) {
    fail(`${source}: the "latentkit" metadata is not JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== "object") fail(`${source}: the "latentkit" metadata is not a JSON object`);
  return { header: header as ModelHeaderJSON, tensors: file.tensors };
}

/**
 * Loads a model of any registered class from the bytes of its safetensors file: the class is chosen by the saved
 * type. `loadModel` (src/models/load.ts) is this with every model of the family registered.
 */
export function loadRegisteredModel(bytes: Uint8Array, source = "safetensors data"): AutoencoderBase {
  const { header, tensors } = headerOf(bytes, source);
  const cls = REGISTRY.get(String(header.type));
  if (!cls) fail(`${source}: a saved ${describeValue(header.type)} is not a model latentkit knows (known: ${[...REGISTRY.keys()].join(", ")})`);
  return AutoencoderBase.restore(cls, header, tensors, source);
}

/** Loads a model of any registered class from its toJSON() form (`modelFromJSON` in src/models/load.ts registers them all). */
export function registeredModelFromJSON(json: ModelJSON): AutoencoderBase {
  const cls = REGISTRY.get(String(json?.type));
  if (!cls) fail(`a saved ${describeValue(json?.type)} is not a model latentkit knows (known: ${[...REGISTRY.keys()].join(", ")})`);
  return AutoencoderBase.restore(cls, json, weightsFromJSON(json.weights, cls.modelName), cls.modelName);
}

/**
 * The base of the family. P: the resolved options (a model's own plus TrainingParams); N: its network. Subclasses
 * declare `static schema`, `static modelName`, `static modelVersion` and call registerModel(Class).
 */
export abstract class AutoencoderBase<P extends TrainingParams = TrainingParams, N extends Module = Module> {
  readonly options: P;
  protected net_?: N;
  protected history_?: LossHistory;
  /** The noise of training (corruption, ε of a VAE, code noise): seeded from the seed, fresh for each fit. */
  protected noise = new Random(0);

  constructor(options: object = {}) {
    const cls = new.target as unknown as ModelClass;
    this.options = resolveParams(cls.schema, options as Record<string, unknown>, cls.modelName, (p) => this.checkOptions(p as unknown as P)) as unknown as P;
  }

  /** Cross-field rules of a model's options (run by the constructor, before anything is set). */
  protected checkOptions(_p: P): void {}

  /** The network for d input features; `rng` null leaves the weights zero (to be loaded). */
  protected abstract buildNet(d: number, rng: Random | null): N;
  /** The parameters of the network for d features, by name, with their shapes (checked before buildNet allocates). */
  protected abstract parameterShapes(d: number): [string, number[]][];
  /** The loss of a batch (mean per element or per sample, as the model defines it); training: during fit's steps. */
  protected abstract batchLoss(x: Tensor, training: boolean): BatchLoss;
  /** The codes of a batch. */
  protected abstract encodeBatch(x: Tensor): Tensor;
  /** The decoded outputs of a batch of codes (in the input's space: probabilities with a sigmoid output). */
  protected abstract decodeBatch(z: Tensor): Tensor;
  /** The size of a code (transform's columns). */
  abstract get codeSize(): number;

  /** Checks input values (e.g. [0, 1] for a cross-entropy loss); `what` names the matrix. Default: none. */
  protected checkInput(_M: Matrix, _what: string): void {}
  /** Fitted statistics beyond the weights, saved in the header's `extra` (default none). */
  protected saveExtra(): Record<string, unknown> | undefined {
    return undefined;
  }
  /** Reads back what saveExtra wrote (checked); called after the weights are loaded. */
  protected loadExtra(_extra: Record<string, unknown> | undefined, _source: string): void {}
  /** Called at the end of fit, with the training data (e.g. to compute thresholds on the codes). */
  protected afterFit(_X: Matrix): void {}

  private get cls(): ModelClass {
    return this.constructor as unknown as ModelClass;
  }

  get modelName(): string {
    return this.cls.modelName;
  }

  getParams(): P {
    return { ...this.options };
  }

  protected get net(): N {
    return fitted(this.net_, this.modelName);
  }

  /** The network (fitted). */
  get network(): N {
    return this.net;
  }

  private nFeatures_ = 0;

  get nFeatures(): number {
    fitted(this.net_, this.modelName);
    return this.nFeatures_;
  }

  /** The training history: loss per epoch (and validation loss, named terms), best epoch, seconds, samples per second. */
  get history(): LossHistory {
    return fitted(this.history_, this.modelName);
  }

  /** The training loss of the last epoch. */
  get loss(): number {
    const t = this.history.train;
    return t[t.length - 1]!;
  }

  /** The validation loss of the last epoch (undefined without validationFraction). */
  get validationLoss(): number | undefined {
    const v = this.history.validation;
    return v[v.length - 1];
  }

  /** The parameters by name, as they are saved ("encoder.0.weight" [out, in], …). */
  get weights(): Map<string, Matrix> {
    return new Map(this.net.namedParameters().map(([n, t]) => [n, t.rank === 1 ? new Matrix(1, t.size, Float32Array.from(t.data)) : t.toMatrix()]));
  }

  /** Checks that a network for d features fits in the compute core's memory (before allocating it). */
  protected checkSize(d: number): [string, number[]][] {
    const shapes = this.parameterShapes(d);
    let count = 0;
    for (const [, s] of shapes) count += s.reduce((x, y) => x * y, 1);
    // parameters, gradients and Adam's two moments: 16 bytes a parameter, in a memory of at most 4 GiB
    const bytes = count * 16;
    if (bytes > 3 * 2 ** 30) {
      fail(`this ${this.modelName} has ${count} parameters for ${d} features: with gradients and optimiser state ` +
        `${(bytes / 2 ** 30).toFixed(1)} GiB, more than the 3 GiB the compute core's memory can give it; use smaller layers`);
    }
    return shapes;
  }

  /** The batch loss as a number and named terms, for the training loop. */
  private stepResult(l: BatchLoss, run: (t: Tensor) => void = () => {}): StepResult {
    const t = l instanceof Tensor ? l : l.loss;
    const v = t.item();
    run(t);
    return l instanceof Tensor ? v : { loss: v, terms: l.terms };
  }

  async fit(X: MatrixLike): Promise<this> {
    const name = this.modelName;
    const M = toMatrix(X, "X", "float32");
    const n = M.rows;
    if (n < 1 || M.cols < 1) fail(`${name} needs at least one row and one column, got ${n}x${M.cols}`);
    this.checkInput(M, "X");
    const o = this.options;
    if (o.validationFraction > 0 && n < 2) fail(`validationFraction ${o.validationFraction} needs at least 2 rows, got ${n}`);
    this.net_?.dispose();
    this.net_ = undefined;
    this.history_ = undefined;
    this.checkSize(M.cols);
    const rng = new Random(o.seed);
    this.noise = new Random(o.seed ^ 0x5eed);
    const net = this.buildNet(M.cols, rng);
    this.net_ = net;
    this.nFeatures_ = M.cols;
    let opt: Optimizer | undefined;
    let batch: BatchBuffer | undefined;
    try {
      const optimizer = opt = new (o.optimizer === "adamw" ? AdamW : Adam)(net.namedParameters(), { lr: o.learningRate, weightDecay: o.weightDecay });
      const buffer = batch = new BatchBuffer(M, Math.min(o.batchSize, n));
      this.history_ = await fitLoop({
        n, batchSize: o.batchSize, epochs: o.epochs, shuffle: rng,
        ...(o.validationFraction > 0 ? { validation: o.validationFraction } : {}),
        step: (idx) => this.stepResult(this.batchLoss(buffer.gather(idx), true), (t) => {
          backward(t);
          optimizer.step();
          optimizer.zeroGrad();
        }),
        evaluate: (idx) => this.stepResult(this.batchLoss(buffer.gather(idx), false)),
        ...(o.earlyStopping !== undefined ? { earlyStopping: { patience: o.earlyStopping, minDelta: o.minDelta } } : {}),
        optimizer,
        ...(o.lrSchedule === "cosine" ? { schedule: (e: number) => o.learningRate * 0.5 * (1 + Math.cos((Math.PI * e) / o.epochs)) } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        what: `${name}.fit`,
      });
      this.afterFit(M);
    } catch (e) {
      net.dispose();
      this.net_ = undefined;
      this.history_ = undefined;
      throw e;
    } finally {
      batch?.dispose();
      opt?.dispose();
    }
    return this;
  }

  /** Runs f on chunks of M's rows (tidy + noGrad) and collects its [rows, cols] outputs into a float32 Matrix. */
  protected map(M: Matrix, cols: number, f: (x: Tensor) => Tensor): Matrix {
    return mapRowChunks(M, cols, CHUNK, f);
  }

  /** The input checked against the fitted model: a float32 Matrix with nFeatures columns. */
  protected input(X: MatrixLike, name = "X"): Matrix {
    fitted(this.net_, this.modelName);
    const M = toMatrix(X, name, "float32");
    checkFeatures(M, this.nFeatures_, this.modelName);
    return M;
  }

  /** The codes of X (one row per sample, codeSize columns). */
  transform(X: MatrixLike): Matrix {
    const M = this.input(X);
    return checkOutput(this.map(M, this.codeSize, (x) => this.encodeBatch(x)), `${this.modelName}.transform`);
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const M = toMatrix(X, "X", "float32");
    await this.fit(M);
    return this.transform(M);
  }

  /** Decodes codes back to the input space (through the output activation: probabilities with a sigmoid output). */
  inverseTransform(Z: MatrixLike): Matrix {
    fitted(this.net_, this.modelName);
    const M = toMatrix(Z, "Z", "float32");
    if (M.cols !== this.codeSize) fail(`Z has ${M.cols} columns, but this ${this.modelName}'s code has ${this.codeSize}`);
    return checkOutput(this.map(M, this.nFeatures_, (z) => this.decodeBatch(z)), `${this.modelName}.inverseTransform`);
  }

  /** inverseTransform(transform(X)) in one pass. */
  reconstruct(X: MatrixLike): Matrix {
    const M = this.input(X);
    return checkOutput(this.map(M, this.nFeatures_, (x) => this.decodeBatch(this.encodeBatch(x))), `${this.modelName}.reconstruct`);
  }

  /**
   * The model's loss on X (as in training, without noise or corruption: `batchLoss(x, false)`), mean over the rows'
   * batches; what `loss` and the CLI's trainLoss/testLoss report.
   */
  reconstructionError(X: MatrixLike): number {
    const M = this.input(X);
    this.checkInput(M, "X");
    let s = 0;
    const d = M.cols;
    for (let r = 0; r < M.rows; r += CHUNK) {
      const e = Math.min(M.rows, r + CHUNK);
      s += tidy(() => noGrad(() => {
        const l = this.batchLoss(Tensor.from(M.data.subarray(r * d, e * d), [e - r, d]), false);
        return (l instanceof Tensor ? l : l.loss).item();
      })) * (e - r);
    }
    return s / M.rows;
  }

  private header(): ModelHeaderJSON {
    const h = this.history;
    const extra = this.saveExtra();
    return {
      type: this.modelName, version: this.cls.modelVersion, options: encodeParams(this.cls.schema, this.options as never), nFeatures: this.nFeatures,
      history: {
        train: h.train.slice(), validation: h.validation.slice(), bestEpoch: h.bestEpoch,
        ...(h.terms ? { terms: h.terms } : {}), ...(h.validationTerms ? { validationTerms: h.validationTerms } : {}),
      },
      ...(extra ? { extra } : {}),
    };
  }

  toJSON(): ModelJSON {
    const weights: Record<string, WeightJSON> = {};
    for (const [name, t] of this.net.namedParameters()) {
      weights[name] = { shape: t.shape.slice(), dtype: "float32", base64: toBase64(float32Bytes(t.data)) };
    }
    return { ...this.header(), weights };
  }

  /**
   * The model as safetensors bytes: every parameter as an F32 tensor under its name, and the rest of toJSON() as
   * JSON in the metadata entry "latentkit". PyTorch reads the weights with safetensors.torch.load_file.
   */
  toSafetensors(): Uint8Array {
    const tensors = this.net.namedParameters().map(([n, t]) => [n, { shape: t.shape, data: t.data }] as [string, { shape: readonly number[]; data: ArrayLike<number> }]);
    return serializeSafetensors(tensors, { latentkit: JSON.stringify(this.header()), format: "pt" });
  }

  /** Loads a model of this class from its toJSON() form. */
  static fromJSON<M extends AutoencoderBase>(this: ModelClass<M>, json: ModelJSON): M {
    checkSaved(json, this.modelName);
    return AutoencoderBase.restore(this, json, weightsFromJSON(json.weights, this.modelName), this.modelName) as M;
  }

  /** Loads a model of this class saved by toSafetensors (the CLI's --save-model). */
  static fromSafetensors<M extends AutoencoderBase>(this: ModelClass<M>, bytes: Uint8Array, source = "safetensors data"): M {
    const { header, tensors } = headerOf(bytes, source);
    if (header.type !== this.modelName) {
      fail(`${source}: holds a ${describeValue(header.type)}, not a ${this.modelName}${REGISTRY.has(String(header.type)) ? " (latentkit's loadModel reads any model)" : ""}`);
    }
    return AutoencoderBase.restore(this, header, tensors, source) as M;
  }

  /** Builds a fitted model of class `cls` from a checked header and weights. */
  static restore(cls: ModelClass, json: ModelHeaderJSON, tensors: NamedTensors, source: string): AutoencoderBase {
    const name = cls.modelName;
    checkSaved(json, name);
    if (json.version !== cls.modelVersion) fail(`${source}: ${name} file version ${describeValue(json.version)}, this latentkit reads version ${cls.modelVersion}`);
    const m = new cls(decodeParams(cls.schema, json.options, name) as never);
    const d = numberFromJSON(json.nFeatures, `${name}.nFeatures`, { min: 1, integer: true });
    const h = json.history ?? { train: [], validation: [], bestEpoch: -1 };
    const train = Array.from(numbersFromJSON(h.train, `${name}.history.train`));
    if (train.length < 1) fail(`${name}.history.train: no epochs in the saved model`);
    const validation = Array.from(numbersFromJSON(h.validation ?? [], `${name}.history.validation`));
    const bestEpoch = numberFromJSON(h.bestEpoch, `${name}.history.bestEpoch`, { min: 0, max: train.length - 1, integer: true });
    const termsOf = (t: unknown, what: string): Record<string, number[]> | undefined => {
      if (t === undefined) return undefined;
      if (!t || typeof t !== "object") fail(`${name}.history.${what}: expected an object of per-epoch numbers`);
      const out: Record<string, number[]> = {};
      for (const [k, v] of Object.entries(t as Record<string, unknown>)) out[k] = Array.from(numbersFromJSON(v, `${name}.history.${what}.${k}`));
      return out;
    };
    const terms = termsOf(h.terms, "terms");
    const validationTerms = termsOf(h.validationTerms, "validationTerms");
    // every weight is checked against the shapes the options give before the network is allocated (a damaged
    // nFeatures or layers would otherwise ask for gigabytes first)
    const expected = m.checkSize(d);
    const names = new Set(expected.map(([n]) => n));
    for (const n of tensors.keys()) {
      if (!names.has(n)) fail(`${source}: unexpected weight "${n}" for this ${name} (expected ${expected.map(([e]) => e).join(", ")})`);
    }
    for (const [n, shape] of expected) {
      const got = tensors.get(n);
      const want = `[${shape.join(", ")}]`;
      if (!got) fail(`${source}: weight "${n}" ${want} is missing for this ${name}`);
      if (got.shape.length !== shape.length || got.shape.some((x, i) => x !== shape[i]) || got.data.length !== shape.reduce((x, y) => x * y, 1)) {
        fail(`${source}: weight "${n}" has shape [${got.shape.join(", ")}] (${got.data.length} values), expected ${want} from the options and nFeatures`);
      }
      const bad = got.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`${source}: weight "${n}" element ${bad} is ${got.data[bad]}: expected finite values`);
    }
    const net = m.buildNet(d, null);
    for (const [n, t] of net.namedParameters()) t.data.set(tensors.get(n)!.data);
    m.net_ = net;
    m.nFeatures_ = d;
    m.history_ = {
      train, validation, bestEpoch, stoppedEarly: false, seconds: 0, samplesPerSecond: 0,
      ...(terms ? { terms } : {}), ...(validationTerms ? { validationTerms } : {}),
    };
    try {
      m.loadExtra(json.extra, source);
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  /** Frees the weights (long-lived engine storage); the model is then unfitted. */
  dispose(): void {
    this.net_?.dispose();
    this.net_ = undefined;
  }
}

/** Runs f on chunks of `chunk` rows of M (each under tidy + noGrad) and collects its [rows, cols] outputs into a float32 Matrix. */
export function mapRowChunks(M: Matrix, cols: number, chunk: number, f: (x: Tensor) => Tensor): Matrix {
  const out = Matrix.zeros(M.rows, cols, "float32");
  const d = M.cols;
  for (let s = 0; s < M.rows; s += chunk) {
    const e = Math.min(M.rows, s + chunk);
    tidy(() => noGrad(() => {
      const y = f(Tensor.from(M.data.subarray(s * d, e * d), [e - s, d]));
      out.data.set(y.data, s * cols);
    }));
  }
  return out;
}

/** The output activation in effect for a reconstruction loss: the option, or sigmoid for BCE and none for MSE. */
export function outputActivationFor(o: { readonly loss: "bce" | "mse"; readonly outputActivation?: "sigmoid" | "none" | undefined }): "sigmoid" | "none" {
  return o.outputActivation ?? (o.loss === "bce" ? "sigmoid" : "none");
}

/**
 * The reconstruction loss of targets from a decoder's pre-activation output (mean per element): BCE on the logits,
 * or MSE on the output through its activation.
 */
export function reconstructionLoss(out: Tensor, target: Tensor, loss: "bce" | "mse", outputActivation: "sigmoid" | "none"): Tensor {
  if (loss === "bce") return bceWithLogits(out, target);
  return mseLoss(outputActivation === "sigmoid" ? sigmoid(out) : out, target);
}

/** The [0, 1] check of inputs for cross-entropy losses, naming the first bad value. */
export function checkUnitInterval(M: Matrix, what: string, why: string): void {
  const d = M.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    if (!(v >= 0 && v <= 1)) {
      const i = Math.floor(k / M.cols);
      fail(`${what}[${i}][${k - i * M.cols}] is ${describeValue(v)}: ${why}`);
    }
  }
}

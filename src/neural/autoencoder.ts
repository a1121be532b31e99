// A dense autoencoder on the neural engine: an encoder of linear layers d → layers… → code and a mirrored decoder
// code → …layers → d, trained by mini-batch Adam on the reconstruction loss (binary cross-entropy on the last
// layer's logits, or mean squared error) through the shared training loop (src/nn/train.ts). With `tied` the
// decoder reuses the encoder's weights transposed (PyTorch's [out, in] layout: the encoder computes x·Wᵀ, the tied
// decoder h·W) and has biases of its own. transform gives the codes, inverseTransform decodes them.
import { describeValue, fail } from "../core/errors.js";
import {
  checkFeatures, checkOutput, checkSaved, fitted, numberFromJSON, numbersFromJSON, type InvertibleTransformer, type Progress,
} from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { bool, choice, custom, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";
import { toBase64 } from "../core/bytes.js";
import { parseSafetensors, serializeSafetensors } from "../formats/safetensors.js";
import { backward, noGrad, tidy } from "../nn/autograd.js";
import { glorotUniform, heUniform } from "../nn/init.js";
import { registerModule } from "../nn/layers/index.js";
import { Module, type ModuleSpec } from "../nn/module.js";
import { add, bceWithLogits, gelu, leakyRelu, linear, matmul, mseLoss, relu, sigmoid, tanh, type Activation } from "../nn/ops/index.js";
import { Adam, AdamW } from "../nn/optim/adam.js";
import type { Optimizer } from "../nn/optim/optimizer.js";
import { Tensor } from "../nn/tensor.js";
import { BatchBuffer, fitLoop, type LossHistory } from "../nn/train.js";

export type AutoencoderLoss = "bce" | "mse";

export interface AutoencoderOptions {
  /** Hidden layer sizes of the encoder, from the input inwards (the decoder mirrors them). Default [512, 128]. */
  layers?: number[];
  /** Size of the code (the bottleneck). Default 32. */
  code?: number;
  /** Activation of the hidden layers. Default "relu". */
  activation?: Activation;
  /** Activation of the code layer. Default: `activation` (as W1, ReLU throughout); "none" gives linear codes. */
  codeActivation?: Activation;
  /**
   * Activation of the output: "sigmoid" (outputs in (0, 1); required by the BCE loss, which takes the logits) or
   * "none". Default: "sigmoid" with loss "bce", "none" with "mse".
   */
  outputActivation?: "sigmoid" | "none";
  /** "bce": binary cross-entropy (inputs in [0, 1], e.g. pixels / 255); "mse": mean squared error. Default "bce". */
  loss?: AutoencoderLoss;
  /** Tied weights: the decoder uses the encoder's weights transposed (own biases). Default false. */
  tied?: boolean;
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
  /** Seed of the initial weights, the held-out split and the order of the batches. Default 0. */
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

const ACTIVATIONS = ["relu", "leakyRelu", "gelu", "tanh", "sigmoid", "none"] as const satisfies readonly Activation[];

export const AUTOENCODER_PARAMS = {
  layers: custom<number[]>("an array of integers >= 1 (may be empty)", "hidden layer sizes of the encoder, from the input inwards",
    (v) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 1),
    // the default is frozen: options share it
    { default: Object.freeze([512, 128]) as number[], normalise: (v) => v.slice() }),
  code: int("size of the code (the bottleneck layer)", { min: 1, default: 32 }),
  activation: choice(ACTIVATIONS, "activation of the hidden layers", { default: "relu" }),
  codeActivation: choice(ACTIVATIONS, "activation of the code layer (default: the hidden layers' activation; none: linear codes)"),
  outputActivation: choice(["sigmoid", "none"], "activation of the output (default: sigmoid with loss bce, none with mse)"),
  loss: choice(["bce", "mse"], "reconstruction loss: binary cross-entropy on the logits (inputs in [0, 1]) or mean squared error", { default: "bce" }),
  tied: bool("the decoder uses the encoder's weights transposed", { default: false }),
  batchSize: int("rows per mini-batch", { min: 1, default: 256 }),
  epochs: int("passes over the training rows", { min: 1, default: 10 }),
  learningRate: num("the optimiser's learning rate", { gt: 0, default: 1e-3 }),
  optimizer: choice(["adam", "adamw"], "the optimiser: Adam (L2 weight decay) or AdamW (decoupled weight decay)", { default: "adam" }),
  lrSchedule: choice(["constant", "cosine"], "learning rate per epoch: constant, or cosine annealing towards 0", { default: "constant" }),
  weightDecay: num("weight decay (L2 in the gradient with adam, decoupled with adamw)", { min: 0, default: 0 }),
  validationFraction: num("fraction of the rows held out for a validation loss (0: none)", { min: 0, lt: 1, default: 0 }),
  earlyStopping: int("stop after this many epochs without improvement of the validation (else training) loss", { min: 1 }),
  minDelta: num("smallest decrease of the loss that counts as an improvement for early stopping", { min: 0, default: 0 }),
  seed: int("seed of the initial weights, the validation split and the batch order", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after every epoch and about every 100 ms within one"),
  signal: signal(),
} satisfies Schema<AutoencoderOptions>;

export type AutoencoderParams = ParamsOf<AutoencoderOptions, typeof AUTOENCODER_PARAMS>;

/** One weight in a saved model: its shape and its float32 values, little-endian, as base64. */
export interface WeightJSON {
  shape: number[];
  dtype: "float32";
  base64: string;
}

export interface AutoencoderJSON {
  type: "Autoencoder";
  version: 1;
  options: Record<string, unknown>;
  nFeatures: number;
  /** Parameters by name ("encoder.0.weight" [out, in], "encoder.0.bias", …, "decoder.k.weight", "decoder.k.bias"). */
  weights: Record<string, WeightJSON>;
  history: { train: number[]; validation: number[]; bestEpoch: number };
}

/** The architecture: layer sizes d, layers…, code, and how each layer is built. */
export interface NetSpec {
  sizes: number[];
  tied: boolean;
  activation: Activation;
  codeActivation: Activation;
}

function activate(x: Tensor, a: Activation): Tensor {
  switch (a) {
    case "none": return x;
    case "relu": return relu(x);
    case "leakyRelu": return leakyRelu(x);
    case "gelu": return gelu(x);
    case "tanh": return tanh(x);
    case "sigmoid": return sigmoid(x);
  }
}

/** He-uniform for the ReLU family, Glorot-uniform otherwise (fans from w's [out, in] shape); biases zero. */
function initWeight(w: Tensor, act: Activation, rng: Random): void {
  if (act === "relu" || act === "leakyRelu" || act === "gelu") heUniform(w, rng);
  else glorotUniform(w, rng);
}

/**
 * The network: encoder layers i = 0…L−1 (sizes[i] → sizes[i+1]), decoder layers j = 0…L−1 mirroring them; `rng`
 * null leaves the weights zero (to be loaded). Exported for the autoencoder family and the gradient tests.
 */
// saved DenseAutoencoder modules (nn.saveModule) load back through buildModule
registerModule("DenseAutoencoder", (spec, rng) => {
  const a = (spec.args ?? {}) as Partial<NetSpec>;
  const acts: readonly string[] = ACTIVATIONS;
  if (!Array.isArray(a.sizes) || a.sizes.length < 2 || !a.sizes.every((v) => Number.isSafeInteger(v) && v >= 1) ||
    typeof a.tied !== "boolean" || !acts.includes(a.activation as string) || !acts.includes(a.codeActivation as string)) {
    fail(`buildModule: a DenseAutoencoder spec needs sizes (integers >= 1, at least 2), tied, activation and codeActivation, got ${describeValue(spec.args)}`);
  }
  return new DenseAutoencoderNet(a as NetSpec, rng);
});

/** The parameters of the network of a spec, by name, as DenseAutoencoderNet registers them. */
export function parameterShapes(spec: NetSpec): [string, number[]][] {
  const s = spec.sizes;
  const L = s.length - 1;
  const out: [string, number[]][] = [];
  for (let i = 0; i < L; i++) out.push([`encoder.${i}.weight`, [s[i + 1]!, s[i]!]], [`encoder.${i}.bias`, [s[i + 1]!]]);
  for (let j = 0; j < L; j++) {
    if (!spec.tied) out.push([`decoder.${j}.weight`, [s[L - 1 - j]!, s[L - j]!]]);
    out.push([`decoder.${j}.bias`, [s[L - 1 - j]!]]);
  }
  return out;
}

/** Number of parameters of the network of a spec. */
export function parameterCount(spec: NetSpec): number {
  let n = 0;
  for (const [, shape] of parameterShapes(spec)) n += shape.reduce((x, y) => x * y, 1);
  return n;
}

export class DenseAutoencoderNet extends Module {
  readonly encW: Tensor[] = [];
  readonly encB: Tensor[] = [];
  /** Untied decoder weights (empty when tied). */
  readonly decW: Tensor[] = [];
  readonly decB: Tensor[] = [];

  constructor(readonly net: NetSpec, rng: Random | null) {
    super();
    const s = net.sizes;
    const L = s.length - 1;
    for (let i = 0; i < L; i++) {
      const w = this.param(`encoder.${i}.weight`, Tensor.longLived([s[i + 1]!, s[i]!]));
      if (rng) initWeight(w, i < L - 1 ? net.activation : net.codeActivation, rng);
      this.encW.push(w);
      this.encB.push(this.param(`encoder.${i}.bias`, Tensor.longLived([s[i + 1]!])));
    }
    for (let j = 0; j < L; j++) {
      const fanIn = s[L - j]!, fanOut = s[L - 1 - j]!;
      if (!net.tied) {
        const w = this.param(`decoder.${j}.weight`, Tensor.longLived([fanOut, fanIn]));
        if (rng) initWeight(w, j < L - 1 ? net.activation : "sigmoid", rng);
        this.decW.push(w);
      }
      this.decB.push(this.param(`decoder.${j}.bias`, Tensor.longLived([fanOut])));
    }
  }

  get depth(): number {
    return this.encW.length;
  }

  encode(x: Tensor): Tensor {
    let h = x;
    const L = this.depth;
    for (let i = 0; i < L; i++) h = linear(h, this.encW[i]!, this.encB[i]!, i < L - 1 ? this.net.activation : this.net.codeActivation);
    return h;
  }

  /** The decoder up to the output's pre-activation (logits); `last` is fused into the last layer where it can be. */
  decode(z: Tensor, last: Activation = "none"): Tensor {
    let h = z;
    const L = this.depth;
    for (let j = 0; j < L; j++) {
      const act = j < L - 1 ? this.net.activation : last;
      if (this.net.tied) {
        // encoder layer L−1−j has W [out, in] and computes x·Wᵀ: its transpose is h·W
        h = activate(add(matmul(h, this.encW[L - 1 - j]!), this.decB[j]!), act);
      } else {
        h = linear(h, this.decW[j]!, this.decB[j]!, act);
      }
    }
    return h;
  }

  forward(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }

  spec(): ModuleSpec {
    return { type: "DenseAutoencoder", args: { ...this.net } };
  }
}

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

/** Rows processed at once by transform, inverseTransform and reconstructionError. */
const CHUNK = 1024;

export class Autoencoder implements InvertibleTransformer<MatrixLike, Matrix, AutoencoderParams> {
  static readonly schema = AUTOENCODER_PARAMS;
  readonly options: AutoencoderParams;
  private net_?: DenseAutoencoderNet;
  private history_?: LossHistory;

  constructor(options: AutoencoderOptions = {}) {
    this.options = resolveParams(AUTOENCODER_PARAMS, options, "Autoencoder", (p) => {
      if (p.loss === "bce" && p.outputActivation === "none") {
        fail(`loss "bce" takes the last layer's logits and applies the sigmoid itself: outputActivation must be "sigmoid" (or unset) with it, got "none"`);
      }
    });
  }

  getParams(): AutoencoderParams {
    return { ...this.options };
  }

  /** The output activation in effect: the option, or sigmoid for BCE and none for MSE. */
  get outputActivation(): "sigmoid" | "none" {
    return this.options.outputActivation ?? (this.options.loss === "bce" ? "sigmoid" : "none");
  }

  private get net(): DenseAutoencoderNet {
    return fitted(this.net_, "Autoencoder");
  }

  get nFeatures(): number {
    return this.net.net.sizes[0]!;
  }

  /** The training history: loss per epoch (and validation loss), best epoch, seconds, samples per second. */
  get history(): LossHistory {
    return fitted(this.history_, "Autoencoder");
  }

  /** The training loss of the last epoch (mean per element). */
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

  private sizes(d: number): number[] {
    return [d, ...this.options.layers, this.options.code];
  }

  private netSpec(d: number): NetSpec {
    const spec = this.netSpecOf(d);
    // parameters, gradients and Adam's two moments: 16 bytes a parameter, in a memory of at most 4 GiB
    const bytes = parameterCount(spec) * 16;
    if (bytes > 3 * 2 ** 30) {
      fail(`an Autoencoder of sizes ${spec.sizes.join("-")} has ${parameterCount(spec)} parameters: with gradients and ` +
        `optimiser state ${(bytes / 2 ** 30).toFixed(1)} GiB, more than the 3 GiB the compute core's memory can give it; use smaller layers`);
    }
    return spec;
  }

  private netSpecOf(d: number): NetSpec {
    return { sizes: this.sizes(d), tied: this.options.tied, activation: this.options.activation, codeActivation: this.options.codeActivation ?? this.options.activation };
  }

  /** The loss of a batch: BCE on the logits, or MSE on the (activated) output, mean per element. */
  private lossOf(x: Tensor): Tensor {
    const net = this.net_!;
    if (this.options.loss === "bce") return bceWithLogits(net.decode(net.encode(x)), x);
    return mseLoss(net.decode(net.encode(x), this.outputActivation), x);
  }

  private checkInput(M: Matrix, what: string): void {
    if (this.options.loss !== "bce") return;
    const d = M.data;
    for (let k = 0; k < d.length; k++) {
      const v = d[k]!;
      if (!(v >= 0 && v <= 1)) {
        const i = Math.floor(k / M.cols);
        fail(`${what}[${i}][${k - i * M.cols}] is ${describeValue(v)}: loss "bce" needs values in [0, 1] (scale pixels by 1/255, ` +
          `or min-max scale the features), or use loss "mse"`);
      }
    }
  }

  async fit(X: MatrixLike): Promise<this> {
    const M = toMatrix(X, "X", "float32");
    const n = M.rows;
    if (n < 1 || M.cols < 1) fail(`Autoencoder needs at least one row and one column, got ${n}x${M.cols}`);
    this.checkInput(M, "X");
    const o = this.options;
    if (o.validationFraction > 0 && n < 2) fail(`validationFraction ${o.validationFraction} needs at least 2 rows, got ${n}`);
    this.net_?.dispose();
    this.net_ = undefined;
    this.history_ = undefined;
    const rng = new Random(o.seed);
    const net = new DenseAutoencoderNet(this.netSpec(M.cols), rng);
    this.net_ = net;
    let opt: Optimizer | undefined;
    let batch: BatchBuffer | undefined;
    try {
      const optimizer = opt = new (o.optimizer === "adamw" ? AdamW : Adam)(net.namedParameters(), { lr: o.learningRate, weightDecay: o.weightDecay });
      const buffer = batch = new BatchBuffer(M, Math.min(o.batchSize, n));
      this.history_ = await fitLoop({
        n, batchSize: o.batchSize, epochs: o.epochs, shuffle: rng,
        ...(o.validationFraction > 0 ? { validation: o.validationFraction } : {}),
        step: (idx) => {
          const loss = this.lossOf(buffer.gather(idx));
          const v = loss.item();
          backward(loss);
          optimizer.step();
          optimizer.zeroGrad();
          return v;
        },
        evaluate: (idx) => this.lossOf(buffer.gather(idx)).item(),
        ...(o.earlyStopping !== undefined ? { earlyStopping: { patience: o.earlyStopping, minDelta: o.minDelta } } : {}),
        optimizer,
        ...(o.lrSchedule === "cosine" ? { schedule: (e: number) => o.learningRate * 0.5 * (1 + Math.cos((Math.PI * e) / o.epochs)) } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        what: "Autoencoder.fit",
      });
    } catch (e) {
      net.dispose();
      this.net_ = undefined;
      throw e;
    } finally {
      batch?.dispose();
      opt?.dispose();
    }
    return this;
  }

  /** Runs f on chunks of M's rows (tidy + noGrad) and collects its [rows, cols] outputs into a float32 Matrix. */
  private map(M: Matrix, cols: number, f: (x: Tensor) => Tensor): Matrix {
    const out = Matrix.zeros(M.rows, cols, "float32");
    const d = M.cols;
    for (let s = 0; s < M.rows; s += CHUNK) {
      const e = Math.min(M.rows, s + CHUNK);
      tidy(() => noGrad(() => {
        const y = f(Tensor.from(M.data.subarray(s * d, e * d), [e - s, d]));
        out.data.set(y.data, s * cols);
      }));
    }
    return out;
  }

  /** The codes of X (one row per sample, `code` columns). */
  transform(X: MatrixLike): Matrix {
    const net = this.net;
    const M = toMatrix(X);
    checkFeatures(M, this.nFeatures, "Autoencoder");
    return checkOutput(this.map(M, this.options.code, (x) => net.encode(x)), "Autoencoder.transform");
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const M = toMatrix(X);
    await this.fit(M);
    return this.transform(M);
  }

  /** Decodes codes back to the input space (through the output activation: probabilities with BCE). */
  inverseTransform(Z: MatrixLike): Matrix {
    const net = this.net;
    const M = toMatrix(Z, "Z");
    if (M.cols !== this.options.code) fail(`Z has ${M.cols} columns, but this Autoencoder's code has ${this.options.code}`);
    return checkOutput(this.map(M, this.nFeatures, (z) => net.decode(z, this.outputActivation)), "Autoencoder.inverseTransform");
  }

  /** inverseTransform(transform(X)) in one pass. */
  reconstruct(X: MatrixLike): Matrix {
    const net = this.net;
    const M = toMatrix(X);
    checkFeatures(M, this.nFeatures, "Autoencoder");
    return checkOutput(this.map(M, this.nFeatures, (x) => net.decode(net.encode(x), this.outputActivation)), "Autoencoder.reconstruct");
  }

  /**
   * The reconstruction loss of X, mean per element: the training objective (binary cross-entropy with loss "bce",
   * squared error with "mse"), as `loss` and the CLI's trainLoss/testLoss report it.
   */
  reconstructionError(X: MatrixLike): number {
    fitted(this.net_, "Autoencoder");
    const M = toMatrix(X);
    checkFeatures(M, this.nFeatures, "Autoencoder");
    this.checkInput(M, "X");
    let s = 0;
    const d = M.cols;
    for (let r = 0; r < M.rows; r += CHUNK) {
      const e = Math.min(M.rows, r + CHUNK);
      s += tidy(() => noGrad(() => this.lossOf(Tensor.from(M.data.subarray(r * d, e * d), [e - r, d])).item())) * (e - r);
    }
    return s / M.rows;
  }

  private header(): Omit<AutoencoderJSON, "weights"> {
    const h = this.history;
    return {
      type: "Autoencoder", version: 1, options: encodeParams(AUTOENCODER_PARAMS, this.options), nFeatures: this.nFeatures,
      history: { train: h.train.slice(), validation: h.validation.slice(), bestEpoch: h.bestEpoch },
    };
  }

  toJSON(): AutoencoderJSON {
    const weights: Record<string, WeightJSON> = {};
    for (const [name, t] of this.net.namedParameters()) {
      weights[name] = { shape: t.shape.slice(), dtype: "float32", base64: toBase64(float32Bytes(t.data)) };
    }
    return { ...this.header(), weights };
  }

  /**
   * The model as safetensors bytes: every parameter as an F32 tensor under its name, and the rest of toJSON()
   * (type, version, options, nFeatures, history) as JSON in the metadata entry "latentkit". PyTorch reads the
   * weights with safetensors.torch.load_file.
   */
  toSafetensors(): Uint8Array {
    const tensors = this.net.namedParameters().map(([n, t]) => [n, { shape: t.shape, data: t.data }] as [string, { shape: readonly number[]; data: ArrayLike<number> }]);
    return serializeSafetensors(tensors, { latentkit: JSON.stringify(this.header()), format: "pt" });
  }

  static fromJSON(json: AutoencoderJSON): Autoencoder {
    checkSaved(json, "Autoencoder");
    const w = json.weights;
    if (!w || typeof w !== "object") fail("Autoencoder.weights: expected an object of named weights in the saved model");
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, v] of Object.entries(w)) {
      if (!v || typeof v !== "object" || typeof v.base64 !== "string" || !Array.isArray(v.shape)) {
        fail(`Autoencoder.weights.${name}: expected {shape, dtype, base64} in the saved model`);
      }
      if (v.dtype !== "float32") fail(`Autoencoder.weights.${name}: dtype must be "float32", got ${describeValue(v.dtype)}`);
      const bytes = decodeBase64(v.base64, `Autoencoder.weights.${name}`);
      if (bytes.length % 4 !== 0) fail(`Autoencoder.weights.${name}: ${bytes.length} bytes is not a whole number of float32 values`);
      tensors.set(name, { shape: v.shape, data: float32FromBytes(bytes) });
    }
    return Autoencoder.build(json, tensors, "Autoencoder");
  }

  /** Loads a model saved by toSafetensors (the CLI's --save-model). */
  static fromSafetensors(bytes: Uint8Array, source = "safetensors data"): Autoencoder {
    const file = parseSafetensors(bytes, source);
    const meta = file.metadata.latentkit;
    if (meta === undefined) fail(`${source}: no "latentkit" metadata entry: not an Autoencoder saved by latentkit`);
    let header: unknown;
    try {
      header = JSON.parse(meta);
    } catch (e) {
      fail(`${source}: the "latentkit" metadata is not JSON (${(e as Error).message})`);
    }
    return Autoencoder.build(header as AutoencoderJSON, file.tensors, source);
  }

  private static build(json: Omit<AutoencoderJSON, "weights">, tensors: Map<string, { shape: number[]; data: Float32Array }>, source: string): Autoencoder {
    checkSaved(json, "Autoencoder");
    const ae = new Autoencoder(decodeParams(AUTOENCODER_PARAMS, json.options, "Autoencoder"));
    const d = numberFromJSON(json.nFeatures, "Autoencoder.nFeatures", { min: 1, integer: true });
    const h = json.history ?? { train: [], validation: [], bestEpoch: -1 };
    const train = Array.from(numbersFromJSON(h.train, "Autoencoder.history.train", { min: 0 }));
    if (train.length < 1) fail("Autoencoder.history.train: no epochs in the saved model");
    const validation = Array.from(numbersFromJSON(h.validation ?? [], "Autoencoder.history.validation", { min: 0 }));
    const bestEpoch = numberFromJSON(h.bestEpoch, "Autoencoder.history.bestEpoch", { min: 0, max: train.length - 1, integer: true });
    // the file must hold exactly the network's values before the network is allocated (a damaged nFeatures or
    // layers would otherwise ask for gigabytes first)
    // every weight is checked against the shapes the options give before the network is allocated (a damaged
    // nFeatures or layers would otherwise ask for gigabytes first)
    const spec = ae.netSpec(d);
    const expected = parameterShapes(spec);
    const names = new Set(expected.map(([n]) => n));
    const arch = `${spec.sizes.join("-")}${spec.tied ? " (tied)" : ""}`;
    for (const name of tensors.keys()) {
      if (!names.has(name)) fail(`${source}: unexpected weight "${name}" for an Autoencoder of sizes ${arch}`);
    }
    for (const [name, shape] of expected) {
      const got = tensors.get(name);
      const want = `[${shape.join(", ")}]`;
      if (!got) fail(`${source}: weight "${name}" ${want} is missing for an Autoencoder of sizes ${arch}`);
      if (got.shape.length !== shape.length || got.shape.some((x, i) => x !== shape[i]) || got.data.length !== shape.reduce((x, y) => x * y, 1)) {
        fail(`${source}: weight "${name}" has shape [${got.shape.join(", ")}] (${got.data.length} values), expected ${want} from the options and nFeatures`);
      }
      const bad = got.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`${source}: weight "${name}" element ${bad} is ${got.data[bad]}: expected finite values`);
    }
    const net = new DenseAutoencoderNet(spec, null);
    for (const [name, t] of net.namedParameters()) t.data.set(tensors.get(name)!.data);
    ae.net_ = net;
    ae.history_ = { train, validation, bestEpoch, stoppedEarly: false, seconds: 0, samplesPerSecond: 0 };
    return ae;
  }

  /** Frees the weights (long-lived engine storage); the model is then unfitted. */
  dispose(): void {
    this.net_?.dispose();
    this.net_ = undefined;
  }
}

// The variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014; Rezende, Mohamed &
// Wierstra, "Stochastic Backpropagation and Approximate Inference in Deep Generative Models", ICML 2014), with the
// β-VAE weight on the KL term (Higgins et al., "β-VAE: Learning Basic Visual Concepts with a Constrained Variational
// Framework", ICLR 2017) and the importance-weighted estimate of log p(x) (Burda, Grosse & Salakhutdinov, "Importance
// Weighted Autoencoders", ICLR 2016).
//
// Model: p(z) = N(0, I) over `code` dimensions; the decoder gives p(x | z), either Bernoulli with probabilities
// sigmoid(logits(z)) per pixel (inputs in [0, 1]), or Gaussian N(mean(z), σ² I) with one variance σ² shared by every
// pixel (see below). The encoder gives q(z | x) = N(μ(x), diag(exp(logVar(x)))): a dense network d → layers… (ReLU)
// with two linear heads μ and log σ² of `code` units each (as PyTorch's examples/vae: fc1 → fc21, fc22), or the
// convolutional encoder of src/models/conv-nets.ts (3×3 convolutions + ReLU + 2×2 max pooling per entry of `channels`,
// then a linear layer) with 2·code outputs split into μ and log σ², and its mirror ConvDecoder (transposed 2×2
// convolutions up) as the decoder. Rows are flattened images, channel-major ([C, H, W] of `imageShape`).
//
// Training maximises the evidence lower bound per image,
//   ELBO(x) = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)),
// with one sample z = μ + σ ⊙ ε, ε ~ N(0, I) drawn fresh for every step (the reparameterisation trick, which makes z a
// differentiable function of μ and σ). The loss is the mean over the batch of the negative (β-)ELBO
//   reconstruction + β · KL,   reconstruction = −log p(x | z) summed over the pixels,  KL summed over the code,
// in nats per image, as PyTorch's examples/vae (which sums the BCE over pixels and the KL over latent dimensions and
// divides the epoch's sum by the number of images). The KL is the closed form −½ Σ (1 + log σ² − μ² − σ²) of the
// gaussianKL op (its "mean" reduction is the batch mean of the per-image sums over the code axis).
//
// The Gaussian decoder's variance: a free per-pixel variance lets the likelihood of the always-black border pixels of
// Fashion-MNIST grow without bound, and a learned shared variance moves by about the learning rate a step (thousands of
// steps from σ² = 1 to ~0.01). So σ² is the maximum-likelihood value given the decoder's means, the "optimal σ" of
// Rybkin, Daniilidis & Levine ("Simple and Effective VAE Training with Calibrated Decoders", ICML 2021): in training
// σ² = the batch's mean squared error (+ 1e-6), through which the gradient flows (at the optimum it changes nothing
// but the scale); after fit, σ² is that mean squared error over the training rows (one z sample each, a fixed seed),
// kept in the model file and used by elbo, logLikelihood and the validation loss. The Gaussian nats include the
// normalising constant: −log p(x | z) = ½ Σ_j [(x_j − m_j)² / σ² + log σ² + log 2π].
//
// logLikelihood(X) is the importance-sampled estimate with q as the proposal,
//   log p(x) ≈ log (1/K) Σ_k p(x | z_k) p(z_k) / q(z_k | x),  z_k ~ q(z | x),
// taken by a log-sum-exp in float64. For K = 1 its expectation is the ELBO; it never decreases in expectation with K
// and tends to log p(x) (log p(x) ≥ IWAE_K ≥ ELBO, Burda et al. Theorem 1).
import { describeValue, fail } from "../core/errors.js";
import { checkOutput, fitted } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { choice, custom, int, num, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";
import { noGrad, tidy } from "../nn/autograd.js";
import { Linear } from "../nn/layers/dense.js";
import { registerModule } from "../nn/layers/index.js";
import { Sequential } from "../nn/layers/container.js";
import { Module, type ModuleSpec } from "../nn/module.js";
import { add, addScalar, bceWithLogits, div, exp, gaussianKL, log, mseLoss, mul, mulScalar, sigmoid, slice } from "../nn/ops/index.js";
import { Tensor } from "../nn/tensor.js";
import { ConvDecoder, ConvEncoder, convDecoderShapes, convEncoderShapes, type ConvEncoderSpec, type ConvDecoderSpec } from "./conv-nets.js";
import {
  AutoencoderBase, CHUNK, TRAINING_PARAMS, checkUnitInterval, registerModel, type BatchLoss, type ModelJSON, type TrainingOptions,
  type TrainingParams,
} from "./base.js";

export type VAELikelihood = "bernoulli" | "gaussian";
export type VAEArchitecture = "dense" | "conv";

export interface VAEOptions extends TrainingOptions {
  /** Hidden layer sizes of the dense encoder, from the input inwards (the decoder mirrors them). Default [400]. */
  layers?: number[];
  /** Dimensions of the latent code z. Default 20. */
  code?: number;
  /**
   * p(x | z): "bernoulli" (inputs in [0, 1], BCE on the decoder's logits summed over pixels) or "gaussian" (a shared
   * variance, its maximum-likelihood value; see the file's header). Default "bernoulli".
   */
  likelihood?: VAELikelihood;
  /** Weight of the KL term (β-VAE; 1 is the ELBO). Default 1. */
  beta?: number;
  /** "dense" (layers) or "conv" (convolutional encoder/decoder over images of imageShape). Default "dense". */
  architecture?: VAEArchitecture;
  /** [channels, height, width] (or [height, width] for one channel) of the images; required by "conv". */
  imageShape?: number[];
  /** Feature maps of each level of the convolutional encoder (one conv + 2×2 pooling each). Default [16, 32]. */
  channels?: number[];
}

const intArray = (min: number) => (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min);

export const VAE_PARAMS = {
  layers: custom<number[]>("an array of integers >= 1 (may be empty)", "hidden layer sizes of the dense encoder, from the input inwards",
    intArray(1), { default: Object.freeze([400]) as number[], normalise: (v) => v.slice() }),
  code: int("dimensions of the latent code", { min: 1, default: 20 }),
  likelihood: choice(["bernoulli", "gaussian"], "p(x | z): Bernoulli on the decoder's logits (inputs in [0, 1]) or Gaussian with a shared variance", { default: "bernoulli" }),
  beta: num("weight of the KL term (beta-VAE; 1 is the ELBO)", { min: 0, default: 1 }),
  architecture: choice(["dense", "conv"], "dense layers, or a convolutional encoder and decoder over images of imageShape", { default: "dense" }),
  imageShape: custom<number[]>("[channels, height, width] or [height, width] (integers >= 1)", "shape of the images (the conv architecture)",
    (v) => intArray(1)(v) && ((v as number[]).length === 2 || (v as number[]).length === 3),
    { normalise: (v) => (v.length === 2 ? [1, v[0]!, v[1]!] : v.slice()) }),
  channels: custom<number[]>("a non-empty array of integers >= 1", "feature maps of each level of the convolutional encoder",
    (v) => intArray(1)(v) && (v as number[]).length > 0, { default: Object.freeze([16, 32]) as number[], normalise: (v) => v.slice() }),
  ...TRAINING_PARAMS,
  batchSize: int("rows per mini-batch", { min: 1, default: 128 }),
} satisfies Schema<VAEOptions>;

export type VAEParams = ParamsOf<VAEOptions, typeof VAE_PARAMS> & TrainingParams;

/** The architecture of a VAE's network. */
export interface VAENetSpec {
  /** Input features (pixels). */
  d: number;
  code: number;
  likelihood: VAELikelihood;
  architecture: VAEArchitecture;
  /** Dense: hidden layer sizes. */
  layers: readonly number[];
  /** Conv: [C, H, W] and the feature maps per level. */
  imageShape?: readonly [number, number, number];
  channels?: readonly number[];
}

/** The negative ELBO of a batch and its two terms (scalars: means over the batch of per-image sums, in nats). */
export interface NegElbo {
  loss: Tensor;
  reconstruction: Tensor;
  kl: Tensor;
  /** The batch's mean squared error per pixel (Gaussian decoder only). */
  mse?: Tensor;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** Floor of the Gaussian decoder's variance (σ² = MSE + this): keeps log σ² finite for a perfect fit. */
const MIN_VARIANCE = 1e-6;

/** The parameters of a VAE network (dense or conv) by name and shape, as VAENet registers them. */
export function vaeParameterShapes(spec: VAENetSpec): [string, number[]][] {
  const out: [string, number[]][] = [];
  const lin = (name: string, i: number, o: number): void => {
    out.push([`${name}.weight`, [o, i]], [`${name}.bias`, [o]]);
  };
  if (spec.architecture === "dense") {
    const s = [spec.d, ...spec.layers];
    for (let i = 0; i + 1 < s.length; i++) lin(`encoder.${i}`, s[i]!, s[i + 1]!);
    const h = s[s.length - 1]!;
    lin("mean", h, spec.code);
    lin("logVar", h, spec.code);
    const r = [spec.code, ...spec.layers.slice().reverse(), spec.d];
    for (let j = 0; j + 1 < r.length; j++) lin(`decoder.${j}`, r[j]!, r[j + 1]!);
    return out;
  }
  const [enc, dec] = convSpecs(spec);
  return [...convEncoderShapes(enc, "encoder."), ...convDecoderShapes(dec, "decoder.")];
}

/** The conv variant's encoder (2·code outputs: μ then log σ²) and decoder specs (3×3 kernels, transposed upsampling). */
function convSpecs(spec: VAENetSpec): [ConvEncoderSpec, ConvDecoderSpec] {
  const base = { imageShape: spec.imageShape!, channels: spec.channels!, kernelSize: 3 };
  return [{ ...base, outSize: 2 * spec.code }, { ...base, inSize: spec.code, upsample: "transposed" }];
}

/**
 * The network of a VAE: encoder to (μ, log σ²), decoder to logits (Bernoulli) or means (Gaussian), and the negative
 * ELBO for given noise ε. Weights start as PyTorch's nn.Linear (U(±1/√fan_in)); `rng` null draws them from a
 * throwaway generator (they are to be loaded). Exported for the gradient tests.
 */
export class VAENet extends Module {
  /** Dense: the hidden layers (ReLU) before the heads; conv: the ConvEncoder with 2·code outputs. */
  readonly encoder: Sequential | ConvEncoder;
  /** The dense variant's heads μ and log σ² (null for conv, whose encoder's outputs are split). */
  readonly meanHead: Linear | null = null;
  readonly logVarHead: Linear | null = null;
  readonly decoder: Sequential | ConvDecoder;

  constructor(readonly net: VAENetSpec, rng: Random | null) {
    super();
    const r = rng ?? new Random(0);
    if (net.architecture === "conv") {
      const [enc, dec] = convSpecs(net);
      this.encoder = this.child("encoder", new ConvEncoder(enc, r));
      this.decoder = this.child("decoder", new ConvDecoder(dec, r));
      return;
    }
    const s = [net.d, ...net.layers];
    const enc: Module[] = [];
    for (let i = 0; i + 1 < s.length; i++) enc.push(new Linear(s[i]!, s[i + 1]!, { activation: "relu", rng: r }));
    this.encoder = this.child("encoder", new Sequential(enc));
    const h = s[s.length - 1]!;
    this.meanHead = this.child("mean", new Linear(h, net.code, { rng: r }));
    this.logVarHead = this.child("logVar", new Linear(h, net.code, { rng: r }));
    const rev = [net.code, ...net.layers.slice().reverse(), net.d];
    const dec: Module[] = [];
    for (let j = 0; j + 1 < rev.length; j++) dec.push(new Linear(rev[j]!, rev[j + 1]!, { activation: j + 2 < rev.length ? "relu" : "none", rng: r }));
    this.decoder = this.child("decoder", new Sequential(dec));
  }

  /** μ and log σ² of q(z | x) for a batch [N, d]. */
  encode(x: Tensor): { mean: Tensor; logVar: Tensor } {
    const h = this.encoder.forward(x);
    if (this.meanHead && this.logVarHead) return { mean: this.meanHead.forward(h), logVar: this.logVarHead.forward(h) };
    const n = h.shape[0]!, k = this.net.code;
    return { mean: slice(h, [0, 0], [n, k]), logVar: slice(h, [0, k], [n, k]) };
  }

  /** The decoder's output for codes [N, code]: logits (Bernoulli) or means (Gaussian), [N, d] (flattened images for conv). */
  decode(z: Tensor): Tensor {
    return this.decoder instanceof ConvDecoder ? this.decoder.forwardFlat(z) : this.decoder.forward(z);
  }

  /** The decoder's mean: probabilities sigmoid(logits) (Bernoulli) or the Gaussian means. */
  decodeMean(z: Tensor): Tensor {
    const y = this.decode(z);
    return this.net.likelihood === "bernoulli" ? sigmoid(y) : y;
  }

  /** z = μ + exp(½ log σ²) ⊙ ε. */
  static reparameterise(mean: Tensor, logVar: Tensor, eps: Tensor): Tensor {
    return add(mean, mul(exp(mulScalar(logVar, 0.5)), eps));
  }

  /**
   * The negative β-ELBO of a batch x [N, d] with noise ε [N, code] (one z per row): the batch mean of the per-image
   * reconstruction −log p(x | z) (summed over pixels) plus β times the mean per-image KL. `variance`: the Gaussian
   * decoder's σ²; undefined: the batch's maximum-likelihood σ² (training).
   */
  negElbo(x: Tensor, eps: Tensor, beta: number, variance?: number): NegElbo {
    const n = x.shape[0]!;
    const { mean, logVar } = this.encode(x);
    const z = VAENet.reparameterise(mean, logVar, eps);
    const y = this.decode(z);
    let reconstruction: Tensor;
    if (this.net.likelihood === "bernoulli") {
      reconstruction = mulScalar(bceWithLogits(y, x, "sum"), 1 / n);
    } else {
      // ½ Σ_j [(x − m)²/σ² + log σ² + log 2π] per image = (d/2)·[mse/σ² + log σ² + log 2π], mse the batch's mean
      const d = this.net.d;
      const mse = mseLoss(y, x);
      const s2 = variance === undefined ? addScalar(mse, MIN_VARIANCE) : Tensor.from([variance], []);
      reconstruction = mulScalar(addScalar(add(div(mse, s2), log(s2)), LOG_2PI), d / 2);
      const kl = gaussianKL(mean, logVar, "mean");
      return { loss: beta === 1 ? add(reconstruction, kl) : add(reconstruction, mulScalar(kl, beta)), reconstruction, kl, mse };
    }
    const kl = gaussianKL(mean, logVar, "mean");
    const loss = beta === 1 ? add(reconstruction, kl) : add(reconstruction, mulScalar(kl, beta));
    return { loss, reconstruction, kl };
  }

  forward(x: Tensor): Tensor {
    return this.decodeMean(this.encode(x).mean);
  }

  spec(): ModuleSpec {
    return { type: "VAENet", args: { ...this.net } };
  }
}

// saved VAENet modules (nn.saveModule) load back through buildModule
registerModule("VAENet", (spec, rng) => {
  const a = (spec.args ?? {}) as Partial<VAENetSpec>;
  const ints = (v: unknown): boolean => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 1);
  if (!Number.isSafeInteger(a.d) || a.d! < 1 || !Number.isSafeInteger(a.code) || a.code! < 1 || !ints(a.layers) ||
    (a.likelihood !== "bernoulli" && a.likelihood !== "gaussian") || (a.architecture !== "dense" && a.architecture !== "conv") ||
    (a.architecture === "conv" && (!ints(a.imageShape) || a.imageShape!.length !== 3 || !ints(a.channels)))) {
    fail(`buildModule: a VAENet spec needs d, code, layers, likelihood, architecture (and imageShape, channels for conv), got ${describeValue(spec.args)}`);
  }
  return new VAENet(a as VAENetSpec, rng);
});

/** −log p(x | z) of one image in float64: its pixels x[xo…xo+d), the decoder's output (logits or means) y[yo…yo+d). */
function reconstructionNats(likelihood: VAELikelihood, x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, d: number, variance: number): number {
  let s = 0;
  if (likelihood === "bernoulli") {
    for (let j = 0; j < d; j++) {
      const l = y[yo + j]!, t = x[xo + j]!;
      s += Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l)));
    }
    return s;
  }
  for (let j = 0; j < d; j++) {
    const e = x[xo + j]! - y[yo + j]!;
    s += e * e;
  }
  return 0.5 * (s / variance + d * (Math.log(variance) + LOG_2PI));
}

/** The ELBO of a set of images and its two terms, nats per image (means over the images). */
export interface ElboResult {
  negElbo: number;
  reconstruction: number;
  kl: number;
}

export interface LogLikelihoodOptions {
  /** Importance samples per image (K). Default 100. */
  samples?: number;
  /** Seed of the samples. Default 0. */
  seed?: number;
}

export class VAE<P extends VAEParams = VAEParams> extends AutoencoderBase<P, VAENet> {
  static readonly schema: AnySchema = VAE_PARAMS;
  static readonly modelName: string = "VAE";
  static readonly modelVersion: number = 1;

  /** The Gaussian decoder's variance after fit (1 until then, and for the Bernoulli decoder, where it is unused). */
  private variance_ = 1;
  /** The noise of validation evaluations (apart from the training noise, so a validation split changes nothing else). */
  private evalNoise = new Random(1);
  private lastWasTraining = true;
  private epochMse = { sum: 0, n: 0 };

  constructor(options: VAEOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: P): void {
    if (p.architecture === "conv" && p.imageShape === undefined) {
      fail(`architecture "conv" needs imageShape ([channels, height, width], e.g. [1, 28, 28] for Fashion-MNIST)`);
    }
  }

  get codeSize(): number {
    return this.options.code;
  }

  /** The Gaussian decoder's shared variance σ² (fitted; 1 for the Bernoulli decoder, which has none). */
  get outputVariance(): number {
    fitted(this.net_, this.modelName);
    return this.variance_;
  }

  /** The architecture for d input features (checked against imageShape for the conv variant). */
  netSpec(d: number): VAENetSpec {
    const o = this.options;
    const spec: VAENetSpec = { d, code: o.code, likelihood: o.likelihood, architecture: o.architecture, layers: o.layers.slice() };
    if (o.architecture === "conv") {
      const s = o.imageShape!;
      const c = s[0]!, h = s[1]!, w = s[2]!;
      if (c * h * w !== d) fail(`imageShape [${s.join(", ")}] has ${c * h * w} values, but the rows have ${d} features`);
      spec.imageShape = [c, h, w];
      spec.channels = o.channels.slice();
    }
    return spec;
  }

  protected buildNet(d: number, rng: Random | null): VAENet {
    return new VAENet(this.netSpec(d), rng);
  }

  protected parameterShapes(d: number): [string, number[]][] {
    return vaeParameterShapes(this.netSpec(d));
  }

  /** Standard normal noise [rows, code] from `rng`. */
  private eps(rows: number, rng: Random): Tensor {
    return Tensor.randn([rows, this.options.code], rng);
  }

  protected batchLoss(x: Tensor, training: boolean): BatchLoss {
    const net = this.net_!;
    const n = x.shape[0]!;
    // each pass of validation rows draws the same ε (so that epochs compare like with like and early stopping sees
    // the model, not Monte-Carlo noise), and a new epoch of training restarts the mean of its batch errors
    if (training !== this.lastWasTraining) {
      if (training) this.epochMse = { sum: 0, n: 0 };
      else this.evalNoise = new Random(this.options.seed ^ 0xe7a1);
      this.lastWasTraining = training;
    }
    // training: the batch's maximum-likelihood variance (Gaussian); validation during fit: the mean squared error of
    // the epoch's training batches (not the held-out rows' own, which would fit σ² to the targets scored); after
    // fit: the fitted variance
    let variance: number | undefined;
    if (!training) {
      if (this.history_ !== undefined) variance = this.variance_;
      else if (this.options.likelihood === "gaussian") variance = (this.epochMse.n > 0 ? this.epochMse.sum / this.epochMse.n : 1) + MIN_VARIANCE;
    }
    const r = net.negElbo(x, this.eps(n, training ? this.noise : this.evalNoise), this.options.beta, variance);
    if (training && r.mse) {
      this.epochMse.sum += r.mse.item() * n;
      this.epochMse.n += n;
    }
    return { loss: r.loss, terms: { reconstruction: r.reconstruction.item(), kl: r.kl.item() } };
  }

  protected encodeBatch(x: Tensor): Tensor {
    return this.net_!.encode(x).mean;
  }

  protected decodeBatch(z: Tensor): Tensor {
    return this.net_!.decodeMean(z);
  }

  protected override checkInput(M: Matrix, what: string): void {
    if (this.options.likelihood !== "bernoulli") return;
    checkUnitInterval(M, what, `likelihood "bernoulli" needs values in [0, 1] (scale pixels by 1/255), or use likelihood "gaussian"`);
  }

  override async fit(X: MatrixLike): Promise<this> {
    this.variance_ = 1;
    this.evalNoise = new Random(this.options.seed ^ 0xe7a1);
    this.lastWasTraining = true;
    this.epochMse = { sum: 0, n: 0 };
    return super.fit(X);
  }

  /** The Gaussian decoder's σ²: the mean squared error over the training rows, one z sample each (a fixed seed). */
  protected override afterFit(X: Matrix): void {
    if (this.options.likelihood !== "gaussian") return;
    const rng = new Random(this.options.seed ^ 0x7a21);
    const d = X.cols;
    let s = 0;
    this.forChunks(X, (x, r0, rows) => {
      const { mean, logVar } = this.net_!.encode(x);
      const y = this.net_!.decode(VAENet.reparameterise(mean, logVar, this.eps(rows, rng))).data;
      for (let k = 0; k < rows * d; k++) {
        const e = X.data[r0 * d + k]! - y[k]!;
        s += e * e;
      }
    });
    this.variance_ = s / (X.rows * d) + MIN_VARIANCE;
  }

  protected override saveExtra(): Record<string, unknown> | undefined {
    return this.options.likelihood === "gaussian" ? { outputVariance: this.variance_ } : undefined;
  }

  protected override loadExtra(extra: Record<string, unknown> | undefined, source: string): void {
    if (this.options.likelihood !== "gaussian") return;
    const v = extra?.outputVariance;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      fail(`${source}: a Gaussian VAE needs extra.outputVariance (a finite number > 0), got ${describeValue(v)}`);
    }
    this.variance_ = v;
  }

  /** Runs f(x, first row, rows) on chunks of M's rows inside tidy + noGrad. */
  private forChunks(M: Matrix, f: (x: Tensor, r0: number, rows: number) => void, chunk = CHUNK): void {
    const d = M.cols;
    for (let s = 0; s < M.rows; s += chunk) {
      const e = Math.min(M.rows, s + chunk);
      tidy(() => noGrad(() => f(Tensor.from(M.data.subarray(s * d, e * d), [e - s, d]), s, e - s)));
    }
  }

  /** μ and log σ² of q(z | x) for each row of X (`transform` is the mean). */
  encode(X: MatrixLike): { mean: Matrix; logVar: Matrix } {
    const M = this.input(X);
    const k = this.options.code;
    const mean = Matrix.zeros(M.rows, k), logVar = Matrix.zeros(M.rows, k);
    this.forChunks(M, (x, r0) => {
      const q = this.net_!.encode(x);
      mean.data.set(q.mean.data, r0 * k);
      logVar.data.set(q.logVar.data, r0 * k);
    });
    checkOutput(mean, `${this.modelName}.encode`);
    return { mean, logVar: checkOutput(logVar, `${this.modelName}.encode`) };
  }

  /** n images drawn from the model: the decoder's means (probabilities for Bernoulli) at z ~ N(0, I). */
  sample(n: number, seed = 0): Matrix {
    fitted(this.net_, this.modelName);
    if (!Number.isSafeInteger(n) || n < 1) fail(`sample: n must be an integer >= 1, got ${describeValue(n)}`);
    if (!Number.isSafeInteger(seed)) fail(`sample: seed must be an integer, got ${describeValue(seed)}`);
    const Z = Matrix.zeros(n, this.options.code);
    new Random(seed).fillNormal(Z.data as Float32Array);
    return this.inverseTransform(Z);
  }

  /** A code from an input row (its μ) or a code, for interpolate. */
  private codeOf(v: MatrixLike | ArrayLike<number>, name: string): Float32Array {
    let row: ArrayLike<number>;
    if (v instanceof Matrix) {
      if (v.rows !== 1) fail(`interpolate: ${name} must be one row (an input or a code), got a ${v.rows}x${v.cols} matrix`);
      row = v.data;
    } else if (Array.isArray(v) && Array.isArray(v[0])) {
      const m = toMatrix(v as MatrixLike, name);
      if (m.rows !== 1) fail(`interpolate: ${name} must be one row (an input or a code), got ${m.rows} rows`);
      row = m.data;
    } else if (v && typeof (v as ArrayLike<number>).length === "number") row = v as ArrayLike<number>;
    else return fail(`interpolate: ${name} must be an input row or a code (numbers), got ${describeValue(v)}`);
    for (let j = 0; j < row.length; j++) {
      if (!Number.isFinite(row[j])) fail(`interpolate: ${name}[${j}] is ${describeValue(row[j])}: expected finite numbers`);
    }
    if (row.length === this.nFeatures) return this.encode(new Matrix(1, row.length, Float32Array.from(row))).mean.data as Float32Array;
    if (row.length === this.options.code) return Float32Array.from(row);
    return fail(`interpolate: ${name} has ${row.length} values: expected an input row (${this.nFeatures}) or a code (${this.options.code})`);
  }

  /**
   * Decoded images along the straight line in latent space from a to b: `steps` rows (the first decodes a, the last
   * b). a and b are input rows (their codes are the encoder's means μ) or codes; an input row is recognised by its
   * length (nFeatures; checked before the code size).
   */
  interpolate(a: MatrixLike | ArrayLike<number>, b: MatrixLike | ArrayLike<number>, steps = 10): Matrix {
    fitted(this.net_, this.modelName);
    if (!Number.isSafeInteger(steps) || steps < 2) fail(`interpolate: steps must be an integer >= 2, got ${describeValue(steps)}`);
    const za = this.codeOf(a, "a"), zb = this.codeOf(b, "b");
    const k = za.length;
    const Z = Matrix.zeros(steps, k);
    for (let i = 0; i < steps; i++) {
      const t = i / (steps - 1);
      for (let j = 0; j < k; j++) Z.data[i * k + j] = (1 - t) * za[j]! + t * zb[j]!;
    }
    return this.inverseTransform(Z);
  }

  /** Per-image terms of the negative ELBO with one z per image: reconstruction and KL (float64), for elbo. */
  private elboTerms(M: Matrix, seed: number): { reconstruction: Float64Array; kl: Float64Array } {
    const rng = new Random(seed);
    const d = M.cols, k = this.options.code;
    const reconstruction = new Float64Array(M.rows), kl = new Float64Array(M.rows);
    this.forChunks(M, (x, r0, rows) => {
      const { mean, logVar } = this.net_!.encode(x);
      const y = this.net_!.decode(VAENet.reparameterise(mean, logVar, this.eps(rows, rng))).data;
      const m = mean.data, l = logVar.data;
      for (let i = 0; i < rows; i++) {
        reconstruction[r0 + i] = reconstructionNats(this.options.likelihood, M.data, (r0 + i) * d, y, i * d, d, this.variance_);
        let s = 0;
        for (let j = 0; j < k; j++) {
          const lv = l[i * k + j]!, mu = m[i * k + j]!;
          s += 1 + lv - mu * mu - Math.exp(lv);
        }
        kl[r0 + i] = -0.5 * s;
      }
    });
    return { reconstruction, kl };
  }

  /**
   * The negative ELBO of X in nats per image (mean over the rows) with one sample of z per image (seeded), and its
   * two terms: reconstruction (−log p(x | z), summed over pixels) and KL(q(z | x) ‖ p(z)). This is the ELBO itself
   * (β = 1) whatever β the model was trained with; the Gaussian decoder uses its fitted variance.
   */
  elbo(X: MatrixLike, seed = 0): ElboResult {
    const M = this.input(X);
    this.checkInput(M, "X");
    if (!Number.isSafeInteger(seed)) fail(`elbo: seed must be an integer, got ${describeValue(seed)}`);
    const t = this.elboTerms(M, seed);
    let r = 0, k = 0;
    for (let i = 0; i < M.rows; i++) {
      r += t.reconstruction[i]!;
      k += t.kl[i]!;
    }
    r /= M.rows;
    k /= M.rows;
    return { negElbo: r + k, reconstruction: r, kl: k };
  }

  /**
   * The training objective on X: the negative β-ELBO (reconstruction + β·KL) in nats per image, one z per image from a
   * fixed seed (the same number on every call).
   */
  override reconstructionError(X: MatrixLike): number {
    const e = this.elbo(X, 0);
    return e.reconstruction + this.options.beta * e.kl;
  }

  /**
   * Importance-sampled log p(x) per image (nats) with K samples from q(z | x) (`samples`, default 100), and their
   * mean: log (1/K) Σ_k exp(log p(x | z_k) + log p(z_k) − log q(z_k | x)), the log-sum-exp in float64. The decoder
   * runs on blocks of about 2048 (image, sample) pairs at once.
   */
  logLikelihood(X: MatrixLike, opts: LogLikelihoodOptions = {}): { mean: number; perImage: Float64Array } {
    const M = this.input(X);
    this.checkInput(M, "X");
    const K = opts.samples ?? 100;
    const seed = opts.seed ?? 0;
    if (!Number.isSafeInteger(K) || K < 1) fail(`logLikelihood: samples must be an integer >= 1, got ${describeValue(K)}`);
    if (!Number.isSafeInteger(seed)) fail(`logLikelihood: seed must be an integer, got ${describeValue(seed)}`);
    const { mean: MU, logVar: LV } = this.encode(M);
    const rng = new Random(seed);
    const n = M.rows, d = M.cols, k = this.options.code;
    const like = this.options.likelihood;
    const BLOCK = 2048;
    // images per block, and samples per block for each image
    const perBlock = Math.max(1, Math.floor(BLOCK / K));
    const samplesPer = Math.min(K, BLOCK);
    const perImage = new Float64Array(n);
    const net = this.net_!;
    for (let i0 = 0; i0 < n; i0 += perBlock) {
      const i1 = Math.min(n, i0 + perBlock);
      const nb = i1 - i0;
      // running log-sum-exp per image: max and sum of exp(w − max)
      const mx = new Float64Array(nb).fill(-Infinity), sm = new Float64Array(nb);
      for (let k0 = 0; k0 < K; k0 += samplesPer) {
        const ns = Math.min(K, k0 + samplesPer) - k0;
        const rows = nb * ns;
        const z = new Float32Array(rows * k);
        // log p(z) − log q(z | x) per (image, sample): −½ Σ [z² − ε² − log σ²] (the log 2π cancel)
        const prior = new Float64Array(rows);
        for (let b = 0; b < nb; b++) {
          const o = (i0 + b) * k;
          for (let s = 0; s < ns; s++) {
            const r = b * ns + s;
            let acc = 0;
            for (let j = 0; j < k; j++) {
              const e = rng.normal();
              const lv = LV.data[o + j]!;
              const zz = MU.data[o + j]! + Math.exp(0.5 * lv) * e;
              z[r * k + j] = zz;
              // z as float32 is what the decoder sees; the density uses the same value
              const zf = z[r * k + j]!;
              const ef = (zf - MU.data[o + j]!) / Math.exp(0.5 * lv);
              acc += zf * zf - ef * ef - lv;
            }
            prior[r] = -0.5 * acc;
          }
        }
        tidy(() => noGrad(() => {
          const y = net.decode(Tensor.from(z, [rows, k])).data;
          for (let b = 0; b < nb; b++) {
            const xo = (i0 + b) * d;
            for (let s = 0; s < ns; s++) {
              const r = b * ns + s;
              const w = prior[r]! - reconstructionNats(like, M.data, xo, y, r * d, d, this.variance_);
              if (Number.isNaN(w)) fail(`VAE.logLikelihood: the weight of sample ${s} of row ${i0 + b} is NaN (an overflowing log-variance?)`);
              if (w === -Infinity) continue; // adds 0 to the sum (and exp(−∞ − −∞) would be NaN)
              if (w > mx[b]!) {
                sm[b] = sm[b]! * Math.exp(mx[b]! - w) + 1;
                mx[b] = w;
              } else sm[b]! += Math.exp(w - mx[b]!);
            }
          }
        }));
      }
      for (let b = 0; b < nb; b++) perImage[i0 + b] = mx[b]! + Math.log(sm[b]!) - Math.log(K);
    }
    let total = 0;
    for (let i = 0; i < n; i++) total += perImage[i]!;
    return { mean: total / n, perImage };
  }
}

registerModel(VAE);

/** A saved VAE (toJSON): the family's model file with its weights as base64. */
export type VAEJSON = ModelJSON;

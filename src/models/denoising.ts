// The denoising autoencoder (Vincent, Larochelle, Bengio & Manzagol, "Extracting and composing robust features with
// denoising autoencoders", ICML 2008; Vincent et al., "Stacked denoising autoencoders", JMLR 2010): a dense
// autoencoder (Autoencoder's network, losses and options) trained to reconstruct the clean input x from a corrupted
// copy x̃ ~ q(x̃ | x), minimising L(x, g(f(x̃))). Each training step draws fresh corruption for its batch from the
// model's seeded training noise (masking noise, Gaussian noise clipped to [0, 1], or salt-and-pepper; see
// corruption.ts), so every epoch sees the data corrupted anew. The learned map x̃ ↦ g(f(x̃)) is the denoiser:
// `reconstruct(noisy)` (or `denoise(model, noisy)`).
// What is reported on clean data: `reconstructionError(X)` is the loss of reconstructing clean X from clean X (as
// for Autoencoder); `denoisingError(X, …)` is the training objective, the loss of reconstructing X from a corrupted
// copy. The validation loss of fit is the clean one by default; `validationInput: "corrupted"` makes it the denoising
// loss on the held-out rows, with the same corruption in every epoch so that epochs (and early stopping) compare
// like with like.
import { fail } from "../core/errors.js";
import type { Matrix, MatrixLike } from "../core/matrix.js";
import { choice, num, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";
import { noGrad, tidy } from "../nn/autograd.js";
import { Tensor } from "../nn/tensor.js";
import { AUTOENCODER_PARAMS, Autoencoder, type AutoencoderOptions } from "./autoencoder.js";
import { CHUNK, checkUnitInterval, registerModel, type BatchLoss } from "./base.js";
import { checkCorruption, corruptInto, parseCorruption, type Corruption } from "./corruption.js";

/** The corruptions a DenoisingAutoencoder trains with. */
export type DenoisingNoise = "gaussian" | "mask" | "saltPepper";

/** The noise level used when `noiseLevel` is not given, per kind. */
export const DEFAULT_NOISE_LEVEL: Readonly<Record<DenoisingNoise, number>> = Object.freeze({ gaussian: 0.3, mask: 0.3, saltPepper: 0.1 });

export interface DenoisingAutoencoderOptions extends AutoencoderOptions {
  /**
   * The corruption of the training inputs: "mask" (each input set to 0 with probability noiseLevel; Vincent et al.
   * 2008's masking noise), "gaussian" (x + noiseLevel·ε, clipped to [0, 1]) or "saltPepper" (each input with
   * probability noiseLevel set to 0 or 1, half each). Default "mask".
   */
  noise?: DenoisingNoise;
  /**
   * σ of the Gaussian noise, or the rate (in [0, 1)) of masking or salt-and-pepper. Default: 0.3 for "gaussian" and
   * "mask", 0.1 for "saltPepper".
   */
  noiseLevel?: number;
  /**
   * The input of the validation loss (with validationFraction): "clean" (the held-out rows reconstructed from
   * themselves, as reconstructionError) or "corrupted" (from a corrupted copy, the same in every epoch: the
   * denoising objective). Default "clean".
   */
  validationInput?: "clean" | "corrupted";
}

export const DENOISING_PARAMS = {
  noise: choice(["gaussian", "mask", "saltPepper"], "corruption of the training inputs: masking, Gaussian (clipped to [0, 1]) or salt-and-pepper", { default: "mask" }),
  noiseLevel: num("sigma of the Gaussian noise, or the masking / salt-and-pepper rate (default 0.3, 0.3, 0.1 by noise)", { min: 0 }),
  validationInput: choice(["clean", "corrupted"], "input of the validation loss: the clean held-out rows, or a corrupted copy of them (the same each epoch)", { default: "clean" }),
  ...AUTOENCODER_PARAMS,
} satisfies Schema<DenoisingAutoencoderOptions>;

export type DenoisingAutoencoderParams = ParamsOf<DenoisingAutoencoderOptions, typeof DENOISING_PARAMS>;

export class DenoisingAutoencoder<P extends DenoisingAutoencoderParams = DenoisingAutoencoderParams> extends Autoencoder<P> {
  static override readonly schema: AnySchema = DENOISING_PARAMS;
  static override readonly modelName: string = "DenoisingAutoencoder";
  static override readonly modelVersion: number = 1;

  /** The noise of the validation passes ("corrupted"): re-seeded at the start of each pass. */
  private validationNoise = new Random(0);
  /** Whether the last batch loss was a training step (a loss without training after one starts a validation pass). */
  private lastWasTraining = true;
  /** Set while reconstructionError runs: clean inputs whatever validationInput says. */
  private cleanLoss = false;

  constructor(options: DenoisingAutoencoderOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: P): void {
    super.checkOptions(p);
    const level = p.noiseLevel;
    if (level !== undefined && p.noise !== "gaussian" && !(level < 1)) {
      fail(`noiseLevel must be a number in [0, 1) with noise "${p.noise}" (the ${p.noise === "mask" ? "masking" : "salt-and-pepper"} rate), got ${level}`);
    }
  }

  /** The noise level in effect: the option, or the default of the noise kind. */
  get noiseLevel(): number {
    return this.options.noiseLevel ?? DEFAULT_NOISE_LEVEL[this.options.noise];
  }

  /** The corruption of the training inputs. */
  get corruption(): Corruption {
    const level = this.noiseLevel;
    return this.options.noise === "gaussian" ? { kind: "gaussian", sigma: level } : { kind: this.options.noise, rate: level };
  }

  /** The inputs must be in [0, 1] for the corruptions that set values to 0 or 1 or clip to [0, 1], and for BCE. */
  protected override checkInput(M: Matrix, what: string): void {
    super.checkInput(M, what);
    if (this.options.noise === "mask") return;
    checkUnitInterval(M, what, `noise "${this.options.noise}" ${this.options.noise === "gaussian" ? "clips to" : "sets values to the ends of"} [0, 1], so the inputs must be in [0, 1] (scale pixels by 1/255, or min-max scale the features)`);
  }

  override async fit(X: MatrixLike): Promise<this> {
    this.lastWasTraining = true;
    return super.fit(X);
  }

  /** A corrupted copy of the batch x, in the current scope's storage (x, the clean target, is left as it is). */
  private corrupted(x: Tensor, rng: Random, c: Corruption = this.corruption): Tensor {
    const noisy = Tensor.empty(x.shape);
    corruptInto(x.data, noisy.data, x.shape[1]!, c, rng);
    return noisy;
  }

  /**
   * Training: the loss of reconstructing the clean batch from a freshly corrupted copy. Otherwise (validation,
   * reconstructionError): from the clean batch, or with validationInput "corrupted" during fit's validation passes
   * from a copy corrupted by noise that restarts from the same seed in each pass.
   */
  protected override batchLoss(x: Tensor, training: boolean): BatchLoss {
    const net = this.net_!;
    let input = x;
    if (training) input = this.corrupted(x, this.noise);
    else if (this.options.validationInput === "corrupted" && !this.cleanLoss) {
      if (this.lastWasTraining) this.validationNoise = new Random(this.options.seed ^ 0x7a11d);
      input = this.corrupted(x, this.validationNoise);
    }
    this.lastWasTraining = training;
    return this.reconstructionLoss(net.decode(net.encode(input)), x);
  }

  /** The loss of reconstructing clean X from clean X (mean per element, as Autoencoder's): no corruption. */
  override reconstructionError(X: MatrixLike): number {
    this.cleanLoss = true;
    try {
      return super.reconstructionError(X);
    } finally {
      this.cleanLoss = false;
    }
  }

  /**
   * The denoising loss on X: the loss (BCE or MSE, mean per element) of reconstructing clean X from a copy
   * corrupted by `corruption` (default: the training corruption; a Corruption or its text form, "gaussian:0.3"),
   * drawn with `seed` (default 0).
   */
  denoisingError(X: MatrixLike, options: { corruption?: Corruption | string; seed?: number } = {}): number {
    const M = this.input(X);
    this.checkInput(M, "X");
    const c = options.corruption === undefined ? this.corruption
      : typeof options.corruption === "string" ? parseCorruption(options.corruption, undefined, "denoisingError corruption")
      : checkCorruption(options.corruption, "denoisingError corruption");
    if (c.kind === "block") {
      const size = c.imageShape.reduce((a, b) => a * b, 1);
      if (size !== M.cols) fail(`denoisingError corruption: a block for ${c.imageShape.join("x")} images needs rows of ${size} values, X has ${M.cols}`);
    }
    const rng = new Random(options.seed ?? 0);
    const net = this.net;
    const d = M.cols;
    let s = 0;
    for (let r = 0; r < M.rows; r += CHUNK) {
      const e = Math.min(M.rows, r + CHUNK);
      s += tidy(() => noGrad(() => {
        const x = Tensor.from(M.data.subarray(r * d, e * d), [e - r, d]);
        return this.reconstructionLoss(net.decode(net.encode(this.corrupted(x, rng, c))), x).item();
      })) * (e - r);
    }
    return s / M.rows;
  }
}

registerModel(DenoisingAutoencoder);

/** The denoised images: the model's reconstruction of noisy (or masked) inputs, model.reconstruct(X). */
export function denoise(model: Autoencoder, X: MatrixLike): Matrix {
  return model.reconstruct(X);
}

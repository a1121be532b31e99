// Semantic hashing (Salakhutdinov & Hinton, "Semantic hashing", International Journal of Approximate Reasoning 2009):
// a dense autoencoder whose code layer of b logistic units is pushed to binary values, so that thresholding the codes
// at 0.5 loses little: the b-bit codes are memory addresses, and similar items (images, documents) land at nearby
// addresses — found by a Hamming-ball lookup or a Hamming ranking (src/neighbors/hamming.ts).
//
// The code layer is h = σ(a), a the encoder's last pre-activation. Two ways to make h binary while training:
//  - "noise" (the paper's): Gaussian noise of std `noiseStd` is added to a before the sigmoid during training. To
//    carry information through the noise the encoder must drive |a| well beyond noiseStd, where σ saturates at 0 or 1.
//  - "straightThrough": the forward pass uses b = [σ(a) > 0.5] (the decoder sees exactly the binary codes), the
//    backward pass treats the threshold as the identity (Bengio, Léonard & Courville 2013's straight-through
//    estimator), so ∂L/∂σ(a) is the gradient at b.
// The paper pre-trains the stack as RBMs; here it is trained end to end by Adam from a random start (the shared
// loop), which works for these depths.
//
// Inputs (`input`):
//  - "binary": values in [0, 1] (pixels / 255), a sigmoid output with binary cross-entropy (mean per element);
//  - "real": any values, a linear output with squared error (mean per element);
//  - "counts": bag-of-words word counts (documents as rows). The decoder's output is a softmax over the vocabulary and
//    the loss the multinomial negative log-likelihood −Σ_w x_w log softmax(logits)_w per document (sum over words,
//    mean over documents): the paper's constrained-Poisson output, rates N·softmax with N the document's length, has
//    the same gradient. The encoder reads log(1 + x) (the counts' dynamic range compressed, as common for neural
//    topic models; the paper's RBM reads the counts themselves with the bias scaled by N).
// Evaluation (reconstructionError, the validation loss) decodes the thresholded binary codes, so it measures what
// the codes keep. transform gives the deterministic real codes σ(a); codes() the binary codes σ(a) > 0.5.
import { describeValue, fail } from "../core/errors.js";
import type { Matrix, MatrixLike } from "../core/matrix.js";
import { choice, custom, int, num, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import type { Random } from "../core/random.js";
import { record } from "../nn/autograd.js";
import { add, addScalar, bceWithLogits, log, mean, mseLoss, mulScalar, sigmoid, softmax, square, type Activation } from "../nn/ops/index.js";
import { softTargetCrossEntropy } from "../nn/ops/soft-cross-entropy.js";
import { Tensor } from "../nn/tensor.js";
import { packBits, type BinaryCodes } from "../neighbors/hamming.js";
import { DenseAutoencoderNet, parameterShapes, type NetSpec } from "./autoencoder.js";
import { AutoencoderBase, TRAINING_PARAMS, checkUnitInterval, registerModel, type BatchLoss, type TrainingOptions } from "./base.js";

export type HashingInput = "real" | "binary" | "counts";
export type Binarization = "noise" | "straightThrough";

export interface SemanticHashingOptions extends TrainingOptions {
  /** Bits of the codes (the code layer's units). Default 32. */
  bits?: number;
  /** Hidden layer sizes of the encoder, from the input inwards (the decoder mirrors them). Default [512, 256]. */
  layers?: number[];
  /** Activation of the hidden layers. Default "relu". */
  activation?: Exclude<Activation, "none">;
  /** "binary" ([0, 1], BCE), "real" (MSE) or "counts" (word counts, softmax output, multinomial loss). Default "binary". */
  input?: HashingInput;
  /** How the codes are pushed to binary while training: "noise" (before the sigmoid) or "straightThrough". Default "noise". */
  binarization?: Binarization;
  /** Std of the Gaussian noise added to the code pre-activation while training ("noise" only). Default 2. */
  noiseStd?: number;
  /**
   * Weight of the balance penalty 4·mean_j (m_j − ½)², m_j the batch mean of the deterministic code σ(a_j): pushes
   * every bit to be on for half the items (a constant bit is a wasted one). Default 0.1.
   */
  balance?: number;
}

export const SEMANTIC_HASHING_PARAMS = {
  bits: int("bits of the codes (units of the code layer)", { min: 1, max: 65535, default: 32 }),
  layers: custom<number[]>("an array of integers >= 1 (may be empty)", "hidden layer sizes of the encoder, from the input inwards",
    (v) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 1),
    { default: Object.freeze([512, 256]) as number[], normalise: (v) => v.slice() }),
  activation: choice(["relu", "leakyRelu", "gelu", "tanh", "sigmoid"], "activation of the hidden layers", { default: "relu" }),
  input: choice(["binary", "real", "counts"], "the inputs: binary ([0, 1], cross-entropy), real (squared error) or counts (word counts, softmax output)", { default: "binary" }),
  binarization: choice(["noise", "straightThrough"], "how the codes are pushed to binary while training: noise before the sigmoid, or a straight-through threshold", { default: "noise" }),
  noiseStd: num("std of the Gaussian noise added to the code pre-activation while training (binarization noise; default 2)", { min: 0 }),
  balance: num("weight of the bit balance penalty 4·mean_j (batch mean of bit j − ½)² (0: none)", { min: 0, default: 0.1 }),
  ...TRAINING_PARAMS,
} satisfies Schema<SemanticHashingOptions>;

export type SemanticHashingParams = ParamsOf<SemanticHashingOptions, typeof SEMANTIC_HASHING_PARAMS>;

/**
 * The binary threshold with the straight-through gradient: forward [h > 0.5] (as 0/1), backward the identity
 * (the gradient of the output passed to h unchanged).
 */
export function straightThroughBinary(h: Tensor): Tensor {
  const y = Tensor.empty(h.shape);
  const hd = h.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = hd[i]! > 0.5 ? 1 : 0;
  return record("straightThroughBinary", [h], y, (g) => [g]);
}

/** [h > 0.5] without a gradient (evaluation). */
function threshold(h: Tensor): Tensor {
  const y = Tensor.empty(h.shape);
  const hd = h.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = hd[i]! > 0.5 ? 1 : 0;
  return y;
}

/**
 * The default std of the code noise (measured on Fashion-MNIST and the Debian descriptions: 1–4 all give saturated
 * codes, 2 the best precision@100 at 32 bits; see docs/models.md).
 */
const DEFAULT_NOISE_STD = 2;

export class SemanticHashing extends AutoencoderBase<SemanticHashingParams, DenseAutoencoderNet> {
  static readonly schema: AnySchema = SEMANTIC_HASHING_PARAMS;
  static readonly modelName: string = "SemanticHashing";
  static readonly modelVersion: number = 1;

  constructor(options: SemanticHashingOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: SemanticHashingParams): void {
    if (p.binarization === "straightThrough" && p.noiseStd !== undefined) {
      // a noiseStd given with the straight-through estimator would be silently ignored
      fail(`noiseStd ${describeValue(p.noiseStd)} has no effect with binarization "straightThrough" (it is the std of binarization "noise")`);
    }
  }

  /** The std of the training noise in effect: the option, or 2 (0 with the straight-through estimator). */
  get noiseStd(): number {
    return this.options.binarization === "noise" ? this.options.noiseStd ?? DEFAULT_NOISE_STD : 0;
  }

  get codeSize(): number {
    return this.options.bits;
  }

  /** The architecture for d input features: the code layer's pre-activation is linear, the sigmoid applied here. */
  netSpec(d: number): NetSpec {
    return { sizes: [d, ...this.options.layers, this.options.bits], tied: false, activation: this.options.activation, codeActivation: "none" };
  }

  protected buildNet(d: number, rng: Random | null): DenseAutoencoderNet {
    return new DenseAutoencoderNet(this.netSpec(d), rng);
  }

  protected parameterShapes(d: number): [string, number[]][] {
    return parameterShapes(this.netSpec(d));
  }

  /** What the encoder reads: log(1 + x) for counts, x otherwise. */
  private encoderInput(x: Tensor): Tensor {
    return this.options.input === "counts" ? log(addScalar(x, 1)) : x;
  }

  protected batchLoss(x: Tensor, training: boolean): BatchLoss {
    const net = this.net_!;
    const o = this.options;
    const a = net.encode(this.encoderInput(x));
    const clean = sigmoid(a);
    let h: Tensor;
    if (training) {
      if (o.binarization === "noise" && this.noiseStd > 0) h = sigmoid(add(a, Tensor.randn(a.shape, this.noise, this.noiseStd)));
      else h = clean;
      if (o.binarization === "straightThrough") h = straightThroughBinary(h);
    } else {
      h = threshold(clean);
    }
    const out = net.decode(h);
    const rec = o.input === "binary" ? bceWithLogits(out, x) : o.input === "real" ? mseLoss(out, x) : softTargetCrossEntropy(out, x);
    // the balance penalty 4·mean_j (mean over the batch of σ(a_j) − ½)², in [0, 1]: 0 when every bit is on for half the batch
    const pen = mulScalar(mean(square(addScalar(mean(clean, 0), -0.5))), 4);
    const bal = pen.item();
    if (o.balance === 0) return { loss: rec, terms: { reconstruction: rec.item(), balance: bal } };
    return { loss: add(rec, mulScalar(pen, o.balance)), terms: { reconstruction: rec.item(), balance: bal } };
  }

  protected encodeBatch(x: Tensor): Tensor {
    return sigmoid(this.net_!.encode(this.encoderInput(x)));
  }

  /** Decoded outputs: probabilities (binary), values (real) or the word distribution softmax (counts). */
  protected decodeBatch(z: Tensor): Tensor {
    const net = this.net_!;
    switch (this.options.input) {
      case "binary": return net.decode(z, "sigmoid");
      case "real": return net.decode(z);
      case "counts": return softmax(net.decode(z));
    }
  }

  protected override checkInput(M: Matrix, what: string): void {
    if (this.options.input === "binary") {
      checkUnitInterval(M, what, `input "binary" needs values in [0, 1] (scale pixels by 1/255), or use input "real"`);
    } else if (this.options.input === "counts") {
      const d = M.data;
      for (let k = 0; k < d.length; k++) {
        const v = d[k]!;
        if (!(v >= 0 && v < Infinity)) {
          const i = Math.floor(k / M.cols);
          fail(`${what}[${i}][${k - i * M.cols}] is ${describeValue(v)}: input "counts" needs word counts (finite values >= 0)`);
        }
      }
    }
  }

  /** The binary codes of X: the deterministic codes σ(a) thresholded at 0.5. */
  codes(X: MatrixLike): BinaryCodes {
    return packBits(this.transform(X), 0.5);
  }
}

registerModel(SemanticHashing);

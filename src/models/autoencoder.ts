// A dense autoencoder on the neural engine: an encoder of linear layers d → layers… → code and a mirrored decoder
// code → …layers → d, trained by mini-batch Adam on the reconstruction loss (binary cross-entropy on the last
// layer's logits, or mean squared error) through the shared training loop (src/nn/train.ts). With `tied` the
// decoder reuses the encoder's weights transposed (PyTorch's [out, in] layout: the encoder computes x·Wᵀ, the tied
// decoder h·W) and has biases of its own. transform gives the codes, inverseTransform decodes them.
import { describeValue, fail } from "../core/errors.js";
import type { InvertibleTransformer } from "../core/estimator.js";
import type { Matrix, MatrixLike } from "../core/matrix.js";
import { bool, choice, custom, int, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import type { Random } from "../core/random.js";
import { glorotUniform, heUniform } from "../nn/init.js";
import { registerModule } from "../nn/layers/index.js";
import { Module, type ModuleSpec } from "../nn/module.js";
import { add, gelu, leakyRelu, linear, matmul, relu, sigmoid, tanh, type Activation } from "../nn/ops/index.js";
import { Tensor } from "../nn/tensor.js";
import {
  AutoencoderBase, TRAINING_PARAMS, checkUnitInterval, outputActivationFor, reconstructionLoss, registerModel, type BatchLoss, type ModelJSON, type TrainingOptions,
} from "./base.js";

export type AutoencoderLoss = "bce" | "mse";

export interface AutoencoderOptions extends TrainingOptions {
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
  ...TRAINING_PARAMS,
} satisfies Schema<AutoencoderOptions>;

export type AutoencoderParams = ParamsOf<AutoencoderOptions, typeof AUTOENCODER_PARAMS>;

/** A saved Autoencoder (toJSON): the family's model file with its weights as base64. */
export type AutoencoderJSON = ModelJSON;

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

export class Autoencoder<P extends AutoencoderParams = AutoencoderParams> extends AutoencoderBase<P, DenseAutoencoderNet>
  implements InvertibleTransformer<MatrixLike, Matrix, P> {
  static readonly schema: AnySchema = AUTOENCODER_PARAMS;
  static readonly modelName: string = "Autoencoder";
  static readonly modelVersion: number = 1;

  constructor(options: AutoencoderOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: P): void {
    if (p.loss === "bce" && p.outputActivation === "none") {
      fail(`loss "bce" takes the last layer's logits and applies the sigmoid itself: outputActivation must be "sigmoid" (or unset) with it, got "none"`);
    }
  }

  /** The output activation in effect: the option, or sigmoid for BCE and none for MSE. */
  get outputActivation(): "sigmoid" | "none" {
    return outputActivationFor(this.options);
  }

  get codeSize(): number {
    return this.options.code;
  }

  /** The architecture for d input features. */
  netSpec(d: number): NetSpec {
    return { sizes: [d, ...this.options.layers, this.options.code], tied: this.options.tied, activation: this.options.activation, codeActivation: this.options.codeActivation ?? this.options.activation };
  }

  protected buildNet(d: number, rng: Random | null): DenseAutoencoderNet {
    return new DenseAutoencoderNet(this.netSpec(d), rng);
  }

  protected parameterShapes(d: number): [string, number[]][] {
    return parameterShapes(this.netSpec(d));
  }

  /** The reconstruction loss of a batch of targets from the decoder's pre-activation output: BCE on the logits, or MSE. */
  protected reconstructionLoss(out: Tensor, target: Tensor): Tensor {
    return reconstructionLoss(out, target, this.options.loss, this.outputActivation);
  }

  /** The loss of a batch: BCE on the logits, or MSE on the (activated) output, mean per element. */
  protected batchLoss(x: Tensor, _training: boolean): BatchLoss {
    const net = this.net_!;
    return this.reconstructionLoss(net.decode(net.encode(x)), x);
  }

  protected encodeBatch(x: Tensor): Tensor {
    return this.net_!.encode(x);
  }

  protected decodeBatch(z: Tensor): Tensor {
    return this.net_!.decode(z, this.outputActivation);
  }

  protected override checkInput(M: Matrix, what: string): void {
    if (this.options.loss !== "bce") return;
    checkUnitInterval(M, what, `loss "bce" needs values in [0, 1] (scale pixels by 1/255, or min-max scale the features), or use loss "mse"`);
  }
}

registerModel(Autoencoder);

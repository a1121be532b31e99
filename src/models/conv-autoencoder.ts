// A convolutional autoencoder for images (Masci et al., "Stacked convolutional auto-encoders for hierarchical feature
// extraction", ICANN 2011): the encoder is convolution + ReLU + 2×2 max pooling per level then a linear layer to the
// code, the decoder a linear layer back to the deepest feature map then upsampling by 2 per level (transposed
// convolutions, or nearest-neighbour upsampling + convolution) and a last convolution to the image's channels; see
// conv-nets.ts for the networks (shared with the convolutional VAE). Trained like the dense Autoencoder, through the
// family's base (src/models/base.ts): binary cross-entropy on the logits (pixels in [0, 1]) or mean squared error.
// Rows of X are flattened images, channel-major (c·h·w values: what IDX files and PyTorch's x.flatten(1) give); the
// option imageShape says how to fold them, and without it a row of s² values is a single-channel s×s image.
import { describeValue, fail } from "../core/errors.js";
import type { InvertibleTransformer } from "../core/estimator.js";
import type { Matrix, MatrixLike } from "../core/matrix.js";
import { choice, custom, int, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import type { Random } from "../core/random.js";
import { registerModule } from "../nn/layers/index.js";
import { Module, type ModuleSpec } from "../nn/module.js";
import { gelu, leakyRelu, relu, sigmoid, tanh, type Activation } from "../nn/ops/index.js";
import type { Tensor } from "../nn/tensor.js";
import type { AutoencoderLoss } from "./autoencoder.js";
import { AutoencoderBase, TRAINING_PARAMS, checkUnitInterval, outputActivationFor, reconstructionLoss, registerModel, type BatchLoss, type ModelJSON, type TrainingOptions } from "./base.js";
import { ConvDecoder, ConvEncoder, convDecoderShapes, convEncoderShapes, convLevels, type ConvUpsample } from "./conv-nets.js";

export interface ConvAutoencoderOptions extends TrainingOptions {
  /**
   * [channels, height, width] of the images the rows hold (channel-major). Default: inferred at fit as [1, s, s]
   * when the rows have s² columns.
   */
  imageShape?: [number, number, number];
  /** Feature maps of each level of the encoder, from the image inwards (conv + 2×2 max pooling each). Default [16, 32]. */
  channels?: number[];
  /** Side of the square convolution kernels (odd). Default 3. */
  kernelSize?: number;
  /** Size of the code. Default 32. */
  code?: number;
  /** How the decoder doubles the size: "transposed" (ConvTranspose2d 2×2 stride 2) or "nearest" (upsampling + conv). Default "transposed". */
  upsample?: ConvUpsample;
  /** "bce": binary cross-entropy on the logits (pixels in [0, 1]); "mse": mean squared error. Default "bce". */
  loss?: AutoencoderLoss;
  /** Activation of the code layer. Default "none" (linear codes). */
  codeActivation?: Activation;
  /** Activation of the output: default "sigmoid" with loss "bce" (required), "none" with "mse". */
  outputActivation?: "sigmoid" | "none";
}

const ACTIVATIONS = ["relu", "leakyRelu", "gelu", "tanh", "sigmoid", "none"] as const satisfies readonly Activation[];
const positiveInts = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 1);

export const CONV_AUTOENCODER_PARAMS = {
  imageShape: custom<[number, number, number]>("[channels, height, width] (integers >= 1)", "shape of the images the rows hold (default: [1, s, s] for rows of s² values)",
    (v) => positiveInts(v) && (v as number[]).length === 3, { normalise: (v) => v.slice() as [number, number, number] }),
  channels: custom<number[]>("a non-empty array of integers >= 1", "feature maps of each encoder level (conv + 2x2 max pooling), from the image inwards",
    (v) => positiveInts(v) && (v as number[]).length >= 1, { default: Object.freeze([16, 32]) as number[], normalise: (v) => v.slice() }),
  kernelSize: int("side of the square convolution kernels (odd: padding same)", { min: 1, default: 3 }),
  code: int("size of the code", { min: 1, default: 32 }),
  upsample: choice(["transposed", "nearest"], "decoder upsampling: transposed convolutions, or nearest-neighbour upsampling + convolution", { default: "transposed" }),
  loss: choice(["bce", "mse"], "reconstruction loss: binary cross-entropy on the logits (inputs in [0, 1]) or mean squared error", { default: "bce" }),
  codeActivation: choice(ACTIVATIONS, "activation of the code layer (none: linear codes)", { default: "none" }),
  outputActivation: choice(["sigmoid", "none"], "activation of the output (default: sigmoid with loss bce, none with mse)"),
  ...TRAINING_PARAMS,
} satisfies Schema<ConvAutoencoderOptions>;

export type ConvAutoencoderParams = ParamsOf<ConvAutoencoderOptions, typeof CONV_AUTOENCODER_PARAMS>;

/** A saved ConvAutoencoder (toJSON). */
export type ConvAutoencoderJSON = ModelJSON;

/** The architecture of a ConvAutoencoderNet. */
export interface ConvAutoencoderSpec {
  imageShape: [number, number, number];
  channels: number[];
  kernelSize: number;
  code: number;
  upsample: ConvUpsample;
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

/** The network: "encoder" (ConvEncoder to the code, then codeActivation) and "decoder" (ConvDecoder, logits). */
export class ConvAutoencoderNet extends Module {
  readonly encoder: ConvEncoder;
  readonly decoder: ConvDecoder;

  constructor(readonly net: ConvAutoencoderSpec, rng: Random | null) {
    super();
    const { imageShape, channels, kernelSize, code, upsample } = net;
    this.encoder = this.child("encoder", new ConvEncoder({ imageShape, channels, kernelSize, outSize: code }, rng));
    this.decoder = this.child("decoder", new ConvDecoder({ imageShape, channels, kernelSize, inSize: code, upsample }, rng));
  }

  /** The codes of rows of c·h·w values (or [N, C, H, W] images). */
  encode(x: Tensor): Tensor {
    return activate(this.encoder.forward(x), this.net.codeActivation);
  }

  /** The decoder's logits as rows of c·h·w values. */
  decode(z: Tensor): Tensor {
    return this.decoder.forwardFlat(z);
  }

  forward(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }

  spec(): ModuleSpec {
    return { type: "ConvAutoencoder", args: { ...this.net } };
  }
}

registerModule("ConvAutoencoder", (spec, rng) => new ConvAutoencoderNet((spec.args ?? {}) as unknown as ConvAutoencoderSpec, rng));

/** The network's parameters by name and shape (checked before it is allocated). */
export function convAutoencoderShapes(spec: ConvAutoencoderSpec): [string, number[]][] {
  const { imageShape, channels, kernelSize, code, upsample } = spec;
  return [
    ...convEncoderShapes({ imageShape, channels, kernelSize, outSize: code }, "encoder."),
    ...convDecoderShapes({ imageShape, channels, kernelSize, inSize: code, upsample }, "decoder."),
  ];
}

export class ConvAutoencoder<P extends ConvAutoencoderParams = ConvAutoencoderParams> extends AutoencoderBase<P, ConvAutoencoderNet>
  implements InvertibleTransformer<MatrixLike, Matrix, P> {
  static readonly schema: AnySchema = CONV_AUTOENCODER_PARAMS;
  static readonly modelName: string = "ConvAutoencoder";
  static readonly modelVersion: number = 1;

  constructor(options: ConvAutoencoderOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: P): void {
    if (p.loss === "bce" && p.outputActivation === "none") {
      fail(`loss "bce" takes the last layer's logits and applies the sigmoid itself: outputActivation must be "sigmoid" (or unset) with it, got "none"`);
    }
    if (p.kernelSize % 2 === 0) fail(`kernelSize must be odd (padding "same" is (k - 1) / 2), got ${p.kernelSize}`);
    // an explicit image shape must survive the poolings (the inferred one is checked at fit)
    if (p.imageShape) convLevels({ imageShape: p.imageShape, channels: p.channels, kernelSize: p.kernelSize }, "ConvAutoencoder");
  }

  /** The output activation in effect: the option, or sigmoid for BCE and none for MSE. */
  get outputActivation(): "sigmoid" | "none" {
    return outputActivationFor(this.options);
  }

  get codeSize(): number {
    return this.options.code;
  }

  /** The image shape for rows of d values: the option (checked against d), or [1, s, s] when d = s². */
  imageShapeFor(d: number): [number, number, number] {
    const s = this.options.imageShape;
    if (s) {
      const size = s[0] * s[1] * s[2];
      if (size !== d) fail(`ConvAutoencoder: X has ${d} columns, but imageShape [${s.join(", ")}] needs ${s[0]}·${s[1]}·${s[2]} = ${size}`);
      return [s[0], s[1], s[2]];
    }
    const side = Math.round(Math.sqrt(d));
    if (side * side !== d) fail(`ConvAutoencoder: X has ${d} columns, not a square number: give imageShape [channels, height, width] (${d} values in all)`);
    return [1, side, side];
  }

  /** The fitted image shape [channels, height, width]. */
  get imageShape(): [number, number, number] {
    return this.imageShapeFor(this.nFeatures);
  }

  /** The architecture for rows of d values. */
  netSpec(d: number): ConvAutoencoderSpec {
    const o = this.options;
    const spec = { imageShape: this.imageShapeFor(d), channels: o.channels.slice(), kernelSize: o.kernelSize, code: o.code, upsample: o.upsample, codeActivation: o.codeActivation };
    convLevels(spec, "ConvAutoencoder");
    return spec;
  }

  protected buildNet(d: number, rng: Random | null): ConvAutoencoderNet {
    return new ConvAutoencoderNet(this.netSpec(d), rng);
  }

  protected parameterShapes(d: number): [string, number[]][] {
    return convAutoencoderShapes(this.netSpec(d));
  }

  /** The reconstruction loss of targets from the decoder's logits: BCE on the logits, or MSE on the (activated) output. */
  protected reconstructionLoss(out: Tensor, target: Tensor): Tensor {
    return reconstructionLoss(out, target, this.options.loss, this.outputActivation);
  }

  /** The loss of a batch, mean per pixel. */
  protected batchLoss(x: Tensor, _training: boolean): BatchLoss {
    const net = this.net_!;
    return this.reconstructionLoss(net.decode(net.encode(x)), x);
  }

  protected encodeBatch(x: Tensor): Tensor {
    return this.net_!.encode(x);
  }

  protected decodeBatch(z: Tensor): Tensor {
    const y = this.net_!.decode(z);
    return this.outputActivation === "sigmoid" ? sigmoid(y) : y;
  }

  protected override checkInput(M: Matrix, what: string): void {
    if (this.options.loss !== "bce") return;
    checkUnitInterval(M, what, `loss "bce" needs values in [0, 1] (scale pixels by 1/255), or use loss "mse"`);
  }
}

registerModel(ConvAutoencoder);

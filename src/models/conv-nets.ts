// Convolutional encoder and decoder networks for images, shared by the convolutional autoencoder (ConvAutoencoder)
// and the convolutional VAE. The architecture is the usual one of convolutional autoencoders (Masci et al., "Stacked
// convolutional auto-encoders for hierarchical feature extraction", ICANN 2011; the Keras and PyTorch tutorials):
//
//   ConvEncoder  [N, C, H, W] → for each entry k of `channels`: Conv2d(k×k, padding "same") + ReLU + MaxPool2d(2×2)
//                → flatten → Linear to `outSize` (the code, or 2·code for a VAE's mean and log-variance; no activation)
//   ConvDecoder  code → Linear to the deepest feature map (ReLU) → reshape → for each level, deepest first, an
//                upsampling by 2 ("transposed": ConvTranspose2d kernel 2 stride 2; "nearest": nearest-neighbour
//                upsampling then Conv2d k×k "same") + ReLU → Conv2d(k×k "same") to C channels, no activation (logits)
//
// Down-sampling is 2×2 max pooling (floor: 7 → 3); the decoder gets back exactly the encoder's sizes, odd ones included,
// through the transposed convolution's outputPadding (3 → 7 is 2·3 + 1) or nearest upsampling to the recorded size.
// A size that would pool down to 0 is refused. Parameter names are PyTorch's for the same modules:
// "conv.0.weight" (Conv2d, [O, C, k, k]), "conv.3.weight", …, "fc.weight" in the encoder; "fc.weight",
// "deconv.0.weight" (ConvTranspose2d, [Cin, Cout, 2, 2]), …, the last "deconv.2L.weight" in the decoder (with
// "nearest" the upsampling has no parameters: "deconv.1.weight", "deconv.4.weight", …). Under a parent module that
// registers them as "encoder" and "decoder" the names are "encoder.conv.0.weight" etc. Weights start as PyTorch's
// default initialisation (U(±1/√fan_in)), so a PyTorch model of nn.Conv2d/nn.ConvTranspose2d/nn.Linear matches.
import { describeValue, fail } from "../core/errors.js";
import { Random } from "../core/random.js";
import { registerModule } from "../nn/layers/index.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d, ConvTranspose2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/dense.js";
import { MaxPool2d } from "../nn/layers/pool.js";
import { Module, type ModuleSpec } from "../nn/module.js";
import { reshape } from "../nn/ops/reshape.js";
import { upsampleNearest2d } from "../nn/ops/upsample.js";
import { shapeString, type Tensor } from "../nn/tensor.js";

/** How the decoder doubles the feature maps' size. */
export type ConvUpsample = "transposed" | "nearest";

/** The image and the layers of a convolutional encoder or decoder. */
export interface ConvNetSpec {
  /** [channels, height, width] of the images. */
  imageShape: readonly [number, number, number];
  /** Feature maps of each level, from the image inwards (one conv + pooling each). */
  channels: readonly number[];
  /** Side of the square convolution kernels (odd: padding "same" is (k − 1) / 2). */
  kernelSize: number;
}

export interface ConvEncoderSpec extends ConvNetSpec {
  /** Size of the output (the code, or 2·code for a VAE). */
  outSize: number;
}

export interface ConvDecoderSpec extends ConvNetSpec {
  /** Size of the input code. */
  inSize: number;
  /** Default "transposed". */
  upsample?: ConvUpsample;
}

const isInt = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;

/**
 * Checks a spec and gives the spatial sizes of every level: sizes[0] = [H, W] of the image, sizes[l + 1] the size
 * after l + 1 poolings (floor of half). `what` names the caller in messages.
 */
export function convLevels(spec: ConvNetSpec, what = "ConvNet"): [number, number][] {
  const s = spec.imageShape;
  if (!Array.isArray(s) || s.length !== 3 || !s.every((v) => isInt(v, 1))) {
    fail(`${what}: imageShape must be [channels, height, width] (integers >= 1), got ${describeValue(s)}`);
  }
  const ch = spec.channels;
  if (!Array.isArray(ch) || ch.length < 1 || !ch.every((v) => isInt(v, 1))) {
    fail(`${what}: channels must be a non-empty array of integers >= 1, got ${describeValue(ch)}`);
  }
  const k = spec.kernelSize;
  if (!isInt(k, 1) || k % 2 === 0) fail(`${what}: kernelSize must be an odd integer >= 1 (padding "same" is (k - 1) / 2), got ${describeValue(k)}`);
  const sizes: [number, number][] = [[s[1], s[2]]];
  for (let l = 0; l < ch.length; l++) {
    const [h, w] = sizes[l]!;
    const next: [number, number] = [Math.floor(h / 2), Math.floor(w / 2)];
    if (next[0] < 1 || next[1] < 1) {
      const path = [...sizes, next].map(([a, b]) => `${a}x${b}`).join(" -> ");
      fail(`${what}: an image ${s[1]}x${s[2]} cannot be halved ${ch.length} times by 2x2 pooling (${path}): use fewer channels levels or larger images`);
    }
    sizes.push(next);
  }
  return sizes;
}

/** Values of the deepest feature map (channels × height × width): the encoder's flattened features. */
export function convFlatSize(spec: ConvNetSpec, what = "ConvNet"): number {
  const sizes = convLevels(spec, what);
  const [h, w] = sizes[sizes.length - 1]!;
  return spec.channels[spec.channels.length - 1]! * h * w;
}

/** The encoder's parameters by name (after `prefix`) and shape, as ConvEncoder registers them. */
export function convEncoderShapes(spec: ConvEncoderSpec, prefix = ""): [string, number[]][] {
  const flat = convFlatSize(spec, "ConvEncoder");
  const k = spec.kernelSize;
  const out: [string, number[]][] = [];
  let c = spec.imageShape[0];
  spec.channels.forEach((o, l) => {
    out.push([`${prefix}conv.${3 * l}.weight`, [o, c, k, k]], [`${prefix}conv.${3 * l}.bias`, [o]]);
    c = o;
  });
  out.push([`${prefix}fc.weight`, [spec.outSize, flat]], [`${prefix}fc.bias`, [spec.outSize]]);
  return out;
}

/** The decoder's parameters by name (after `prefix`) and shape, as ConvDecoder registers them. */
export function convDecoderShapes(spec: ConvDecoderSpec, prefix = ""): [string, number[]][] {
  const flat = convFlatSize(spec, "ConvDecoder");
  const k = spec.kernelSize;
  const ch = spec.channels;
  const L = ch.length;
  const out: [string, number[]][] = [[`${prefix}fc.weight`, [flat, spec.inSize]], [`${prefix}fc.bias`, [flat]]];
  const nearest = (spec.upsample ?? "transposed") === "nearest";
  let i = 0;
  for (let l = L - 1; l >= 0; l--) {
    const cin = ch[l]!, cout = ch[Math.max(l - 1, 0)]!;
    if (nearest) {
      i++; // the upsampling module
      out.push([`${prefix}deconv.${i}.weight`, [cout, cin, k, k]], [`${prefix}deconv.${i}.bias`, [cout]]);
    } else {
      out.push([`${prefix}deconv.${i}.weight`, [cin, cout, 2, 2]], [`${prefix}deconv.${i}.bias`, [cout]]);
    }
    i += 2; // the layer and its ReLU
  }
  out.push([`${prefix}deconv.${i}.weight`, [spec.imageShape[0], ch[0]!, k, k]], [`${prefix}deconv.${i}.bias`, [spec.imageShape[0]]]);
  return out;
}

/** The rng a network is initialised from; null (weights to be loaded) draws from a throwaway generator. */
const rngOr = (rng: Random | null): Random => rng ?? new Random(0);

/** Nearest-neighbour upsampling to a fixed size (no parameters; PyTorch's nn.Upsample(size=…, mode="nearest")). */
export class UpsampleNearest extends Module {
  constructor(readonly size: readonly [number, number]) {
    super();
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => isInt(v, 1))) {
      fail(`UpsampleNearest: size must be [height, width] (integers >= 1), got ${describeValue(size)}`);
    }
  }
  forward(x: Tensor): Tensor {
    return upsampleNearest2d(x, this.size);
  }
  spec(): ModuleSpec {
    return { type: "UpsampleNearest", args: { size: [...this.size] } };
  }
}

/** Image → vector: conv + ReLU + 2×2 max pooling per level, flatten, Linear to outSize (no activation). */
export class ConvEncoder extends Module {
  readonly spec_: ConvEncoderSpec;
  readonly conv: Sequential;
  readonly fc: Linear;
  readonly flatSize: number;

  constructor(spec: ConvEncoderSpec, rng: Random | null) {
    super();
    this.flatSize = convFlatSize(spec, "ConvEncoder");
    if (!isInt(spec.outSize, 1)) fail(`ConvEncoder: outSize must be an integer >= 1, got ${describeValue(spec.outSize)}`);
    this.spec_ = { imageShape: [...spec.imageShape] as [number, number, number], channels: [...spec.channels], kernelSize: spec.kernelSize, outSize: spec.outSize };
    const r = rngOr(rng);
    const k = spec.kernelSize;
    const layers: Module[] = [];
    let c = spec.imageShape[0];
    for (const o of spec.channels) {
      layers.push(new Conv2d(c, o, k, { padding: (k - 1) / 2, rng: r }), new ReLU(), new MaxPool2d(2));
      c = o;
    }
    this.conv = this.child("conv", new Sequential(layers));
    this.fc = this.child("fc", new Linear(this.flatSize, spec.outSize, { rng: r }));
  }

  /** The encoder's input: [N, C, H, W] images, or rows of C·H·W values (channel-major, as IDX and PyTorch). */
  images(x: Tensor): Tensor {
    const [c, h, w] = this.spec_.imageShape;
    if (x.rank === 2 && x.shape[1] === c * h * w) return reshape(x, [x.shape[0]!, c, h, w]);
    if (x.rank === 4 && x.shape[1] === c && x.shape[2] === h && x.shape[3] === w) return x;
    return fail(`ConvEncoder: the input ${shapeString(x.shape)} must be images [N, ${c}, ${h}, ${w}] or rows [N, ${c * h * w}]`);
  }

  forward(x: Tensor): Tensor {
    const f = this.conv.forward(this.images(x));
    return this.fc.forward(reshape(f, [f.shape[0]!, this.flatSize]));
  }

  spec(): ModuleSpec {
    return { type: "ConvEncoder", args: { ...this.spec_ } };
  }
}

/** Vector → image logits: Linear + ReLU to the deepest feature map, upsampling by 2 + ReLU per level, conv to C. */
export class ConvDecoder extends Module {
  readonly spec_: Required<ConvDecoderSpec>;
  readonly fc: Linear;
  readonly deconv: Sequential;
  /** [channels, height, width] of the deepest feature map (the encoder's last). */
  readonly mapShape: [number, number, number];

  constructor(spec: ConvDecoderSpec, rng: Random | null) {
    super();
    const sizes = convLevels(spec, "ConvDecoder");
    if (!isInt(spec.inSize, 1)) fail(`ConvDecoder: inSize must be an integer >= 1, got ${describeValue(spec.inSize)}`);
    const upsample = spec.upsample ?? "transposed";
    if (upsample !== "transposed" && upsample !== "nearest") fail(`ConvDecoder: upsample must be "transposed" or "nearest", got ${describeValue(upsample)}`);
    this.spec_ = { imageShape: [...spec.imageShape] as [number, number, number], channels: [...spec.channels], kernelSize: spec.kernelSize, inSize: spec.inSize, upsample };
    const r = rngOr(rng);
    const k = spec.kernelSize;
    const ch = spec.channels;
    const L = ch.length;
    const [hL, wL] = sizes[L]!;
    this.mapShape = [ch[L - 1]!, hL, wL];
    this.fc = this.child("fc", new Linear(spec.inSize, ch[L - 1]! * hL * wL, { activation: "relu", rng: r }));
    const layers: Module[] = [];
    for (let l = L - 1; l >= 0; l--) {
      const cin = ch[l]!, cout = ch[Math.max(l - 1, 0)]!;
      const [h, w] = sizes[l]!;
      if (upsample === "nearest") {
        layers.push(new UpsampleNearest([h, w]), new Conv2d(cin, cout, k, { padding: (k - 1) / 2, rng: r }));
      } else {
        // 2·(h/2 floored) + (h mod 2) = h: the odd sizes get their last row/column back through outputPadding
        layers.push(new ConvTranspose2d(cin, cout, 2, { stride: 2, outputPadding: [h % 2, w % 2], rng: r }));
      }
      layers.push(new ReLU());
    }
    layers.push(new Conv2d(ch[0]!, spec.imageShape[0], k, { padding: (k - 1) / 2, rng: r }));
    this.deconv = this.child("deconv", new Sequential(layers));
  }

  /** The decoded images' logits, [N, C, H, W]. */
  forward(z: Tensor): Tensor {
    if (z.rank !== 2 || z.shape[1] !== this.spec_.inSize) fail(`ConvDecoder: the input ${shapeString(z.shape)} must be codes [N, ${this.spec_.inSize}]`);
    const h = this.fc.forward(z);
    return this.deconv.forward(reshape(h, [z.shape[0]!, ...this.mapShape]));
  }

  /** The decoded images' logits as rows of C·H·W values (channel-major), [N, C·H·W]. */
  forwardFlat(z: Tensor): Tensor {
    const y = this.forward(z);
    return reshape(y, [y.shape[0]!, y.size / y.shape[0]!]);
  }

  spec(): ModuleSpec {
    return { type: "ConvDecoder", args: { ...this.spec_ } };
  }
}

// saved modules (nn.saveModule) load back through buildModule
registerModule("UpsampleNearest", (s) => new UpsampleNearest((s.args ?? {}).size as [number, number]));
registerModule("ConvEncoder", (s, rng) => new ConvEncoder((s.args ?? {}) as unknown as ConvEncoderSpec, rng));
registerModule("ConvDecoder", (s, rng) => new ConvDecoder((s.args ?? {}) as unknown as ConvDecoderSpec, rng));

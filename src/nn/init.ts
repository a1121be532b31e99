// Weight initialisers, in place on long-lived tensors, from a seeded Random (so a model built with a seed is
// reproducible). Fans as PyTorch's _calculate_fan_in_and_fan_out: for a weight of shape [a, b, ...k],
// fan_in = b·∏k and fan_out = a·∏k (so ConvTranspose2d's [Cin, Cout, kh, kw] has fan_in = Cout·kh·kw, as in PyTorch).
import { describeValue, fail } from "../core/errors.js";
import type { Random } from "../core/random.js";
import { Tensor, shapeString, type Shape } from "./tensor.js";

/**
 * "default": PyTorch's Linear/Conv reset_parameters (kaiming_uniform with a = √5: U(±1/√fan_in) for the weight, and
 * U(±1/√fan_in) for the bias); the others initialise the weight and set the bias to zero.
 */
export type Init = "default" | "heNormal" | "heUniform" | "glorotNormal" | "glorotUniform";
export const INITS: readonly Init[] = ["default", "heNormal", "heUniform", "glorotNormal", "glorotUniform"];

export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length < 2) fail(`init: fans need a weight of 2 or more dimensions, got ${shapeString(shape)}`);
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** Fills t with U(lo, hi). */
export function uniformInit(t: Tensor, rng: Random, lo: number, hi: number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.uniform();
  return t;
}

/** Fills t with N(mean, std²). */
export function normalInit(t: Tensor, rng: Random, std: number, mean = 0): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * rng.normal();
  return t;
}

export type Nonlinearity = "linear" | "sigmoid" | "tanh" | "relu" | "leakyRelu";

/** PyTorch's calculate_gain. */
export function gain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    default:
      return fail(`init: unknown nonlinearity ${describeValue(nonlinearity)}`);
  }
}

export interface KaimingOptions {
  /** The negative slope of the rectifier after the layer (leakyRelu; default 0). */
  a?: number;
  mode?: "fanIn" | "fanOut";
  /** Default "leakyRelu" with slope a (with a = 0: ReLU's gain √2), as PyTorch's. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const f = fans(t.shape);
  const fan = (o.mode ?? "fanIn") === "fanIn" ? f.fanIn : f.fanOut;
  if (fan === 0) fail(`init: a weight of shape ${shapeString(t.shape)} has a fan of 0`);
  return gain(o.nonlinearity ?? "leakyRelu", o.a ?? 0) / Math.sqrt(fan);
}

/** kaiming_uniform_: U(±√3·gain/√fan). */
export function kaimingUniform(t: Tensor, rng: Random, o: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, o);
  return uniformInit(t, rng, -b, b);
}

/** kaiming_normal_: N(0, gain²/fan). */
export function kaimingNormal(t: Tensor, rng: Random, o: KaimingOptions = {}): Tensor {
  return normalInit(t, rng, kaimingStd(t, o));
}

/** He normal: N(0, 2/fan_in) (kaiming_normal_ with ReLU's gain). */
export function heNormal(t: Tensor, rng: Random): Tensor {
  return kaimingNormal(t, rng, { nonlinearity: "relu" });
}

/** He uniform: U(±√(6/fan_in)). */
export function heUniform(t: Tensor, rng: Random): Tensor {
  return kaimingUniform(t, rng, { nonlinearity: "relu" });
}

/** Glorot (Xavier) uniform: U(±gain·√(6/(fan_in + fan_out))). */
export function glorotUniform(t: Tensor, rng: Random, g = 1): Tensor {
  const f = fans(t.shape);
  const b = g * Math.sqrt(6 / (f.fanIn + f.fanOut));
  return uniformInit(t, rng, -b, b);
}

/** Glorot (Xavier) normal: N(0, gain²·2/(fan_in + fan_out)). */
export function glorotNormal(t: Tensor, rng: Random, g = 1): Tensor {
  const f = fans(t.shape);
  return normalInit(t, rng, g * Math.sqrt(2 / (f.fanIn + f.fanOut)));
}

/** Initialises a layer's weight (and bias) by name: what Linear, Conv2d and ConvTranspose2d call. */
export function initLayer(weight: Tensor, bias: Tensor | null, init: Init, rng: Random): void {
  switch (init) {
    case "default": {
      // kaiming_uniform_(a=√5): gain √(2/6), bound √3·gain/√fan_in = 1/√fan_in; the bias U(±1/√fan_in)
      kaimingUniform(weight, rng, { a: Math.sqrt(5) });
      const { fanIn } = fans(weight.shape);
      if (bias) {
        const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        uniformInit(bias, rng, -b, b);
      }
      return;
    }
    case "heNormal": heNormal(weight, rng); break;
    case "heUniform": heUniform(weight, rng); break;
    case "glorotNormal": glorotNormal(weight, rng); break;
    case "glorotUniform": glorotUniform(weight, rng); break;
    default:
      fail(`init must be one of ${INITS.map((s) => `"${s}"`).join(", ")}, got ${describeValue(init)}`);
  }
  bias?.data.fill(0);
}

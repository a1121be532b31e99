// The layer stack of a CNNClassifier, written as a short list of tokens (the option `layers`, the CLI's --layers),
// parsed and checked into a plan before any weight is allocated, then built as a Sequential whose state names are
// those of the same torch.nn.Sequential ("0.weight", "4.0.inner.0.weight", …; bench/cnn_torch.py builds it from the
// same tokens). Tokens, separated by commas or spaces:
//
//   conv<C>[x<k>][s<s>]  Conv2d to C channels, k×k (default 3), stride s (default 1), zero padding ⌊k/2⌋ ("same")
//   bn                   BatchNorm2d after a convolution, BatchNorm1d after flatten/gap/dense
//   relu                 ReLU
//   maxpool[<k>], avgpool[<k>]   k×k pooling, stride k (default 2; floor: 7 → 3)
//   dropout[<p>]         Dropout with probability p (default 0.5)
//   res<C>, resbn<C>     a residual basic block (He et al. 2016): relu(x + conv3(bn)(relu(bn(conv3(x))))), C = the
//                        input's channels; "bn" puts batch norm after each of its two convolutions
//   plain<C>, plainbn<C> the same block without the shortcut: relu(conv(…)(x)), for ablations
//   gap                  global average pooling: [C, H, W] → [C]
//   flatten              [C, H, W] → [C·H·W]
//   dense<N>             Linear to N features
//
// A Linear to the number of classes ("logits") always ends the stack. Layers are named by kind and position
// (conv1, bn1, relu1, pool1, dropout1, res1, gap, flatten, dense1, logits), and "features" is the input of the
// logits: what transform() returns by default. The presets are token lists: "lenet" (two conv+pool stages and a
// dense layer, LeCun et al. 1998 as modern tutorials write it) and "resnet" (a stem and two stages of one residual
// block each, then global average pooling: a small ResNet for 28×28 images).
import { describeValue, fail } from "../core/errors.js";
import { Random } from "../core/random.js";
import { ReLU } from "../nn/layers/activation.js";
import { Residual, Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/dense.js";
import { Dropout } from "../nn/layers/dropout.js";
import { BatchNorm1d, BatchNorm2d } from "../nn/layers/norm.js";
import { AvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { Flatten } from "../nn/layers/shape.js";
import { Module, type ModuleSpec } from "../nn/module.js";
import { mean } from "../nn/ops/mean.js";
import type { Tensor } from "../nn/tensor.js";
import { registerModule } from "../nn/layers/index.js";

export type CNNPreset = "lenet" | "resnet";

/** What varies between the runs of an ablation: the preset's switches. */
export interface PresetSwitches {
  /** Channels of the first stage (the second has twice as many). */
  width: number;
  /** Features of lenet's dense layer. */
  hidden: number;
  batchNorm: boolean;
  /** Dropout probability before the dense layers (0: none). */
  dropout: number;
  /** resnet: the blocks' shortcuts (false: the same convolutions without them). */
  residual: boolean;
}

/** The token list of a preset with its switches. */
export function presetLayers(preset: CNNPreset, s: PresetSwitches): string {
  const bn = s.batchNorm ? ["bn"] : [];
  const drop = s.dropout > 0 ? [`dropout${s.dropout}`] : [];
  const w = s.width;
  if (preset === "lenet") {
    return [`conv${w}`, ...bn, "relu", "maxpool", `conv${2 * w}`, ...bn, "relu", "maxpool", "flatten", ...drop, `dense${s.hidden}`, "relu", ...drop].join(",");
  }
  const block = (c: number): string => `${s.residual ? "res" : "plain"}${s.batchNorm ? "bn" : ""}${c}`;
  return [`conv${w}`, ...bn, "relu", "maxpool", block(w), `conv${2 * w}`, ...bn, "relu", "maxpool", block(2 * w), "gap", ...drop].join(",");
}

export type LayerKind = "conv" | "bn" | "relu" | "maxpool" | "avgpool" | "dropout" | "res" | "plain" | "gap" | "flatten" | "dense" | "logits";

/** One layer of a checked stack. */
export interface LayerPlan {
  /** conv1, bn2, res1, logits, … */
  readonly name: string;
  readonly kind: LayerKind;
  /** The token it came from ("conv32x5", "logits"). */
  readonly token: string;
  /** The shape of one sample's input and output: [C, H, W] or [F]. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  /** Output channels / features, kernel, stride, dropout p, batch norm inside a block. */
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly p: number;
  readonly bn: boolean;
  /** The tensors it owns (parameters and buffers), by state name relative to the layer, with their shapes. */
  readonly tensors: readonly [string, number[]][];
}

const TOKEN = /^(conv)(\d+)(?:x(\d+))?(?:s(\d+))?$|^(bn|relu|gap|flatten)$|^(maxpool|avgpool)(\d+)?$|^(dropout)(\d*\.?\d+)?$|^(res|resbn|plain|plainbn)(\d+)$|^(dense)(\d+)$/;

const bnTensors = (c: number): [string, number[]][] => [["weight", [c]], ["bias", [c]], ["running_mean", [c]], ["running_var", [c]]];

/** Splits the `layers` option into tokens (commas or whitespace; case-insensitive). */
export function layerTokens(layers: string): string[] {
  return layers.toLowerCase().split(/[\s,]+/).filter((t) => t !== "");
}

/** One token, parsed: its kind and numbers (0 where they do not apply). */
interface ParsedToken {
  kind: Exclude<LayerKind, "logits">;
  size: number;
  kernel: number;
  stride: number;
  p: number;
  bn: boolean;
}

/** Parses one token of `layers`, refusing unknown tokens and sizes below 1 in one line. */
function parseToken(tok: string, layers: string, what: string): ParsedToken {
  const m = TOKEN.exec(tok);
  if (!m) {
    fail(`${what}: unknown layer ${describeValue(tok)} in layers ${describeValue(layers)} ` +
      "(known: conv<C>[x<k>][s<s>], bn, relu, maxpool[<k>], avgpool[<k>], dropout[<p>], res<C>, resbn<C>, plain<C>, plainbn<C>, gap, flatten, dense<N>)");
  }
  const positive = (v: string | undefined, dflt: number, label: string): number => {
    if (v === undefined || v === "") return dflt;
    const n = Number(v);
    if (!(Number.isSafeInteger(n) && n >= 1)) fail(`${what}: layer "${tok}": the ${label} must be an integer >= 1, got ${v}`);
    return n;
  };
  const t: ParsedToken = { kind: "relu", size: 0, kernel: 0, stride: 1, p: 0, bn: false };
  if (m[1]) return { ...t, kind: "conv", size: positive(m[2], 1, "channels"), kernel: positive(m[3], 3, "kernel size"), stride: positive(m[4], 1, "stride") };
  if (m[5]) return { ...t, kind: m[5] as "bn" | "relu" | "gap" | "flatten" };
  if (m[6]) {
    const k = positive(m[7], 2, "pooling size");
    return { ...t, kind: m[6] as "maxpool" | "avgpool", kernel: k, stride: k };
  }
  if (m[8]) {
    const p = m[9] === undefined ? 0.5 : Number(m[9]);
    if (!(p >= 0 && p < 1)) fail(`${what}: layer "${tok}": the dropout probability must be in [0, 1), got ${m[9]}`);
    return { ...t, kind: "dropout", p };
  }
  if (m[10]) return { ...t, kind: m[10].startsWith("res") ? "res" : "plain", size: positive(m[11], 1, "channels"), kernel: 3, bn: m[10].endsWith("bn") };
  return { ...t, kind: "dense", size: positive(m[13], 1, "size") };
}

/**
 * Checks the tokens of a stack without an image shape (what the constructor can check before fit sees the data):
 * every token known, every size >= 1, the dropout probabilities in [0, 1).
 */
export function checkLayerTokens(layers: string, what = "CNNClassifier"): void {
  const tokens = layerTokens(layers);
  if (tokens.length === 0) fail(`${what}: layers is empty: give tokens such as "conv32,relu,maxpool,flatten,dense128,relu"`);
  for (const tok of tokens) parseToken(tok, layers, what);
}

/**
 * Checks a stack for images of `imageShape` and `nClasses` classes: every token known, every size positive (a pooling
 * or a stride that takes a side to 0 is refused), the blocks' channels equal to their input's, dense layers on flat
 * features, flat features at the end; the plan gives each layer's shapes and tensors.
 */
export function planLayers(layers: string, imageShape: readonly [number, number, number], nClasses: number, what = "CNNClassifier"): LayerPlan[] {
  checkLayerTokens(layers, what);
  const tokens = layerTokens(layers);
  const plans: LayerPlan[] = [];
  const counts = new Map<string, number>();
  let shape: number[] = imageShape.slice();
  const spatial = (): boolean => shape.length === 3;
  const named = (base: string): string => {
    const k = (counts.get(base) ?? 0) + 1;
    counts.set(base, k);
    return base === "gap" || base === "flatten" ? (k === 1 ? base : `${base}${k}`) : `${base}${k}`;
  };
  const add = (p: Omit<LayerPlan, "inShape" | "size" | "kernel" | "stride" | "p" | "bn"> & Partial<LayerPlan>): void => {
    plans.push({ size: 0, kernel: 0, stride: 1, p: 0, bn: false, ...p, inShape: shape.slice() });
    shape = p.outShape.slice();
  };
  for (const tok of tokens) {
    const t = parseToken(tok, layers, what);
    const needSpatial = (): void => {
      if (!spatial()) fail(`${what}: layer "${tok}" needs [C, H, W] feature maps, but after "${plans[plans.length - 1]!.token}" they are flat (${shape[0]} features)`);
    };
    const common = { token: tok, size: t.size, kernel: t.kernel, stride: t.stride, p: t.p, bn: t.bn, tensors: [] as [string, number[]][] };
    switch (t.kind) {
      case "conv": {
        needSpatial();
        const [ci, h, w] = shape as [number, number, number];
        const c = t.size, k = t.kernel, s = t.stride;
        const pad = Math.floor(k / 2);
        const oh = Math.floor((h + 2 * pad - k) / s) + 1, ow = Math.floor((w + 2 * pad - k) / s) + 1;
        if (oh < 1 || ow < 1) fail(`${what}: layer "${tok}" takes ${h}x${w} feature maps to ${oh}x${ow}`);
        add({ ...common, name: named("conv"), kind: "conv", outShape: [c, oh, ow], tensors: [["weight", [c, ci, k, k]], ["bias", [c]]] });
        break;
      }
      case "bn":
        add({ ...common, name: named("bn"), kind: "bn", outShape: shape.slice(), size: shape[0]!, tensors: bnTensors(shape[0]!) });
        break;
      case "relu":
        add({ ...common, name: named("relu"), kind: "relu", outShape: shape.slice() });
        break;
      case "gap":
      case "flatten":
        needSpatial();
        add({ ...common, name: named(t.kind), kind: t.kind, outShape: t.kind === "gap" ? [shape[0]!] : [shape[0]! * shape[1]! * shape[2]!] });
        break;
      case "maxpool":
      case "avgpool": {
        needSpatial();
        const [c, h, w] = shape as [number, number, number];
        const oh = Math.floor(h / t.kernel), ow = Math.floor(w / t.kernel);
        if (oh < 1 || ow < 1) fail(`${what}: layer "${tok}" takes ${h}x${w} feature maps to ${oh}x${ow}: use fewer poolings or larger images`);
        add({ ...common, name: named("pool"), kind: t.kind, outShape: [c, oh, ow] });
        break;
      }
      case "dropout":
        add({ ...common, name: named("dropout"), kind: "dropout", outShape: shape.slice() });
        break;
      case "res":
      case "plain": {
        needSpatial();
        const c = t.size;
        if (c !== shape[0]) fail(`${what}: block "${tok}" keeps ${c} channels, but its input has ${shape[0]}: put a conv${c} before it`);
        const inner = (i: number): [string, number[]][] => [[`${i}.weight`, [c, c, 3, 3]], [`${i}.bias`, [c]]];
        const bnAt = (i: number): [string, number[]][] => bnTensors(c).map(([n, s]) => [`${i}.${n}`, s]);
        // the block's inner Sequential: conv, [bn], relu, conv, [bn]
        const seq = t.bn ? [...inner(0), ...bnAt(1), ...inner(3), ...bnAt(4)] : [...inner(0), ...inner(2)];
        const prefix = t.kind === "res" ? "0.inner." : "0.";
        add({ ...common, name: named(t.kind), kind: t.kind, outShape: shape.slice(), tensors: seq.map(([n, s]) => [prefix + n, s]) });
        break;
      }
      case "dense":
        if (spatial()) fail(`${what}: layer "${tok}" needs flat features: put flatten or gap before it`);
        add({ ...common, name: named("dense"), kind: "dense", outShape: [t.size], tensors: [["weight", [t.size, shape[0]!]], ["bias", [t.size]]] });
        break;
    }
  }
  if (spatial()) fail(`${what}: the layers end with [${shape.join(", ")}] feature maps: end them with flatten or gap before the classifier`);
  add({ size: nClasses, name: "logits", kind: "logits", token: "logits", outShape: [nClasses], tensors: [["weight", [nClasses, shape[0]!]], ["bias", [nClasses]]] });
  return plans;
}

/** Every tensor of the built stack, by its state name ("3.weight"), with its shape. */
export function planTensors(plans: readonly LayerPlan[]): [string, number[]][] {
  return plans.flatMap((p, i) => p.tensors.map(([n, s]) => [`${i}.${n}`, s] as [string, number[]]));
}

/** Global average pooling over H and W: [N, C, H, W] → [N, C]. */
export class GlobalAvgPool extends Module {
  forward(x: Tensor): Tensor {
    return mean(x, [2, 3]);
  }
  spec(): ModuleSpec {
    return { type: "GlobalAvgPool" };
  }
}
registerModule("GlobalAvgPool", () => new GlobalAvgPool());

/** The module of one planned layer (weights from `rng`, as PyTorch's default initialisation draws them). */
function layerModule(p: LayerPlan, rng: Random): Module {
  const c = p.inShape[0]!;
  switch (p.kind) {
    case "conv": return new Conv2d(c, p.size, p.kernel, { stride: p.stride, padding: Math.floor(p.kernel / 2), rng });
    case "bn": return p.inShape.length === 3 ? new BatchNorm2d(c) : new BatchNorm1d(c);
    case "relu": return new ReLU();
    case "maxpool": return new MaxPool2d(p.kernel);
    case "avgpool": return new AvgPool2d(p.kernel);
    case "dropout": return new Dropout(p.p, new Random(rng.int(2 ** 31 - 1)));
    case "gap": return new GlobalAvgPool();
    case "flatten": return new Flatten();
    case "dense":
    case "logits": return new Linear(c, p.size, { rng });
    case "res":
    case "plain": {
      const k = p.size;
      const convs = (): Module[] => p.bn
        ? [new Conv2d(k, k, 3, { padding: 1, rng }), new BatchNorm2d(k), new ReLU(), new Conv2d(k, k, 3, { padding: 1, rng }), new BatchNorm2d(k)]
        : [new Conv2d(k, k, 3, { padding: 1, rng }), new ReLU(), new Conv2d(k, k, 3, { padding: 1, rng })];
      const inner = new Sequential(convs());
      return new Sequential(p.kind === "res" ? new Residual(inner) : inner, new ReLU());
    }
  }
}

/** The stack as a Sequential (one child per planned layer, in order). */
export function buildLayers(plans: readonly LayerPlan[], rng: Random): Sequential {
  return new Sequential(plans.map((p) => layerModule(p, rng)));
}

/** Multiply-adds of one sample's forward pass (convolutions and dense layers), to report a net's cost. */
export function forwardMacs(plans: readonly LayerPlan[]): number {
  let s = 0;
  for (const p of plans) {
    if (p.kind === "conv") s += p.outShape[0]! * p.outShape[1]! * p.outShape[2]! * p.inShape[0]! * p.kernel * p.kernel;
    else if (p.kind === "res" || p.kind === "plain") s += 2 * p.size * p.size * 9 * p.outShape[1]! * p.outShape[2]!;
    else if (p.kind === "dense" || p.kind === "logits") s += p.inShape[0]! * p.size;
  }
  return s;
}

// Conv2d and ConvTranspose2d over NCHW through the conv ops; weights in PyTorch's layouts ([O, C, kh, kw] and
// [Cin, Cout, kh, kw]), state names "weight", "bias", PyTorch's default initialisation.
import { fail } from "../../core/errors.js";
import type { Random } from "../../core/random.js";
import { initLayer, type Init } from "../init.js";
import { Module, type ModuleSpec } from "../module.js";
import { conv2d } from "../ops/conv2d.js";
import { convTranspose2d } from "../ops/conv-transpose2d.js";
import { Tensor, shapeString } from "../tensor.js";
import { bool, initName, int, pair, rngOf, type Pair } from "./util.js";

export interface Conv2dLayerOptions {
  /** Default 1. */
  stride?: Pair;
  /** Zero padding on each side (default 0). */
  padding?: Pair;
  /** Default true. */
  bias?: boolean;
  init?: Init;
  rng?: Random;
}

export interface ConvTranspose2dLayerOptions extends Conv2dLayerOptions {
  /** Extra rows/columns on the bottom/right of the output (default 0; less than the stride). */
  outputPadding?: Pair;
}

const two = (p: Pair): [number, number] => (typeof p === "number" ? [p, p] : [p[0], p[1]]);

function checkInput(name: string, x: Tensor, channels: number): void {
  if (x.rank !== 4 || x.shape[1] !== channels) fail(`${name}: the input ${shapeString(x.shape)} must be [N, ${channels}, H, W]`);
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly init: Init;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: Conv2dLayerOptions = {}) {
    super();
    const L = "Conv2d";
    int(L, "inChannels", inChannels, 1);
    int(L, "outChannels", outChannels, 1);
    this.kernelSize = pair(L, "kernelSize", kernelSize, 1);
    this.stride = pair(L, "stride", opts.stride ?? 1, 1);
    this.padding = pair(L, "padding", opts.padding ?? 0, 0);
    this.init = initName(L, opts.init);
    const [kh, kw] = two(this.kernelSize);
    this.weight = this.param("weight", Tensor.longLived([outChannels, inChannels, kh, kw]));
    this.bias = bool(L, "bias", opts.bias, true) ? this.param("bias", Tensor.longLived([outChannels])) : null;
    initLayer(this.weight, this.bias, this.init, rngOf(L, opts.rng));
  }

  forward(x: Tensor): Tensor {
    checkInput(`Conv2d(${this.inChannels}, ${this.outChannels})`, x, this.inChannels);
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  spec(): ModuleSpec {
    return {
      type: "Conv2d",
      args: { inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, bias: this.bias !== null, init: this.init },
    };
  }
}

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly init: Init;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: ConvTranspose2dLayerOptions = {}) {
    super();
    const L = "ConvTranspose2d";
    int(L, "inChannels", inChannels, 1);
    int(L, "outChannels", outChannels, 1);
    this.kernelSize = pair(L, "kernelSize", kernelSize, 1);
    this.stride = pair(L, "stride", opts.stride ?? 1, 1);
    this.padding = pair(L, "padding", opts.padding ?? 0, 0);
    this.outputPadding = pair(L, "outputPadding", opts.outputPadding ?? 0, 0);
    const s = two(this.stride), op = two(this.outputPadding);
    if (op[0] >= s[0] || op[1] >= s[1]) fail(`${L}: outputPadding ${JSON.stringify(this.outputPadding)} must be less than the stride ${JSON.stringify(this.stride)}`);
    this.init = initName(L, opts.init);
    const [kh, kw] = two(this.kernelSize);
    this.weight = this.param("weight", Tensor.longLived([inChannels, outChannels, kh, kw]));
    this.bias = bool(L, "bias", opts.bias, true) ? this.param("bias", Tensor.longLived([outChannels])) : null;
    initLayer(this.weight, this.bias, this.init, rngOf(L, opts.rng));
  }

  forward(x: Tensor): Tensor {
    checkInput(`ConvTranspose2d(${this.inChannels}, ${this.outChannels})`, x, this.inChannels);
    return convTranspose2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding });
  }

  spec(): ModuleSpec {
    return {
      type: "ConvTranspose2d",
      args: {
        inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
        outputPadding: this.outputPadding, bias: this.bias !== null, init: this.init,
      },
    };
  }
}

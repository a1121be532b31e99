// convTranspose2d: x [N, Cin, H, W], weight [Cin, Cout, kh, kw] (PyTorch's layout), bias [Cout] or null; the
// gradient of conv2d with respect to its input, as a layer. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export interface ConvTranspose2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  outputPadding?: number | readonly [number, number];
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  return fail("convTranspose2d is not implemented yet" + String(x) + String(weight) + String(bias) + JSON.stringify(opts));
}

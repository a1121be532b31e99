// conv2d: x [N, C, H, W] (NCHW), weight [O, C, kh, kw], bias [O] or null; im2col + GEMM (or direct for small
// channel counts), backward for input and weight. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  return fail("conv2d is not implemented yet" + String(x) + String(weight) + String(bias) + JSON.stringify(opts));
}

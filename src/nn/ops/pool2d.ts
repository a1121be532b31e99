// maxPool2d and avgPool2d over NCHW. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export interface Pool2dOptions {
  kernel: number | readonly [number, number];
  /** Default: the kernel size. */
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return fail("maxPool2d is not implemented yet" + String(x) + JSON.stringify(opts));
}

export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return fail("avgPool2d is not implemented yet" + String(x) + JSON.stringify(opts));
}

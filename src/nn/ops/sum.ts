// sum over axes. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

/** sum over `axes` (default: all), keeping reduced axes as 1 when keepDims. */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return fail("sum is not implemented yet" + String(x) + String(axes) + keepDims);
}

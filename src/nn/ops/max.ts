// max over axes. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

/** max over `axes` (default: all), keeping reduced axes as 1 when keepDims. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return fail("max is not implemented yet" + String(x) + String(axes) + keepDims);
}

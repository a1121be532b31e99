// reshape: same storage, another shape (one dimension may be -1). STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return fail("reshape" + String(x) + String(shape));
}

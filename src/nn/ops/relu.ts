// relu, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function relu(x: Tensor): Tensor {
  return fail("relu is not implemented yet" + String(x));
}

/** max(x, slope·x). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return fail("leakyRelu is not implemented yet" + String(x) + slope);
}

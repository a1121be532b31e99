// tanh, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function tanh(x: Tensor): Tensor {
  return fail("tanh is not implemented yet" + String(x));
}

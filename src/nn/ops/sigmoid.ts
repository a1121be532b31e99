// sigmoid, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function sigmoid(x: Tensor): Tensor {
  return fail("sigmoid is not implemented yet" + String(x));
}

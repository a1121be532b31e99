// exp, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function exp(x: Tensor): Tensor {
  return fail("exp is not implemented yet" + String(x));
}

// sqrt, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function sqrt(x: Tensor): Tensor {
  return fail("sqrt is not implemented yet" + String(x));
}

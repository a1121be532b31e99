// gelu, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function gelu(x: Tensor): Tensor {
  return fail("gelu is not implemented yet" + String(x));
}

// mul: elementwise with broadcasting (numpy rules). STUB: to be written (issue 11).
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function mul(a: Tensor, b: Tensor): Tensor {
  return fail("mul is not implemented yet" + String(a) + String(b));
}

// sub: elementwise with broadcasting (numpy rules). STUB: to be written (issue 11).
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function sub(a: Tensor, b: Tensor): Tensor {
  return fail("sub is not implemented yet" + String(a) + String(b));
}

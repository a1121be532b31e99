// add: elementwise with broadcasting (numpy rules). STUB: to be written (issue 11).
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function add(a: Tensor, b: Tensor): Tensor {
  return fail("add is not implemented yet" + String(a) + String(b));
}

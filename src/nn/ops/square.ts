// square, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function square(x: Tensor): Tensor {
  return fail("square is not implemented yet" + String(x));
}

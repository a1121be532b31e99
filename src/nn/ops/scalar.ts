// Scalar ops: x + s, x · s, −x. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function addScalar(x: Tensor, s: number): Tensor {
  return fail("addScalar" + String(x) + s);
}
export function mulScalar(x: Tensor, s: number): Tensor {
  return fail("mulScalar" + String(x) + s);
}
export function neg(x: Tensor): Tensor {
  return fail("neg" + String(x));
}

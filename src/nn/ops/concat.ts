// concat along an axis. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  return fail("concat" + String(xs) + axis);
}

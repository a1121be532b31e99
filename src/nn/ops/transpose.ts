// transpose: permute axes (default: reverse them). STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  return fail("transpose" + String(x) + String(perm));
}

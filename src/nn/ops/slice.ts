// slice: a box of x, begin[i] .. begin[i] + size[i] (size -1: to the end). STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  return fail("slice" + String(x) + String(begin) + String(size));
}

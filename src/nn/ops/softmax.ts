// softmax and logSoftmax along an axis (default the last). STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function softmax(x: Tensor, axis = -1): Tensor {
  return fail("softmax" + String(x) + axis);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return fail("logSoftmax" + String(x) + axis);
}

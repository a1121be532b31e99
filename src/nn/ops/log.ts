// log, elementwise. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function log(x: Tensor): Tensor {
  return fail("log is not implemented yet" + String(x));
}

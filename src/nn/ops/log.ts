// log (natural), elementwise; backward g / x.
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function log(x: Tensor): Tensor {
  return unary("log", x);
}

// exp, elementwise; backward g·y.
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function exp(x: Tensor): Tensor {
  return unary("exp", x);
}

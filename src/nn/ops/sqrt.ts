// sqrt, elementwise; backward g / (2·y).
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x);
}

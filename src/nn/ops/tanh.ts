// tanh, elementwise; backward g·(1 − y²).
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function tanh(x: Tensor): Tensor {
  return unary("tanh", x);
}

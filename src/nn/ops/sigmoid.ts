// sigmoid 1 / (1 + e^(−x)), elementwise; backward g·y·(1 − y).
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x);
}

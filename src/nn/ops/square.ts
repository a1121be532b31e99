// square x², elementwise; backward 2·g·x.
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function square(x: Tensor): Tensor {
  return unary("square", x);
}

// relu max(x, 0) and leaky relu (x > 0 ? x : slope·x), elementwise; backward g where x > 0 (else 0, or slope·g).
import { describeValue, fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function relu(x: Tensor): Tensor {
  return unary("relu", x);
}

/** max(x, slope·x). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  if (typeof slope !== "number" || !Number.isFinite(slope)) fail(`leakyRelu: slope must be a finite number, got ${describeValue(slope)}`);
  return unary("leakyRelu", x, slope);
}

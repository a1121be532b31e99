// gelu, the exact (erf) form as PyTorch's default: x·Φ(x), Φ the standard normal CDF; backward g·(Φ(x) + x·φ(x)).
import type { Tensor } from "../tensor.js";
import { unary } from "./unary.js";

export function gelu(x: Tensor): Tensor {
  return unary("gelu", x);
}

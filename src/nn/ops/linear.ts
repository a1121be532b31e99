// linear: act(x·Wᵀ + b), fused (one GEMM, then bias and activation in one pass; backward through the saved output).
// x [N, in], W [out, in] (PyTorch's layout), b [out] or null. STUB.
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export type Activation = "none" | "relu" | "leakyRelu" | "sigmoid" | "tanh" | "gelu";

export function linear(x: Tensor, w: Tensor, b: Tensor | null, activation: Activation = "none"): Tensor {
  return fail("linear is not implemented yet" + String(x) + String(w) + String(b) + activation);
}

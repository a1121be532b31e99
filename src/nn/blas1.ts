// Level-1 vector operations on tensors' storage, outside the tape: accumulating gradients, scaling, copying. The
// WASM kernels are assembly/nn/blas1.ts; the TypeScript loops are the route without the core (and float64).
import { fail } from "../core/errors.js";
import { nnCore } from "./storage.js";
import { Tensor, shapeString, type Shape } from "./tensor.js";

function sameSize(a: Tensor, b: Tensor, what: string): void {
  if (a.size !== b.size) fail(`${what}: sizes differ (${shapeString(a.shape)} and ${shapeString(b.shape)})`);
}

/** y += a·x, in place. */
export function axpy(y: Tensor, x: Tensor, a: number): void {
  sameSize(y, x, "axpy");
  const core = nnCore();
  if (core && y.ptr >= 0 && x.ptr >= 0) {
    core.kernels.nnAxpy(y.ptr, x.ptr, a, y.size);
    return;
  }
  const yd = y.data, xd = x.data;
  for (let i = 0; i < yd.length; i++) yd[i]! += a * xd[i]!;
}

/** y += x, in place. */
export function addInto(y: Tensor, x: Tensor): void {
  axpy(y, x, 1);
}

/** y = a·x (y may be x). */
export function scaleInto(y: Tensor, x: Tensor, a: number): void {
  sameSize(y, x, "scale");
  const core = nnCore();
  if (core && y.ptr >= 0 && x.ptr >= 0) {
    core.kernels.nnScale(y.ptr, x.ptr, a, y.size);
    return;
  }
  const yd = y.data, xd = x.data;
  for (let i = 0; i < yd.length; i++) yd[i] = a * xd[i]!;
}

/** A new tensor (current scope) holding x's values, with shape `shape` (default x's). */
export function copyOf(x: Tensor, shape: Shape = x.shape): Tensor {
  const t = Tensor.empty(shape);
  t.data.set(x.data);
  return t;
}

/** Σ x², accumulated in float64. */
export function sumSquares(x: Tensor): number {
  const core = nnCore();
  if (core && x.ptr >= 0) return core.kernels.nnSumSq(x.ptr, x.size);
  const d = x.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return s;
}

// mean over axes (default: all; negative axes count from the end), keeping the reduced axes as 1 when keepDims.
// Backward: g / count broadcast back over the reduced axes. The mean over no elements is NaN, as in PyTorch.
import { record } from "../autograd.js";
import type { Tensor } from "../tensor.js";
import { normAxes, reducedShape, sumAxes } from "./reduce-core.js";
import { expandGrad } from "./sum.js";

/** mean over `axes` (default: all), keeping reduced axes as 1 when keepDims. */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes("mean", x.shape, axes);
  let count = 1;
  for (const a of ax) count *= x.shape[a]!;
  const keep = reducedShape(x.shape, ax, true);
  const y = sumAxes(x, ax, count === 0 ? NaN : 1 / count).view(reducedShape(x.shape, ax, keepDims));
  return record("mean", [x], y, (g) => [expandGrad(g, keep, x.shape, 1 / count)]);
}

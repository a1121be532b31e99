// sum over axes (default: all; negative axes count from the end), keeping the reduced axes as 1 when keepDims.
// Backward: g broadcast back over the reduced axes.
import { record } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { BINARY, binaryInto } from "./broadcast.js";
import { normAxes, reducedShape, sumAxes } from "./reduce-core.js";

/** dx = scale · g broadcast from `keep` (x's shape with the reduced axes as 1) to x's shape. */
export function expandGrad(g: Tensor, keep: readonly number[], shape: readonly number[], scale: number): Tensor {
  const dx = Tensor.empty(shape);
  binaryInto(BINARY.mul, g.view(keep), Tensor.full([1], scale), dx);
  return dx;
}

/** sum over `axes` (default: all), keeping reduced axes as 1 when keepDims. */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes("sum", x.shape, axes);
  const keep = reducedShape(x.shape, ax, true);
  const y = sumAxes(x, ax).view(reducedShape(x.shape, ax, keepDims));
  return record("sum", [x], y, (g) => [expandGrad(g, keep, x.shape, 1)]);
}

// max over axes (default: all; negative axes count from the end), keeping the reduced axes as 1 when keepDims.
// Backward: the whole gradient goes to the first maximal element of each reduced box (PyTorch's argmax rule for
// max over a dimension; over several axes, "first" is in the row-major order of the reduced indices). A NaN is the
// maximum.
import { fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { shapeString, type Tensor } from "../tensor.js";
import { maxAxes, normAxes, reducedShape } from "./reduce-core.js";

/** max over `axes` (default: all), keeping reduced axes as 1 when keepDims. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes("max", x.shape, axes);
  if (ax.some((a) => x.shape[a] === 0)) fail(`max: cannot reduce an empty axis (shape ${shapeString(x.shape)}, axes [${ax.join(", ")}])`);
  const keep = reducedShape(x.shape, ax, true);
  const { y, back } = maxAxes(x, ax);
  const out = y.view(reducedShape(x.shape, ax, keepDims));
  return record("max", [x], out, (g) => [back(g.view(keep))]);
}

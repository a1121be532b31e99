// reshape: the same storage with another shape of the same size (one dimension may be -1): a view, no copy.
// Backward: the gradient viewed back in x's shape.
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { shapeString, sizeOf, type Tensor } from "../tensor.js";

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    fail(`reshape: the shape must be an array of non-negative integers (one may be -1), got ${describeValue(shape)}`);
  }
  const free = shape.filter((d) => d === -1).length;
  const known = sizeOf(shape.filter((d) => d !== -1));
  if (free > 1 || (free === 0 && known !== x.size) || (free === 1 && (known === 0 ? x.size !== 0 : x.size % known !== 0))) {
    fail(`reshape: cannot reshape ${shapeString(x.shape)} (${x.size} elements) into ${shapeString(shape)}${free > 1 ? " (at most one -1)" : ""}`);
  }
  const y = x.view(shape);
  return record("reshape", [x], y, (g) => [g.view(x.shape)]);
}

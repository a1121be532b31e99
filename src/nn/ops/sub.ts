// sub: a − b, elementwise with broadcasting (numpy rules). Backward: g and −g summed over the broadcast axes.
import { record } from "../autograd.js";
import type { Tensor } from "../tensor.js";
import { BINARY, asShape, binary, reduceTo } from "./broadcast.js";

export function sub(a: Tensor, b: Tensor): Tensor {
  const c = binary("sub", BINARY.sub, a, b);
  return record("sub", [a, b], c, (g0) => {
    const g = asShape(g0, c.shape);
    return [
      a.requiresGrad ? reduceTo(g, a.shape) : null,
      b.requiresGrad ? reduceTo(g, b.shape, -1) : null,
    ];
  });
}

// add: a + b, elementwise with broadcasting (numpy rules). Backward: g summed over each input's broadcast axes.
import { record } from "../autograd.js";
import type { Tensor } from "../tensor.js";
import { BINARY, asShape, binary, reduceTo } from "./broadcast.js";

export function add(a: Tensor, b: Tensor): Tensor {
  const c = binary("add", BINARY.add, a, b);
  return record("add", [a, b], c, (g0) => {
    const g = asShape(g0, c.shape);
    return [
      a.requiresGrad ? reduceTo(g, a.shape) : null,
      b.requiresGrad ? reduceTo(g, b.shape) : null,
    ];
  });
}

// mul: a · b, elementwise with broadcasting (numpy rules). Backward: g·b and g·a, summed over the broadcast axes.
import { record } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { BINARY, asShape, binaryInto, binary, reduceTo } from "./broadcast.js";

export function mul(a: Tensor, b: Tensor): Tensor {
  const c = binary("mul", BINARY.mul, a, b);
  return record("mul", [a, b], c, (g0) => {
    const g = asShape(g0, c.shape);
    let da: Tensor | null = null, db: Tensor | null = null;
    if (a.requiresGrad) {
      const t = Tensor.empty(c.shape);
      binaryInto(BINARY.mul, g, b, t);
      da = reduceTo(t, a.shape);
    }
    if (b.requiresGrad) {
      const t = Tensor.empty(c.shape);
      binaryInto(BINARY.mul, g, a, t);
      db = reduceTo(t, b.shape);
    }
    return [da, db];
  });
}

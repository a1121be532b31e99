// div: a / b, elementwise with broadcasting (numpy rules). Backward: g / b and −g·c / b (c = a / b, the output),
// summed over the broadcast axes.
import { record } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { BINARY, asShape, binaryInto, binary, reduceTo } from "./broadcast.js";

export function div(a: Tensor, b: Tensor): Tensor {
  const c = binary("div", BINARY.div, a, b);
  return record("div", [a, b], c, (g0) => {
    const g = asShape(g0, c.shape);
    let da: Tensor | null = null, db: Tensor | null = null;
    if (a.requiresGrad) {
      const t = Tensor.empty(c.shape);
      binaryInto(BINARY.div, g, b, t);
      da = reduceTo(t, a.shape);
    }
    if (b.requiresGrad) {
      const t = Tensor.empty(c.shape);
      binaryInto(BINARY.mul, g, c, t);
      binaryInto(BINARY.div, t, b, t);
      db = reduceTo(t, b.shape, -1);
    }
    return [da, db];
  });
}

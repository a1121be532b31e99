// Scalar ops: x + s (gradient passes through), x · s (gradient s·g), −x.
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { scaleInto } from "../blas1.js";
import { Tensor } from "../tensor.js";
import { unaryInto } from "./unary.js";

function checkScalar(op: string, s: number): void {
  if (typeof s !== "number" || Number.isNaN(s)) fail(`${op}: the scalar must be a number, got ${describeValue(s)}`);
}

export function addScalar(x: Tensor, s: number): Tensor {
  checkScalar("addScalar", s);
  const y = Tensor.empty(x.shape);
  unaryInto("addScalar", x, y, s);
  return record("addScalar", [x], y, (g) => [g]);
}

function scaled(op: string, x: Tensor, s: number): Tensor {
  const y = Tensor.empty(x.shape);
  scaleInto(y, x, s);
  return record(op, [x], y, (g) => {
    const dx = Tensor.empty(x.shape);
    scaleInto(dx, g, s);
    return [dx];
  });
}

export function mulScalar(x: Tensor, s: number): Tensor {
  checkScalar("mulScalar", s);
  return scaled("mulScalar", x, s);
}

export function neg(x: Tensor): Tensor {
  return scaled("neg", x, -1);
}

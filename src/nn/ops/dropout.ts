// dropout: in training, zero each element with probability p and scale the rest by 1/(1−p) (inverted dropout),
// from a seeded Random; identity in eval. STUB.
import type { Random } from "../../core/random.js";
import { fail } from "../../core/errors.js";
import type { Tensor } from "../tensor.js";

export function dropout(x: Tensor, p: number, training: boolean, rng: Random): Tensor {
  return fail("dropout is not implemented yet" + String(x) + p + training + String(rng));
}

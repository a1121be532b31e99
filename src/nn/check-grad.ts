// Gradient checking: an op's (or a whole model's) backward against central finite differences, in float64. The
// function runs on the "ts64" route (the TypeScript kernels over Float64Array), so the comparison is limited by the
// difference formula, not by float32 rounding: errors of ~1e-8 for a correct gradient, ~1 for a wrong one.
import { fail } from "../core/errors.js";
import { Random } from "../core/random.js";
import { backward, noGrad, tidy } from "./autograd.js";
import { withEngineRoute } from "./storage.js";
import { Tensor, shapeString, type Shape } from "./tensor.js";

export interface CheckGradOptions {
  /** Step of the central differences (default 1e-5). */
  eps?: number;
  /** Seed of the random inputs and of the projection of the output (default 1). */
  seed?: number;
  /** Values of the inputs, by index (default: standard normal). */
  values?: (ArrayLike<number> | undefined)[];
  /** Inputs whose gradient is not checked (integer labels, masks), by index. */
  constant?: number[];
}

export interface CheckGradResult {
  /** Largest |analytic − numeric| / max(1, |numeric|) over every checked element of every input. */
  maxError: number;
  /** Where it was: input index and flat element index. */
  worst: { input: number; index: number; analytic: number; numeric: number };
}

/**
 * Compares the gradients of Σ R ⊙ f(inputs) (R a fixed random projection, so every output element counts) with
 * respect to each input against central differences. `shapes` gives the inputs' shapes.
 */
export function checkGrad(f: (...inputs: Tensor[]) => Tensor, shapes: Shape[], opts: CheckGradOptions = {}): CheckGradResult {
  const eps = opts.eps ?? 1e-5;
  const rng = new Random(opts.seed ?? 1);
  return withEngineRoute("ts64", () => tidy(() => {
    const xs = shapes.map((s, i) => {
      const v = opts.values?.[i];
      const t = v ? Tensor.from(v, s) : Tensor.randn(s, rng);
      t.requiresGrad = !opts.constant?.includes(i);
      return t;
    });
    const y = f(...xs);
    const R = Tensor.randn(y.shape, rng);
    const r = R.data;
    if (!y.requiresGrad) fail(`checkGrad: the output ${shapeString(y.shape)} does not depend on any input that requires grad`);
    backward(y, R);
    const project = (): number => {
      const out = noGrad(() => f(...xs)).data;
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i]! * r[i]!;
      return s;
    };
    let maxError = 0;
    let worst = { input: -1, index: -1, analytic: 0, numeric: 0 };
    xs.forEach((x, input) => {
      if (!x.requiresGrad) return;
      const d = x.data;
      const g = x.grad?.data;
      for (let index = 0; index < d.length; index++) {
        const v = d[index]!;
        d[index] = v + eps;
        const up = project();
        d[index] = v - eps;
        const down = project();
        d[index] = v;
        const numeric = (up - down) / (2 * eps);
        const analytic = g ? g[index]! : 0;
        const err = Math.abs(analytic - numeric) / Math.max(1, Math.abs(numeric));
        if (!(err <= maxError)) {
          maxError = Number.isNaN(err) ? Infinity : err;
          worst = { input, index, analytic, numeric };
        }
      }
    });
    return { maxError, worst };
  }));
}

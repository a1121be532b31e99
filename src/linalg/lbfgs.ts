// Limited-memory BFGS (L-BFGS) for smooth unconstrained minimisation, with a line search that finds a step
// satisfying the strong Wolfe conditions.
//
// Method (Nocedal & Wright, "Numerical Optimization", 2nd ed.): the search direction d = −H·g comes from the
// two-loop recursion over the last `memory` pairs s = x₊ − x, y = g₊ − g (Algorithm 7.4), with the initial matrix
// H₀ = (sᵀy / yᵀy)·I of the newest pair (eq. 7.20). The step length is found by Algorithm 3.5 (bracketing) and
// Algorithm 3.6 (zoom, here with a safeguarded cubic interpolation, eq. 3.59), so that
//   f(x + a·d) ≤ f(x) + c₁·a·gᵀd              (sufficient decrease)
//   |g(x + a·d)ᵀd| ≤ c₂·|gᵀd|                  (curvature; c₁ = 1e-4, c₂ = 0.9 as usual for quasi-Newton)
// which keeps sᵀy > 0, so every H stays positive definite. The first step has length 1/‖g‖ (there is no curvature
// information yet), later ones start from a = 1.
//
// Stopping, much as SciPy's L-BFGS-B: the largest gradient entry is at most `gtol`, or the relative decrease of f
// in one iteration is at most `ftol`, or `maxIter` iterations were done, or no step satisfies the line search
// (at the limit of floating-point resolution).
import { fail } from "../core/errors.js";

/** f and its gradient at x: writes ∇f(x) into `grad` and returns f(x). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Iterations (line searches) at most (default 100). */
  maxIter?: number;
  /** Pairs (s, y) kept (default 10, as SciPy). */
  memory?: number;
  /** Converged when max |∂f/∂xᵢ| ≤ gtol (default 1e-5). */
  gtol?: number;
  /**
   * Converged when f_prev − f ≤ ftol·max(|f_prev|, |f|) (default 2.2e-9, SciPy's factr 1e7 times machine epsilon;
   * SciPy also puts 1 in the max, which makes its test absolute, and looser, where |f| < 1).
   */
  ftol?: number;
  /** Function evaluations per line search at most (default 25). */
  maxLineSearch?: number;
  /** Called after every iteration with its number and f. */
  onIteration?: (iter: number, f: number) => void;
}

export type LbfgsStop = "gtol" | "ftol" | "maxIter" | "lineSearch";

export interface LbfgsResult {
  /** The final point (a new array). */
  x: Float64Array;
  /** f at x. */
  f: number;
  /** ∇f at x. */
  gradient: Float64Array;
  /** Iterations done. */
  nIter: number;
  /** Evaluations of f and ∇f. */
  nEval: number;
  /** Why it stopped. */
  stop: LbfgsStop;
  /** True when it stopped on `gtol` or `ftol`. */
  converged: boolean;
}

const C1 = 1e-4;
const C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * The minimiser of a cubic through (a, fa, da) and (b, fb, db) (N&W eq. 3.59), or NaN when the cubic has no
 * minimum there (then the caller bisects).
 */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const den = db - da + 2 * d2;
  if (den === 0) return NaN;
  return b - ((b - a) * (db + d2 - d1)) / den;
}

/** Minimises f from x0 by L-BFGS. x0 is not modified. */
export function minimizeLbfgs(fg: Objective, x0: ArrayLike<number>, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIter = opts.maxIter ?? 100;
  const m = opts.memory ?? 10;
  const gtol = opts.gtol ?? 1e-5;
  const ftol = opts.ftol ?? 2.220446049250313e-9;
  const maxLs = opts.maxLineSearch ?? 25;
  if (!Number.isInteger(maxIter) || maxIter < 0) fail(`maxIter must be an integer >= 0, got ${maxIter}`);
  if (!Number.isInteger(m) || m < 1) fail(`memory must be an integer >= 1, got ${m}`);
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n); // trial point
  let gt = new Float64Array(n); // gradient at the trial point
  const d = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const sNew = new Float64Array(n), yNew = new Float64Array(n);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0; // pairs held
  let newest = -1; // ring index of the newest pair
  let nEval = 1;
  let f = fg(x, g);
  if (!Number.isFinite(f)) fail(`the objective is ${f} at the starting point`);
  const result = (nIter: number, stop: LbfgsStop): LbfgsResult =>
    ({ x, f, gradient: g, nIter, nEval, stop, converged: stop === "gtol" || stop === "ftol" });
  if (maxAbs(g) <= gtol) return result(0, "gtol");

  // f and the directional derivative at x + a·d, into xt / gt (and lastF)
  let lastF = f;
  const phi = (a: number): [number, number] => {
    for (let i = 0; i < n; i++) xt[i] = x[i]! + a * d[i]!;
    nEval++;
    const v = fg(xt, gt);
    lastF = Number.isFinite(v) ? v : Infinity;
    return [lastF, dot(gt, d)];
  };

  for (let iter = 1; iter <= maxIter; iter++) {
    // direction by the two-loop recursion: d = −H·g
    d.set(g);
    for (let j = 0; j < stored; j++) {
      const k = (newest - j + m) % m;
      alpha[k] = rho[k]! * dot(S[k]!, d);
      const yk = Y[k]!;
      for (let i = 0; i < n; i++) d[i]! -= alpha[k]! * yk[i]!;
    }
    if (stored > 0) {
      const gamma = 1 / (rho[newest]! * dot(Y[newest]!, Y[newest]!));
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    }
    for (let j = stored - 1; j >= 0; j--) {
      const k = (newest - j + m) % m;
      const beta = rho[k]! * dot(Y[k]!, d);
      const sk = S[k]!;
      for (let i = 0; i < n; i++) d[i]! += (alpha[k]! - beta) * sk[i]!;
    }
    for (let i = 0; i < n; i++) d[i] = -d[i]!;
    let d0 = dot(g, d);
    if (!(d0 < 0)) {
      // not a descent direction (rounding in a badly scaled H): restart from steepest descent
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      d0 = dot(g, d);
    }
    const f0 = f;
    const a0 = stored === 0 ? Math.min(1, 1 / Math.sqrt(-d0)) : 1;

    // line search for a step satisfying the strong Wolfe conditions (N&W Algorithms 3.5 and 3.6)
    let accepted = false;
    let evals = 0;
    const zoom = (lo: number, flo: number, dlo: number, hi: number, fhi: number, dhi: number): boolean => {
      while (evals < maxLs) {
        const width = hi - lo;
        let a = cubicMin(lo, flo, dlo, hi, fhi, dhi);
        const left = Math.min(lo, hi) + 0.1 * Math.abs(width);
        const right = Math.max(lo, hi) - 0.1 * Math.abs(width);
        if (!Number.isFinite(a) || a < left || a > right) a = lo + width / 2;
        if (Math.abs(width) <= 1e-16 * Math.max(1, Math.abs(lo))) return false;
        const [fa, da] = phi(a);
        evals++;
        if (fa > f0 + C1 * a * d0 || fa >= flo) {
          hi = a; fhi = fa; dhi = da;
        } else {
          if (Math.abs(da) <= -C2 * d0) return true;
          if (da * (hi - lo) >= 0) {
            hi = lo; fhi = flo; dhi = dlo;
          }
          lo = a; flo = fa; dlo = da;
        }
      }
      return false;
    };
    let aPrev = 0, fPrev = f0, dPrev = d0;
    let a = a0;
    while (evals < maxLs) {
      const [fa, da] = phi(a);
      evals++;
      if (fa > f0 + C1 * a * d0 || (evals > 1 && fa >= fPrev)) {
        accepted = zoom(aPrev, fPrev, dPrev, a, fa, da);
        break;
      }
      if (Math.abs(da) <= -C2 * d0) {
        accepted = true;
        break;
      }
      if (da >= 0) {
        accepted = zoom(a, fa, da, aPrev, fPrev, dPrev);
        break;
      }
      aPrev = a; fPrev = fa; dPrev = da;
      a *= 4;
    }
    if (!accepted) {
      // no Wolfe step within maxLineSearch evaluations (at the limit of floating-point resolution, typically):
      // keep the last trial point if it decreased f, then stop
      if (lastF < f) {
        [x, xt] = [xt, x];
        [g, gt] = [gt, g];
        f = lastF;
      }
      return result(iter, "lineSearch");
    }
    // the last evaluated point is the accepted one: s = xt − x, y = gt − g, into scratch first (with a full memory
    // the next slot is the oldest pair, still in use until the new pair passes the curvature test)
    for (let i = 0; i < n; i++) {
      sNew[i] = xt[i]! - x[i]!;
      yNew[i] = gt[i]! - g[i]!;
    }
    const sy = dot(sNew, yNew);
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = lastF;
    if (sy > 1e-10 * dot(yNew, yNew)) {
      const next = (newest + 1) % m;
      S[next]!.set(sNew);
      Y[next]!.set(yNew);
      rho[next] = 1 / sy;
      newest = next;
      stored = Math.min(m, stored + 1);
    }
    opts.onIteration?.(iter, f);
    if (maxAbs(g) <= gtol) return result(iter, "gtol");
    // SciPy's test: relative to max(|f_k|, |f_k+1|, 1), so objectives near 0 stop too
    if (f0 - f <= ftol * Math.max(Math.abs(f0), Math.abs(f), 1)) return result(iter, "ftol");
  }
  return result(maxIter, "maxIter");
}

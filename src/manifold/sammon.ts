// Sammon's non-linear mapping (Sammon 1969): minimise E = (1/Σδ) Σ_{i<j} (δ_ij − d_ij)²/δ_ij by the classic
// pseudo-Newton step (gradient over |diagonal of the Hessian|, scaled by the "magic factor"), or by plain gradient
// steps, with step halving when the stress would rise. An optional label regulariser pulls points that share a
// label together: E + λ·Σ_{same label} d_ij² / Σ_{same label} δ_ij².
import { Pacer, fail } from "../core/errors.js";
import {
  checkOutput, checkSaved, fitted, matrixFromJSON, numberFromJSON, matrixToJSON, type Embedder, type Labels, type MatrixJSON, type Progress,
} from "../core/estimator.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Matrix, safeScale, scaleBy, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { classicalMDS, dissimilarities } from "./mds.js";
import { sammonStress } from "../metrics/stress.js";
import { sq } from "../core/numeric.js";

/** Sammon's progress: stage = method, step = iteration of maxIter, metrics.stress = Sammon's stress (without the label term). */
export type SammonProgress = Progress;

export interface SammonOptions {
  nComponents?: number;
  /** "newton" (the classic pseudo-Newton step, default) or "gradient". */
  method?: "newton" | "gradient";
  /** Step scale of the pseudo-Newton update (Sammon's "magic factor", default 0.35). */
  magicFactor?: number;
  /** Step size of the gradient variant (default 1, adapted by halving). */
  learningRate?: number;
  maxIter?: number;
  /** Stop when the relative decrease of the stress falls below this (default 1e-9). */
  tol?: number;
  /** Weight λ of the label regulariser (0 = off). */
  labelWeight?: number;
  /** "classical" (classical MDS, default) or "random". */
  init?: "classical" | "random";
  dissimilarity?: "euclidean" | "precomputed";
  seed?: number;
  onProgress?: (p: SammonProgress) => void;
  signal?: AbortSignal;
}

export const SAMMON_PARAMS = {
  nComponents: int("dimensions of the map", { min: 1, default: 2 }),
  method: choice(["newton", "gradient"], "the classic pseudo-Newton step, or plain gradient steps", { default: "newton" }),
  magicFactor: num("step scale of the pseudo-Newton update", { gt: 0, default: 0.35 }),
  learningRate: num("step size of the gradient variant (adapted by halving)", { gt: 0, default: 1 }),
  maxIter: int("maximum iterations", { min: 1, default: 500 }),
  tol: num("stop when the relative decrease of the stress falls below this", { min: 0, default: 1e-9 }),
  labelWeight: num("weight of the label regulariser (0 = off; needs labels in fit)", { min: 0, default: 0 }),
  init: choice(["classical", "random"], "start: classical MDS or random", { default: "classical" }),
  dissimilarity: choice(["euclidean", "precomputed"], "euclidean: X is data; precomputed: X is a dissimilarity matrix", { default: "euclidean" }),
  seed: int("random seed", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after every iteration: step = iteration, metrics.stress"),
  signal: signal(),
} satisfies Schema<SammonOptions>;

export type SammonParams = ParamsOf<SammonOptions, typeof SAMMON_PARAMS>;

export interface SammonJSON {
  type: "Sammon";
  version: 1;
  options: Record<string, unknown>;
  embedding: MatrixJSON;
  stress: number;
  /** Iterations the fit took (absent in older files). */
  nIter?: number;
}

export class Sammon implements Embedder<MatrixLike, SammonParams> {
  static readonly schema = SAMMON_PARAMS;
  readonly options: SammonParams;
  private embedding_?: Matrix;
  private stress_?: number;
  private iterations_?: number;

  constructor(options: SammonOptions = {}) {
    this.options = resolveParams(SAMMON_PARAMS, options, "Sammon");
  }

  getParams(): SammonParams {
    return { ...this.options };
  }

  get embedding(): Matrix {
    return fitted(this.embedding_, "Sammon");
  }
  /** Sammon's stress of the fitted map. */
  get stress(): number {
    return fitted(this.stress_, "Sammon");
  }
  get nIter(): number {
    return fitted(this.iterations_, "Sammon");
  }

  /** Supervised fit, as scikit-learn's fit(X, y): the labels feed the regulariser when labelWeight > 0. */
  async fit(X: MatrixLike, labels?: Labels): Promise<this> {
    await this.fitTransform(X, labels);
    return this;
  }

  /** Maps X (data, or dissimilarities when dissimilarity = "precomputed"); labels feed the optional regulariser. */
  async fitTransform(X: MatrixLike, labels?: Labels): Promise<Matrix> {
    const o = this.options;
    // dissimilarities of extreme magnitude are mapped at a safe scale (a power of two: exact) and the map scaled
    // back; Sammon's stress does not depend on the scale
    const Dx = dissimilarities(X, o.dissimilarity);
    const scale = safeScale(Dx);
    const D0 = scaleBy(Dx, scale);
    const n0 = D0.rows;
    if (n0 < 3) fail(`Sammon's map needs at least 3 points, got ${n0}`);
    if (o.labelWeight > 0 && (!labels || labels.length !== n0)) {
      fail(`labelWeight > 0 needs one label per point (${n0}), got ${labels ? labels.length : "none"}`);
    }
    // Sammon's stress divides by the input distances: coincident points (distance 0) are mapped once, and their
    // copies placed on the same spot (where they belong: the pair then adds no stress)
    const rep = new Int32Array(n0);
    const distinct: number[] = [];
    for (let i = 0; i < n0; i++) {
      rep[i] = distinct.length;
      for (let u = 0; u < distinct.length; u++) {
        if (D0.data[i * n0 + distinct[u]!] === 0) {
          rep[i] = u;
          break;
        }
      }
      if (rep[i] === distinct.length) distinct.push(i);
    }
    const k = o.nComponents;
    const expand = (Yd: Float64Array): Float64Array => {
      const out = new Float64Array(n0 * k);
      for (let i = 0; i < n0; i++) out.set(Yd.subarray(rep[i]! * k, rep[i]! * k + k), i * k);
      return out;
    };
    if (distinct.length < 3) {
      // one spot, or two: placed exactly (no stress)
      const Yd = new Float64Array(distinct.length * k);
      if (distinct.length === 2) Yd[k] = D0.data[distinct[0]! * n0 + distinct[1]!]!;
      this.iterations_ = 0;
      this.stress_ = 0;
      this.embedding_ = new Matrix(n0, k, Float32Array.from(expand(Yd), (v) => v / scale));
      return this.embedding_;
    }
    const dup = distinct.length < n0;
    const D = dup ? Matrix.zeros(distinct.length, distinct.length, "float64") : D0;
    if (dup) {
      for (let a = 0; a < distinct.length; a++) {
        for (let b = 0; b < distinct.length; b++) D.data[a * distinct.length + b] = D0.data[distinct[a]! * n0 + distinct[b]!]!;
      }
      if (labels) labels = distinct.map((i) => labels![i]!);
    }
    const n = D.rows;
    const lambda = o.labelWeight;
    let Y: Float64Array;
    if (o.init === "classical") Y = Float64Array.from((await classicalMDS(D, k, o.seed)).Y.data);
    else {
      const rng = new Random(o.seed);
      Y = Float64Array.from({ length: n * k }, () => rng.normal());
    }
    let c = 0; // Σ δ
    let sameNorm = 0; // Σ_{same label} δ²
    const lab = lambda > 0 ? Array.from(labels!, String) : null;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        c += D.data[i * n + j]!;
        if (lab && lab[i] === lab[j]) sameNorm += sq(D.data[i * n + j]!);
      }
    }
    const reg = lab && sameNorm > 0 ? lambda / sameNorm : 0;
    const objective = (Yv: Float64Array): { e: number; stress: number } => {
      let e = 0, r = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let d2 = 0;
          for (let a = 0; a < k; a++) d2 += sq(Yv[i * k + a]! - Yv[j * k + a]!);
          const delta = D.data[i * n + j]!;
          e += sq(delta - Math.sqrt(d2)) / delta;
          if (reg && lab![i] === lab![j]) r += d2;
        }
      }
      return { e: e / c + reg * r, stress: e / c };
    };
    let cur = objective(Y);
    const g = new Float64Array(n * k);
    const h = new Float64Array(n * k);
    let step = o.method === "newton" ? o.magicFactor : o.learningRate;
    let it = 0;
    const pacer = new Pacer(o.signal, "Sammon mapping");
    for (; it < o.maxIter; it++) {
      // gradient and diagonal Hessian of E (Sammon's formulas, scaled by −2/c)
      g.fill(0);
      h.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          let d2 = 0;
          for (let a = 0; a < k; a++) d2 += sq(Y[i * k + a]! - Y[j * k + a]!);
          const d = Math.max(Math.sqrt(d2), 1e-12);
          const delta = D.data[i * n + j]!;
          const ratio = (delta - d) / (d * delta);
          const same = reg > 0 && lab![i] === lab![j];
          for (let a = 0; a < k; a++) {
            const diff = Y[i * k + a]! - Y[j * k + a]!;
            g[i * k + a]! += (-2 / c) * ratio * diff + (same ? 2 * reg * diff : 0);
            h[i * k + a]! += (-2 / c) * (1 / (delta * d)) * ((delta - d) - (diff * diff / d) * (1 + (delta - d) / d)) + (same ? 2 * reg : 0);
          }
        }
      }
      // take the step, halving it while the objective would rise; the pseudo-Newton step restarts from the magic
      // factor every iteration
      if (o.method === "newton") step = o.magicFactor;
      let accepted = false;
      for (let half = 0; half < 20; half++) {
        const Yn = new Float64Array(n * k);
        for (let t = 0; t < n * k; t++) {
          const dir = o.method === "newton" ? g[t]! / Math.max(Math.abs(h[t]!), 1e-12) : g[t]!;
          Yn[t] = Y[t]! - step * dir;
        }
        const next = objective(Yn);
        if (next.e < cur.e) {
          const rel = (cur.e - next.e) / cur.e;
          Y = Yn;
          cur = next;
          accepted = true;
          if (o.method === "gradient") step *= 1.2;
          if (rel < o.tol) it = o.maxIter;
          break;
        }
        step /= 2;
      }
      o.onProgress?.({ stage: o.method, step: Math.min(it + 1, o.maxIter), total: o.maxIter, metrics: { stress: cur.stress } });
      if (!accepted) break;
      await pacer.tick();
    }
    this.iterations_ = Math.min(it, o.maxIter);
    const full = dup ? expand(Y) : Y;
    this.embedding_ = checkOutput(new Matrix(n0, k, Float32Array.from(full, (v) => v / scale)), "Sammon");
    this.stress_ = dup ? sammonStress(D0, new Matrix(n0, k, full)) : cur.stress;
    return this.embedding_;
  }

  toJSON(): SammonJSON {
    const o = this.options;
    return { type: "Sammon", version: 1, options: encodeParams(SAMMON_PARAMS, o), embedding: matrixToJSON(this.embedding), stress: this.stress, nIter: this.nIter };
  }

  static fromJSON(json: SammonJSON): Sammon {
    checkSaved(json, "Sammon");
    const s = new Sammon(decodeParams(SAMMON_PARAMS, json.options, "Sammon"));
    s.embedding_ = matrixFromJSON(json.embedding, "Sammon.embedding", { cols: s.options.nComponents });
    s.stress_ = numberFromJSON(json.stress, "Sammon.stress", { min: 0 });
    if (json.nIter !== undefined) s.iterations_ = numberFromJSON(json.nIter, "Sammon.nIter", { min: 0, integer: true });
    return s;
  }
}

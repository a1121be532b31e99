// Sammon's non-linear mapping (Sammon 1969): minimise E = (1/Σδ) Σ_{i<j} (δ_ij − d_ij)²/δ_ij by the classic
// pseudo-Newton step (gradient over |diagonal of the Hessian|, scaled by the "magic factor"), or by plain gradient
// steps, with step halving when the stress would rise. An optional label regulariser pulls points that share a
// label together: E + λ·Σ_{same label} d_ij² / Σ_{same label} δ_ij².
import { Pacer, describeValue, fail, requireInt } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, matrixToJSON, type MatrixJSON } from "../core/estimator.js";
import { Matrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { classicalMDS, dissimilarities } from "./mds.js";
import { sq } from "../core/numeric.js";

export interface SammonProgress {
  iteration: number;
  maxIter: number;
  /** Sammon's stress (without the label term). */
  stress: number;
}

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

export interface SammonJSON {
  type: "Sammon";
  version: 1;
  options: { nComponents: number; method: string; labelWeight: number; seed: number };
  embedding: MatrixJSON;
  stress: number;
}

export class Sammon {
  readonly options: Readonly<Required<Omit<SammonOptions, "onProgress" | "signal">>> & Pick<SammonOptions, "onProgress" | "signal">;
  private embedding_?: Matrix;
  private stress_?: number;
  private iterations_?: number;

  constructor(options: SammonOptions = {}) {
    const o = {
      nComponents: options.nComponents ?? 2,
      method: options.method ?? "newton",
      magicFactor: options.magicFactor ?? 0.35,
      learningRate: options.learningRate ?? 1,
      maxIter: options.maxIter ?? 500,
      tol: options.tol ?? 1e-9,
      labelWeight: options.labelWeight ?? 0,
      init: options.init ?? "classical",
      dissimilarity: options.dissimilarity ?? "euclidean",
      seed: options.seed ?? 0,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    requireInt("nComponents", o.nComponents, 1);
    requireInt("maxIter", o.maxIter, 1);
    if (o.method !== "newton" && o.method !== "gradient") fail(`method must be "newton" or "gradient", got ${describeValue(o.method)}`);
    if (!(o.magicFactor > 0)) fail(`magicFactor must be positive, got ${describeValue(o.magicFactor)}`);
    if (!(o.labelWeight >= 0)) fail(`labelWeight must be >= 0, got ${describeValue(o.labelWeight)}`);
    this.options = o;
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

  async fit(X: MatrixLike, labels?: ArrayLike<string | number>): Promise<this> {
    await this.fitTransform(X, labels);
    return this;
  }

  /** Maps X (data, or dissimilarities when dissimilarity = "precomputed"); labels feed the optional regulariser. */
  async fitTransform(X: MatrixLike, labels?: ArrayLike<string | number>): Promise<Matrix> {
    const o = this.options;
    const D = dissimilarities(X, o.dissimilarity);
    const n = D.rows;
    if (n < 3) fail(`Sammon's map needs at least 3 points, got ${n}`);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (D.data[i * n + j] === 0) {
          fail(`points ${i} and ${j} coincide (distance 0): Sammon's stress divides by input distances, so remove duplicate points first`);
        }
      }
    }
    const lambda = o.labelWeight;
    if (lambda > 0 && (!labels || labels.length !== n)) fail(`labelWeight > 0 needs one label per point (${n}), got ${labels ? labels.length : "none"}`);
    const k = o.nComponents;
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
      o.onProgress?.({ iteration: Math.min(it + 1, o.maxIter), maxIter: o.maxIter, stress: cur.stress });
      if (!accepted) break;
      await pacer.tick();
    }
    this.iterations_ = Math.min(it, o.maxIter);
    this.stress_ = cur.stress;
    this.embedding_ = new Matrix(n, k, Float32Array.from(Y));
    return this.embedding_;
  }

  toJSON(): SammonJSON {
    const o = this.options;
    return { type: "Sammon", version: 1, options: { nComponents: o.nComponents, method: o.method, labelWeight: o.labelWeight, seed: o.seed }, embedding: matrixToJSON(this.embedding), stress: this.stress };
  }

  static fromJSON(json: SammonJSON): Sammon {
    checkSaved(json, "Sammon");
    const s = new Sammon({ ...json.options, method: json.options.method as "newton" | "gradient" });
    s.embedding_ = matrixFromJSON(json.embedding, "Sammon.embedding");
    s.stress_ = json.stress;
    return s;
  }
}

// Multidimensional scaling: classical (Torgerson: eigenvectors of the double-centred squared distances) and metric
// MDS by SMACOF (majorisation with the Guttman transform), from data or from a precomputed dissimilarity matrix.
import { Pacer, fail } from "../core/errors.js";
import { checkOutput, checkSaved, fitted, matrixFromJSON, numberFromJSON, matrixToJSON, type Embedder, type MatrixJSON, type Progress } from "../core/estimator.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Matrix, safeScale, scaleBy, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { randomizedSVD } from "../linalg/randomized.js";
import { distanceMatrix, stress } from "../metrics/stress.js";
import { sq } from "../core/numeric.js";

/** MDS's progress: stage "smacof", step = iteration of maxIter, metrics.stress = Kruskal stress-1 of the configuration. */
export type MDSProgress = Progress;

export interface MDSOptions {
  nComponents?: number;
  /** "smacof" (metric MDS, default) or "classical". */
  method?: "smacof" | "classical";
  /** "euclidean": X is data; "precomputed": X is a symmetric dissimilarity matrix. */
  dissimilarity?: "euclidean" | "precomputed";
  maxIter?: number;
  /** Stop when the relative decrease of the stress falls below this (default 1e-5). */
  eps?: number;
  /** SMACOF start: "classical" (default) or "random". */
  init?: "classical" | "random";
  seed?: number;
  onProgress?: (p: MDSProgress) => void;
  signal?: AbortSignal;
}

export const MDS_PARAMS = {
  nComponents: int("dimensions of the map; must be less than n", { min: 1, default: 2 }),
  method: choice(["smacof", "classical"], "metric MDS by SMACOF, or classical (Torgerson) MDS", { default: "smacof" }),
  dissimilarity: choice(["euclidean", "precomputed"], "euclidean: X is data; precomputed: X is a dissimilarity matrix", { default: "euclidean" }),
  maxIter: int("maximum SMACOF iterations", { min: 1, default: 300 }),
  eps: num("stop when the relative decrease of the stress falls below this", { min: 0, default: 1e-5 }),
  init: choice(["classical", "random"], "SMACOF start", { default: "classical" }),
  seed: int("random seed", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after every SMACOF iteration: step = iteration, metrics.stress"),
  signal: signal(),
} satisfies Schema<MDSOptions>;

export type MDSParams = ParamsOf<MDSOptions, typeof MDS_PARAMS>;

export interface MDSJSON {
  type: "MDS";
  version: 1;
  options: Record<string, unknown>;
  embedding: MatrixJSON;
  stress: number;
}

/** Validates and returns the dissimilarity matrix (float64, symmetric, zero diagonal, non-negative). */
export function dissimilarities(X: MatrixLike, kind: "euclidean" | "precomputed"): Matrix {
  if (kind === "euclidean") return distanceMatrix(X);
  const D = toMatrix(X, "dissimilarities", "float64");
  const n = D.rows;
  if (D.cols !== n) fail(`precomputed dissimilarities must be square, got ${D.rows}x${D.cols}`);
  for (let i = 0; i < n; i++) {
    if (D.data[i * n + i] !== 0) fail(`dissimilarities[${i}][${i}] is ${D.data[i * n + i]}, expected 0 on the diagonal`);
    for (let j = 0; j < i; j++) {
      const a = D.data[i * n + j]!, b = D.data[j * n + i]!;
      if (a < 0) fail(`dissimilarities[${i}][${j}] is ${a}: expected non-negative values`);
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) fail(`dissimilarities are not symmetric: [${i}][${j}] = ${a}, [${j}][${i}] = ${b}`);
    }
  }
  return D;
}

/** Classical MDS coordinates (n x k) from a dissimilarity matrix. */
export async function classicalMDS(D: Matrix, k: number, seed = 0): Promise<{ Y: Matrix; eigenvalues: Float64Array }> {
  const n = D.rows;
  // B = −½ J D² J
  const B = Matrix.zeros(n, n, "float64");
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = sq(D.data[i * n + j]!);
      B.data[i * n + j] = v;
      rowMean[i]! += v / n;
    }
    all += rowMean[i]! / n;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B.data[i * n + j] = -0.5 * (B.data[i * n + j]! - rowMean[i]! - rowMean[j]! + all);
  const r = await randomizedSVD(B, Math.min(k + 2, n), { seed, nIter: 10 });
  const Y = Matrix.zeros(n, k, "float64");
  const eigenvalues = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    // λ = uᵀBu (the SVD gives |λ|); negative eigen-directions carry no Euclidean coordinates
    let lam = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += B.data[i * n + j]! * r.U.data[j * r.U.cols + c]!;
      lam += r.U.data[i * r.U.cols + c]! * s;
    }
    eigenvalues[c] = lam;
    const f = Math.sqrt(Math.max(lam, 0));
    for (let i = 0; i < n; i++) Y.data[i * k + c] = r.U.data[i * r.U.cols + c]! * f;
  }
  return { Y, eigenvalues };
}

export class MDS implements Embedder<MatrixLike, MDSParams> {
  static readonly schema = MDS_PARAMS;
  readonly options: MDSParams;
  private embedding_?: Matrix;
  private stress_?: number;

  constructor(options: MDSOptions = {}) {
    this.options = resolveParams(MDS_PARAMS, options, "MDS");
  }

  getParams(): MDSParams {
    return { ...this.options };
  }

  get embedding(): Matrix {
    return fitted(this.embedding_, "MDS");
  }
  /** Kruskal stress-1 of the fitted configuration. */
  get stress(): number {
    return fitted(this.stress_, "MDS");
  }

  async fit(X: MatrixLike): Promise<this> {
    await this.fitTransform(X);
    return this;
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const o = this.options;
    // dissimilarities of extreme magnitude are mapped at a safe scale (a power of two: exact) and the map scaled
    // back; the stress does not depend on the scale
    const D0 = dissimilarities(X, o.dissimilarity);
    const scale = safeScale(D0);
    const D = scaleBy(D0, scale);
    const n = D.rows;
    if (n < 3) fail(`MDS needs at least 3 points, got ${n}`);
    if (o.nComponents >= n) fail(`nComponents=${o.nComponents} must be less than the number of points n=${n}`);
    const k = o.nComponents;
    if (D.data.every((v) => v === 0)) {
      // all points coincide: they map to one spot, with no stress
      this.stress_ = 0;
      this.embedding_ = Matrix.zeros(n, k, "float32");
      return this.embedding_;
    }
    let Y: Matrix;
    if (o.method === "classical" || o.init === "classical") {
      Y = (await classicalMDS(D, k, o.seed)).Y;
    } else {
      const rng = new Random(o.seed);
      Y = Matrix.zeros(n, k, "float64");
      for (let t = 0; t < n * k; t++) Y.data[t] = rng.uniform();
    }
    if (o.method === "smacof") Y = await this.smacof(D, Y);
    this.stress_ = stress(D, Y);
    this.embedding_ = checkOutput(scaleBy(Y, 1 / scale).astype("float32"), "MDS");
    return this.embedding_;
  }

  /** Guttman transform iterations, X ← (1/n)·B(X)·X, until the stress stops falling. */
  private async smacof(D: Matrix, Y0: Matrix): Promise<Matrix> {
    const o = this.options;
    const n = D.rows;
    const k = Y0.cols;
    let Y = Float64Array.from(Y0.data);
    let prev = Infinity;
    let denom = 0;
    for (let t = 0; t < n * n; t++) denom += sq(D.data[t]!) / 2;
    const pacer = new Pacer(o.signal, "MDS");
    for (let it = 0; it < o.maxIter; it++) {
      const Ynew = new Float64Array(n * k);
      let raw = 0;
      for (let i = 0; i < n; i++) {
        let bii = 0;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          let d2 = 0;
          for (let c = 0; c < k; c++) d2 += sq(Y[i * k + c]! - Y[j * k + c]!);
          const d = Math.sqrt(d2);
          const delta = D.data[i * n + j]!;
          if (j > i) raw += sq(d - delta);
          const bij = d > 1e-12 ? -delta / d : 0;
          bii -= bij;
          for (let c = 0; c < k; c++) Ynew[i * k + c]! += bij * Y[j * k + c]!;
        }
        for (let c = 0; c < k; c++) Ynew[i * k + c]! += bii * Y[i * k + c]!;
      }
      for (let t = 0; t < n * k; t++) Ynew[t]! /= n;
      const s = Math.sqrt(raw / denom);
      o.onProgress?.({ stage: "smacof", step: it + 1, total: o.maxIter, metrics: { stress: s } });
      Y = Ynew;
      if (prev - s < o.eps * prev) break;
      prev = s;
      await pacer.tick();
    }
    return new Matrix(n, k, Y);
  }

  toJSON(): MDSJSON {
    return { type: "MDS", version: 1, options: encodeParams(MDS_PARAMS, this.options), embedding: matrixToJSON(this.embedding), stress: this.stress };
  }

  static fromJSON(json: MDSJSON): MDS {
    checkSaved(json, "MDS");
    const m = new MDS(decodeParams(MDS_PARAMS, json.options, "MDS"));
    m.embedding_ = matrixFromJSON(json.embedding, "MDS.embedding", { cols: m.options.nComponents });
    m.stress_ = numberFromJSON(json.stress, "MDS.stress", { min: 0 });
    return m;
  }
}

// Multidimensional scaling: classical (Torgerson: eigenvectors of the double-centred squared distances) and metric
// MDS by SMACOF (majorisation with the Guttman transform), from data or from a precomputed dissimilarity matrix.
import { Pacer, describeValue, fail, requireInt } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, matrixToJSON, type MatrixJSON } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { randomizedSVD } from "../linalg/randomized.js";
import { distanceMatrix, stress } from "../metrics/stress.js";
import { sq } from "../core/numeric.js";

export interface MDSProgress {
  iteration: number;
  maxIter: number;
  /** Kruskal stress-1 of the current configuration. */
  stress: number;
}

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

export interface MDSJSON {
  type: "MDS";
  version: 1;
  options: { nComponents: number; method: string; seed: number };
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

export class MDS {
  readonly options: Readonly<Required<Omit<MDSOptions, "onProgress" | "signal">>> & Pick<MDSOptions, "onProgress" | "signal">;
  private embedding_?: Matrix;
  private stress_?: number;

  constructor(options: MDSOptions = {}) {
    const o = {
      nComponents: options.nComponents ?? 2,
      method: options.method ?? "smacof",
      dissimilarity: options.dissimilarity ?? "euclidean",
      maxIter: options.maxIter ?? 300,
      eps: options.eps ?? 1e-5,
      init: options.init ?? "classical",
      seed: options.seed ?? 0,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    requireInt("nComponents", o.nComponents, 1);
    requireInt("maxIter", o.maxIter, 1);
    if (o.method !== "smacof" && o.method !== "classical") fail(`method must be "smacof" or "classical", got ${describeValue(o.method)}`);
    if (o.dissimilarity !== "euclidean" && o.dissimilarity !== "precomputed") fail(`dissimilarity must be "euclidean" or "precomputed", got ${describeValue(o.dissimilarity)}`);
    this.options = o;
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
    const D = dissimilarities(X, o.dissimilarity);
    const n = D.rows;
    if (n < 3) fail(`MDS needs at least 3 points, got ${n}`);
    if (o.nComponents >= n) fail(`nComponents=${o.nComponents} must be less than the number of points n=${n}`);
    const k = o.nComponents;
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
    this.embedding_ = Y.astype("float32");
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
      o.onProgress?.({ iteration: it + 1, maxIter: o.maxIter, stress: s });
      Y = Ynew;
      if (prev - s < o.eps * prev) break;
      prev = s;
      await pacer.tick();
    }
    return new Matrix(n, k, Y);
  }

  toJSON(): MDSJSON {
    return { type: "MDS", version: 1, options: { nComponents: this.options.nComponents, method: this.options.method, seed: this.options.seed }, embedding: matrixToJSON(this.embedding), stress: this.stress };
  }

  static fromJSON(json: MDSJSON): MDS {
    checkSaved(json, "MDS");
    const m = new MDS({ ...json.options, method: json.options.method as "smacof" | "classical" });
    m.embedding_ = matrixFromJSON(json.embedding, "MDS.embedding");
    m.stress_ = json.stress;
    return m;
  }
}

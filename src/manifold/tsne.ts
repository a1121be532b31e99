// t-distributed stochastic neighbour embedding (van der Maaten & Hinton 2008; Barnes–Hut: van der Maaten 2014),
// with scikit-learn's optimisation schedule: early exaggeration 12 for 250 iterations at momentum 0.5, then
// momentum 0.8, gains (+0.2 / ×0.8, floor 0.01), learning rate "auto" = max(n / exaggeration / 4, 50).
import { coreFor } from "../core/backend.js";
import { describeValue, fail, throwIfAborted } from "../core/errors.js";
import { checkOutput, checkSaved, fitted, matrixFromJSON, matrixToJSON, numberFromJSON, type InductiveEmbedder, type MatrixJSON, type Progress } from "../core/estimator.js";
import {
  anyOf, choice, decodeParams, encodeParams, func, int, matrix, num, object, resolveParams, signal, type ParamsOf, type Schema,
} from "../core/params.js";
import { pairwiseSqDistances } from "../core/gemm.js";
import { checkFinite, Matrix, safeScale, scaleBy, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { PCA } from "../decomposition/pca.js";
import { CsrMatrix } from "../linalg/sparse.js";
import { exactKnn, normalizeRows, type Metric, type NeighborSearch } from "../neighbors/knn.js";
import { knnGraph } from "../neighbors/nndescent.js";
import { calibratePerplexity, jointProbabilities } from "./affinity.js";
import { BHTree } from "./bhtree.js";
import { FftRepulsion, type FftRepulsionOptions } from "./tsne-fft.js";
import { AttractiveForces, PartialGradient, WasmBarnesHut, barnesHutRepulsion, exactRepulsion, klDivergence } from "./tsne-gradient.js";
import { diverged, optimizeTSNE, type TSNEPhase } from "./tsne-optimize.js";
import { sq } from "../core/numeric.js";

/**
 * t-SNE's progress: stage "early exaggeration" or "main", step = iteration of maxIter, metrics.kl = KL divergence of
 * the current map (with the unexaggerated P). `embedding` is the current map (n x nComponents), for live views: a
 * getter that copies the positions when read (nothing is copied unless it is read); read it during the callback.
 */
export type TSNEProgress = Progress & { readonly embedding?: Matrix };

export type TSNEMethod = "auto" | "fft" | "barnes-hut" | "exact";

/**
 * Points from which "auto" picks the FFT gradient for 2-D maps. With the WASM core, grouped Barnes–Hut is faster on
 * every size measured (60000 Fashion-MNIST points: 40 s against 70 s), so FFT is kept for very large maps; without
 * it (plain TypeScript), FFT is faster from 10000 points, as in openTSNE.
 */
export const FFT_FROM = 200000;
export const FFT_FROM_WITHOUT_WASM = 10000;

export interface TSNEOptions {
  /** 2 or 3 for Barnes–Hut; any for exact (default 2). */
  nComponents?: number;
  /** Effective number of neighbours (default 30); must be less than n. */
  perplexity?: number;
  earlyExaggeration?: number;
  /** Iterations of early exaggeration (default 250). */
  exaggerationIter?: number;
  learningRate?: number | "auto";
  maxIter?: number;
  /**
   * Repulsion: "fft" (FFT-accelerated interpolation, 2-D, O(n)), "barnes-hut" (2-D/3-D, O(n log n)), "exact"
   * (O(n²), P over all points), or "auto" (default): "fft" for 2-D maps of at least 200000 points (10000 where the
   * WASM core is unavailable), exact repulsion (over the sparse kNN affinities) for 1-D maps, else "barnes-hut".
   */
  method?: TSNEMethod;
  /** Grid of the FFT gradient (default: openTSNE's, 3 nodes per box, boxes of width <= 1, at least 50 per axis). */
  fft?: FftRepulsionOptions;
  /** Barnes–Hut accuracy (default 0.5; 0 = exact forces). */
  theta?: number;
  /** "pca" (default) or "random", or an n x nComponents matrix. */
  init?: "pca" | "random" | Matrix;
  metric?: Metric;
  /** kNN search: "auto" (NN-descent for large n and small k, see preferApproximate), "exact" or "approximate". */
  neighbors?: NeighborSearch;
  seed?: number;
  /** Every how many iterations progress is reported (default 50). */
  progressEvery?: number;
  onProgress?: (p: TSNEProgress) => void;
  signal?: AbortSignal;
}

const FFT_PARAMS = {
  nodes: int("interpolation nodes per box and axis (default 3)", { min: 1 }),
  minBoxes: int("at least this many boxes per axis (default 50)", { min: 1 }),
  boxesPerUnit: num("boxes per unit length of the map (default 1)", { gt: 0 }),
  maxBoxes: int("at most this many boxes per axis (default: no limit)", { min: 1 }),
  backend: choice(["auto", "ts"], "auto (WebAssembly where available) or ts (plain TypeScript)"),
} satisfies Schema<FftRepulsionOptions>;

export const TSNE_PARAMS = {
  nComponents: int("dimensions of the map (2 or 3 for Barnes-Hut, 2 for FFT)", { min: 1, default: 2 }),
  perplexity: num("effective number of neighbours; must be less than n", { gt: 0, default: 30 }),
  earlyExaggeration: num("factor on P during the early iterations", { min: 1, default: 12 }),
  exaggerationIter: int("iterations of early exaggeration", { min: 0, default: 250 }),
  learningRate: anyOf<number | "auto">([num("", { gt: 0 }), choice(["auto"], "")],
    "step size; auto = max(n / earlyExaggeration / 4, 50)", { default: "auto" }),
  maxIter: int("optimisation iterations", { min: 1, default: 1000 }),
  method: choice(["auto", "fft", "barnes-hut", "exact"], "repulsion: auto, fft (2-D, O(n)), barnes-hut (O(n log n)) or exact (O(n²))", { default: "auto" }),
  fft: object(FFT_PARAMS, "grid of the FFT gradient (default: openTSNE's)"),
  theta: num("Barnes-Hut accuracy (0 = exact forces)", { min: 0, default: 0.5 }),
  init: anyOf<"pca" | "random" | Matrix>([choice(["pca", "random"], ""), matrix("")], "start: pca, random or an n x nComponents matrix", { default: "pca" }),
  metric: choice(["euclidean", "cosine"], "input distance", { default: "euclidean" }),
  neighbors: choice(["auto", "exact", "approximate"], "kNN search (auto: NN-descent for large n and small k)", { default: "auto" }),
  seed: int("random seed (kNN search, random init)", { default: 0 }),
  progressEvery: int("iterations between progress reports", { min: 1, default: 50 }),
  onProgress: func<(p: Progress) => void>("called every progressEvery iterations: stage, step = iteration, metrics.kl (computed when read, so read it during the call)"),
  signal: signal(),
} satisfies Schema<TSNEOptions>;

export type TSNEParams = ParamsOf<TSNEOptions, typeof TSNE_PARAMS>;

/** Cross-field rules of t-SNE's options. */
function checkTSNE(o: TSNEParams): void {
  // auto places 1-D maps with exact repulsion (O(n²) time, O(n) memory) over the sparse kNN affinities
  if ((o.method === "barnes-hut" || (o.method === "auto" && o.nComponents !== 1)) && o.nComponents !== 2 && o.nComponents !== 3) {
    fail(`Barnes-Hut t-SNE needs nComponents 2 or 3, got ${o.nComponents}; use method "exact" for other dimensions`);
  }
  if (o.method === "fft" && o.nComponents !== 2) {
    fail(`FFT-accelerated t-SNE needs nComponents 2, got ${o.nComponents}; use method "barnes-hut" (2 or 3) or "exact"`);
  }
}

export interface TSNEJSON {
  type: "TSNE";
  version: 1;
  options: Record<string, unknown>;
  embedding: MatrixJSON;
  klDivergence: number;
  /** The training data (needed by transform); absent in files saved without it. */
  data?: MatrixJSON;
}

export interface TSNETransformOptions {
  /** Perplexity of the new points' affinities to the training points (default 5, as openTSNE). */
  perplexity?: number;
  /** Gradient steps (default 250). */
  maxIter?: number;
  /** Step size (default 0.1). */
  learningRate?: number;
  signal?: AbortSignal;
}

/** The options of {@link TSNE.transform}, checked as the constructor's are (types, ranges, unknown names). */
export const TSNE_TRANSFORM_PARAMS = {
  perplexity: num("perplexity of the new points' affinities to the training points (as openTSNE)", { gt: 0, default: 5 }),
  maxIter: int("gradient steps", { min: 0, default: 250 }),
  learningRate: num("step size", { gt: 0, default: 0.1 }),
  signal: signal(),
} satisfies Schema<TSNETransformOptions>;

export class TSNE implements InductiveEmbedder<MatrixLike, TSNEParams> {
  static readonly schema = TSNE_PARAMS;
  readonly options: TSNEParams;
  private embedding_?: Matrix;
  private kl_?: number;
  private P_?: CsrMatrix;
  private data_?: Matrix;

  constructor(options: TSNEOptions = {}) {
    this.options = resolveParams(TSNE_PARAMS, options, "TSNE", checkTSNE);
  }

  getParams(): TSNEParams {
    return { ...this.options };
  }

  /** The fitted map (n x nComponents). */
  get embedding(): Matrix {
    return fitted(this.embedding_, "TSNE");
  }
  /** KL divergence of the final map. */
  get klDivergence(): number {
    return fitted(this.kl_, "TSNE");
  }
  /** The joint input affinities P (symmetric CSR, sums to 1). */
  get affinities(): CsrMatrix {
    return fitted(this.P_, "TSNE");
  }

  /** The repulsion method used for n points ("auto" resolved). */
  resolvedMethod(n: number): Exclude<TSNEMethod, "auto"> {
    const m = this.options.method;
    if (m !== "auto") return m;
    if (this.options.nComponents === 1) return "exact";
    return this.options.nComponents === 2 && n >= (coreFor("tsneBarnesHut") ? FFT_FROM : FFT_FROM_WITHOUT_WASM) ? "fft" : "barnes-hut";
  }

  /** Input affinities of X: sparse P from ⌊3·perplexity⌋ neighbours (Barnes–Hut) or from all points (exact). */
  computeAffinities(X: Matrix): CsrMatrix {
    const n = X.rows;
    const perp = this.options.perplexity;
    if (perp >= n) fail(`perplexity=${perp} must be less than the number of samples n=${n}`);
    let k: number;
    let idx: Int32Array;
    let d2: Float64Array;
    if (this.options.method === "exact") {
      k = n - 1;
      const D = pairwiseSqDistances(this.options.metric === "cosine" ? normalizeRows(X) : X);
      idx = new Int32Array(n * k);
      d2 = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          idx[i * k + t] = j;
          d2[i * k + t++] = D.data[i * n + j]!;
        }
      }
    } else {
      if (Math.floor(3 * perp) < 1) {
        fail(`perplexity=${perp} is too small: t-SNE uses ⌊3·perplexity⌋ nearest neighbours, so perplexity must be at least 1/3 (typical values are 5 to 50)`);
      }
      k = Math.min(n - 1, Math.floor(3 * perp));
      const g = knnGraph(X, k, this.options.neighbors, this.options.metric, this.options.seed);
      idx = g.indices;
      d2 = new Float64Array(g.distances.length);
      for (let t = 0; t < d2.length; t++) d2[t] = g.distances[t]! * g.distances[t]!;
    }
    const cal = calibratePerplexity(d2, n, k, perp);
    return jointProbabilities(cal.conditional, idx, n, k);
  }

  async fit(X: MatrixLike): Promise<this> {
    await this.fitTransform(X);
    return this;
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const M = toMatrix(X);
    const n = M.rows;
    if (n < 4) fail(`t-SNE needs at least 4 samples, got ${n}`);
    const o = this.options;
    const dims = o.nComponents;
    // t-SNE does not depend on the data's scale: data of extreme magnitude is brought to a safe one by a power of two
    // (exact) so that float32 squared distances neither overflow nor underflow
    const Ms = scaleBy(M, safeScale(M));
    const P = this.computeAffinities(Ms);
    throwIfAborted(o.signal);
    const Y = await this.initialise(Ms, dims);
    const lr = o.learningRate === undefined || o.learningRate === "auto" ? Math.max(n / o.earlyExaggeration / 4, 50) : o.learningRate;
    const att = new Float64Array(n * dims);
    const rep = new Float64Array(n * dims);
    const method = this.resolvedMethod(n);
    const core = coreFor("tsneBarnesHut", { supported: method === "barnes-hut" && (dims === 2 || dims === 3) });
    const bh = core ? new WasmBarnesHut(core, n, dims as 2 | 3) : null;
    const tree = method === "barnes-hut" && !bh ? new BHTree(dims, 4 * n) : null;
    let fft: FftRepulsion | null = null;
    let attraction: AttractiveForces;
    try {
      fft = method === "fft" ? new FftRepulsion(o.fft ?? {}) : null;
      attraction = new AttractiveForces(P, dims);
    } catch (e) {
      // what was built in the compute core before the failure (e.g. the memory could not grow) is freed
      fft?.dispose();
      bh?.dispose();
      throw e;
    }
    // ∂KL/∂y = 4 [exaggeration · Σ_j p_ij w_ij (y_i − y_j) − Σ_j w_ij² (y_i − y_j) / Z]
    const objective = (Y: Float64Array, exaggeration: number, grad: Float64Array): number => {
      let z: number;
      // with the WASM core (which the attraction then uses too), Barnes–Hut runs both halves in one job
      if (bh) z = bh.gradient(Y, o.theta, rep, attraction, exaggeration, att);
      else {
        z = fft ? fft.repulsion(Y, n, rep) : tree ? barnesHutRepulsion(tree, Y, n, o.theta, rep) : exactRepulsion(Y, n, dims, rep);
        attraction.compute(Y, exaggeration, att);
      }
      for (let t = 0; t < n * dims; t++) grad[t] = 4 * (att[t]! - rep[t]! / z);
      return z;
    };
    const early = Math.min(o.exaggerationIter, o.maxIter);
    const phases: TSNEPhase[] = [
      { name: "early exaggeration", iterations: early, exaggeration: o.earlyExaggeration, momentum: 0.5 },
      { name: "main", iterations: o.maxIter - early, exaggeration: 1, momentum: 0.8 },
    ];
    let kl = NaN;
    try {
      await optimizeTSNE(Y, objective, {
        phases, learningRate: lr, what: "t-SNE", ...(o.signal ? { signal: o.signal } : {}),
        onStep: (it, phase, z) => {
          const last = it === o.maxIter - 1;
          if (last) kl = klDivergence(P, Y, dims, z);
          if (o.onProgress && (last || (it + 1) % o.progressEvery === 0)) {
            // the KL divergence costs a pass over P: it is computed only when the callback reads it
            let klNow = last ? kl : NaN;
            o.onProgress({
              stage: phase.name, step: it + 1, total: o.maxIter,
              metrics: {
                get kl() {
                  if (Number.isNaN(klNow)) klNow = klDivergence(P, Y, dims, z);
                  return klNow;
                },
              },
              get embedding() {
                return new Matrix(n, dims, Float32Array.from(Y));
              },
            });
          }
        },
      });
    } finally {
      attraction.dispose();
      fft?.dispose();
      bh?.dispose();
    }
    if (!Number.isFinite(kl)) diverged("t-SNE", o.maxIter - 1, lr);
    this.P_ = P;
    this.data_ = M;
    this.kl_ = kl;
    this.embedding_ = new Matrix(n, dims, Float32Array.from(Y));
    return this.embedding_;
  }

  private async initialise(M: Matrix, dims: number): Promise<Float64Array> {
    const n = M.rows;
    const init = this.options.init;
    if (init instanceof Matrix) {
      if (init.rows !== n || init.cols !== dims) fail(`init has shape ${init.rows}x${init.cols}, expected ${n}x${dims}`);
      checkFinite(init, "init");
      return Float64Array.from(init.data);
    }
    const Y = new Float64Array(n * dims);
    if (init === "random") {
      const rng = new Random(this.options.seed);
      for (let t = 0; t < Y.length; t++) Y[t] = 1e-4 * rng.normal();
      return Y;
    }
    if (init !== "pca") fail(`init must be "pca", "random" or a matrix, got ${describeValue(init)}`);
    if (M.cols < dims) fail(`PCA initialisation needs at least ${dims} features, the data has ${M.cols}; use init "random"`);
    if (allRowsEqual(M)) {
      // every point is the same: no principal directions, so start from the random layout (the points stay together)
      const rng = new Random(this.options.seed);
      for (let t = 0; t < Y.length; t++) Y[t] = 1e-4 * rng.normal();
      return Y;
    }
    // as scikit-learn: PCA projection scaled so the first coordinate has standard deviation 1e-4
    // the d x d covariance route: exact, and cheap for the n >> d data t-SNE is given
    const solver = M.cols <= 1000 && M.cols < M.rows ? "covariance-eig" : "full";
    const pca = new PCA({ nComponents: dims, solver, seed: this.options.seed });
    const Z = await pca.fitTransform(M);
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) m += Z.data[i * dims]!;
    m /= n;
    for (let i = 0; i < n; i++) s += sq(Z.data[i * dims]! - m);
    const scale = 1e-4 / Math.sqrt(s / n || 1);
    for (let t = 0; t < Y.length; t++) Y[t] = Z.data[t]! * scale;
    return Y;
  }

  /**
   * Places new points in the fitted map without moving it (as openTSNE's transform): affinities p_{j|i} of each new
   * point to its ⌊3·perplexity⌋ nearest training points, start at their p-weighted mean, then gradient descent on
   * KL(p_i ‖ q_i) with q_{j|i} ∝ (1 + ‖y_i − y_j‖²)⁻¹ over the training points, by the fit's optimiser (gains and
   * momentum) with Barnes–Hut repulsion against the fitted map at the model's θ (exact sums for method "exact"); in
   * the WASM core for 2-D and 3-D maps, the same for any number of threads.
   */
  async transform(X: MatrixLike, opts: TSNETransformOptions = {}): Promise<Matrix> {
    let train = this.data_;
    const E = this.embedding;
    if (!train) fail("TSNE.transform needs the training data: fit first (or load a model saved with its data)");
    const M0 = toMatrix(X);
    if (M0.cols !== train.cols) fail(`X has ${M0.cols} features, the TSNE was fitted on ${train.cols}`);
    const scale = safeScale(train);
    train = scaleBy(train, scale);
    const M = scaleBy(M0, scale);
    const n = train.rows;
    const m = M.rows;
    const dims = E.cols;
    const { perplexity: perp, maxIter, learningRate: lr } = resolveParams(TSNE_TRANSFORM_PARAMS, opts, "TSNE.transform");
    if (perp >= n) fail(`perplexity must be in (0, ${n}) for ${n} training points, got ${describeValue(perp)}`);
    const k = Math.min(n, Math.max(1, Math.floor(3 * perp)));
    const g = exactKnn(train, k, { metric: this.options.metric, query: M });
    const cal = calibratePerplexity(Float64Array.from(g.distances, (v) => v * v), m, k, perp);
    const P = cal.conditional;
    const ref = Float64Array.from(E.data);
    const Y = new Float64Array(m * dims);
    for (let i = 0; i < m; i++) {
      for (let t = 0; t < k; t++) {
        const j = g.indices[i * k + t]!;
        for (let a = 0; a < dims; a++) Y[i * dims + a]! += P[i * k + t]! * ref[j * dims + a]!;
      }
    }
    // the fit's optimiser and repulsion, against the fixed map: 50 iterations at momentum 0.5, then 0.8
    const o = this.options;
    const gradient = new PartialGradient(ref, n, dims, m, g.indices, P, k, o.method === "exact" ? 0 : o.theta);
    const early = Math.min(50, maxIter);
    try {
      await optimizeTSNE(Y, (Yv, exaggeration, grad) => gradient.gradient(Yv, exaggeration, grad), {
        phases: [
          { name: "early exaggeration", iterations: early, exaggeration: 1, momentum: 0.5 },
          { name: "main", iterations: maxIter - early, exaggeration: 1, momentum: 0.8 },
        ],
        learningRate: lr, what: "t-SNE transform", ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } finally {
      gradient.dispose();
    }
    return checkOutput(new Matrix(m, dims, Float32Array.from(Y)), "TSNE.transform");
  }

  toJSON(opts: { includeData?: boolean } = {}): TSNEJSON {
    const o = this.options;
    return {
      type: "TSNE", version: 1,
      options: encodeParams(TSNE_PARAMS, o),
      embedding: matrixToJSON(this.embedding), klDivergence: this.klDivergence,
      ...(opts.includeData !== false && this.data_ ? { data: matrixToJSON(this.data_) } : {}),
    };
  }

  static fromJSON(json: TSNEJSON): TSNE {
    checkSaved(json, "TSNE");
    const t = new TSNE(decodeParams(TSNE_PARAMS, json.options, "TSNE"));
    t.embedding_ = matrixFromJSON(json.embedding, "TSNE.embedding", { cols: t.options.nComponents });
    t.kl_ = numberFromJSON(json.klDivergence, "TSNE.klDivergence");
    if (json.data) t.data_ = matrixFromJSON(json.data, "TSNE.data", { rows: t.embedding_.rows });
    return t;
  }
}

/** Whether every row of M equals the first. */
export function allRowsEqual(M: Matrix): boolean {
  const c = M.cols;
  const d = M.data;
  for (let t = c; t < d.length; t++) if (d[t] !== d[t % c]) return false;
  return true;
}

// Uniform Manifold Approximation and Projection (McInnes, Healy & Melville 2018), following umap-learn's defaults:
// fuzzy simplicial set of the kNN graph, spectral initialisation, SGD with negative sampling, curve a/b from
// minDist and spread; `transform` places new points against the fitted map.
import { Pacer, fail } from "../core/errors.js";
import {
  checkFeatures, checkOutput, checkSaved, fitted, matrixFromJSON, numberFromJSON, matrixToJSON, type InductiveEmbedder, type MatrixJSON, type Progress,
} from "../core/estimator.js";
import { bool, choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Matrix, safeScale, scaleBy, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { CsrMatrix } from "../linalg/sparse.js";
import { exactKnn, type Metric, type NeighborSearch } from "../neighbors/knn.js";
import { knnGraph } from "../neighbors/nndescent.js";
import { spectralLayout } from "./spectral.js";
import { findABParams, fuzzyUnion, smoothKnn } from "./umap-graph.js";
import { sq } from "../core/numeric.js";
import {
  UMAP_A, UMAP_ALPHA, UMAP_B, UMAP_EDGE_HEADS, UMAP_EDGE_TAILS, UMAP_EPOCH, UMAP_EPOCHS_PER_NEGATIVE, UMAP_EPOCHS_PER_SAMPLE,
  UMAP_GAMMA, UMAP_HEAD, UMAP_MOVE_OTHER, UMAP_N_EDGES, UMAP_N_TAIL, UMAP_NEXT_NEGATIVE, UMAP_NEXT_SAMPLE, UMAP_POW_BINS,
  UMAP_POW_EMAX, UMAP_POW_EMIN, UMAP_POW_TABLES, UMAP_SEED, UMAP_SLOTS, UMAP_TAIL,
} from "../../assembly/abi.js";
import { coreFor, partsFor } from "../core/backend.js";
import { ParamBlock, WasmArena, type WasmCore } from "../core/wasm/runtime.js";

/**
 * UMAP's progress: stage "epochs", step = epoch of nEpochs. `embedding` is the current map (n x nComponents; in
 * transform, the new points), for live views: a getter that copies the positions when read (nothing is copied unless
 * it is read); read it during the callback.
 */
export type UMAPProgress = Progress & { readonly embedding?: Matrix };

export interface UMAPOptions {
  nNeighbors?: number;
  nComponents?: number;
  minDist?: number;
  spread?: number;
  /** Default: 500 for n ≤ 10000, else 200. */
  nEpochs?: number;
  learningRate?: number;
  negativeSampleRate?: number;
  repulsionStrength?: number;
  metric?: Metric;
  /** kNN search: "auto" (NN-descent for large n and small k, see preferApproximate), "exact" or "approximate". */
  neighbors?: NeighborSearch;
  init?: "spectral" | "random";
  seed?: number;
  /** Threads for the 2-D SGD (default: all the compute core has; 1 = deterministic for a seed). */
  threads?: number;
  /**
   * Reproducible SGD (default false): the 2-D SGD runs on one thread in edge order with one random stream, so a seed
   * gives the same map for any thread count (the same map as threads: 1). The default splits each epoch's edges over
   * the threads, which update the map without locks (Hogwild, as umap-learn's parallel mode): faster, but the map
   * then depends on how the threads interleave.
   */
  deterministic?: boolean;
  onProgress?: (p: UMAPProgress) => void;
  signal?: AbortSignal;
}

export const UMAP_PARAMS = {
  nNeighbors: int("neighbours of the kNN graph; must be less than n", { min: 2, default: 15 }),
  nComponents: int("dimensions of the map", { min: 1, default: 2 }),
  minDist: num("minimum distance between points in the map, in [0, spread]", { min: 0, default: 0.1 }),
  spread: num("scale of the embedded points", { gt: 0, default: 1 }),
  nEpochs: int("SGD epochs (default: 500 for n <= 10000, else 200)", { min: 1 }),
  learningRate: num("initial SGD step, decaying linearly to 0", { gt: 0, default: 1 }),
  negativeSampleRate: num("negative samples per positive edge sample", { gt: 0, default: 5 }),
  repulsionStrength: num("weight gamma of the negative samples", { min: 0, default: 1 }),
  metric: choice(["euclidean", "cosine"], "input distance", { default: "euclidean" }),
  neighbors: choice(["auto", "exact", "approximate"], "kNN search (auto: NN-descent for large n and small k)", { default: "auto" }),
  init: choice(["spectral", "random"], "start: spectral layout of the graph or uniform random", { default: "spectral" }),
  seed: int("random seed", { default: 0 }),
  threads: int("threads of the 2-D SGD (default: all the compute core has)", { min: 1 }),
  deterministic: bool("same map for any thread count (one SGD part in edge order, no Hogwild races); across machines see docs/reproducibility.md", { default: false }),
  onProgress: func<(p: Progress) => void>("called after every epoch: stage, step = epoch, total = nEpochs"),
  signal: signal(),
} satisfies Schema<UMAPOptions>;

export type UMAPParams = ParamsOf<UMAPOptions, typeof UMAP_PARAMS>;

export interface UMAPJSON {
  type: "UMAP";
  version: 1;
  options: Record<string, unknown>;
  a: number;
  b: number;
  data: MatrixJSON;
  embedding: MatrixJSON;
}

interface Edges {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
}

function edgesFrom(G: CsrMatrix, nEpochs: number): Edges {
  let max = 0;
  for (const w of G.data) max = Math.max(max, w);
  const head: number[] = [];
  const tail: number[] = [];
  const eps: number[] = [];
  for (let i = 0; i < G.rows; i++) {
    for (let p = G.indptr[i]!; p < G.indptr[i + 1]!; p++) {
      const w = G.data[p]!;
      if (w < max / nEpochs) continue; // too weak to be sampled once
      head.push(i);
      tail.push(G.indices[p]!);
      eps.push(max / w);
    }
  }
  return { head: Int32Array.from(head), tail: Int32Array.from(tail), epochsPerSample: Float64Array.from(eps) };
}

export class UMAP implements InductiveEmbedder<MatrixLike, UMAPParams> {
  static readonly schema = UMAP_PARAMS;
  readonly options: UMAPParams;
  private embedding_?: Matrix;
  private data_?: Matrix;
  private graph_?: CsrMatrix;
  private a = 0;
  private b = 0;

  constructor(options: UMAPOptions = {}) {
    this.options = resolveParams(UMAP_PARAMS, options, "UMAP", (o) => {
      if (o.minDist > o.spread) fail(`minDist must be in [0, spread = ${o.spread}], got ${o.minDist}`);
    });
  }

  getParams(): UMAPParams {
    return { ...this.options };
  }

  get embedding(): Matrix {
    return fitted(this.embedding_, "UMAP");
  }
  /** The fuzzy simplicial set (symmetric membership graph) of the training data. */
  get graph(): CsrMatrix {
    if (this.graph_ === undefined && this.embedding_ !== undefined) {
      fail("this UMAP was loaded from a saved model, which keeps the map and the training data but not the fuzzy graph: fit again to get it");
    }
    return fitted(this.graph_, "UMAP");
  }
  /** The fitted curve parameters of 1/(1 + a·d^(2b)). */
  get curve(): { a: number; b: number } {
    fitted(this.embedding_, "UMAP");
    return { a: this.a, b: this.b };
  }

  async fit(X: MatrixLike): Promise<this> {
    await this.fitTransform(X);
    return this;
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    const M = toMatrix(X);
    const n = M.rows;
    const o = this.options;
    if (n < 4) fail(`UMAP needs at least 4 samples, got ${n}`);
    if (o.nNeighbors >= n) fail(`nNeighbors=${o.nNeighbors} must be less than the number of samples n=${n}`);
    const dims = o.nComponents;
    // UMAP does not depend on the data's scale: data of extreme magnitude is brought to a safe one by a power of two
    // (exact), so that float32 distances neither overflow nor underflow and the bandwidth search starts near them
    const knn = knnGraph(scaleBy(M, safeScale(M)), o.nNeighbors, o.neighbors, o.metric, o.seed);
    const memb = smoothKnn(knn.distances, n, o.nNeighbors);
    const G = fuzzyUnion(knn.indices, memb.weights, n, o.nNeighbors);
    const { a, b } = findABParams(o.spread, o.minDist);
    this.a = a;
    this.b = b;
    const rng = new Random(o.seed);
    // initialisation, scaled as umap-learn: max |coordinate| 10, plus a little noise
    let Y: Float64Array = new Float64Array(n * dims);
    const spec = o.init === "spectral" ? await spectralLayout(G, dims, o.seed) : null;
    if (spec) {
      let m = 0;
      for (const v of spec.data) m = Math.max(m, Math.abs(v));
      for (let t = 0; t < n * dims; t++) Y[t] = (spec.data[t]! * 10) / (m || 1) + 1e-4 * rng.normal();
    } else {
      for (let t = 0; t < n * dims; t++) Y[t] = 20 * rng.uniform() - 10;
    }
    // rescale each axis to [0, 10]
    for (let c = 0; c < dims; c++) {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, Y[i * dims + c]!);
        hi = Math.max(hi, Y[i * dims + c]!);
      }
      for (let i = 0; i < n; i++) Y[i * dims + c] = (10 * (Y[i * dims + c]! - lo)) / (hi - lo || 1);
    }
    const nEpochs = o.nEpochs ?? (n <= 10000 ? 500 : 200);
    Y = await this.optimize(Y, Y, n, edgesFrom(G, nEpochs), nEpochs, true, rng);
    this.embedding_ = checkOutput(new Matrix(n, dims, Float32Array.from(Y)), "UMAP");
    this.data_ = M;
    this.graph_ = G;
    return this.embedding_;
  }

  /** umap-learn's optimize_layout_euclidean: SGD over the edges with negative sampling and a decaying rate. */
  private async optimize(head: Float64Array, tail: Float64Array, nTail: number, e: Edges, nEpochs: number,
    moveOther: boolean, rng: Random): Promise<Float64Array> {
    const o = this.options;
    const dims = o.nComponents;
    const { a, b } = this;
    const gamma = o.repulsionStrength;
    const nEdges = e.head.length;
    const epn = Float64Array.from(e.epochsPerSample, (v) => v / o.negativeSampleRate);
    const nextSample = e.epochsPerSample.slice();
    const nextNeg = epn.slice();
    const clip = (v: number): number => (v > 4 ? 4 : v < -4 ? -4 : v);
    const core = coreFor("umapEpoch", { supported: dims === 2 });
    if (core) return this.optimizeWasm(core, head, tail, nTail, e, epn, nextSample, nextNeg, nEpochs, moveOther, rng);
    const pacer = new Pacer(o.signal, "UMAP");
    for (let epoch = 0; epoch < nEpochs; epoch++) {
      const alpha = o.learningRate * (1 - epoch / nEpochs);
      for (let s = 0; s < nEdges; s++) {
        if (nextSample[s]! > epoch) continue;
        const j = e.head[s]!;
        const k = e.tail[s]!;
        let d2 = 0;
        for (let c = 0; c < dims; c++) d2 += sq(head[j * dims + c]! - tail[k * dims + c]!);
        if (d2 > 0) {
          const pw = Math.pow(d2, b);
          const coef = (-2 * a * b * pw) / d2 / (a * pw + 1);
          for (let c = 0; c < dims; c++) {
            const g = clip(coef * (head[j * dims + c]! - tail[k * dims + c]!));
            head[j * dims + c]! += g * alpha;
            if (moveOther) tail[k * dims + c]! -= g * alpha;
          }
        }
        nextSample[s]! += e.epochsPerSample[s]!;
        const nNeg = Math.floor((epoch - nextNeg[s]!) / epn[s]!);
        for (let q = 0; q < nNeg; q++) {
          const kk = rng.nextUint32() % nTail;
          let dd = 0;
          for (let c = 0; c < dims; c++) dd += sq(head[j * dims + c]! - tail[kk * dims + c]!);
          if (dd > 0) {
            const coef = (2 * gamma * b) / ((0.001 + dd) * (a * Math.pow(dd, b) + 1));
            for (let c = 0; c < dims; c++) head[j * dims + c]! += clip(coef * (head[j * dims + c]! - tail[kk * dims + c]!)) * alpha;
          }
        }
        nextNeg[s]! += nNeg * epn[s]!;
      }
      o.onProgress?.({
        stage: "epochs", step: epoch + 1, total: nEpochs, metrics: {},
        get embedding() {
          return new Matrix(head.length / dims, dims, Float32Array.from(head));
        },
      });
      await pacer.tick();
    }
    return head;
  }

  /**
   * optimize() for 2-D maps in the WASM core: each epoch's edges are split over the core's threads, which update the
   * shared coordinates without locks (Hogwild, as umap-learn's parallel mode); powers use a fast log2/exp2. One part
   * (threads: 1 or deterministic) runs the edges in order with one random stream per epoch drawn from `rng`.
   */
  private async optimizeWasm(core: WasmCore, head: Float64Array, tail: Float64Array, nTail: number, e: Edges,
    epn: Float64Array, nextSample: Float64Array, nextNeg: Float64Array, nEpochs: number, moveOther: boolean,
    rng: Random): Promise<Float64Array> {
    const o = this.options;
    const same = head === tail;
    const nEdges = e.head.length;
    const arena = new WasmArena(core);
    const put = (arr: Float64Array | Int32Array): number => arena.put(arr);
    try {
      const pHead = put(head);
      const pTail = same ? pHead : put(tail);
      const params = new ParamBlock(core.memory, arena.alloc(4 * UMAP_SLOTS), UMAP_SLOTS)
        .set(UMAP_HEAD, pHead).set(UMAP_TAIL, pTail).set(UMAP_N_TAIL, nTail).set(UMAP_EDGE_HEADS, put(e.head))
        .set(UMAP_EDGE_TAILS, put(e.tail)).set(UMAP_EPOCHS_PER_SAMPLE, put(e.epochsPerSample))
        .set(UMAP_EPOCHS_PER_NEGATIVE, put(epn)).set(UMAP_NEXT_SAMPLE, put(nextSample)).set(UMAP_NEXT_NEGATIVE, put(nextNeg))
        .set(UMAP_N_EDGES, nEdges).set(UMAP_MOVE_OTHER, moveOther ? 1 : 0);
      // tables for the kernel's x^b: log2(1 + i/1024) and 2^(i/1024), i = 0..1024
      const tab = new Float64Array(2050);
      for (let i = 0; i <= 1024; i++) {
        tab[i] = Math.log2(1 + i / 1024);
        tab[1025 + i] = 2 ** (i / 1024);
      }
      // x^b at 2^e·(1 + m/256) for e = −40..40, m = 0..255 (and one more for the interpolation at the top)
      const bins = new Float64Array((UMAP_POW_EMAX - UMAP_POW_EMIN + 1) * 256 + 1);
      for (let e = UMAP_POW_EMIN, t = 0; e <= UMAP_POW_EMAX + 1; e++) {
        for (let m = 0; m < 256 && t < bins.length; m++, t++) bins[t] = (2 ** e * (1 + m / 256)) ** this.b;
      }
      params.set(UMAP_POW_TABLES, put(tab)).set(UMAP_POW_BINS, put(bins));
      // deterministic: one part, so one random stream and no races, whatever the thread count
      const parts = o.deterministic ? 1 : partsFor(core, "umapEpoch", nEdges, o.threads);
      const pacer = new Pacer(o.signal, "UMAP");
      for (let epoch = 0; epoch < nEpochs; epoch++) {
        params.set(UMAP_SEED, rng.nextUint32() | 0).setF64(UMAP_EPOCH, epoch)
          .setF64(UMAP_ALPHA, o.learningRate * (1 - epoch / nEpochs)).setF64(UMAP_A, this.a).setF64(UMAP_B, this.b)
          .setF64(UMAP_GAMMA, o.repulsionStrength);
        core.run("umapEpochPart", params.ptr, parts);
        o.onProgress?.({
          stage: "epochs", step: epoch + 1, total: nEpochs, metrics: {},
          // the map lives in the core's memory during the epochs
          get embedding() {
            return new Matrix(head.length / 2, 2, Float32Array.from(new Float64Array(core.memory.buffer, pHead, head.length)));
          },
        });
        await pacer.tick();
      }
      head.set(new Float64Array(core.memory.buffer, pHead, head.length));
      return head;
    } finally {
      arena.release();
    }
  }

  /** Places new points: memberships to their nearest training points, start at the weighted mean, then SGD. */
  async transform(X: MatrixLike): Promise<Matrix> {
    const train = fitted(this.data_, "UMAP");
    const M = toMatrix(X);
    checkFeatures(M, train.cols, "UMAP");
    const o = this.options;
    const dims = o.nComponents;
    const k = o.nNeighbors;
    const scale = safeScale(train);
    const knn = exactKnn(scaleBy(train, scale), k, { metric: o.metric, query: scaleBy(M, scale) });
    const memb = smoothKnn(knn.distances, M.rows, k);
    const Y = new Float64Array(M.rows * dims);
    const E = this.embedding.data;
    for (let i = 0; i < M.rows; i++) {
      let ws = 0;
      for (let t = 0; t < k; t++) {
        const w = memb.weights[i * k + t]!;
        ws += w;
        for (let c = 0; c < dims; c++) Y[i * dims + c]! += w * E[knn.indices[i * k + t]! * dims + c]!;
      }
      for (let c = 0; c < dims; c++) Y[i * dims + c]! /= ws || 1;
    }
    const nEpochs = Math.max(1, Math.floor((o.nEpochs ?? (train.rows <= 10000 ? 500 : 200)) / 3));
    const G = CsrMatrix.fromTriplets(M.rows, train.rows, Int32Array.from({ length: M.rows * k }, (_, t) => Math.floor(t / k)), knn.indices, memb.weights);
    const out = await this.optimize(Y, Float64Array.from(E), train.rows, edgesFrom(G, nEpochs), nEpochs, false, new Random(o.seed + 1));
    return checkOutput(new Matrix(M.rows, dims, Float32Array.from(out)), "UMAP.transform");
  }

  toJSON(): UMAPJSON {
    const o = this.options;
    return {
      type: "UMAP", version: 1,
      options: encodeParams(UMAP_PARAMS, o),
      a: this.a, b: this.b, data: matrixToJSON(fitted(this.data_, "UMAP")), embedding: matrixToJSON(this.embedding),
    };
  }

  static fromJSON(json: UMAPJSON): UMAP {
    checkSaved(json, "UMAP");
    // files from before the schema saved an unset nEpochs as 0
    const { nEpochs, ...rest } = (json.options ?? {}) as Record<string, unknown>;
    const u = new UMAP(decodeParams(UMAP_PARAMS, nEpochs === 0 ? rest : json.options, "UMAP"));
    u.a = numberFromJSON(json.a, "UMAP.a", { min: 0 });
    u.b = numberFromJSON(json.b, "UMAP.b", { min: 0 });
    u.data_ = matrixFromJSON(json.data, "UMAP.data");
    u.embedding_ = matrixFromJSON(json.embedding, "UMAP.embedding", { rows: u.data_.rows, cols: u.options.nComponents });
    return u;
  }
}

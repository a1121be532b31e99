// NetMF: node embeddings from the closed-form matrix that DeepWalk implicitly factorises (Qiu, Dong, Ma, Li, Wang &
// Tang, "Network embedding as matrix factorization: unifying DeepWalk, LINE, PTE, and node2vec", WSDM 2018).
//
// For an undirected graph with (weighted) adjacency A, degrees D = diag(A·1) and volume vol(G) = Σ_ij A_ij, skip-gram
// with negative sampling over random walks with window T and b negative samples converges to factorising
//
//     M = vol(G)/(b·T) · (Σ_{r=1..T} (D⁻¹A)^r) · D⁻¹
//
// (their Theorem 2.3). NetMF takes the "truncated logarithm" log(max(M, 1)) elementwise and embeds node i as row i of
// U_d·√Σ_d, the d leading singular triplets of that matrix (their Algorithms 1 and 2).
//
// Two ways to form M, both as in the paper:
// * "dense" (their Algorithm 1, small T): exact powers. With N = D^{-1/2} A D^{-1/2} (symmetric),
//   (D⁻¹A)^r D⁻¹ = D^{-1/2} N^r D^{-1/2}, so M = vol/(bT) · D^{-1/2} (Σ_r N^r) D^{-1/2} with T products of n×n matrices.
//   For T = 1, M = vol/b · D⁻¹AD⁻¹ has the sparsity of A and stays sparse for any n.
// * "sparse" (their Algorithm 2, large T): the h algebraically largest eigenpairs N ≈ U_h Λ_h U_hᵀ (randomized subspace
//   iteration with a Rayleigh–Ritz step, src/linalg/top-eigen.ts), the filtered eigenvalues f(λ) = (1/T)·Σ_r λ^r,
//   clipped at 0 as in their code, and M ≈ vol/b · (D^{-1/2} U_h √f)(D^{-1/2} U_h √f)ᵀ: a dense n×n float32 matrix
//   (BlogCatalog's n = 10,312: 425 MB) whose truncated logarithm is then factorised.
// "auto" picks "dense" for T = 1 or n ≤ 2048, "sparse" otherwise. M is symmetric, so its truncated SVD is its
// eigendecomposition by largest |λ| (σ = |λ|): randomized subspace iteration and Rayleigh–Ritz (src/linalg/top-eigen.ts)
// give U and σ, one matrix product per round.
//
// Isolated nodes (degree 0) have no walk through them: D⁻¹ is taken as 0 there, so their rows of M are 0, the
// truncated logarithm 0, and their vectors the zero vector (`isolated` lists them). Directed graphs are refused (the
// theorem needs the stationary distribution d/vol of an undirected walk): read them as undirected.
import { describeValue, fail, throwIfAborted } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, matrixToJSON, numbersFromJSON, type MatrixJSON, type Progress } from "../core/estimator.js";
import { matmul } from "../core/gemm.js";
import { Matrix } from "../core/matrix.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { CsrMatrix } from "../linalg/sparse.js";
import { topEigenpairs } from "../linalg/top-eigen.js";
import type { Graph, NodeName } from "./graph.js";

export interface NetMFOptions {
  /** Embedding dimension d (default 128); at most the number of nodes. */
  dim?: number;
  /** Window size T of the DeepWalk matrix (default 10). */
  window?: number;
  /** Negative samples b (default 1). */
  negative?: number;
  /** Eigenpairs h of the "sparse" approximation (default 256; at most the number of nodes). */
  rank?: number;
  /** "auto" (default: dense for T = 1 or n <= 2048), "dense" (exact powers) or "sparse" (eigen approximation). */
  mode?: "auto" | "dense" | "sparse";
  /** Chebyshev-filtered subspace iterations of the eigen solver ("sparse" mode; default 10). */
  eigenIter?: number;
  /** Subspace iterations of the final truncated SVD (default 8). */
  svdIter?: number;
  /** Extra directions of both randomized solvers beyond rank or dim (default 32). */
  oversample?: number;
  /** Seed of the randomized solvers (default 0). */
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export const NETMF_PARAMS = {
  dim: int("embedding dimension (at most the number of nodes)", { min: 1, default: 128 }),
  window: int("window size T of the DeepWalk matrix", { min: 1, default: 10 }),
  negative: num("negative samples b", { gt: 0, default: 1 }),
  rank: int("eigenpairs of the sparse approximation", { min: 1, default: 256 }),
  mode: choice(["auto", "dense", "sparse"], "dense: exact matrix powers; sparse: top-rank eigen approximation; auto: dense for T = 1 or n <= 2048",
    { default: "auto" }),
  eigenIter: int("Chebyshev-filtered subspace iterations of the eigen solver (sparse mode)", { min: 0, default: 10 }),
  svdIter: int("subspace iterations of the final truncated SVD", { min: 0, default: 8 }),
  oversample: int("extra directions of the randomized solvers beyond rank or dim", { min: 0, default: 32 }),
  seed: int("seed of the randomized solvers", { default: 0 }),
  onProgress: func<(p: Progress) => void>("called after each step (eigen iterations, matrix blocks, SVD iterations)"),
  signal: signal(),
} satisfies Schema<NetMFOptions>;

export type NetMFParams = ParamsOf<NetMFOptions, typeof NETMF_PARAMS>;

export interface NetMFJSON {
  type: "NetMF";
  version: 1;
  options: Record<string, unknown>;
  names: NodeName[];
  embedding: MatrixJSON;
  singularValues: number[];
  mode: "dense" | "sparse";
}

/** The quantities of a graph NetMF needs: the normalised adjacency N = D^{-1/2} A D^{-1/2} (CSR), D^{-1/2}, vol. */
export interface NormalizedAdjacency {
  N: CsrMatrix;
  /** d_i^{-1/2}, 0 for isolated nodes. */
  dInvSqrt: Float64Array;
  vol: number;
  isolated: number[];
}

export function normalizedAdjacency(graph: Graph): NormalizedAdjacency {
  if (graph.directed) fail("NetMF needs an undirected graph (DeepWalk's matrix assumes a reversible walk): build or read the graph with directed: false");
  const n = graph.nNodes;
  const deg = new Float64Array(n);
  const w = graph.weights;
  let vol = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) s += w ? w[p]! : 1;
    deg[i] = s;
    vol += s;
  }
  if (!(vol > 0)) fail(`NetMF: the graph has no edges (${n} nodes, all isolated)`);
  const dInvSqrt = Float64Array.from(deg, (d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const data = new Float64Array(graph.nArcs);
  for (let i = 0; i < n; i++) {
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) data[p] = (w ? w[p]! : 1) * dInvSqrt[i]! * dInvSqrt[graph.indices[p]!]!;
  }
  const isolated: number[] = [];
  for (let i = 0; i < n; i++) if (deg[i] === 0) isolated.push(i);
  return { N: new CsrMatrix(n, n, graph.indptr, graph.indices, data), dInvSqrt, vol, isolated };
}

/** f(λ) = (1/T)·Σ_{r=1..T} λ^r, the eigenvalue filter of the DeepWalk matrix. */
export function windowFilter(lambda: number, T: number): number {
  let s = 0, p = 1;
  for (let r = 1; r <= T; r++) {
    p *= lambda;
    s += p;
  }
  return s / T;
}

/**
 * The DeepWalk matrix M = vol/(bT) · Σ_r (D⁻¹A)^r · D⁻¹ by exact powers (n×n, dense; float64 for n <= 512, else
 * float32 products in the compute core). Exported for the tests and for small graphs.
 */
export function deepWalkMatrixDense(graph: Graph, T: number, b: number): Matrix {
  const { N, dInvSqrt, vol } = normalizedAdjacency(graph);
  const n = N.rows;
  const dtype = n <= 512 ? "float64" : "float32";
  const Nd = N.toDense(dtype);
  const S = Nd.clone();
  let P = Nd;
  for (let r = 2; r <= T; r++) {
    P = matmul(P, Nd);
    for (let k = 0; k < S.data.length; k++) S.data[k]! += P.data[k]!;
  }
  const c = vol / (b * T);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S.data[i * n + j]! *= c * dInvSqrt[i]! * dInvSqrt[j]!;
  return S;
}

/** X = D^{-1/2} U_h √f(Λ_h) (n×h, float32): the DeepWalk matrix of the eigen approximation is vol/b · X·Xᵀ. */
export function deepWalkFactor(norm: NormalizedAdjacency, values: Float64Array, vectors: Matrix, T: number): Matrix {
  const n = vectors.rows, h = vectors.cols;
  const X = Matrix.zeros(n, h, "float32");
  const g = Float64Array.from(values, (l) => Math.sqrt(Math.max(windowFilter(l, T), 0)));
  for (let i = 0; i < n; i++) for (let k = 0; k < h; k++) X.data[i * h + k] = norm.dInvSqrt[i]! * vectors.data[i * h + k]! * g[k]!;
  return X;
}

/** The truncated logarithm log(max(x, 1)) of every entry, in place. */
function truncLogInPlace(d: Float32Array | Float64Array): number {
  let nnz = 0;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    if (v > 1) {
      d[k] = Math.log(v);
      nnz++;
    } else d[k] = 0;
  }
  return nnz;
}

/** NetMF node embeddings (see the header comment). `fit(graph)`; `embedding` row i is node id i. */
export class NetMF {
  static readonly schema = NETMF_PARAMS;
  readonly options: NetMFParams;
  private embedding_?: Matrix;
  private names_?: NodeName[];
  private singularValues_?: Float64Array;
  private mode_?: "dense" | "sparse";
  private isolated_?: number[];
  private density_?: number;

  constructor(options: NetMFOptions = {}) {
    this.options = resolveParams(NETMF_PARAMS, options, "NetMF");
  }

  getParams(): NetMFParams {
    return { ...this.options };
  }

  /** n × dim node vectors, row i = node id i (float32). */
  get embedding(): Matrix {
    return fitted(this.embedding_, "NetMF");
  }
  /** The node names, in id order (the rows of embedding). */
  get names(): readonly NodeName[] {
    return fitted(this.names_, "NetMF");
  }
  /** The dim leading singular values of the truncated-log matrix. */
  get singularValues(): Float64Array {
    return fitted(this.singularValues_, "NetMF");
  }
  /** The route the fit took ("auto" resolved). */
  get mode(): "dense" | "sparse" {
    return fitted(this.mode_, "NetMF");
  }
  /** Ids of isolated nodes (zero vectors) in the fitted graph. */
  get isolated(): readonly number[] {
    return fitted(this.isolated_, "NetMF");
  }
  /** Fraction of entries of the truncated-log matrix that are > 0 (M > 1). */
  get density(): number {
    return fitted(this.density_, "NetMF");
  }

  /** The route fit takes for a graph of n nodes. */
  resolvedMode(n: number): "dense" | "sparse" {
    const { mode, window } = this.options;
    if (mode !== "auto") return mode;
    return window === 1 || n <= 2048 ? "dense" : "sparse";
  }

  async fit(graph: Graph): Promise<this> {
    const { dim, window: T, negative: b, rank, eigenIter, svdIter, oversample, seed, signal: sig, onProgress } = this.options;
    if (!graph || typeof graph !== "object" || !(graph.indptr instanceof Int32Array)) fail(`NetMF.fit expects a Graph, got ${describeValue(graph)}`);
    const n = graph.nNodes;
    if (dim > n) fail(`dim must be at most the number of nodes (${n}), got ${dim}`);
    const mode = this.resolvedMode(n);
    if (mode === "sparse" && rank > n) fail(`rank must be at most the number of nodes (${n}), got ${rank}`);
    if (mode === "sparse" && rank < dim) fail(`rank (${rank}) must be at least dim (${dim}): the embedding is a factor of a rank-${rank} matrix`);
    throwIfAborted(sig);
    const norm = normalizedAdjacency(graph);
    let target: Matrix | CsrMatrix;
    let nnz: number;
    const report = (stage: string, step: number, total: number): void => onProgress?.({ stage, step, total, metrics: {} });
    if (mode === "dense" && T === 1) {
      // M = vol/b · D⁻¹ A D⁻¹ = vol/b · D^{-1/2} N D^{-1/2}: the sparsity of A
      const N = norm.N, d = N.data.slice();
      for (let i = 0; i < n; i++) {
        for (let p = N.indptr[i]!; p < N.indptr[i + 1]!; p++) d[p] = (norm.vol / b) * d[p]! * norm.dInvSqrt[i]! * norm.dInvSqrt[N.indices[p]!]!;
      }
      nnz = truncLogInPlace(d);
      target = new CsrMatrix(n, n, N.indptr, N.indices, d);
    } else if (mode === "dense") {
      report("matrix powers", 0, 1);
      target = deepWalkMatrixDense(graph, T, b);
      nnz = truncLogInPlace(target.data);
      await new Promise((res) => setTimeout(res, 0));
      throwIfAborted(sig);
    } else {
      const eig = await topEigenpairs(norm.N, rank, {
        nIter: eigenIter, nOversamples: oversample, seed, signal: sig, lowerBound: -1,
        onProgress: (p) => onProgress?.({ ...p, stage: `eigenpairs: ${p.stage}` }),
      });
      const X = deepWalkFactor(norm, eig.values, eig.vectors, T);
      const M = Matrix.zeros(n, n, "float32");
      const block = 1024;
      nnz = 0;
      const c = norm.vol / b;
      for (let r0 = 0, bi = 0; r0 < n; r0 += block, bi++) {
        const r1 = Math.min(n, r0 + block);
        const B = matmul(X.rowRange(r0, r1), X, { transB: true });
        const d = B.data;
        for (let k = 0; k < d.length; k++) d[k]! *= c;
        nnz += truncLogInPlace(d);
        M.data.set(d, r0 * n);
        report("DeepWalk matrix rows", r1, n);
        await new Promise((res) => setTimeout(res, 0));
        throwIfAborted(sig);
      }
      target = M;
    }
    // the matrix is symmetric: its singular triplets are its eigenpairs of largest |λ| (σ = |λ|, U up to signs)
    const svd = await topEigenpairs(target, dim, {
      which: "magnitude", nIter: svdIter, nOversamples: oversample, seed, signal: sig,
      onProgress: (p) => onProgress?.({ ...p, stage: `SVD: ${p.stage}` }),
    });
    const S = Float64Array.from(svd.values, Math.abs);
    const E = Matrix.zeros(n, dim, "float32");
    const U = svd.vectors;
    for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) E.data[i * dim + k] = U.data[i * dim + k]! * Math.sqrt(S[k]!);
    for (const i of norm.isolated) E.data.fill(0, i * dim, (i + 1) * dim);
    this.embedding_ = E;
    this.names_ = [...graph.names];
    this.singularValues_ = S;
    this.mode_ = mode;
    this.isolated_ = norm.isolated;
    this.density_ = nnz / (n * n);
    return this;
  }

  /** fit(graph), then the embedding. */
  async fitTransform(graph: Graph): Promise<Matrix> {
    await this.fit(graph);
    return this.embedding;
  }

  toJSON(): NetMFJSON {
    return {
      type: "NetMF",
      version: 1,
      options: encodeParams(NETMF_PARAMS, this.options),
      names: [...this.names],
      embedding: matrixToJSON(this.embedding),
      singularValues: Array.from(this.singularValues),
      mode: this.mode,
    };
  }

  static fromJSON(json: NetMFJSON): NetMF {
    checkSaved(json, "NetMF");
    const m = new NetMF(decodeParams(NETMF_PARAMS, json.options, "NetMF"));
    if (!Array.isArray(json.names) || json.names.some((x) => typeof x !== "string" && (typeof x !== "number" || !Number.isFinite(x)))) {
      fail("NetMF.names: expected an array of node names (strings or numbers) in the saved model");
    }
    const E = matrixFromJSON(json.embedding, "NetMF.embedding", { rows: json.names.length, cols: m.options.dim });
    m.singularValues_ = numbersFromJSON(json.singularValues, "NetMF.singularValues", { length: E.cols, min: 0, lengthOf: "one per dimension" });
    if (json.mode !== "dense" && json.mode !== "sparse") fail(`NetMF.mode is ${describeValue(json.mode)}: expected "dense" or "sparse" in the saved model`);
    m.embedding_ = E.dtype === "float32" ? E : E.astype("float32");
    m.names_ = [...json.names];
    m.mode_ = json.mode;
    const iso: number[] = [];
    for (let i = 0; i < E.rows; i++) if (E.row(i).every((v) => v === 0)) iso.push(i);
    m.isolated_ = iso;
    m.density_ = NaN;
    return m;
  }
}

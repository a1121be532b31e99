// DeepWalk (Perozzi et al. 2014) and node2vec (Grover & Leskovec 2016): node embeddings from random walks, "a walk is
// a sentence, a node is a word". Walks come from randomWalks (uniform for DeepWalk; second-order with return p and
// in-out q for node2vec, see walks.ts) and go straight into word2vec's skip-gram with negative sampling
// (Word2Vec.train on the encoded corpus): the node ids are the word ids of a Vocabulary whose words are the node
// names as strings and whose counts are the visits, so no walk is ever written as strings.
//
// Defaults are the node2vec paper's (§4.1): dimension 128, walk length 80, 10 walks per node, window 10; negative 5
// and one epoch (the reference implementation's iter = 1), learning rate 0.025 decaying to 1e-4, and word2vec's
// subsampling threshold 1e-3 (gensim's default, which the reference code and PecanPy keep).
import { describeValue, fail, throwIfAborted } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, matrixToJSON, type Embedder, type MatrixJSON, type Progress } from "../core/estimator.js";
import type { Matrix } from "../core/matrix.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { KeyedVectors } from "../text/keyed-vectors.js";
import { Vocabulary } from "../text/vocabulary.js";
import { Word2Vec } from "../text/word2vec.js";
import { Graph, type NodeName } from "./graph.js";
import { randomWalks } from "./walks.js";

export interface DeepWalkOptions {
  /** Vector dimensions (default 128). */
  dim?: number;
  /** Nodes per walk, the start included (default 80). */
  walkLength?: number;
  /** Walks started at every node (default 10). */
  walksPerNode?: number;
  /** Skip-gram context window (default 10). */
  window?: number;
  /** Negative samples (default 5). */
  negative?: number;
  /** Passes of skip-gram over the walks (default 1). */
  epochs?: number;
  /** Initial learning rate (default 0.025), decaying linearly to minAlpha. */
  alpha?: number;
  minAlpha?: number;
  /** word2vec's subsampling threshold for frequently visited nodes (default 1e-3; 0 = off). */
  sample?: number;
  /** Skip-gram negatives shared by a window ("window", default, faster) or drawn per pair ("pair", as gensim). */
  negativeSharing?: "window" | "pair";
  /** Worker threads for walks and training (default: all). Walks are the same for any number; training is Hogwild. */
  threads?: number;
  seed?: number;
  /** Second-order steps from rows up to this degree are sampled exactly, larger ones by rejection (node2vec only). */
  exactMaxDegree?: number;
  /** Stage "walks" (step = walks done), then word2vec's "epoch e/E" stages. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface Node2VecOptions extends DeepWalkOptions {
  /** Return parameter (default 1): the step back to the previous node has its weight divided by p. */
  p?: number;
  /** In-out parameter (default 1): steps away from the previous node's neighbourhood have their weight divided by q. */
  q?: number;
}

const COMMON = {
  dim: int("vector dimensions", { min: 1, default: 128 }),
  walkLength: int("nodes per walk, the start node included", { min: 1, default: 80 }),
  walksPerNode: int("walks started at every node", { min: 1, default: 10 }),
  window: int("skip-gram context window", { min: 1, default: 10 }),
  negative: int("negative samples per positive", { min: 1, default: 5 }),
  epochs: int("skip-gram passes over the walks", { min: 1, default: 1 }),
  alpha: num("initial learning rate", { gt: 0, default: 0.025 }),
  minAlpha: num("final learning rate of the linear decay", { min: 0, default: 1e-4 }),
  sample: num("subsampling threshold for frequently visited nodes (0 = off)", { min: 0, default: 1e-3 }),
  negativeSharing: choice(["window", "pair"], "skip-gram negatives drawn once per centre node (window) or per pair", { default: "window" }),
  threads: int("worker threads (walks are the same for any number; training is Hogwild)", { min: 1 }),
  seed: int("random seed", { default: 1 }),
  exactMaxDegree: int("second-order steps from rows of at most this degree are sampled exactly, larger ones by rejection", { min: 0, default: 4 }),
  onProgress: func<(p: Progress) => void>("called during the walks and after each chunk of training"),
  signal: signal(),
} as const;

export const DEEPWALK_PARAMS = COMMON satisfies Schema<DeepWalkOptions>;
export const NODE2VEC_PARAMS = {
  ...COMMON,
  p: num("return parameter: the step back to the previous node has its weight divided by p", { gt: 0, default: 1 }),
  q: num("in-out parameter: steps leaving the previous node's neighbourhood have their weight divided by q", { gt: 0, default: 1 }),
} satisfies Schema<Node2VecOptions>;

export type DeepWalkParams = ParamsOf<DeepWalkOptions, typeof DEEPWALK_PARAMS>;
export type Node2VecParams = ParamsOf<Node2VecOptions, typeof NODE2VEC_PARAMS>;

/** What the last fit did and how long it took. */
export interface WalkEmbeddingStats {
  /** Steps walked (arcs followed) and the walks' nodes (the training corpus). */
  walkSteps: number;
  walkTokens: number;
  walkSeconds: number;
  trainSeconds: number;
  seconds: number;
  /** walkSteps / walkSeconds. */
  stepsPerSecond: number;
  /** Isolated nodes (their vectors stay at word2vec's random initialisation). */
  isolatedNodes: number;
}

export interface WalkEmbeddingJSON {
  type: "DeepWalk" | "Node2Vec";
  version: 1;
  options: Record<string, unknown>;
  names: NodeName[];
  embedding: MatrixJSON;
  stats: WalkEmbeddingStats;
}

/** Shared by DeepWalk and Node2Vec: walks, then skip-gram on them. */
abstract class WalkEmbedding<P extends DeepWalkParams> implements Embedder<Graph, P> {
  readonly options: P;
  private names_?: readonly NodeName[];
  private embedding_?: Matrix;
  private stats_?: WalkEmbeddingStats;
  protected abstract readonly kind: "DeepWalk" | "Node2Vec";
  protected abstract pq(): { p: number; q: number };

  constructor(options: P) {
    this.options = options;
  }

  getParams(): P {
    return { ...this.options };
  }

  /** Row i is the vector of node id i (graph.nameOf(i)). */
  get embedding(): Matrix {
    return fitted(this.embedding_, this.kind);
  }
  /** The node names, by id. */
  get names(): readonly NodeName[] {
    return fitted(this.names_, this.kind);
  }
  /** The vectors by node name (as strings): mostSimilar, word2vec files. */
  get vectors(): KeyedVectors {
    return new KeyedVectors(this.names.map(String), this.embedding);
  }
  get stats(): WalkEmbeddingStats {
    return fitted(this.stats_, this.kind);
  }

  async fitTransform(graph: Graph): Promise<Matrix> {
    await this.fit(graph);
    return this.embedding;
  }

  async fit(graph: Graph): Promise<this> {
    if (!(graph instanceof Graph)) fail(`${this.kind}.fit expects a Graph (Graph.fromEdges, or readEdgeList for a file), got ${describeValue(graph)}`);
    const o = this.options;
    throwIfAborted(o.signal);
    const n = graph.nNodes;
    const words = graph.names.map(String);
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const j = seen.get(words[i]!);
      if (j !== undefined) fail(`${this.kind}: nodes ${describeValue(graph.names[j])} and ${describeValue(graph.names[i])} have the same name as text; give the nodes distinct names`);
      seen.set(words[i]!, i);
    }
    const t0 = performance.now();
    const { p, q } = this.pq();
    const walks = await randomWalks(graph, {
      walkLength: o.walkLength, walksPerNode: o.walksPerNode, p, q, seed: o.seed, exactMaxDegree: o.exactMaxDegree,
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}),
    });
    // the vocabulary: node id = word id, counted visits
    const counts = new Float64Array(n);
    const ids = walks.walks;
    for (let t = 0; t < ids.length; t++) counts[ids[t]!]!++;
    const vocab = new Vocabulary(words, counts, ids.length);
    const w2v = new Word2Vec({
      dim: o.dim, window: o.window, negative: o.negative, epochs: o.epochs, alpha: o.alpha, minAlpha: o.minAlpha,
      sample: o.sample, negativeSharing: o.negativeSharing, seed: o.seed, minCount: 1, model: "skipgram",
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}),
    });
    const t1 = performance.now();
    await w2v.train(vocab, ids, walks.starts);
    const t2 = performance.now();
    this.names_ = [...graph.names];
    this.embedding_ = w2v.wordMatrix;
    this.stats_ = {
      walkSteps: walks.steps, walkTokens: ids.length, walkSeconds: walks.seconds, trainSeconds: (t2 - t1) / 1000,
      seconds: (t2 - t0) / 1000, stepsPerSecond: walks.steps / Math.max(walks.seconds, 1e-9), isolatedNodes: graph.isolatedNodes().length,
    };
    return this;
  }

  toJSON(): WalkEmbeddingJSON {
    return {
      type: this.kind, version: 1, options: encodeParams(this.schema(), this.options), names: [...this.names],
      embedding: matrixToJSON(this.embedding), stats: { ...this.stats },
    };
  }

  protected abstract schema(): typeof DEEPWALK_PARAMS | typeof NODE2VEC_PARAMS;

  /** Restores the fitted state of a saved model into `e`. */
  protected static restore<E extends WalkEmbedding<DeepWalkParams>>(e: E, json: WalkEmbeddingJSON): E {
    const names = json.names;
    if (!Array.isArray(names) || names.length === 0) fail(`${e.kind}.names: expected a non-empty array of node names in the saved model`);
    for (const v of names) {
      if (!((typeof v === "string" && v !== "") || (typeof v === "number" && Number.isFinite(v)))) fail(`${e.kind}.names: ${describeValue(v)} is not a node name`);
    }
    const M = matrixFromJSON(json.embedding, `${e.kind}.embedding`, { rows: names.length, cols: e.options.dim });
    e.names_ = names;
    e.embedding_ = M.astype("float32");
    e.stats_ = { ...json.stats };
    return e;
  }
}

/** DeepWalk: uniform (weight-proportional) random walks + skip-gram. */
export class DeepWalk extends WalkEmbedding<DeepWalkParams> {
  static readonly schema = DEEPWALK_PARAMS;
  protected readonly kind = "DeepWalk";

  constructor(options: DeepWalkOptions = {}) {
    super(resolveParams(DEEPWALK_PARAMS, options, "DeepWalk"));
  }
  protected pq(): { p: number; q: number } {
    return { p: 1, q: 1 };
  }
  protected schema(): typeof DEEPWALK_PARAMS {
    return DEEPWALK_PARAMS;
  }
  static fromJSON(json: WalkEmbeddingJSON): DeepWalk {
    checkSaved(json, "DeepWalk");
    return WalkEmbedding.restore(new DeepWalk(decodeParams(DEEPWALK_PARAMS, json.options, "DeepWalk")), json);
  }
}

/** node2vec: second-order random walks with return p and in-out q + skip-gram (p = q = 1 is DeepWalk). */
export class Node2Vec extends WalkEmbedding<Node2VecParams> {
  static readonly schema = NODE2VEC_PARAMS;
  protected readonly kind = "Node2Vec";

  constructor(options: Node2VecOptions = {}) {
    super(resolveParams(NODE2VEC_PARAMS, options, "Node2Vec"));
  }
  protected pq(): { p: number; q: number } {
    return { p: this.options.p, q: this.options.q };
  }
  protected schema(): typeof NODE2VEC_PARAMS {
    return NODE2VEC_PARAMS;
  }
  static fromJSON(json: WalkEmbeddingJSON): Node2Vec {
    checkSaved(json, "Node2Vec");
    return WalkEmbedding.restore(new Node2Vec(decodeParams(NODE2VEC_PARAMS, json.options, "Node2Vec")), json);
  }
}

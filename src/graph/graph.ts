// Graph: a graph in compressed sparse row (CSR) form, the one structure every node-embedding method reads (random
// walks, NetMF, the evaluation). Nodes have names (strings or numbers, as an edge list writes them) mapped to dense
// ids 0..n−1 in order of first appearance (nodes listed up front first), and back: results are always reported by
// name, so ids that do not start at 0 or have gaps cannot shift labels (karateclub's silent bug).
//
// Conventions, as documented for users:
// - Undirected graphs store each edge in both rows; a self-loop (u, u) is stored once in row u (by default self-loops
//   are dropped, with a count in `dropped.selfLoops`).
// - Duplicate edges (the same pair again, in either direction when undirected) are merged: by default the largest
//   weight is kept ("max"; an unweighted graph keeps one edge), or the weights are summed ("sum"), or refused ("error").
// - Weights must be finite and > 0 (a zero, negative or NaN weight is refused, naming the edge).
// - Isolated nodes (listed in `nodes` but in no edge) are kept: they get an id, a vector, and a warning.
// Each row's neighbours are sorted by id, so membership tests (node2vec's "is x a neighbour of the previous node")
// are binary searches.
import { describeValue, fail } from "../core/errors.js";

export type NodeName = string | number;

export interface GraphOptions {
  /** Directed edges (u → v only). Default false. */
  directed?: boolean;
  /** "drop" (default) or "keep" edges (u, u). */
  selfLoops?: "drop" | "keep";
  /** How repeated edges merge: "max" (default: keep the largest weight), "sum", or "error". */
  duplicates?: "max" | "sum" | "error";
  /** Nodes to include even if no edge names them (isolated nodes), in this order before the others. */
  nodes?: ArrayLike<NodeName>;
  /** Where the edges came from (a file's path), to name it in errors. */
  source?: string;
}

/** Edges as parallel arrays: edge k is (source[k], target[k]) with weight weight[k] (1 without weights). */
export interface EdgeList {
  source: ArrayLike<NodeName>;
  target: ArrayLike<NodeName>;
  weight?: ArrayLike<number>;
}

export class Graph {
  readonly directed: boolean;
  /** Row offsets: the neighbours of node i are indices[indptr[i] .. indptr[i+1]). */
  readonly indptr: Int32Array;
  /** Neighbour ids, sorted within each row. */
  readonly indices: Int32Array;
  /** Edge weights beside indices, or null when every weight is 1 (an unweighted graph). */
  readonly weights: Float32Array | null;
  /** The name of each node id. */
  readonly names: readonly NodeName[];
  /** What was dropped or merged while building: self-loops dropped, duplicate edges merged. */
  readonly dropped: { readonly selfLoops: number; readonly duplicates: number };
  private readonly ids: Map<NodeName, number>;

  private constructor(directed: boolean, indptr: Int32Array, indices: Int32Array, weights: Float32Array | null, names: NodeName[], ids: Map<NodeName, number>,
    dropped: { selfLoops: number; duplicates: number }) {
    this.directed = directed;
    this.indptr = indptr;
    this.indices = indices;
    this.weights = weights;
    this.names = names;
    this.ids = ids;
    this.dropped = dropped;
  }

  /** Builds a graph from an edge list (see the conventions above). An empty graph is refused. */
  static fromEdges(edges: EdgeList, options: GraphOptions = {}): Graph {
    const src = options.source ?? "the edge list";
    const directed = options.directed ?? false;
    const selfLoops = options.selfLoops ?? "drop";
    const duplicates = options.duplicates ?? "max";
    if (typeof directed !== "boolean") fail(`Graph: directed must be true or false, got ${describeValue(directed)}`);
    if (selfLoops !== "drop" && selfLoops !== "keep") fail(`Graph: selfLoops must be "drop" or "keep", got ${describeValue(selfLoops)}`);
    if (duplicates !== "max" && duplicates !== "sum" && duplicates !== "error") fail(`Graph: duplicates must be "max", "sum" or "error", got ${describeValue(duplicates)}`);
    const m = edges.source.length;
    if (edges.target.length !== m) fail(`${src}: ${m} sources but ${edges.target.length} targets`);
    if (edges.weight && edges.weight.length !== m) fail(`${src}: ${m} edges but ${edges.weight.length} weights`);
    const names: NodeName[] = [];
    const ids = new Map<NodeName, number>();
    const idOf = (v: NodeName, what: string): number => {
      if ((typeof v !== "string" && typeof v !== "number") || (typeof v === "number" && !Number.isFinite(v)) || v === "") {
        fail(`${src}: ${what} is ${describeValue(v)}: node names must be non-empty strings or finite numbers`);
      }
      let id = ids.get(v);
      if (id === undefined) {
        id = names.length;
        ids.set(v, id);
        names.push(v);
      }
      return id;
    };
    if (options.nodes) for (let i = 0; i < options.nodes.length; i++) idOf(options.nodes[i]!, `node ${i}`);
    const u = new Int32Array(m), v = new Int32Array(m);
    const w = edges.weight ? new Float32Array(m) : null;
    let kept = 0, loops = 0;
    for (let k = 0; k < m; k++) {
      const a = idOf(edges.source[k]!, `the source of edge ${k + 1}`), b = idOf(edges.target[k]!, `the target of edge ${k + 1}`);
      if (w) {
        const x = edges.weight![k]!;
        if (!(typeof x === "number" && Number.isFinite(x) && x > 0)) {
          fail(`${src}: edge ${k + 1} (${String(edges.source[k])}, ${String(edges.target[k])}) has weight ${describeValue(x)}: weights must be finite numbers > 0`);
        }
        w[kept] = x;
      }
      if (a === b && selfLoops === "drop") {
        loops++;
        continue;
      }
      u[kept] = a;
      v[kept] = b;
      kept++;
    }
    const n = names.length;
    if (n === 0) fail(`${src}: the graph is empty (no edges and no nodes)`);
    // arcs: each kept edge once (directed), or both ways (undirected; a self-loop once)
    const deg = new Int32Array(n + 1);
    for (let k = 0; k < kept; k++) {
      deg[u[k]!]!++;
      if (!directed && u[k] !== v[k]) deg[v[k]!]!++;
    }
    const ptr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i]! + deg[i]!;
    const nArcs = ptr[n]!;
    const fill = ptr.slice(0, n);
    const idx = new Int32Array(nArcs);
    const wt = w ? new Float32Array(nArcs) : null;
    const put = (a: number, b: number, x: number): void => {
      const p = fill[a]!++;
      idx[p] = b;
      if (wt) wt[p] = x;
    };
    for (let k = 0; k < kept; k++) {
      const x = w ? w[k]! : 1;
      put(u[k]!, v[k]!, x);
      if (!directed && u[k] !== v[k]) put(v[k]!, u[k]!, x);
    }
    // sort each row by neighbour id, then merge repeats
    let dup = 0, dupLoops = 0;
    const outPtr = new Int32Array(n + 1);
    let o = 0;
    let order = new Int32Array(0);
    for (let i = 0; i < n; i++) {
      const s = ptr[i]!, e = ptr[i + 1]!;
      if (wt) {
        if (order.length < e - s) order = new Int32Array(e - s);
        const ord = order.subarray(0, e - s);
        for (let j = 0; j < ord.length; j++) ord[j] = s + j;
        ord.sort((p, q) => idx[p]! - idx[q]! || p - q);
        const ti = Int32Array.from(ord, (p) => idx[p]!), tw = Float32Array.from(ord, (p) => wt[p]!);
        idx.set(ti, s);
        wt.set(tw, s);
      } else idx.subarray(s, e).sort();
      for (let p = s; p < e; p++) {
        if (p > s && idx[p] === idx[o - 1] && o > outPtr[i]!) {
          if (idx[p] === i) dupLoops++;
          else dup++;
          if (duplicates === "error") fail(`${src}: the edge (${String(names[i])}, ${String(names[idx[p]!])}) appears more than once (duplicates "error")`);
          if (wt) wt[o - 1] = duplicates === "sum" ? wt[o - 1]! + wt[p]! : Math.max(wt[o - 1]!, wt[p]!);
          continue;
        }
        idx[o] = idx[p]!;
        if (wt) wt[o] = wt[p]!;
        o++;
      }
      outPtr[i + 1] = o;
    }
    const indices = o === nArcs ? idx : idx.slice(0, o);
    const weights = wt ? (o === nArcs ? wt : wt.slice(0, o)) : null;
    // an undirected duplicate is merged in both of its rows, a repeated self-loop in one
    const duplicatesMerged = directed ? dup + dupLoops : dup / 2 + dupLoops;
    return new Graph(directed, outPtr, indices, weights, names, ids, { selfLoops: loops, duplicates: duplicatesMerged });
  }

  get nNodes(): number {
    return this.names.length;
  }
  /** Stored arcs: 2 per undirected edge (1 per self-loop), 1 per directed edge. */
  get nArcs(): number {
    return this.indices.length;
  }
  /** Edges: arcs for a directed graph; for an undirected one, each pair once. */
  get nEdges(): number {
    if (this.directed) return this.indices.length;
    let loops = 0;
    for (let i = 0; i < this.nNodes; i++) for (let p = this.indptr[i]!; p < this.indptr[i + 1]!; p++) if (this.indices[p] === i) loops++;
    return (this.indices.length - loops) / 2 + loops;
  }
  get weighted(): boolean {
    return this.weights !== null;
  }

  /** The id of a node name; throws naming it when the graph has no such node. */
  idOf(name: NodeName, what = "node"): number {
    const id = this.ids.get(name);
    if (id === undefined) {
      // "7" in a labels file names node 7 of a numeric edge list, and 7 names "7"
      const alt = typeof name === "string" && name.trim() !== "" && Number.isFinite(Number(name)) ? this.ids.get(Number(name)) : typeof name === "number" ? this.ids.get(String(name)) : undefined;
      if (alt !== undefined) return alt;
      fail(`${what} ${describeValue(name)} is not a node of this graph (${this.nNodes} nodes, e.g. ${this.names.slice(0, 3).map((x) => describeValue(x)).join(", ")})`);
    }
    return id;
  }
  hasNode(name: NodeName): boolean {
    return this.ids.has(name);
  }
  nameOf(id: number): NodeName {
    const v = this.names[id];
    if (v === undefined) fail(`node id ${id} is outside [0, ${this.nNodes})`);
    return v;
  }
  /** Out-degree (number of stored neighbours). */
  degree(id: number): number {
    return this.indptr[id + 1]! - this.indptr[id]!;
  }
  /** Neighbour ids of a node (a view into indices, sorted). */
  neighbors(id: number): Int32Array {
    return this.indices.subarray(this.indptr[id]!, this.indptr[id + 1]!);
  }
  /** Weights beside neighbors(id) (all 1 for an unweighted graph). */
  neighborWeights(id: number): Float32Array {
    return this.weights ? this.weights.subarray(this.indptr[id]!, this.indptr[id + 1]!) : new Float32Array(this.degree(id)).fill(1);
  }
  /** Whether (a, b) is an arc (binary search in a's sorted row). */
  hasEdge(a: number, b: number): boolean {
    let lo = this.indptr[a]!, hi = this.indptr[a + 1]! - 1;
    const ix = this.indices;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = ix[mid]!;
      if (x === b) return true;
      if (x < b) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
  /** Ids of the nodes with no neighbours. */
  isolatedNodes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.nNodes; i++) if (this.degree(i) === 0) out.push(i);
    return out;
  }
}

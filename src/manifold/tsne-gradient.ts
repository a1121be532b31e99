// t-SNE gradient kernels, kept apart from the estimator. With w_ij = 1/(1 + ‖y_i − y_j‖²) and Z = Σ_{k≠l} w_kl:
//   ∂KL/∂y_i = 4 [ Σ_j p_ij w_ij (y_i − y_j)  −  Σ_j w_ij² (y_i − y_j) / Z ]
import { describeValue, fail, requireInt } from "../core/errors.js";
import { CsrMatrix } from "../linalg/sparse.js";
import {
  BH_COUNTER, BH_DIMS, BH_GROUP_SIZE, BH_GROUPS, BH_KEYS, BH_KEYS2, BH_LEAF_SIZE, BH_LIST_BYTES, BH_LISTS, BH_N, BH_NODE_CHILD,
  BH_NODE_END, BH_NODE_KIDS, BH_NODE_LEVEL, BH_NODE_MASS, BH_NODE_START, BH_NODE_WIDTH2, BH_NODE_X, BH_NODE_Y, BH_NODE_Z, BH_OUT,
  BH_OUT_GROUPS, BH_PERM, BH_PERM2, BH_PX, BH_PY, BH_PZ, BH_SCRATCH, BH_SLOTS, BH_STACKS, BH_THETA2, BH_Y, BH_Z,
  TSNE_QUERY_M, TSNE_QUERY_OUT, TSNE_QUERY_Q, TSNE_QUERY_SLOTS, TSNE_QUERY_TREE, TSNE_QUERY_Z,
  TSNE_ATTR_DIMS, TSNE_ATTR_INDICES, TSNE_ATTR_INDPTR, TSNE_ATTR_N, TSNE_ATTR_OUT, TSNE_ATTR_SLOTS, TSNE_ATTR_VALUES, TSNE_ATTR_Y,
  TSNE_GRAD_ATTR, TSNE_GRAD_BH,
} from "../../assembly/abi.js";
import { coreFor, partsFor } from "../core/backend.js";
import { ParamBlock, WasmArena, type WasmCore } from "../core/wasm/runtime.js";
import { BHTree } from "./bhtree.js";

/** Attractive term Σ_j p_ij w_ij (y_i − y_j) for every i, scaled by `exaggeration`, written into out (n x dims). */
export function attractiveForces(P: CsrMatrix, Y: Float64Array, dims: number, exaggeration: number, out: Float64Array): void {
  const { indptr, indices, data } = P;
  if (dims === 2) {
    for (let i = 0; i < P.rows; i++) {
      const x = Y[2 * i]!;
      const y = Y[2 * i + 1]!;
      let fx = 0;
      let fy = 0;
      for (let q = indptr[i]!, e = indptr[i + 1]!; q < e; q++) {
        const j = indices[q]!;
        const dx = x - Y[2 * j]!;
        const dy = y - Y[2 * j + 1]!;
        const f = data[q]! / (1 + dx * dx + dy * dy);
        fx += f * dx;
        fy += f * dy;
      }
      out[2 * i] = exaggeration * fx;
      out[2 * i + 1] = exaggeration * fy;
    }
    return;
  }
  // sums first, then times exaggeration, as in 2-D and in the WASM kernel
  for (let i = 0; i < P.rows; i++) {
    const oi = i * dims;
    for (let a = 0; a < dims; a++) out[oi + a] = 0;
    for (let q = indptr[i]!; q < indptr[i + 1]!; q++) {
      const oj = indices[q]! * dims;
      let d2 = 0;
      for (let a = 0; a < dims; a++) {
        const diff = Y[oi + a]! - Y[oj + a]!;
        d2 += diff * diff;
      }
      const f = data[q]! / (1 + d2);
      for (let a = 0; a < dims; a++) out[oi + a]! += f * (Y[oi + a]! - Y[oj + a]!);
    }
    for (let a = 0; a < dims; a++) out[oi + a]! *= exaggeration;
  }
}

/** Exact repulsion Σ_j w_ij² (y_i − y_j) into out (n x dims); returns Z. O(n²). */
export function exactRepulsion(Y: Float64Array, n: number, dims: number, out: Float64Array): number {
  out.fill(0);
  let z = 0;
  if (dims === 2) {
    for (let i = 0; i < n; i++) {
      const x = Y[2 * i]!;
      const y = Y[2 * i + 1]!;
      let fx = 0;
      let fy = 0;
      for (let j = i + 1; j < n; j++) {
        const dx = x - Y[2 * j]!;
        const dy = y - Y[2 * j + 1]!;
        const w = 1 / (1 + dx * dx + dy * dy);
        z += 2 * w;
        const f = w * w;
        fx += f * dx;
        fy += f * dy;
        out[2 * j]! -= f * dx;
        out[2 * j + 1]! -= f * dy;
      }
      out[2 * i]! += fx;
      out[2 * i + 1]! += fy;
    }
    return z;
  }
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dims;
      let d2 = 0;
      for (let a = 0; a < dims; a++) {
        const diff = Y[oi + a]! - Y[oj + a]!;
        d2 += diff * diff;
      }
      const w = 1 / (1 + d2);
      z += 2 * w;
      const f = w * w;
      for (let a = 0; a < dims; a++) {
        const g = f * (Y[oi + a]! - Y[oj + a]!);
        out[oi + a]! += g;
        out[oj + a]! -= g;
      }
    }
  }
  return z;
}

/** Barnes–Hut repulsion (θ: accuracy, 0 = exact) into out; returns the estimate of Z. */
export function barnesHutRepulsion(tree: BHTree, Y: Float64Array, n: number, theta: number, out: Float64Array): number {
  const dims = tree.dims;
  tree.build(Y, n);
  const stack = new Int32Array(64 * (1 << dims));
  const f = new Float64Array(dims);
  let z = 0;
  for (let i = 0; i < n; i++) {
    f.fill(0);
    z += tree.repulsion(Y, i, theta, f, stack);
    for (let a = 0; a < dims; a++) out[i * dims + a] = f[a]!;
  }
  return z;
}

/** KL(P‖Q) = Σ p_ij log(p_ij / (w_ij / Z)) over the stored p_ij. */
export function klDivergence(P: CsrMatrix, Y: Float64Array, dims: number, z: number): number {
  const { indptr, indices, data } = P;
  let kl = 0;
  for (let i = 0; i < P.rows; i++) {
    for (let q = indptr[i]!; q < indptr[i + 1]!; q++) {
      const p = data[q]!;
      if (p <= 0) continue;
      const j = indices[q]!;
      let d2 = 0;
      for (let a = 0; a < dims; a++) {
        const diff = Y[i * dims + a]! - Y[j * dims + a]!;
        d2 += diff * diff;
      }
      kl += p * Math.log(p / (1 / (1 + d2) / z));
    }
  }
  return kl;
}

/**
 * Attractive forces for 2-D and 3-D maps in the WASM core, split over its threads by rows: P (CSR, both triangles,
 * f64) is copied in once, the map once per call, and each row's sum is made by one thread in CSR order, so the forces
 * are the same for any number of threads (and equal to {@link attractiveForces} up to the order of the additions).
 * Falls back to {@link attractiveForces} where the core is unavailable or dims is not 2 or 3. Call dispose() after.
 */
export class AttractiveForces {
  private arena: WasmArena | null;
  private core: WasmCore | null;
  private yPtr = 0;
  private outPtr = 0;
  private params: ParamBlock | null = null;

  constructor(private readonly P: CsrMatrix, private readonly dims: number) {
    this.core = coreFor("tsneAttraction", { supported: dims === 2 || dims === 3 });
    this.arena = this.core ? new WasmArena(this.core) : null;
    const arena = this.arena;
    if (!arena) return;
    try {
      const n = P.rows;
      const ip = arena.put(P.indptr);
      const ix = arena.put(P.indices);
      const vl = arena.put(P.data);
      this.yPtr = arena.alloc(8 * dims * n);
      this.outPtr = arena.alloc(8 * dims * n);
      this.params = new ParamBlock(this.core!.memory, arena.alloc(4 * TSNE_ATTR_SLOTS), TSNE_ATTR_SLOTS)
        .set(TSNE_ATTR_INDPTR, ip).set(TSNE_ATTR_INDICES, ix).set(TSNE_ATTR_VALUES, vl).set(TSNE_ATTR_Y, this.yPtr)
        .set(TSNE_ATTR_OUT, this.outPtr).set(TSNE_ATTR_N, n).set(TSNE_ATTR_DIMS, dims);
    } catch (e) {
      arena.release(); // a failed allocation (the memory cannot grow) must not leave the others behind
      throw e;
    }
  }

  /** out = exaggeration · Σ_j p_ij w_ij (y_i − y_j). */
  compute(Y: Float64Array, exaggeration: number, out: Float64Array): void {
    const core = this.core;
    if (!core) {
      attractiveForces(this.P, Y, this.dims, exaggeration, out);
      return;
    }
    this.load(Y);
    core.run("tsneAttractRowsPart", this.params!.ptr, this.parts());
    this.collect(exaggeration, out);
  }

  /** The WASM job's parameter block, or 0 without the core (for {@link WasmBarnesHut.gradient}). */
  get wasmParams(): number {
    return this.params?.ptr ?? 0;
  }

  /** Copies the map in (before a job that uses {@link wasmParams}). */
  load(Y: Float64Array): void {
    const m = this.dims * this.P.rows;
    new Float64Array(this.core!.memory.buffer, this.yPtr, m).set(Y.subarray(0, m));
  }

  /** Participants a job should use for this P (any number gives the same forces). */
  parts(): number {
    return partsFor(this.core!, "tsneAttraction", this.P.nnz);
  }

  /** The forces of a finished job into out, times exaggeration. */
  collect(exaggeration: number, out: Float64Array): void {
    const m = this.dims * this.P.rows;
    const res = new Float64Array(this.core!.memory.buffer, this.outPtr, m);
    for (let t = 0; t < m; t++) out[t] = exaggeration * res[t]!;
  }

  dispose(): void {
    this.arena?.release();
  }
}

/** Leaf and group sizes of {@link WasmBarnesHut} (measured on Fashion-MNIST maps of 5000 points). */
export interface WasmBarnesHutOptions {
  /** Most points in a leaf cell (default 32). */
  leafSize?: number;
  /** Most points that share one interaction list (default 64). */
  groupSize?: number;
}

/**
 * Barnes–Hut repulsion for 2-D and 3-D maps in the WASM core: the quadtree or octree is built there over the points
 * in Morton order, and each group of nearby points shares one traversal, whose interaction list is summed with SIMD
 * arithmetic (f32) on all threads. Cells are accepted only when the θ test holds for every point of the group, so the
 * forces are at least as accurate as {@link barnesHutRepulsion} with the same θ; θ = 0 gives the exact sums. Call
 * dispose() after.
 */
export class WasmBarnesHut {
  private readonly arena: WasmArena;
  private readonly params: ParamBlock;
  private readonly yPtr: number;
  private readonly outPtr: number;
  private readonly zPtr: number;
  private query_: { cap: number; q: number; out: number; z: number; params: ParamBlock } | null = null;
  private readonly threads: number;

  constructor(private readonly core: WasmCore, private readonly n: number, private readonly dims: 2 | 3 = 2,
    opts: WasmBarnesHutOptions = {}) {
    if (dims !== 2 && dims !== 3) fail(`WasmBarnesHut needs dims 2 or 3, got ${describeValue(dims)}`);
    const leafSize = requireInt("leafSize", opts.leafSize ?? 32, 1);
    const groupSize = requireInt("groupSize", opts.groupSize ?? 64, 1);
    const a = (this.arena = new WasmArena(core));
    try {
      const cap = 2 * n + 2;
      // per-thread stacks and lists are sized for the threads of now: every job below is capped at this many parts,
      // so a later setThreads cannot send a part past them
      const threads = core.threads;
      const listBytes = 4 * (dims + 1) * (Math.ceil((n + cap) / 4) * 4 + 8);
      this.yPtr = a.alloc(8 * dims * n);
      this.outPtr = a.alloc(8 * dims * n);
      this.zPtr = a.alloc(8 * n);
      const p = (this.params = new ParamBlock(core.memory, a.alloc(4 * BH_SLOTS), BH_SLOTS));
      p.set(BH_Y, this.yPtr).set(BH_N, n).set(BH_LEAF_SIZE, leafSize).set(BH_GROUP_SIZE, groupSize).set(BH_DIMS, dims);
      for (const slot of [BH_KEYS, BH_PERM, BH_KEYS2, BH_PERM2, BH_PX, BH_PY, BH_PZ]) p.set(slot, a.alloc(4 * n));
      for (const slot of [BH_NODE_X, BH_NODE_Y, BH_NODE_Z, BH_NODE_MASS, BH_NODE_WIDTH2]) p.set(slot, a.alloc(8 * cap));
      for (const slot of [BH_NODE_CHILD, BH_NODE_KIDS, BH_NODE_START, BH_NODE_END, BH_NODE_LEVEL, BH_GROUPS]) p.set(slot, a.alloc(4 * cap));
      p.set(BH_SCRATCH, a.alloc(1024)).set(BH_STACKS, a.alloc(1024 * threads)).set(BH_LISTS, a.alloc(listBytes * threads))
        .set(BH_LIST_BYTES, listBytes).set(BH_OUT, this.outPtr).set(BH_Z, this.zPtr).set(BH_COUNTER, 0);
      this.threads = threads;
    } catch (e) {
      a.release(); // a failed allocation (the memory cannot grow) must not leave the others behind
      throw e;
    }
  }

  /** Σ_j w_ij² (y_i − y_j) into out; returns Z. */
  repulsion(Y: Float64Array, theta: number, out: Float64Array): number {
    const parts = this.prepare(Y, theta);
    this.core.run("bhGroupPart", this.params.ptr, parts);
    return this.collect(out);
  }

  /**
   * Repulsion as {@link repulsion} and, in the same parallel job, the attractive forces of `attraction` (which must
   * use the WASM core) into att, times exaggeration. Returns Z.
   */
  gradient(Y: Float64Array, theta: number, rep: Float64Array, attraction: AttractiveForces, exaggeration: number,
    att: Float64Array): number {
    const parts = Math.min(Math.max(this.prepare(Y, theta), attraction.parts()), this.threads);
    attraction.load(Y);
    const p = this.core.callBlock().set(TSNE_GRAD_ATTR, attraction.wasmParams).set(TSNE_GRAD_BH, this.params.ptr);
    this.core.run("tsneGradPart", p.ptr, parts);
    attraction.collect(exaggeration, att);
    return this.collect(rep);
  }

  /** Builds the tree of a fixed reference map Y (this object's n points) for {@link query}. */
  setReference(Y: Float64Array, theta: number): void {
    this.prepare(Y, theta);
  }

  /**
   * For each of the m points of Q (m x dims) against the reference points of {@link setReference}: Σ_j w_ij² (q_i − y_j)
   * into rep (m x dims) and Σ_j w_ij into z (m), by Barnes–Hut with the θ given there (a point walks the tree on its
   * own, in f64; the query points do not act on each other). Every point's sums are made by one thread, so the result
   * does not depend on the thread count.
   */
  query(Q: Float64Array, m: number, rep: Float64Array, z: Float64Array): void {
    const core = this.core;
    const d = this.dims;
    let q = this.query_;
    if (!q || m > q.cap) {
      const a = this.arena;
      q = this.query_ = {
        cap: m, q: a.alloc(8 * d * m), out: a.alloc(8 * d * m), z: a.alloc(8 * m),
        params: q?.params ?? new ParamBlock(core.memory, a.alloc(4 * TSNE_QUERY_SLOTS), TSNE_QUERY_SLOTS),
      };
    }
    q.params.set(TSNE_QUERY_TREE, this.params.ptr).set(TSNE_QUERY_Q, q.q).set(TSNE_QUERY_M, m).set(TSNE_QUERY_OUT, q.out).set(TSNE_QUERY_Z, q.z);
    new Float64Array(core.memory.buffer, q.q, d * m).set(Q.subarray(0, d * m));
    core.run("bhQueryPart", q.params.ptr, Math.min(partsFor(core, "tsneQuery", m), this.threads));
    const buf = core.memory.buffer;
    rep.set(new Float64Array(buf, q.out, d * m));
    z.set(new Float64Array(buf, q.z, m));
  }

  /** Copies Y and θ in and builds the tree; returns the participants to use. */
  private prepare(Y: Float64Array, theta: number): number {
    const core = this.core;
    new Float64Array(core.memory.buffer, this.yPtr, this.dims * this.n).set(Y.subarray(0, this.dims * this.n));
    this.params.setF64(BH_THETA2, theta * theta);
    core.kernels.bhGroupBuild(this.params.ptr);
    return Math.min(partsFor(core, "tsneBarnesHut", this.n), this.threads);
  }

  private collect(out: Float64Array): number {
    const buf = this.core.memory.buffer;
    out.set(new Float64Array(buf, this.outPtr, this.dims * this.n));
    const groups = this.params.get(BH_OUT_GROUPS);
    const zs = new Float64Array(buf, this.zPtr, groups);
    let z = 0;
    for (let g = 0; g < groups; g++) z += zs[g]!;
    return z;
  }

  dispose(): void {
    this.arena.release();
  }
}

/**
 * The gradient of t-SNE's transform objective (openTSNE's partial embedding): m new points against a fixed reference
 * map of n points, each new point i minimising KL(p_i ‖ q_i) with q_{j|i} ∝ (1 + ‖y_i − y_j‖²)⁻¹ over the reference
 * points only, so the new points do not act on each other:
 *   ∂/∂y_i = 2 [Σ_j p_{j|i} w_ij (y_i − y_j) − Σ_j w_ij² (y_i − y_j) / Σ_j w_ij].
 * p_{j|i} is given for each new point's k nearest reference points. The repulsion is Barnes–Hut over the tree of the
 * reference map, built once: in the WASM core (split over its threads) for 2-D and 3-D maps, else with the
 * TypeScript {@link BHTree}. Call dispose() after.
 */
export class PartialGradient {
  private readonly wasm: WasmBarnesHut | null;
  private readonly tree: BHTree | null;
  private readonly stack: Int32Array;
  private readonly rep: Float64Array;
  private readonly z: Float64Array;
  private readonly att: Float64Array;

  /**
   * @param ref the reference map (n x dims), @param neighbors each new point's k reference points (m x k),
   * @param P their p_{j|i} (m x k), @param theta Barnes–Hut accuracy (0 = exact sums).
   */
  constructor(private readonly ref: Float64Array, n: number, private readonly dims: number, private readonly m: number,
    private readonly neighbors: Int32Array, private readonly P: Float64Array, private readonly k: number, private readonly theta: number) {
    const core = coreFor("tsneQuery", { supported: dims === 2 || dims === 3 });
    this.wasm = core ? new WasmBarnesHut(core, n, dims as 2 | 3) : null;
    try {
      this.wasm?.setReference(ref, theta);
    } catch (e) {
      this.wasm?.dispose();
      throw e;
    }
    this.tree = this.wasm ? null : new BHTree(dims, 4 * n);
    this.tree?.build(ref, n);
    this.stack = new Int32Array(64 * (1 << dims));
    this.rep = new Float64Array(m * dims);
    this.z = new Float64Array(m);
    this.att = new Float64Array(dims);
  }

  /** The gradient for the new points Y (m x dims), attraction times exaggeration, into grad; returns Σ_i Σ_j w_ij. */
  gradient(Y: Float64Array, exaggeration: number, grad: Float64Array): number {
    const { dims, m, k, ref, neighbors, P, rep, z, att } = this;
    if (this.wasm) this.wasm.query(Y, m, rep, z);
    else {
      rep.fill(0);
      for (let i = 0; i < m; i++) {
        z[i] = this.tree!.repulsion(Y.subarray(i * dims, (i + 1) * dims), 0, this.theta, rep.subarray(i * dims, (i + 1) * dims), this.stack);
      }
    }
    let zSum = 0;
    for (let i = 0; i < m; i++) {
      const oi = i * dims;
      att.fill(0);
      for (let t = 0; t < k; t++) {
        const oj = neighbors[i * k + t]! * dims;
        let d2 = 0;
        for (let a = 0; a < dims; a++) {
          const diff = Y[oi + a]! - ref[oj + a]!;
          d2 += diff * diff;
        }
        const f = P[i * k + t]! / (1 + d2);
        for (let a = 0; a < dims; a++) att[a]! += f * (Y[oi + a]! - ref[oj + a]!);
      }
      const zi = z[i]!;
      for (let a = 0; a < dims; a++) grad[oi + a] = 2 * (exaggeration * att[a]! - (zi > 0 ? rep[oi + a]! / zi : 0));
      zSum += zi;
    }
    return zSum;
  }

  dispose(): void {
    this.wasm?.dispose();
  }
}

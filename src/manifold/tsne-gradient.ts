// t-SNE gradient kernels, kept apart from the estimator. With w_ij = 1/(1 + ‖y_i − y_j‖²) and Z = Σ_{k≠l} w_kl:
//   ∂KL/∂y_i = 4 [ Σ_j p_ij w_ij (y_i − y_j)  −  Σ_j w_ij² (y_i − y_j) / Z ]
import { CsrMatrix } from "../linalg/sparse.js";
import { OP_BH_REPULSION, OP_TSNE_ATTR } from "../core/wasm/jobs.js";
import { WasmArena, wasmCore, type WasmCore } from "../core/wasm/runtime.js";
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
      const f = (exaggeration * data[q]!) / (1 + d2);
      for (let a = 0; a < dims; a++) out[oi + a]! += f * (Y[oi + a]! - Y[oj + a]!);
    }
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
 * Attractive forces for 2-D maps in the WASM core, split over its threads: P is copied in once, the map once per
 * call. Falls back to {@link attractiveForces} where the core is unavailable or dims != 2. Call dispose() after.
 */
export class AttractiveForces {
  private arena: WasmArena | null;
  private core: WasmCore | null;
  private yPtr = 0;
  private outPtr = 0;
  private args: number[] = [];

  constructor(private readonly P: CsrMatrix, private readonly dims: number) {
    this.core = dims === 2 ? wasmCore() : null;
    this.arena = this.core ? new WasmArena(this.core) : null;
    const arena = this.arena;
    if (!arena) return;
    const n = P.rows;
    const nnz = P.indptr[n]!;
    const ip = arena.put(P.indptr);
    const ix = arena.put(P.indices.subarray(0, nnz));
    const dt = arena.put(P.data.subarray(0, nnz));
    this.yPtr = arena.alloc(16 * n);
    this.outPtr = arena.alloc(16 * n);
    this.args = [ip, ix, dt, this.yPtr, this.outPtr, n];
  }

  /** out = exaggeration · Σ_j p_ij w_ij (y_i − y_j). */
  compute(Y: Float64Array, exaggeration: number, out: Float64Array): void {
    const core = this.core;
    if (!core) {
      attractiveForces(this.P, Y, this.dims, exaggeration, out);
      return;
    }
    const n = this.P.rows;
    new Float64Array(core.memory.buffer, this.yPtr, 2 * n).set(Y.subarray(0, 2 * n));
    core.run(OP_TSNE_ATTR, this.args, n >= 4000 ? core.threads : 1);
    const res = new Float64Array(core.memory.buffer, this.outPtr, 2 * n);
    for (let t = 0; t < 2 * n; t++) out[t] = exaggeration * res[t]!;
  }

  dispose(): void {
    this.arena?.release();
  }
}

/**
 * Barnes–Hut repulsion for 2-D maps with the traversal in the WASM core, split over its threads: the quadtree is
 * built here (BHTree) and copied in each call. Equals {@link barnesHutRepulsion}. Call dispose() after.
 */
export class WasmBarnesHut {
  private readonly fixed: WasmArena;
  private nodes: WasmArena; // the tree arrays, reallocated as the tree grows
  private capNodes = 0;
  private p = { com: 0, half: 0, count: 0, child: 0, y: 0, out: 0, stack: 0, z: 0, params: 0 };

  constructor(private readonly core: WasmCore, private readonly n: number) {
    this.fixed = new WasmArena(core);
    this.nodes = new WasmArena(core);
    this.p.y = this.fixed.alloc(16 * n);
    this.p.out = this.fixed.alloc(16 * n);
    this.p.stack = this.fixed.alloc(1024 * core.threads);
    this.p.z = this.fixed.alloc(8 * core.threads);
    this.p.params = this.fixed.alloc(128);
  }

  /** Σ_j w_ij² (y_i − y_j) into out; returns Z. */
  repulsion(tree: BHTree, Y: Float64Array, theta: number, out: Float64Array): number {
    const core = this.core;
    const n = this.n;
    tree.build(Y, n);
    const m = tree.size;
    if (m > this.capNodes) {
      this.nodes.release();
      const cap = Math.ceil(m * 1.5);
      this.p.com = this.nodes.alloc(16 * cap);
      this.p.half = this.nodes.alloc(8 * cap);
      this.p.count = this.nodes.alloc(4 * cap);
      this.p.child = this.nodes.alloc(4 * cap);
      this.capNodes = cap;
    }
    const buf = core.memory.buffer;
    new Float64Array(buf, this.p.com, 2 * m).set(tree.comSum.subarray(0, 2 * m));
    new Float64Array(buf, this.p.half, m).set(tree.half.subarray(0, m));
    new Int32Array(buf, this.p.count, m).set(tree.count.subarray(0, m));
    new Int32Array(buf, this.p.child, m).set(tree.child.subarray(0, m));
    new Float64Array(buf, this.p.y, 2 * n).set(Y.subarray(0, 2 * n));
    const parts = n >= 1000 ? core.threads : 1;
    new Int32Array(buf, this.p.params, 9).set([this.p.com, this.p.half, this.p.count, this.p.child, this.p.y, this.p.out, n, this.p.stack, this.p.z]);
    new Float64Array(buf, this.p.params + 64, 1)[0] = theta * theta;
    core.run(OP_BH_REPULSION, [this.p.params], parts);
    out.set(new Float64Array(core.memory.buffer, this.p.out, 2 * n));
    const zs = new Float64Array(core.memory.buffer, this.p.z, parts);
    let z = 0;
    for (let t = 0; t < parts; t++) z += zs[t]!;
    return z;
  }

  dispose(): void {
    this.fixed.release();
    this.nodes.release();
    this.capNodes = 0;
  }
}

// Random walks on a Graph: uniform (DeepWalk, Perozzi et al. 2014: the next node drawn in proportion to the edge
// weights) and second-order (node2vec, Grover & Leskovec 2016: from cur, having come from prev, neighbour x has the
// unnormalised probability w(cur, x)/p if x = prev, w(cur, x) if x is a neighbour of prev, w(cur, x)/q otherwise).
//
// Nothing is precomputed per pair of arcs (the reference node2vec's alias table per arc needs memory ∝ Σ deg²):
// the walker keeps the CSR graph and, for weighted graphs, one alias table per row (O(arcs)). Each second-order
// step picks its sampler by degree: the exact distribution computed on the fly for low-degree rows (PecanPy's
// SparseOTF), rejection sampling from the first-order distribution for hubs (KnightKing), with the return arc folded
// out of the envelope when 1/p is the largest bias, and an exact fallback after `maxTrials` rejections. See
// assembly/walks.ts for the details; the kernel there and the TypeScript route here are the same algorithm step for
// step — the same per-walk random streams (xoroshiro64**, seeded from the seed and the walk's index) and the same
// float operations — so they give the same walks, and the walks do not depend on the number of threads.
//
// Walk order: walksPerNode rounds; each round starts one walk at every node, in an order shuffled per round
// (Random(seed)), as node2vec and DeepWalk do. A walk has walkLength nodes (the start included) unless it reaches a
// node without out-arcs (directed graphs): it stops there; an isolated node's walk is the node alone (length 1).
// In a directed graph "x is a neighbour of prev" means the arc prev → x, and the return arc is cur → prev.
import {
  WALK_ALIAS_IDX, WALK_ALIAS_PROB, WALK_BITMAP_OFFSET, WALK_BITMAPS, WALK_COUNT, WALK_COUNTS, WALK_DIRECTED, WALK_EXACT_MAX_DEGREE, WALK_FIRST,
  WALK_INDICES, WALK_INDPTR, WALK_LENGTH, WALK_LENS, WALK_MAX_TRIALS, WALK_OUT, WALK_P_INV, WALK_Q_INV,
  WALK_ROW_WEIGHT, WALK_SCRATCH, WALK_SCRATCH_LEN, WALK_SECOND, WALK_SEED, WALK_SLOTS, WALK_STARTS, WALK_WEIGHTS,
} from "../../assembly/abi.js";
import { coreFor, partsFor, type Route } from "../core/backend.js";
import { fail, Pacer, throwIfAborted } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import { choice, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";
import { ParamBlock, WasmArena, type WasmCore } from "../core/wasm/runtime.js";
import type { Graph } from "./graph.js";

export interface WalkOptions {
  /** Nodes per walk, the start node included (default 80). */
  walkLength?: number;
  /** Walks started at every node (default 10). */
  walksPerNode?: number;
  /** node2vec's return parameter p (default 1): the return arc's weight is divided by p. */
  p?: number;
  /** node2vec's in-out parameter q (default 1): arcs leaving prev's neighbourhood have their weight divided by q. */
  q?: number;
  seed?: number;
  /** Worker threads (default: all the compute core has). The walks are the same for any number. */
  threads?: number;
  /** Second-order steps from rows of at most this degree are sampled exactly on the fly; larger rows by rejection. */
  exactMaxDegree?: number;
  /** Rejected proposals after which a step is sampled exactly (the distribution stays exact). */
  maxTrials?: number;
  /** "auto" (the compute core where it loads), "wasm" or "ts" (the TypeScript route). */
  route?: Route;
  /** Called after each chunk of walks: stage "walks", step = walks done of total, metrics steps, stepsPerSecond. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export const WALK_PARAMS = {
  walkLength: int("nodes per walk, the start node included", { min: 1, default: 80 }),
  walksPerNode: int("walks started at every node", { min: 1, default: 10 }),
  p: num("node2vec return parameter (the return arc's weight is divided by p)", { gt: 0, default: 1 }),
  q: num("node2vec in-out parameter (arcs away from the previous node's neighbourhood are divided by q)", { gt: 0, default: 1 }),
  seed: int("random seed", { default: 1 }),
  threads: int("worker threads (the walks are the same for any number)", { min: 1 }),
  exactMaxDegree: int("second-order steps from rows of at most this degree are sampled exactly, larger ones by rejection", { min: 0, default: 24 }),
  maxTrials: int("rejections after which a step is sampled exactly", { min: 1, default: 64 }),
  route: choice(["auto", "wasm", "ts"], "compute route", { default: "auto" }),
  onProgress: func<(p: Progress) => void>("called after each chunk of walks"),
  signal: signal(),
} satisfies Schema<WalkOptions>;

export type WalkParams = ParamsOf<WalkOptions, typeof WALK_PARAMS>;

export interface WalkResult {
  /** Node ids, walk after walk. */
  walks: Int32Array;
  /** Offsets of the walks in `walks`, and the total at the end (walks + 1 entries): walk k is walks[starts[k] .. starts[k+1]). */
  starts: Int32Array;
  /** Steps taken (arcs followed: the walks' nodes less one per walk). */
  steps: number;
  /** Seconds spent walking. */
  seconds: number;
  /** Proposals drawn by the rejection sampler, and second-order steps sampled exactly (0 for first-order walks). */
  proposals: number;
  exactSteps: number;
  /** Whether the walks were second-order (p or q not 1). */
  secondOrder: boolean;
}

/** Per-row alias tables of a weighted graph (Vose's method): O(arcs) floats and ints, and each row's weight sum. */
export interface AliasTables {
  prob: Float32Array;
  alias: Int32Array;
  rowWeight: Float64Array;
}

const aliasCache = new WeakMap<Graph, AliasTables>();

/** The alias tables of a weighted graph's rows (cached per graph). */
export function aliasTables(g: Graph): AliasTables {
  const hit = aliasCache.get(g);
  if (hit) return hit;
  const w = g.weights;
  if (!w) fail("aliasTables: the graph is unweighted");
  const n = g.nNodes;
  const prob = new Float32Array(w.length), alias = new Int32Array(w.length), rowWeight = new Float64Array(n);
  let maxDeg = 0;
  for (let i = 0; i < n; i++) maxDeg = Math.max(maxDeg, g.degree(i));
  const scaled = new Float64Array(maxDeg), small = new Int32Array(maxDeg), large = new Int32Array(maxDeg);
  for (let i = 0; i < n; i++) {
    const s = g.indptr[i]!, d = g.indptr[i + 1]! - s;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += w[s + j]!;
    rowWeight[i] = sum;
    if (d === 0) continue;
    let ns = 0, nl = 0;
    for (let j = 0; j < d; j++) {
      scaled[j] = (w[s + j]! * d) / sum;
      if (scaled[j]! < 1) small[ns++] = j;
      else large[nl++] = j;
    }
    while (ns > 0 && nl > 0) {
      const a = small[--ns]!, b = large[nl - 1]!;
      prob[s + a] = scaled[a]!;
      alias[s + a] = b;
      scaled[b] = scaled[b]! + scaled[a]! - 1;
      if (scaled[b]! < 1) {
        nl--;
        small[ns++] = b;
      }
    }
    // what is left has probability 1 up to rounding
    while (nl > 0) {
      const b = large[--nl]!;
      prob[s + b] = 1;
      alias[s + b] = b;
    }
    while (ns > 0) {
      const a = small[--ns]!;
      prob[s + a] = 1;
      alias[s + a] = a;
    }
  }
  const t = { prob, alias, rowWeight };
  aliasCache.set(g, t);
  return t;
}

/**
 * Neighbour bitmaps of the hubs, for the kernel's membership tests: rows of degree >= max(64, n/32) get n bits
 * (at most the row's own 4 bytes per neighbour), so the total stays O(arcs). Per node the word offset of its bitmap,
 * or −1. The TypeScript route answers the same tests by binary search (the same answers).
 */
export function hubBitmaps(g: Graph): { offset: Int32Array; words: Uint32Array } | null {
  const n = g.nNodes, W = (n + 31) >>> 5;
  const min = Math.max(64, Math.ceil(n / 32));
  const offset = new Int32Array(n).fill(-1);
  let hubs = 0;
  for (let i = 0; i < n; i++) if (g.degree(i) >= min) offset[i] = W * hubs++;
  if (hubs === 0) return null;
  const words = new Uint32Array(W * hubs);
  for (let i = 0; i < n; i++) {
    const o = offset[i]!;
    if (o < 0) continue;
    for (let p = g.indptr[i]!; p < g.indptr[i + 1]!; p++) {
      const x = g.indices[p]!;
      words[o + (x >>> 5)]! |= 1 << (x & 31);
    }
  }
  return { offset, words };
}

/** Walks per job: about a million steps, so progress and cancellation come several times a second. */
const JOB_STEPS = 1 << 20;

/**
 * Random walks from every node (see the file header): first-order when p = q = 1, node2vec's second-order walks
 * otherwise. Same seed → same walks, for any thread count and either route.
 */
export async function randomWalks(graph: Graph, options: WalkOptions = {}): Promise<WalkResult> {
  const o = resolveParams(WALK_PARAMS, options, "randomWalks");
  throwIfAborted(o.signal);
  const n = graph.nNodes;
  if (n === 0) fail("randomWalks: the graph is empty");
  const L = o.walkLength, R = o.walksPerNode;
  const total = n * R;
  if (total * L > 2 ** 31 - 1) fail(`randomWalks: ${n} nodes × ${R} walks × ${L} nodes per walk is more than 2^31 walk nodes: walk in parts (fewer walksPerNode per call)`);
  const second = o.p !== 1 || o.q !== 1;
  const tables = graph.weights ? aliasTables(graph) : null;
  let maxDeg = 16; // the scratch: a row's cumulative sums, or the state of a group of first-order walks
  for (let i = 0; i < n; i++) maxDeg = Math.max(maxDeg, graph.indptr[i + 1]! - graph.indptr[i]!);
  const spec: WalkSpec = {
    graph, tables, second, pInv: 1 / o.p, qInv: 1 / o.q, L, seed: o.seed, exactMax: o.exactMaxDegree, maxTrials: o.maxTrials, maxDeg,
  };
  const chunk = Math.max(1, Math.min(total, Math.floor(JOB_STEPS / L)));
  const core = coreFor("walks", { route: o.route });
  const parts = core ? partsFor(core, "walks", chunk * L, o.threads) : 1;
  const walker: Walker = core ? new WasmWalker(core, spec, chunk, parts) : new TsWalker(spec, chunk);

  const walks = new Int32Array(total * L);
  const starts = new Int32Array(total + 1);
  let at = 0, steps = 0, proposals = 0, exactSteps = 0;
  const rng = new Random(o.seed);
  const order = new Int32Array(n);
  const jobStarts = new Int32Array(chunk);
  const pacer = new Pacer(o.signal, "random walks");
  const t0 = performance.now();
  try {
    // walk g (global index) is the (g mod n)-th of round floor(g / n), whose start order is shuffled afresh
    for (let g0 = 0; g0 < total; g0 += chunk) {
      const m = Math.min(chunk, total - g0);
      for (let k = 0; k < m; k++) {
        const i = (g0 + k) % n;
        if (i === 0) {
          for (let v = 0; v < n; v++) order[v] = v;
          rng.shuffle(order);
        }
        jobStarts[k] = order[i]!;
      }
      const job = walker.run(jobStarts.subarray(0, m), g0);
      let full = true;
      for (let k = 0; k < m && full; k++) full = job.lens[k] === L;
      if (full) {
        // every walk whole: one copy
        walks.set(job.out.subarray(0, m * L), at);
        for (let k = 0; k < m; k++) starts[g0 + k] = at + k * L;
        at += m * L;
      } else {
        for (let k = 0; k < m; k++) {
          const len = job.lens[k]!;
          starts[g0 + k] = at;
          walks.set(job.out.subarray(k * L, k * L + len), at);
          at += len;
        }
      }
      steps += job.steps;
      proposals += job.proposals;
      exactSteps += job.exactSteps;
      if (o.onProgress) {
        const secs = (performance.now() - t0) / 1000;
        o.onProgress({ stage: "walks", step: g0 + m, total, metrics: { steps, stepsPerSecond: steps / Math.max(secs, 1e-9) } });
      }
      await pacer.tick();
    }
  } finally {
    walker.dispose();
  }
  starts[total] = at;
  const seconds = (performance.now() - t0) / 1000;
  return { walks: at === walks.length ? walks : walks.slice(0, at), starts, steps, seconds, proposals, exactSteps, secondOrder: second };
}

/** What both routes need to walk. */
interface WalkSpec {
  graph: Graph;
  tables: AliasTables | null;
  second: boolean;
  pInv: number;
  qInv: number;
  L: number;
  seed: number;
  exactMax: number;
  maxTrials: number;
  maxDeg: number;
}

interface JobResult {
  /** Walk k at out[k·L ..), lens[k] nodes. */
  out: Int32Array;
  lens: Int32Array;
  steps: number;
  proposals: number;
  exactSteps: number;
}

interface Walker {
  /** Walks from each of `startNodes`; walk k's random stream is that of global walk index first + k. */
  run(startNodes: Int32Array, first: number): JobResult;
  dispose(): void;
}

/** The WASM route: the graph copied into the core once, then one parallel job per chunk of walks. */
class WasmWalker implements Walker {
  private readonly arena: WasmArena;
  private readonly params: ParamBlock;
  private readonly pStarts: number;
  private readonly pOut: number;
  private readonly pLens: number;
  private readonly pCounts: number;

  constructor(private readonly core: WasmCore, private readonly spec: WalkSpec, private readonly chunk: number, private readonly parts: number) {
    const a = (this.arena = new WasmArena(core));
    try {
      const g = spec.graph;
      this.pStarts = a.alloc(4 * chunk);
      this.pOut = a.alloc(4 * chunk * spec.L);
      this.pLens = a.alloc(4 * chunk);
      this.pCounts = a.alloc(12 * parts);
      const t = spec.tables;
      this.params = new ParamBlock(core.memory, a.alloc(4 * WALK_SLOTS), WALK_SLOTS)
        .set(WALK_INDPTR, a.put(g.indptr)).set(WALK_INDICES, a.put(g.indices.length ? g.indices : new Int32Array(1)))
        .set(WALK_WEIGHTS, g.weights && g.weights.length ? a.put(g.weights) : 0)
        .set(WALK_ALIAS_PROB, t && t.prob.length ? a.put(t.prob) : 0).set(WALK_ALIAS_IDX, t && t.alias.length ? a.put(t.alias) : 0)
        .set(WALK_ROW_WEIGHT, t ? a.put(t.rowWeight) : 0)
        .set(WALK_STARTS, this.pStarts).set(WALK_OUT, this.pOut).set(WALK_LENS, this.pLens).set(WALK_COUNTS, this.pCounts)
        .set(WALK_LENGTH, spec.L).set(WALK_SEED, spec.seed).set(WALK_SECOND, spec.second ? 1 : 0).set(WALK_DIRECTED, g.directed ? 1 : 0)
        .set(WALK_EXACT_MAX_DEGREE, spec.exactMax).set(WALK_MAX_TRIALS, spec.maxTrials)
        .set(WALK_SCRATCH, a.alloc(8 * spec.maxDeg * parts)).set(WALK_SCRATCH_LEN, spec.maxDeg)
        .setF64(WALK_P_INV, spec.pInv).setF64(WALK_Q_INV, spec.qInv);
      const bm = spec.second ? hubBitmaps(g) : null;
      this.params.set(WALK_BITMAP_OFFSET, bm ? a.put(bm.offset) : 0).set(WALK_BITMAPS, bm ? a.put(bm.words) : 0);
    } catch (e) {
      a.release();
      throw e;
    }
  }

  run(startNodes: Int32Array, first: number): JobResult {
    const m = startNodes.length;
    const buf = this.core.memory.buffer;
    new Int32Array(buf, this.pStarts, m).set(startNodes);
    this.params.set(WALK_COUNT, m).set(WALK_FIRST, first);
    const ran = this.core.run("walksPart", this.params.ptr, m * this.spec.L >= (1 << 14) ? this.parts : 1);
    const mem = this.core.memory.buffer;
    const counts = new Int32Array(mem, this.pCounts, 3 * ran);
    let steps = 0, proposals = 0, exactSteps = 0;
    for (let p = 0; p < ran; p++) {
      steps += counts[3 * p]!;
      proposals += counts[3 * p + 1]!;
      exactSteps += counts[3 * p + 2]!;
    }
    return { out: new Int32Array(mem, this.pOut, m * this.spec.L), lens: new Int32Array(mem, this.pLens, m), steps, proposals, exactSteps };
  }

  dispose(): void {
    this.arena.release();
  }
}

/** xoroshiro64** in 32-bit arithmetic, as the kernel's. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The TypeScript route: the kernel's loop (assembly/walks.ts) step for step. */
class TsWalker implements Walker {
  private s0 = 1;
  private s1 = 2;
  private readonly out: Int32Array;
  private readonly lens: Int32Array;
  private readonly scratch: Float64Array;
  private proposals = 0;
  private exactSteps = 0;

  constructor(private readonly spec: WalkSpec, chunk: number) {
    this.out = new Int32Array(chunk * spec.L);
    this.lens = new Int32Array(chunk);
    this.scratch = new Float64Array(spec.maxDeg);
  }

  private nextU32(): number {
    const s0 = this.s0;
    let s1 = this.s1;
    const x = Math.imul(s0, 0x9e3779bb);
    const r = Math.imul((x << 5) | (x >>> 27), 5) >>> 0;
    s1 ^= s0;
    this.s0 = (((s0 << 26) | (s0 >>> 6)) ^ s1 ^ (s1 << 9)) >>> 0;
    this.s1 = ((s1 << 13) | (s1 >>> 19)) >>> 0;
    return r;
  }

  private uniform(): number {
    return this.nextU32() * 2.3283064365386963e-10;
  }

  private seedWalk(seed: number, k: number): void {
    const a = mix32((mix32((seed ^ 0xa511e9b3) >>> 0) + Math.imul(k, 0x9e3779b9)) >>> 0);
    this.s0 = a;
    this.s1 = (mix32((a + 0x7f4a7c15) >>> 0) | 1) >>> 0;
  }

  private firstOrder(s: number, d: number): number {
    // floor(r·d / 2^32) exactly (the kernel's 64-bit product), in pieces that doubles hold exactly
    const r = this.nextU32();
    const j = Math.floor(((r >>> 16) * d + Math.floor(((r & 0xffff) * d) / 65536)) / 65536);
    const t = this.spec.tables;
    if (!t) return s + j;
    if (this.uniform() < t.prob[s + j]!) return s + j;
    return s + t.alias[s + j]!;
  }

  private lowerBound(lo: number, hi: number, x: number): number {
    const ix = this.spec.graph.indices;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ix[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether the arc prev → x exists: searched in the shorter of the two rows when undirected (as the kernel). */
  private isArc(prev: number, ps: number, pe: number, x: number): boolean {
    const g = this.spec.graph, ix = g.indices;
    if (!g.directed) {
      const xs = g.indptr[x]!, xe = g.indptr[x + 1]!;
      if (xe - xs < pe - ps) {
        const at = this.lowerBound(xs, xe, prev);
        return at < xe && ix[at] === prev;
      }
    }
    const at = this.lowerBound(ps, pe, x);
    return at < pe && ix[at] === x;
  }

  private exactStep(s: number, e: number, prev: number, ps: number, pe: number): number {
    this.exactSteps++;
    const { pInv, qInv } = this.spec;
    const ix = this.spec.graph.indices, w = this.spec.graph.weights, cum = this.scratch;
    let total = 0;
    let lo = ps;
    for (let pos = s; pos < e; pos++) {
      const x = ix[pos]!;
      let a: number;
      if (x === prev) a = pInv;
      else {
        lo = this.lowerBound(lo, pe, x);
        a = lo < pe && ix[lo] === x ? 1 : qInv;
      }
      total += a * (w ? w[pos]! : 1);
      cum[pos - s] = total;
    }
    const u = this.uniform() * total;
    let a = 0, b = e - s - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (u < cum[mid]!) b = mid;
      else a = mid + 1;
    }
    return s + a;
  }

  private rejectionStep(s: number, e: number, prev: number, ps: number, pe: number, wRet: number, W: number): number {
    const { pInv, qInv, maxTrials } = this.spec;
    const ix = this.spec.graph.indices;
    const d = e - s;
    const M = Math.max(1, qInv);
    const excess = wRet > 0 && pInv > M ? wRet * (pInv - M) : 0;
    const mass = excess + M * W;
    for (let t = 0; t < maxTrials; t++) {
      this.proposals++;
      if (excess > 0 && this.uniform() * mass < excess) return -1;
      const pos = this.firstOrder(s, d);
      const x = ix[pos]!;
      let a: number;
      if (x === prev) a = Math.min(pInv, M);
      else a = this.isArc(prev, ps, pe, x) ? 1 : qInv;
      if (a >= M || this.uniform() * M < a) return pos;
    }
    return this.exactStep(s, e, prev, ps, pe);
  }

  run(startNodes: Int32Array, first: number): JobResult {
    const { graph, second, L, seed, exactMax, tables } = this.spec;
    const ptr = graph.indptr, ix = graph.indices, w = graph.weights;
    const out = this.out, lens = this.lens;
    this.proposals = 0;
    this.exactSteps = 0;
    let steps = 0;
    for (let k = 0; k < startNodes.length; k++) {
      this.seedWalk(seed, (first + k) | 0);
      const o = k * L;
      let cur = startNodes[k]!;
      out[o] = cur;
      let len = 1, prev = -1, wPrev = 0;
      while (len < L) {
        const s = ptr[cur]!, e = ptr[cur + 1]!;
        const d = e - s;
        if (d === 0) break;
        let next: number, stepW: number;
        if (!second || prev < 0) {
          const pos = this.firstOrder(s, d);
          next = ix[pos]!;
          stepW = w ? w[pos]! : 1;
        } else {
          const ps = ptr[prev]!, pe = ptr[prev + 1]!;
          let pos: number;
          let wRet = wPrev;
          if (d <= exactMax) pos = this.exactStep(s, e, prev, ps, pe);
          else {
            if (graph.directed) {
              const at = this.lowerBound(s, e, prev);
              wRet = at < e && ix[at] === prev ? (w ? w[at]! : 1) : 0;
            }
            pos = this.rejectionStep(s, e, prev, ps, pe, wRet, tables ? tables.rowWeight[cur]! : d);
          }
          if (pos < 0) {
            next = prev;
            stepW = wRet;
          } else {
            next = ix[pos]!;
            stepW = w ? w[pos]! : 1;
          }
        }
        prev = cur;
        cur = next;
        wPrev = stepW;
        out[o + len++] = cur;
      }
      lens[k] = len;
      steps += len - 1;
    }
    return { out, lens, steps, proposals: this.proposals, exactSteps: this.exactSteps };
  }

  dispose(): void {}
}

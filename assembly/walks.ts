// ---- random walks: DeepWalk (uniform) and node2vec (second-order), without per-edge tables -------------------------
// DeepWalk (Perozzi et al. 2014) walks to a neighbour drawn in proportion to the edge weights. node2vec (Grover &
// Leskovec 2016) biases the step from `cur`, having come from `prev`, by α(x)·w(cur, x) with α = 1/p when x is prev
// (return), 1 when x is a neighbour of prev, 1/q otherwise. The reference implementation precomputes an alias table
// per arc (memory ∝ Σ deg²); here nothing is per-arc-pair: the memory is the CSR graph plus, for weighted graphs, a
// per-row alias table of the weights (O(arcs) in all). Each second-order step picks its sampler by the degree of cur:
// - exact on the fly (PecanPy's SparseOTF idea) for rows of degree <= WALK_EXACT_MAX_DEGREE: compute α(x)·w of the
//   row (membership in prev's sorted row by binary search, each search starting where the last ended), sample from
//   the cumulative sums;
// - rejection sampling (KnightKing, Yang et al. 2019) for hubs: propose x from the first-order distribution (uniform,
//   or the row's alias table) and accept with α(x)/M, M = max(1, 1/q). When 1/p > M the return arc is an "outlier"
//   (KnightKing's outlier folding): its excess mass w(cur, prev)·(1/p − M) is drawn directly, so the envelope stays
//   max(1, 1/q) and a small p costs nothing. After WALK_MAX_TRIALS rejections the step takes the exact sampler;
//   that keeps the distribution exact (each trial accepts x with probability ∝ the target, so the outcome of a
//   trial that accepts, and of the fallback, are both distributed as the target) and bounds the worst case.
// Every walk has its own random stream, seeded from (seed, its global index): the walks do not depend on how the
// job is split, so they are the same for any thread count. src/graph/walks.ts runs the same algorithm in TypeScript
// step for step (the same generator, the same float operations), giving the same walks.
import { prm, prmF64 } from "./common";
import {
  WALK_ALIAS_IDX, WALK_ALIAS_PROB, WALK_BITMAP_OFFSET, WALK_BITMAPS, WALK_COUNT, WALK_COUNTS, WALK_DIRECTED, WALK_EXACT_MAX_DEGREE, WALK_FIRST,
  WALK_INDICES, WALK_INDPTR, WALK_LENGTH, WALK_LENS, WALK_MAX_TRIALS, WALK_OUT, WALK_P_INV, WALK_Q_INV,
  WALK_ROW_WEIGHT, WALK_SCRATCH, WALK_SCRATCH_LEN, WALK_SECOND, WALK_SEED, WALK_STARTS, WALK_WEIGHTS,
} from "./abi";

// xoroshiro64** (Blackman & Vigna): 64 bits of state in 32-bit words, so the TypeScript route computes the same
// numbers with Math.imul. Globals are per instance, i.e. per thread.
let rs0: u32 = 1;
let rs1: u32 = 2;

@inline function nextU32(): u32 {
  const s0 = rs0;
  let s1 = rs1;
  const r = rotl<u32>(s0 * 0x9e3779bb, 5) * 5;
  s1 ^= s0;
  rs0 = rotl<u32>(s0, 26) ^ s1 ^ (s1 << 9);
  rs1 = rotl<u32>(s1, 13);
  return r;
}

/** Uniform in [0, 1) with 32 bits. */
@inline function uniform(): f64 {
  return <f64>nextU32() * 2.3283064365386963e-10;
}

@inline function mix32(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x85ebca6b;
  x ^= x >> 13;
  x *= 0xc2b2ae35;
  x ^= x >> 16;
  return x;
}

/** The random stream of walk `k` (global index) for `seed`. */
@inline function seedWalk(seed: i32, k: i32): void {
  const a = mix32(mix32(<u32>seed ^ 0xa511e9b3) + <u32>k * 0x9e3779b9);
  rs0 = a;
  rs1 = mix32(a + 0x7f4a7c15) | 1;
}

// the job's graph, read once per part
let indptr: usize = 0;
let indices: usize = 0;
let weights: usize = 0;
let aProb: usize = 0;
let aIdx: usize = 0;
let rowW: usize = 0;
let scratch: usize = 0;
let pInv: f64 = 1;
let qInv: f64 = 1;
let envelope: f64 = 1;
let maxTrials: i32 = 64;
let trials: i32 = 0;
let exactSteps: i32 = 0;
/** The weight of the arc the last step took. */
let stepW: f64 = 1;

@inline function row(i: i32): i32 {
  return load<i32>(indptr + (<usize>i << 2));
}
@inline function nbr(pos: i32): i32 {
  return load<i32>(indices + (<usize>pos << 2));
}
@inline function wt(pos: i32): f64 {
  return weights ? <f64>load<f32>(weights + (<usize>pos << 2)) : 1.0;
}

/** A position in row [s, s + d) drawn in proportion to the weights (uniformly when unweighted). */
@inline function firstOrder(s: i32, d: i32): i32 {
  const j = <i32>((<u64>nextU32() * <u64>d) >> 32); // floor(r·d / 2^32), exact
  if (!weights) return s + j;
  if (uniform() < <f64>load<f32>(aProb + (<usize>(s + j) << 2))) return s + j;
  return s + load<i32>(aIdx + (<usize>(s + j) << 2));
}

/**
 * The first position in [lo, hi) whose neighbour id is >= x (hi if none). Branch-free (a select per level, which
 * compiles to a conditional move): the comparisons of a binary search in a hub's row are unpredictable.
 */
@inline function lowerBound(lo: i32, hi: i32, x: i32): i32 {
  let n = hi - lo;
  if (n <= 0) return lo;
  let base = lo;
  while (n > 1) {
    const half = n >>> 1;
    base = select<i32>(base + half, base, nbr(base + half - 1) < x);
    n -= half;
  }
  return base + select<i32>(1, 0, nbr(base) < x);
}

let undirected = false;
let bmOffset: usize = 0;
let bitmaps: usize = 0;

/** prev's hub bitmap: its word offset, or −1 when prev has none. */
@inline function bitmapOf(prev: i32): i32 {
  return bmOffset ? load<i32>(bmOffset + (<usize>prev << 2)) : -1;
}
@inline function bit(off: i32, x: i32): bool {
  return ((load<u32>(bitmaps + (<usize>(off + (x >>> 5)) << 2)) >> <u32>(x & 31)) & 1) != 0;
}

/**
 * Whether the arc prev → x exists (prev's row is [ps, pe)): a binary search in prev's row or, in an undirected
 * graph, in x's row for prev when that row is shorter (a hub's neighbours are mostly of low degree).
 */
@inline function isArc(prev: i32, ps: i32, pe: i32, x: i32): bool {
  const off = bitmapOf(prev);
  if (off >= 0) return bit(off, x);
  if (undirected) {
    const xs = row(x), xe = row(x + 1);
    if (xe - xs < pe - ps) {
      const at = lowerBound(xs, xe, prev);
      return at < xe && nbr(at) == prev;
    }
  }
  const at = lowerBound(ps, pe, x);
  return at < pe && nbr(at) == x;
}

/** Exact second-order step from the row [s, e) of cur, having come from prev (row [ps, pe)): a position. */
function exactStep(s: i32, e: i32, prev: i32, ps: i32, pe: i32): i32 {
  exactSteps++;
  let total: f64 = 0;
  let lo = ps;
  const off = bitmapOf(prev);
  for (let pos = s; pos < e; pos++) {
    const x = nbr(pos);
    let a: f64;
    if (x == prev) a = pInv;
    else if (off >= 0) a = bit(off, x) ? 1.0 : qInv;
    else {
      lo = lowerBound(lo, pe, x);
      a = lo < pe && nbr(lo) == x ? 1.0 : qInv;
    }
    total += a * wt(pos);
    store<f64>(scratch + (<usize>(pos - s) << 3), total);
  }
  const u = uniform() * total;
  // the first cumulative sum above u
  let i = 0, j = e - s - 1;
  while (i < j) {
    const mid = (i + j) >>> 1;
    if (u < load<f64>(scratch + (<usize>mid << 3))) j = mid;
    else i = mid + 1;
  }
  return s + i;
}

/** Second-order step by rejection from the row [s, e) of cur; wRet = w(cur, prev) (0: no arc back). */
function rejectionStep(s: i32, e: i32, prev: i32, ps: i32, pe: i32, wRet: f64, W: f64): i32 {
  const d = e - s;
  const M = envelope;
  const excess = wRet > 0 && pInv > M ? wRet * (pInv - M) : 0.0;
  const mass = excess + M * W;
  for (let t = 0; t < maxTrials; t++) {
    trials++;
    if (excess > 0 && uniform() * mass < excess) return -1; // the return arc's excess mass
    const pos = firstOrder(s, d);
    const x = nbr(pos);
    let a: f64;
    if (x == prev) a = min(pInv, M);
    else a = isArc(prev, ps, pe, x) ? 1.0 : qInv;
    if (a >= M || uniform() * M < a) return pos;
  }
  return exactStep(s, e, prev, ps, pe);
}

/** Walks advanced together by firstOrderWalks: their memory accesses overlap instead of forming one chain. */
const GROUP = 8;

/**
 * First-order walks [k0, k1), GROUP at a time in lockstep (each with its own random stream, so the walks are those
 * of one at a time): a walk is a chain of dependent loads, and interleaving several hides their latency.
 * The group's state (cur, the two generator words, alive) lives in the part's scratch. Returns the steps taken.
 */
function firstOrderWalks(k0: i32, k1: i32, L: i32, first: i32, seed: i32, starts: usize, out: usize, lens: usize): i32 {
  const st = scratch; // GROUP × (cur, s0, s1) as i32/u32
  let steps = 0;
  for (let k = k0; k < k1; k += GROUP) {
    const m = min(GROUP, k1 - k);
    for (let g = 0; g < m; g++) {
      seedWalk(seed, first + k + g);
      const c = load<i32>(starts + (<usize>(k + g) << 2));
      const sg = st + <usize>(12 * g);
      store<i32>(sg, c);
      store<u32>(sg, rs0, 4);
      store<u32>(sg, rs1, 8);
      store<i32>(out + ((<usize>(k + g) * <usize>L) << 2), c);
      store<i32>(lens + (<usize>(k + g) << 2), L);
    }
    let alive = m;
    for (let len = 1; len < L && alive > 0; len++) {
      for (let g = 0; g < m; g++) {
        const sg = st + <usize>(12 * g);
        const cur = load<i32>(sg);
        if (cur < 0) continue;
        const s = row(cur), e = row(cur + 1);
        const d = e - s;
        if (d == 0) {
          store<i32>(lens + (<usize>(k + g) << 2), len);
          store<i32>(sg, -1);
          alive--;
          continue;
        }
        rs0 = load<u32>(sg, 4);
        rs1 = load<u32>(sg, 8);
        const next = nbr(firstOrder(s, d));
        store<u32>(sg, rs0, 4);
        store<u32>(sg, rs1, 8);
        store<i32>(sg, next);
        store<i32>(out + ((<usize>(k + g) * <usize>L + <usize>len) << 2), next);
        steps++;
      }
    }
  }
  return steps;
}

/**
 * Part `part` of `parts` of a walk job (WALK_* in abi.ts): walks [k0, k1) of the job's WALK_COUNT, each from its
 * start node for up to WALK_LENGTH nodes (fewer where a node has no out-arcs).
 */
export function walksPart(params: usize, part: i32, parts: i32): void {
  const count = prm(params, WALK_COUNT);
  const k0 = <i32>(<i64>count * part / parts);
  let k1 = <i32>(<i64>count * (part + 1) / parts);
  indptr = <usize>prm(params, WALK_INDPTR);
  indices = <usize>prm(params, WALK_INDICES);
  weights = <usize>prm(params, WALK_WEIGHTS);
  aProb = <usize>prm(params, WALK_ALIAS_PROB);
  aIdx = <usize>prm(params, WALK_ALIAS_IDX);
  rowW = <usize>prm(params, WALK_ROW_WEIGHT);
  scratch = <usize>prm(params, WALK_SCRATCH) + (<usize>prm(params, WALK_SCRATCH_LEN) << 3) * <usize>part;
  pInv = prmF64(params, WALK_P_INV);
  qInv = prmF64(params, WALK_Q_INV);
  envelope = max(1.0, qInv);
  maxTrials = prm(params, WALK_MAX_TRIALS);
  const exactMax = prm(params, WALK_EXACT_MAX_DEGREE);
  const second = prm(params, WALK_SECOND) != 0;
  const directed = prm(params, WALK_DIRECTED) != 0;
  undirected = !directed;
  bmOffset = <usize>prm(params, WALK_BITMAP_OFFSET);
  bitmaps = <usize>prm(params, WALK_BITMAPS);
  const L = prm(params, WALK_LENGTH);
  const first = prm(params, WALK_FIRST);
  const seed = prm(params, WALK_SEED);
  const starts = <usize>prm(params, WALK_STARTS);
  const out = <usize>prm(params, WALK_OUT);
  const lens = <usize>prm(params, WALK_LENS);
  trials = 0;
  exactSteps = 0;
  let steps = 0;
  if (!second) {
    steps = firstOrderWalks(k0, k1, L, first, seed, starts, out, lens);
    k1 = k0; // done
  }
  for (let k = k0; k < k1; k++) {
    seedWalk(seed, first + k);
    const w = out + ((<usize>k * <usize>L) << 2);
    let cur = load<i32>(starts + (<usize>k << 2));
    store<i32>(w, cur);
    let len = 1;
    let prev = -1;
    let wPrev: f64 = 0; // the weight of the arc prev → cur
    while (len < L) {
      const s = row(cur), e = row(cur + 1);
      const d = e - s;
      if (d == 0) break;
      let next: i32;
      if (!second || prev < 0) {
        const pos = firstOrder(s, d);
        next = nbr(pos);
        stepW = wt(pos);
      } else {
        const ps = row(prev), pe = row(prev + 1);
        let pos: i32;
        // w(cur, prev): the arc just taken when undirected; looked up when directed (0 if there is none)
        let wRet = wPrev;
        if (d <= exactMax) pos = exactStep(s, e, prev, ps, pe);
        else {
          if (directed) {
            const at = lowerBound(s, e, prev);
            wRet = at < e && nbr(at) == prev ? wt(at) : 0.0;
          }
          const W = weights ? load<f64>(rowW + (<usize>cur << 3)) : <f64>d;
          pos = rejectionStep(s, e, prev, ps, pe, wRet, W);
        }
        if (pos < 0) {
          next = prev;
          stepW = wRet;
        } else {
          next = nbr(pos);
          stepW = wt(pos);
        }
      }
      prev = cur;
      cur = next;
      wPrev = stepW;
      store<i32>(w + (<usize>len << 2), cur);
      len++;
    }
    store<i32>(lens + (<usize>k << 2), len);
    steps += len - 1;
  }
  const c = <usize>prm(params, WALK_COUNTS) + <usize>(12 * part);
  store<i32>(c, steps);
  store<i32>(c + 4, trials);
  store<i32>(c + 8, exactSteps);
}

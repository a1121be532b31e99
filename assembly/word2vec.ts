// ---- word2vec (skip-gram / CBOW with negative sampling), Hogwild over shared memory ---------------------------------
// Each participant trains its own slice of the token range with its own random stream; all write to the shared
// input (syn0) and output (syn1) matrices without locks, as in word2vec.c and gensim. The sigmoid comes from a
// table over [−6, 6] as in word2vec.c.
import { madd, prm, prmF32 } from "./common";
import {
  W2V_ALPHA0, W2V_ALPHA1, W2V_CBOW, W2V_COUNTS, W2V_DIM, W2V_EXP, W2V_EXP_SIZE, W2V_IDS, W2V_KEEP, W2V_MAX_EXP, W2V_NEGATIVE,
  W2V_SCRATCH, W2V_SCRATCH_BYTES, W2V_SEED, W2V_SENT_END, W2V_SHARED, W2V_SYN0, W2V_SYN1, W2V_T0, W2V_T1, W2V_TABLE,
  W2V_TABLE_SIZE, W2V_WINDOW,
} from "./abi";

const EXP_TABLE: i32 = W2V_EXP_SIZE;
const MAX_EXP: f32 = <f32>W2V_MAX_EXP;

@inline function dot(a: usize, b: usize, d: i32): f32 {
  // four independent accumulators hide the add latency
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  const d16 = d & ~15;
  let t = 0;
  for (; t < d16; t += 16) {
    const o = <usize>t << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    s1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), s1);
    s2 = madd(v128.load(a + o, 32), v128.load(b + o, 32), s2);
    s3 = madd(v128.load(a + o, 48), v128.load(b + o, 48), s3);
  }
  for (; t + 4 <= d; t += 4) s0 = madd(v128.load(a + (<usize>t << 2)), v128.load(b + (<usize>t << 2)), s0);
  const acc = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; t < d; t++) s += load<f32>(a + (<usize>t << 2)) * load<f32>(b + (<usize>t << 2));
  return s;
}

/** y += g·x over d floats. */
@inline function axpy(y: usize, g: f32, x: usize, d: i32): void {
  const gv = f32x4.splat(g);
  const d4 = d & ~3;
  let t = 0;
  for (; t < d4; t += 4) {
    const o = <usize>t << 2;
    v128.store(y + o, madd(gv, v128.load(x + o), v128.load(y + o)));
  }
  for (; t < d; t++) store<f32>(y + (<usize>t << 2), load<f32>(y + (<usize>t << 2)) + g * load<f32>(x + (<usize>t << 2)));
}

/**
 * One negative-sampling update of the hidden vector h (d floats): for the target and `negative` sampled words,
 * g = (label − σ(h·syn1[w]))·alpha; err += g·syn1[w]; syn1[w] += g·h. Returns the updated random state.
 */
@inline function negSample(h: usize, err: usize, target: i32, syn1: usize, d: i32, negative: i32, table: usize,
  tableSize: i32, expTable: usize, alpha: f32, rnd: u64): u64 {
  const rowBytes = <usize>d << 2;
  for (let k = 0; k <= negative; k++) {
    let w = target;
    let label: f32 = 1;
    if (k > 0) {
      rnd = rnd * 25214903917 + 11;
      // multiply-high instead of a 64-bit modulo
      w = load<i32>(table + (<usize>(<i32>(((rnd >> 16) & 0xffffffff) * <u64>tableSize >> 32)) << 2));
      if (w == target) continue;
      label = 0;
    }
    const out = syn1 + <usize>w * rowBytes;
    const f = dot(h, out, d);
    if (f >= MAX_EXP || f <= -MAX_EXP) continue; // saturated: no update (as gensim)
    const g: f32 = (label - load<f32>(expTable + (<usize>(<i32>((f + MAX_EXP) * (<f32>EXP_TABLE / MAX_EXP / 2))) << 2))) * alpha;
    axpy(err, g, out, d);
    axpy(out, g, h, d);
  }
  return rnd;
}


/**
 * Part `part` of `parts` of a word2vec training job described by the parameter block at `params` (W2V_* in
 * abi.ts). The part trains its slice of [t0, t1) with alpha decaying linearly from a0 to a1 over it.
 */
export function w2vTrainPart(params: usize, part: i32, parts: i32): void {
  const t0 = prm(params, W2V_T0), t1 = prm(params, W2V_T1);
  const s0 = t0 + <i32>(<i64>(t1 - t0) * part / parts);
  const s1 = t0 + <i32>(<i64>(t1 - t0) * (part + 1) / parts);
  const trained = w2vTrain(<usize>prm(params, W2V_IDS), <usize>prm(params, W2V_SENT_END), s0, s1, <usize>prm(params, W2V_KEEP),
    <usize>prm(params, W2V_SYN0), <usize>prm(params, W2V_SYN1), prm(params, W2V_DIM), prm(params, W2V_WINDOW), prm(params, W2V_NEGATIVE), <usize>prm(params, W2V_TABLE),
    prm(params, W2V_TABLE_SIZE), <usize>prm(params, W2V_EXP), prmF32(params, W2V_ALPHA0), prmF32(params, W2V_ALPHA1), prm(params, W2V_CBOW),
    prm(params, W2V_SEED) * 7919 + part, <usize>prm(params, W2V_SCRATCH) + <usize>prm(params, W2V_SCRATCH_BYTES) * <usize>part, prm(params, W2V_SHARED) != 0);
  store<i32>(<usize>prm(params, W2V_COUNTS) + (<usize>part << 2), trained);
}

/**
 * Bytes of scratch one participant of w2vTrainPart needs (W2V_SCRATCH_BYTES), for the layout in w2vTrain: h and err,
 * 2·window error rows of d floats, the g matrix, the context and target ids, and the longest subsampled sentence;
 * rounded up to 64 bytes.
 */
export function w2vScratchBytes(d: i32, window: i32, negative: i32, maxSentence: i32): i32 {
  const w2 = 2 * window;
  const bytes = 4 * d * (2 + w2) + 4 * w2 * (negative + 1) + 4 * w2 + 4 * (negative + 1) + 4 * maxSentence + 64;
  return (bytes + 63) / 64 * 64;
}

/**
 * Trains on tokens [t0, t1) of `ids`; alpha decays linearly from a0 at t0 to a1 at t1. Scratch: see the layout
 * below (w2vScratchBytes sizes it). Returns the number of (kept) tokens trained.
 */
function w2vTrain(ids: usize, sentEnd: usize, t0: i32, t1: i32, keep: usize, syn0: usize, syn1: usize, d: i32,
  window: i32, negative: i32, table: usize, tableSize: i32, expTable: usize, a0: f32, a1: f32, cbow: i32,
  seed: i32, scratch: usize, shared: bool): i32 {
  let rnd: u64 = <u64>seed * 0x9e3779b97f4a7c15 + 1;
  const rowBytes = <usize>d << 2;
  // scratch: h and err (d floats each), one error row per context word (2·window rows), the g matrix
  // (2·window x (negative + 1)), context and target ids, then the subsampled sentence
  const h = scratch;
  const err = scratch + rowBytes;
  const errs = scratch + 2 * rowBytes;
  const gm = errs + <usize>(2 * window) * rowBytes;
  const ctx = gm + (<usize>(2 * window * (negative + 1)) << 2);
  const tgt = ctx + (<usize>(2 * window) << 2);
  const sent = tgt + (<usize>(negative + 1) << 2);
  const span = <f32>max(1, t1 - t0);
  let trained = 0;
  let t = t0;
  while (t < t1) {
    const end = min(load<i32>(sentEnd + (<usize>t << 2)), t1);
    // subsample this sentence into sent[0..len)
    let len = 0;
    for (let u = t; u < end; u++) {
      const w = load<i32>(ids + (<usize>u << 2));
      rnd = rnd * 25214903917 + 11;
      if (<u32>((rnd >> 16) & 0xffffff) < load<u32>(keep + (<usize>w << 2))) {
        store<i32>(sent + (<usize>len << 2), w);
        len++;
      }
    }
    const alpha = a0 + (a1 - a0) * (<f32>(t - t0) / span);
    for (let i = 0; i < len; i++) {
      const center = load<i32>(sent + (<usize>i << 2));
      rnd = rnd * 25214903917 + 11;
      const b = <i32>((rnd >> 16) % <u64>window); // reduced window, as word2vec.c
      const lo = max(0, i - window + b);
      const hi = min(len - 1, i + window - b);
      if (cbow != 0) {
        memory.fill(h, 0, rowBytes);
        let cw = 0;
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          axpy(h, 1, syn0 + <usize>load<i32>(sent + (<usize>j << 2)) * rowBytes, d);
          cw++;
        }
        if (cw == 0) continue;
        const inv: f32 = 1 / <f32>cw;
        for (let c = 0; c < d; c++) store<f32>(h + (<usize>c << 2), load<f32>(h + (<usize>c << 2)) * inv);
        memory.fill(err, 0, rowBytes);
        rnd = negSample(h, err, center, syn1, d, negative, table, tableSize, expTable, alpha, rnd);
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          axpy(syn0 + <usize>load<i32>(sent + (<usize>j << 2)) * rowBytes, 1, err, d);
        }
      } else if (!shared) {
        // word2vec.c / gensim: each (context, centre) pair draws its own negatives
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          const inp = syn0 + <usize>load<i32>(sent + (<usize>j << 2)) * rowBytes;
          memory.fill(err, 0, rowBytes);
          rnd = negSample(inp, err, center, syn1, d, negative, table, tableSize, expTable, alpha, rnd);
          axpy(inp, 1, err, d);
        }
      } else {
        // the context words' input vectors predict the centre word against negatives drawn once per centre word and
        // shared by its window (Ji et al. 2016): fewer random rows of syn1 to fetch, the same gradient otherwise.
        // All products use the weights as they were before this window's update.
        let K = 0;
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          store<i32>(ctx + (<usize>K << 2), load<i32>(sent + (<usize>j << 2)));
          K++;
        }
        if (K == 0) { trained++; continue; }
        store<i32>(tgt, center);
        let T = 1;
        for (let q = 0; q < negative; q++) {
          rnd = rnd * 25214903917 + 11;
          const w = load<i32>(table + (<usize>(<i32>(((rnd >> 16) & 0xffffffff) * <u64>tableSize >> 32)) << 2));
          if (w == center) continue;
          store<i32>(tgt + (<usize>T << 2), w);
          T++;
        }
        // g[k][t] = (label − σ(x_k · y_t)) · alpha
        for (let k = 0; k < K; k++) {
          const xk = syn0 + <usize>load<i32>(ctx + (<usize>k << 2)) * rowBytes;
          for (let q = 0; q < T; q++) {
            const f = dot(xk, syn1 + <usize>load<i32>(tgt + (<usize>q << 2)) * rowBytes, d);
            const label: f32 = q == 0 ? 1 : 0;
            // outside (−6, 6) the sigmoid is saturated: no update (as gensim)
            const g: f32 = f >= MAX_EXP || f <= -MAX_EXP ? 0
              : (label - load<f32>(expTable + (<usize>(<i32>((f + MAX_EXP) * (<f32>EXP_TABLE / MAX_EXP / 2))) << 2))) * alpha;
            store<f32>(gm + (<usize>(k * T + q) << 2), g);
          }
        }
        // input errors from the old output vectors
        for (let k = 0; k < K; k++) {
          const ek = errs + <usize>k * rowBytes;
          memory.fill(ek, 0, rowBytes);
          for (let q = 0; q < T; q++) axpy(ek, load<f32>(gm + (<usize>(k * T + q) << 2)), syn1 + <usize>load<i32>(tgt + (<usize>q << 2)) * rowBytes, d);
        }
        // output updates from the old input vectors, then the inputs
        for (let q = 0; q < T; q++) {
          const yq = syn1 + <usize>load<i32>(tgt + (<usize>q << 2)) * rowBytes;
          for (let k = 0; k < K; k++) axpy(yq, load<f32>(gm + (<usize>(k * T + q) << 2)), syn0 + <usize>load<i32>(ctx + (<usize>k << 2)) * rowBytes, d);
        }
        for (let k = 0; k < K; k++) axpy(syn0 + <usize>load<i32>(ctx + (<usize>k << 2)) * rowBytes, 1, errs + <usize>k * rowBytes, d);
      }
      trained++;
    }
    t = end;
  }
  return trained;
}

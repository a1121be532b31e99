// word2vec's training loop in plain TypeScript: the route Word2Vec takes where the WebAssembly core is unavailable
// (no SIMD or no shared memory) or when the TypeScript route is forced (backend.ts). It is the algorithm of
// w2vTrainPart in assembly/word2vec.ts step for step — the same random stream (a 64-bit LCG, as word2vec.c), the same
// subsampling, reduced windows, negative draws and sigmoid table — so with one thread it gives the kernel's vectors up
// to float rounding (the kernel sums in f32 SIMD lanes, this in f64, rounded to f32 when stored).
import { W2V_EXP_SIZE, W2V_MAX_EXP } from "../../assembly/abi.js";

/** σ at W2V_EXP_SIZE points over [−W2V_MAX_EXP, W2V_MAX_EXP), as word2vec.c's expTable; both routes use it. */
export function sigmoidTable(): Float32Array {
  const t = new Float32Array(W2V_EXP_SIZE);
  for (let i = 0; i < W2V_EXP_SIZE; i++) {
    const x = Math.exp(((i / W2V_EXP_SIZE) * 2 - 1) * W2V_MAX_EXP);
    t[i] = x / (x + 1);
  }
  return t;
}

/** A 64-bit unsigned integer as two 32-bit halves. */
interface U64 {
  hi: number;
  lo: number;
}

/** a·b mod 2^64 (16-bit limbs, exact in doubles). */
function mul64(a: U64, bHi: number, bLo: number): void {
  const a0 = a.lo & 0xffff, a1 = a.lo >>> 16, a2 = a.hi & 0xffff, a3 = a.hi >>> 16;
  const b0 = bLo & 0xffff, b1 = bLo >>> 16, b2 = bHi & 0xffff, b3 = bHi >>> 16;
  let r0 = a0 * b0;
  let r1 = a1 * b0 + a0 * b1;
  let r2 = a2 * b0 + a1 * b1 + a0 * b2;
  let r3 = a3 * b0 + a2 * b1 + a1 * b2 + a0 * b3;
  r1 += Math.floor(r0 / 65536);
  r0 %= 65536;
  r2 += Math.floor(r1 / 65536);
  r1 %= 65536;
  r3 += Math.floor(r2 / 65536);
  r2 %= 65536;
  r3 %= 65536;
  a.lo = (r0 + r1 * 65536) >>> 0;
  a.hi = (r2 + r3 * 65536) >>> 0;
}

/** a + c mod 2^64 for a small non-negative c. */
function add64(a: U64, c: number): void {
  const lo = a.lo + c;
  a.lo = lo >>> 0;
  a.hi = (a.hi + Math.floor(lo / 4294967296)) >>> 0;
}

const LCG_HI = 0x5, LCG_LO = 0xdeece66d; // 25214903917
const GOLD_HI = 0x9e3779b9, GOLD_LO = 0x7f4a7c15;

/** word2vec.c's generator: rnd = rnd·25214903917 + 11 (mod 2^64). */
class Lcg {
  private s: U64;
  constructor(seed: number) {
    // <u64>seed (sign-extended i32) · 0x9e3779b97f4a7c15 + 1
    this.s = { hi: seed < 0 ? 0xffffffff : 0, lo: seed >>> 0 };
    mul64(this.s, GOLD_HI, GOLD_LO);
    add64(this.s, 1);
  }
  next(): void {
    mul64(this.s, LCG_HI, LCG_LO);
    add64(this.s, 11);
  }
  /** (rnd >> 16) & 0xffffff */
  bits24(): number {
    return ((this.s.lo >>> 16) | ((this.s.hi & 0xff) << 16)) >>> 0;
  }
  /** (rnd >> 16) mod m, the 48-bit shifted state reduced. */
  mod(m: number): number {
    return (this.s.hi * 65536 + (this.s.lo >>> 16)) % m;
  }
  /** (((rnd >> 16) & 0xffffffff) · size) >> 32: an index into a table of `size` entries. */
  index(size: number): number {
    const x = ((this.s.lo >>> 16) | (this.s.hi << 16)) >>> 0;
    const xh = x >>> 16, xl = x & 0xffff;
    const q = xh * size;
    return Math.floor(q / 65536) + Math.floor(((q % 65536) * 65536 + xl * size) / 4294967296);
  }
}

/** What one training job reads and updates: the corpus, the tables and the weights. */
export interface W2vJob {
  ids: Int32Array;
  sentEnd: Int32Array;
  keep: Uint32Array;
  syn0: Float32Array;
  syn1: Float32Array;
  dim: number;
  window: number;
  negative: number;
  table: Int32Array;
  expTable: Float32Array;
  cbow: boolean;
  shared: boolean;
}

const f32 = Math.fround;
const EXP_SCALE = f32(W2V_EXP_SIZE / W2V_MAX_EXP / 2);

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += a[ao + t]! * b[bo + t]!;
  return f32(s);
}

function axpy(y: Float32Array, yo: number, g: number, x: Float32Array, xo: number, d: number): void {
  for (let t = 0; t < d; t++) y[yo + t]! += g * x[xo + t]!;
}

/** σ-table gradient (label − σ(f))·alpha, or null where σ is saturated (no update, as gensim). */
function gradient(f: number, label: number, alpha: number, expTable: Float32Array): number | null {
  if (f >= W2V_MAX_EXP || f <= -W2V_MAX_EXP) return null;
  return f32((label - expTable[Math.trunc(f32(f32(f + W2V_MAX_EXP) * EXP_SCALE))]!) * alpha);
}

/**
 * Trains tokens [t0, t1) with alpha decaying linearly from a0 to a1, as one participant of w2vTrainPart with this
 * seed (the kernel's `seed·7919 + part`); returns the tokens trained.
 */
export function w2vTrainTs(job: W2vJob, t0: number, t1: number, a0: number, a1: number, seed: number): number {
  const { ids, sentEnd, keep, syn0, syn1, window, negative, table, expTable } = job;
  const d = job.dim;
  const tableSize = table.length;
  const rnd = new Lcg(seed | 0);
  const h = new Float32Array(d);
  const err = new Float32Array(d);
  const errs = new Float32Array(2 * window * d);
  const gm = new Float32Array(2 * window * (negative + 1));
  const ctx = new Int32Array(2 * window);
  const tgt = new Int32Array(negative + 1);
  const sent = new Int32Array(Math.max(1, t1 - t0));
  const span = f32(Math.max(1, t1 - t0));
  const a0f = f32(a0), a1f = f32(a1);

  // one negative-sampling update of the hidden vector hv (at ho): err += g·syn1[w], syn1[w] += g·hv
  const negSample = (hv: Float32Array, ho: number, target: number, alpha: number): void => {
    for (let k = 0; k <= negative; k++) {
      let w = target;
      let label = 1;
      if (k > 0) {
        rnd.next();
        w = table[rnd.index(tableSize)]!;
        if (w === target) continue;
        label = 0;
      }
      const out = w * d;
      const g = gradient(dot(hv, ho, syn1, out, d), label, alpha, expTable);
      if (g === null) continue;
      axpy(err, 0, g, syn1, out, d);
      axpy(syn1, out, g, hv, ho, d);
    }
  };

  let trained = 0;
  let t = t0;
  while (t < t1) {
    const end = Math.min(sentEnd[t]!, t1);
    let len = 0;
    for (let u = t; u < end; u++) {
      const w = ids[u]!;
      rnd.next();
      if (rnd.bits24() < keep[w]!) sent[len++] = w;
    }
    const alpha = f32(a0f + f32(f32(a1f - a0f) * f32(f32(t - t0) / span)));
    for (let i = 0; i < len; i++) {
      const center = sent[i]!;
      rnd.next();
      const b = rnd.mod(window); // reduced window, as word2vec.c
      const lo = Math.max(0, i - window + b);
      const hi = Math.min(len - 1, i + window - b);
      if (job.cbow) {
        h.fill(0);
        let cw = 0;
        for (let j = lo; j <= hi; j++) {
          if (j === i) continue;
          axpy(h, 0, 1, syn0, sent[j]! * d, d);
          cw++;
        }
        if (cw === 0) continue;
        const inv = f32(1 / cw);
        for (let c = 0; c < d; c++) h[c] = h[c]! * inv;
        err.fill(0);
        negSample(h, 0, center, alpha);
        for (let j = lo; j <= hi; j++) {
          if (j === i) continue;
          axpy(syn0, sent[j]! * d, 1, err, 0, d);
        }
      } else if (!job.shared) {
        // word2vec.c / gensim: each (context, centre) pair draws its own negatives
        for (let j = lo; j <= hi; j++) {
          if (j === i) continue;
          const inp = sent[j]! * d;
          err.fill(0);
          negSample(syn0, inp, center, alpha);
          axpy(syn0, inp, 1, err, 0, d);
        }
      } else {
        // negatives drawn once per centre word and shared by its window; products use the weights as they were
        // before this window's update (see the kernel)
        let K = 0;
        for (let j = lo; j <= hi; j++) if (j !== i) ctx[K++] = sent[j]!;
        if (K === 0) {
          trained++;
          continue;
        }
        tgt[0] = center;
        let T = 1;
        for (let q = 0; q < negative; q++) {
          rnd.next();
          const w = table[rnd.index(tableSize)]!;
          if (w === center) continue;
          tgt[T++] = w;
        }
        for (let k = 0; k < K; k++) {
          for (let q = 0; q < T; q++) {
            const g = gradient(dot(syn0, ctx[k]! * d, syn1, tgt[q]! * d, d), q === 0 ? 1 : 0, alpha, expTable);
            gm[k * T + q] = g ?? 0;
          }
        }
        for (let k = 0; k < K; k++) {
          errs.fill(0, k * d, (k + 1) * d);
          for (let q = 0; q < T; q++) axpy(errs, k * d, gm[k * T + q]!, syn1, tgt[q]! * d, d);
        }
        for (let q = 0; q < T; q++) {
          for (let k = 0; k < K; k++) axpy(syn1, tgt[q]! * d, gm[k * T + q]!, syn0, ctx[k]! * d, d);
        }
        for (let k = 0; k < K; k++) axpy(syn0, ctx[k]! * d, 1, errs, k * d, d);
      }
      trained++;
    }
    t = end;
  }
  return trained;
}

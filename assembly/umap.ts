// ---- UMAP: one epoch of SGD for 2-D maps (Hogwild over the edge list) -----------------------------------------------
import { prm, prmF64 } from "./common";
import {
  UMAP_A, UMAP_ALPHA, UMAP_B, UMAP_EDGE_HEADS, UMAP_EDGE_TAILS, UMAP_EPOCH, UMAP_EPOCHS_PER_NEGATIVE, UMAP_EPOCHS_PER_SAMPLE,
  UMAP_GAMMA, UMAP_HEAD, UMAP_MOVE_OTHER, UMAP_N_EDGES, UMAP_N_TAIL, UMAP_NEXT_NEGATIVE, UMAP_NEXT_SAMPLE, UMAP_POW_BINS,
  UMAP_POW_EMAX, UMAP_POW_EMIN, UMAP_POW_TABLES, UMAP_SEED, UMAP_TAIL,
} from "./abi";

/**
 * x^b for x > 0 from two 1025-entry tables at `tab` (log2(1 + i/1024), then 2^(i/1024)) with linear interpolation:
 * ~1e-7 relative error and short dependency chains (polynomials and divisions here were measured 3x slower).
 */
@inline function tablePow(x: f64, b: f64, tab: usize): f64 {
  const bits = reinterpret<i64>(x);
  const e = <f64>(<i32>(bits >>> 52) - 1023);
  const top = <i32>((bits >>> 42) & 1023);
  const frac = <f64>(bits & 0x3ffffffffff) * (1.0 / 4398046511104.0);
  const l0 = load<f64>(tab + (<usize>top << 3));
  const lg = e + l0 + frac * (load<f64>(tab + (<usize>top << 3), 8) - l0);
  const y = b * lg;
  const fl = Math.floor(y);
  const u = (y - fl) * 1024;
  const iu = <i32>u;
  const t = tab + 8200 + (<usize>iu << 3);
  const x0 = load<f64>(t);
  const p = x0 + (u - <f64>iu) * (load<f64>(t, 8) - x0);
  const n = <i32>fl;
  if (n < -1022) return 0;
  return p * reinterpret<f64>(<i64>(n + 1023) << 52);
}

/** Smallest and largest binary exponent of powTable's range. */
const POW_EMIN: i32 = UMAP_POW_EMIN;
const POW_EMAX: i32 = UMAP_POW_EMAX;

/**
 * x^b from a table over [2^POW_EMIN, 2^(POW_EMAX+1)) with 256 bins per octave (bits 52..44 of the double) and linear
 * interpolation, ~4e-7 relative error; tablePow outside that range.
 */
@inline function binnedPow(x: f64, b: f64, bins: usize, tab: usize): f64 {
  const bits = reinterpret<i64>(x);
  const idx = <i32>(bits >>> 44) - ((POW_EMIN + 1023) << 8);
  if (<u32>idx >= <u32>((POW_EMAX - POW_EMIN + 1) << 8)) return tablePow(x, b, tab);
  const frac = <f64>(bits & 0xfffffffffff) * (1.0 / 17592186044416.0);
  const p = bins + (<usize>idx << 3);
  const v0 = load<f64>(p);
  return v0 + frac * (load<f64>(p, 8) - v0);
}

@inline function clip4(v: f64): f64 {
  return v > 4 ? 4 : v < -4 ? -4 : v;
}

/**
 * Part `part` of `parts` of one UMAP epoch (2-D) over edges [0, nEdges). Parameter block: UMAP_* in abi.ts.
 * Coordinates and schedules are f64.
 */
export function umapEpochPart(params: usize, part: i32, parts: i32): void {
  const head = <usize>prm(params, UMAP_HEAD), tail = <usize>prm(params, UMAP_TAIL), nTail = prm(params, UMAP_N_TAIL);
  const H = <usize>prm(params, UMAP_EDGE_HEADS), T = <usize>prm(params, UMAP_EDGE_TAILS), eps = <usize>prm(params, UMAP_EPOCHS_PER_SAMPLE), epn = <usize>prm(params, UMAP_EPOCHS_PER_NEGATIVE);
  const nextS = <usize>prm(params, UMAP_NEXT_SAMPLE), nextN = <usize>prm(params, UMAP_NEXT_NEGATIVE), nEdges = prm(params, UMAP_N_EDGES), moveOther = prm(params, UMAP_MOVE_OTHER);
  const tab = <usize>prm(params, UMAP_POW_TABLES), bins = <usize>prm(params, UMAP_POW_BINS);
  const epoch = prmF64(params, UMAP_EPOCH), alpha = prmF64(params, UMAP_ALPHA), a = prmF64(params, UMAP_A);
  const b = prmF64(params, UMAP_B), gamma = prmF64(params, UMAP_GAMMA);
  let rnd: u64 = <u64>(prm(params, UMAP_SEED) * 2654435761 + part * 40503 + 1) * 0x9e3779b97f4a7c15 + 7;
  const s0 = <i32>(<i64>nEdges * part / parts);
  const s1 = <i32>(<i64>nEdges * (part + 1) / parts);
  for (let s = s0; s < s1; s++) {
    const so = <usize>s << 3;
    if (load<f64>(nextS + so) > epoch) continue;
    const j = load<i32>(H + (<usize>s << 2));
    const k = load<i32>(T + (<usize>s << 2));
    const hj = head + (<usize>j << 4);
    let x = load<f64>(hj), y = load<f64>(hj, 8);
    const tk = tail + (<usize>k << 4);
    const dx = x - load<f64>(tk), dy = y - load<f64>(tk, 8);
    const d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const pw = binnedPow(d2, b, bins, tab);
      const coef = (-2 * a * b * pw) / d2 / (a * pw + 1);
      const gx = clip4(coef * dx), gy = clip4(coef * dy);
      x += gx * alpha;
      y += gy * alpha;
      if (moveOther != 0) {
        store<f64>(tk, load<f64>(tk) - gx * alpha);
        store<f64>(tk, load<f64>(tk, 8) - gy * alpha, 8);
      }
    }
    store<f64>(nextS + so, load<f64>(nextS + so) + load<f64>(eps + so));
    const en = load<f64>(epn + so);
    const nNeg = <i32>Math.floor((epoch - load<f64>(nextN + so)) / en);
    // the negative samples all see the point where the positive step left it, so their (long-latency) pow and
    // divisions are independent and overlap; their moves are applied together
    let mx: f64 = 0, my: f64 = 0;
    for (let q = 0; q < nNeg; q++) {
      rnd = rnd * 6364136223846793005 + 1442695040888963407;
      const kk = <i32>(((rnd >> 32) * <u64>nTail) >> 32);
      const tq = tail + (<usize>kk << 4);
      const ex = x - load<f64>(tq), ey = y - load<f64>(tq, 8);
      const dd = ex * ex + ey * ey;
      if (dd > 0) {
        const coef = (2 * gamma * b) / ((0.001 + dd) * (a * binnedPow(dd, b, bins, tab) + 1));
        mx += clip4(coef * ex);
        my += clip4(coef * ey);
      }
    }
    x += mx * alpha;
    y += my * alpha;
    store<f64>(hj, x);
    store<f64>(hj, y, 8);
    store<f64>(nextN + so, load<f64>(nextN + so) + <f64>nNeg * en);
  }
}

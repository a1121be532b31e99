// Distances: squared row norms, k-nearest-neighbour selection from a block of inner products, exact f64 squared
// distances.
import {
  KNN_G, KNN_K, KNN_N, KNN_OUT_D, KNN_OUT_I, KNN_QN, KNN_ROWS, KNN_SELF_BASE, KNN_XN, ROWNORMS_A, ROWNORMS_COLS, ROWNORMS_LD,
  ROWNORMS_OUT, ROWNORMS_ROWS, SQDIST_D, SQDIST_I0, SQDIST_N, SQDIST_OUT, SQDIST_ROWS, SQDIST_X,
} from "./abi";
import { prm, sliceStart } from "./common";

/** Squared euclidean norm of each of the rows r0..r1 of a (rows x cols, row stride ld) into out[r]. */
function rowSqNorms(a: usize, ld: i32, cols: i32, r0: i32, r1: i32, out: usize): void {
  for (let r = r0; r < r1; r++) {
    const row = a + (<usize>(r * ld) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; j < cols; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      s += v * v;
    }
    store<f32>(out + (<usize>r << 2), s);
  }
}

// ---- k-nearest-neighbour selection -------------------------------------------------------------------------------

/** Sift d/j into the max-heap (size k, full) at hd/hi after replacing its root. */
@inline
function heapReplaceTop(hd: usize, hi: usize, k: i32, d: f32, j: i32): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= k) break;
    const r = l + 1;
    let big = l;
    if (r < k && load<f32>(hd + (<usize>r << 2)) > load<f32>(hd + (<usize>l << 2))) big = r;
    const bd = load<f32>(hd + (<usize>big << 2));
    if (bd <= d) break;
    store<f32>(hd + (<usize>c << 2), bd);
    store<i32>(hi + (<usize>c << 2), load<i32>(hi + (<usize>big << 2)));
    c = big;
  }
  store<f32>(hd + (<usize>c << 2), d);
  store<i32>(hi + (<usize>c << 2), j);
}

/**
 * For rows r0..r1 of the inner-product block g (rows x n, row stride n): the k smallest squared distances
 * d_j = qn[r] + xn[j] − 2·g[r, j] (skipping column selfBase + r when selfBase >= 0), as an unsorted max-heap in
 * outD/outI at row r·k. Needs n − (selfBase >= 0) >= k. Candidates are screened four at a time against the heap top.
 */
function knnSelect(g: usize, n: i32, xn: usize, qn: usize, k: i32, selfBase: i32,
  outD: usize, outI: usize, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const row = g + (<usize>r * <usize>n << 2);
    const hd = outD + (<usize>(r * k) << 2);
    const hi = outI + (<usize>(r * k) << 2);
    const q = load<f32>(qn + (<usize>r << 2));
    const skip = selfBase >= 0 ? selfBase + r : -1;
    let size = 0;
    let j = 0;
    // fill the heap with the first k candidates
    for (; j < n && size < k; j++) {
      if (j == skip) continue;
      const d = q + load<f32>(xn + (<usize>j << 2)) - 2 * load<f32>(row + (<usize>j << 2));
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const pd = load<f32>(hd + (<usize>p << 2));
        if (pd >= d) break;
        store<f32>(hd + (<usize>c << 2), pd);
        store<i32>(hi + (<usize>c << 2), load<i32>(hi + (<usize>p << 2)));
        c = p;
      }
      store<f32>(hd + (<usize>c << 2), d);
      store<i32>(hi + (<usize>c << 2), j);
    }
    const qv = f32x4.splat(q);
    const two = f32x4.splat(2);
    for (; j + 4 <= n; j += 4) {
      const dv = f32x4.sub(f32x4.add(qv, v128.load(xn + (<usize>j << 2))), f32x4.mul(two, v128.load(row + (<usize>j << 2))));
      if (!v128.any_true(f32x4.lt(dv, f32x4.splat(load<f32>(hd))))) continue;
      for (let t = 0; t < 4; t++) {
        const jj = j + t;
        if (jj == skip) continue;
        const d = q + load<f32>(xn + (<usize>jj << 2)) - 2 * load<f32>(row + (<usize>jj << 2));
        if (d < load<f32>(hd)) heapReplaceTop(hd, hi, k, d, jj);
      }
    }
    for (; j < n; j++) {
      if (j == skip) continue;
      const d = q + load<f32>(xn + (<usize>j << 2)) - 2 * load<f32>(row + (<usize>j << 2));
      if (d < load<f32>(hd)) heapReplaceTop(hd, hi, k, d, j);
    }
  }
}

// ---- exact squared distances (f64) -----------------------------------------------------------------------------------

/**
 * out[(i − i0)·n + j] = Σ_c (x_ic − x_jc)² for rows i in [r0, r1) against all n rows of X (f64, row-major n x d):
 * direct differences, so no cancellation, for the rank-based quality metrics. Two rows j per pass.
 */
function sqDistF64(X: usize, n: i32, d: i32, i0: i32, r0: i32, r1: i32, out: usize): void {
  const rb = <usize>d << 3;
  const d2 = d & ~1;
  for (let i = r0; i < r1; i++) {
    const xi = X + <usize>i * rb;
    const o = out + <usize>(i - i0) * (<usize>n << 3);
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const xa = X + <usize>j * rb, xb = xa + rb;
      let sa = f64x2.splat(0), sb = f64x2.splat(0);
      for (let c = 0; c < d2; c += 2) {
        const v = v128.load(xi + (<usize>c << 3));
        const da = f64x2.sub(v, v128.load(xa + (<usize>c << 3))), db = f64x2.sub(v, v128.load(xb + (<usize>c << 3)));
        sa = f64x2.add(sa, f64x2.mul(da, da));
        sb = f64x2.add(sb, f64x2.mul(db, db));
      }
      let ta = f64x2.extract_lane(sa, 0) + f64x2.extract_lane(sa, 1);
      let tb = f64x2.extract_lane(sb, 0) + f64x2.extract_lane(sb, 1);
      if (d2 < d) {
        const v = load<f64>(xi + (<usize>d2 << 3));
        const da = v - load<f64>(xa + (<usize>d2 << 3)), db = v - load<f64>(xb + (<usize>d2 << 3));
        ta += da * da;
        tb += db * db;
      }
      store<f64>(o + (<usize>j << 3), ta);
      store<f64>(o + (<usize>(j + 1) << 3), tb);
    }
    if (j < n) {
      const xa = X + <usize>j * rb;
      let t: f64 = 0;
      for (let c = 0; c < d; c++) {
        const da = load<f64>(xi + (<usize>c << 3)) - load<f64>(xa + (<usize>c << 3));
        t += da * da;
      }
      store<f64>(o + (<usize>j << 3), t);
    }
  }
}

/** Part `part` of `parts` of the squared row norms (ROWNORMS_* in abi.ts), split by rows. */
export function rowSqNormsPart(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, ROWNORMS_ROWS);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  if (r1 > r0) rowSqNorms(<usize>prm(params, ROWNORMS_A), prm(params, ROWNORMS_LD), prm(params, ROWNORMS_COLS), r0, r1, <usize>prm(params, ROWNORMS_OUT));
}

/** Part `part` of `parts` of a kNN selection (KNN_* in abi.ts), split by rows of the block. */
export function knnSelectPart(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, KNN_ROWS);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  if (r1 > r0) {
    knnSelect(<usize>prm(params, KNN_G), prm(params, KNN_N), <usize>prm(params, KNN_XN), <usize>prm(params, KNN_QN), prm(params, KNN_K),
      prm(params, KNN_SELF_BASE), <usize>prm(params, KNN_OUT_D), <usize>prm(params, KNN_OUT_I), r0, r1);
  }
}

/** Part `part` of `parts` of the exact distances of rows i0 .. i0 + rows (SQDIST_* in abi.ts), split by rows. */
export function sqDistF64Part(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, SQDIST_ROWS), i0 = prm(params, SQDIST_I0);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  if (r1 > r0) {
    sqDistF64(<usize>prm(params, SQDIST_X), prm(params, SQDIST_N), prm(params, SQDIST_D), i0, i0 + r0, i0 + r1, <usize>prm(params, SQDIST_OUT));
  }
}

// Column statistics and centring of a row-major f32 matrix, the passes over the data that PCA makes before its
// products: column sums in f64 with the largest magnitude (one pass), then X − mean with the sum of squares of the
// result (one pass, in f64 and rounded once to f32, as the TypeScript fallback does). Both split by rows.
import {
  CENTER_COLS, CENTER_DST, CENTER_MEAN, CENTER_OUT, CENTER_ROWS, CENTER_SRC, COLSTATS_COLS, COLSTATS_OUT, COLSTATS_ROWS,
  COLSTATS_X,
} from "./abi";
import { prm, sliceStart } from "./common";

/** Part `part` of `parts` of the column sums and max |x| (COLSTATS_* in abi.ts): rows r0..r1 into its own slice. */
export function colStatsPart(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, COLSTATS_ROWS), cols = prm(params, COLSTATS_COLS);
  const x = <usize>prm(params, COLSTATS_X);
  const out = <usize>prm(params, COLSTATS_OUT) + (<usize>part * <usize>(cols + 1) << 3);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  memory.fill(out, 0, <usize>(cols + 1) << 3);
  const cols4 = cols & ~3;
  let mx = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const row = x + (<usize>r * <usize>cols << 2);
    let j = 0;
    for (; j < cols4; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      mx = f32x4.max(mx, f32x4.abs(v));
      const o = out + (<usize>j << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.promote_low_f32x4(v)));
      v128.store(o + 16, f64x2.add(v128.load(o + 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))));
    }
    for (; j < cols; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      const a = abs<f32>(v);
      // NaN compares false: it reaches the sums, which the caller checks
      if (a > f32x4.extract_lane(mx, 0)) mx = f32x4.replace_lane(mx, 0, a);
      const o = out + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + <f64>v);
    }
  }
  const m = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
  store<f64>(out + (<usize>cols << 3), <f64>m);
}

/** Part `part` of `parts` of dst = src − mean (CENTER_* in abi.ts), with the f64 sum of squares of its rows. */
export function centerPart(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, CENTER_ROWS), cols = prm(params, CENTER_COLS);
  const src = <usize>prm(params, CENTER_SRC), dst = <usize>prm(params, CENTER_DST);
  const mean = <usize>prm(params, CENTER_MEAN);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  const cols4 = cols & ~3;
  let ss = f64x2.splat(0);
  let ssTail: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const off = <usize>r * <usize>cols << 2;
    const s = src + off, d = dst + off;
    let j = 0;
    for (; j < cols4; j += 4) {
      const v = v128.load(s + (<usize>j << 2));
      const m = mean + (<usize>j << 3);
      const lo = f64x2.sub(f64x2.promote_low_f32x4(v), v128.load(m));
      const hi = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), v128.load(m + 16));
      const c = f32x4.demote_f64x2_zero(lo);
      const ch = f32x4.demote_f64x2_zero(hi);
      v128.store(d + (<usize>j << 2), i32x4.shuffle(c, ch, 0, 1, 4, 5));
      ss = f64x2.add(ss, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
    }
    for (; j < cols; j++) {
      const c = <f64>load<f32>(s + (<usize>j << 2)) - load<f64>(mean + (<usize>j << 3));
      store<f32>(d + (<usize>j << 2), <f32>c);
      ssTail += c * c;
    }
  }
  store<f64>(<usize>prm(params, CENTER_OUT) + (<usize>part << 3), f64x2.extract_lane(ss, 0) + f64x2.extract_lane(ss, 1) + ssTail);
}

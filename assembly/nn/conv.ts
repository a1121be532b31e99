// Convolution kernels of the neural engine (src/nn/ops/conv2d.ts, conv-transpose2d.ts): im2col into columns whose rows
// are (c, ki, kj) and whose columns are the batch's output pixels, so that the GEMM's big operand is A (packed by every
// thread for its own rows) and the weights are B; col2im back from the same layout; image-wise transposes between
// NCHW and rows of pixels (the GEMM's output layout) with the bias added in the same pass, and NCHW to channel-major
// [C, N·H·W] (the backward's layout) with the channel sums taken in the same pass.
// Every job splits over images: no two parts write the same value, so results do not depend on the thread count.
import {
  NNCONV_C, NNCONV_COL, NNCONV_H, NNCONV_HO, NNCONV_KH, NNCONV_KW, NNCONV_N, NNCONV_PH, NNCONV_PW, NNCONV_SH, NNCONV_SW,
  NNCONV_W, NNCONV_WO, NNCONV_X, NNTR_BIAS, NNTR_C, NNTR_DST, NNTR_HW, NNTR_N, NNTR_SRC, NNTR_SUMS,
} from "../abi";
import { prm, sliceStart } from "../common";

/** First output index o ≥ 0 with o·s + off ≥ 0. */
@inline function firstValid(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (-off + s - 1) / s;
}

/** One past the last output index o < limit with o·s + off < size. */
@inline function endValid(off: i32, s: i32, size: i32, limit: i32): i32 {
  const num = size - 1 - off;
  return num < 0 ? 0 : min(limit, num / s + 1);
}

/** n zero floats at dst (rows of an image are short: stores, and memory.fill only for long ones). */
@inline function zeroFloats(dst: usize, n: i32): void {
  if (n >= 64) {
    memory.fill(dst, 0, <usize>n << 2);
    return;
  }
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/**
 * Columns [C·kh·kw, N·Ho·Wo] of x [N, C, H, W]: entry ((c·kh + ki)·kw + kj, (n·Ho + oy)·Wo + ox) is
 * x[n, c, oy·sh + ki − ph, ox·sw + kj − pw], 0 in the padding. Parts take images.
 */
export function nnIm2colPart(params: usize, part: i32, parts: i32): void {
  const N = prm(params, NNCONV_N);
  const n0 = sliceStart(N, part, parts, 1), n1 = sliceStart(N, part + 1, parts, 1);
  const x = <usize>prm(params, NNCONV_X), col = <usize>prm(params, NNCONV_COL);
  const C = prm(params, NNCONV_C), H = prm(params, NNCONV_H), W = prm(params, NNCONV_W);
  const kh = prm(params, NNCONV_KH), kw = prm(params, NNCONV_KW);
  const sh = prm(params, NNCONV_SH), sw = prm(params, NNCONV_SW);
  const ph = prm(params, NNCONV_PH), pw = prm(params, NNCONV_PW);
  const Ho = prm(params, NNCONV_HO), Wo = prm(params, NNCONV_WO);
  const npix = <usize>N * <usize>Ho * <usize>Wo;
  // row by row of the columns, images inside: each row's share of the part is written as one sequential stream
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const r = (c * kh + ki) * kw + kj;
        const lo = firstValid(kj - pw, sw), hi = max(lo, endValid(kj - pw, sw, W, Wo));
        for (let n = n0; n < n1; n++) {
          const plane = x + ((<usize>(n * C + c) * <usize>H * <usize>W) << 2);
          let dst = col + ((<usize>r * npix + <usize>n * <usize>Ho * <usize>Wo) << 2);
          for (let oy = 0; oy < Ho; oy++) {
            const iy = oy * sh + ki - ph;
            if (iy < 0 || iy >= H) {
              zeroFloats(dst, Wo);
            } else {
              // the padding at the ends of a row is a few floats: stores, not a memory.fill call each
              for (let i = 0; i < lo; i++) store<f32>(dst + (<usize>i << 2), 0);
              for (let i = hi; i < Wo; i++) store<f32>(dst + (<usize>i << 2), 0);
              const src = plane + (<usize>(iy * W) << 2);
              if (sw == 1) {
                const s = src + (<usize>(lo + kj - pw) << 2);
                const d = dst + (<usize>lo << 2);
                const len = hi - lo;
                let i = 0;
                for (; i + 4 <= len; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
                for (; i < len; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
              } else {
                for (let ox = lo; ox < hi; ox++) {
                  store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>(ox * sw + kj - pw) << 2)));
                }
              }
            }
            dst += <usize>Wo << 2;
          }
        }
      }
    }
  }
}

/** dst [cols, rows] = srcᵀ for src [rows, cols] (row-major), by 4×4 SIMD tiles. */
function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  const ls = <usize>cols << 2, ld = <usize>rows << 2;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const s = src + <usize>i * ls + (<usize>j << 2);
      const r0 = v128.load(s), r1 = v128.load(s + ls), r2 = v128.load(s + 2 * ls), r3 = v128.load(s + 3 * ls);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>j * ld + (<usize>i << 2);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + ld, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * ld, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * ld, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; j < cols; j++) {
      for (let ii = i; ii < i + 4; ii++) {
        store<f32>(dst + <usize>j * ld + (<usize>ii << 2), load<f32>(src + <usize>ii * ls + (<usize>j << 2)));
      }
    }
  }
  for (; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + <usize>j * ld + (<usize>i << 2), load<f32>(src + <usize>i * ls + (<usize>j << 2)));
    }
  }
}

/** plane[i] += b for i < n. */
@inline function addScalar(plane: usize, b: f32, n: i32): void {
  const bv = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = plane + (<usize>i << 2);
    v128.store(p, f32x4.add(v128.load(p), bv));
  }
  for (; i < n; i++) {
    const p = plane + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + b);
  }
}

/**
 * Rows [N, HW, C] to NCHW [N, C, HW] (dst; with dst 0, src is NCHW and is only biased in place), plus bias[c] on every
 * plane when bias is not 0. Parts take images.
 */
export function nnBiasNchwPart(params: usize, part: i32, parts: i32): void {
  const N = prm(params, NNTR_N);
  const n0 = sliceStart(N, part, parts, 1), n1 = sliceStart(N, part + 1, parts, 1);
  const src = <usize>prm(params, NNTR_SRC), dst = <usize>prm(params, NNTR_DST), bias = <usize>prm(params, NNTR_BIAS);
  const C = prm(params, NNTR_C), HW = prm(params, NNTR_HW);
  const img = (<usize>C * <usize>HW) << 2;
  for (let n = n0; n < n1; n++) {
    let out = src + <usize>n * img;
    if (dst != 0) {
      out = dst + <usize>n * img;
      transpose(src + <usize>n * img, HW, C, out);
    }
    if (bias != 0) {
      for (let c = 0; c < C; c++) addScalar(out + (<usize>(c * HW) << 2), load<f32>(bias + (<usize>c << 2)), HW);
    }
  }
}

/**
 * x [N, C, H, W] = the sum of the columns colT [C·kh·kw, N·Ho·Wo] onto the pixels im2col took them from (im2col's
 * adjoint, in its layout: the rows are added as shifted row segments, 4 floats at a time for stride 1); x is
 * overwritten. Parts take images.
 */
export function nnCol2imColsPart(params: usize, part: i32, parts: i32): void {
  const N = prm(params, NNCONV_N);
  const n0 = sliceStart(N, part, parts, 1), n1 = sliceStart(N, part + 1, parts, 1);
  const x = <usize>prm(params, NNCONV_X), col = <usize>prm(params, NNCONV_COL);
  const C = prm(params, NNCONV_C), H = prm(params, NNCONV_H), W = prm(params, NNCONV_W);
  const kh = prm(params, NNCONV_KH), kw = prm(params, NNCONV_KW);
  const sh = prm(params, NNCONV_SH), sw = prm(params, NNCONV_SW);
  const ph = prm(params, NNCONV_PH), pw = prm(params, NNCONV_PW);
  const Ho = prm(params, NNCONV_HO), Wo = prm(params, NNCONV_WO);
  const npix = <usize>N * <usize>Ho * <usize>Wo;
  const img = (<usize>C * <usize>H * <usize>W) << 2;
  memory.fill(x + <usize>n0 * img, 0, <usize>(n1 - n0) * img);
  // row by row of the columns (read as one sequential stream per row), images inside
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const r = (c * kh + ki) * kw + kj;
        const lo = firstValid(kj - pw, sw), hi = max(lo, endValid(kj - pw, sw, W, Wo));
        for (let n = n0; n < n1; n++) {
          const plane = x + ((<usize>(n * C + c) * <usize>H * <usize>W) << 2);
          let src = col + ((<usize>r * npix + <usize>n * <usize>Ho * <usize>Wo) << 2);
          for (let oy = 0; oy < Ho; oy++, src += <usize>Wo << 2) {
            const iy = oy * sh + ki - ph;
            if (iy < 0 || iy >= H) continue;
            const dst = plane + (<usize>(iy * W) << 2);
            if (sw == 1) {
              const d = dst + (<usize>(lo + kj - pw) << 2);
              const s = src + (<usize>lo << 2);
              const len = hi - lo;
              let i = 0;
              for (; i + 4 <= len; i += 4) {
                const o = <usize>i << 2;
                v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
              }
              for (; i < len; i++) {
                const o = <usize>i << 2;
                store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
              }
            } else {
              for (let ox = lo; ox < hi; ox++) {
                const d = dst + (<usize>(ox * sw + kj - pw) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * NCHW [N, C, HW] (src) to channel-major [C, N·HW] (dst, unless 0: every plane copied whole), and the per-image
 * channel sums sums[n·C + c] (unless sums is 0). Parts take images.
 */
export function nnNchwToCnhwPart(params: usize, part: i32, parts: i32): void {
  const N = prm(params, NNTR_N);
  const n0 = sliceStart(N, part, parts, 1), n1 = sliceStart(N, part + 1, parts, 1);
  const src = <usize>prm(params, NNTR_SRC), dst = <usize>prm(params, NNTR_DST), sums = <usize>prm(params, NNTR_SUMS);
  const C = prm(params, NNTR_C), HW = prm(params, NNTR_HW);
  const plane = <usize>HW << 2;
  for (let n = n0; n < n1; n++) {
    for (let c = 0; c < C; c++) {
      const p = src + <usize>(n * C + c) * plane;
      if (dst != 0) memory.copy(dst + (<usize>c * <usize>N + <usize>n) * plane, p, plane);
      if (sums != 0) {
        let acc = f32x4.splat(0);
        let i = 0;
        for (; i + 4 <= HW; i += 4) acc = f32x4.add(acc, v128.load(p + (<usize>i << 2)));
        let t: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
        for (; i < HW; i++) t += load<f32>(p + (<usize>i << 2));
        store<f32>(sums + (<usize>(n * C + c) << 2), t);
      }
    }
  }
}

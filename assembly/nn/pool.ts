// Pooling kernels of the neural engine (src/nn/ops/pool2d.ts) over N·C planes of NCHW tensors: max pooling with the
// argmax of every window kept (an i32 index in its input plane) for the backward, average pooling with PyTorch's
// count_include_pad=True (the divisor is always kh·kw). Parts take planes.
import {
  NNPOOL_H, NNPOOL_HO, NNPOOL_IDX, NNPOOL_KH, NNPOOL_KW, NNPOOL_PH, NNPOOL_PLANES, NNPOOL_PW, NNPOOL_SH, NNPOOL_SW,
  NNPOOL_W, NNPOOL_WO, NNPOOL_X, NNPOOL_Y,
} from "../abi";
import { prm, sliceStart } from "../common";

/** 2×2 windows with stride 2 and no padding, four outputs at a time. */
function maxPool2x2(x: usize, y: usize, idx: usize, H: i32, W: i32, Ho: i32, Wo: i32): void {
  const step = i32x4(0, 2, 4, 6);
  for (let oy = 0; oy < Ho; oy++) {
    const r0 = x + (<usize>(2 * oy * W) << 2), r1 = r0 + (<usize>W << 2);
    const yo = y + (<usize>(oy * Wo) << 2), io = idx + (<usize>(oy * Wo) << 2);
    let ox = 0;
    for (; ox + 4 <= Wo; ox += 4) {
      const o = <usize>(2 * ox) << 2;
      const p0 = v128.load(r0 + o), p1 = v128.load(r0 + o, 16);
      const q0 = v128.load(r1 + o), q1 = v128.load(r1 + o, 16);
      const a = v128.shuffle<f32>(p0, p1, 0, 2, 4, 6), b = v128.shuffle<f32>(p0, p1, 1, 3, 5, 7);
      const c = v128.shuffle<f32>(q0, q1, 0, 2, 4, 6), d = v128.shuffle<f32>(q0, q1, 1, 3, 5, 7);
      const ia = i32x4.add(i32x4.splat(2 * oy * W + 2 * ox), step);
      let best = a, bi = ia;
      // PyTorch's rule: a later value wins if it is greater, or NaN
      let m = v128.or(f32x4.gt(b, best), f32x4.ne(b, b));
      best = v128.bitselect(b, best, m);
      bi = v128.bitselect(i32x4.add(ia, i32x4.splat(1)), bi, m);
      m = v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
      best = v128.bitselect(c, best, m);
      bi = v128.bitselect(i32x4.add(ia, i32x4.splat(W)), bi, m);
      m = v128.or(f32x4.gt(d, best), f32x4.ne(d, d));
      best = v128.bitselect(d, best, m);
      bi = v128.bitselect(i32x4.add(ia, i32x4.splat(W + 1)), bi, m);
      v128.store(yo + (<usize>ox << 2), best);
      v128.store(io + (<usize>ox << 2), bi);
    }
    for (; ox < Wo; ox++) {
      let bi = 2 * oy * W + 2 * ox;
      let best = load<f32>(x + (<usize>bi << 2));
      for (let k = 1; k < 4; k++) {
        const j = 2 * oy * W + 2 * ox + (k >> 1) * W + (k & 1);
        const v = load<f32>(x + (<usize>j << 2));
        if (v > best || v != v) {
          best = v;
          bi = j;
        }
      }
      store<f32>(yo + (<usize>ox << 2), best);
      store<i32>(io + (<usize>ox << 2), bi);
    }
  }
}

/** y [planes, Ho, Wo] = window maxima of x [planes, H, W] (padding counts as −∞), idx their index in the plane. */
export function nnMaxPoolPart(params: usize, part: i32, parts: i32): void {
  const P = prm(params, NNPOOL_PLANES);
  const p0 = sliceStart(P, part, parts, 1), p1 = sliceStart(P, part + 1, parts, 1);
  const x = <usize>prm(params, NNPOOL_X), y = <usize>prm(params, NNPOOL_Y), idx = <usize>prm(params, NNPOOL_IDX);
  const H = prm(params, NNPOOL_H), W = prm(params, NNPOOL_W);
  const kh = prm(params, NNPOOL_KH), kw = prm(params, NNPOOL_KW);
  const sh = prm(params, NNPOOL_SH), sw = prm(params, NNPOOL_SW);
  const ph = prm(params, NNPOOL_PH), pw = prm(params, NNPOOL_PW);
  const Ho = prm(params, NNPOOL_HO), Wo = prm(params, NNPOOL_WO);
  const fast = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  for (let p = p0; p < p1; p++) {
    const xp = x + ((<usize>p * <usize>H * <usize>W) << 2);
    const yp = y + ((<usize>p * <usize>Ho * <usize>Wo) << 2);
    const ip = idx + ((<usize>p * <usize>Ho * <usize>Wo) << 2);
    if (fast) {
      maxPool2x2(xp, yp, ip, H, W, Ho, Wo);
      continue;
    }
    for (let oy = 0; oy < Ho; oy++) {
      const y0 = max(0, oy * sh - ph), y1 = min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < Wo; ox++) {
        const x0 = max(0, ox * sw - pw), x1 = min(W, ox * sw - pw + kw);
        let best: f32 = -Infinity;
        let bi = y0 * W + x0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = load<f32>(xp + (<usize>(iy * W + ix) << 2));
            if (v > best || v != v) {
              best = v;
              bi = iy * W + ix;
            }
          }
        }
        const o = <usize>(oy * Wo + ox) << 2;
        store<f32>(yp + o, best);
        store<i32>(ip + o, bi);
      }
    }
  }
}

/** dx [planes, H, W] = the output gradient y [planes, Ho, Wo] routed to each window's argmax (dx overwritten). */
export function nnMaxPoolBackPart(params: usize, part: i32, parts: i32): void {
  const P = prm(params, NNPOOL_PLANES);
  const p0 = sliceStart(P, part, parts, 1), p1 = sliceStart(P, part + 1, parts, 1);
  const dx = <usize>prm(params, NNPOOL_X), g = <usize>prm(params, NNPOOL_Y), idx = <usize>prm(params, NNPOOL_IDX);
  const hw = <usize>prm(params, NNPOOL_H) * <usize>prm(params, NNPOOL_W);
  const ohw = prm(params, NNPOOL_HO) * prm(params, NNPOOL_WO);
  for (let p = p0; p < p1; p++) {
    const xp = dx + ((<usize>p * hw) << 2);
    memory.fill(xp, 0, hw << 2);
    const gp = g + ((<usize>p * <usize>ohw) << 2), ip = idx + ((<usize>p * <usize>ohw) << 2);
    for (let i = 0; i < ohw; i++) {
      const d = xp + (<usize>load<i32>(ip + (<usize>i << 2)) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(gp + (<usize>i << 2)));
    }
  }
}

/** y [planes, Ho, Wo] = window means of x [planes, H, W], the padding counted as zeros. */
export function nnAvgPoolPart(params: usize, part: i32, parts: i32): void {
  const P = prm(params, NNPOOL_PLANES);
  const p0 = sliceStart(P, part, parts, 1), p1 = sliceStart(P, part + 1, parts, 1);
  const x = <usize>prm(params, NNPOOL_X), y = <usize>prm(params, NNPOOL_Y);
  const H = prm(params, NNPOOL_H), W = prm(params, NNPOOL_W);
  const kh = prm(params, NNPOOL_KH), kw = prm(params, NNPOOL_KW);
  const sh = prm(params, NNPOOL_SH), sw = prm(params, NNPOOL_SW);
  const ph = prm(params, NNPOOL_PH), pw = prm(params, NNPOOL_PW);
  const Ho = prm(params, NNPOOL_HO), Wo = prm(params, NNPOOL_WO);
  const inv: f32 = 1 / <f32>(kh * kw);
  for (let p = p0; p < p1; p++) {
    const xp = x + ((<usize>p * <usize>H * <usize>W) << 2);
    const yp = y + ((<usize>p * <usize>Ho * <usize>Wo) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      const y0 = max(0, oy * sh - ph), y1 = min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < Wo; ox++) {
        const x0 = max(0, ox * sw - pw), x1 = min(W, ox * sw - pw + kw);
        let s: f32 = 0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) s += load<f32>(xp + (<usize>(iy * W + ix) << 2));
        }
        store<f32>(yp + (<usize>(oy * Wo + ox) << 2), s * inv);
      }
    }
  }
}

/** dx [planes, H, W] = the output gradient y spread evenly over each window (dx overwritten). */
export function nnAvgPoolBackPart(params: usize, part: i32, parts: i32): void {
  const P = prm(params, NNPOOL_PLANES);
  const p0 = sliceStart(P, part, parts, 1), p1 = sliceStart(P, part + 1, parts, 1);
  const dx = <usize>prm(params, NNPOOL_X), g = <usize>prm(params, NNPOOL_Y);
  const H = prm(params, NNPOOL_H), W = prm(params, NNPOOL_W);
  const kh = prm(params, NNPOOL_KH), kw = prm(params, NNPOOL_KW);
  const sh = prm(params, NNPOOL_SH), sw = prm(params, NNPOOL_SW);
  const ph = prm(params, NNPOOL_PH), pw = prm(params, NNPOOL_PW);
  const Ho = prm(params, NNPOOL_HO), Wo = prm(params, NNPOOL_WO);
  const inv: f32 = 1 / <f32>(kh * kw);
  for (let p = p0; p < p1; p++) {
    const xp = dx + ((<usize>p * <usize>H * <usize>W) << 2);
    memory.fill(xp, 0, (<usize>H * <usize>W) << 2);
    const gp = g + ((<usize>p * <usize>Ho * <usize>Wo) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      const y0 = max(0, oy * sh - ph), y1 = min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < Wo; ox++) {
        const x0 = max(0, ox * sw - pw), x1 = min(W, ox * sw - pw + kw);
        const v = load<f32>(gp + (<usize>(oy * Wo + ox) << 2)) * inv;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const d = xp + (<usize>(iy * W + ix) << 2);
            store<f32>(d, load<f32>(d) + v);
          }
        }
      }
    }
  }
}

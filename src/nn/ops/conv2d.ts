// conv2d: x [N, C, H, W] (NCHW), weight [O, C, kh, kw], bias [O] or null; stride and zero padding.
//
// Forward, by im2col + GEMM: the columns colT [C·kh·kw, N·Ho·Wo] hold, for every output pixel of the batch, the input
// values its kernel window sees (row (c, ki, kj), column (n, oy, ox)); rows of the result Yr [N·Ho·Wo, O] = colTᵀ·Wᵀ
// are one GEMM over the whole batch, with the big operand as A (every thread packs its own rows) and the weights as B
// (packed once, small); one image-wise transpose pass then writes NCHW and adds the bias.
// Backward: the output gradient goes channel-major, gC [O, N·Ho·Wo] (plane copies; the same pass takes the per-image
// channel sums that make db); dWᵀ [C·kh·kw, O] = colT·gCᵀ (one GEMM whose k runs over the whole batch, accumulated
// chunk by chunk when the columns are computed in chunks), dcolT [C·kh·kw, N·Ho·Wo] = Wᵀ·gC, and col2im, in the columns'
// own layout (shifted row segments, SIMD), sums dcolT back onto dx.
// The columns of a batch are kept for the backward when they fit in `maxColumnFloats`; beyond that the batch runs in
// chunks of images (each still a GEMM of thousands of rows) and the backward computes each chunk's columns again. The
// backward reuses the forward's scratch (dcolT goes into the columns once dW has them, gC into the GEMM's rows), so a
// layer holds one chunk's columns and rows besides its output and gradients.
//
// The helpers below (geometry, im2col, col2im, the transposes) are shared with convTranspose2d, which is this op's
// input gradient as a forward pass.
import {
  NNCONV_C, NNCONV_COL, NNCONV_H, NNCONV_HO, NNCONV_KH, NNCONV_KW, NNCONV_N, NNCONV_PH, NNCONV_PW, NNCONV_SH, NNCONV_SW,
  NNCONV_W, NNCONV_WO, NNCONV_X, NNTR_BIAS, NNTR_C, NNTR_DST, NNTR_HW, NNTR_N, NNTR_SRC, NNTR_SUMS,
} from "../../../assembly/abi.js";
import { partsFor } from "../../core/backend.js";
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import type { WasmCore } from "../../core/wasm/runtime.js";
import { isGradEnabled, record } from "../autograd.js";
import { gemmInto } from "../gemm.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  /**
   * Largest im2col buffer (floats) made at once, default 2^22 (16 MB): a batch whose columns fit is one GEMM and
   * keeps its columns for the backward; a larger one runs in chunks of images (W4's second conv: 25 images a chunk,
   * no slower than one chunk of 128 in our measurements, and 85 MB less memory).
   */
  maxColumnFloats?: number;
}

export const DEFAULT_MAX_COLUMN_FLOATS = 1 << 22;

/** A (stride or padding …) option as [rows, cols]: a number, or a pair of integers ≥ min. */
export function pair(op: string, name: string, v: number | readonly [number, number] | undefined, dflt: number,
  min: number): [number, number] {
  const p: readonly unknown[] = v === undefined ? [dflt, dflt] : typeof v === "number" ? [v, v] : Array.isArray(v) ? v : [v];
  if (p.length !== 2 || !p.every((d) => Number.isInteger(d) && (d as number) >= min)) {
    fail(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${describeValue(v)}`);
  }
  return [p[0] as number, p[1] as number];
}

/** The shape of one convolution: input [n, c, h, w], kernel kh×kw, stride, padding, output ho×wo. */
export interface ConvGeom {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
  ho: number; wo: number;
}

/** The first sizeOf(shape) floats of a flat buffer, as a tensor of that shape (a chunk's share of a reused buffer). */
export function part(buf: Tensor, shape: readonly number[]): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return buf.rows(0, n).view(shape);
}

/** The same geometry over images [n0, n0 + n). */
export function withImages(g: ConvGeom, n: number): ConvGeom {
  return { ...g, n };
}

/** Images per chunk so that a chunk's columns (c·kh·kw × n·ho·wo floats) stay within maxFloats (at least one image). */
export function imagesPerChunk(g: ConvGeom, maxFloats: number): number {
  const perImage = g.c * g.kh * g.kw * g.ho * g.wo;
  return Math.max(1, Math.min(g.n, Math.floor(maxFloats / Math.max(1, perImage))));
}

function runConv(core: WasmCore, kernel: "nnIm2colPart" | "nnCol2imColsPart", x: number, col: number, g: ConvGeom): void {
  const p = core.callBlock().set(NNCONV_X, x).set(NNCONV_COL, col).set(NNCONV_N, g.n).set(NNCONV_C, g.c)
    .set(NNCONV_H, g.h).set(NNCONV_W, g.w).set(NNCONV_KH, g.kh).set(NNCONV_KW, g.kw).set(NNCONV_SH, g.sh)
    .set(NNCONV_SW, g.sw).set(NNCONV_PH, g.ph).set(NNCONV_PW, g.pw).set(NNCONV_HO, g.ho).set(NNCONV_WO, g.wo);
  core.run(kernel, p.ptr, partsFor(core, "nn", g.n * g.c * g.kh * g.kw * g.ho * g.wo));
}

/** First output index o ≥ 0 with o·s + off ≥ 0, and one past the last with o·s + off < size (at most limit). */
function validRange(off: number, s: number, size: number, limit: number): [number, number] {
  const lo = off >= 0 ? 0 : Math.ceil(-off / s);
  const num = size - 1 - off;
  const hi = num < 0 ? 0 : Math.min(limit, Math.floor(num / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/** Writes the columns colT [c·kh·kw, n·ho·wo] of x [n, c, h, w] into col (see the file's comment). */
export function im2colInto(col: Tensor, x: Tensor, g: ConvGeom): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && col.ptr >= 0) {
    runConv(core, "nnIm2colPart", x.ptr, col.ptr, g);
    return;
  }
  const xd = x.data, cd = col.data;
  const { n: N, c: C, h: H, w: W, kh, kw, sh, sw, ph, pw, ho, wo } = g;
  const npix = N * ho * wo;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          let dst = ((c * kh + ki) * kw + kj) * npix + n * ho * wo;
          const [lo, hi] = validRange(kj - pw, sw, W, wo);
          for (let oy = 0; oy < ho; oy++, dst += wo) {
            const iy = oy * sh + ki - ph;
            if (iy < 0 || iy >= H) {
              cd.fill(0, dst, dst + wo);
              continue;
            }
            cd.fill(0, dst, dst + lo);
            cd.fill(0, dst + hi, dst + wo);
            const src = plane + iy * W + kj - pw;
            for (let ox = lo; ox < hi; ox++) cd[dst + ox] = xd[src + ox * sw]!;
          }
        }
      }
    }
  }
}

/** x [n, c, h, w] = col2im of the columns colT [c·kh·kw, n·ho·wo], im2col's adjoint in its own layout (x overwritten). */
export function col2imColsInto(x: Tensor, colT: Tensor, g: ConvGeom): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && colT.ptr >= 0) {
    runConv(core, "nnCol2imColsPart", x.ptr, colT.ptr, g);
    return;
  }
  const xd = x.data, cd = colT.data;
  xd.fill(0);
  const { n: N, c: C, h: H, w: W, kh, kw, sh, sw, ph, pw, ho, wo } = g;
  const npix = N * ho * wo;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          let src = ((c * kh + ki) * kw + kj) * npix + n * ho * wo;
          const [lo, hi] = validRange(kj - pw, sw, W, wo);
          for (let oy = 0; oy < ho; oy++, src += wo) {
            const iy = oy * sh + ki - ph;
            if (iy < 0 || iy >= H) continue;
            const dst = plane + iy * W + kj - pw;
            for (let ox = lo; ox < hi; ox++) xd[dst + ox * sw]! += cd[src + ox]!;
          }
        }
      }
    }
  }
}

/**
 * cnhw [c, n·hw] = x [n, c, hw] channel-major (cnhw may be null), and per-image channel sums sums[i·c + ch] (sums may
 * be null).
 */
export function nchwToCnhwInto(cnhw: Tensor | null, x: Tensor, n: number, c: number, hw: number, sums: Tensor | null): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && (!cnhw || cnhw.ptr >= 0) && (!sums || sums.ptr >= 0)) {
    runTranspose(core, "nnNchwToCnhwPart", x.ptr, cnhw ? cnhw.ptr : 0, n, c, hw, 0, sums ? sums.ptr : 0);
    return;
  }
  const xd = x.data, dd = cnhw?.data, sd = sums?.data;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const o = (i * c + ch) * hw;
      if (dd) dd.set(xd.subarray(o, o + hw), (ch * n + i) * hw);
      if (sd) {
        let s = 0;
        for (let p = 0; p < hw; p++) s += xd[o + p]!;
        sd[i * c + ch] = s;
      }
    }
  }
}

function runTranspose(core: WasmCore, kernel: "nnBiasNchwPart" | "nnNchwToCnhwPart", src: number, dst: number,
  n: number, c: number, hw: number, bias: number, sums: number): void {
  const p = core.callBlock().set(NNTR_SRC, src).set(NNTR_DST, dst).set(NNTR_N, n).set(NNTR_C, c).set(NNTR_HW, hw)
    .set(NNTR_BIAS, bias).set(NNTR_SUMS, sums);
  core.run(kernel, p.ptr, partsFor(core, "nn", n * c * hw));
}

/**
 * out [n, c, hw] (NCHW) = the rows [n, hw, c] transposed image by image, plus bias[c]; with rows null, out is NCHW
 * already and only gets the bias, in place.
 */
export function rowsToNchwInto(out: Tensor, rows: Tensor | null, n: number, c: number, hw: number, bias: Tensor | null): void {
  if (!rows && !bias) return;
  const core = nnCore();
  if (core && out.ptr >= 0 && (!rows || rows.ptr >= 0) && (!bias || bias.ptr >= 0)) {
    runTranspose(core, "nnBiasNchwPart", rows ? rows.ptr : out.ptr, rows ? out.ptr : 0, n, c, hw, bias ? bias.ptr : 0, 0);
    return;
  }
  const od = out.data, bd = bias?.data;
  if (rows) {
    const rd = rows.data;
    for (let i = 0; i < n; i++) {
      const img = i * c * hw;
      for (let ch = 0; ch < c; ch++) {
        const b = bd ? bd[ch]! : 0;
        const o = img + ch * hw;
        for (let p = 0; p < hw; p++) od[o + p] = rd[img + p * c + ch]! + b;
      }
    }
  } else if (bd) {
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const b = bd[ch]!;
        const o = (i * c + ch) * hw;
        for (let p = 0; p < hw; p++) od[o + p]! += b;
      }
    }
  }
}

/** db [c] = Σ over images of the per-image sums [n, c] (in image order, so any thread count gives the same value). */
export function sumImages(sums: Tensor, n: number, c: number): Tensor {
  const db = Tensor.empty([c]);
  const d = db.data, s = sums.data;
  d.fill(0);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) d[ch]! += s[i * c + ch]!;
  return db;
}

/** dst [cols, rows] = srcᵀ for small matrices (the weight gradient, computed transposed). */
export function transposeSmall(dst: FloatArray, src: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j]!;
}

function checkBias(op: string, bias: Tensor | null, channels: number): void {
  if (bias && (bias.rank !== 1 || bias.shape[0] !== channels)) {
    fail(`${op}: bias must have shape [${channels}], got ${shapeString(bias.shape)}`);
  }
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  if (x.rank !== 4 || weight.rank !== 4) {
    fail(`conv2d needs x [N, C, H, W] and weight [O, C, kh, kw], got ${shapeString(x.shape)} and ${shapeString(weight.shape)}`);
  }
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cw, kh, kw] = weight.shape as [number, number, number, number];
  if (Cw !== C) fail(`conv2d: weight ${shapeString(weight.shape)} expects ${Cw} input channels, x ${shapeString(x.shape)} has ${C}`);
  checkBias("conv2d", bias, O);
  const [sh, sw] = pair("conv2d", "stride", opts.stride, 1, 1);
  const [ph, pw] = pair("conv2d", "padding", opts.padding, 0, 0);
  const maxCol = opts.maxColumnFloats ?? DEFAULT_MAX_COLUMN_FLOATS;
  if (!(maxCol > 0)) fail(`conv2d: maxColumnFloats must be > 0, got ${describeValue(opts.maxColumnFloats)}`);
  if (kh < 1 || kw < 1 || H + 2 * ph < kh || W + 2 * pw < kw) {
    fail(`conv2d: a ${kh}x${kw} kernel does not fit the padded input ${H + 2 * ph}x${W + 2 * pw} (x ${shapeString(x.shape)}, padding ${ph},${pw})`);
  }
  const ho = Math.floor((H + 2 * ph - kh) / sh) + 1, wo = Math.floor((W + 2 * pw - kw) / sw) + 1;
  const g: ConvGeom = { n: N, c: C, h: H, w: W, kh, kw, sh, sw, ph, pw, ho, wo };
  const ckk = C * kh * kw, hwo = ho * wo;
  const y = Tensor.empty([N, O, ho, wo]);
  const chunk = imagesPerChunk(g, maxCol);
  const keep = chunk >= N && weight.requiresGrad && isGradEnabled();
  let kept: Tensor | null = null;
  // scratch of the forward, reused by the backward: the columns (then dcolT), and the GEMM's rows (then gC)
  let colBuf: Tensor | null = null, yrBuf: Tensor | null = null;
  if (N > 0 && O > 0) {
    colBuf = Tensor.empty([chunk * ckk * hwo]);
    yrBuf = Tensor.empty([chunk * hwo * O]);
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const nc = Math.min(chunk, N - n0);
      const col = part(colBuf, [ckk, nc * hwo]);
      im2colInto(col, x.rows(n0, n0 + nc), withImages(g, nc));
      const yr = part(yrBuf, [nc * hwo, O]);
      gemmInto(yr, col, weight, nc * hwo, O, ckk, { transA: true, transB: true });
      rowsToNchwInto(y.rows(n0, n0 + nc), yr, nc, O, hwo, bias);
      if (keep) kept = col;
    }
  } else if (bias) {
    y.data.fill(0);
    rowsToNchwInto(y, null, N, O, hwo, bias);
  } else y.data.fill(0);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("conv2d", inputs, y, (gy) => {
    const sums = bias?.requiresGrad ? Tensor.empty([N, O]) : null;
    const dx = x.requiresGrad ? Tensor.empty(x.shape) : null;
    const dwt = weight.requiresGrad ? Tensor.empty([ckk, O]) : null;
    if (dx && (O === 0 || ckk === 0)) dx.data.fill(0);
    if (dwt && (N === 0 || hwo === 0)) dwt.data.fill(0);
    if (sums && hwo === 0) sums.data.fill(0);
    if (N > 0 && hwo > 0 && O > 0) {
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const nc = Math.min(chunk, N - n0);
        const gc = withImages(g, nc);
        // the output gradient channel-major: gC [O, nc·Ho·Wo]
        const gC = part(yrBuf!, [O, nc * hwo]);
        nchwToCnhwInto(gC, gy.rows(n0, n0 + nc), nc, O, hwo, sums ? sums.rows(n0, n0 + nc) : null);
        if (dwt) {
          let col = kept;
          if (!col) {
            col = part(colBuf!, [ckk, nc * hwo]);
            im2colInto(col, x.rows(n0, n0 + nc), gc);
          }
          // dWᵀ [ckk, O] (+)= colT · gCᵀ
          gemmInto(dwt, col, gC, ckk, O, nc * hwo, { transB: true, accumulate: n0 > 0 });
        }
        if (dx && ckk > 0) {
          // dcolT [ckk, nc·Ho·Wo] = Wᵀ · gC (over the columns, which dW is done with), summed back onto the input
          const dcol = part(colBuf!, [ckk, nc * hwo]);
          gemmInto(dcol, weight, gC, ckk, nc * hwo, O, { transA: true });
          col2imColsInto(dx.rows(n0, n0 + nc), dcol, gc);
        }
      }
    } else if (dx && N > 0) dx.data.fill(0);
    let dw: Tensor | null = null;
    if (dwt) {
      dw = Tensor.empty(weight.shape);
      transposeSmall(dw.data, dwt.data, ckk, O);
    }
    const db = sums ? sumImages(sums, N, O) : null;
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

// maxPool2d and avgPool2d over NCHW, as PyTorch's max_pool2d / avg_pool2d (ceil_mode=False): output
// floor((H + 2p − k)/s) + 1. Max pooling treats the padding as −∞, keeps the first maximum of each window (a NaN wins,
// as in PyTorch) and saves its index for the backward, which routes each output gradient to it. Average pooling counts
// the padding as zeros in the divisor (count_include_pad=True, PyTorch's default): every window divides by kh·kw.
// WASM kernels: assembly/nn/pool.ts (jobs split over the N·C planes; max pooling 2×2/2 has a SIMD path).
import {
  NNPOOL_H, NNPOOL_HO, NNPOOL_IDX, NNPOOL_KH, NNPOOL_KW, NNPOOL_PH, NNPOOL_PLANES, NNPOOL_PW, NNPOOL_SH, NNPOOL_SW,
  NNPOOL_W, NNPOOL_WO, NNPOOL_X, NNPOOL_Y,
} from "../../../assembly/abi.js";
import { partsFor } from "../../core/backend.js";
import { fail } from "../../core/errors.js";
import type { PartKernel } from "../../core/wasm/kernel-exports.js";
import type { WasmCore } from "../../core/wasm/runtime.js";
import { needsGrad, record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";
import { pair } from "./conv2d.js";

export interface Pool2dOptions {
  kernel: number | readonly [number, number];
  /** Default: the kernel size. */
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

interface PoolGeom {
  planes: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
  ho: number; wo: number;
}

function geometry(op: string, x: Tensor, opts: Pool2dOptions): PoolGeom {
  if (x.rank !== 4) fail(`${op} needs x [N, C, H, W], got ${shapeString(x.shape)}`);
  if (typeof opts !== "object" || opts === null) fail(`${op}: options with a kernel size are required`);
  const [N, C, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = pair(op, "kernel", opts.kernel, 0, 1);
  const [sh, sw] = pair(op, "stride", opts.stride ?? [kh, kw], 1, 1);
  const [ph, pw] = pair(op, "padding", opts.padding, 0, 0);
  if (2 * ph > kh || 2 * pw > kw) fail(`${op}: padding (${ph}, ${pw}) must be at most half the kernel (${kh}, ${kw})`);
  if (h + 2 * ph < kh || w + 2 * pw < kw) {
    fail(`${op}: a ${kh}x${kw} window does not fit the padded input ${h + 2 * ph}x${w + 2 * pw} (x ${shapeString(x.shape)})`);
  }
  return {
    planes: N * C, h, w, kh, kw, sh, sw, ph, pw,
    ho: Math.floor((h + 2 * ph - kh) / sh) + 1, wo: Math.floor((w + 2 * pw - kw) / sw) + 1,
  };
}

function runPool(core: WasmCore, kernel: PartKernel, x: number, y: number, idx: number, g: PoolGeom): void {
  const p = core.callBlock().set(NNPOOL_X, x).set(NNPOOL_Y, y).set(NNPOOL_IDX, idx).set(NNPOOL_PLANES, g.planes)
    .set(NNPOOL_H, g.h).set(NNPOOL_W, g.w).set(NNPOOL_KH, g.kh).set(NNPOOL_KW, g.kw).set(NNPOOL_SH, g.sh)
    .set(NNPOOL_SW, g.sw).set(NNPOOL_PH, g.ph).set(NNPOOL_PW, g.pw).set(NNPOOL_HO, g.ho).set(NNPOOL_WO, g.wo);
  core.run(kernel, p.ptr, partsFor(core, "nn", g.planes * Math.max(g.h * g.w, g.ho * g.wo * g.kh * g.kw)));
}

/** The argmax indices of a max pooling: i32s in the core's memory (a tensor's block), or a plain Int32Array. */
type Argmax = { ptr: number; keep: Tensor } | Int32Array;

export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  const g = geometry("maxPool2d", x, opts);
  const y = Tensor.empty([x.shape[0]!, x.shape[1]!, g.ho, g.wo]);
  const core = nnCore();
  let idx: Argmax;
  if (core && x.ptr >= 0 && y.ptr >= 0) {
    // the indices live in a float tensor's block, written and read as i32 by the kernels only
    const keep = Tensor.empty(y.shape);
    idx = { ptr: keep.ptr, keep };
    runPool(core, "nnMaxPoolPart", x.ptr, y.ptr, keep.ptr, g);
  } else {
    const ia = needsGrad(x) ? new Int32Array(y.size) : null;
    maxPoolTS(x.data, y.data, ia, g);
    idx = ia ?? new Int32Array(0);
  }
  return record("maxPool2d", [x], y, (gy) => {
    const dx = Tensor.empty(x.shape);
    if (!(idx instanceof Int32Array) && core && gy.ptr >= 0 && dx.ptr >= 0) {
      runPool(core, "nnMaxPoolBackPart", dx.ptr, gy.ptr, idx.ptr, g);
    } else {
      const ia = idx instanceof Int32Array ? idx : new Int32Array(core!.memory.buffer, idx.ptr, y.size);
      const d = dx.data, gd = gy.data, hw = g.h * g.w, ohw = g.ho * g.wo;
      d.fill(0);
      for (let p = 0; p < g.planes; p++) {
        for (let i = 0; i < ohw; i++) d[p * hw + ia[p * ohw + i]!]! += gd[p * ohw + i]!;
      }
    }
    return [dx];
  });
}

function maxPoolTS(xd: ArrayLike<number>, yd: { [i: number]: number }, idx: Int32Array | null, g: PoolGeom): void {
  const { planes, h: H, w: W, kh, kw, sh, sw, ph, pw, ho, wo } = g;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < ho; oy++) {
      const y0 = Math.max(0, oy * sh - ph), y1 = Math.min(H, oy * sh - ph + kh);
      for (let ox = 0; ox < wo; ox++, o++) {
        const x0 = Math.max(0, ox * sw - pw), x1 = Math.min(W, ox * sw - pw + kw);
        let best = -Infinity, bi = y0 * W + x0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = xd[base + iy * W + ix]!;
            if (v > best || v !== v) {
              best = v;
              bi = iy * W + ix;
            }
          }
        }
        yd[o] = best;
        if (idx) idx[o] = bi;
      }
    }
  }
}

export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  const g = geometry("avgPool2d", x, opts);
  const y = Tensor.empty([x.shape[0]!, x.shape[1]!, g.ho, g.wo]);
  const { planes, h: H, w: W, kh, kw, sh, sw, ph, pw, ho, wo } = g;
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0) runPool(core, "nnAvgPoolPart", x.ptr, y.ptr, 0, g);
  else {
    const xd = x.data, yd = y.data, inv = 1 / (kh * kw);
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * H * W;
      for (let oy = 0; oy < ho; oy++) {
        const y0 = Math.max(0, oy * sh - ph), y1 = Math.min(H, oy * sh - ph + kh);
        for (let ox = 0; ox < wo; ox++, o++) {
          const x0 = Math.max(0, ox * sw - pw), x1 = Math.min(W, ox * sw - pw + kw);
          let s = 0;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += xd[base + iy * W + ix]!;
          yd[o] = s * inv;
        }
      }
    }
  }
  return record("avgPool2d", [x], y, (gy) => {
    const dx = Tensor.empty(x.shape);
    if (core && gy.ptr >= 0 && dx.ptr >= 0) {
      runPool(core, "nnAvgPoolBackPart", dx.ptr, gy.ptr, 0, g);
      return [dx];
    }
    const d = dx.data, gd = gy.data, inv = 1 / (kh * kw);
    d.fill(0);
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * H * W;
      for (let oy = 0; oy < ho; oy++) {
        const y0 = Math.max(0, oy * sh - ph), y1 = Math.min(H, oy * sh - ph + kh);
        for (let ox = 0; ox < wo; ox++, o++) {
          const x0 = Math.max(0, ox * sw - pw), x1 = Math.min(W, ox * sw - pw + kw);
          const v = gd[o]! * inv;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) d[base + iy * W + ix]! += v;
        }
      }
    }
    return [dx];
  });
}

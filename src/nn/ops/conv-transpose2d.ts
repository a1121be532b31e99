// convTranspose2d: x [N, Cin, H, W], weight [Cin, Cout, kh, kw] (PyTorch's layout), bias [Cout] or null; stride,
// padding and outputPadding as PyTorch's ConvTranspose2d: the output is [N, Cout, Ho, Wo] with
// Ho = (H − 1)·sh − 2·ph + kh + oph. It is conv2d's input gradient as a forward pass: with the weight seen as a conv2d
// weight [Cin, Cout·kh·kw] mapping Cout channels to Cin, the columns colT [Cout·kh·kw, N·H·W] = Wᵀ·xC (xC: x
// channel-major, [Cin, N·H·W]) are summed onto the output by col2im; then the bias.
// Backward: conv2d's forward on the output gradient. im2col of g gives colT [Cout·kh·kw, N·H·W]; dx's rows are
// colTᵀ·Wᵀ (written back to NCHW), dWᵀ = colT·xCᵀ (accumulated over chunks of images), db the channel sums of g.
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { gemmInto } from "../gemm.js";
import { Tensor, shapeString } from "../tensor.js";
import {
  DEFAULT_MAX_COLUMN_FLOATS, col2imColsInto, im2colInto, imagesPerChunk, nchwToCnhwInto, pair, part, rowsToNchwInto, sumImages,
  transposeSmall, withImages, type ConvGeom,
} from "./conv2d.js";

export interface ConvTranspose2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  outputPadding?: number | readonly [number, number];
  /** Largest column buffer (floats) made at once (as conv2d's); a larger batch runs in chunks of images. */
  maxColumnFloats?: number;
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = "convTranspose2d";
  if (x.rank !== 4 || weight.rank !== 4) {
    fail(`${op} needs x [N, Cin, H, W] and weight [Cin, Cout, kh, kw], got ${shapeString(x.shape)} and ${shapeString(weight.shape)}`);
  }
  const [N, Cin, H, W] = x.shape as [number, number, number, number];
  const [Cw, Cout, kh, kw] = weight.shape as [number, number, number, number];
  if (Cw !== Cin) fail(`${op}: weight ${shapeString(weight.shape)} expects ${Cw} input channels, x ${shapeString(x.shape)} has ${Cin}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== Cout)) fail(`${op}: bias must have shape [${Cout}], got ${shapeString(bias.shape)}`);
  const [sh, sw] = pair(op, "stride", opts.stride, 1, 1);
  const [ph, pw] = pair(op, "padding", opts.padding, 0, 0);
  const [oph, opw] = pair(op, "outputPadding", opts.outputPadding, 0, 0);
  if (oph >= sh || opw >= sw) {
    fail(`${op}: outputPadding (${oph}, ${opw}) must be smaller than the stride (${sh}, ${sw})`);
  }
  const maxCol = opts.maxColumnFloats ?? DEFAULT_MAX_COLUMN_FLOATS;
  if (!(maxCol > 0)) fail(`${op}: maxColumnFloats must be > 0, got ${describeValue(opts.maxColumnFloats)}`);
  const Ho = (H - 1) * sh - 2 * ph + kh + oph, Wo = (W - 1) * sw - 2 * pw + kw + opw;
  if (kh < 1 || kw < 1 || Ho < 1 || Wo < 1) {
    fail(`${op}: the output would be ${Ho}x${Wo} (x ${shapeString(x.shape)}, kernel ${kh}x${kw}, stride ${sh},${sw}, padding ${ph},${pw})`);
  }
  // the conv2d this is the input gradient of: input [N, Cout, Ho, Wo], output [N, Cin, H, W]
  const g: ConvGeom = { n: N, c: Cout, h: Ho, w: Wo, kh, kw, sh, sw, ph, pw, ho: H, wo: W };
  const ckk = Cout * kh * kw, hw = H * W;
  const chunk = imagesPerChunk(g, maxCol);
  // x channel-major, xC [Cin, N·H·W], kept for the weight's gradient when the batch is one chunk
  const single = chunk >= N;
  const xcBuf = N > 0 ? Tensor.empty([Cin * chunk * hw]) : null;
  const toCnhw = (n0: number, nc: number): Tensor => {
    const xc = part(xcBuf!, [Cin, nc * hw]);
    nchwToCnhwInto(xc, x.rows(n0, n0 + nc), nc, Cin, hw, null);
    return xc;
  };
  const y = Tensor.empty([N, Cout, Ho, Wo]);
  // the forward's columns, reused by the backward for im2col of the output gradient
  const colBuf = N > 0 && ckk > 0 ? Tensor.empty([chunk * ckk * hw]) : null;
  if (N > 0 && Cin > 0 && ckk > 0) {
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const nc = Math.min(chunk, N - n0);
      const xc = toCnhw(n0, nc);
      // the columns colT [Cout·kh·kw, nc·H·W] = Wᵀ · xC, summed onto the output
      const dcol = part(colBuf!, [ckk, nc * hw]);
      gemmInto(dcol, weight, xc, ckk, nc * hw, Cin, { transA: true });
      col2imColsInto(y.rows(n0, n0 + nc), dcol, withImages(g, nc));
    }
  } else y.data.fill(0);
  rowsToNchwInto(y, null, N, Cout, Ho * Wo, bias);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(op, inputs, y, (gy) => {
    const sums = bias?.requiresGrad ? Tensor.empty([N, Cout]) : null;
    if (sums) nchwToCnhwInto(null, gy, N, Cout, Ho * Wo, sums);
    const dxr = x.requiresGrad ? Tensor.empty([N * hw, Cin]) : null;
    const dwt = weight.requiresGrad ? Tensor.empty([ckk, Cin]) : null;
    if (dwt && (N === 0 || ckk === 0 || hw === 0)) dwt.data.fill(0);
    if (dxr && ckk === 0) dxr.data.fill(0);
    if ((dxr || dwt) && N > 0 && ckk > 0) {
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const nc = Math.min(chunk, N - n0);
        const col = part(colBuf!, [ckk, nc * hw]);
        im2colInto(col, gy.rows(n0, n0 + nc), withImages(g, nc));
        if (dxr) gemmInto(dxr.rows(n0 * hw, (n0 + nc) * hw), col, weight, nc * hw, Cin, ckk, { transA: true, transB: true });
        if (dwt && Cin > 0) {
          // the last chunk's xC is still in its buffer when the batch is one chunk
          const xc = single ? part(xcBuf!, [Cin, nc * hw]) : toCnhw(n0, nc);
          gemmInto(dwt, col, xc, ckk, Cin, nc * hw, { transB: true, accumulate: n0 > 0 });
        }
      }
    }
    let dx: Tensor | null = null;
    if (dxr) {
      dx = Tensor.empty(x.shape);
      if (N > 0 && Cin > 0) rowsToNchwInto(dx, dxr, N, Cin, hw, null);
    }
    let dw: Tensor | null = null;
    if (dwt) {
      dw = Tensor.empty(weight.shape);
      transposeSmall(dw.data, dwt.data, ckk, Cin);
    }
    const db = sums ? sumImages(sums, N, Cout) : null;
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

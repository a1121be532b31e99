// upsampleNearest2d: nearest-neighbour resizing of NCHW feature maps to a given [H, W], as PyTorch's
// F.interpolate(x, size=(H, W), mode="nearest"): output pixel (i, j) copies input pixel (⌊i·h/H⌋, ⌊j·w/W⌋). With
// H = 2h that is the plain doubling (each pixel a 2×2 block); H = 2h + 1 (an odd size restored by a decoder) repeats
// as PyTorch does. Backward: each output gradient added into the input pixel it was copied from. A TypeScript loop on
// every route (the op is memory-bound and small next to the convolutions around it).
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { Tensor, shapeString } from "../tensor.js";

/** The source index of every output index along one axis (PyTorch's "nearest": floor(i · in / out)). */
function sourceIndex(inSize: number, outSize: number): Int32Array {
  const src = new Int32Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) src[i] = Math.min(inSize - 1, Math.floor(i * scale));
  return src;
}

export function upsampleNearest2d(x: Tensor, size: readonly [number, number]): Tensor {
  if (x.rank !== 4) fail(`upsampleNearest2d: the input ${shapeString(x.shape)} must be [N, C, H, W]`);
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isSafeInteger(v) && v >= 1)) {
    fail(`upsampleNearest2d: size must be [height, width] (integers >= 1), got ${describeValue(size)}`);
  }
  const [N, C, h, w] = x.shape as [number, number, number, number];
  const [H, W] = size;
  const rows = sourceIndex(h, H), cols = sourceIndex(w, W);
  const planes = N * C;
  const y = Tensor.empty([N, C, H, W]);
  const xd = x.data, yd = y.data;
  for (let p = 0; p < planes; p++) {
    const xo = p * h * w, yo = p * H * W;
    for (let i = 0; i < H; i++) {
      const xr = xo + rows[i]! * w, yr = yo + i * W;
      for (let j = 0; j < W; j++) yd[yr + j] = xd[xr + cols[j]!]!;
    }
  }
  return record("upsampleNearest2d", [x], y, (g) => {
    const gx = Tensor.zeros(x.shape);
    const gd = g.data, gxd = gx.data;
    for (let p = 0; p < planes; p++) {
      const xo = p * h * w, yo = p * H * W;
      for (let i = 0; i < H; i++) {
        const xr = xo + rows[i]! * w, yr = yo + i * W;
        for (let j = 0; j < W; j++) {
          const k = xr + cols[j]!;
          gxd[k] = gxd[k]! + gd[yr + j]!;
        }
      }
    }
    return [gx];
  });
}

// transpose: permute axes (default: reverse them), as a copy. Axes that stay neighbours are merged first, so the
// usual cases are one 2-D transpose ([M, N] → [N, M]) or a batch of them ([B, M, N] → [B, N, M], which is also
// NCHW → NHWC); those run the WASM kernel nnTranspose2d (4×4 register tiles), the rest a strided loop.
// Backward: the gradient transposed by the inverse permutation.
import { describeValue, fail } from "../../core/errors.js";
import { record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { Tensor, shapeString } from "../tensor.js";

function checkPerm(x: Tensor, perm: readonly number[]): void {
  const r = x.rank;
  const ok = Array.isArray(perm) && perm.length === r && perm.every((p) => Number.isInteger(p) && p >= 0 && p < r) &&
    new Set(perm).size === r;
  if (!ok) fail(`transpose: ${describeValue(perm)} is not a permutation of the ${r} axes of ${shapeString(x.shape)}`);
}

/** x with its axes permuted (output axis i is input axis perm[i]), as a new tensor; no tape node. */
export function permuteCopy(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]!);
  const y = Tensor.empty(shape);
  if (y.size === 0) return y;
  // merge: drop axes of size 1, then join output neighbours that are input neighbours in the same order
  const kept = perm.filter((p) => x.shape[p] !== 1);
  const runs: number[][] = [];
  for (const p of kept) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1]! + 1 === p) last.push(p);
    else runs.push([p]);
  }
  // the merged input axes, in input order, and the output order of them
  const order = runs.map((_, i) => i).sort((i, j) => runs[i]![0]! - runs[j]![0]!);
  const inDims = order.map((i) => runs[i]!.reduce((s, p) => s * x.shape[p]!, 1));
  const outPerm = runs.map((_, i) => order.indexOf(i));
  const m = outPerm.length;
  if (m <= 1) {
    y.data.set(x.data);
    return y;
  }
  const core = nnCore();
  const batched2d = (m === 2 && outPerm[0] === 1) || (m === 3 && outPerm[0] === 0 && outPerm[1] === 2 && outPerm[2] === 1);
  if (batched2d) {
    const batch = m === 3 ? inDims[0]! : 1;
    const rows = inDims[m - 2]!, cols = inDims[m - 1]!;
    if (core && x.ptr >= 0 && y.ptr >= 0) {
      core.kernels.nnTranspose2d(x.ptr, y.ptr, batch, rows, cols);
      return y;
    }
    const xd = x.data, yd = y.data;
    const mat = rows * cols;
    for (let b = 0; b < batch; b++) {
      const o = b * mat;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) yd[o + j * rows + i] = xd[o + i * cols + j]!;
    }
    return y;
  }
  // general: an odometer over the output, strides of the input
  const inStride = new Array<number>(m);
  let s = 1;
  for (let d = m - 1; d >= 0; d--) {
    inStride[d] = s;
    s *= inDims[d]!;
  }
  const dims = outPerm.map((p) => inDims[p]!);
  const strides = outPerm.map((p) => inStride[p]!);
  const xd = x.data, yd = y.data;
  const idx = new Array<number>(m).fill(0);
  const n = dims[m - 1]!, st = strides[m - 1]!;
  let xo = 0;
  for (let yo = 0; yo < yd.length; yo += n) {
    for (let i = 0; i < n; i++) yd[yo + i] = xd[xo + i * st]!;
    for (let d = m - 2; d >= 0; d--) {
      xo += strides[d]!;
      if (++idx[d]! < dims[d]!) break;
      idx[d] = 0;
      xo -= strides[d]! * dims[d]!;
    }
  }
  return y;
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  checkPerm(x, p);
  const y = permuteCopy(x, p);
  const inv = new Array<number>(p.length);
  p.forEach((q, i) => (inv[q] = i));
  return record("transpose", [x], y, (g) => [permuteCopy(g.view(y.shape), inv)]);
}

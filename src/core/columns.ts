// Column statistics and centring of a float32 matrix: the passes PCA makes over its data before the products. On a
// matrix resident in WASM memory (withResidentMatrix) they run as SIMD kernels split over the core's threads; else
// in TypeScript (the same arithmetic: f64 sums, f64 differences rounded once to f32).
import { CENTER_COLS, CENTER_DST, CENTER_MEAN, CENTER_OUT, CENTER_ROWS, CENTER_SRC, COLSTATS_COLS, COLSTATS_OUT, COLSTATS_ROWS, COLSTATS_X } from "../../assembly/abi.js";
import { coreFor, partsFor } from "./backend.js";
import { centerInto, columnMeans } from "./estimator.js";
import { residentOffset } from "./gemm.js";
import { maxAbs, type Matrix } from "./matrix.js";
import { WasmArena } from "./wasm/runtime.js";

/** Column means (float64) and the largest |entry|; a NaN entry makes its column's mean NaN. */
export function columnStats(X: Matrix): { mean: Float64Array; maxAbs: number } {
  const ptr = residentOffset(X);
  const size = X.rows * X.cols;
  const core = ptr === undefined ? null : coreFor("columns", { size, supported: X.dtype === "float32" });
  if (!core || ptr === undefined) return { mean: columnMeans(X), maxAbs: maxAbs(X) };
  const c = X.cols;
  const parts = partsFor(core, "columns", size);
  const arena = new WasmArena(core);
  try {
    const out = arena.alloc(parts * (c + 1) * 8);
    const p = core.callBlock().set(COLSTATS_X, ptr).set(COLSTATS_ROWS, X.rows).set(COLSTATS_COLS, c).set(COLSTATS_OUT, out);
    core.run("colStatsPart", p.ptr, parts);
    const f = new Float64Array(core.memory.buffer, out, parts * (c + 1));
    const mean = new Float64Array(c);
    let mx = 0;
    for (let q = 0; q < parts; q++) {
      for (let j = 0; j < c; j++) mean[j]! += f[q * (c + 1) + j]!;
      mx = Math.max(mx, f[q * (c + 1) + c]!);
    }
    for (let j = 0; j < c; j++) mean[j]! /= X.rows;
    return { mean, maxAbs: mx };
  } finally {
    arena.release();
  }
}

/** Writes X − 1·meanᵀ into `out` (same shape; may be X itself) and returns the sum of squares of the result. */
export function centerRows(X: Matrix, mean: ArrayLike<number>, out: Matrix): number {
  const src = residentOffset(X);
  const dst = residentOffset(out);
  const size = X.rows * X.cols;
  const core = src === undefined || dst === undefined ? null
    : coreFor("columns", { size, supported: X.dtype === "float32" && out.dtype === "float32" });
  if (!core || src === undefined || dst === undefined) return centerInto(X, mean, out);
  const parts = partsFor(core, "columns", size);
  const arena = new WasmArena(core);
  try {
    const m = arena.alloc(X.cols * 8);
    new Float64Array(core.memory.buffer, m, X.cols).set(Float64Array.from(mean));
    const o = arena.alloc(parts * 8);
    const p = core.callBlock().set(CENTER_SRC, src).set(CENTER_DST, dst).set(CENTER_ROWS, X.rows).set(CENTER_COLS, X.cols)
      .set(CENTER_MEAN, m).set(CENTER_OUT, o);
    core.run("centerPart", p.ptr, parts);
    let ss = 0;
    for (const v of new Float64Array(core.memory.buffer, o, parts)) ss += v;
    return ss;
  } finally {
    arena.release();
  }
}

// Matrix products for the compute core. One entry point, `matmul`, takes the route backend.ts picks: WebAssembly SIMD
// over the shared memory (split across worker threads for large products) for float32, plain TypeScript otherwise.
import {
  GEMM_A, GEMM_B_PACK, GEMM_C, GEMM_CS_A, GEMM_K, GEMM_KC, GEMM_LDC, GEMM_M, GEMM_N, GEMM_NR, GEMM_RS_A, GEMM_WORK,
  GEMM_WORK_FLOATS, KNN_G, KNN_K, KNN_N, KNN_OUT_D, KNN_OUT_I, KNN_QN, KNN_ROWS, KNN_SELF_BASE, KNN_XN, ROWNORMS_A,
  ROWNORMS_COLS, ROWNORMS_LD, ROWNORMS_OUT, ROWNORMS_ROWS,
} from "../../assembly/abi.js";
import { coreFor, partsFor, type Route } from "./backend.js";
import { fail } from "./errors.js";
import { Matrix, type FloatArray } from "./matrix.js";
import { WasmArena, type WasmCore } from "./wasm/runtime.js";

export type Backend = Route;

export interface MatmulOptions {
  /** Use Aᵀ instead of A. */
  transA?: boolean;
  /** Use Bᵀ instead of B. */
  transB?: boolean;
  /** Force a route (benchmarks and tests); "auto" picks by size and dtype. */
  backend?: Backend;
  /** Threads for the WASM route (default: all the core has). */
  threads?: number;
}

const NR = GEMM_NR;
const KC = GEMM_KC;

// Matrices currently resident in WASM memory (see pin): data array -> byte offset.
const pinned = new WeakMap<FloatArray, number>();

/** Copies m into WASM memory and registers it as pinned; returns the release function (or null: nothing to do). */
function pin(m: Matrix): (() => void) | null {
  const core = coreFor("gemm", { supported: m.dtype === "float32" });
  if (!core || pinned.has(m.data)) return null;
  const ptr = core.alloc(m.data.length * 4);
  core.f32().set(m.data, ptr >> 2);
  pinned.set(m.data, ptr);
  return () => {
    pinned.delete(m.data);
    core.free(ptr);
  };
}

/**
 * Copies a float32 matrix into WASM memory for the duration of `body`, so that repeated products with it (power
 * iterations, a linear operator) skip the copy. The matrix must not be modified while pinned.
 */
export function withPinned<T>(m: Matrix, body: () => T): T {
  const release = pin(m);
  try {
    return body();
  } finally {
    release?.();
  }
}

/** Async variant of {@link withPinned}. */
export async function withPinnedAsync<T>(m: Matrix, body: () => Promise<T>): Promise<T> {
  const release = pin(m);
  try {
    return await body();
  } finally {
    release?.();
  }
}

/** The byte offset of a matrix's storage in WASM memory while it is pinned or resident, else undefined. */
export function residentOffset(m: Matrix): number | undefined {
  return pinned.get(m.data);
}

/**
 * Runs `body` with a float32 matrix whose storage lives in WASM memory (already pinned, so products with it need no
 * copy), freed afterwards; a plain matrix where the core is unavailable. Nothing may keep a view of it after.
 */
export async function withResidentMatrix<T>(rows: number, cols: number, body: (M: Matrix) => Promise<T>): Promise<T> {
  const { M, release } = residentMatrix(rows, cols);
  try {
    return await body(M);
  } finally {
    release();
  }
}

/** Sync variant of {@link withResidentMatrix}. */
export function withResidentMatrixSync<T>(rows: number, cols: number, body: (M: Matrix) => T): T {
  const { M, release } = residentMatrix(rows, cols);
  try {
    return body(M);
  } finally {
    release();
  }
}

/** A float32 matrix in WASM memory, registered as pinned, and the function that frees it (a plain one without the core). */
function residentMatrix(rows: number, cols: number): { M: Matrix; release: () => void } {
  const core = coreFor("gemm");
  if (!core) return { M: Matrix.zeros(rows, cols), release: () => {} };
  const ptr = core.alloc(rows * cols * 4);
  const M = new Matrix(rows, cols, core.f32().subarray(ptr >> 2, (ptr >> 2) + rows * cols));
  pinned.set(M.data, ptr);
  return {
    M,
    release: () => {
      pinned.delete(M.data);
      core.free(ptr);
    },
  };
}

/** C = op(A) · op(B). The result has A's dtype (float64 if either input is float64). */
export function matmul(A: Matrix, B: Matrix, opts: MatmulOptions = {}): Matrix {
  const m = opts.transA ? A.cols : A.rows;
  const k = opts.transA ? A.rows : A.cols;
  const kb = opts.transB ? B.cols : B.rows;
  const n = opts.transB ? B.rows : B.cols;
  if (k !== kb) {
    fail(`matmul: inner dimensions differ: op(A) is ${m}x${k}, op(B) is ${kb}x${n}`);
  }
  const f64 = A.dtype === "float64" || B.dtype === "float64";
  const flops = m * n * k;
  const core = coreFor("gemm", { size: flops, supported: !f64, ...(opts.backend ? { route: opts.backend } : {}) });
  if (core) return matmulWasm(core, A, B, m, n, k, opts, flops);
  const C = Matrix.zeros(m, n, f64 ? "float64" : "float32");
  gemmTS(A.data, opts.transA ? 1 : A.cols, opts.transA ? A.cols : 1, B.data, opts.transB ? 1 : B.cols,
    opts.transB ? B.cols : 1, C.data, m, n, k);
  return C;
}

function matmulWasm(core: WasmCore, A: Matrix, B: Matrix, m: number, n: number, k: number, opts: MatmulOptions,
  flops: number): Matrix {
  return productInWasm(core, A, B, m, n, k, opts, flops, (cPtr) => new Matrix(m, n, core.f32().slice(cPtr >> 2, (cPtr >> 2) + m * n)));
}

/** Computes op(A)·op(B) into WASM memory and hands `body` its byte offset (valid only during the call). */
function productInWasm<T>(core: WasmCore, A: Matrix, B: Matrix, m: number, n: number, k: number, opts: MatmulOptions,
  flops: number, body: (cPtr: number) => T): T {
  const parts = partsFor(core, "gemm", flops, opts.threads);
  const nPad = Math.ceil(n / NR) * NR;
  const arena = new WasmArena(core);
  // float32 operands: pinned ones are already resident, the others are copied in for this product
  const place = (M: Matrix): number => pinned.get(M.data) ?? arena.put(M.data as Float32Array);
  try {
    const aPtr = place(A);
    const bPtr = place(B);
    const bPack = arena.alloc(k * nPad * 4);
    const cPtr = arena.alloc(m * n * 4);
    core.kernels.zero(cPtr, m * n);
    const work = arena.alloc(GEMM_WORK_FLOATS * 4 * parts);
    gemmAccumulate(core, {
      a: aPtr, rsA: opts.transA ? 1 : A.cols, csA: opts.transA ? A.cols : 1,
      b: bPtr, rsB: opts.transB ? 1 : B.cols, csB: opts.transB ? B.cols : 1, c: cPtr, m, n, k,
    }, parts, bPack, work);
    return body(cPtr);
  } finally {
    arena.release();
  }
}

/** A GEMM's operands in the core's memory: A(i,p) at a[i·rsA + p·csA], B(p,j) at b[p·rsB + j·csB], C m×n row-major. */
export interface GemmPointers {
  a: number; rsA: number; csA: number;
  b: number; rsB: number; csB: number;
  c: number; m: number; n: number; k: number;
  /** Row stride of C (default n): C may be a block of a larger row-major matrix. */
  ldc?: number;
}

/**
 * C += op(A)·op(B) in the core: packs B into `bPack` (k × ⌈n/NR⌉·NR floats) and runs the GEMM job over `parts`
 * participants with `work` (GEMM_WORK_FLOATS floats each) as their scratch.
 */
export function gemmAccumulate(core: WasmCore, o: GemmPointers, parts: number, bPack: number, work: number): void {
  const nPad = Math.ceil(o.n / NR) * NR;
  for (let p0 = 0; p0 < o.k; p0 += KC) {
    core.kernels.packB(o.b, o.rsB, o.csB, p0, Math.min(KC, o.k - p0), o.n, bPack + p0 * nPad * 4);
  }
  const p = core.callBlock().set(GEMM_A, o.a).set(GEMM_RS_A, o.rsA).set(GEMM_CS_A, o.csA).set(GEMM_B_PACK, bPack)
    .set(GEMM_C, o.c).set(GEMM_LDC, o.ldc ?? o.n).set(GEMM_M, o.m).set(GEMM_N, o.n).set(GEMM_K, o.k).set(GEMM_WORK, work);
  core.run("gemmPart", p.ptr, parts);
}

/** Width of the column panels of {@link gram}: the upper blocks it skips are at most one panel wide. */
const GRAM_PANEL = 128;

/**
 * The Gram matrix XᵀX (d × d, float32 for float32 X) as a symmetric rank-k update: in the core only the panels on
 * and below the diagonal are computed (C[j0:, j0:j0+w] = X[:, j0:]ᵀ · X[:, j0:j0+w], about (d + w)/2d of the
 * multiply-adds of a full product) and mirrored; a float32 X already resident in WASM memory is not copied.
 */
export function gram(X: Matrix): Matrix {
  const n = X.rows;
  const d = X.cols;
  const core = coreFor("gemm", { size: n * d * d, supported: X.dtype === "float32" });
  if (!core) return matmul(X, X, { transA: true });
  const arena = new WasmArena(core);
  try {
    const xPtr = pinned.get(X.data) ?? arena.put(X.data as Float32Array);
    const gPtr = arena.alloc(d * d * 4);
    core.kernels.zero(gPtr, d * d);
    const w0 = Math.min(GRAM_PANEL, d);
    const bPack = arena.alloc(n * Math.ceil(w0 / NR) * NR * 4);
    const parts = partsFor(core, "gemm", (n * d * d) / 2);
    const work = arena.alloc(GEMM_WORK_FLOATS * 4 * parts);
    for (let j0 = 0; j0 < d; j0 += GRAM_PANEL) {
      const w = Math.min(GRAM_PANEL, d - j0);
      gemmAccumulate(core, {
        a: xPtr + j0 * 4, rsA: 1, csA: d, b: xPtr + j0 * 4, rsB: d, csB: 1,
        c: gPtr + (j0 * d + j0) * 4, ldc: d, m: d - j0, n: w, k: n,
      }, parts, bPack, work);
    }
    const G = new Matrix(d, d, core.f32().slice(gPtr >> 2, (gPtr >> 2) + d * d));
    // mirror: each panel filled rows ≥ j0 of its columns; the entries above the diagonal inside a panel are
    // computed too, the ones right of a panel are not
    const g = G.data;
    for (let i = 0; i < d; i++) {
      const ownPanelEnd = (Math.floor(i / GRAM_PANEL) + 1) * GRAM_PANEL;
      for (let j = Math.min(ownPanelEnd, d); j < d; j++) g[i * d + j] = g[j * d + i]!;
    }
    return G;
  } finally {
    arena.release();
  }
}

/**
 * k nearest rows of X for each row of Q by squared euclidean distance, from float32 inner products computed and
 * screened inside the WASM core (the block of products never leaves it), split over the core's threads.
 * `selfBase` >= 0 means Q is rows selfBase.. of X and each row skips itself. Returns per-row unsorted max-heaps
 * (squared distances, indices), or null where the core is unavailable.
 */
export function knnBlockWasm(Q: Matrix, X: Matrix, xNorms: Float32Array, k: number, selfBase: number):
  { d: Float32Array; i: Int32Array } | null {
  const core = coreFor("knn", { supported: Q.dtype === "float32" && X.dtype === "float32" });
  if (!core) return null;
  const m = Q.rows;
  const n = X.rows;
  const flops = m * n * Q.cols;
  return productInWasm(core, Q, X, m, n, Q.cols, { transB: true }, flops, (cPtr) => {
    const arena = new WasmArena(core);
    try {
      const xnP = arena.put(xNorms);
      const qnP = arena.put(Float32Array.from(rowSqNorms(Q)));
      const dP = arena.alloc(m * k * 4);
      const iP = arena.alloc(m * k * 4);
      const p = core.callBlock().set(KNN_G, cPtr).set(KNN_N, n).set(KNN_XN, xnP).set(KNN_QN, qnP).set(KNN_K, k)
        .set(KNN_SELF_BASE, selfBase).set(KNN_OUT_D, dP).set(KNN_OUT_I, iP).set(KNN_ROWS, m);
      core.run("knnSelectPart", p.ptr, partsFor(core, "knn", m * n));
      const g = core.f32();
      return { d: g.slice(dP >> 2, (dP >> 2) + m * k), i: new Int32Array(core.memory.buffer).slice(iP >> 2, (iP >> 2) + m * k) };
    } finally {
      arena.release();
    }
  });
}

/**
 * Plain TypeScript GEMM, C += A·B with element strides: A(i,p) = a[i*rsA + p*csA], B(p,j) = b[p*rsB + j*csB],
 * C row-major m x n. Blocked over k and j so rows of B stay in cache.
 */
export function gemmTS(a: FloatArray, rsA: number, csA: number, b: FloatArray, rsB: number, csB: number,
  c: FloatArray, m: number, n: number, k: number): void {
  if (csB === 1) {
    // i-p-j: stream rows of B
    const KB = 128;
    for (let p0 = 0; p0 < k; p0 += KB) {
      const p1 = Math.min(k, p0 + KB);
      for (let i = 0; i < m; i++) {
        const ci = i * n;
        for (let p = p0; p < p1; p++) {
          const av = a[i * rsA + p * csA]!;
          if (av === 0) continue;
          const bp = p * rsB;
          for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
        }
      }
    }
  } else {
    // B is transposed in memory (rsB === 1): dot products along contiguous columns
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        const bj = j * csB;
        if (csA === 1) {
          const ai = i * rsA;
          for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        } else {
          for (let p = 0; p < k; p++) s += a[i * rsA + p * csA]! * b[bj + p * rsB]!;
        }
        c[i * n + j]! += s;
      }
    }
  }
}

/** Squared euclidean norm of every row. */
export function rowSqNorms(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  const core = coreFor("rowNorms", { size: X.rows * X.cols, supported: X.dtype === "float32" });
  if (core) {
    const temps: number[] = [];
    try {
      let ptr = pinned.get(X.data);
      if (ptr === undefined) {
        ptr = core.alloc(X.data.length * 4);
        temps.push(ptr);
        core.f32().set(X.data, ptr >> 2);
      }
      const o = core.alloc(X.rows * 4);
      temps.push(o);
      const p = core.callBlock().set(ROWNORMS_A, ptr).set(ROWNORMS_LD, X.cols).set(ROWNORMS_COLS, X.cols)
        .set(ROWNORMS_ROWS, X.rows).set(ROWNORMS_OUT, o);
      core.run("rowSqNormsPart", p.ptr, partsFor(core, "rowNorms", X.rows * X.cols));
      out.set(core.f32().subarray(o >> 2, (o >> 2) + X.rows));
      return out;
    } finally {
      for (const t of temps) core.free(t);
    }
  }
  const d = X.data;
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = i * X.cols, e = j + X.cols; j < e; j++) s += d[j]! * d[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * Pairwise squared euclidean distances between the rows of X and the rows of Y (Y defaults to X), by
 * ‖x‖² + ‖y‖² − 2·x·y with the cross term from GEMM; clamped at zero.
 */
export function pairwiseSqDistances(X: Matrix, Y: Matrix = X): Matrix {
  if (X.cols !== Y.cols) fail(`pairwiseSqDistances: X has ${X.cols} columns, Y has ${Y.cols}`);
  const G = matmul(X, Y, { transB: true });
  const nx = rowSqNorms(X);
  const ny = Y === X ? nx : rowSqNorms(Y);
  const g = G.data;
  for (let i = 0; i < X.rows; i++) {
    const o = i * Y.rows;
    for (let j = 0; j < Y.rows; j++) {
      const v = nx[i]! + ny[j]! - 2 * g[o + j]!;
      g[o + j] = v > 0 ? v : 0;
    }
    if (Y === X) g[o + i] = 0;
  }
  return G;
}

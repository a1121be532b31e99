// Matrix products on tensors' storage for the neural engine: C (+)= op(A)·op(B) in place, with the operands already in
// the compute core's memory (no copy in or out), through the same packed GEMM kernel as src/core/gemm.ts. The packed
// panels of B and the per-thread scratch live in one long-lived buffer per core, grown as needed.
import { GEMM_NR, GEMM_WORK_FLOATS } from "../../assembly/abi.js";
import { partsFor } from "../core/backend.js";
import { fail } from "../core/errors.js";
import { gemmAccumulate, gemmTS } from "../core/gemm.js";
import type { WasmCore } from "../core/wasm/runtime.js";
import { nnCore } from "./storage.js";
import type { Tensor } from "./tensor.js";

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** Add into C instead of overwriting it. */
  accumulate?: boolean;
}

const scratch = new WeakMap<WasmCore, { ptr: number; bytes: number }>();

function scratchOf(core: WasmCore, bytes: number): number {
  let s = scratch.get(core);
  if (!s || s.bytes < bytes) {
    if (s) core.free(s.ptr);
    const size = Math.max(bytes, (s?.bytes ?? 0) * 2, 1 << 20);
    s = { ptr: core.alloc(size), bytes: size };
    scratch.set(core, s);
  }
  return s.ptr;
}

/**
 * C (+)= op(A)·op(B) where op(A) is m×k and op(B) is k×n, all row-major and contiguous: A is stored m×k (k×m when
 * transA), B k×n (n×k when transB), C m×n.
 */
export function gemmInto(C: Tensor, A: Tensor, B: Tensor, m: number, n: number, k: number, opts: GemmOptions = {}): void {
  if (A.size !== m * k || B.size !== k * n || C.size !== m * n) {
    fail(`gemm: sizes ${A.size}, ${B.size}, ${C.size} do not fit ${m}x${k} · ${k}x${n}`);
  }
  const rsA = opts.transA ? 1 : k, csA = opts.transA ? m : 1;
  const rsB = opts.transB ? 1 : n, csB = opts.transB ? k : 1;
  const core = nnCore();
  if (core && C.ptr >= 0 && A.ptr >= 0 && B.ptr >= 0) {
    if (!opts.accumulate) core.kernels.zero(C.ptr, m * n);
    if (m === 0 || n === 0 || k === 0) return;
    const flops = m * n * k;
    const parts = partsFor(core, "nn", flops);
    const nPad = Math.ceil(n / GEMM_NR) * GEMM_NR;
    const packBytes = k * nPad * 4;
    const base = scratchOf(core, packBytes + GEMM_WORK_FLOATS * 4 * parts + 64);
    gemmAccumulate(core, { a: A.ptr, rsA, csA, b: B.ptr, rsB, csB, c: C.ptr, m, n, k }, parts, base, base + Math.ceil(packBytes / 64) * 64);
    return;
  }
  const c = C.data;
  if (!opts.accumulate) c.fill(0);
  gemmTS(A.data, rsA, csA, B.data, rsB, csB, c, m, n, k);
}

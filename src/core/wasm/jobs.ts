// The work a parallel WASM job splits between threads. Shared by the main thread and the workers: the job's
// arguments live in the control block at the start of the shared memory.

export const CTL_GEN = 0; // job generation, bumped for each new job (workers wait on it)
export const CTL_PENDING = 1; // helpers still working on the current job
export const CTL_READY = 2; // helpers that have started
export const CTL_OP = 3;
export const CTL_PARTS = 4; // participants in the current job (main thread is part 0)
export const CTL_ERROR = 5; // set by a helper whose part threw (it still counts itself done)
export const CTL_ARGS = 8; // up to 16 i32 arguments
export const CTL_INTS = 32;

export const OP_STOP = 0;
export const OP_GEMM = 1;
export const OP_ROWNORMS = 2;
export const OP_KNN_SELECT = 3;
export const OP_FFT_COLS = 4;
export const OP_FFT_ROWS = 5;
export const OP_TSNE_ATTR = 6;
export const OP_CSR_MATMUL = 7;
export const OP_W2V = 8;
export const OP_UMAP_EPOCH = 9;
export const OP_BH_GROUPS = 10;
export const OP_TSNE_GRAD = 11;
export const OP_SQDIST_F64 = 12;

export const MR = 4;
/** Floats of scratch each participant needs for a GEMM (MC*KC + MR*NR, see assembly/gemm.ts). */
export const GEMM_WORK_FLOATS = 128 * 256 + 32;

export interface KernelExports {
  packB(b: number, rs: number, cs: number, p0: number, kc: number, n: number, dst: number): void;
  gemmRows(a: number, rsA: number, csA: number, bPack: number, c: number, ldc: number,
    m0: number, m1: number, n: number, k: number, work: number): void;
  rowSqNorms(a: number, ld: number, cols: number, r0: number, r1: number, out: number): void;
  zero(dst: number, n: number): void;
  knnSelect(g: number, n: number, xn: number, qn: number, k: number, selfBase: number, outD: number, outI: number,
    r0: number, r1: number): void;
  fftColumns(re: number, im: number, ld: number, n: number, c0: number, c1: number, stages: number, nStages: number,
    scratch: number, chunk: number, nzIn: number, nOut: number, spec: number): void;
  fftRows(re: number, im: number, ld: number, n: number, r0: number, r1: number, stages: number, nStages: number,
    scratch: number, chunk: number, nzIn: number, nOut: number, inverse: number): void;
  csrMatmul(indptr: number, indices: number, data: number, B: number, C: number, k: number, r0: number, r1: number): void;
  w2vTrainPart(params: number, part: number, parts: number): void;
  umapEpochPart(params: number, part: number, parts: number): void;
  bhGroupBuild(params: number): void;
  bhGroupPart(params: number, part: number, parts: number): void;
  tsneGradPart(attrParams: number, bhParams: number, part: number, parts: number): void;
  tsneAttractSymPart(params: number, part: number, parts: number): void;
  sqDistF64(X: number, n: number, d: number, i0: number, r0: number, r1: number, out: number): void;
}

/** Scratch bytes one participant of an FFT job needs: 4 planes of n·chunk f64. */
export const FFT_SCRATCH_BYTES = (n: number, chunk: number): number => 4 * n * chunk * 8;

/** Part `part` of `parts` of [0, m), aligned to `align`. */
export function slice(m: number, part: number, parts: number, align: number): [number, number] {
  const blocks = Math.ceil(m / align);
  const b0 = Math.floor((blocks * part) / parts);
  const b1 = Math.floor((blocks * (part + 1)) / parts);
  return [Math.min(m, b0 * align), Math.min(m, b1 * align)];
}

/** Runs this participant's share of the job described in the control block. */
export function runPart(k: KernelExports, ctl: Int32Array, part: number): void {
  const op = ctl[CTL_OP]!;
  const parts = ctl[CTL_PARTS]!;
  if (part >= parts) return; // helpers beyond this job's participants
  const a = (i: number): number => ctl[CTL_ARGS + i]!;
  if (op === OP_GEMM) {
    // args: a, rsA, csA, bPack, c, ldc, m, n, k, work0
    const [m0, m1] = slice(a(6), part, parts, MR);
    if (m1 > m0) k.gemmRows(a(0), a(1), a(2), a(3), a(4), a(5), m0, m1, a(7), a(8), a(9) + part * GEMM_WORK_FLOATS * 4);
  } else if (op === OP_ROWNORMS) {
    // args: a, ld, cols, rows, out
    const [r0, r1] = slice(a(3), part, parts, 1);
    if (r1 > r0) k.rowSqNorms(a(0), a(1), a(2), r0, r1, a(4));
  } else if (op === OP_KNN_SELECT) {
    // args: g, n, xn, qn, k, selfBase, outD, outI, rows
    const [r0, r1] = slice(a(8), part, parts, 1);
    if (r1 > r0) k.knnSelect(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), r0, r1);
  } else if (op === OP_FFT_COLS || op === OP_FFT_ROWS) {
    // args: re, im, ld, n, count (columns or rows, from 0), stages, nStages, scratch, chunk, nzIn, nOut, spec|inverse
    const [c0, c1] = slice(a(4), part, parts, 2);
    const scratch = a(7) + part * FFT_SCRATCH_BYTES(a(3), a(8));
    if (c1 > c0) {
      const f = op === OP_FFT_COLS ? k.fftColumns : k.fftRows;
      f(a(0), a(1), a(2), a(3), c0, c1, a(5), a(6), scratch, a(8), a(9), a(10), a(11));
    }
  } else if (op === OP_CSR_MATMUL) {
    // args: indptr, indices, data, B, C, k, rows
    const [r0, r1] = slice(a(6), part, parts, 1);
    if (r1 > r0) k.csrMatmul(a(0), a(1), a(2), a(3), a(4), a(5), r0, r1);
  } else if (op === OP_BH_GROUPS) {
    k.bhGroupPart(a(0), part, parts);
  } else if (op === OP_UMAP_EPOCH) {
    k.umapEpochPart(a(0), part, parts);
  } else if (op === OP_W2V) {
    // args: params
    k.w2vTrainPart(a(0), part, parts);
  } else if (op === OP_SQDIST_F64) {
    // args: X, n, d, i0, rows, out
    const [r0, r1] = slice(a(4), part, parts, 1);
    if (r1 > r0) k.sqDistF64(a(0), a(1), a(2), a(3), a(3) + r0, a(3) + r1, a(5));
  } else if (op === OP_TSNE_GRAD) {
    k.tsneGradPart(a(0), a(1), part, parts);
  } else if (op === OP_TSNE_ATTR) {
    k.tsneAttractSymPart(a(0), part, parts);
  }
}

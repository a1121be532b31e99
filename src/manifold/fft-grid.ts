// Circular 2-D convolution of grid charges with the (real, even) t-SNE kernel by FFT, for tsne-fft.ts. Two routes (backend.ts):
// the WebAssembly core (SIMD radix-4/2/3 column transforms split over the worker threads) and plain TypeScript.
// Both hold two M x M complex arrays, each carrying two real channels (re and im), and the kernel's real spectrum.
import {
  FFT_CHUNK, FFT_COUNT, FFT_IM, FFT_LAST, FFT_LD, FFT_N, FFT_N_OUT, FFT_N_STAGES, FFT_NZ_IN, FFT_RE, FFT_SCRATCH,
  FFT_SCRATCH_PLANES, FFT_STAGES,
} from "../../assembly/abi.js";
import { coreFor, partsFor, type Route } from "../core/backend.js";
import { FFTPlan, conjugate } from "../core/fft.js";
import { WasmArena, type WasmCore } from "../core/wasm/runtime.js";

export interface GridArrays {
  aRe: Float64Array;
  aIm: Float64Array;
  bRe: Float64Array;
  bIm: Float64Array;
}

export interface GridConvolution {
  /** Sets the grid size M (even, 2^a·3^b); arrays are zeroed only on a size change. */
  resize(M: number): void;
  /** The channel arrays (row-major M x M); views stay valid until the next resize. */
  arrays(): GridArrays;
  /** Sets the kernel from its values on the circulant grid (k(a, b) for a, b < M), written by `fill`. */
  setKernel(fill: (k: Float64Array) => void): void;
  /** Convolves both pairs in place: the input is the N x N corner (the rest is ignored), the output is valid there. */
  convolve(N: number): void;
  dispose(): void;
}

/** The grid convolution of the route backend.ts picks ("auto": the fastest available here). */
export function gridConvolution(route: Route = "auto"): GridConvolution {
  const core = coreFor("fft", { route });
  return core ? new WasmGrid(core) : new TsGrid();
}

export class TsGrid implements GridConvolution {
  private M = 0;
  private plan: FFTPlan | null = null;
  private a: GridArrays = { aRe: new Float64Array(0), aIm: new Float64Array(0), bRe: new Float64Array(0), bIm: new Float64Array(0) };
  private spec = new Float64Array(0);

  resize(M: number): void {
    if (M === this.M) return;
    this.M = M;
    this.plan = new FFTPlan(M);
    const len = M * M;
    this.a = { aRe: new Float64Array(len), aIm: new Float64Array(len), bRe: new Float64Array(len), bIm: new Float64Array(len) };
    this.spec = new Float64Array(len);
  }
  arrays(): GridArrays {
    return this.a;
  }
  setKernel(fill: (k: Float64Array) => void): void {
    const M = this.M;
    const re = new Float64Array(M * M);
    const im = new Float64Array(M * M);
    fill(re);
    this.fft2(re, im, M, M);
    const scale = 1 / (M * M);
    for (let t = 0; t < M * M; t++) this.spec[t] = re[t]! * scale;
  }
  convolve(N: number): void {
    const M = this.M;
    for (const arr of [this.a.aRe, this.a.aIm, this.a.bRe, this.a.bIm]) {
      // only the N x N corner is input; clear what an earlier convolution left elsewhere
      for (let u = 0; u < N; u++) arr.fill(0, u * M + N, (u + 1) * M);
      arr.fill(0, N * M);
    }
    this.pair(this.a.aRe, this.a.aIm, N);
    this.pair(this.a.bRe, this.a.bIm, N);
  }
  dispose(): void {
    this.M = 0;
  }
  private pair(re: Float64Array, im: Float64Array, N: number): void {
    const M = this.M;
    this.fft2(re, im, N, M);
    const spec = this.spec;
    // the spectrum comes out transposed; the kernel's is symmetric under transposition
    for (let t = 0; t < M * M; t++) {
      re[t]! *= spec[t]!;
      im[t]! *= spec[t]!;
    }
    conjugate(im, M * M); // inverse = conj ∘ forward ∘ conj (the 1/M² is in the spectrum)
    this.fft2(re, im, M, N);
    conjugate(im, M * M);
  }
  /** Forward 2-D DFT, output transposed: along axis 0 for the first inCols columns, transpose, along axis 0 again. */
  private fft2(re: Float64Array, im: Float64Array, inCols: number, outCols: number): void {
    const M = this.M;
    this.plan!.forward(re, im, inCols, M);
    transpose(re, M);
    transpose(im, M);
    this.plan!.forward(re, im, outCols, M);
  }
}

function transpose(a: Float64Array, M: number): void {
  const B = 32;
  for (let i0 = 0; i0 < M; i0 += B) {
    for (let j0 = i0; j0 < M; j0 += B) {
      const i1 = Math.min(M, i0 + B);
      const j1 = Math.min(M, j0 + B);
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          const u = a[i * M + j]!;
          a[i * M + j] = a[j * M + i]!;
          a[j * M + i] = u;
        }
      }
    }
  }
}

/** Columns per cache-resident chunk of a WASM column transform. */
const CHUNK = 4;

export class WasmGrid implements GridConvolution {
  private M = 0;
  private readonly arena: WasmArena;
  private p = { aRe: 0, aIm: 0, bRe: 0, bIm: 0, spec: 0, stages: 0, nStages: 0, scratch: 0 };
  private views: GridArrays | null = null;
  private viewBuffer: ArrayBufferLike | null = null;

  constructor(private readonly core: WasmCore) {
    this.arena = new WasmArena(core);
  }

  resize(M: number): void {
    if (M === this.M) return;
    this.dispose();
    this.M = M;
    const core = this.core;
    const bytes = M * M * 8;
    const alloc = (b: number): number => this.arena.alloc(b);
    const plan = new FFTPlan(M);
    const st = plan.describe();
    const twBytes = st.reduce((s, x) => s + x.tw.length * 8, 0);
    this.p = {
      aRe: alloc(bytes), aIm: alloc(bytes), bRe: alloc(bytes), bIm: alloc(bytes), spec: alloc(bytes),
      stages: alloc(16 * st.length + twBytes), nStages: st.length,
      scratch: alloc(FFT_SCRATCH_PLANES * M * CHUNK * 8 * core.threads),
    };
    const buf = core.memory.buffer;
    const table = new Int32Array(buf, this.p.stages, 4 * st.length);
    let tw = this.p.stages + 16 * st.length;
    st.forEach((s, i) => {
      table.set([s.radix, s.len, s.stride, tw], 4 * i);
      new Float64Array(buf, tw, s.tw.length).set(s.tw);
      tw += s.tw.length * 8;
    });
    const a = this.arrays();
    for (const arr of [a.aRe, a.aIm, a.bRe, a.bIm]) arr.fill(0);
  }

  arrays(): GridArrays {
    const buf = this.core.memory.buffer;
    if (!this.views || this.viewBuffer !== buf) {
      const len = this.M * this.M;
      const v = (ptr: number): Float64Array => new Float64Array(buf, ptr, len);
      this.views = { aRe: v(this.p.aRe), aIm: v(this.p.aIm), bRe: v(this.p.bRe), bIm: v(this.p.bIm) };
      this.viewBuffer = buf;
    }
    return this.views;
  }

  setKernel(fill: (k: Float64Array) => void): void {
    // the kernel is built in the b pair (the caller refills it before every convolution)
    const M = this.M;
    const { bRe, bIm } = this.arrays();
    bRe.fill(0);
    bIm.fill(0);
    fill(bRe);
    this.job("fftRowsPart", this.p.bRe, this.p.bIm, M, M, M, 0);
    this.job("fftColumnsPart", this.p.bRe, this.p.bIm, M, M, M, 0);
    const scale = 1 / (M * M);
    const spec = new Float64Array(this.core.memory.buffer, this.p.spec, M * M);
    const re = this.arrays().bRe;
    for (let t = 0; t < M * M; t++) spec[t] = re[t]! * scale;
  }

  convolve(N: number): void {
    const M = this.M;
    const even = Math.min(M, N + (N & 1)); // SIMD pairs of rows/columns
    const { aRe, aIm, bRe, bIm, spec } = this.p;
    for (const [re, im] of [[aRe, aIm], [bRe, bIm]] as const) {
      // rows < N carry data in columns < N: transform them along axis 1; then per column: forward along axis 0,
      // times the spectrum, inverse along axis 0 (rows < N kept); then the inverse along axis 1 (columns < N kept)
      this.job("fftRowsPart", re, im, even, N, M, 0);
      this.job("fftColumnsPart", re, im, M, N, even, spec);
      this.job("fftRowsPart", re, im, even, M, N, 1);
    }
  }

  private job(kernel: "fftRowsPart" | "fftColumnsPart", re: number, im: number, count: number, nzIn: number, nOut: number,
    last: number): void {
    const M = this.M;
    const { stages, nStages, scratch } = this.p;
    const p = this.core.callBlock().set(FFT_RE, re).set(FFT_IM, im).set(FFT_LD, M).set(FFT_N, M).set(FFT_COUNT, count)
      .set(FFT_STAGES, stages).set(FFT_N_STAGES, nStages).set(FFT_SCRATCH, scratch).set(FFT_CHUNK, CHUNK)
      .set(FFT_NZ_IN, nzIn).set(FFT_N_OUT, nOut).set(FFT_LAST, last);
    this.core.run(kernel, p.ptr, partsFor(this.core, "fft", M));
  }

  dispose(): void {
    this.arena.release();
    this.views = null;
    this.M = 0;
  }

}

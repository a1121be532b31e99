// ---- batched complex FFT (Stockham, radix 4/2/3) over f64 columns, for the t-SNE grid convolution -------------------
// A stage table holds 4 i32 per stage: radix, len (sub-transform length), stride, byte offset of its twiddles
// (interleaved cos, −sin for pp < len/radix and r = 1..radix−1). Columns c0..c1 of an n-row array (row stride ld
// elements, separate re and im arrays) are transformed in chunks of `chunk` columns, gathered into scratch (4 arrays
// of n·chunk f64), so every stage of a chunk runs in cache with contiguous SIMD pairs. Column counts must be even.
import {
  FFT_CHUNK, FFT_COUNT, FFT_IM, FFT_LAST, FFT_LD, FFT_N, FFT_N_OUT, FFT_N_STAGES, FFT_NZ_IN, FFT_RE, FFT_SCRATCH,
  FFT_SCRATCH_PLANES, FFT_STAGES,
} from "./abi";
import { prm, sliceStart } from "./common";

@inline function cmulR(ar: v128, ai: v128, wr: v128, wi: v128): v128 {
  return f64x2.sub(f64x2.mul(ar, wr), f64x2.mul(ai, wi));
}
@inline function cmulI(ar: v128, ai: v128, wr: v128, wi: v128): v128 {
  return f64x2.add(f64x2.mul(ar, wi), f64x2.mul(ai, wr));
}

function fftStage4(xr: usize, xi: usize, yr: usize, yi: usize, len: i32, sB: i32, tw: usize): void {
  const m = len >> 2;
  const sb = <usize>sB << 3;
  for (let pp = 0; pp < m; pp++) {
    const t = tw + (<usize>(6 * pp) << 3);
    const w1r = f64x2.splat(load<f64>(t)), w1i = f64x2.splat(load<f64>(t, 8));
    const w2r = f64x2.splat(load<f64>(t, 16)), w2i = f64x2.splat(load<f64>(t, 24));
    const w3r = f64x2.splat(load<f64>(t, 32)), w3i = f64x2.splat(load<f64>(t, 40));
    const x0 = <usize>pp * sb, x1 = <usize>(pp + m) * sb, x2 = <usize>(pp + 2 * m) * sb, x3 = <usize>(pp + 3 * m) * sb;
    const y0 = <usize>(4 * pp) * sb, y1 = y0 + sb, y2 = y1 + sb, y3 = y2 + sb;
    for (let u: usize = 0; u < sb; u += 16) {
      const a0r = v128.load(xr + x0 + u), a0i = v128.load(xi + x0 + u);
      const a1r = v128.load(xr + x1 + u), a1i = v128.load(xi + x1 + u);
      const a2r = v128.load(xr + x2 + u), a2i = v128.load(xi + x2 + u);
      const a3r = v128.load(xr + x3 + u), a3i = v128.load(xi + x3 + u);
      const b0r = f64x2.add(a0r, a2r), b0i = f64x2.add(a0i, a2i);
      const b1r = f64x2.sub(a0r, a2r), b1i = f64x2.sub(a0i, a2i);
      const b2r = f64x2.add(a1r, a3r), b2i = f64x2.add(a1i, a3i);
      const b3r = f64x2.sub(a1i, a3i), b3i = f64x2.sub(a3r, a1r);
      v128.store(yr + y0 + u, f64x2.add(b0r, b2r));
      v128.store(yi + y0 + u, f64x2.add(b0i, b2i));
      const c1r = f64x2.add(b1r, b3r), c1i = f64x2.add(b1i, b3i);
      v128.store(yr + y1 + u, cmulR(c1r, c1i, w1r, w1i));
      v128.store(yi + y1 + u, cmulI(c1r, c1i, w1r, w1i));
      const c2r = f64x2.sub(b0r, b2r), c2i = f64x2.sub(b0i, b2i);
      v128.store(yr + y2 + u, cmulR(c2r, c2i, w2r, w2i));
      v128.store(yi + y2 + u, cmulI(c2r, c2i, w2r, w2i));
      const c3r = f64x2.sub(b1r, b3r), c3i = f64x2.sub(b1i, b3i);
      v128.store(yr + y3 + u, cmulR(c3r, c3i, w3r, w3i));
      v128.store(yi + y3 + u, cmulI(c3r, c3i, w3r, w3i));
    }
  }
}

function fftStage2(xr: usize, xi: usize, yr: usize, yi: usize, len: i32, sB: i32, tw: usize): void {
  const m = len >> 1;
  const sb = <usize>sB << 3;
  for (let pp = 0; pp < m; pp++) {
    const t = tw + (<usize>(2 * pp) << 3);
    const wr = f64x2.splat(load<f64>(t)), wi = f64x2.splat(load<f64>(t, 8));
    const x0 = <usize>pp * sb, x1 = <usize>(pp + m) * sb;
    const y0 = <usize>(2 * pp) * sb, y1 = y0 + sb;
    for (let u: usize = 0; u < sb; u += 16) {
      const a0r = v128.load(xr + x0 + u), a0i = v128.load(xi + x0 + u);
      const a1r = v128.load(xr + x1 + u), a1i = v128.load(xi + x1 + u);
      v128.store(yr + y0 + u, f64x2.add(a0r, a1r));
      v128.store(yi + y0 + u, f64x2.add(a0i, a1i));
      const dr = f64x2.sub(a0r, a1r), di = f64x2.sub(a0i, a1i);
      v128.store(yr + y1 + u, cmulR(dr, di, wr, wi));
      v128.store(yi + y1 + u, cmulI(dr, di, wr, wi));
    }
  }
}

function fftStage3(xr: usize, xi: usize, yr: usize, yi: usize, len: i32, sB: i32, tw: usize): void {
  const m = len / 3;
  const sb = <usize>sB << 3;
  const half = f64x2.splat(0.5);
  const s60 = f64x2.splat(0.8660254037844386);
  for (let pp = 0; pp < m; pp++) {
    const t = tw + (<usize>(4 * pp) << 3);
    const w1r = f64x2.splat(load<f64>(t)), w1i = f64x2.splat(load<f64>(t, 8));
    const w2r = f64x2.splat(load<f64>(t, 16)), w2i = f64x2.splat(load<f64>(t, 24));
    const x0 = <usize>pp * sb, x1 = <usize>(pp + m) * sb, x2 = <usize>(pp + 2 * m) * sb;
    const y0 = <usize>(3 * pp) * sb, y1 = y0 + sb, y2 = y1 + sb;
    for (let u: usize = 0; u < sb; u += 16) {
      const a0r = v128.load(xr + x0 + u), a0i = v128.load(xi + x0 + u);
      const a1r = v128.load(xr + x1 + u), a1i = v128.load(xi + x1 + u);
      const a2r = v128.load(xr + x2 + u), a2i = v128.load(xi + x2 + u);
      const t1r = f64x2.add(a1r, a2r), t1i = f64x2.add(a1i, a2i);
      const t2r = f64x2.sub(a0r, f64x2.mul(half, t1r)), t2i = f64x2.sub(a0i, f64x2.mul(half, t1i));
      const t3r = f64x2.mul(s60, f64x2.sub(a1r, a2r)), t3i = f64x2.mul(s60, f64x2.sub(a1i, a2i));
      v128.store(yr + y0 + u, f64x2.add(a0r, t1r));
      v128.store(yi + y0 + u, f64x2.add(a0i, t1i));
      const c1r = f64x2.add(t2r, t3i), c1i = f64x2.sub(t2i, t3r);
      const c2r = f64x2.sub(t2r, t3i), c2i = f64x2.add(t2i, t3r);
      v128.store(yr + y1 + u, cmulR(c1r, c1i, w1r, w1i));
      v128.store(yi + y1 + u, cmulI(c1r, c1i, w1r, w1i));
      v128.store(yr + y2 + u, cmulR(c2r, c2i, w2r, w2i));
      v128.store(yi + y2 + u, cmulI(c2r, c2i, w2r, w2i));
    }
  }
}

/** Runs the plan's stages on the planes (xr, xi) ping-ponging with (yr, yi), W interleaved sequences; returns
 *  1 when the result ended in the y planes. `swap` runs the inverse (DFT with real and imaginary parts swapped). */
function runStages(xr: usize, xi: usize, yr: usize, yi: usize, W: i32, stages: usize, nStages: i32, swap: bool): i32 {
  if (swap) {
    const t1 = xr; xr = xi; xi = t1;
    const t2 = yr; yr = yi; yi = t2;
  }
  for (let s = 0; s < nStages; s++) {
    const d = stages + (<usize>(4 * s) << 2);
    const radix = load<i32>(d), len = load<i32>(d, 4), stride = load<i32>(d, 8);
    const tw = <usize>load<i32>(d, 12);
    if (radix == 4) fftStage4(xr, xi, yr, yi, len, stride * W, tw);
    else if (radix == 2) fftStage2(xr, xi, yr, yi, len, stride * W, tw);
    else fftStage3(xr, xi, yr, yi, len, stride * W, tw);
    const tr = xr; xr = yr; yr = tr;
    const ti = xi; xi = yi; yi = ti;
  }
  return nStages & 1;
}

/**
 * DFT along axis 0 (length n, row stride ld) of columns c0..c1, in chunks of `chunk` columns gathered into scratch.
 * Only rows < nzIn are read (the rest count as zero) and only rows < nOut are written back. With spec != 0 the
 * forward transform is followed by a pointwise product with the real array spec (same layout) and the inverse
 * transform (unnormalised), i.e. one fused circular convolution along this axis after an earlier one along axis 1.
 */
function fftColumns(re: usize, im: usize, ld: i32, n: i32, c0: i32, c1: i32, stages: usize, nStages: i32,
  scratch: usize, chunk: i32, nzIn: i32, nOut: i32, spec: usize): void {
  const plane = <usize>(n * chunk) << 3;
  for (let cs = c0; cs < c1; cs += chunk) {
    const W = min(chunk, c1 - cs);
    const wb = <usize>W << 3;
    let xr = scratch, xi = scratch + plane, yr = scratch + 2 * plane, yi = scratch + 3 * plane;
    for (let t = 0; t < nzIn; t++) {
      const src = (<usize>t * <usize>ld + <usize>cs) << 3;
      memory.copy(xr + <usize>t * wb, re + src, wb);
      memory.copy(xi + <usize>t * wb, im + src, wb);
    }
    memory.fill(xr + <usize>nzIn * wb, 0, <usize>(n - nzIn) * wb);
    memory.fill(xi + <usize>nzIn * wb, 0, <usize>(n - nzIn) * wb);
    if (runStages(xr, xi, yr, yi, W, stages, nStages, false)) {
      const tr = xr; xr = yr; yr = tr;
      const ti = xi; xi = yi; yi = ti;
    }
    if (spec != 0) {
      for (let t = 0; t < n; t++) {
        const sp = spec + ((<usize>t * <usize>ld + <usize>cs) << 3);
        const o = <usize>t * wb;
        for (let u: usize = 0; u < wb; u += 16) {
          const v = v128.load(sp + u);
          v128.store(xr + o + u, f64x2.mul(v128.load(xr + o + u), v));
          v128.store(xi + o + u, f64x2.mul(v128.load(xi + o + u), v));
        }
      }
      if (runStages(xr, xi, yr, yi, W, stages, nStages, true)) {
        const tr = xr; xr = yr; yr = tr;
        const ti = xi; xi = yi; yi = ti;
      }
    }
    for (let t = 0; t < nOut; t++) {
      const dst = (<usize>t * <usize>ld + <usize>cs) << 3;
      memory.copy(re + dst, xr + <usize>t * wb, wb);
      memory.copy(im + dst, xi + <usize>t * wb, wb);
    }
  }
}

/**
 * DFT along axis 1 (length n, contiguous) of rows r0..r1 (row stride ld), `chunk` rows at a time transposed into
 * scratch. Only columns < nzIn are read and columns < nOut written; `inverse` runs the unnormalised inverse.
 */
function fftRows(re: usize, im: usize, ld: i32, n: i32, r0: i32, r1: i32, stages: usize, nStages: i32,
  scratch: usize, chunk: i32, nzIn: i32, nOut: i32, inverse: i32): void {
  const plane = <usize>(n * chunk) << 3;
  for (let rs = r0; rs < r1; rs += chunk) {
    const W = min(chunk, r1 - rs);
    const wb = <usize>W << 3;
    let xr = scratch, xi = scratch + plane, yr = scratch + 2 * plane, yi = scratch + 3 * plane;
    for (let w = 0; w < W; w++) {
      const src = (<usize>(rs + w) * <usize>ld) << 3;
      const dst = <usize>w << 3;
      for (let t = 0; t < nzIn; t++) {
        store<f64>(xr + dst + <usize>t * wb, load<f64>(re + src + (<usize>t << 3)));
        store<f64>(xi + dst + <usize>t * wb, load<f64>(im + src + (<usize>t << 3)));
      }
    }
    memory.fill(xr + <usize>nzIn * wb, 0, <usize>(n - nzIn) * wb);
    memory.fill(xi + <usize>nzIn * wb, 0, <usize>(n - nzIn) * wb);
    if (runStages(xr, xi, yr, yi, W, stages, nStages, inverse != 0)) {
      const tr = xr; xr = yr; yr = tr;
      const ti = xi; xi = yi; yi = ti;
    }
    for (let w = 0; w < W; w++) {
      const dst = (<usize>(rs + w) * <usize>ld) << 3;
      const src = <usize>w << 3;
      for (let t = 0; t < nOut; t++) {
        store<f64>(re + dst + (<usize>t << 3), load<f64>(xr + src + <usize>t * wb));
        store<f64>(im + dst + (<usize>t << 3), load<f64>(xi + src + <usize>t * wb));
      }
    }
  }
}

/** This part's scratch of an FFT job: FFT_SCRATCH_PLANES planes of n·chunk f64 per participant. */
@inline function fftScratch(params: usize, part: i32): usize {
  const n = prm(params, FFT_N), chunk = prm(params, FFT_CHUNK);
  return <usize>prm(params, FFT_SCRATCH) + <usize>part * (<usize>(FFT_SCRATCH_PLANES * n * chunk) << 3);
}

/** Part `part` of `parts` of fftColumns over columns [0, count) (FFT_* in abi.ts), split in pairs of columns. */
export function fftColumnsPart(params: usize, part: i32, parts: i32): void {
  const count = prm(params, FFT_COUNT);
  const c0 = sliceStart(count, part, parts, 2), c1 = sliceStart(count, part + 1, parts, 2);
  if (c1 > c0) {
    fftColumns(<usize>prm(params, FFT_RE), <usize>prm(params, FFT_IM), prm(params, FFT_LD), prm(params, FFT_N), c0, c1,
      <usize>prm(params, FFT_STAGES), prm(params, FFT_N_STAGES), fftScratch(params, part), prm(params, FFT_CHUNK),
      prm(params, FFT_NZ_IN), prm(params, FFT_N_OUT), <usize>prm(params, FFT_LAST));
  }
}

/** Part `part` of `parts` of fftRows over rows [0, count) (FFT_* in abi.ts), split in pairs of rows. */
export function fftRowsPart(params: usize, part: i32, parts: i32): void {
  const count = prm(params, FFT_COUNT);
  const r0 = sliceStart(count, part, parts, 2), r1 = sliceStart(count, part + 1, parts, 2);
  if (r1 > r0) {
    fftRows(<usize>prm(params, FFT_RE), <usize>prm(params, FFT_IM), prm(params, FFT_LD), prm(params, FFT_N), r0, r1,
      <usize>prm(params, FFT_STAGES), prm(params, FFT_N_STAGES), fftScratch(params, part), prm(params, FFT_CHUNK),
      prm(params, FFT_NZ_IN), prm(params, FFT_N_OUT), prm(params, FFT_LAST));
  }
}

// latentkit compute core: WebAssembly SIMD kernels (AssemblyScript).
//
// Every function works on raw pointers into the (shared) linear memory; the JS side owns allocation.
// GEMM follows the BLIS layout: B is packed once into NR-wide column panels per K block, each thread packs
// its own MR-high row panels of A, and a 4x8 register-blocked micro-kernel accumulates C += A.B.

import { tsneAttractRowsPart } from "./tsne-attract";

export { tsneAttractRowsPart } from "./tsne-attract";
export { bhQueryPart } from "./tsne-query";

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;

/** Pack rows p0..p0+kc of B (k x n, element (p,j) at b[p*rs + j*cs]) into NR-wide panels, zero padded. */
export function packB(b: usize, rs: i32, cs: i32, p0: i32, kc: i32, n: i32, dst: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    let d = dst + (<usize>(jp * kc * NR) << 2);
    for (let p = 0; p < kc; p++) {
      const row = b + (<usize>((p0 + p) * rs + j0 * cs) << 2);
      if (w == NR && cs == 1) {
        v128.store(d, v128.load(row));
        v128.store(d, v128.load(row, 16), 16);
      } else {
        for (let jj = 0; jj < NR; jj++) {
          store<f32>(d + (<usize>jj << 2), jj < w ? load<f32>(row + (<usize>(jj * cs) << 2)) : 0);
        }
      }
      d += <usize>(NR << 2);
    }
  }
}

/** Pack rows i0..i0+mc, columns p0..p0+kc of A (element (i,p) at a[i*rs + p*cs]) into MR-high panels. */
function packA(a: usize, rs: i32, cs: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const panels = (mc + MR - 1) / MR;
  for (let ip = 0; ip < panels; ip++) {
    const r0 = i0 + ip * MR;
    const h = min(MR, i0 + mc - r0);
    let d = dst + (<usize>(ip * kc * MR) << 2);
    if (h == MR && cs == 1) {
      const a0 = a + (<usize>(r0 * rs + p0) << 2);
      const a1 = a0 + (<usize>rs << 2);
      const a2 = a1 + (<usize>rs << 2);
      const a3 = a2 + (<usize>rs << 2);
      for (let p = 0; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, load<f32>(a0 + o));
        store<f32>(d, load<f32>(a1 + o), 4);
        store<f32>(d, load<f32>(a2 + o), 8);
        store<f32>(d, load<f32>(a3 + o), 12);
        d += 16;
      }
    } else if (h == MR && rs == 1) {
      // A is stored transposed: the MR values of one column p are contiguous
      let src = a + (<usize>((p0) * cs + r0) << 2);
      const step = <usize>cs << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src));
        src += step;
        d += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) {
          const v: f32 = ii < h ? load<f32>(a + (<usize>((r0 + ii) * rs + (p0 + p) * cs) << 2)) : 0;
          store<f32>(d + (<usize>ii << 2), v);
        }
        d += 16;
      }
    }
  }
}

/** c + a·b: one fused multiply-add where the engine has relaxed SIMD (this file is built both ways). */
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// scratch tile for edge blocks (MR x NR floats), placed by the caller
@inline
function micro(kc: i32, a: usize, b: usize, c: usize, ldc: i32, h: i32, w: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    a += 16;
    b += 32;
  }
  const ld = <usize>ldc << 2;
  if (h == MR && w == NR) {
    let r = c;
    v128.store(r, f32x4.add(v128.load(r), c00)); v128.store(r, f32x4.add(v128.load(r, 16), c01), 16); r += ld;
    v128.store(r, f32x4.add(v128.load(r), c10)); v128.store(r, f32x4.add(v128.load(r, 16), c11), 16); r += ld;
    v128.store(r, f32x4.add(v128.load(r), c20)); v128.store(r, f32x4.add(v128.load(r, 16), c21), 16); r += ld;
    v128.store(r, f32x4.add(v128.load(r), c30)); v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
  } else {
    v128.store(tile, c00); v128.store(tile, c01, 16);
    v128.store(tile, c10, 32); v128.store(tile, c11, 48);
    v128.store(tile, c20, 64); v128.store(tile, c21, 80);
    v128.store(tile, c30, 96); v128.store(tile, c31, 112);
    for (let i = 0; i < h; i++) {
      const r = c + <usize>i * ld;
      for (let j = 0; j < w; j++) {
        const o = <usize>j << 2;
        store<f32>(r + o, load<f32>(r + o) + load<f32>(tile + (<usize>(i * NR + j) << 2)));
      }
    }
  }
}

/**
 * C[m0..m1, 0..n) += A[m0..m1, :] . B, with B already packed by packB over all K blocks
 * (block starting at p0 lives at bPack + p0*nPad floats). work: MC*KC + MR*NR floats of scratch.
 */
export function gemmRows(
  a: usize, rsA: i32, csA: i32, bPack: usize, c: usize, ldc: i32,
  m0: i32, m1: i32, n: i32, k: i32, work: usize,
): void {
  const nPad = ((n + NR - 1) / NR) * NR;
  const tile = work + (<usize>(MC * KC) << 2);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const bBlock = bPack + (<usize>(p0 * nPad) << 2);
    for (let i0 = m0; i0 < m1; i0 += MC) {
      const mc = min(MC, m1 - i0);
      packA(a, rsA, csA, i0, mc, p0, kc, work);
      for (let j0 = 0; j0 < n; j0 += NR) {
        const w = min(NR, n - j0);
        const bp = bBlock + (<usize>(j0 * kc) << 2);
        for (let ii = 0; ii < mc; ii += MR) {
          const h = min(MR, mc - ii);
          micro(kc, work + (<usize>(ii * kc) << 2), bp, c + (<usize>((i0 + ii) * ldc + j0) << 2), ldc, h, w, tile);
        }
      }
    }
  }
}

/** Squared euclidean norm of each of the rows r0..r1 of a (rows x cols, row stride ld) into out[r]. */
export function rowSqNorms(a: usize, ld: i32, cols: i32, r0: i32, r1: i32, out: usize): void {
  for (let r = r0; r < r1; r++) {
    const row = a + (<usize>(r * ld) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; j < cols; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      s += v * v;
    }
    store<f32>(out + (<usize>r << 2), s);
  }
}

/** Fill n floats at dst with zero. */
export function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

// ---- k-nearest-neighbour selection -------------------------------------------------------------------------------

/** Sift d/j into the max-heap (size k, full) at hd/hi after replacing its root. */
@inline
function heapReplaceTop(hd: usize, hi: usize, k: i32, d: f32, j: i32): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= k) break;
    const r = l + 1;
    let big = l;
    if (r < k && load<f32>(hd + (<usize>r << 2)) > load<f32>(hd + (<usize>l << 2))) big = r;
    const bd = load<f32>(hd + (<usize>big << 2));
    if (bd <= d) break;
    store<f32>(hd + (<usize>c << 2), bd);
    store<i32>(hi + (<usize>c << 2), load<i32>(hi + (<usize>big << 2)));
    c = big;
  }
  store<f32>(hd + (<usize>c << 2), d);
  store<i32>(hi + (<usize>c << 2), j);
}

/**
 * For rows r0..r1 of the inner-product block g (rows x n, row stride n): the k smallest squared distances
 * d_j = qn[r] + xn[j] − 2·g[r, j] (skipping column selfBase + r when selfBase >= 0), as an unsorted max-heap in
 * outD/outI at row r·k. Needs n − (selfBase >= 0) >= k. Candidates are screened four at a time against the heap top.
 */
export function knnSelect(g: usize, n: i32, xn: usize, qn: usize, k: i32, selfBase: i32,
  outD: usize, outI: usize, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const row = g + (<usize>r * <usize>n << 2);
    const hd = outD + (<usize>(r * k) << 2);
    const hi = outI + (<usize>(r * k) << 2);
    const q = load<f32>(qn + (<usize>r << 2));
    const skip = selfBase >= 0 ? selfBase + r : -1;
    let size = 0;
    let j = 0;
    // fill the heap with the first k candidates
    for (; j < n && size < k; j++) {
      if (j == skip) continue;
      const d = q + load<f32>(xn + (<usize>j << 2)) - 2 * load<f32>(row + (<usize>j << 2));
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const pd = load<f32>(hd + (<usize>p << 2));
        if (pd >= d) break;
        store<f32>(hd + (<usize>c << 2), pd);
        store<i32>(hi + (<usize>c << 2), load<i32>(hi + (<usize>p << 2)));
        c = p;
      }
      store<f32>(hd + (<usize>c << 2), d);
      store<i32>(hi + (<usize>c << 2), j);
    }
    const qv = f32x4.splat(q);
    const two = f32x4.splat(2);
    for (; j + 4 <= n; j += 4) {
      const dv = f32x4.sub(f32x4.add(qv, v128.load(xn + (<usize>j << 2))), f32x4.mul(two, v128.load(row + (<usize>j << 2))));
      if (!v128.any_true(f32x4.lt(dv, f32x4.splat(load<f32>(hd))))) continue;
      for (let t = 0; t < 4; t++) {
        const jj = j + t;
        if (jj == skip) continue;
        const d = q + load<f32>(xn + (<usize>jj << 2)) - 2 * load<f32>(row + (<usize>jj << 2));
        if (d < load<f32>(hd)) heapReplaceTop(hd, hi, k, d, jj);
      }
    }
    for (; j < n; j++) {
      if (j == skip) continue;
      const d = q + load<f32>(xn + (<usize>j << 2)) - 2 * load<f32>(row + (<usize>j << 2));
      if (d < load<f32>(hd)) heapReplaceTop(hd, hi, k, d, j);
    }
  }
}

// ---- batched complex FFT (Stockham, radix 4/2/3) over f64 columns, for the t-SNE grid convolution -------------------
// A stage table holds 4 i32 per stage: radix, len (sub-transform length), stride, byte offset of its twiddles
// (interleaved cos, −sin for pp < len/radix and r = 1..radix−1). Columns c0..c1 of an n-row array (row stride ld
// elements, separate re and im arrays) are transformed in chunks of `chunk` columns, gathered into scratch (4 arrays
// of n·chunk f64), so every stage of a chunk runs in cache with contiguous SIMD pairs. Column counts must be even.

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
export function fftColumns(re: usize, im: usize, ld: i32, n: i32, c0: i32, c1: i32, stages: usize, nStages: i32,
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
export function fftRows(re: usize, im: usize, ld: i32, n: i32, r0: i32, r1: i32, stages: usize, nStages: i32,
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

// ---- exact squared distances (f64) -----------------------------------------------------------------------------------

/**
 * out[(i − i0)·n + j] = Σ_c (x_ic − x_jc)² for rows i in [r0, r1) against all n rows of X (f64, row-major n x d):
 * direct differences, so no cancellation, for the rank-based quality metrics. Two rows j per pass.
 */
export function sqDistF64(X: usize, n: i32, d: i32, i0: i32, r0: i32, r1: i32, out: usize): void {
  const rb = <usize>d << 3;
  const d2 = d & ~1;
  for (let i = r0; i < r1; i++) {
    const xi = X + <usize>i * rb;
    const o = out + <usize>(i - i0) * (<usize>n << 3);
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const xa = X + <usize>j * rb, xb = xa + rb;
      let sa = f64x2.splat(0), sb = f64x2.splat(0);
      for (let c = 0; c < d2; c += 2) {
        const v = v128.load(xi + (<usize>c << 3));
        const da = f64x2.sub(v, v128.load(xa + (<usize>c << 3))), db = f64x2.sub(v, v128.load(xb + (<usize>c << 3)));
        sa = f64x2.add(sa, f64x2.mul(da, da));
        sb = f64x2.add(sb, f64x2.mul(db, db));
      }
      let ta = f64x2.extract_lane(sa, 0) + f64x2.extract_lane(sa, 1);
      let tb = f64x2.extract_lane(sb, 0) + f64x2.extract_lane(sb, 1);
      if (d2 < d) {
        const v = load<f64>(xi + (<usize>d2 << 3));
        const da = v - load<f64>(xa + (<usize>d2 << 3)), db = v - load<f64>(xb + (<usize>d2 << 3));
        ta += da * da;
        tb += db * db;
      }
      store<f64>(o + (<usize>j << 3), ta);
      store<f64>(o + (<usize>(j + 1) << 3), tb);
    }
    if (j < n) {
      const xa = X + <usize>j * rb;
      let t: f64 = 0;
      for (let c = 0; c < d; c++) {
        const da = load<f64>(xi + (<usize>c << 3)) - load<f64>(xa + (<usize>c << 3));
        t += da * da;
      }
      store<f64>(o + (<usize>j << 3), t);
    }
  }
}

// ---- sparse (CSR) times dense ---------------------------------------------------------------------------------------

/** C[i, :] = Σ_p data[p] · B[indices[p], :] for rows r0..r1 (f32 data; B and C row-major with k columns). */
export function csrMatmul(indptr: usize, indices: usize, data: usize, B: usize, C: usize, k: i32, r0: i32, r1: i32): void {
  const kb = <usize>k << 2;
  const k4 = <usize>(k & ~3) << 2;
  for (let i = r0; i < r1; i++) {
    const c = C + <usize>i * kb;
    memory.fill(c, 0, kb);
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>i << 2)); p < e; p++) {
      const v = load<f32>(data + (<usize>p << 2));
      const vv = f32x4.splat(v);
      const b = B + <usize>load<i32>(indices + (<usize>p << 2)) * kb;
      let t: usize = 0;
      for (; t < k4; t += 16) v128.store(c + t, f32x4.add(v128.load(c + t), f32x4.mul(vv, v128.load(b + t))));
      for (; t < kb; t += 4) store<f32>(c + t, load<f32>(c + t) + v * load<f32>(b + t));
    }
  }
}

// ---- word2vec (skip-gram / CBOW with negative sampling), Hogwild over shared memory ---------------------------------
// Each participant trains its own slice of the token range with its own random stream; all write to the shared
// input (syn0) and output (syn1) matrices without locks, as in word2vec.c and gensim. The sigmoid comes from a
// table over [−6, 6] as in word2vec.c.

const EXP_TABLE: i32 = 1000;
const MAX_EXP: f32 = 6;

@inline function dot(a: usize, b: usize, d: i32): f32 {
  // four independent accumulators hide the add latency
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  const d16 = d & ~15;
  let t = 0;
  for (; t < d16; t += 16) {
    const o = <usize>t << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    s1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), s1);
    s2 = madd(v128.load(a + o, 32), v128.load(b + o, 32), s2);
    s3 = madd(v128.load(a + o, 48), v128.load(b + o, 48), s3);
  }
  for (; t + 4 <= d; t += 4) s0 = madd(v128.load(a + (<usize>t << 2)), v128.load(b + (<usize>t << 2)), s0);
  const acc = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; t < d; t++) s += load<f32>(a + (<usize>t << 2)) * load<f32>(b + (<usize>t << 2));
  return s;
}

/** y += g·x over d floats. */
@inline function axpy(y: usize, g: f32, x: usize, d: i32): void {
  const gv = f32x4.splat(g);
  const d4 = d & ~3;
  let t = 0;
  for (; t < d4; t += 4) {
    const o = <usize>t << 2;
    v128.store(y + o, madd(gv, v128.load(x + o), v128.load(y + o)));
  }
  for (; t < d; t++) store<f32>(y + (<usize>t << 2), load<f32>(y + (<usize>t << 2)) + g * load<f32>(x + (<usize>t << 2)));
}

/**
 * One negative-sampling update of the hidden vector h (d floats): for the target and `negative` sampled words,
 * g = (label − σ(h·syn1[w]))·alpha; err += g·syn1[w]; syn1[w] += g·h. Returns the updated random state.
 */
@inline function negSample(h: usize, err: usize, target: i32, syn1: usize, d: i32, negative: i32, table: usize,
  tableSize: i32, expTable: usize, alpha: f32, rnd: u64): u64 {
  const rowBytes = <usize>d << 2;
  for (let k = 0; k <= negative; k++) {
    let w = target;
    let label: f32 = 1;
    if (k > 0) {
      rnd = rnd * 25214903917 + 11;
      // multiply-high instead of a 64-bit modulo
      w = load<i32>(table + (<usize>(<i32>(((rnd >> 16) & 0xffffffff) * <u64>tableSize >> 32)) << 2));
      if (w == target) continue;
      label = 0;
    }
    const out = syn1 + <usize>w * rowBytes;
    const f = dot(h, out, d);
    if (f >= MAX_EXP || f <= -MAX_EXP) continue; // saturated: no update (as gensim)
    const g: f32 = (label - load<f32>(expTable + (<usize>(<i32>((f + MAX_EXP) * (<f32>EXP_TABLE / MAX_EXP / 2))) << 2))) * alpha;
    axpy(err, g, out, d);
    axpy(out, g, h, d);
  }
  return rnd;
}

@inline function prm(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

/**
 * Part `part` of `parts` of a word2vec training job described by the parameter block at `params` (i32 slots unless
 * noted): 0 ids, 1 sentEnd (for each token, the end offset of its sentence), 2 t0, 3 t1, 4 keep (subsampling
 * keep-probability of each word, scaled to 2^24), 5 syn0, 6 syn1, 7 d, 8 window, 9 negative, 10 table, 11 tableSize,
 * 12 expTable, 13 a0 (f32), 14 a1 (f32), 15 cbow, 16 seed, 17 scratch, 18 scratch bytes per part, 19 counts (one i32
 * per part: tokens trained), 20 shared (skip-gram negatives drawn once per centre word and shared by its window,
 * else per pair). The part trains its slice of [t0, t1) with alpha decaying linearly from a0 to a1 over it.
 */
export function w2vTrainPart(params: usize, part: i32, parts: i32): void {
  const t0 = prm(params, 2), t1 = prm(params, 3);
  const s0 = t0 + <i32>(<i64>(t1 - t0) * part / parts);
  const s1 = t0 + <i32>(<i64>(t1 - t0) * (part + 1) / parts);
  const trained = w2vTrain(<usize>prm(params, 0), <usize>prm(params, 1), s0, s1, <usize>prm(params, 4),
    <usize>prm(params, 5), <usize>prm(params, 6), prm(params, 7), prm(params, 8), prm(params, 9), <usize>prm(params, 10),
    prm(params, 11), <usize>prm(params, 12), load<f32>(params + 52), load<f32>(params + 56), prm(params, 15),
    prm(params, 16) * 7919 + part, <usize>prm(params, 17) + <usize>prm(params, 18) * <usize>part, prm(params, 20) != 0);
  store<i32>(<usize>prm(params, 19) + (<usize>part << 2), trained);
}

/**
 * Trains on tokens [t0, t1) of `ids`; alpha decays linearly from a0 at t0 to a1 at t1. Scratch: see the layout
 * below (the JS side sizes it). Returns the number of (kept) tokens trained.
 */
function w2vTrain(ids: usize, sentEnd: usize, t0: i32, t1: i32, keep: usize, syn0: usize, syn1: usize, d: i32,
  window: i32, negative: i32, table: usize, tableSize: i32, expTable: usize, a0: f32, a1: f32, cbow: i32,
  seed: i32, scratch: usize, shared: bool): i32 {
  let rnd: u64 = <u64>seed * 0x9e3779b97f4a7c15 + 1;
  const rowBytes = <usize>d << 2;
  // scratch: h and err (d floats each), one error row per context word (2·window rows), the g matrix
  // (2·window x (negative + 1)), context and target ids, then the subsampled sentence
  const h = scratch;
  const err = scratch + rowBytes;
  const errs = scratch + 2 * rowBytes;
  const gm = errs + <usize>(2 * window) * rowBytes;
  const ctx = gm + (<usize>(2 * window * (negative + 1)) << 2);
  const tgt = ctx + (<usize>(2 * window) << 2);
  const sent = tgt + (<usize>(negative + 1) << 2);
  const span = <f32>max(1, t1 - t0);
  let trained = 0;
  let t = t0;
  while (t < t1) {
    const end = min(load<i32>(sentEnd + (<usize>t << 2)), t1);
    // subsample this sentence into sent[0..len)
    let len = 0;
    for (let u = t; u < end; u++) {
      const w = load<i32>(ids + (<usize>u << 2));
      rnd = rnd * 25214903917 + 11;
      if (<u32>((rnd >> 16) & 0xffffff) < load<u32>(keep + (<usize>w << 2))) {
        store<i32>(sent + (<usize>len << 2), w);
        len++;
      }
    }
    const alpha = a0 + (a1 - a0) * (<f32>(t - t0) / span);
    for (let i = 0; i < len; i++) {
      const center = load<i32>(sent + (<usize>i << 2));
      rnd = rnd * 25214903917 + 11;
      const b = <i32>((rnd >> 16) % <u64>window); // reduced window, as word2vec.c
      const lo = max(0, i - window + b);
      const hi = min(len - 1, i + window - b);
      if (cbow != 0) {
        memory.fill(h, 0, rowBytes);
        let cw = 0;
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          axpy(h, 1, syn0 + <usize>load<i32>(sent + (<usize>j << 2)) * rowBytes, d);
          cw++;
        }
        if (cw == 0) continue;
        const inv: f32 = 1 / <f32>cw;
        for (let c = 0; c < d; c++) store<f32>(h + (<usize>c << 2), load<f32>(h + (<usize>c << 2)) * inv);
        memory.fill(err, 0, rowBytes);
        rnd = negSample(h, err, center, syn1, d, negative, table, tableSize, expTable, alpha, rnd);
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          axpy(syn0 + <usize>load<i32>(sent + (<usize>j << 2)) * rowBytes, 1, err, d);
        }
      } else if (!shared) {
        // word2vec.c / gensim: each (context, centre) pair draws its own negatives
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          const inp = syn0 + <usize>load<i32>(sent + (<usize>j << 2)) * rowBytes;
          memory.fill(err, 0, rowBytes);
          rnd = negSample(inp, err, center, syn1, d, negative, table, tableSize, expTable, alpha, rnd);
          axpy(inp, 1, err, d);
        }
      } else {
        // the context words' input vectors predict the centre word against negatives drawn once per centre word and
        // shared by its window (Ji et al. 2016): fewer random rows of syn1 to fetch, the same gradient otherwise.
        // All products use the weights as they were before this window's update.
        let K = 0;
        for (let j = lo; j <= hi; j++) {
          if (j == i) continue;
          store<i32>(ctx + (<usize>K << 2), load<i32>(sent + (<usize>j << 2)));
          K++;
        }
        if (K == 0) { trained++; continue; }
        store<i32>(tgt, center);
        let T = 1;
        for (let q = 0; q < negative; q++) {
          rnd = rnd * 25214903917 + 11;
          const w = load<i32>(table + (<usize>(<i32>(((rnd >> 16) & 0xffffffff) * <u64>tableSize >> 32)) << 2));
          if (w == center) continue;
          store<i32>(tgt + (<usize>T << 2), w);
          T++;
        }
        // g[k][t] = (label − σ(x_k · y_t)) · alpha
        for (let k = 0; k < K; k++) {
          const xk = syn0 + <usize>load<i32>(ctx + (<usize>k << 2)) * rowBytes;
          for (let q = 0; q < T; q++) {
            const f = dot(xk, syn1 + <usize>load<i32>(tgt + (<usize>q << 2)) * rowBytes, d);
            const label: f32 = q == 0 ? 1 : 0;
            // outside (−6, 6) the sigmoid is saturated: no update (as gensim)
            const g: f32 = f >= MAX_EXP || f <= -MAX_EXP ? 0
              : (label - load<f32>(expTable + (<usize>(<i32>((f + MAX_EXP) * (<f32>EXP_TABLE / MAX_EXP / 2))) << 2))) * alpha;
            store<f32>(gm + (<usize>(k * T + q) << 2), g);
          }
        }
        // input errors from the old output vectors
        for (let k = 0; k < K; k++) {
          const ek = errs + <usize>k * rowBytes;
          memory.fill(ek, 0, rowBytes);
          for (let q = 0; q < T; q++) axpy(ek, load<f32>(gm + (<usize>(k * T + q) << 2)), syn1 + <usize>load<i32>(tgt + (<usize>q << 2)) * rowBytes, d);
        }
        // output updates from the old input vectors, then the inputs
        for (let q = 0; q < T; q++) {
          const yq = syn1 + <usize>load<i32>(tgt + (<usize>q << 2)) * rowBytes;
          for (let k = 0; k < K; k++) axpy(yq, load<f32>(gm + (<usize>(k * T + q) << 2)), syn0 + <usize>load<i32>(ctx + (<usize>k << 2)) * rowBytes, d);
        }
        for (let k = 0; k < K; k++) axpy(syn0 + <usize>load<i32>(ctx + (<usize>k << 2)) * rowBytes, 1, errs + <usize>k * rowBytes, d);
      }
      trained++;
    }
    t = end;
  }
  return trained;
}

// ---- UMAP: one epoch of SGD for 2-D maps (Hogwild over the edge list) -----------------------------------------------

/**
 * x^b for x > 0 from two 1025-entry tables at `tab` (log2(1 + i/1024), then 2^(i/1024)) with linear interpolation:
 * ~1e-7 relative error and short dependency chains (polynomials and divisions here were measured 3x slower).
 */
@inline function tablePow(x: f64, b: f64, tab: usize): f64 {
  const bits = reinterpret<i64>(x);
  const e = <f64>(<i32>(bits >>> 52) - 1023);
  const top = <i32>((bits >>> 42) & 1023);
  const frac = <f64>(bits & 0x3ffffffffff) * (1.0 / 4398046511104.0);
  const l0 = load<f64>(tab + (<usize>top << 3));
  const lg = e + l0 + frac * (load<f64>(tab + (<usize>top << 3), 8) - l0);
  const y = b * lg;
  const fl = Math.floor(y);
  const u = (y - fl) * 1024;
  const iu = <i32>u;
  const t = tab + 8200 + (<usize>iu << 3);
  const x0 = load<f64>(t);
  const p = x0 + (u - <f64>iu) * (load<f64>(t, 8) - x0);
  const n = <i32>fl;
  if (n < -1022) return 0;
  return p * reinterpret<f64>(<i64>(n + 1023) << 52);
}

/** Smallest and largest binary exponent of powTable's range. */
const POW_EMIN: i32 = -40;
const POW_EMAX: i32 = 40;

/**
 * x^b from a table over [2^POW_EMIN, 2^(POW_EMAX+1)) with 256 bins per octave (bits 52..44 of the double) and linear
 * interpolation, ~4e-7 relative error; tablePow outside that range.
 */
@inline function binnedPow(x: f64, b: f64, bins: usize, tab: usize): f64 {
  const bits = reinterpret<i64>(x);
  const idx = <i32>(bits >>> 44) - ((POW_EMIN + 1023) << 8);
  if (<u32>idx >= <u32>((POW_EMAX - POW_EMIN + 1) << 8)) return tablePow(x, b, tab);
  const frac = <f64>(bits & 0xfffffffffff) * (1.0 / 17592186044416.0);
  const p = bins + (<usize>idx << 3);
  const v0 = load<f64>(p);
  return v0 + frac * (load<f64>(p, 8) - v0);
}

@inline function clip4(v: f64): f64 {
  return v > 4 ? 4 : v < -4 ? -4 : v;
}

/**
 * Part `part` of `parts` of one UMAP epoch (2-D) over edges [0, nEdges). Parameter block at `params`: i32 slots
 * 0 head, 1 tail, 2 nTail, 3 edge heads, 4 edge tails, 5 epochsPerSample, 6 epochsPerNegative, 7 nextSample,
 * 8 nextNegative, 9 nEdges, 10 moveOther, 11 seed, 12 power tables (see tablePow), 13 x^b bins (see binnedPow);
 * f64 slots from byte 64: epoch,
 * alpha, a, b, gamma.
 * Coordinates and schedules are f64.
 */
export function umapEpochPart(params: usize, part: i32, parts: i32): void {
  const head = <usize>prm(params, 0), tail = <usize>prm(params, 1), nTail = prm(params, 2);
  const H = <usize>prm(params, 3), T = <usize>prm(params, 4), eps = <usize>prm(params, 5), epn = <usize>prm(params, 6);
  const nextS = <usize>prm(params, 7), nextN = <usize>prm(params, 8), nEdges = prm(params, 9), moveOther = prm(params, 10);
  const tab = <usize>prm(params, 12), bins = <usize>prm(params, 13);
  const epoch = load<f64>(params + 64), alpha = load<f64>(params + 72), a = load<f64>(params + 80);
  const b = load<f64>(params + 88), gamma = load<f64>(params + 96);
  let rnd: u64 = <u64>(prm(params, 11) * 2654435761 + part * 40503 + 1) * 0x9e3779b97f4a7c15 + 7;
  const s0 = <i32>(<i64>nEdges * part / parts);
  const s1 = <i32>(<i64>nEdges * (part + 1) / parts);
  for (let s = s0; s < s1; s++) {
    const so = <usize>s << 3;
    if (load<f64>(nextS + so) > epoch) continue;
    const j = load<i32>(H + (<usize>s << 2));
    const k = load<i32>(T + (<usize>s << 2));
    const hj = head + (<usize>j << 4);
    let x = load<f64>(hj), y = load<f64>(hj, 8);
    const tk = tail + (<usize>k << 4);
    const dx = x - load<f64>(tk), dy = y - load<f64>(tk, 8);
    const d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const pw = binnedPow(d2, b, bins, tab);
      const coef = (-2 * a * b * pw) / d2 / (a * pw + 1);
      const gx = clip4(coef * dx), gy = clip4(coef * dy);
      x += gx * alpha;
      y += gy * alpha;
      if (moveOther != 0) {
        store<f64>(tk, load<f64>(tk) - gx * alpha);
        store<f64>(tk, load<f64>(tk, 8) - gy * alpha, 8);
      }
    }
    store<f64>(nextS + so, load<f64>(nextS + so) + load<f64>(eps + so));
    const en = load<f64>(epn + so);
    const nNeg = <i32>Math.floor((epoch - load<f64>(nextN + so)) / en);
    // the negative samples all see the point where the positive step left it, so their (long-latency) pow and
    // divisions are independent and overlap; their moves are applied together
    let mx: f64 = 0, my: f64 = 0;
    for (let q = 0; q < nNeg; q++) {
      rnd = rnd * 6364136223846793005 + 1442695040888963407;
      const kk = <i32>(((rnd >> 32) * <u64>nTail) >> 32);
      const tq = tail + (<usize>kk << 4);
      const ex = x - load<f64>(tq), ey = y - load<f64>(tq, 8);
      const dd = ex * ex + ey * ey;
      if (dd > 0) {
        const coef = (2 * gamma * b) / ((0.001 + dd) * (a * binnedPow(dd, b, bins, tab) + 1));
        mx += clip4(coef * ex);
        my += clip4(coef * ey);
      }
    }
    x += mx * alpha;
    y += my * alpha;
    store<f64>(hj, x);
    store<f64>(hj, y, 8);
    store<f64>(nextN + so, load<f64>(nextN + so) + <f64>nNeg * en);
  }
}

// ---- t-SNE Barnes–Hut repulsion (2-D and 3-D): Morton-ordered tree, grouped traversal, SIMD interactions -----------
//
// The tree (quadtree or octree) is built here from the points' Morton codes (16 bits per axis in 2-D, 10 in 3-D,
// radix sorted), so every node is a contiguous range of the sorted points; chains of single-child cells are
// collapsed, so there are at most 2n nodes. Repulsion is computed per group (a subtree of at most G points): one
// traversal collects an interaction list for the whole group, accepting a cell when its width is below θ times its
// distance from the group's bounding box (so the test holds for every point of the group: at least as accurate as
// per-point Barnes–Hut with the same θ), and opened leaves add their points. Every point of the group is then summed
// against the list with f32x4 arithmetic (Barnes 1990, "A modified tree code: don't laugh, it runs").

@inline function part1by1(v: u32): u32 {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

@inline function part1by2(v: u32): u32 {
  let x = v & 0x3ff;
  x = (x | (x << 16)) & 0x030000ff;
  x = (x | (x << 8)) & 0x0300f00f;
  x = (x | (x << 4)) & 0x030c30c3;
  x = (x | (x << 2)) & 0x09249249;
  return x;
}

/**
 * Builds the tree for bhGroupPart. Parameter block (i32 slots): 0 Y (f64, dims per point), 1 n, 2 leaf size, 3 group
 * size, 4 keys (u32 n), 5 perm (i32 n: sorted position → point), 6 keys2, 7 perm2 (radix sort buffers), 8 px, 9 py
 * (f32 n, sorted positions), 10 node x, 11 node y (f64: centre of mass), 12 node mass (f64), 13 node width² (f64),
 * 14 first child (i32), 15 children (i32), 16 start, 17 end (i32: range of sorted points), 18 level (i32 scratch),
 * 19 groups (i32 node ids, ascending start), 20 out: groups, 21 out: nodes, 22 scratch (256 i32), 23 stacks (1 KiB per
 * part), 24 interaction lists, 25 list bytes per part, 26 out (f64, dims per point), 27 z (f64 per group), 28 the
 * counter of groups handed out, 29 dims (2 or 3), 30 pz (f32 n), 31 node z (f64). f64 at byte 128: θ². Node
 * capacity 2n.
 */
export function bhGroupBuild(params: usize): void {
  const Y = <usize>prm(params, 0), n = prm(params, 1), L = prm(params, 2), G = prm(params, 3);
  let keys = <usize>prm(params, 4), perm = <usize>prm(params, 5), keys2 = <usize>prm(params, 6), perm2 = <usize>prm(params, 7);
  const px = <usize>prm(params, 8), py = <usize>prm(params, 9), pz = <usize>prm(params, 30);
  const nx = <usize>prm(params, 10), ny = <usize>prm(params, 11), nz = <usize>prm(params, 31);
  const nm = <usize>prm(params, 12), nw2 = <usize>prm(params, 13);
  const nchild = <usize>prm(params, 14), nkids = <usize>prm(params, 15), nstart = <usize>prm(params, 16), nend = <usize>prm(params, 17);
  const nlevel = <usize>prm(params, 18), groups = <usize>prm(params, 19), counts = <usize>prm(params, 22);
  const stack = <usize>prm(params, 23);
  const dims = prm(params, 29);
  const three = dims == 3;
  const stride = <usize>dims << 3;
  let lx = Infinity, ly = Infinity, lz = Infinity, hx = -Infinity, hy = -Infinity, hz = -Infinity;
  for (let i = 0; i < n; i++) {
    const yi = Y + <usize>i * stride;
    const x = load<f64>(yi), y = load<f64>(yi, 8);
    lx = min(lx, x); hx = max(hx, x); ly = min(ly, y); hy = max(hy, y);
    if (three) {
      const z = load<f64>(yi, 16);
      lz = min(lz, z); hz = max(hz, z);
    }
  }
  let side = max(hx - lx, hy - ly);
  if (three) side = max(side, hz - lz);
  if (!(side > 0)) side = 1;
  const levels = three ? 10 : 16;
  const qmax = (1 << levels) - 1;
  const scale = <f64>(1 << levels) / side;
  for (let i = 0; i < n; i++) {
    const yi = Y + <usize>i * stride;
    const qx = <u32>min(qmax, <i32>((load<f64>(yi) - lx) * scale));
    const qy = <u32>min(qmax, <i32>((load<f64>(yi, 8) - ly) * scale));
    let key: u32;
    if (three) {
      const qz = <u32>min(qmax, <i32>((load<f64>(yi, 16) - lz) * scale));
      key = part1by2(qx) | (part1by2(qy) << 1) | (part1by2(qz) << 2);
    } else key = part1by1(qx) | (part1by1(qy) << 1);
    store<u32>(keys + (<usize>i << 2), key);
    store<i32>(perm + (<usize>i << 2), i);
  }
  // LSD radix sort of (key, point), 4 passes of 8 bits: stable, ends in keys/perm
  for (let shift: u32 = 0; shift < 32; shift += 8) {
    for (let b = 0; b < 256; b++) store<i32>(counts + (<usize>b << 2), 0);
    for (let i = 0; i < n; i++) {
      const c = counts + (<usize>((load<u32>(keys + (<usize>i << 2)) >> shift) & 255) << 2);
      store<i32>(c, load<i32>(c) + 1);
    }
    let acc = 0;
    for (let b = 0; b < 256; b++) {
      const c = load<i32>(counts + (<usize>b << 2));
      store<i32>(counts + (<usize>b << 2), acc);
      acc += c;
    }
    for (let i = 0; i < n; i++) {
      const key = load<u32>(keys + (<usize>i << 2));
      const c = counts + (<usize>((key >> shift) & 255) << 2);
      const to = load<i32>(c);
      store<i32>(c, to + 1);
      store<u32>(keys2 + (<usize>to << 2), key);
      store<i32>(perm2 + (<usize>to << 2), load<i32>(perm + (<usize>i << 2)));
    }
    const tk = keys; keys = keys2; keys2 = tk;
    const tp = perm; perm = perm2; perm2 = tp;
  }
  for (let t = 0; t < n; t++) {
    const yi = Y + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
    store<f32>(px + (<usize>t << 2), <f32>load<f64>(yi));
    store<f32>(py + (<usize>t << 2), <f32>load<f64>(yi, 8));
    if (three) store<f32>(pz + (<usize>t << 2), <f32>load<f64>(yi, 16));
  }
  // top-down split of the sorted ranges; a cell whose points all fall in one child cell is replaced by that child
  const fan = 1 << dims;
  const bnd = counts; // fan + 1 boundaries of the current split
  let nodes = 1;
  store<i32>(nstart, 0);
  store<i32>(nend, n);
  store<i32>(nlevel, 0);
  let sp = 1;
  store<i32>(stack, 0);
  while (sp > 0) {
    sp--;
    const node = load<i32>(stack + (<usize>sp << 2));
    const o = <usize>node << 2;
    const s = load<i32>(nstart + o), e = load<i32>(nend + o);
    let l = load<i32>(nlevel + o);
    store<i32>(nchild + o, -1);
    store<i32>(nkids + o, 0);
    while (e - s > L && l < levels) {
      const shift = <u32>(dims * (levels - 1 - l));
      const mask = <u32>(fan - 1);
      let k = 0, t = s;
      for (let q = 0; q < fan; q++) {
        store<i32>(bnd + (<usize>q << 2), t);
        const t0 = t;
        while (t < e && ((load<u32>(keys + (<usize>t << 2)) >> shift) & mask) == <u32>q) t++;
        if (t > t0) k++;
      }
      store<i32>(bnd + (<usize>fan << 2), e);
      if (k == 1) {
        l++;
        continue;
      }
      store<i32>(nchild + o, nodes);
      store<i32>(nkids + o, k);
      for (let q = 0; q < fan; q++) {
        const a = load<i32>(bnd + (<usize>q << 2)), z = load<i32>(bnd + (<usize>(q + 1) << 2));
        if (z == a) continue;
        const c = <usize>nodes << 2;
        store<i32>(nstart + c, a);
        store<i32>(nend + c, z);
        store<i32>(nlevel + c, l + 1);
        store<i32>(stack + (<usize>sp << 2), nodes);
        sp++;
        nodes++;
      }
      break;
    }
    const w = side / <f64>(1 << l);
    store<f64>(nw2 + (<usize>node << 3), w * w);
  }
  // centres of mass, children (higher ids) before parents
  for (let node = nodes - 1; node >= 0; node--) {
    const o = <usize>node << 2;
    const c0 = load<i32>(nchild + o);
    let sx: f64 = 0, sy: f64 = 0, sz: f64 = 0, m: f64 = 0;
    if (c0 < 0) {
      const s = load<i32>(nstart + o), e = load<i32>(nend + o);
      for (let t = s; t < e; t++) {
        const yi = Y + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
        sx += load<f64>(yi);
        sy += load<f64>(yi, 8);
        if (three) sz += load<f64>(yi, 16);
      }
      m = <f64>(e - s);
    } else {
      const c1 = c0 + load<i32>(nkids + o);
      for (let c = c0; c < c1; c++) {
        const co = <usize>c << 3;
        const mc = load<f64>(nm + co);
        sx += mc * load<f64>(nx + co);
        sy += mc * load<f64>(ny + co);
        if (three) sz += mc * load<f64>(nz + co);
        m += mc;
      }
    }
    const no = <usize>node << 3;
    store<f64>(nx + no, sx / m);
    store<f64>(ny + no, sy / m);
    if (three) store<f64>(nz + no, sz / m);
    store<f64>(nm + no, m);
  }
  // groups: the largest subtrees of at most G points, in order of their ranges
  let ng = 0;
  sp = 1;
  store<i32>(stack, 0);
  while (sp > 0) {
    sp--;
    const node = load<i32>(stack + (<usize>sp << 2));
    const o = <usize>node << 2;
    const c0 = load<i32>(nchild + o);
    if (c0 < 0 || load<i32>(nend + o) - load<i32>(nstart + o) <= G) {
      store<i32>(groups + (<usize>ng << 2), node);
      ng++;
      continue;
    }
    for (let c = c0 + load<i32>(nkids + o) - 1; c >= c0; c--) {
      store<i32>(stack + (<usize>sp << 2), c);
      sp++;
    }
  }
  store<i32>(params + (20 << 2), ng);
  store<i32>(params + (21 << 2), nodes);
  store<i32>(params + (28 << 2), 0);
  // the sort may have ended in the second buffers: the caller reads perm from slot 5
  store<i32>(params + (5 << 2), <i32>perm);
  store<i32>(params + (7 << 2), <i32>perm2);
  store<i32>(params + (4 << 2), <i32>keys);
  store<i32>(params + (6 << 2), <i32>keys2);
}

/**
 * Part `part` of `parts` of the repulsion over the tree of bhGroupBuild (same parameter block): for each point,
 * out = Σ_j w_ij² (y_i − y_j) and, per group, z = Σ_i Σ_{j≠i} w_ij over its points i, with cells standing in for
 * their points as above. The parts take groups four at a time from a shared counter (slot 28, cleared by
 * bhGroupBuild); the results do not depend on which part took which group.
 */
export function bhGroupPart(params: usize, part: i32, parts: i32): void {
  const ng = prm(params, 20);
  const counter = params + (28 << 2);
  const zs = <usize>prm(params, 27);
  for (;;) {
    const g0 = atomic.add<i32>(counter, 4);
    if (g0 >= ng) break;
    const g1 = min(ng, g0 + 4);
    for (let gi = g0; gi < g1; gi++) {
      store<f64>(zs + (<usize>gi << 3), bhGroup(params, part, load<i32>(<usize>prm(params, 19) + (<usize>gi << 2))));
    }
  }
}

/** One group of bhGroupPart: its interaction list, then the sums for its points; returns their part of z. */
function bhGroup(params: usize, part: i32, group: i32): f64 {
  const perm = <usize>prm(params, 5), px = <usize>prm(params, 8), py = <usize>prm(params, 9), pz = <usize>prm(params, 30);
  const nx = <usize>prm(params, 10), ny = <usize>prm(params, 11), nz = <usize>prm(params, 31);
  const nm = <usize>prm(params, 12), nw2 = <usize>prm(params, 13);
  const nchild = <usize>prm(params, 14), nkids = <usize>prm(params, 15), nstart = <usize>prm(params, 16), nend = <usize>prm(params, 17);
  const stack = <usize>prm(params, 23) + (<usize>part << 10);
  const dims = prm(params, 29);
  const three = dims == 3;
  const listBytes = <usize>prm(params, 25);
  const cap = listBytes / (<usize>(dims + 1) << 2);
  // the list's columns: x, y, mass, z
  const lxs = <usize>prm(params, 24) + <usize>part * listBytes;
  const lys = lxs + (cap << 2), lms = lys + (cap << 2), lzs = lms + (cap << 2);
  const out = <usize>prm(params, 26);
  const t2 = load<f64>(params + 128);
  let z: f64 = 0;
  const g = <usize>group << 2;
  const s = load<i32>(nstart + g), e = load<i32>(nend + g);
  let bx0: f64 = Infinity, by0: f64 = Infinity, bz0: f64 = Infinity;
  let bx1: f64 = -Infinity, by1: f64 = -Infinity, bz1: f64 = -Infinity;
  for (let t = s; t < e; t++) {
    const x = <f64>load<f32>(px + (<usize>t << 2)), y = <f64>load<f32>(py + (<usize>t << 2));
    bx0 = min(bx0, x); bx1 = max(bx1, x); by0 = min(by0, y); by1 = max(by1, y);
    if (three) {
      const zz = <f64>load<f32>(pz + (<usize>t << 2));
      bz0 = min(bz0, zz); bz1 = max(bz1, zz);
    }
  }
  let cnt = 0;
  let sp = 1;
  store<i32>(stack, 0);
  while (sp > 0) {
    sp--;
    const c = load<i32>(stack + (<usize>sp << 2));
    const co = <usize>c << 3;
    const cx = load<f64>(nx + co), cy = load<f64>(ny + co);
    const dx = max(max(bx0 - cx, cx - bx1), 0), dy = max(max(by0 - cy, cy - by1), 0);
    let d2 = dx * dx + dy * dy;
    let cz: f64 = 0;
    if (three) {
      cz = load<f64>(nz + co);
      const dz = max(max(bz0 - cz, cz - bz1), 0);
      d2 += dz * dz;
    }
    if (load<f64>(nw2 + co) < t2 * d2) {
      const q = <usize>cnt << 2;
      store<f32>(lxs + q, <f32>cx);
      store<f32>(lys + q, <f32>cy);
      store<f32>(lms + q, <f32>load<f64>(nm + co));
      if (three) store<f32>(lzs + q, <f32>cz);
      cnt++;
      continue;
    }
    const c0 = load<i32>(nchild + (<usize>c << 2));
    if (c0 < 0) {
      const a = load<i32>(nstart + (<usize>c << 2)), b = load<i32>(nend + (<usize>c << 2));
      for (let t = a; t < b; t++) {
        const q = <usize>cnt << 2;
        store<f32>(lxs + q, load<f32>(px + (<usize>t << 2)));
        store<f32>(lys + q, load<f32>(py + (<usize>t << 2)));
        store<f32>(lms + q, 1);
        if (three) store<f32>(lzs + q, load<f32>(pz + (<usize>t << 2)));
        cnt++;
      }
      continue;
    }
    for (let k = c0 + load<i32>(nkids + (<usize>c << 2)) - 1; k >= c0; k--) {
      store<i32>(stack + (<usize>sp << 2), k);
      sp++;
    }
  }
  while (cnt & 3) {
    const q = <usize>cnt << 2;
    store<f32>(lxs + q, 0);
    store<f32>(lys + q, 0);
    store<f32>(lms + q, 0);
    if (three) store<f32>(lzs + q, 0);
    cnt++;
  }
  const bytes = <usize>cnt << 2;
  const stride = <usize>dims << 3;
  for (let t = s; t < e; t++) {
    const x4 = f32x4.splat(load<f32>(px + (<usize>t << 2))), y4 = f32x4.splat(load<f32>(py + (<usize>t << 2)));
    const i = out + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
    let zz: v128;
    if (three) {
      const z4 = f32x4.splat(load<f32>(pz + (<usize>t << 2)));
      zz = bhSums3(x4, y4, z4, lxs, lys, lzs, lms, bytes, i);
    } else {
      zz = bhSums2(x4, y4, lxs, lys, lms, bytes, i);
    }
    // minus the point's own term (w = 1)
    z += hsum(zz) - 1;
  }
  return z;
}

@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** One 2-D point against an interaction list: stores its force at `o`, returns the lanes of Σ m w. */
@inline function bhSums2(x4: v128, y4: v128, lxs: usize, lys: usize, lms: usize, bytes: usize, o: usize): v128 {
  const one = f32x4.splat(1);
  let fx = f32x4.splat(0), fy = f32x4.splat(0), zz = f32x4.splat(0);
  for (let q: usize = 0; q < bytes; q += 16) {
    const dx = f32x4.sub(x4, v128.load(lxs + q)), dy = f32x4.sub(y4, v128.load(lys + q));
    const w = f32x4.div(one, madd(dy, dy, madd(dx, dx, one)));
    const mw = f32x4.mul(v128.load(lms + q), w);
    zz = f32x4.add(zz, mw);
    const f = f32x4.mul(mw, w);
    fx = madd(f, dx, fx);
    fy = madd(f, dy, fy);
  }
  store<f64>(o, hsum(fx));
  store<f64>(o, hsum(fy), 8);
  return zz;
}

/** One 3-D point against an interaction list: stores its force at `o`, returns the lanes of Σ m w. */
@inline function bhSums3(x4: v128, y4: v128, z4: v128, lxs: usize, lys: usize, lzs: usize, lms: usize, bytes: usize,
  o: usize): v128 {
  const one = f32x4.splat(1);
  let fx = f32x4.splat(0), fy = f32x4.splat(0), fz = f32x4.splat(0), zz = f32x4.splat(0);
  for (let q: usize = 0; q < bytes; q += 16) {
    const dx = f32x4.sub(x4, v128.load(lxs + q)), dy = f32x4.sub(y4, v128.load(lys + q)), dz = f32x4.sub(z4, v128.load(lzs + q));
    const w = f32x4.div(one, madd(dz, dz, madd(dy, dy, madd(dx, dx, one))));
    const mw = f32x4.mul(v128.load(lms + q), w);
    zz = f32x4.add(zz, mw);
    const f = f32x4.mul(mw, w);
    fx = madd(f, dx, fx);
    fy = madd(f, dy, fy);
    fz = madd(f, dz, fz);
  }
  store<f64>(o, hsum(fx));
  store<f64>(o, hsum(fy), 8);
  store<f64>(o, hsum(fz), 16);
  return zz;
}

/** Part `part` of `parts` of a whole t-SNE gradient: its share of tsneAttractRowsPart, then groups of bhGroupPart. */
export function tsneGradPart(attrParams: usize, bhParams: usize, part: i32, parts: i32): void {
  tsneAttractRowsPart(attrParams, part, parts);
  bhGroupPart(bhParams, part, parts);
}

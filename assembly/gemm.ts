// GEMM for the compute core, following the BLIS layout: B is packed once into NR-wide column panels per K block,
// each thread packs its own MR-high row panels of A, and a 4x8 register-blocked micro-kernel accumulates C += A.B.
import {
  GEMM_A, GEMM_B_PACK, GEMM_C, GEMM_CS_A, GEMM_K, GEMM_KC, GEMM_LDC, GEMM_M, GEMM_MC, GEMM_MR, GEMM_N, GEMM_NR, GEMM_RS_A,
  GEMM_WORK, GEMM_WORK_FLOATS,
} from "./abi";
import { madd, prm, sliceStart } from "./common";

const MR: i32 = GEMM_MR;
const NR: i32 = GEMM_NR;
const KC: i32 = GEMM_KC;
const MC: i32 = GEMM_MC;

/** Pack rows p0..p0+kc of B (k x n, element (p,j) at b[p*rs + j*cs]) into NR-wide panels, zero padded. */
export function packB(b: usize, rs: i32, cs: i32, p0: i32, kc: i32, n: i32, dst: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR;
    const w = min(NR, n - j0);
    let d = dst + (<usize>(jp * kc * NR) << 2);
    let p = 0;
    if (w == NR && rs == 1 && cs != 1) {
      // B stored transposed (a layer's weight [out, in] read as in x out): each column is contiguous in p, so take
      // 4 values of 8 columns and transpose them in registers, 4 x 4 at a time
      const cb = <usize>cs << 2;
      for (; p + 4 <= kc; p += 4) {
        const col = b + (<usize>((p0 + p) + j0 * cs) << 2);
        for (let g = 0; g < 2; g++) {
          const c0 = col + <usize>(g * 4) * cb;
          const v0 = v128.load(c0), v1 = v128.load(c0 + cb), v2 = v128.load(c0 + 2 * cb), v3 = v128.load(c0 + 3 * cb);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          const o = d + (<usize>g << 4);
          v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(o + (<usize>NR << 2), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(o + (<usize>(2 * NR) << 2), v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(o + (<usize>(3 * NR) << 2), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
        d += <usize>(4 * NR << 2);
      }
    }
    for (; p < kc; p++) {
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
function gemmRows(
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

/** Part `part` of `parts` of a GEMM job (parameter block GEMM_* in abi.ts): the parts take rows in MR-high panels. */
export function gemmPart(params: usize, part: i32, parts: i32): void {
  const m = prm(params, GEMM_M);
  const m0 = sliceStart(m, part, parts, MR), m1 = sliceStart(m, part + 1, parts, MR);
  if (m1 <= m0) return;
  gemmRows(<usize>prm(params, GEMM_A), prm(params, GEMM_RS_A), prm(params, GEMM_CS_A), <usize>prm(params, GEMM_B_PACK),
    <usize>prm(params, GEMM_C), prm(params, GEMM_LDC), m0, m1, prm(params, GEMM_N), prm(params, GEMM_K),
    <usize>prm(params, GEMM_WORK) + (<usize>part * <usize>GEMM_WORK_FLOATS << 2));
}

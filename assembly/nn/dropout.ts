// Inverted dropout (src/nn/ops/dropout.ts) with a counter-based mask: element i is kept when
// h(i) = fmix32(fmix32(i·0x9E3779B9 + seedA) ^ seedB) ≥ threshold (unsigned), threshold = ⌊p·2³²⌋, so the mask is a
// function of (seedA, seedB, i): backward recomputes it instead of storing it, and the TypeScript route
// (dropoutHash in src/nn/ops/dropout.ts) draws the same one.

@inline
function fmix(z: v128): v128 {
  z = v128.xor(z, i32x4.shr_u(z, 16));
  z = i32x4.mul(z, i32x4.splat(<i32>0x85ebca6b));
  z = v128.xor(z, i32x4.shr_u(z, 13));
  z = i32x4.mul(z, i32x4.splat(<i32>0xc2b2ae35));
  return v128.xor(z, i32x4.shr_u(z, 16));
}

@inline
function keepMask(i: i32, seedA: u32, seedB: u32, threshold: u32): v128 {
  const idx = i32x4.add(i32x4.splat(i), i32x4(0, 1, 2, 3));
  const z = fmix(v128.xor(fmix(i32x4.add(i32x4.mul(idx, i32x4.splat(<i32>0x9e3779b9)), i32x4.splat(<i32>seedA))), i32x4.splat(<i32>seedB)));
  return i32x4.ge_u(z, i32x4.splat(<i32>threshold));
}

/** y[i] = kept(i) ? x[i]·scale : 0 for i < n (y may be x); the same call on the output's gradient gives backward. */
export function nnDropout(x: usize, y: usize, n: i32, seedA: u32, seedB: u32, threshold: u32, scale: f32): void {
  const sv = f32x4.splat(scale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, v128.and(f32x4.mul(v128.load(x + o), sv), keepMask(i, seedA, seedB, threshold)));
  }
  if (i < n) {
    const m = keepMask(i, seedA, seedB, threshold);
    for (let l = 0; i < n; i++, l++) {
      const o = <usize>i << 2;
      const k = l == 0 ? i32x4.extract_lane(m, 0) : l == 1 ? i32x4.extract_lane(m, 1) : i32x4.extract_lane(m, 2);
      store<f32>(y + o, k ? load<f32>(x + o) * scale : 0);
    }
  }
}

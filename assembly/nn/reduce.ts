// Reductions of the neural engine over a shape collapsed to [outer, r, inner] (reduce the middle axis) or
// [n, c, inner] (reduce the outer and inner axes: per-channel sums). Sums accumulate in float32 SIMD lanes and flush
// into a float64 total every 4096 values; max keeps the first maximal element's index (PyTorch's argmax rule; a NaN
// wins and propagates).

/** Σ of n contiguous floats: 16 float32 lanes, flushed into a float64 total every 4096 values. */
@inline function sumContig(x: usize, n: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 16 <= n) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    const end = min(n & ~15, i + 4096);
    for (; i < end; i += 16) {
      const p = x + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    const s = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    total += <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) +
      <f64>f32x4.extract_lane(s, 3);
  }
  for (; i < n; i++) total += <f64>load<f32>(x + (<usize>i << 2));
  return total;
}

/** y[o, i] = scale · Σ_k x[o, k, i] for x of [outer, r, inner] (column sums: outer 1; row sums: inner 1). */
export function nnSumMid(x: usize, y: usize, outer: i32, r: i32, inner: i32, scale: f32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      store<f32>(y + (<usize>o << 2), <f32>(sumContig(x + (<usize>o * <usize>r << 2), r) * <f64>scale));
    }
    return;
  }
  const rowBytes = <usize>inner << 2;
  const sv = f32x4.splat(scale);
  for (let o = 0; o < outer; o++) {
    const yr = y + <usize>o * rowBytes;
    const xo = x + <usize>o * <usize>r * rowBytes;
    if (r == 0) {
      memory.fill(yr, 0, rowBytes);
      continue;
    }
    memory.copy(yr, xo, rowBytes);
    for (let k = 1; k < r; k++) {
      const xr = xo + <usize>k * rowBytes;
      let i = 0;
      for (; i + 8 <= inner; i += 8) {
        const o4 = <usize>i << 2;
        v128.store(yr + o4, f32x4.add(v128.load(yr + o4), v128.load(xr + o4)));
        v128.store(yr + o4, f32x4.add(v128.load(yr + o4, 16), v128.load(xr + o4, 16)), 16);
      }
      for (; i < inner; i++) {
        const o4 = <usize>i << 2;
        store<f32>(yr + o4, load<f32>(yr + o4) + load<f32>(xr + o4));
      }
    }
    if (scale != 1) {
      let i = 0;
      for (; i + 4 <= inner; i += 4) v128.store(yr + (<usize>i << 2), f32x4.mul(v128.load(yr + (<usize>i << 2)), sv));
      for (; i < inner; i++) store<f32>(yr + (<usize>i << 2), load<f32>(yr + (<usize>i << 2)) * scale);
    }
  }
}

/** y[j] = scale · Σ_{k, i} x[k, j, i] for x of [n, c, inner] (per-channel sums of an [N, C, H, W] tensor). */
export function nnSumOuterInner(x: usize, y: usize, n: i32, c: i32, inner: i32, scale: f32): void {
  for (let j = 0; j < c; j++) {
    let total: f64 = 0;
    for (let k = 0; k < n; k++) total += sumContig(x + ((<usize>k * <usize>c + <usize>j) * <usize>inner << 2), inner);
    store<f32>(y + (<usize>j << 2), <f32>(total * <f64>scale));
  }
}

/**
 * y[o, i] = max_k x[o, k, i] and idx[o, i] = the first such k (stored as a float) for x of [outer, r ≥ 1, inner].
 * A NaN is the maximum (the first NaN).
 */
export function nnMaxMid(x: usize, y: usize, idx: usize, outer: i32, r: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * <usize>r * rowBytes;
    const yr = y + <usize>o * rowBytes, ir = idx + <usize>o * rowBytes;
    if (inner == 1) {
      // lanes over k, then the best lane (ties: the lower index)
      let best = load<f32>(xo);
      let at = 0;
      let k = 1;
      if (best == best && r >= 9) {
        let bv = v128.load32_splat(xo);
        let bi = i32x4.splat(0);
        let kv = i32x4(1, 2, 3, 4);
        const four = i32x4.splat(4);
        for (; k + 4 <= r; k += 4) {
          const v = v128.load(xo + (<usize>k << 2));
          const take = v128.or(f32x4.gt(v, bv), v128.andnot(f32x4.ne(v, v), f32x4.ne(bv, bv)));
          bv = v128.bitselect(v, bv, take);
          bi = v128.bitselect(kv, bi, take);
          kv = i32x4.add(kv, four);
        }
        best = f32x4.extract_lane(bv, 0);
        at = i32x4.extract_lane(bi, 0);
        for (let l = 1; l < 4; l++) {
          // extract_lane takes a constant lane: rotate the next lane into lane 0
          bv = i32x4.shuffle(bv, bv, 1, 2, 3, 0);
          bi = i32x4.shuffle(bi, bi, 1, 2, 3, 0);
          const w = f32x4.extract_lane(bv, 0);
          const wi = i32x4.extract_lane(bi, 0);
          if (best != best) {
            if (w != w && wi < at) at = wi;
          } else if (w != w || w > best || (w == best && wi < at)) {
            best = w;
            at = wi;
          }
        }
      }
      for (; k < r; k++) {
        const v = load<f32>(xo + (<usize>k << 2));
        if (best != best) break;
        if (v > best || v != v) {
          best = v;
          at = k;
        }
      }
      store<f32>(yr, best);
      store<f32>(ir, <f32>at);
      continue;
    }
    memory.copy(yr, xo, rowBytes);
    memory.fill(ir, 0, rowBytes);
    for (let k = 1; k < r; k++) {
      const xr = xo + <usize>k * rowBytes;
      const kf = f32x4.splat(<f32>k);
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const o4 = <usize>i << 2;
        const v = v128.load(xr + o4), bv = v128.load(yr + o4);
        const take = v128.or(f32x4.gt(v, bv), v128.andnot(f32x4.ne(v, v), f32x4.ne(bv, bv)));
        v128.store(yr + o4, v128.bitselect(v, bv, take));
        v128.store(ir + o4, v128.bitselect(kf, v128.load(ir + o4), take));
      }
      for (; i < inner; i++) {
        const o4 = <usize>i << 2;
        const v = load<f32>(xr + o4), bv = load<f32>(yr + o4);
        if (v > bv || (v != v && bv == bv)) {
          store<f32>(yr + o4, v);
          store<f32>(ir + o4, <f32>k);
        }
      }
    }
  }
}

/** dx = 0, then dx[o, idx[o, i], i] = g[o, i] for dx of [outer, r, inner] (max's backward). */
export function nnMaxScatter(g: usize, idx: usize, dx: usize, outer: i32, r: i32, inner: i32): void {
  memory.fill(dx, 0, <usize>outer * <usize>r * <usize>inner << 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = <usize>o * <usize>inner + <usize>i;
      const k = <usize>(<i32>load<f32>(idx + (at << 2)));
      store<f32>(dx + (((<usize>o * <usize>r + k) * <usize>inner + <usize>i) << 2), load<f32>(g + (at << 2)));
    }
  }
}

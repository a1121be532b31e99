// Batch norm's passes (src/nn/ops/batch-norm.ts) over x as [n, c, s]: n samples, c channels, s spatial positions
// (s = 1 for [N, C]). Channel statistics, the per-channel affine map y = (x − mean)·scale + shift, and backward's
// channel sums and dx = A·g + B·(x − mean) + C. With s = 1 the loops run across channels (SIMD over c); with s > 1
// over each channel's contiguous run of s values, summed in f32 lanes and accumulated per channel in f64.

@inline
function runSum(p: usize, s: i32): f64 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= s; j += 4) acc = f32x4.add(acc, v128.load(p + (<usize>j << 2)));
  let t: f64 = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) +
    <f64>f32x4.extract_lane(acc, 3);
  for (; j < s; j++) t += <f64>load<f32>(p + (<usize>j << 2));
  return t;
}

@inline
function runSqDev(p: usize, s: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= s; j += 4) {
    const d = f32x4.sub(v128.load(p + (<usize>j << 2)), mv);
    acc = f32x4.add(acc, f32x4.mul(d, d));
  }
  let t: f64 = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) +
    <f64>f32x4.extract_lane(acc, 3);
  for (; j < s; j++) {
    const d = load<f32>(p + (<usize>j << 2)) - m;
    t += <f64>(d * d);
  }
  return t;
}

/** mean[ch] and the biased variance var[ch] of each channel of x [n, c, s] (two passes: the mean, then Σ(x − mean)²). */
export function nnBnStats(x: usize, n: i32, c: i32, s: i32, mean: usize, vr: usize): void {
  const inv: f64 = 1.0 / (<f64>n * <f64>s);
  if (s == 1) {
    memory.fill(mean, 0, <usize>c << 2);
    memory.fill(vr, 0, <usize>c << 2);
    const c4 = c & ~3;
    for (let i = 0; i < n; i++) {
      const r = x + (<usize>i * <usize>c << 2);
      let j = 0;
      for (; j < c4; j += 4) {
        const o = <usize>j << 2;
        v128.store(mean + o, f32x4.add(v128.load(mean + o), v128.load(r + o)));
      }
      for (; j < c; j++) {
        const o = <usize>j << 2;
        store<f32>(mean + o, load<f32>(mean + o) + load<f32>(r + o));
      }
    }
    for (let j = 0; j < c; j++) store<f32>(mean + (<usize>j << 2), <f32>(<f64>load<f32>(mean + (<usize>j << 2)) * inv));
    for (let i = 0; i < n; i++) {
      const r = x + (<usize>i * <usize>c << 2);
      let j = 0;
      for (; j < c4; j += 4) {
        const o = <usize>j << 2;
        const d = f32x4.sub(v128.load(r + o), v128.load(mean + o));
        v128.store(vr + o, f32x4.add(v128.load(vr + o), f32x4.mul(d, d)));
      }
      for (; j < c; j++) {
        const o = <usize>j << 2;
        const d = load<f32>(r + o) - load<f32>(mean + o);
        store<f32>(vr + o, load<f32>(vr + o) + d * d);
      }
    }
    for (let j = 0; j < c; j++) store<f32>(vr + (<usize>j << 2), <f32>(<f64>load<f32>(vr + (<usize>j << 2)) * inv));
    return;
  }
  const stride = <usize>c * <usize>s << 2;
  for (let ch = 0; ch < c; ch++) {
    const base = x + (<usize>ch * <usize>s << 2);
    let t: f64 = 0;
    for (let i = 0; i < n; i++) t += runSum(base + <usize>i * stride, s);
    const m = <f32>(t * inv);
    let q: f64 = 0;
    for (let i = 0; i < n; i++) q += runSqDev(base + <usize>i * stride, s, m);
    store<f32>(mean + (<usize>ch << 2), m);
    store<f32>(vr + (<usize>ch << 2), <f32>(q * inv));
  }
}

/**
 * y = (x − mean[ch])·scale[ch] + shift[ch] over x [n, c, s] (mean = 0: no centring; shift = 0: none); y may be x.
 */
export function nnChannelAffine(x: usize, y: usize, n: i32, c: i32, s: i32, mean: usize, scale: usize, shift: usize): void {
  if (s == 1) {
    const c4 = c & ~3;
    for (let i = 0; i < n; i++) {
      const off = <usize>i * <usize>c << 2;
      let j = 0;
      for (; j < c4; j += 4) {
        const o = <usize>j << 2;
        let v = v128.load(x + off + o);
        if (mean) v = f32x4.sub(v, v128.load(mean + o));
        v = f32x4.mul(v, v128.load(scale + o));
        if (shift) v = f32x4.add(v, v128.load(shift + o));
        v128.store(y + off + o, v);
      }
      for (; j < c; j++) {
        const o = <usize>j << 2;
        let v = load<f32>(x + off + o);
        if (mean) v -= load<f32>(mean + o);
        v *= load<f32>(scale + o);
        if (shift) v += load<f32>(shift + o);
        store<f32>(y + off + o, v);
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const co = <usize>ch << 2;
      const m: f32 = mean ? load<f32>(mean + co) : 0;
      const a = load<f32>(scale + co);
      const b: f32 = shift ? load<f32>(shift + co) : 0;
      const mv = f32x4.splat(m), av = f32x4.splat(a), bv = f32x4.splat(b);
      const off = (<usize>i * <usize>c + <usize>ch) * <usize>s << 2;
      let j = 0;
      for (; j + 4 <= s; j += 4) {
        const o = off + (<usize>j << 2);
        v128.store(y + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), mv), av), bv));
      }
      for (; j < s; j++) {
        const o = off + (<usize>j << 2);
        store<f32>(y + o, (load<f32>(x + o) - m) * a + b);
      }
    }
  }
}

/** sumG[ch] = Σ g and sumGX[ch] = Σ g·(x − mean[ch]) over each channel of g, x [n, c, s]. */
export function nnBnBwdSums(g: usize, x: usize, n: i32, c: i32, s: i32, mean: usize, sumG: usize, sumGX: usize): void {
  if (s == 1) {
    memory.fill(sumG, 0, <usize>c << 2);
    memory.fill(sumGX, 0, <usize>c << 2);
    const c4 = c & ~3;
    for (let i = 0; i < n; i++) {
      const off = <usize>i * <usize>c << 2;
      let j = 0;
      for (; j < c4; j += 4) {
        const o = <usize>j << 2;
        const gv = v128.load(g + off + o);
        const d = f32x4.sub(v128.load(x + off + o), v128.load(mean + o));
        v128.store(sumG + o, f32x4.add(v128.load(sumG + o), gv));
        v128.store(sumGX + o, f32x4.add(v128.load(sumGX + o), f32x4.mul(gv, d)));
      }
      for (; j < c; j++) {
        const o = <usize>j << 2;
        const gv = load<f32>(g + off + o);
        store<f32>(sumG + o, load<f32>(sumG + o) + gv);
        store<f32>(sumGX + o, load<f32>(sumGX + o) + gv * (load<f32>(x + off + o) - load<f32>(mean + o)));
      }
    }
    return;
  }
  const stride = <usize>c * <usize>s << 2;
  for (let ch = 0; ch < c; ch++) {
    const m = load<f32>(mean + (<usize>ch << 2));
    const mv = f32x4.splat(m);
    let tg: f64 = 0, tgx: f64 = 0;
    for (let i = 0; i < n; i++) {
      const off = (<usize>ch * <usize>s << 2) + <usize>i * stride;
      let ag = f32x4.splat(0), agx = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= s; j += 4) {
        const o = off + (<usize>j << 2);
        const gv = v128.load(g + o);
        ag = f32x4.add(ag, gv);
        agx = f32x4.add(agx, f32x4.mul(gv, f32x4.sub(v128.load(x + o), mv)));
      }
      tg += <f64>f32x4.extract_lane(ag, 0) + <f64>f32x4.extract_lane(ag, 1) + <f64>f32x4.extract_lane(ag, 2) +
        <f64>f32x4.extract_lane(ag, 3);
      tgx += <f64>f32x4.extract_lane(agx, 0) + <f64>f32x4.extract_lane(agx, 1) + <f64>f32x4.extract_lane(agx, 2) +
        <f64>f32x4.extract_lane(agx, 3);
      for (; j < s; j++) {
        const o = off + (<usize>j << 2);
        const gv = load<f32>(g + o);
        tg += <f64>gv;
        tgx += <f64>(gv * (load<f32>(x + o) - m));
      }
    }
    store<f32>(sumG + (<usize>ch << 2), <f32>tg);
    store<f32>(sumGX + (<usize>ch << 2), <f32>tgx);
  }
}

/** dx = A[ch]·g + B[ch]·(x − mean[ch]) + C[ch] over g, x [n, c, s] (batch norm's training backward). */
export function nnBnBwdDx(g: usize, x: usize, dx: usize, n: i32, c: i32, s: i32, mean: usize, a: usize, b: usize, cc: usize): void {
  if (s == 1) {
    const c4 = c & ~3;
    for (let i = 0; i < n; i++) {
      const off = <usize>i * <usize>c << 2;
      let j = 0;
      for (; j < c4; j += 4) {
        const o = <usize>j << 2;
        const d = f32x4.sub(v128.load(x + off + o), v128.load(mean + o));
        const v = f32x4.add(f32x4.add(f32x4.mul(v128.load(a + o), v128.load(g + off + o)), f32x4.mul(v128.load(b + o), d)),
          v128.load(cc + o));
        v128.store(dx + off + o, v);
      }
      for (; j < c; j++) {
        const o = <usize>j << 2;
        const d = load<f32>(x + off + o) - load<f32>(mean + o);
        store<f32>(dx + off + o, load<f32>(a + o) * load<f32>(g + off + o) + load<f32>(b + o) * d + load<f32>(cc + o));
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const co = <usize>ch << 2;
      const m = load<f32>(mean + co), av = load<f32>(a + co), bv = load<f32>(b + co), cv = load<f32>(cc + co);
      const mV = f32x4.splat(m), aV = f32x4.splat(av), bV = f32x4.splat(bv), cV = f32x4.splat(cv);
      const off = (<usize>i * <usize>c + <usize>ch) * <usize>s << 2;
      let j = 0;
      for (; j + 4 <= s; j += 4) {
        const o = off + (<usize>j << 2);
        const v = f32x4.add(f32x4.add(f32x4.mul(aV, v128.load(g + o)), f32x4.mul(bV, f32x4.sub(v128.load(x + o), mV))), cV);
        v128.store(dx + o, v);
      }
      for (; j < s; j++) {
        const o = off + (<usize>j << 2);
        store<f32>(dx + o, av * load<f32>(g + o) + bv * (load<f32>(x + o) - m) + cv);
      }
    }
  }
}

// Softmax along an axis and the fused losses (src/nn/ops/softmax.ts, src/nn/ops/losses.ts). Reductions sum in f32
// lanes flushed into an f64 total every 4096 values (BCE, the largest loss of an autoencoder, runs as a job over the
// threads, per-chunk sums added in order by the caller); a loss kernel returns the f64 sum and the TypeScript side scales
// it (mean or sum) and sets the scalar. Softmax works on x viewed as [outer, d, inner] along d: rows (inner = 1) are
// reduced with SIMD along d, and inner > 1 runs four neighbouring inner positions per vector.
import { NN_BCE_CHUNK, NN_BCE_DT, NN_BCE_DX, NN_BCE_N, NN_BCE_SCALE, NN_BCE_SUMS, NN_BCE_T, NN_BCE_X } from "../abi";
import { prm, prmF32, sliceStart } from "../common";
import { expS, expV, log1pUnitV, logV, sigmoidV } from "./math";

@inline
function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) +
    <f64>f32x4.extract_lane(v, 3);
}

@inline
function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** Largest of n floats at p (n ≥ 1). */
@inline
function rowMax(p: usize, n: i32): f32 {
  let m: f32 = load<f32>(p);
  let j = 0;
  if (n >= 4) {
    let mv = v128.load(p);
    for (j = 4; j + 4 <= n; j += 4) mv = f32x4.max(mv, v128.load(p + (<usize>j << 2)));
    m = hmax(mv);
  }
  for (; j < n; j++) m = max(m, load<f32>(p + (<usize>j << 2)));
  return m;
}

/** Σ exp(x − m) over n floats at p, writing the exponentials to q when q ≠ 0. */
@inline
function rowExpSum(p: usize, q: usize, n: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const e = expV(f32x4.sub(v128.load(p + o), mv));
    if (q) v128.store(q + o, e);
    acc = f32x4.add(acc, e);
  }
  let t = hsum(acc);
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const e = expS(load<f32>(p + o) - m);
    if (q) store<f32>(q + o, e);
    t += <f64>e;
  }
  return t;
}

@inline
function scaleRow(q: usize, n: i32, a: f32): void {
  const av = f32x4.splat(a);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(q + (<usize>j << 2), f32x4.mul(v128.load(q + (<usize>j << 2)), av));
  for (; j < n; j++) store<f32>(q + (<usize>j << 2), load<f32>(q + (<usize>j << 2)) * a);
}

@inline
function shiftRow(p: usize, q: usize, n: i32, a: f32): void {
  const av = f32x4.splat(a);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(q + (<usize>j << 2), f32x4.sub(v128.load(p + (<usize>j << 2)), av));
  for (; j < n; j++) store<f32>(q + (<usize>j << 2), load<f32>(p + (<usize>j << 2)) - a);
}

/**
 * y = softmax(x) (lg = 0) or log softmax(x) (lg = 1) along d of x [outer, d, inner] (d ≥ 1); y may be x only for
 * inner = 1 and lg = 0.
 */
export function nnSoftmax(x: usize, y: usize, outer: i32, d: i32, inner: i32, lg: i32): void {
  if (inner == 1) {
    for (let r = 0; r < outer; r++) {
      const p = x + (<usize>r * <usize>d << 2);
      const q = y + (<usize>r * <usize>d << 2);
      const m = rowMax(p, d);
      if (lg) {
        const s = rowExpSum(p, 0, d, m);
        shiftRow(p, q, d, m + <f32>Math.log(s));
      } else {
        const s = rowExpSum(p, q, d, m);
        scaleRow(q, d, <f32>(1.0 / s));
      }
    }
    return;
  }
  const st = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * <usize>d * <usize>inner << 2;
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      const p0 = x + base + (<usize>j << 2), q0 = y + base + (<usize>j << 2);
      let mv = v128.load(p0);
      for (let k = 1; k < d; k++) mv = f32x4.max(mv, v128.load(p0 + <usize>k * st));
      let sv = f32x4.splat(0);
      for (let k = 0; k < d; k++) {
        const e = expV(f32x4.sub(v128.load(p0 + <usize>k * st), mv));
        if (!lg) v128.store(q0 + <usize>k * st, e);
        sv = f32x4.add(sv, e);
      }
      if (lg) {
        const lse = f32x4.add(mv, logV(sv));
        for (let k = 0; k < d; k++) v128.store(q0 + <usize>k * st, f32x4.sub(v128.load(p0 + <usize>k * st), lse));
      } else {
        const inv = f32x4.div(f32x4.splat(1), sv);
        for (let k = 0; k < d; k++) v128.store(q0 + <usize>k * st, f32x4.mul(v128.load(q0 + <usize>k * st), inv));
      }
    }
    for (; j < inner; j++) {
      const p0 = x + base + (<usize>j << 2), q0 = y + base + (<usize>j << 2);
      let m = load<f32>(p0);
      for (let k = 1; k < d; k++) m = max(m, load<f32>(p0 + <usize>k * st));
      let s: f64 = 0;
      for (let k = 0; k < d; k++) {
        const e = expS(load<f32>(p0 + <usize>k * st) - m);
        if (!lg) store<f32>(q0 + <usize>k * st, e);
        s += <f64>e;
      }
      if (lg) {
        const lse = m + <f32>Math.log(s);
        for (let k = 0; k < d; k++) store<f32>(q0 + <usize>k * st, load<f32>(p0 + <usize>k * st) - lse);
      } else {
        const inv = <f32>(1.0 / s);
        for (let k = 0; k < d; k++) store<f32>(q0 + <usize>k * st, load<f32>(q0 + <usize>k * st) * inv);
      }
    }
  }
}

/**
 * Backward of nnSoftmax from its output y and the output's gradient g: dx = y ⊙ (g − Σ_d g⊙y) for softmax,
 * dx = g − exp(y)·Σ_d g for log softmax.
 */
export function nnSoftmaxBwd(y: usize, g: usize, dx: usize, outer: i32, d: i32, inner: i32, lg: i32): void {
  const st = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * <usize>d * <usize>inner << 2;
    if (inner == 1) {
      let acc = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= d; k += 4) {
        const off = base + (<usize>k << 2);
        const gv = v128.load(g + off);
        acc = f32x4.add(acc, lg ? gv : f32x4.mul(gv, v128.load(y + off)));
      }
      let t = hsum(acc);
      for (; k < d; k++) {
        const off = base + (<usize>k << 2);
        t += lg ? <f64>load<f32>(g + off) : <f64>(load<f32>(g + off) * load<f32>(y + off));
      }
      const tv = f32x4.splat(<f32>t), ts = <f32>t;
      k = 0;
      for (; k + 4 <= d; k += 4) {
        const off = base + (<usize>k << 2);
        const gv = v128.load(g + off), yv = v128.load(y + off);
        v128.store(dx + off, lg ? f32x4.sub(gv, f32x4.mul(expV(yv), tv)) : f32x4.mul(yv, f32x4.sub(gv, tv)));
      }
      for (; k < d; k++) {
        const off = base + (<usize>k << 2);
        const gv = load<f32>(g + off), yv = load<f32>(y + off);
        store<f32>(dx + off, lg ? gv - expS(yv) * ts : yv * (gv - ts));
      }
      continue;
    }
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      const off = base + (<usize>j << 2);
      let tv = f32x4.splat(0);
      for (let k = 0; k < d; k++) {
        const gv = v128.load(g + off + <usize>k * st);
        tv = f32x4.add(tv, lg ? gv : f32x4.mul(gv, v128.load(y + off + <usize>k * st)));
      }
      for (let k = 0; k < d; k++) {
        const o2 = off + <usize>k * st;
        const gv = v128.load(g + o2), yv = v128.load(y + o2);
        v128.store(dx + o2, lg ? f32x4.sub(gv, f32x4.mul(expV(yv), tv)) : f32x4.mul(yv, f32x4.sub(gv, tv)));
      }
    }
    for (; j < inner; j++) {
      const off = base + (<usize>j << 2);
      let t: f32 = 0;
      for (let k = 0; k < d; k++) {
        const gv = load<f32>(g + off + <usize>k * st);
        t += lg ? gv : gv * load<f32>(y + off + <usize>k * st);
      }
      for (let k = 0; k < d; k++) {
        const o2 = off + <usize>k * st;
        const gv = load<f32>(g + o2), yv = load<f32>(y + o2);
        store<f32>(dx + o2, lg ? gv - expS(yv) * t : yv * (gv - t));
      }
    }
  }
}

/**
 * Softmax cross-entropy of logits x [n, c] against labels (i32, each in [0, c), checked by the caller): writes the
 * probabilities to p and returns Σ_rows (log Σ exp x − x[label]).
 */
export function nnCrossEntropyFwd(x: usize, labels: usize, p: usize, n: i32, c: i32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < n; r++) {
    const xr = x + (<usize>r * <usize>c << 2);
    const pr = p + (<usize>r * <usize>c << 2);
    const m = rowMax(xr, c);
    const s = rowExpSum(xr, pr, c, m);
    scaleRow(pr, c, <f32>(1.0 / s));
    const lab = load<i32>(labels + (<usize>r << 2));
    total += Math.log(s) + <f64>m - <f64>load<f32>(xr + (<usize>lab << 2));
  }
  return total;
}

/** dx = scale·(p − onehot(labels)) over [n, c]. */
export function nnCrossEntropyBwd(p: usize, labels: usize, dx: usize, n: i32, c: i32, scale: f32): void {
  for (let r = 0; r < n; r++) {
    const off = <usize>r * <usize>c << 2;
    const sv = f32x4.splat(scale);
    let j = 0;
    for (; j + 4 <= c; j += 4) v128.store(dx + off + (<usize>j << 2), f32x4.mul(v128.load(p + off + (<usize>j << 2)), sv));
    for (; j < c; j++) store<f32>(dx + off + (<usize>j << 2), load<f32>(p + off + (<usize>j << 2)) * scale);
    const lo = dx + off + (<usize>load<i32>(labels + (<usize>r << 2)) << 2);
    store<f32>(lo, load<f32>(lo) - scale);
  }
}

/** One element's max(x, 0) − x·t + log(1 + e^−|x|), per lane. */
@inline
function bceV(x: v128, t: v128): v128 {
  const sp = log1pUnitV(expV(f32x4.neg(f32x4.abs(x))));
  return f32x4.add(f32x4.sub(f32x4.max(x, f32x4.splat(0)), f32x4.mul(x, t)), sp);
}

/**
 * The stable binary cross-entropy with logits, forward: the sum over each chunk of NN_BCE_CHUNK elements of x against
 * t into its f64 slot of NN_BCE_SUMS; part `part` takes a contiguous range of chunks.
 */
export function nnBceFwdPart(params: usize, part: i32, parts: i32): void {
  const x = <usize>prm(params, NN_BCE_X), t = <usize>prm(params, NN_BCE_T), sums = <usize>prm(params, NN_BCE_SUMS);
  const n = prm(params, NN_BCE_N);
  const chunks = (n + NN_BCE_CHUNK - 1) / NN_BCE_CHUNK;
  const c1 = sliceStart(chunks, part + 1, parts, 1);
  for (let c = sliceStart(chunks, part, parts, 1); c < c1; c++) {
    const i0 = c * NN_BCE_CHUNK, i1 = min(n, i0 + NN_BCE_CHUNK);
    let acc = f32x4.splat(0);
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i << 2;
      acc = f32x4.add(acc, bceV(v128.load(x + o), v128.load(t + o)));
    }
    let total = hsum(acc);
    for (; i < i1; i++) {
      const o = <usize>i << 2;
      total += <f64>f32x4.extract_lane(bceV(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(t + o))), 0);
    }
    store<f64>(sums + (<usize>c << 3), total);
  }
}

/** Backward: dx = (σ(x) − t)·scale, and dt = −x·scale where wanted; part `part` takes a range of 16-float blocks. */
export function nnBceBwdPart(params: usize, part: i32, parts: i32): void {
  const x = <usize>prm(params, NN_BCE_X), t = <usize>prm(params, NN_BCE_T);
  const dx = <usize>prm(params, NN_BCE_DX), dt = <usize>prm(params, NN_BCE_DT);
  const n = prm(params, NN_BCE_N);
  const scale = prmF32(params, NN_BCE_SCALE);
  const sv = f32x4.splat(scale);
  let i = sliceStart(n, part, parts, 16);
  const end = sliceStart(n, part + 1, parts, 16);
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    if (dx) v128.store(dx + o, f32x4.mul(f32x4.sub(sigmoidV(xv), v128.load(t + o)), sv));
    if (dt) v128.store(dt + o, f32x4.mul(xv, f32x4.neg(sv)));
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    const xs = load<f32>(x + o);
    if (dx) store<f32>(dx + o, (f32x4.extract_lane(sigmoidV(f32x4.splat(xs)), 0) - load<f32>(t + o)) * scale);
    if (dt) store<f32>(dt + o, -xs * scale);
  }
}

const MSE = 0, KL = 1;

/**
 * Σ over n elements of a term of a[i], b[i] (kind, a constant once inlined: MSE (a − b)², KL 1 + b − a² − e^b), in
 * f32 lanes flushed into the f64 total every 4096 values.
 */
@inline
function pairSum(a: usize, b: usize, n: i32, kind: i32): f64 {
  let total: f64 = 0;
  const one = f32x4.splat(1);
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n & ~3, i + 4096);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) {
      const o = <usize>i << 2;
      const x = v128.load(a + o), y = v128.load(b + o);
      if (kind == MSE) {
        const d = f32x4.sub(x, y);
        acc = f32x4.add(acc, f32x4.mul(d, d));
      } else {
        acc = f32x4.add(acc, f32x4.sub(f32x4.sub(f32x4.add(one, y), f32x4.mul(x, x)), expV(y)));
      }
    }
    total += hsum(acc);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(a + o), y = load<f32>(b + o);
    if (kind == MSE) {
      const d = x - y;
      total += <f64>(d * d);
    } else {
      total += <f64>(1 + y - x * x - expS(y));
    }
  }
  return total;
}

/** Σ (a − b)² over n elements. */
export function nnMseFwd(a: usize, b: usize, n: i32): f64 {
  return pairSum(a, b, n, MSE);
}

/** da = 2(a − b)·scale (when da ≠ 0), db = −2(a − b)·scale (when db ≠ 0). */
export function nnMseBwd(a: usize, b: usize, da: usize, db: usize, n: i32, scale: f32): void {
  const s2: f32 = 2 * scale;
  const sv = f32x4.splat(s2), nv = f32x4.splat(-s2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(a + o), v128.load(b + o));
    if (da) v128.store(da + o, f32x4.mul(d, sv));
    if (db) v128.store(db + o, f32x4.mul(d, nv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(b + o);
    if (da) store<f32>(da + o, d * s2);
    if (db) store<f32>(db + o, d * -s2);
  }
}

/** Σ (1 + lv − mu² − e^lv) over n elements (the Gaussian KL is −½ of it). */
export function nnKlFwd(mu: usize, lv: usize, n: i32): f64 {
  return pairSum(mu, lv, n, KL);
}

/** dmu = mu·scale (when dmu ≠ 0), dlv = ½(e^lv − 1)·scale (when dlv ≠ 0). */
export function nnKlBwd(mu: usize, lv: usize, dmu: usize, dlv: usize, n: i32, scale: f32): void {
  const sv = f32x4.splat(scale), hv = f32x4.splat(<f32>0.5 * scale), one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (dmu) v128.store(dmu + o, f32x4.mul(v128.load(mu + o), sv));
    if (dlv) v128.store(dlv + o, f32x4.mul(f32x4.sub(expV(v128.load(lv + o)), one), hv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (dmu) store<f32>(dmu + o, load<f32>(mu + o) * scale);
    if (dlv) store<f32>(dlv + o, (expS(load<f32>(lv + o)) - 1) * (0.5 * scale));
  }
}

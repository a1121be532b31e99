// Elementwise kernels of the neural engine: binary ops over a broadcast collapsed to three levels (same shape, a row
// vector over rows, a per-channel value over [N, C, H·W], a scalar), unary ops and their backward passes, and the
// 2-D (batched) transpose. Memory-bound passes run on one thread; the transcendental unary ops (exp, log, tanh,
// sigmoid, gelu) are compute bound and also have ...Part forms that split a large tensor over the threads.
//
// The transcendental functions are float32 approximations of our own fit (least squares on Chebyshev nodes, checked
// in float32 against float64 references): exp by range reduction n·ln2 + r and a degree-5 polynomial, log by the
// exponent and a degree-7 polynomial of the mantissa, tanh and sigmoid from exp (tanh by a polynomial below 0.625),
// the normal CDF of GELU from erf (t = |x|/√2 below 1: a polynomial) and erfc = exp(−t²)·S(1/t)/t above (two
// polynomials), with exp(−x²/2) from an exact split of x². Relative errors: exp, log, tanh, sigmoid ≤ 1.5e-7 (about
// an ulp), gelu ≤ 1e-6 (near |x| = √2, where 1 − erf cancels); denormal results of exp are flushed to zero.
import { madd, prm, prmF32, sliceStart } from "../common";
import {
  NN_ADD, NN_SUB, NN_MUL, NN_EXP, NN_LOG, NN_TANH, NN_SIGMOID, NN_RELU, NN_LEAKY_RELU, NN_GELU, NN_SQUARE,
  NN_SQRT, NN_ADD_SCALAR, NN_UNARY_ALPHA, NN_UNARY_DX, NN_UNARY_G, NN_UNARY_N, NN_UNARY_OP, NN_UNARY_X, NN_UNARY_Y,
} from "../abi";

@inline function sp(v: f32): v128 {
  return f32x4.splat(v);
}

/** e^x, four lanes. */
@inline export function expV(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, sp(-87.33654)), sp(88.72283));
  // n = round(x·log2 e) by the 1.5·2^23 trick: the sum's low mantissa bits hold n (cheaper than nearest + trunc_sat)
  const shifted = madd(xc, sp(1.44269504), sp(12582912.0));
  let n = f32x4.sub(shifted, sp(12582912.0));
  let ni = i32x4.sub(shifted, i32x4.splat(0x4b400000));
  const r = f32x4.add(f32x4.sub(xc, f32x4.mul(n, sp(0.693359375))), f32x4.mul(n, sp(2.12194440e-4)));
  let p = sp(1.9826497e-4);
  p = madd(p, r, sp(1.3946032e-3));
  p = madd(p, r, sp(8.3334297e-3));
  p = madd(p, r, sp(4.1666269e-2));
  p = madd(p, r, sp(0.16666666));
  p = madd(p, r, sp(0.5));
  let y = f32x4.add(madd(f32x4.mul(r, r), p, r), sp(1));
  // 2^128 is not a float: take one factor of 2 into y
  const top = i32x4.gt_s(ni, i32x4.splat(127));
  ni = v128.bitselect(i32x4.splat(127), ni, top);
  y = v128.bitselect(f32x4.add(y, y), y, top);
  const scale = i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
  let out = f32x4.mul(y, scale);
  out = v128.bitselect(sp(Infinity), out, f32x4.gt(x, sp(88.72283)));
  return v128.bitselect(sp(0), out, f32x4.lt(x, sp(-87.33654)));
}

/** Natural log, four lanes (log 0 = −∞, log of a negative = NaN). */
@inline function logV(x: v128): v128 {
  const tiny = f32x4.lt(x, sp(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, sp(8388608.0)), x, tiny);
  let e = i32x4.sub(i32x4.shr_s(xs, 23), i32x4.splat(127));
  e = v128.bitselect(i32x4.sub(e, i32x4.splat(23)), e, tiny);
  let m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, sp(1.41421356));
  m = v128.bitselect(f32x4.mul(m, sp(0.5)), m, big);
  e = v128.bitselect(i32x4.add(e, i32x4.splat(1)), e, big);
  const ef = f32x4.convert_i32x4_s(e);
  const f = f32x4.sub(m, sp(1));
  let q = sp(-0.07362925);
  q = madd(q, f, sp(0.12620409));
  q = madd(q, f, sp(-0.13202123));
  q = madd(q, f, sp(0.14227106));
  q = madd(q, f, sp(-0.16621368));
  q = madd(q, f, sp(0.19999827));
  q = madd(q, f, sp(-0.25000852));
  q = madd(q, f, sp(0.33333355));
  const f2 = f32x4.mul(f, f);
  // log(1 + f) = f − f²/2 + f³·q; + e·ln 2 in two parts
  let y = madd(f32x4.mul(f2, f), q, f32x4.mul(f2, sp(-0.5)));
  y = madd(ef, sp(-2.12194440e-4), y);
  y = f32x4.add(f, y);
  y = madd(ef, sp(0.693359375), y);
  y = v128.bitselect(sp(-Infinity), y, f32x4.eq(x, sp(0)));
  y = v128.bitselect(sp(NaN), y, f32x4.lt(x, sp(0)));
  return v128.bitselect(x, y, v128.or(f32x4.ne(x, x), f32x4.eq(x, sp(Infinity))));
}

@inline function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = expV(f32x4.add(ax, ax));
  let big = f32x4.sub(sp(1), f32x4.div(sp(2), f32x4.add(e, sp(1))));
  big = v128.or(big, v128.and(x, i32x4.splat(<i32>0x80000000)));
  const x2 = f32x4.mul(x, x);
  let p = sp(-0.0057189269);
  p = madd(p, x2, sp(0.020653095));
  p = madd(p, x2, sp(-0.053744648));
  p = madd(p, x2, sp(0.13331513));
  p = madd(p, x2, sp(-0.33333287));
  const small = madd(f32x4.mul(x2, x), p, x);
  return v128.bitselect(small, big, f32x4.lt(ax, sp(0.625)));
}

@inline function sigmoidV(x: v128): v128 {
  return f32x4.div(sp(1), f32x4.add(sp(1), expV(f32x4.neg(x))));
}

/** exp(−x²/2), with x² split exactly (x = xh + xl, xh of 12 bits, so xh² is exact). */
@inline function expHalfSqV(x: v128): v128 {
  const xh = v128.and(x, i32x4.splat(<i32>0xfffff000));
  const xl = f32x4.sub(x, xh);
  const hi = f32x4.mul(f32x4.mul(xh, xh), sp(-0.5));
  const lo = f32x4.mul(f32x4.mul(xl, f32x4.add(x, xh)), sp(-0.5));
  return f32x4.mul(expV(hi), expV(lo));
}

/** Φ(x), the standard normal CDF, given eh = exp(−x²/2). */
@inline function normCdfV(x: v128, eh: v128): v128 {
  const t = f32x4.mul(f32x4.abs(x), sp(0.70710678));
  const t2 = f32x4.mul(t, t);
  // erf(t) = t·P(t²) for t < 1
  let p = sp(-0.00056674);
  p = madd(p, t2, sp(0.004927258));
  p = madd(p, t2, sp(-0.026720734));
  p = madd(p, t2, sp(0.11280572));
  p = madd(p, t2, sp(-0.37612391));
  p = madd(p, t2, sp(1.1283791));
  const lowSmall = f32x4.sub(sp(0.5), f32x4.mul(f32x4.mul(t, p), sp(0.5)));
  // erfc(t) = exp(−t²)·S(1/t)/t for t ≥ 1 (S: one polynomial below 2.5, one above)
  const u = f32x4.div(sp(1), t);
  let s1 = sp(-0.010824673);
  s1 = madd(s1, u, sp(0.039910134));
  s1 = madd(s1, u, sp(-0.0128517));
  s1 = madd(s1, u, sp(-0.17921917));
  s1 = madd(s1, u, sp(0.43333545));
  s1 = madd(s1, u, sp(-0.43204716));
  s1 = madd(s1, u, sp(0.027161365));
  s1 = madd(s1, u, sp(0.5621193));
  let s2 = sp(0.41894755);
  s2 = madd(s2, u, sp(-0.31271026));
  s2 = madd(s2, u, sp(-0.37390298));
  s2 = madd(s2, u, sp(0.50236613));
  s2 = madd(s2, u, sp(-0.0084630726));
  s2 = madd(s2, u, sp(-0.28166294));
  s2 = madd(s2, u, sp(-8.297e-6));
  s2 = madd(s2, u, sp(0.56418961));
  const s = v128.bitselect(s1, s2, f32x4.lt(t, sp(2.5)));
  const lowBig = f32x4.mul(f32x4.mul(eh, f32x4.mul(s, u)), sp(0.5));
  // Φ(−|x|), then Φ(x)
  const low = v128.bitselect(lowSmall, lowBig, f32x4.lt(t, sp(1)));
  return v128.bitselect(low, f32x4.sub(sp(1), low), f32x4.lt(x, sp(0)));
}

@inline function geluV(x: v128): v128 {
  return f32x4.mul(x, normCdfV(x, expHalfSqV(x)));
}

/** d gelu / dx = Φ(x) + x·φ(x). */
@inline function geluGradV(x: v128): v128 {
  const eh = expHalfSqV(x);
  return madd(x, f32x4.mul(eh, sp(0.39894228)), normCdfV(x, eh));
}

// ---- unary ops -------------------------------------------------------------------------------------------------

@inline function unaryV(op: i32, v: v128, a: v128): v128 {
  if (op == NN_EXP) return expV(v);
  if (op == NN_LOG) return logV(v);
  if (op == NN_TANH) return tanhV(v);
  if (op == NN_SIGMOID) return sigmoidV(v);
  if (op == NN_RELU) return f32x4.max(v, sp(0)) ;
  if (op == NN_LEAKY_RELU) return v128.bitselect(v, f32x4.mul(v, a), f32x4.gt(v, sp(0)));
  if (op == NN_GELU) return geluV(v);
  if (op == NN_SQUARE) return f32x4.mul(v, v);
  if (op == NN_SQRT) return f32x4.sqrt(v);
  return f32x4.add(v, a);
}

@inline function unaryLoop(op: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const v0 = v128.load(x + o), v1 = v128.load(x + o, 16);
    v128.store(y + o, unaryV(op, v0, a));
    v128.store(y + o, unaryV(op, v1, a), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(unaryV(op, f32x4.splat(load<f32>(x + o)), a), 0));
  }
}

/** y = f(x) over n floats (y may be x); alpha: leaky ReLU's slope, or the scalar of NN_ADD_SCALAR. */
export function nnUnary(op: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  if (op == NN_EXP) unaryLoop(NN_EXP, x, y, n, alpha);
  else if (op == NN_LOG) unaryLoop(NN_LOG, x, y, n, alpha);
  else if (op == NN_TANH) unaryLoop(NN_TANH, x, y, n, alpha);
  else if (op == NN_SIGMOID) unaryLoop(NN_SIGMOID, x, y, n, alpha);
  else if (op == NN_RELU) unaryLoop(NN_RELU, x, y, n, alpha);
  else if (op == NN_LEAKY_RELU) unaryLoop(NN_LEAKY_RELU, x, y, n, alpha);
  else if (op == NN_GELU) unaryLoop(NN_GELU, x, y, n, alpha);
  else if (op == NN_SQUARE) unaryLoop(NN_SQUARE, x, y, n, alpha);
  else if (op == NN_SQRT) unaryLoop(NN_SQRT, x, y, n, alpha);
  else if (op == NN_ADD_SCALAR) unaryLoop(NN_ADD_SCALAR, x, y, n, alpha);
  else unreachable();
}

/** Whether op's backward reads the input x (else the output y). */
@inline function gradReadsX(op: i32): bool {
  return op == NN_LOG || op == NN_RELU || op == NN_LEAKY_RELU || op == NN_GELU || op == NN_SQUARE;
}

@inline function gradV(op: i32, x: v128, y: v128, g: v128, a: v128): v128 {
  if (op == NN_EXP) return f32x4.mul(g, y);
  if (op == NN_LOG) return f32x4.div(g, x);
  if (op == NN_TANH) return f32x4.mul(g, f32x4.sub(sp(1), f32x4.mul(y, y)));
  if (op == NN_SIGMOID) return f32x4.mul(g, f32x4.sub(y, f32x4.mul(y, y)));
  if (op == NN_RELU) return v128.and(g, f32x4.gt(x, sp(0)));
  if (op == NN_LEAKY_RELU) return v128.bitselect(g, f32x4.mul(g, a), f32x4.gt(x, sp(0)));
  if (op == NN_GELU) return f32x4.mul(g, geluGradV(x));
  if (op == NN_SQUARE) return f32x4.mul(g, f32x4.add(x, x));
  return f32x4.div(f32x4.mul(g, sp(0.5)), y);
}

@inline function gradLoop(op: i32, x: usize, y: usize, g: usize, dx: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const src = gradReadsX(op) ? x : y;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(src + o);
    v128.store(dx + o, gradV(op, v, v, v128.load(g + o), a));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = f32x4.splat(load<f32>(src + o));
    store<f32>(dx + o, f32x4.extract_lane(gradV(op, v, v, f32x4.splat(load<f32>(g + o)), a), 0));
  }
}

/**
 * dx = g·f'(x) over n floats, from the input x (log, relu, leaky relu, gelu, square) or the output y (exp, tanh,
 * sigmoid, sqrt); the other pointer is not read. dx may be g.
 */
export function nnUnaryGrad(op: i32, x: usize, y: usize, g: usize, dx: usize, n: i32, alpha: f32): void {
  if (op == NN_EXP) gradLoop(NN_EXP, x, y, g, dx, n, alpha);
  else if (op == NN_LOG) gradLoop(NN_LOG, x, y, g, dx, n, alpha);
  else if (op == NN_TANH) gradLoop(NN_TANH, x, y, g, dx, n, alpha);
  else if (op == NN_SIGMOID) gradLoop(NN_SIGMOID, x, y, g, dx, n, alpha);
  else if (op == NN_RELU) gradLoop(NN_RELU, x, y, g, dx, n, alpha);
  else if (op == NN_LEAKY_RELU) gradLoop(NN_LEAKY_RELU, x, y, g, dx, n, alpha);
  else if (op == NN_GELU) gradLoop(NN_GELU, x, y, g, dx, n, alpha);
  else if (op == NN_SQUARE) gradLoop(NN_SQUARE, x, y, g, dx, n, alpha);
  else if (op == NN_SQRT) gradLoop(NN_SQRT, x, y, g, dx, n, alpha);
  else unreachable();
}

/** nnUnary over part `part` of `parts` of the n floats (runs of 16), parameters in NN_UNARY_* slots. */
export function nnUnaryPart(params: usize, part: i32, parts: i32): void {
  const n = prm(params, NN_UNARY_N);
  const s = sliceStart(n, part, parts, 16), e = sliceStart(n, part + 1, parts, 16);
  const o = <usize>s << 2;
  nnUnary(prm(params, NN_UNARY_OP), <usize>prm(params, NN_UNARY_X) + o, <usize>prm(params, NN_UNARY_Y) + o, e - s,
    prmF32(params, NN_UNARY_ALPHA));
}

/** nnUnaryGrad over part `part` of `parts` of the n floats (runs of 16), parameters in NN_UNARY_* slots. */
export function nnUnaryGradPart(params: usize, part: i32, parts: i32): void {
  const n = prm(params, NN_UNARY_N);
  const s = sliceStart(n, part, parts, 16), e = sliceStart(n, part + 1, parts, 16);
  const o = <usize>s << 2;
  nnUnaryGrad(prm(params, NN_UNARY_OP), <usize>prm(params, NN_UNARY_X) + o, <usize>prm(params, NN_UNARY_Y) + o,
    <usize>prm(params, NN_UNARY_G) + o, <usize>prm(params, NN_UNARY_DX) + o, e - s, prmF32(params, NN_UNARY_ALPHA));
}

// ---- binary ops over a broadcast -----------------------------------------------------------------------------------

@inline function binV(op: i32, a: v128, b: v128): v128 {
  if (op == NN_ADD) return f32x4.add(a, b);
  if (op == NN_SUB) return f32x4.sub(a, b);
  if (op == NN_MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function binS(op: i32, a: f32, b: f32): f32 {
  if (op == NN_ADD) return a + b;
  if (op == NN_SUB) return a - b;
  if (op == NN_MUL) return a * b;
  return a / b;
}

/** One row of n outputs; va / vb: whether a / b advance along it (else one value broadcast over it). */
@inline function binRow(op: i32, va: bool, vb: bool, a: usize, b: usize, c: usize, n: i32): void {
  let i = 0;
  if (va && vb) {
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o), a1 = v128.load(a + o, 16);
      const b0 = v128.load(b + o), b1 = v128.load(b + o, 16);
      v128.store(c + o, binV(op, a0, b0));
      v128.store(c + o, binV(op, a1, b1), 16);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(c + o, binS(op, load<f32>(a + o), load<f32>(b + o)));
    }
  } else if (!va && !vb) {
    // both broadcast along the row (an expansion such as sum's backward): one value, filled
    const v = binS(op, load<f32>(a), load<f32>(b));
    const vv = f32x4.splat(v);
    for (; i + 4 <= n; i += 4) v128.store(c + (<usize>i << 2), vv);
    for (; i < n; i++) store<f32>(c + (<usize>i << 2), v);
  } else if (va) {
    const bs = load<f32>(b);
    const bv = f32x4.splat(bs);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(c + o, binV(op, v128.load(a + o), bv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(c + o, binS(op, load<f32>(a + o), bs));
    }
  } else {
    const as = load<f32>(a);
    const av = f32x4.splat(as);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(c + o, binV(op, av, v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(c + o, binS(op, as, load<f32>(b + o)));
    }
  }
}

@inline function bin3(op: i32, va: bool, vb: bool, a: usize, b: usize, c: usize, n0: i32, n1: i32, n2: i32,
  sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  let co = c;
  const rowBytes = <usize>n2 << 2;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      const ao = a + (<usize>(i0 * sa0 + i1 * sa1) << 2);
      const bo = b + (<usize>(i0 * sb0 + i1 * sb1) << 2);
      binRow(op, va, vb, ao, bo, co, n2);
      co += rowBytes;
    }
  }
}

/**
 * c[i0, i1, i2] = a[i0·sa0 + i1·sa1 + i2·sa2] ∘ b[i0·sb0 + i1·sb1 + i2·sb2] for the op NN_ADD, NN_SUB, NN_MUL or
 * NN_DIV, c contiguous [n0, n1, n2]; strides in floats; the inner strides sa2, sb2 are 0 or 1.
 */
export function nnBinary(op: i32, a: usize, b: usize, c: usize, n0: i32, n1: i32, n2: i32,
  sa0: i32, sa1: i32, sa2: i32, sb0: i32, sb1: i32, sb2: i32): void {
  switch (op * 4 + sa2 * 2 + sb2) {
    case 3: bin3(0, true, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 2: bin3(0, true, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 1: bin3(0, false, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 0: bin3(0, false, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 7: bin3(1, true, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 6: bin3(1, true, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 5: bin3(1, false, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 4: bin3(1, false, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 11: bin3(2, true, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 10: bin3(2, true, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 9: bin3(2, false, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 8: bin3(2, false, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 15: bin3(3, true, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 14: bin3(3, true, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 13: bin3(3, false, true, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    case 12: bin3(3, false, false, a, b, c, n0, n1, n2, sa0, sa1, sb0, sb1); break;
    default: unreachable();
  }
}

// ---- transpose -------------------------------------------------------------------------------------------------

/** y[b][j][i] = x[b][i][j] for `batch` matrices x of rows×cols (y: cols×rows each); tiles of 4×4 in registers. */
export function nnTranspose2d(x: usize, y: usize, batch: i32, rows: i32, cols: i32): void {
  const T: i32 = 32;
  const mat = <usize>rows * <usize>cols << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * mat, yb = y + <usize>b * mat;
    for (let i0 = 0; i0 < rows; i0 += T) {
      const i1 = min(rows, i0 + T);
      for (let j0 = 0; j0 < cols; j0 += T) {
        const j1 = min(cols, j0 + T);
        let i = i0;
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) {
            const p = xb + ((<usize>i * cols + j) << 2);
            const rs = <usize>cols << 2;
            const r0 = v128.load(p), r1 = v128.load(p + rs), r2 = v128.load(p + 2 * rs), r3 = v128.load(p + 3 * rs);
            const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
            const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
            const q = yb + ((<usize>j * rows + i) << 2);
            const qs = <usize>rows << 2;
            v128.store(q, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
            v128.store(q + qs, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
            v128.store(q + 2 * qs, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
            v128.store(q + 3 * qs, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
          }
          for (; j < j1; j++) {
            for (let r = i; r < i + 4; r++) {
              store<f32>(yb + ((<usize>j * rows + r) << 2), load<f32>(xb + ((<usize>r * cols + j) << 2)));
            }
          }
        }
        for (; i < i1; i++) {
          for (let j = j0; j < j1; j++) {
            store<f32>(yb + ((<usize>j * rows + i) << 2), load<f32>(xb + ((<usize>i * cols + j) << 2)));
          }
        }
      }
    }
  }
}

// Vector math for the neural engine's fused kernels (linear, batch norm, softmax, losses): exp, log, log1p, sigmoid,
// tanh and the normal CDF and density on four f32 lanes, each within a few units in the last place (1e-7 to 3e-7
// relative, Φ's lower tail included), and a scalar exp through lane 0 of the same code, so a tail element gets
// exactly what a SIMD lane would.
// Not exported from the module: the kernels of assembly/nn/ import what they need. Polynomials go through madd (one
// fused multiply-add in the relaxed-SIMD build).
import { madd } from "../common";

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** exp(x) underflows below this (2^-126 is the smallest normal): the result is flushed to 0 there. */
const EXP_LO: f32 = -87.33654;
/** exp(88) = 1.65e38: larger arguments are clamped here (no overflow to infinity). */
const EXP_HI: f32 = 88.0;

/** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer, which its low mantissa bits then hold. */
const ROUND_MAGIC: f32 = 12582912.0;
const ROUND_MAGIC_BITS: i32 = 0x4b400000;

/**
 * e^x per lane (Cephes' expf: 2^n · e^r, |r| ≤ ln2/2, degree-6 polynomial, n rounded by the magic-number addition,
 * which costs less than nearest + trunc_sat); 0 below −87.3, NaN stays NaN.
 */
@inline
export function expV(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const tv = madd(xc, f32x4.splat(LOG2E), f32x4.splat(ROUND_MAGIC));
  const fx = f32x4.sub(tv, f32x4.splat(ROUND_MAGIC));
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  return expTail(x, tv, r);
}

/**
 * e^(hi + lo) per lane for hi + lo ≤ 88, where lo is small next to hi and their f32 sum would lose lo's bits: lo is
 * added to the reduced argument r = hi − n·ln2 (exact by Cody and Waite's split), keeping the full relative accuracy.
 */
@inline
export function expHiLoV(hi: v128, lo: v128): v128 {
  const x = f32x4.add(hi, lo);
  const tv = madd(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(LOG2E), f32x4.splat(ROUND_MAGIC));
  const fx = f32x4.sub(tv, f32x4.splat(ROUND_MAGIC));
  let r = f32x4.sub(hi, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.add(f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO))), lo);
  return expTail(x, tv, r);
}

/** 2^n · e^r (n in the low bits of tv, see ROUND_MAGIC), flushed to 0 where x < EXP_LO. */
@inline
function expTail(x: v128, tv: v128, r: v128): v128 {
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(tv, i32x4.splat(127 - ROUND_MAGIC_BITS)), 23);
  const out = f32x4.mul(y, scale);
  return v128.andnot(out, f32x4.lt(x, f32x4.splat(EXP_LO)));
}

/** ln(x) per lane for positive normal x: x = 2^e·m, m in [√½, √2), ln m = 2 atanh((m−1)/(m+1)) by its series. */
@inline
export function logV(x: v128): v128 {
  const bits = x;
  let e = i32x4.sub(i32x4.shr_s(bits, 23), i32x4.splat(127));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, f32x4.splat(1.41421356));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = i32x4.sub(e, big); // big lanes are −1: e + 1
  const one = f32x4.splat(1);
  const t = f32x4.div(f32x4.sub(m, one), f32x4.add(m, one));
  const t2 = f32x4.mul(t, t);
  let s = f32x4.splat(0.11111111111);
  s = madd(s, t2, f32x4.splat(0.14285714286));
  s = madd(s, t2, f32x4.splat(0.2));
  s = madd(s, t2, f32x4.splat(0.33333333333));
  s = madd(s, t2, one);
  const lnm = f32x4.mul(f32x4.mul(t, f32x4.splat(2)), s);
  const ef = f32x4.convert_i32x4_s(e);
  return f32x4.add(f32x4.mul(ef, f32x4.splat(LN2_HI)), f32x4.add(lnm, f32x4.mul(ef, f32x4.splat(LN2_LO))));
}

/** ln(1 + u) per lane for u in [0, 1]: 2·atanh(t), t = u/(2 + u) ≤ 1/3, by its series to t¹⁵ (one division, no log). */
@inline
export function log1pUnitV(u: v128): v128 {
  const t = f32x4.div(u, f32x4.add(u, f32x4.splat(2)));
  const t2 = f32x4.mul(t, t);
  let s = f32x4.splat(<f32>(1.0 / 15));
  s = madd(s, t2, f32x4.splat(<f32>(1.0 / 13)));
  s = madd(s, t2, f32x4.splat(<f32>(1.0 / 11)));
  s = madd(s, t2, f32x4.splat(<f32>(1.0 / 9)));
  s = madd(s, t2, f32x4.splat(<f32>(1.0 / 7)));
  s = madd(s, t2, f32x4.splat(0.2));
  s = madd(s, t2, f32x4.splat(<f32>(1.0 / 3)));
  s = madd(s, t2, f32x4.splat(1));
  return f32x4.mul(f32x4.add(t, t), s);
}

/** σ(x) = 1/(1 + e^−x) per lane, from e^−|x| (no overflow either way). */
@inline
export function sigmoidV(x: v128): v128 {
  const e = expV(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(e, f32x4.splat(1)));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
}

/** tanh(x) per lane (Cephes' tanhf): an odd polynomial below |x| 0.625, else 1 − 2/(e^2|x| + 1) with x's sign. */
@inline
export function tanhV(a: v128): v128 {
  const ax = f32x4.abs(a);
  const z = f32x4.mul(a, a);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), a), a);
  const e = expV(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(a, i32x4.splat(<i32>0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** 1/√(2π). */
export const INV_SQRT_2PI: f32 = 0.3989422804014327;
const INV_SQRT2: f32 = 0.7071067811865476;

/**
 * Φ(x), the standard normal CDF, per lane, through erfc(|x|/√2) (Numerical Recipes' erfcc, relative error below
 * 1.2e-7 everywhere, so Φ keeps its relative accuracy in the lower tail).
 */
@inline
export function normCdfV(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), f32x4.splat(INV_SQRT2));
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.mul(z, f32x4.splat(0.5)), f32x4.splat(1)));
  let p = f32x4.splat(0.17087277);
  p = madd(p, t, f32x4.splat(-0.82215223));
  p = madd(p, t, f32x4.splat(1.48851587));
  p = madd(p, t, f32x4.splat(-1.13520398));
  p = madd(p, t, f32x4.splat(0.27886807));
  p = madd(p, t, f32x4.splat(-0.18628806));
  p = madd(p, t, f32x4.splat(0.09678418));
  p = madd(p, t, f32x4.splat(0.37409196));
  p = madd(p, t, f32x4.splat(1.00002368));
  p = madd(p, t, f32x4.splat(-1.26551223));
  // e^(p − z²) with z² = ½x² = ½(xh² + xl·(|x| + xh)), xh = |x| to 12 mantissa bits (xh² exact): computing z² from
  // the rounded z would cost a relative error of z²·1e-7 in the tail
  const ax = f32x4.abs(x);
  const xh = v128.and(ax, i32x4.splat(<i32>0xfffff000));
  const xl = f32x4.sub(ax, xh);
  const mh = f32x4.splat(-0.5);
  const e = expHiLoV(f32x4.mul(f32x4.mul(xh, xh), mh), f32x4.add(p, f32x4.mul(f32x4.mul(xl, f32x4.add(ax, xh)), mh)));
  const half = f32x4.mul(f32x4.mul(t, e), f32x4.splat(0.5)); // ½·erfc(z) = Φ(−|x|)
  return v128.bitselect(f32x4.sub(f32x4.splat(1), half), half, f32x4.ge(x, f32x4.splat(0)));
}

/** φ(x) = e^(−x²/2)/√(2π) per lane. */
@inline
export function normPdfV(x: v128): v128 {
  const xh = v128.and(x, i32x4.splat(<i32>0xfffff000));
  const xl = f32x4.sub(x, xh);
  const mh = f32x4.splat(-0.5);
  const e = expHiLoV(f32x4.mul(f32x4.mul(xh, xh), mh), f32x4.mul(f32x4.mul(xl, f32x4.add(x, xh)), mh));
  return f32x4.mul(e, f32x4.splat(INV_SQRT_2PI));
}

// Scalar forms: lane 0 of the vector code.
@inline export function expS(x: f32): f32 {
  return f32x4.extract_lane(expV(f32x4.splat(x)), 0);
}

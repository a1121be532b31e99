// Helpers shared by the kernel modules: the fused multiply-add, parameter-block access, zeroing.

/** c + a·b: one fused multiply-add where the engine has relaxed SIMD (every kernel is built both ways). */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline export function prm(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

/** Fill n floats at dst with zero. */
export function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

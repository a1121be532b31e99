// Helpers shared by the kernel modules: the fused multiply-add, parameter-block access (slots as in assembly/abi.ts),
// the split of a job's range between its parts, zeroing.

/** c + a·b: one fused multiply-add where the engine has relaxed SIMD (every kernel is built both ways). */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** i32 slot i of a parameter block. */
@inline export function prm(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

/** f32 slot i of a parameter block. */
@inline export function prmF32(params: usize, i: i32): f32 {
  return load<f32>(params + (<usize>i << 2));
}

/** f64 at slots i, i + 1 of a parameter block (i even). */
@inline export function prmF64(params: usize, i: i32): f64 {
  return load<f64>(params + (<usize>i << 2));
}

/**
 * Start of part `part` of `parts` of [0, m) in whole blocks of `align` (the end is sliceStart(m, part + 1, ...)):
 * how the row-split kernels share a job.
 */
@inline export function sliceStart(m: i32, part: i32, parts: i32, align: i32): i32 {
  const blocks = (m + align - 1) / align;
  return min(m, <i32>(<i64>blocks * <i64>part / <i64>parts) * align);
}

/** Fill n floats at dst with zero. */
export function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

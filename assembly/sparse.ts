// Sparse (CSR) times dense.
import { CSR_B, CSR_C, CSR_DATA, CSR_INDICES, CSR_INDPTR, CSR_K, CSR_ROWS } from "./abi";
import { prm, sliceStart } from "./common";

/** C[i, :] = Σ_p data[p] · B[indices[p], :] for rows r0..r1 (f32 data; B and C row-major with k columns). */
function csrMatmul(indptr: usize, indices: usize, data: usize, B: usize, C: usize, k: i32, r0: i32, r1: i32): void {
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

/** Part `part` of `parts` of a CSR × dense product (CSR_* in abi.ts), split by rows. */
export function csrMatmulPart(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, CSR_ROWS);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  if (r1 > r0) {
    csrMatmul(<usize>prm(params, CSR_INDPTR), <usize>prm(params, CSR_INDICES), <usize>prm(params, CSR_DATA), <usize>prm(params, CSR_B),
      <usize>prm(params, CSR_C), prm(params, CSR_K), r0, r1);
  }
}

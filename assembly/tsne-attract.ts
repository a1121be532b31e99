// t-SNE attractive forces (2-D and 3-D) by rows of the full symmetric P, so the result does not depend on the
// number of parts: every output row is written by exactly one part, summing its row's edges in CSR order.

@inline function slot(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

/** First row r in [0, n] with indptr[r] >= e. */
@inline function firstRowFrom(indptr: usize, n: i32, e: i32): i32 {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load<i32>(indptr + (<usize>mid << 2)) < e) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Part `part` of `parts` of the attractive forces out_i = Σ_j p_ij (y_i − y_j)/(1 + ‖y_i − y_j‖²) over P in CSR
 * (all of it, both triangles). Parameter block (i32 slots): 0 indptr, 1 indices, 2 values (f64), 3 Y (f64, dims per
 * point), 4 out (f64, dims per point), 5 n, 6 dims (2 or 3). The parts take whole rows, about equal shares of the
 * edges; the arithmetic of a row is the same whichever part takes it (and the same as the TypeScript
 * attractiveForces), so the forces are identical for any number of parts.
 */
export function tsneAttractRowsPart(params: usize, part: i32, parts: i32): void {
  const indptr = <usize>slot(params, 0), indices = <usize>slot(params, 1), vals = <usize>slot(params, 2);
  const Y = <usize>slot(params, 3), out = <usize>slot(params, 4), n = slot(params, 5), dims = slot(params, 6);
  const stride = <usize>dims << 3;
  const nnz = load<i32>(indptr + (<usize>n << 2));
  const r0 = part == 0 ? 0 : firstRowFrom(indptr, n, <i32>(<i64>nnz * part / parts));
  const r1 = part == parts - 1 ? n : firstRowFrom(indptr, n, <i32>(<i64>nnz * (part + 1) / parts));
  if (dims == 3) {
    for (let i = r0; i < r1; i++) {
      const yi = Y + <usize>i * stride;
      const x = load<f64>(yi), y = load<f64>(yi, 8), z = load<f64>(yi, 16);
      let fx: f64 = 0, fy: f64 = 0, fz: f64 = 0;
      const e = load<i32>(indptr + (<usize>(i + 1) << 2));
      for (let q = load<i32>(indptr + (<usize>i << 2)); q < e; q++) {
        const yj = Y + <usize>load<i32>(indices + (<usize>q << 2)) * stride;
        const dx = x - load<f64>(yj), dy = y - load<f64>(yj, 8), dz = z - load<f64>(yj, 16);
        const f = load<f64>(vals + (<usize>q << 3)) / (1 + (dx * dx + dy * dy + dz * dz));
        fx += f * dx;
        fy += f * dy;
        fz += f * dz;
      }
      const o = out + <usize>i * stride;
      store<f64>(o, fx);
      store<f64>(o, fy, 8);
      store<f64>(o, fz, 16);
    }
    return;
  }
  for (let i = r0; i < r1; i++) {
    const yi = Y + (<usize>i << 4);
    const x = load<f64>(yi), y = load<f64>(yi, 8);
    let fx: f64 = 0, fy: f64 = 0;
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    for (let q = load<i32>(indptr + (<usize>i << 2)); q < e; q++) {
      const yj = Y + (<usize>load<i32>(indices + (<usize>q << 2)) << 4);
      const dx = x - load<f64>(yj), dy = y - load<f64>(yj, 8);
      const f = load<f64>(vals + (<usize>q << 3)) / (1 + dx * dx + dy * dy);
      fx += f * dx;
      fy += f * dy;
    }
    const o = out + (<usize>i << 4);
    store<f64>(o, fx);
    store<f64>(o, fy, 8);
  }
}

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
 * edges; the arithmetic of a row is the same whichever part takes it, so the forces are identical for any number of
 * parts. Two edges per step in f64x2 lanes (one division for both), summed lane by lane and added at the row's end.
 */
export function tsneAttractRowsPart(params: usize, part: i32, parts: i32): void {
  const indptr = <usize>slot(params, 0), indices = <usize>slot(params, 1), vals = <usize>slot(params, 2);
  const Y = <usize>slot(params, 3), out = <usize>slot(params, 4), n = slot(params, 5), dims = slot(params, 6);
  const nnz = load<i32>(indptr + (<usize>n << 2));
  const r0 = part == 0 ? 0 : firstRowFrom(indptr, n, <i32>(<i64>nnz * part / parts));
  const r1 = part == parts - 1 ? n : firstRowFrom(indptr, n, <i32>(<i64>nnz * (part + 1) / parts));
  const one = f64x2.splat(1);
  if (dims == 3) {
    // as the 2-D loop below, with z in a third pair of lanes
    for (let i = r0; i < r1; i++) {
      const yi = Y + <usize>i * 24;
      const x = load<f64>(yi), y = load<f64>(yi, 8), z = load<f64>(yi, 16);
      const x2 = f64x2.splat(x), y2 = f64x2.splat(y), z2 = f64x2.splat(z);
      let fx2 = f64x2.splat(0), fy2 = f64x2.splat(0), fz2 = f64x2.splat(0);
      let q = load<i32>(indptr + (<usize>i << 2));
      const e = load<i32>(indptr + (<usize>(i + 1) << 2));
      for (; q + 2 <= e; q += 2) {
        const j0 = Y + <usize>load<i32>(indices + (<usize>q << 2)) * 24;
        const j1 = Y + <usize>load<i32>(indices + (<usize>q << 2), 4) * 24;
        const p0 = v128.load(j0), p1 = v128.load(j1);
        const dx = f64x2.sub(x2, v128.shuffle<f64>(p0, p1, 0, 2));
        const dy = f64x2.sub(y2, v128.shuffle<f64>(p0, p1, 1, 3));
        const dz = f64x2.sub(z2, f64x2.replace_lane(f64x2.splat(load<f64>(j0, 16)), 1, load<f64>(j1, 16)));
        const d2 = f64x2.add(f64x2.add(f64x2.mul(dx, dx), f64x2.mul(dy, dy)), f64x2.mul(dz, dz));
        const f = f64x2.div(v128.load(vals + (<usize>q << 3)), f64x2.add(one, d2));
        fx2 = f64x2.add(fx2, f64x2.mul(f, dx));
        fy2 = f64x2.add(fy2, f64x2.mul(f, dy));
        fz2 = f64x2.add(fz2, f64x2.mul(f, dz));
      }
      let fx = f64x2.extract_lane(fx2, 0) + f64x2.extract_lane(fx2, 1);
      let fy = f64x2.extract_lane(fy2, 0) + f64x2.extract_lane(fy2, 1);
      let fz = f64x2.extract_lane(fz2, 0) + f64x2.extract_lane(fz2, 1);
      if (q < e) {
        const yj = Y + <usize>load<i32>(indices + (<usize>q << 2)) * 24;
        const dx = x - load<f64>(yj), dy = y - load<f64>(yj, 8), dz = z - load<f64>(yj, 16);
        const f = load<f64>(vals + (<usize>q << 3)) / (1 + (dx * dx + dy * dy + dz * dz));
        fx += f * dx;
        fy += f * dy;
        fz += f * dz;
      }
      const o = out + <usize>i * 24;
      store<f64>(o, fx);
      store<f64>(o, fy, 8);
      store<f64>(o, fz, 16);
    }
    return;
  }
  // 2-D: two edges per step in f64x2 lanes (one division for both); the lanes are added at the end of the row
  for (let i = r0; i < r1; i++) {
    const yi = Y + (<usize>i << 4);
    const x = load<f64>(yi), y = load<f64>(yi, 8);
    const x2 = f64x2.splat(x), y2 = f64x2.splat(y);
    let fx2 = f64x2.splat(0), fy2 = f64x2.splat(0);
    let q = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    for (; q + 2 <= e; q += 2) {
      const p0 = v128.load(Y + (<usize>load<i32>(indices + (<usize>q << 2)) << 4));
      const p1 = v128.load(Y + (<usize>load<i32>(indices + (<usize>q << 2), 4) << 4));
      const dx = f64x2.sub(x2, v128.shuffle<f64>(p0, p1, 0, 2));
      const dy = f64x2.sub(y2, v128.shuffle<f64>(p0, p1, 1, 3));
      const f = f64x2.div(v128.load(vals + (<usize>q << 3)), f64x2.add(f64x2.add(one, f64x2.mul(dx, dx)), f64x2.mul(dy, dy)));
      fx2 = f64x2.add(fx2, f64x2.mul(f, dx));
      fy2 = f64x2.add(fy2, f64x2.mul(f, dy));
    }
    let fx = f64x2.extract_lane(fx2, 0) + f64x2.extract_lane(fx2, 1);
    let fy = f64x2.extract_lane(fy2, 0) + f64x2.extract_lane(fy2, 1);
    if (q < e) {
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

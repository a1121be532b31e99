// t-SNE repulsion on new points from a fixed map (TSNE.transform): the tree of the reference points is built by
// bhGroupBuild; each query point walks it on its own (the per-point θ test of classic Barnes–Hut, f64 arithmetic).
// New points do not act on each other, and each point's sums are made by one part in tree order, so the result does
// not depend on the number of parts.

@inline function slot(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

/**
 * Part `part` of `parts` of the query repulsion. Parameter block (i32 slots): 0 the bhGroupBuild block of the
 * reference tree (its stacks, 1 KiB per part, are used here), 1 Q (f64, dims per point), 2 m, 3 out (f64, dims per
 * point: Σ_j w_ij² (q_i − y_j)), 4 z (f64 per point: Σ_j w_ij), over the reference points j. A cell stands in for its
 * points when its width² is below θ² times its squared distance from q_i (θ² at byte 128 of the tree block); θ = 0
 * gives the exact sums. Points [m·part/parts, m·(part+1)/parts) are this part's.
 */
export function bhQueryPart(params: usize, part: i32, parts: i32): void {
  const bh = <usize>slot(params, 0), Q = <usize>slot(params, 1), m = slot(params, 2);
  const out = <usize>slot(params, 3), zs = <usize>slot(params, 4);
  const Y = <usize>slot(bh, 0), perm = <usize>slot(bh, 5);
  const nx = <usize>slot(bh, 10), ny = <usize>slot(bh, 11), nz = <usize>slot(bh, 31);
  const nm = <usize>slot(bh, 12), nw2 = <usize>slot(bh, 13);
  const nchild = <usize>slot(bh, 14), nkids = <usize>slot(bh, 15), nstart = <usize>slot(bh, 16), nend = <usize>slot(bh, 17);
  const stack = <usize>slot(bh, 23) + (<usize>part << 10);
  const dims = slot(bh, 29);
  const three = dims == 3;
  const stride = <usize>dims << 3;
  const t2 = load<f64>(bh + 128);
  const i0 = <i32>(<i64>m * part / parts), i1 = <i32>(<i64>m * (part + 1) / parts);
  for (let i = i0; i < i1; i++) {
    const qi = Q + <usize>i * stride;
    const x = load<f64>(qi), y = load<f64>(qi, 8), zc = three ? load<f64>(qi, 16) : 0;
    let fx: f64 = 0, fy: f64 = 0, fz: f64 = 0, z: f64 = 0;
    let sp = 1;
    store<i32>(stack, 0);
    while (sp > 0) {
      sp--;
      const c = load<i32>(stack + (<usize>sp << 2));
      const co = <usize>c << 3;
      const dx = x - load<f64>(nx + co), dy = y - load<f64>(ny + co);
      const dz = three ? zc - load<f64>(nz + co) : 0;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (load<f64>(nw2 + co) < t2 * d2) {
        const w = 1 / (1 + d2);
        const mw = load<f64>(nm + co) * w;
        z += mw;
        const f = mw * w;
        fx += f * dx;
        fy += f * dy;
        fz += f * dz;
        continue;
      }
      const c4 = <usize>c << 2;
      const c0 = load<i32>(nchild + c4);
      if (c0 < 0) {
        const e = load<i32>(nend + c4);
        for (let t = load<i32>(nstart + c4); t < e; t++) {
          const yj = Y + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
          const ex = x - load<f64>(yj), ey = y - load<f64>(yj, 8);
          const ez = three ? zc - load<f64>(yj, 16) : 0;
          const w = 1 / (1 + (ex * ex + ey * ey + ez * ez));
          z += w;
          const f = w * w;
          fx += f * ex;
          fy += f * ey;
          fz += f * ez;
        }
        continue;
      }
      for (let k = c0 + load<i32>(nkids + c4) - 1; k >= c0; k--) {
        store<i32>(stack + (<usize>sp << 2), k);
        sp++;
      }
    }
    const o = out + <usize>i * stride;
    store<f64>(o, fx);
    store<f64>(o, fy, 8);
    if (three) store<f64>(o, fz, 16);
    store<f64>(zs + (<usize>i << 3), z);
  }
}

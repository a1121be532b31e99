// t-SNE gradient kernels: the attractive forces over the sparse P, the Barnes–Hut repulsion, and the Barnes–Hut forces
// on new points from a fixed map (transform).
import { madd, prm, prmF64 } from "./common";
import {
  BH_COUNTER, BH_DIMS, BH_GROUP_SIZE, BH_GROUPS, BH_KEYS, BH_KEYS2, BH_LEAF_SIZE, BH_LIST_BYTES, BH_LISTS, BH_N, BH_NODE_CHILD,
  BH_NODE_END, BH_NODE_KIDS, BH_NODE_LEVEL, BH_NODE_MASS, BH_NODE_START, BH_NODE_WIDTH2, BH_NODE_X, BH_NODE_Y, BH_NODE_Z, BH_OUT,
  BH_OUT_GROUPS, BH_OUT_NODES, BH_PERM, BH_PERM2, BH_PX, BH_PY, BH_PZ, BH_SCRATCH, BH_STACKS, BH_THETA2, BH_Y, BH_Z,
  TSNE_QUERY_M, TSNE_QUERY_OUT, TSNE_QUERY_Q, TSNE_QUERY_TREE, TSNE_QUERY_Z,
  TSNE_ATTR_DIMS, TSNE_ATTR_INDICES, TSNE_ATTR_INDPTR, TSNE_ATTR_N, TSNE_ATTR_OUT, TSNE_ATTR_VALUES, TSNE_ATTR_Y,
  TSNE_GRAD_ATTR, TSNE_GRAD_BH,
} from "./abi";

// ---- t-SNE attractive forces (2-D and 3-D), by rows of the full symmetric P ---------------------------------------
//
// Every output row is written by exactly one part, summing its row's edges in CSR order, so the forces do not depend
// on the number of parts (the map is the same for any thread count).

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
 * (all of it, both triangles). Parameter block: TSNE_ATTR_* in abi.ts (dims 2 or 3). The parts take whole rows, about
 * equal shares of the edges; the arithmetic of a row is the same whichever part takes it, so the forces are identical for any number of
 * parts. Two edges per step in f64x2 lanes (one division for both), summed lane by lane and added at the row's end.
 */
export function tsneAttractRowsPart(params: usize, part: i32, parts: i32): void {
  const indptr = <usize>prm(params, TSNE_ATTR_INDPTR), indices = <usize>prm(params, TSNE_ATTR_INDICES), vals = <usize>prm(params, TSNE_ATTR_VALUES);
  const Y = <usize>prm(params, TSNE_ATTR_Y), out = <usize>prm(params, TSNE_ATTR_OUT), n = prm(params, TSNE_ATTR_N), dims = prm(params, TSNE_ATTR_DIMS);
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

// ---- t-SNE Barnes–Hut repulsion (2-D and 3-D): Morton-ordered tree, grouped traversal, SIMD interactions -----------
//
// The tree (quadtree or octree) is built here from the points' Morton codes (16 bits per axis in 2-D, 10 in 3-D,
// radix sorted), so every node is a contiguous range of the sorted points; chains of single-child cells are
// collapsed, so there are at most 2n nodes. Repulsion is computed per group (a subtree of at most G points): one
// traversal collects an interaction list for the whole group, accepting a cell when its width is below θ times its
// distance from the group's bounding box (so the test holds for every point of the group: at least as accurate as
// per-point Barnes–Hut with the same θ), and opened leaves add their points. Every point of the group is then summed
// against the list with f32x4 arithmetic (Barnes 1990, "A modified tree code: don't laugh, it runs").

@inline function part1by1(v: u32): u32 {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

@inline function part1by2(v: u32): u32 {
  let x = v & 0x3ff;
  x = (x | (x << 16)) & 0x030000ff;
  x = (x | (x << 8)) & 0x0300f00f;
  x = (x | (x << 4)) & 0x030c30c3;
  x = (x | (x << 2)) & 0x09249249;
  return x;
}

/**
 * Builds the tree for bhGroupPart. Parameter block: BH_* in abi.ts (dims 2 or 3). Node capacity 2n.
 */
export function bhGroupBuild(params: usize): void {
  const Y = <usize>prm(params, BH_Y), n = prm(params, BH_N), L = prm(params, BH_LEAF_SIZE), G = prm(params, BH_GROUP_SIZE);
  let keys = <usize>prm(params, BH_KEYS), perm = <usize>prm(params, BH_PERM), keys2 = <usize>prm(params, BH_KEYS2), perm2 = <usize>prm(params, BH_PERM2);
  const px = <usize>prm(params, BH_PX), py = <usize>prm(params, BH_PY), pz = <usize>prm(params, BH_PZ);
  const nx = <usize>prm(params, BH_NODE_X), ny = <usize>prm(params, BH_NODE_Y), nz = <usize>prm(params, BH_NODE_Z);
  const nm = <usize>prm(params, BH_NODE_MASS), nw2 = <usize>prm(params, BH_NODE_WIDTH2);
  const nchild = <usize>prm(params, BH_NODE_CHILD), nkids = <usize>prm(params, BH_NODE_KIDS), nstart = <usize>prm(params, BH_NODE_START), nend = <usize>prm(params, BH_NODE_END);
  const nlevel = <usize>prm(params, BH_NODE_LEVEL), groups = <usize>prm(params, BH_GROUPS), counts = <usize>prm(params, BH_SCRATCH);
  const stack = <usize>prm(params, BH_STACKS);
  const dims = prm(params, BH_DIMS);
  const three = dims == 3;
  const stride = <usize>dims << 3;
  let lx = Infinity, ly = Infinity, lz = Infinity, hx = -Infinity, hy = -Infinity, hz = -Infinity;
  for (let i = 0; i < n; i++) {
    const yi = Y + <usize>i * stride;
    const x = load<f64>(yi), y = load<f64>(yi, 8);
    lx = min(lx, x); hx = max(hx, x); ly = min(ly, y); hy = max(hy, y);
    if (three) {
      const z = load<f64>(yi, 16);
      lz = min(lz, z); hz = max(hz, z);
    }
  }
  let side = max(hx - lx, hy - ly);
  if (three) side = max(side, hz - lz);
  if (!(side > 0)) side = 1;
  const levels = three ? 10 : 16;
  const qmax = (1 << levels) - 1;
  const scale = <f64>(1 << levels) / side;
  for (let i = 0; i < n; i++) {
    const yi = Y + <usize>i * stride;
    const qx = <u32>min(qmax, <i32>((load<f64>(yi) - lx) * scale));
    const qy = <u32>min(qmax, <i32>((load<f64>(yi, 8) - ly) * scale));
    let key: u32;
    if (three) {
      const qz = <u32>min(qmax, <i32>((load<f64>(yi, 16) - lz) * scale));
      key = part1by2(qx) | (part1by2(qy) << 1) | (part1by2(qz) << 2);
    } else key = part1by1(qx) | (part1by1(qy) << 1);
    store<u32>(keys + (<usize>i << 2), key);
    store<i32>(perm + (<usize>i << 2), i);
  }
  // LSD radix sort of (key, point), 4 passes of 8 bits: stable, ends in keys/perm
  for (let shift: u32 = 0; shift < 32; shift += 8) {
    for (let b = 0; b < 256; b++) store<i32>(counts + (<usize>b << 2), 0);
    for (let i = 0; i < n; i++) {
      const c = counts + (<usize>((load<u32>(keys + (<usize>i << 2)) >> shift) & 255) << 2);
      store<i32>(c, load<i32>(c) + 1);
    }
    let acc = 0;
    for (let b = 0; b < 256; b++) {
      const c = load<i32>(counts + (<usize>b << 2));
      store<i32>(counts + (<usize>b << 2), acc);
      acc += c;
    }
    for (let i = 0; i < n; i++) {
      const key = load<u32>(keys + (<usize>i << 2));
      const c = counts + (<usize>((key >> shift) & 255) << 2);
      const to = load<i32>(c);
      store<i32>(c, to + 1);
      store<u32>(keys2 + (<usize>to << 2), key);
      store<i32>(perm2 + (<usize>to << 2), load<i32>(perm + (<usize>i << 2)));
    }
    const tk = keys; keys = keys2; keys2 = tk;
    const tp = perm; perm = perm2; perm2 = tp;
  }
  for (let t = 0; t < n; t++) {
    const yi = Y + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
    store<f32>(px + (<usize>t << 2), <f32>load<f64>(yi));
    store<f32>(py + (<usize>t << 2), <f32>load<f64>(yi, 8));
    if (three) store<f32>(pz + (<usize>t << 2), <f32>load<f64>(yi, 16));
  }
  // top-down split of the sorted ranges; a cell whose points all fall in one child cell is replaced by that child
  const fan = 1 << dims;
  const bnd = counts; // fan + 1 boundaries of the current split
  let nodes = 1;
  store<i32>(nstart, 0);
  store<i32>(nend, n);
  store<i32>(nlevel, 0);
  let sp = 1;
  store<i32>(stack, 0);
  while (sp > 0) {
    sp--;
    const node = load<i32>(stack + (<usize>sp << 2));
    const o = <usize>node << 2;
    const s = load<i32>(nstart + o), e = load<i32>(nend + o);
    let l = load<i32>(nlevel + o);
    store<i32>(nchild + o, -1);
    store<i32>(nkids + o, 0);
    while (e - s > L && l < levels) {
      const shift = <u32>(dims * (levels - 1 - l));
      const mask = <u32>(fan - 1);
      let k = 0, t = s;
      for (let q = 0; q < fan; q++) {
        store<i32>(bnd + (<usize>q << 2), t);
        const t0 = t;
        while (t < e && ((load<u32>(keys + (<usize>t << 2)) >> shift) & mask) == <u32>q) t++;
        if (t > t0) k++;
      }
      store<i32>(bnd + (<usize>fan << 2), e);
      if (k == 1) {
        l++;
        continue;
      }
      store<i32>(nchild + o, nodes);
      store<i32>(nkids + o, k);
      for (let q = 0; q < fan; q++) {
        const a = load<i32>(bnd + (<usize>q << 2)), z = load<i32>(bnd + (<usize>(q + 1) << 2));
        if (z == a) continue;
        const c = <usize>nodes << 2;
        store<i32>(nstart + c, a);
        store<i32>(nend + c, z);
        store<i32>(nlevel + c, l + 1);
        store<i32>(stack + (<usize>sp << 2), nodes);
        sp++;
        nodes++;
      }
      break;
    }
    const w = side / <f64>(1 << l);
    store<f64>(nw2 + (<usize>node << 3), w * w);
  }
  // centres of mass, children (higher ids) before parents
  for (let node = nodes - 1; node >= 0; node--) {
    const o = <usize>node << 2;
    const c0 = load<i32>(nchild + o);
    let sx: f64 = 0, sy: f64 = 0, sz: f64 = 0, m: f64 = 0;
    if (c0 < 0) {
      const s = load<i32>(nstart + o), e = load<i32>(nend + o);
      for (let t = s; t < e; t++) {
        const yi = Y + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
        sx += load<f64>(yi);
        sy += load<f64>(yi, 8);
        if (three) sz += load<f64>(yi, 16);
      }
      m = <f64>(e - s);
    } else {
      const c1 = c0 + load<i32>(nkids + o);
      for (let c = c0; c < c1; c++) {
        const co = <usize>c << 3;
        const mc = load<f64>(nm + co);
        sx += mc * load<f64>(nx + co);
        sy += mc * load<f64>(ny + co);
        if (three) sz += mc * load<f64>(nz + co);
        m += mc;
      }
    }
    const no = <usize>node << 3;
    store<f64>(nx + no, sx / m);
    store<f64>(ny + no, sy / m);
    if (three) store<f64>(nz + no, sz / m);
    store<f64>(nm + no, m);
  }
  // groups: the largest subtrees of at most G points, in order of their ranges
  let ng = 0;
  sp = 1;
  store<i32>(stack, 0);
  while (sp > 0) {
    sp--;
    const node = load<i32>(stack + (<usize>sp << 2));
    const o = <usize>node << 2;
    const c0 = load<i32>(nchild + o);
    if (c0 < 0 || load<i32>(nend + o) - load<i32>(nstart + o) <= G) {
      store<i32>(groups + (<usize>ng << 2), node);
      ng++;
      continue;
    }
    for (let c = c0 + load<i32>(nkids + o) - 1; c >= c0; c--) {
      store<i32>(stack + (<usize>sp << 2), c);
      sp++;
    }
  }
  store<i32>(params + (<usize>BH_OUT_GROUPS << 2), ng);
  store<i32>(params + (<usize>BH_OUT_NODES << 2), nodes);
  store<i32>(params + (<usize>BH_COUNTER << 2), 0);
  // the sort may have ended in the second buffers: the caller reads perm from BH_PERM
  store<i32>(params + (<usize>BH_PERM << 2), <i32>perm);
  store<i32>(params + (<usize>BH_PERM2 << 2), <i32>perm2);
  store<i32>(params + (<usize>BH_KEYS << 2), <i32>keys);
  store<i32>(params + (<usize>BH_KEYS2 << 2), <i32>keys2);
}

/**
 * Part `part` of `parts` of the repulsion over the tree of bhGroupBuild (same parameter block): for each point,
 * out = Σ_j w_ij² (y_i − y_j) and, per group, z = Σ_i Σ_{j≠i} w_ij over its points i, with cells standing in for
 * their points as above. The parts take groups four at a time from a shared counter (BH_COUNTER, cleared by
 * bhGroupBuild); the results do not depend on which part took which group.
 */
export function bhGroupPart(params: usize, part: i32, parts: i32): void {
  const ng = prm(params, BH_OUT_GROUPS);
  const counter = params + (<usize>BH_COUNTER << 2);
  const zs = <usize>prm(params, BH_Z);
  for (;;) {
    const g0 = atomic.add<i32>(counter, 4);
    if (g0 >= ng) break;
    const g1 = min(ng, g0 + 4);
    for (let gi = g0; gi < g1; gi++) {
      store<f64>(zs + (<usize>gi << 3), bhGroup(params, part, load<i32>(<usize>prm(params, BH_GROUPS) + (<usize>gi << 2))));
    }
  }
}

/** One group of bhGroupPart: its interaction list, then the sums for its points; returns their part of z. */
function bhGroup(params: usize, part: i32, group: i32): f64 {
  const perm = <usize>prm(params, BH_PERM), px = <usize>prm(params, BH_PX), py = <usize>prm(params, BH_PY), pz = <usize>prm(params, BH_PZ);
  const nx = <usize>prm(params, BH_NODE_X), ny = <usize>prm(params, BH_NODE_Y), nz = <usize>prm(params, BH_NODE_Z);
  const nm = <usize>prm(params, BH_NODE_MASS), nw2 = <usize>prm(params, BH_NODE_WIDTH2);
  const nchild = <usize>prm(params, BH_NODE_CHILD), nkids = <usize>prm(params, BH_NODE_KIDS), nstart = <usize>prm(params, BH_NODE_START), nend = <usize>prm(params, BH_NODE_END);
  const stack = <usize>prm(params, BH_STACKS) + (<usize>part << 10);
  const dims = prm(params, BH_DIMS);
  const three = dims == 3;
  const listBytes = <usize>prm(params, BH_LIST_BYTES);
  const cap = listBytes / (<usize>(dims + 1) << 2);
  // the list's columns: x, y, mass, z
  const lxs = <usize>prm(params, BH_LISTS) + <usize>part * listBytes;
  const lys = lxs + (cap << 2), lms = lys + (cap << 2), lzs = lms + (cap << 2);
  const out = <usize>prm(params, BH_OUT);
  const t2 = prmF64(params, BH_THETA2);
  let z: f64 = 0;
  const g = <usize>group << 2;
  const s = load<i32>(nstart + g), e = load<i32>(nend + g);
  let bx0: f64 = Infinity, by0: f64 = Infinity, bz0: f64 = Infinity;
  let bx1: f64 = -Infinity, by1: f64 = -Infinity, bz1: f64 = -Infinity;
  for (let t = s; t < e; t++) {
    const x = <f64>load<f32>(px + (<usize>t << 2)), y = <f64>load<f32>(py + (<usize>t << 2));
    bx0 = min(bx0, x); bx1 = max(bx1, x); by0 = min(by0, y); by1 = max(by1, y);
    if (three) {
      const zz = <f64>load<f32>(pz + (<usize>t << 2));
      bz0 = min(bz0, zz); bz1 = max(bz1, zz);
    }
  }
  let cnt = 0;
  let sp = 1;
  store<i32>(stack, 0);
  while (sp > 0) {
    sp--;
    const c = load<i32>(stack + (<usize>sp << 2));
    const co = <usize>c << 3;
    const cx = load<f64>(nx + co), cy = load<f64>(ny + co);
    const dx = max(max(bx0 - cx, cx - bx1), 0), dy = max(max(by0 - cy, cy - by1), 0);
    let d2 = dx * dx + dy * dy;
    let cz: f64 = 0;
    if (three) {
      cz = load<f64>(nz + co);
      const dz = max(max(bz0 - cz, cz - bz1), 0);
      d2 += dz * dz;
    }
    if (load<f64>(nw2 + co) < t2 * d2) {
      const q = <usize>cnt << 2;
      store<f32>(lxs + q, <f32>cx);
      store<f32>(lys + q, <f32>cy);
      store<f32>(lms + q, <f32>load<f64>(nm + co));
      if (three) store<f32>(lzs + q, <f32>cz);
      cnt++;
      continue;
    }
    const c0 = load<i32>(nchild + (<usize>c << 2));
    if (c0 < 0) {
      const a = load<i32>(nstart + (<usize>c << 2)), b = load<i32>(nend + (<usize>c << 2));
      for (let t = a; t < b; t++) {
        const q = <usize>cnt << 2;
        store<f32>(lxs + q, load<f32>(px + (<usize>t << 2)));
        store<f32>(lys + q, load<f32>(py + (<usize>t << 2)));
        store<f32>(lms + q, 1);
        if (three) store<f32>(lzs + q, load<f32>(pz + (<usize>t << 2)));
        cnt++;
      }
      continue;
    }
    for (let k = c0 + load<i32>(nkids + (<usize>c << 2)) - 1; k >= c0; k--) {
      store<i32>(stack + (<usize>sp << 2), k);
      sp++;
    }
  }
  while (cnt & 3) {
    const q = <usize>cnt << 2;
    store<f32>(lxs + q, 0);
    store<f32>(lys + q, 0);
    store<f32>(lms + q, 0);
    if (three) store<f32>(lzs + q, 0);
    cnt++;
  }
  const bytes = <usize>cnt << 2;
  const stride = <usize>dims << 3;
  for (let t = s; t < e; t++) {
    const x4 = f32x4.splat(load<f32>(px + (<usize>t << 2))), y4 = f32x4.splat(load<f32>(py + (<usize>t << 2)));
    const i = out + <usize>load<i32>(perm + (<usize>t << 2)) * stride;
    let zz: v128;
    if (three) {
      const z4 = f32x4.splat(load<f32>(pz + (<usize>t << 2)));
      zz = bhSums3(x4, y4, z4, lxs, lys, lzs, lms, bytes, i);
    } else {
      zz = bhSums2(x4, y4, lxs, lys, lms, bytes, i);
    }
    // minus the point's own term (w = 1)
    z += hsum(zz) - 1;
  }
  return z;
}

@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** One 2-D point against an interaction list: stores its force at `o`, returns the lanes of Σ m w. */
@inline function bhSums2(x4: v128, y4: v128, lxs: usize, lys: usize, lms: usize, bytes: usize, o: usize): v128 {
  const one = f32x4.splat(1);
  let fx = f32x4.splat(0), fy = f32x4.splat(0), zz = f32x4.splat(0);
  for (let q: usize = 0; q < bytes; q += 16) {
    const dx = f32x4.sub(x4, v128.load(lxs + q)), dy = f32x4.sub(y4, v128.load(lys + q));
    const w = f32x4.div(one, madd(dy, dy, madd(dx, dx, one)));
    const mw = f32x4.mul(v128.load(lms + q), w);
    zz = f32x4.add(zz, mw);
    const f = f32x4.mul(mw, w);
    fx = madd(f, dx, fx);
    fy = madd(f, dy, fy);
  }
  store<f64>(o, hsum(fx));
  store<f64>(o, hsum(fy), 8);
  return zz;
}

/** One 3-D point against an interaction list: stores its force at `o`, returns the lanes of Σ m w. */
@inline function bhSums3(x4: v128, y4: v128, z4: v128, lxs: usize, lys: usize, lzs: usize, lms: usize, bytes: usize,
  o: usize): v128 {
  const one = f32x4.splat(1);
  let fx = f32x4.splat(0), fy = f32x4.splat(0), fz = f32x4.splat(0), zz = f32x4.splat(0);
  for (let q: usize = 0; q < bytes; q += 16) {
    const dx = f32x4.sub(x4, v128.load(lxs + q)), dy = f32x4.sub(y4, v128.load(lys + q)), dz = f32x4.sub(z4, v128.load(lzs + q));
    const w = f32x4.div(one, madd(dz, dz, madd(dy, dy, madd(dx, dx, one))));
    const mw = f32x4.mul(v128.load(lms + q), w);
    zz = f32x4.add(zz, mw);
    const f = f32x4.mul(mw, w);
    fx = madd(f, dx, fx);
    fy = madd(f, dy, fy);
    fz = madd(f, dz, fz);
  }
  store<f64>(o, hsum(fx));
  store<f64>(o, hsum(fy), 8);
  store<f64>(o, hsum(fz), 16);
  return zz;
}

/**
 * Part `part` of `parts` of a whole t-SNE gradient: its share of tsneAttractRowsPart, then groups of bhGroupPart (the
 * parameter block holds the two blocks' offsets, TSNE_GRAD_* in abi.ts).
 */
export function tsneGradPart(params: usize, part: i32, parts: i32): void {
  tsneAttractRowsPart(<usize>prm(params, TSNE_GRAD_ATTR), part, parts);
  bhGroupPart(<usize>prm(params, TSNE_GRAD_BH), part, parts);
}

// ---- t-SNE transform: Barnes–Hut forces on new points from a fixed map ---------------------------------------------
//
// The tree of the reference points is built by bhGroupBuild; each query point walks it on its own (the per-point θ
// test of classic Barnes–Hut, f64 arithmetic). New points do not act on each other, and each point's sums are made by
// one part in tree order, so the result does not depend on the number of parts.

/**
 * Part `part` of `parts` of the query repulsion (TSNE_QUERY_* in abi.ts): for each new point q_i, Σ_j w_ij² (q_i − y_j)
 * and Σ_j w_ij over the reference points j of the tree (the BH_* block bhGroupBuild filled; its stacks, 1 KiB per
 * part, are used here). A cell stands in for its points when its width² is below θ² (BH_THETA2) times its squared
 * distance from q_i; θ = 0 gives the exact sums. Points [m·part/parts, m·(part+1)/parts) are this part's.
 */
export function bhQueryPart(params: usize, part: i32, parts: i32): void {
  const bh = <usize>prm(params, TSNE_QUERY_TREE), Q = <usize>prm(params, TSNE_QUERY_Q), m = prm(params, TSNE_QUERY_M);
  const out = <usize>prm(params, TSNE_QUERY_OUT), zs = <usize>prm(params, TSNE_QUERY_Z);
  const Y = <usize>prm(bh, BH_Y), perm = <usize>prm(bh, BH_PERM);
  const nx = <usize>prm(bh, BH_NODE_X), ny = <usize>prm(bh, BH_NODE_Y), nz = <usize>prm(bh, BH_NODE_Z);
  const nm = <usize>prm(bh, BH_NODE_MASS), nw2 = <usize>prm(bh, BH_NODE_WIDTH2);
  const nchild = <usize>prm(bh, BH_NODE_CHILD), nkids = <usize>prm(bh, BH_NODE_KIDS);
  const nstart = <usize>prm(bh, BH_NODE_START), nend = <usize>prm(bh, BH_NODE_END);
  const stack = <usize>prm(bh, BH_STACKS) + (<usize>part << 10);
  const dims = prm(bh, BH_DIMS);
  const three = dims == 3;
  const stride = <usize>dims << 3;
  const t2 = prmF64(bh, BH_THETA2);
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

// Optimiser updates of the neural engine, in place over every parameter of a step in one job: each tensor of the
// list (assembly/abi.ts, NN_OPT_*) is split between the parts in cache-line blocks, and each element is read and
// written once (Adam: p, g, m, v in one pass). Elementwise, so the result does not depend on the split.
import { prm, prmF32, sliceStart } from "../common";
import {
  NN_OPT_B1, NN_OPT_B2, NN_OPT_COUNT, NN_OPT_E_F0, NN_OPT_E_F1, NN_OPT_E_F2, NN_OPT_E_G, NN_OPT_E_N, NN_OPT_E_P,
  NN_OPT_E_S1, NN_OPT_E_S2, NN_OPT_ENTRY_SLOTS, NN_OPT_EPS, NN_OPT_LIST, NN_OPT_LR, NN_OPT_NESTEROV, NN_OPT_WD,
} from "../abi";

/** Floats per block of the split (64 bytes: parts never share a cache line). */
const BLOCK: i32 = 16;

/**
 * Adam / AdamW (torch.optim's formulas): g' = g + wd·p; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
 * p = decay·p − stepSize · m / (√v · invBc2 + ε).
 */
export function nnAdamPart(params: usize, part: i32, parts: i32): void {
  const count = prm(params, NN_OPT_COUNT);
  const list = <usize>prm(params, NN_OPT_LIST);
  const b1 = prmF32(params, NN_OPT_B1), b2 = prmF32(params, NN_OPT_B2);
  const c1 = <f32>1 - b1, c2 = <f32>1 - b2;
  const eps = prmF32(params, NN_OPT_EPS), wd = prmF32(params, NN_OPT_WD);
  const b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
  const epsv = f32x4.splat(eps), wdv = f32x4.splat(wd);
  for (let t = 0; t < count; t++) {
    const e = list + (<usize>(t * NN_OPT_ENTRY_SLOTS) << 2);
    const p = <usize>prm(e, NN_OPT_E_P), g = <usize>prm(e, NN_OPT_E_G);
    const m = <usize>prm(e, NN_OPT_E_S1), v = <usize>prm(e, NN_OPT_E_S2);
    const n = prm(e, NN_OPT_E_N);
    const ss = prmF32(e, NN_OPT_E_F0), ib = prmF32(e, NN_OPT_E_F1), decay = prmF32(e, NN_OPT_E_F2);
    const ssv = f32x4.splat(ss), ibv = f32x4.splat(ib), dv = f32x4.splat(decay);
    let i = sliceStart(n, part, parts, BLOCK);
    const end = sliceStart(n, part + 1, parts, BLOCK);
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const gv = f32x4.add(v128.load(g + o), f32x4.mul(wdv, pv));
      const mv = f32x4.add(f32x4.mul(b1v, v128.load(m + o)), f32x4.mul(c1v, gv));
      const vv = f32x4.add(f32x4.mul(b2v, v128.load(v + o)), f32x4.mul(f32x4.mul(c2v, gv), gv));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const den = f32x4.add(f32x4.mul(f32x4.sqrt(vv), ibv), epsv);
      v128.store(p + o, f32x4.sub(f32x4.mul(pv, dv), f32x4.mul(ssv, f32x4.div(mv, den))));
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      const pe = load<f32>(p + o);
      const ge = load<f32>(g + o) + wd * pe;
      const me = b1 * load<f32>(m + o) + c1 * ge;
      const ve = b2 * load<f32>(v + o) + c2 * ge * ge;
      store<f32>(m + o, me);
      store<f32>(v + o, ve);
      store<f32>(p + o, pe * decay - ss * (me / (Mathf.sqrt(ve) * ib + eps)));
    }
  }
}

/**
 * SGD (torch.optim.SGD's formulas): d = g + wd·p; with a momentum buffer b: b = f0·b + f1·d, then d = d + μ·b
 * (Nesterov) or d = b; p = p − lr·d.
 */
export function nnSgdPart(params: usize, part: i32, parts: i32): void {
  const count = prm(params, NN_OPT_COUNT);
  const list = <usize>prm(params, NN_OPT_LIST);
  const lr = prmF32(params, NN_OPT_LR), mu = prmF32(params, NN_OPT_B1), wd = prmF32(params, NN_OPT_WD);
  const nesterov = prm(params, NN_OPT_NESTEROV) != 0;
  const lrv = f32x4.splat(lr), muv = f32x4.splat(mu), wdv = f32x4.splat(wd);
  for (let t = 0; t < count; t++) {
    const e = list + (<usize>(t * NN_OPT_ENTRY_SLOTS) << 2);
    const p = <usize>prm(e, NN_OPT_E_P), g = <usize>prm(e, NN_OPT_E_G), b = <usize>prm(e, NN_OPT_E_S1);
    const n = prm(e, NN_OPT_E_N);
    const f0 = prmF32(e, NN_OPT_E_F0), f1 = prmF32(e, NN_OPT_E_F1);
    const f0v = f32x4.splat(f0), f1v = f32x4.splat(f1);
    let i = sliceStart(n, part, parts, BLOCK);
    const end = sliceStart(n, part + 1, parts, BLOCK);
    if (b == 0) {
      for (; i + 4 <= end; i += 4) {
        const o = <usize>i << 2;
        const pv = v128.load(p + o);
        const dv = f32x4.add(v128.load(g + o), f32x4.mul(wdv, pv));
        v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, dv)));
      }
      for (; i < end; i++) {
        const o = <usize>i << 2;
        const pe = load<f32>(p + o);
        store<f32>(p + o, pe - lr * (load<f32>(g + o) + wd * pe));
      }
      continue;
    }
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      let dv = f32x4.add(v128.load(g + o), f32x4.mul(wdv, pv));
      const bv = f32x4.add(f32x4.mul(f0v, v128.load(b + o)), f32x4.mul(f1v, dv));
      v128.store(b + o, bv);
      dv = nesterov ? f32x4.add(dv, f32x4.mul(muv, bv)) : bv;
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, dv)));
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      const pe = load<f32>(p + o);
      let de = load<f32>(g + o) + wd * pe;
      const be = f0 * load<f32>(b + o) + f1 * de;
      store<f32>(b + o, be);
      de = nesterov ? de + mu * be : be;
      store<f32>(p + o, pe - lr * de);
    }
  }
}

/** x[i] = min(max(x[i], lo), hi) for i < n, in place (gradient clipping by value). */
export function nnClamp(x: usize, n: i32, lo: f32, hi: f32): void {
  const lov = f32x4.splat(lo), hiv = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.min(f32x4.max(v128.load(x + o), lov), hiv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, min(max(load<f32>(x + o), lo), hi));
  }
}

// The fused linear layer's elementwise passes (src/nn/ops/linear.ts): after the GEMM z = x·Wᵀ, one pass adds the bias
// and applies the activation; backward, one pass forms dZ = g ⊙ act'(saved) and the bias gradient (column sums of dZ)
// together. Both also run as jobs over the threads (…Part: forward by rows, backward by columns, so each part sums
// its own columns of the bias gradient).
import { NN_LIN_ACT, NN_LIN_B, NN_LIN_COLS, NN_LIN_DZ, NN_LIN_G, NN_LIN_ROWS, NN_LIN_Y, NN_LIN_Z } from "../abi";
import { prm, sliceStart } from "../common";
import { normCdfV, normPdfV, sigmoidV, tanhV } from "./math";

// Activation codes, as src/nn/ops/linear.ts numbers them.
const NONE = 0;
const RELU = 1;
const LEAKY = 2;
const SIGMOID = 3;
const TANH = 4;
const GELU = 5;
const SLOPE: f32 = 0.01;

@inline
function act(v: v128, a: i32): v128 {
  if (a == RELU) return f32x4.max(v, f32x4.splat(0));
  if (a == LEAKY) return v128.bitselect(v, f32x4.mul(v, f32x4.splat(SLOPE)), f32x4.gt(v, f32x4.splat(0)));
  if (a == SIGMOID) return sigmoidV(v);
  if (a == TANH) return tanhV(v);
  if (a == GELU) return f32x4.mul(v, normCdfV(v));
  return v;
}

/** g ⊙ act'(s), where s is the activation's output (its input z for GELU). */
@inline
function actGrad(g: v128, s: v128, a: i32): v128 {
  if (a == RELU) return v128.and(g, f32x4.gt(s, f32x4.splat(0)));
  if (a == LEAKY) return v128.bitselect(g, f32x4.mul(g, f32x4.splat(SLOPE)), f32x4.gt(s, f32x4.splat(0)));
  if (a == SIGMOID) return f32x4.mul(g, f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)));
  if (a == TANH) return f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(s, s)));
  if (a == GELU) return f32x4.mul(g, f32x4.add(normCdfV(s), f32x4.mul(s, normPdfV(s))));
  return g;
}

@inline
function biasActRows(z: usize, y: usize, b: usize, rows: i32, cols: i32, a: i32): void {
  const keep = y != z;
  const cols4 = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const zr = z + (<usize>i * <usize>cols << 2);
    const yr = y + (<usize>i * <usize>cols << 2);
    let j = 0;
    for (; j < cols4; j += 4) {
      const o = <usize>j << 2;
      let v = v128.load(zr + o);
      if (b) v = f32x4.add(v, v128.load(b + o));
      if (keep) v128.store(zr + o, v);
      v128.store(yr + o, act(v, a));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      let s = load<f32>(zr + o);
      if (b) s += load<f32>(b + o);
      if (keep) store<f32>(zr + o, s);
      store<f32>(yr + o, f32x4.extract_lane(act(f32x4.splat(s), a), 0));
    }
  }
}

/**
 * z[i, j] += b[j] (b = 0: no bias), then y = act(z) for a [rows, cols] block; y may be z (then z is not kept).
 * act: 0 none, 1 relu, 2 leaky relu (0.01), 3 sigmoid, 4 tanh, 5 gelu (exact, through Φ).
 */
export function nnBiasAct(z: usize, y: usize, b: usize, rows: i32, cols: i32, a: i32): void {
  if (a == RELU) biasRelu(z, y, b, rows, cols);
  else if (a == LEAKY) biasLeaky(z, y, b, rows, cols);
  else if (a == SIGMOID) biasSigmoid(z, y, b, rows, cols);
  else if (a == TANH) biasTanh(z, y, b, rows, cols);
  else if (a == GELU) biasGelu(z, y, b, rows, cols);
  else biasNone(z, y, b, rows, cols);
}

// One function per activation, so that each loop is compiled with its activation folded in (inlined into one
// dispatcher, the optimiser would merge the six loops back into one that tests the activation per vector).
function biasNone(z: usize, y: usize, b: usize, rows: i32, cols: i32): void { biasActRows(z, y, b, rows, cols, NONE); }
function biasRelu(z: usize, y: usize, b: usize, rows: i32, cols: i32): void { biasActRows(z, y, b, rows, cols, RELU); }
function biasLeaky(z: usize, y: usize, b: usize, rows: i32, cols: i32): void { biasActRows(z, y, b, rows, cols, LEAKY); }
function biasSigmoid(z: usize, y: usize, b: usize, rows: i32, cols: i32): void { biasActRows(z, y, b, rows, cols, SIGMOID); }
function biasTanh(z: usize, y: usize, b: usize, rows: i32, cols: i32): void { biasActRows(z, y, b, rows, cols, TANH); }
function biasGelu(z: usize, y: usize, b: usize, rows: i32, cols: i32): void { biasActRows(z, y, b, rows, cols, GELU); }

@inline
function actBwdRows(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32, a: i32): void {
  const cols4 = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * <usize>ld << 2;
    let j = 0;
    for (; j < cols4; j += 4) {
      const o = <usize>j << 2;
      const d = actGrad(v128.load(g + off + o), v128.load(s + off + o), a);
      v128.store(dz + off + o, d);
      if (db) v128.store(db + o, f32x4.add(v128.load(db + o), d));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const d = f32x4.extract_lane(actGrad(f32x4.splat(load<f32>(g + off + o)), f32x4.splat(load<f32>(s + off + o)), a), 0);
      store<f32>(dz + off + o, d);
      if (db) store<f32>(db + o, load<f32>(db + o) + d);
    }
  }
}

/**
 * dz = g ⊙ act'(s) over a [rows, cols] block, s the saved activation output (the pre-activation z for gelu), and,
 * when db ≠ 0, db[j] = Σ_i dz[i, j] in the same pass (db is overwritten).
 */
export function nnActBwd(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, a: i32): void {
  actBwdBlock(g, s, dz, db, rows, cols, cols, a);
}

/** nnActBwd on `cols` columns of rows `ld` floats apart (the pointers at the block's first column). */
function actBwdBlock(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32, a: i32): void {
  if (cols <= 0) return;
  if (db) memory.fill(db, 0, <usize>cols << 2);
  if (a == RELU) bwdRelu(g, s, dz, db, rows, cols, ld);
  else if (a == LEAKY) bwdLeaky(g, s, dz, db, rows, cols, ld);
  else if (a == SIGMOID) bwdSigmoid(g, s, dz, db, rows, cols, ld);
  else if (a == TANH) bwdTanh(g, s, dz, db, rows, cols, ld);
  else if (a == GELU) bwdGelu(g, s, dz, db, rows, cols, ld);
  else bwdNone(g, s, dz, db, rows, cols, ld);
}

/**
 * nnActBwd as a job: part `part` takes a range of columns (16-float blocks) over every row, so each part sums its
 * own columns of db (the same sums, in the same order, for any number of parts).
 */
export function nnActBwdPart(params: usize, part: i32, parts: i32): void {
  const cols = prm(params, NN_LIN_COLS);
  const c0 = sliceStart(cols, part, parts, 16), c1 = sliceStart(cols, part + 1, parts, 16);
  const o = <usize>c0 << 2;
  const db = <usize>prm(params, NN_LIN_B);
  actBwdBlock(<usize>prm(params, NN_LIN_G) + o, <usize>prm(params, NN_LIN_Y) + o, <usize>prm(params, NN_LIN_DZ) + o,
    db ? db + o : 0, prm(params, NN_LIN_ROWS), c1 - c0, cols, prm(params, NN_LIN_ACT));
}

/** nnBiasAct as a job: part `part` takes a range of rows. */
export function nnBiasActPart(params: usize, part: i32, parts: i32): void {
  const rows = prm(params, NN_LIN_ROWS), cols = prm(params, NN_LIN_COLS);
  const r0 = sliceStart(rows, part, parts, 1), r1 = sliceStart(rows, part + 1, parts, 1);
  if (r1 <= r0) return;
  const o = <usize>r0 * <usize>cols << 2;
  nnBiasAct(<usize>prm(params, NN_LIN_Z) + o, <usize>prm(params, NN_LIN_Y) + o, <usize>prm(params, NN_LIN_B), r1 - r0, cols,
    prm(params, NN_LIN_ACT));
}

function bwdNone(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32): void {
  actBwdRows(g, s, dz, db, rows, cols, ld, NONE);
}
function bwdRelu(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32): void {
  actBwdRows(g, s, dz, db, rows, cols, ld, RELU);
}
function bwdLeaky(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32): void {
  actBwdRows(g, s, dz, db, rows, cols, ld, LEAKY);
}
function bwdSigmoid(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32): void {
  actBwdRows(g, s, dz, db, rows, cols, ld, SIGMOID);
}
function bwdTanh(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32): void {
  actBwdRows(g, s, dz, db, rows, cols, ld, TANH);
}
function bwdGelu(g: usize, s: usize, dz: usize, db: usize, rows: i32, cols: i32, ld: i32): void {
  actBwdRows(g, s, dz, db, rows, cols, ld, GELU);
}

/** out[j] = Σ_i x[i, j] over a [rows, cols] block (out is overwritten). */
export function nnColSums(x: usize, out: usize, rows: i32, cols: i32): void {
  memory.fill(out, 0, <usize>cols << 2);
  const cols4 = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const r = x + (<usize>i * <usize>cols << 2);
    let j = 0;
    for (; j < cols4; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(r + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(r + o));
    }
  }
}

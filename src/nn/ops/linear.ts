// linear: act(x·Wᵀ + b), fused: one GEMM z = x·Wᵀ into the output, then one pass adding the bias and applying the
// activation in place (assembly/nn/linear.ts: nnBiasAct). x [N, in], W [out, in] (PyTorch's layout), b [out] or null.
// Backward: dZ = g ⊙ act'(y) from the saved output y (GELU's derivative needs z, which is kept only then) with the bias
// gradient (column sums of dZ) in the same pass; dX = dZ·W (skipped when x needs no gradient: an input layer) and
// dW = dZᵀ·x, both GEMMs with the transposes folded in. With no activation, dZ is g itself (no pass, no copy).
// The passes run as jobs over the threads (nnBiasActPart by rows, nnActBwdPart by columns) when they are large.
import { NN_LIN_ACT, NN_LIN_B, NN_LIN_COLS, NN_LIN_DZ, NN_LIN_G, NN_LIN_ROWS, NN_LIN_Y, NN_LIN_Z } from "../../../assembly/abi.js";
import { partsFor } from "../../core/backend.js";
import { describeValue, fail } from "../../core/errors.js";
import type { FloatArray } from "../../core/matrix.js";
import { gradInto, needsGrad, record } from "../autograd.js";
import { gemmInto } from "../gemm.js";
import { nnCore } from "../storage.js";
import { geluDerivative, normCdf } from "./normal.js";
import { Tensor, shapeString } from "../tensor.js";

export type Activation = "none" | "relu" | "leakyRelu" | "sigmoid" | "tanh" | "gelu";

/** The kernels' activation codes (assembly/nn/linear.ts). */
const CODES: Record<Activation, number> = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4, gelu: 5 };
const SLOPE = 0.01;
/**
 * Rough operations per element of each activation's passes, which weigh the elements against the engine's parallel
 * threshold (a relu pass over 256×512 splits over the threads; a GELU pass from 16 K elements).
 */
const WORK = [2, 2, 2, 16, 16, 24];


function actTS(v: number, a: Activation): number {
  switch (a) {
    case "relu": return v > 0 ? v : 0;
    case "leakyRelu": return v > 0 ? v : SLOPE * v;
    case "sigmoid": {
      if (v >= 0) return 1 / (1 + Math.exp(-v));
      const e = Math.exp(v);
      return e / (1 + e);
    }
    case "tanh": return Math.tanh(v);
    case "gelu": return v * normCdf(v);
    default: return v;
  }
}

/** g·act'(s), s the activation's output (its input for GELU). */
function actGradTS(g: number, s: number, a: Activation): number {
  switch (a) {
    case "relu": return s > 0 ? g : 0;
    case "leakyRelu": return s > 0 ? g : SLOPE * g;
    case "sigmoid": return g * s * (1 - s);
    case "tanh": return g * (1 - s * s);
    case "gelu": return g * geluDerivative(s);
    default: return g;
  }
}

function biasActTS(z: FloatArray, y: FloatArray, b: FloatArray | null, rows: number, cols: number, a: Activation): void {
  const keep = y !== z;
  for (let i = 0, o = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, o++) {
      const v = b ? z[o]! + b[j]! : z[o]!;
      if (keep) z[o] = v;
      y[o] = actTS(v, a);
    }
  }
}

function actBwdTS(g: FloatArray, s: FloatArray, dz: FloatArray, db: FloatArray | null, rows: number, cols: number,
  a: Activation): void {
  if (db) db.fill(0);
  for (let i = 0, o = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, o++) {
      const d = actGradTS(g[o]!, s[o]!, a);
      dz[o] = d;
      if (db) db[j]! += d;
    }
  }
}

/** out[j] = Σ_i x[i, j] of a [rows, cols] tensor, into a [cols] tensor. */
export function columnSums(x: Tensor, out: Tensor, rows: number, cols: number): void {
  const core = nnCore();
  if (core && x.ptr >= 0 && out.ptr >= 0) {
    core.kernels.nnColSums(x.ptr, out.ptr, rows, cols);
    return;
  }
  const xd = x.data, od = out.data;
  od.fill(0);
  for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) od[j]! += xd[o]!;
}

/**
 * act(x·Wᵀ + b) for x [N, in], W [out, in], b [out] or null; activation "none", "relu", "leakyRelu" (slope 0.01),
 * "sigmoid", "tanh" or "gelu" (exact, x·Φ(x)).
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null, activation: Activation = "none"): Tensor {
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) {
    fail(`linear needs x [N, in] and W [out, in] with the same in, got x ${shapeString(x.shape)} and W ${shapeString(w.shape)}`);
  }
  const n = x.shape[0]!, inF = x.shape[1]!, outF = w.shape[0]!;
  if (b && (b.rank !== 1 || b.size !== outF)) fail(`linear: the bias must be [${outF}] for W ${shapeString(w.shape)}, got ${shapeString(b.shape)}`);
  if (typeof activation !== "string" || !Object.hasOwn(CODES, activation)) {
    fail(`linear: activation must be "none", "relu", "leakyRelu", "sigmoid", "tanh" or "gelu", got ${describeValue(activation)}`);
  }
  const code = CODES[activation];
  const inputs = b ? [x, w, b] : [x, w];
  const grad = needsGrad(...inputs);
  const core = nnCore();
  const wasm = !!core && x.ptr >= 0 && w.ptr >= 0 && (!b || b.ptr >= 0);
  const z = Tensor.empty([n, outF]);
  gemmInto(z, x, w, n, outF, inF, { transB: true });
  // GELU's backward needs z: keep it (with the bias added) beside y, only when a backward may come
  const y = activation === "gelu" && grad ? Tensor.empty([n, outF]) : z;
  if (code !== 0 || b) {
    if (core && wasm) {
      const p = core.callBlock().set(NN_LIN_Z, z.ptr).set(NN_LIN_Y, y.ptr).set(NN_LIN_B, b ? b.ptr : 0).set(NN_LIN_ROWS, n)
        .set(NN_LIN_COLS, outF).set(NN_LIN_ACT, code);
      core.run("nnBiasActPart", p.ptr, partsFor(core, "nn", n * outF * WORK[code]!));
    } else biasActTS(z.data, y.data, b ? b.data : null, n, outF, activation);
  }
  return record("linear", inputs, y, (g) => {
    const saved = activation === "gelu" ? z : y;
    const db = b?.requiresGrad ? Tensor.empty([outF]) : null;
    let dz: Tensor;
    if (code === 0) {
      dz = g;
      if (db) columnSums(g, db, n, outF);
    } else {
      dz = Tensor.empty([n, outF]);
      if (core && g.ptr >= 0 && saved.ptr >= 0 && dz.ptr >= 0 && (!db || db.ptr >= 0)) {
        const p = core.callBlock().set(NN_LIN_G, g.ptr).set(NN_LIN_Y, saved.ptr).set(NN_LIN_DZ, dz.ptr)
          .set(NN_LIN_B, db ? db.ptr : 0).set(NN_LIN_ROWS, n).set(NN_LIN_COLS, outF).set(NN_LIN_ACT, code);
        core.run("nnActBwdPart", p.ptr, partsFor(core, "nn", n * outF * WORK[code]!));
      } else {
        actBwdTS(g.data, saved.data, dz.data, db ? db.data : null, n, outF, activation);
      }
    }
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x.requiresGrad) {
      dx = Tensor.empty(x.shape);
      gemmInto(dx, dz, w, n, inF, outF);
    }
    // a parameter's dW accumulates into its grad inside the GEMM
    if (w.requiresGrad) dw = gradInto(w, (dst, accumulate) => gemmInto(dst, dz, x, outF, inF, n, { transA: true, accumulate }));
    return b ? [dx, dw, db] : [dx, dw];
  });
}

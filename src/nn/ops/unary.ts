// The elementwise unary ops' shared machinery: forward y = f(x) and backward dx = g·f'(·) through the WASM kernels
// nnUnary / nnUnaryGrad (assembly/nn/elementwise.ts) on resident tensors, TypeScript loops (Math.*) otherwise.
import {
  NN_ADD_SCALAR, NN_EXP, NN_GELU, NN_LEAKY_RELU, NN_LOG, NN_RELU, NN_SIGMOID, NN_SQRT, NN_SQUARE, NN_TANH,
  NN_UNARY_ALPHA, NN_UNARY_DX, NN_UNARY_G, NN_UNARY_N, NN_UNARY_OP, NN_UNARY_X, NN_UNARY_Y,
} from "../../../assembly/abi.js";
import { partsFor } from "../../core/backend.js";
import type { FloatArray } from "../../core/matrix.js";
import type { WasmCore } from "../../core/wasm/runtime.js";
import { record } from "../autograd.js";
import { nnCore } from "../storage.js";
import { geluDerivative, normCdf } from "./normal.js";
import { Tensor } from "../tensor.js";

export const UNARY = {
  exp: NN_EXP, log: NN_LOG, tanh: NN_TANH, sigmoid: NN_SIGMOID, relu: NN_RELU, leakyRelu: NN_LEAKY_RELU,
  gelu: NN_GELU, square: NN_SQUARE, sqrt: NN_SQRT, addScalar: NN_ADD_SCALAR,
} as const;
export type UnaryName = keyof typeof UNARY;

/** y = f(x) on the TypeScript route. */
function forwardTS(op: number, x: FloatArray, y: FloatArray, alpha: number): void {
  const n = x.length;
  switch (op) {
    case NN_EXP: for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]!); break;
    case NN_LOG: for (let i = 0; i < n; i++) y[i] = Math.log(x[i]!); break;
    case NN_TANH: for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!); break;
    case NN_SIGMOID: for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]!)); break;
    case NN_RELU: for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v < 0 ? 0 : v; } break;
    case NN_LEAKY_RELU: for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v > 0 ? v : v * alpha; } break;
    case NN_GELU: for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v * normCdf(v); } break;
    case NN_SQUARE: for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v * v; } break;
    case NN_SQRT: for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]!); break;
    default: for (let i = 0; i < n; i++) y[i] = x[i]! + alpha; break;
  }
}

/** dx = g·f'(·) on the TypeScript route, from x or y as the op needs. */
function backwardTS(op: number, x: FloatArray, y: FloatArray, g: FloatArray, dx: FloatArray, alpha: number): void {
  const n = g.length;
  switch (op) {
    case NN_EXP: for (let i = 0; i < n; i++) dx[i] = g[i]! * y[i]!; break;
    case NN_LOG: for (let i = 0; i < n; i++) dx[i] = g[i]! / x[i]!; break;
    case NN_TANH: for (let i = 0; i < n; i++) { const v = y[i]!; dx[i] = g[i]! * (1 - v * v); } break;
    case NN_SIGMOID: for (let i = 0; i < n; i++) { const v = y[i]!; dx[i] = g[i]! * (v - v * v); } break;
    case NN_RELU: for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? g[i]! : 0; break;
    case NN_LEAKY_RELU: for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? g[i]! : g[i]! * alpha; break;
    case NN_GELU:
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        dx[i] = g[i]! * geluDerivative(v);
      }
      break;
    case NN_SQUARE: for (let i = 0; i < n; i++) dx[i] = 2 * g[i]! * x[i]!; break;
    default: for (let i = 0; i < n; i++) dx[i] = (0.5 * g[i]!) / y[i]!; break;
  }
}

/**
 * Threads for a unary pass: the transcendental ops cost some 20–60 SIMD operations per 4 floats, so from 16k floats
 * they are split (as a product of n·16 multiply-adds would be); the others are memory bound and stay on one thread.
 */
function unaryParts(core: WasmCore, op: number, n: number): number {
  const heavy = op === NN_EXP || op === NN_LOG || op === NN_TANH || op === NN_SIGMOID || op === NN_GELU;
  return heavy ? partsFor(core, "nn", n * 16) : 1;
}

/** y = f(x) into a given tensor of x's size (no tape). */
export function unaryInto(name: UnaryName, x: Tensor, y: Tensor, alpha = 0): void {
  const op = UNARY[name];
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0) {
    const parts = unaryParts(core, op, x.size);
    if (parts === 1) core.kernels.nnUnary(op, x.ptr, y.ptr, x.size, alpha);
    else {
      const p = core.callBlock().set(NN_UNARY_OP, op).set(NN_UNARY_X, x.ptr).set(NN_UNARY_Y, y.ptr).set(NN_UNARY_N, x.size)
        .setF32(NN_UNARY_ALPHA, alpha);
      core.run("nnUnaryPart", p.ptr, parts);
    }
  } else {
    forwardTS(op, x.data, y.data, alpha);
  }
}

/** dx = g·f'(·) into a given tensor (no tape); x and y are the op's input and output. */
export function unaryGradInto(name: Exclude<UnaryName, "addScalar">, x: Tensor, y: Tensor, g: Tensor, dx: Tensor, alpha = 0): void {
  const op = UNARY[name];
  const core = nnCore();
  if (core && x.ptr >= 0 && y.ptr >= 0 && g.ptr >= 0 && dx.ptr >= 0) {
    // gelu's backward is the one with transcendental work (Φ and φ); the others are a multiply or two
    const parts = op === NN_GELU ? unaryParts(core, op, g.size) : 1;
    if (parts === 1) core.kernels.nnUnaryGrad(op, x.ptr, y.ptr, g.ptr, dx.ptr, g.size, alpha);
    else {
      const p = core.callBlock().set(NN_UNARY_OP, op).set(NN_UNARY_X, x.ptr).set(NN_UNARY_Y, y.ptr).set(NN_UNARY_G, g.ptr)
        .set(NN_UNARY_DX, dx.ptr).set(NN_UNARY_N, g.size).setF32(NN_UNARY_ALPHA, alpha);
      core.run("nnUnaryGradPart", p.ptr, parts);
    }
  } else {
    backwardTS(op, x.data, y.data, g.data, dx.data, alpha);
  }
}

/** The op: a new output, and a tape node whose backward is the op's derivative. */
export function unary(name: Exclude<UnaryName, "addScalar">, x: Tensor, alpha = 0): Tensor {
  const y = Tensor.empty(x.shape);
  unaryInto(name, x, y, alpha);
  return record(name, [x], y, (g) => {
    const dx = Tensor.empty(x.shape);
    unaryGradInto(name, x, y, g, dx, alpha);
    return [dx];
  });
}

// matmul: C = op(A)·op(B) for 2-D tensors, with the transposes folded into the GEMM (no copy).
// Backward: dA = g·op(B)ᵀ (stored transposed when transA: op(B)·gᵀ), dB = op(A)ᵀ·g (gᵀ·op(A) when transB).
import { fail } from "../../core/errors.js";
import { gradInto, record } from "../autograd.js";
import { gemmInto } from "../gemm.js";
import { Tensor, shapeString } from "../tensor.js";

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  if (a.rank !== 2 || b.rank !== 2) fail(`matmul needs 2-D tensors, got ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  const ta = !!opts.transA, tb = !!opts.transB;
  const m = ta ? a.shape[1]! : a.shape[0]!;
  const k = ta ? a.shape[0]! : a.shape[1]!;
  const kb = tb ? b.shape[1]! : b.shape[0]!;
  const n = tb ? b.shape[0]! : b.shape[1]!;
  if (k !== kb) {
    fail(`matmul: inner dimensions differ: op(A) is ${m}x${k}, op(B) is ${kb}x${n} (A ${shapeString(a.shape)}${ta ? "ᵀ" : ""}, B ${shapeString(b.shape)}${tb ? "ᵀ" : ""})`);
  }
  const c = Tensor.empty([m, n]);
  gemmInto(c, a, b, m, n, k, { transA: ta, transB: tb });
  return record("matmul", [a, b], c, (g) => {
    let da: Tensor | null = null, db: Tensor | null = null;
    // (a parameter's gradient accumulates into its grad inside the GEMM)
    if (a.requiresGrad) {
      // op(B) is k×n; dop(A) = g·op(B)ᵀ is m×k
      da = gradInto(a, (dst, accumulate) => {
        if (!ta) gemmInto(dst, g, b, m, k, n, { transB: !tb, accumulate });
        else gemmInto(dst, b, g, k, m, n, { transA: tb, transB: true, accumulate });
      });
    }
    if (b.requiresGrad) {
      // dop(B) = op(A)ᵀ·g is k×n
      db = gradInto(b, (dst, accumulate) => {
        if (!tb) gemmInto(dst, a, g, k, n, m, { transA: !ta, accumulate });
        else gemmInto(dst, g, a, n, k, m, { transA: true, transB: ta, accumulate });
      });
    }
    return [da, db];
  });
}

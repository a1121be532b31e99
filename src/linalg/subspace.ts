// Principal angles between two subspaces (Björck & Golub 1973, "Numerical methods for computing angles between linear
// subspaces"): with Qa and Qb orthonormal bases of the column spaces of A and B (thin QR of each), the cosines of the
// principal angles θ_1 ≤ θ_2 ≤ … are the singular values of QaᵀQb, descending. Two spaces are the same when every
// cosine is 1; the smallest cosine is the cosine of the largest angle (the gap between the spaces). Used to check that
// a linear autoencoder spans PCA's subspace without its weights being PCA's components.
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { qr } from "./qr.js";
import { svd } from "./svd.js";

/**
 * Cosines of the principal angles between the column spaces of A (n x ka) and B (n x kb): min(ka, kb) values in
 * [0, 1], descending (the first is the cosine of the smallest angle). The columns of each must be linearly independent
 * (a rank-deficient A spans less than ka dimensions, which its QR cannot tell). Computed in float64.
 */
export function principalAngles(A: Matrix, B: Matrix): Float64Array {
  if (A.rows !== B.rows) fail(`principalAngles: A has ${A.rows} rows and B ${B.rows}: the spaces must live in the same dimension`);
  if (A.cols < 1 || B.cols < 1) fail(`principalAngles: A (${A.rows}x${A.cols}) and B (${B.rows}x${B.cols}) need at least one column each`);
  if (A.cols > A.rows || B.cols > B.rows) {
    fail(`principalAngles: A is ${A.rows}x${A.cols} and B ${B.rows}x${B.cols}: more columns than rows cannot be independent`);
  }
  for (const [M, name] of [[A, "A"], [B, "B"]] as const) {
    const bad = M.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`principalAngles: ${name}[${Math.floor(bad / M.cols)}][${bad % M.cols}] is ${M.data[bad]}: expected finite values`);
  }
  const Qa = qr(A.dtype === "float64" ? A : A.astype("float64")).Q;
  const Qb = qr(B.dtype === "float64" ? B : B.astype("float64")).Q;
  const n = A.rows, ka = Qa.cols, kb = Qb.cols;
  const C = Matrix.zeros(ka, kb, "float64");
  const qa = Qa.data, qb = Qb.data, c = C.data;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < ka; a++) {
      const v = qa[i * ka + a]!;
      if (v === 0) continue;
      for (let b = 0; b < kb; b++) c[a * kb + b]! += v * qb[i * kb + b]!;
    }
  }
  const S = svd(C, { computeU: false }).S;
  // rounding can put a cosine a hair above 1
  return Float64Array.from(S, (s) => Math.min(1, Math.max(0, s)));
}

/** The principal angles themselves, in radians, ascending (acos of principalAngles' cosines). */
export function principalAnglesRadians(A: Matrix, B: Matrix): Float64Array {
  return Float64Array.from(principalAngles(A, B), (c) => Math.acos(c));
}

// Distance-preservation figures: Kruskal's stress-1 and Sammon's stress between input dissimilarities and the
// distances of an embedding.
import { fail } from "../core/errors.js";
import { pairwiseSqDistances } from "../core/gemm.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { sq } from "../core/numeric.js";

/** Euclidean distance matrix (float64) of the rows of X. */
export function distanceMatrix(X: MatrixLike): Matrix {
  const D = pairwiseSqDistances(toMatrix(X, "X", "float64"));
  for (let t = 0; t < D.data.length; t++) D.data[t] = Math.sqrt(D.data[t]!);
  return D;
}

function check(D: Matrix, E: Matrix): void {
  if (D.rows !== D.cols) fail(`dissimilarities must be a square matrix, got ${D.rows}x${D.cols}`);
  if (E.rows !== D.rows) fail(`the embedding has ${E.rows} points, the dissimilarities ${D.rows}`);
}

/** Kruskal's stress-1: √(Σ_{i<j} (δ_ij − d_ij)² / Σ_{i<j} δ_ij²). */
export function stress(dissimilarities: Matrix, Z: MatrixLike): number {
  const E = distanceMatrix(Z);
  check(dissimilarities, E);
  let num = 0, den = 0;
  const n = E.rows;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = dissimilarities.data[i * n + j]!;
      num += sq(d - E.data[i * n + j]!);
      den += d * d;
    }
  }
  // all dissimilarities 0: a map with all points together is perfect (0), any other is infinitely far from it
  if (den === 0) return num === 0 ? 0 : Infinity;
  return Math.sqrt(num / den);
}

/** Sammon's stress: (1/Σ δ_ij) Σ_{i<j} (δ_ij − d_ij)² / δ_ij (pairs with δ_ij = 0 are skipped). */
export function sammonStress(dissimilarities: Matrix, Z: MatrixLike): number {
  const E = distanceMatrix(Z);
  check(dissimilarities, E);
  let num = 0, den = 0;
  const n = E.rows;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = dissimilarities.data[i * n + j]!;
      if (d <= 0) continue;
      num += sq(d - E.data[i * n + j]!) / d;
      den += d;
    }
  }
  if (den === 0) return 0; // no pair at a positive distance: nothing to preserve
  return num / den;
}

// Quality of an embedding: how well it keeps neighbourhoods (trustworthiness, continuity, kNN recall) and labels
// (kNN classification accuracy). Neighbourhood ranks are computed in float64 so that near-ties rank as in the
// definition (float32 distance expansions misorder close points on data with large values).
import { fail, requireInt } from "../core/errors.js";
import { matmul, rowSqNorms } from "../core/gemm.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { exactKnn, type KnnGraph } from "../neighbors/knn.js";

/** Squared distances from row i to every row (float64), through one GEMM row block. */
function distanceRows(X: Matrix, i0: number, i1: number, norms: Float64Array): Float64Array {
  const G = matmul(X.rowRange(i0, i1), X, { transB: true }).data;
  const n = X.rows;
  const out = new Float64Array((i1 - i0) * n);
  for (let r = 0; r < i1 - i0; r++) {
    for (let j = 0; j < n; j++) out[r * n + j] = Math.max(0, norms[i0 + r]! + norms[j]! - 2 * G[r * n + j]!);
  }
  return out;
}

/** The k-th smallest (1-based) of a[0..len), reordering a (quickselect). */
function kthSmallest(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return a[want]!;
  }
  return a[want]!;
}

/**
 * Rank penalty shared by trustworthiness and continuity: for each point, the neighbours in space B that are not among
 * its k neighbours in space A, penalised by (their rank in A) − k. Ranks follow a stable sort by distance. A
 * neighbour closer than the k-th nearest distance in A is one of A's k neighbours; only the others are ranked.
 */
function rankPenalty(A: Matrix, knnB: KnnGraph, k: number): number {
  const n = A.rows;
  const norms = rowSqNorms(A);
  const block = Math.max(1, Math.floor(2 ** 24 / n));
  const others = new Float64Array(n - 1);
  let total = 0;
  for (let b0 = 0; b0 < n; b0 += block) {
    const b1 = Math.min(n, b0 + block);
    const D = distanceRows(A, b0, b1, norms);
    for (let i = b0; i < b1; i++) {
      const row = (i - b0) * n;
      others.set(D.subarray(row, row + i), 0);
      others.set(D.subarray(row + i + 1, row + n), i);
      const kth = kthSmallest(others, n - 1, k);
      for (let t = 0; t < k; t++) {
        const j = knnB.indices[i * knnB.k + t]!;
        const dj = D[row + j]!;
        if (dj < kth) continue;
        let rank = 0; // points (other than i) closer than j, or as close with a smaller index
        for (let q = 0; q < n; q++) {
          if (q === i) continue;
          const dq = D[row + q]!;
          if (dq < dj || (dq === dj && q < j)) rank++;
        }
        if (rank >= k) total += rank + 1 - k;
      }
    }
  }
  return total;
}

function checkPair(X: Matrix, Z: Matrix, k: number): void {
  if (X.rows !== Z.rows) fail(`the embedding has ${Z.rows} rows, the data ${X.rows}`);
  requireInt("k", k, 1);
  if (k >= X.rows / 2) fail(`k=${k} must be less than n/2 = ${X.rows / 2} for trustworthiness to be defined`);
}

/**
 * Trustworthiness (Venna & Kaski): 1 − 2/(n k (2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uₖ(i)} (r(i, j) − k), where Uₖ(i) are the
 * embedding's k neighbours of i that are not its k neighbours in the data and r their rank in the data. 1 = no
 * false neighbours. Same definition as scikit-learn's sklearn.manifold.trustworthiness.
 */
export function trustworthiness(X: MatrixLike, Z: MatrixLike, k = 5): number {
  return neighbourhoodScore(X, Z, k, false);
}

/** Continuity: trustworthiness with the roles swapped (missing neighbours instead of false ones). */
export function continuity(X: MatrixLike, Z: MatrixLike, k = 5): number {
  return neighbourhoodScore(X, Z, k, true);
}

/** Trustworthiness of Z's neighbourhoods ranked in X, or (swap) of X's ranked in Z. */
function neighbourhoodScore(X: MatrixLike, Z: MatrixLike, k: number, swap: boolean): number {
  const A = toMatrix(X, "X", "float64");
  const B = toMatrix(Z, "Z", "float64");
  checkPair(A, B, k);
  const n = A.rows;
  const [ranked, neighbours] = swap ? [B, A] : [A, B];
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * rankPenalty(ranked, exactKnn(neighbours, k), k);
}

/** Mean fraction of each point's true k neighbours found in `found` (e.g. an approximate index, or the embedding's). */
export function knnRecall(truth: KnnGraph, found: KnnGraph, k = truth.k): number {
  if (k > truth.k || k > found.k) fail(`k=${k} exceeds the neighbours available (${truth.k} and ${found.k})`);
  const n = truth.indices.length / truth.k;
  if (found.indices.length / found.k !== n) fail(`the graphs cover ${n} and ${found.indices.length / found.k} points`);
  let hit = 0;
  const s = new Set<number>();
  for (let i = 0; i < n; i++) {
    s.clear();
    for (let t = 0; t < k; t++) s.add(found.indices[i * found.k + t]!);
    for (let t = 0; t < k; t++) if (s.has(truth.indices[i * truth.k + t]!)) hit++;
  }
  return hit / (n * k);
}

/** Leave-one-out k-NN classification accuracy of `labels` in the space Z (majority vote; a tie goes to the label that reached the count first, nearest first). */
export function knnAccuracy(Z: MatrixLike, labels: ArrayLike<string | number>, k = 10): number {
  const M = toMatrix(Z, "Z");
  if (labels.length !== M.rows) fail(`${labels.length} labels for ${M.rows} points`);
  const g = exactKnn(M, k);
  let correct = 0;
  const votes = new Map<string, number>();
  for (let i = 0; i < M.rows; i++) {
    votes.clear();
    let best = "";
    let bestVotes = 0;
    for (let t = 0; t < k; t++) {
      const l = String(labels[g.indices[i * k + t]!]);
      const v = (votes.get(l) ?? 0) + 1;
      votes.set(l, v);
      if (v > bestVotes) {
        bestVotes = v;
        best = l;
      }
    }
    if (best === String(labels[i])) correct++;
  }
  return correct / M.rows;
}

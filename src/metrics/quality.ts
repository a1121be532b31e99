// Quality of an embedding: how well it keeps neighbourhoods (trustworthiness, continuity, kNN recall) and labels
// (kNN classification accuracy). Neighbourhood ranks are computed in float64 so that near-ties rank as in the
// definition (float32 distance expansions misorder close points on data with large values).
import { fail, requireInt } from "../core/errors.js";
import { matmul, rowSqNorms } from "../core/gemm.js";
import { SQDIST_D, SQDIST_I0, SQDIST_N, SQDIST_OUT, SQDIST_ROWS, SQDIST_X } from "../../assembly/abi.js";
import { coreFor, partsFor } from "../core/backend.js";
import { WasmArena } from "../core/wasm/runtime.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { sortPairs } from "../core/numeric.js";
import { exactKnn, type KnnGraph } from "../neighbors/knn.js";

/**
 * Squared distances (float64) from rows [i0, i1) to every row: in the WASM core by direct differences on all threads
 * (X is copied in once per metric call, see {@link DistanceRows}), else through one GEMM row block.
 */
class DistanceRows {
  private arena: WasmArena | null = null;
  private xPtr = 0;
  private outPtr = 0;
  private norms: Float64Array | null = null;

  constructor(private readonly X: Matrix, readonly block: number) {
    const core = coreFor("sqDistances");
    if (!core) return;
    this.arena = new WasmArena(core);
    this.xPtr = this.arena.put(X.data instanceof Float64Array ? X.data : Float64Array.from(X.data));
    this.outPtr = this.arena.alloc(8 * block * X.rows);
  }

  rows(i0: number, i1: number): Float64Array {
    const X = this.X;
    const n = X.rows;
    const core = this.arena?.core;
    if (core) {
      const p = core.callBlock().set(SQDIST_X, this.xPtr).set(SQDIST_N, n).set(SQDIST_D, X.cols).set(SQDIST_I0, i0)
        .set(SQDIST_ROWS, i1 - i0).set(SQDIST_OUT, this.outPtr);
      core.run("sqDistF64Part", p.ptr, partsFor(core, "sqDistances", (i1 - i0) * n));
      // a view, not a copy: it is read before the next call writes the block again
      return new Float64Array(core.memory.buffer, this.outPtr, (i1 - i0) * n);
    }
    const norms = (this.norms ??= rowSqNorms(X));
    const G = matmul(X.rowRange(i0, i1), X, { transB: true }).data;
    const out = new Float64Array((i1 - i0) * n);
    for (let r = 0; r < i1 - i0; r++) {
      for (let j = 0; j < n; j++) out[r * n + j] = Math.max(0, norms[i0 + r]! + norms[j]! - 2 * G[r * n + j]!);
    }
    return out;
  }

  dispose(): void {
    this.arena?.release();
  }
}

/**
 * Rank penalty shared by trustworthiness and continuity: for each point, the neighbours in space B that are not among
 * its k neighbours in space A, penalised by (their rank in A) − k. Ranks follow a stable sort by distance: the rank
 * of j is the number of points q ≠ i closer than j, or as close with a smaller index, and j is one of A's k neighbours
 * exactly when its rank is below k. The k targets are sorted once; a point farther than the farthest target (most of
 * them) costs one comparison, a nearer one adds to the ranks of the targets it precedes (a difference array).
 */
function rankPenalty(A: Matrix, knnB: KnnGraph, k: number): number {
  let total = 0;
  const td = new Float64Array(k);
  const ti = new Int32Array(k);
  const ahead = new Int32Array(k + 1);
  forEachDistanceRow(A, (i, D, row, n) => {
    for (let t = 0; t < k; t++) {
      ti[t] = knnB.indices[i * knnB.k + t]!;
      td[t] = D[row + ti[t]!]!;
    }
    sortPairs(td, ti, k); // by distance, ties by index
    const dMax = td[k - 1]!;
    const jMax = ti[k - 1]!;
    ahead.fill(0);
    for (let q = 0; q < n; q++) {
      const dq = D[row + q]!;
      if (dq > dMax || q === i) continue;
      if (dq === dMax && q >= jMax) continue;
      // the first target that q precedes in (distance, index) order; q counts towards its rank and all after it
      let p = 0;
      while (td[p]! < dq || (td[p] === dq && ti[p]! <= q)) p++;
      ahead[p]!++;
    }
    let rank = 0;
    for (let t = 0; t < k; t++) {
      rank += ahead[t]!;
      if (rank >= k) total += rank + 1 - k;
    }
  });
  return total;
}

/**
 * Calls visit(i, D, row, n) for every row i of M, where D[row + j] is the float64 squared distance from i to j (D is
 * valid during the call only).
 */
function forEachDistanceRow(M: Matrix, visit: (i: number, D: Float64Array, row: number, n: number) => void): void {
  const n = M.rows;
  const dist = new DistanceRows(M, Math.max(1, Math.floor(2 ** 21 / n)));
  try {
    for (let b0 = 0; b0 < n; b0 += dist.block) {
      const b1 = Math.min(n, b0 + dist.block);
      const D = dist.rows(b0, b1);
      for (let i = b0; i < b1; i++) visit(i, D, (i - b0) * n, n);
    }
  } finally {
    dist.dispose();
  }
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
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * rankPenalty(ranked, exactNeighbours(neighbours, k), k);
}

/** The k nearest neighbours of every row by exact float64 distances, nearest first, ties by index. */
function exactNeighbours(M: Matrix, k: number): KnnGraph {
  const indices = new Int32Array(M.rows * k);
  const distances = new Float32Array(M.rows * k);
  const sd = new Float64Array(k);
  const si = new Int32Array(k);
  forEachDistanceRow(M, (i, D, row, n) => {
    // a sorted list of the k best so far: a point enters when it precedes the last one in (distance, index) order,
    // which after the first few rows is rare, so most points cost one comparison
    let m = 0;
    for (let q = 0; q < n; q++) {
      if (q === i) continue;
      const dq = D[row + q]!;
      if (m === k && !(dq < sd[k - 1]!)) continue; // equal distance: q has the larger index, it stays out
      let p = m < k ? m++ : k - 1;
      while (p > 0 && sd[p - 1]! > dq) {
        sd[p] = sd[p - 1]!;
        si[p] = si[p - 1]!;
        p--;
      }
      sd[p] = dq;
      si[p] = q;
    }
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = si[t]!;
      distances[i * k + t] = Math.sqrt(sd[t]!);
    }
  });
  return { k, indices, distances };
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

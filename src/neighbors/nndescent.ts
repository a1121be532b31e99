// Approximate k-nearest-neighbour graph by NN-descent (Dong, Moses & Li 2011): start from random neighbours and
// repeatedly compare each point's neighbours with one another ("a neighbour of a neighbour is likely a
// neighbour"), sampling new and old candidates and their reverse lists, until few updates happen.
import { describeValue, fail, requireInt } from "../core/errors.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { exactKnn, normalizeRows, preferApproximate, type KnnGraph, type Metric, type NeighborSearch } from "./knn.js";

export interface NNDescentOptions {
  metric?: Metric;
  /** Fraction of each list sampled per round (default 0.5... 1 = all). */
  sampleRate?: number;
  /** Stop when fewer than delta·n·k updates happen in a round (default 0.001). */
  delta?: number;
  maxIter?: number;
  seed?: number;
}

/** Squared euclidean distance between rows i and j of a row-major float array with d columns. */
function dist2(x: Float32Array, d: number, i: number, j: number): number {
  let s = 0;
  const a = i * d;
  const b = j * d;
  for (let t = 0; t < d; t++) {
    const v = x[a + t]! - x[b + t]!;
    s += v * v;
  }
  return s;
}

/** The approximate k-NN graph of the rows of X (self excluded), nearest first. */
export function nnDescent(data: MatrixLike, k: number, opts: NNDescentOptions = {}): KnnGraph {
  let X: Matrix = toMatrix(data);
  const n = X.rows;
  requireInt("k", k, 1);
  if (k >= n) fail(`k=${k} neighbours requested, but only ${n - 1} other points exist`);
  const metric = opts.metric ?? "euclidean";
  if (metric !== "euclidean" && metric !== "cosine") fail(`metric must be "euclidean" or "cosine", got ${describeValue(metric)}`);
  if (metric === "cosine") X = normalizeRows(X);
  const rho = opts.sampleRate ?? 1;
  if (!(rho > 0 && rho <= 1)) fail(`sampleRate must be in (0, 1], got ${describeValue(rho)}`);
  const delta = opts.delta ?? 0.001;
  const maxIter = opts.maxIter ?? 12;
  const x = X.data as Float32Array;
  const d = X.cols;
  const rng = new Random(opts.seed ?? 0);
  // per point: a max-heap of k (distance, index, isNew)
  const hd = new Float64Array(n * k).fill(Infinity);
  const hi = new Int32Array(n * k).fill(-1);
  const hn = new Uint8Array(n * k);

  const push = (p: number, q: number, dq: number): boolean => {
    const o = p * k;
    if (dq >= hd[o]!) return false;
    for (let t = 0; t < k; t++) if (hi[o + t] === q) return false;
    // replace the root (the farthest) and sift down
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const big = r < k && hd[o + r]! > hd[o + l]! ? r : l;
      if (hd[o + big]! <= dq) break;
      hd[o + c] = hd[o + big]!;
      hi[o + c] = hi[o + big]!;
      hn[o + c] = hn[o + big]!;
      c = big;
    }
    hd[o + c] = dq;
    hi[o + c] = q;
    hn[o + c] = 1;
    return true;
  };

  for (let p = 0; p < n; p++) {
    for (const q of rng.sample(n - 1, k)) {
      const qq = q >= p ? q + 1 : q;
      push(p, qq, dist2(x, d, p, qq));
    }
  }
  const sampleCount = Math.max(1, Math.ceil(rho * k));
  for (let iter = 0; iter < maxIter; iter++) {
    // candidate lists: new (sampled, then marked old) and old, forward and reverse
    const newF: number[][] = Array.from({ length: n }, () => []);
    const oldF: number[][] = Array.from({ length: n }, () => []);
    for (let p = 0; p < n; p++) {
      const o = p * k;
      const fresh: number[] = [];
      for (let t = 0; t < k; t++) {
        const q = hi[o + t]!;
        if (q < 0) continue;
        if (hn[o + t]) fresh.push(t);
        else oldF[p]!.push(q);
      }
      rng.shuffle(fresh);
      for (const t of fresh.slice(0, sampleCount)) {
        newF[p]!.push(hi[o + t]!);
        hn[o + t] = 0;
      }
    }
    const newR: number[][] = Array.from({ length: n }, () => []);
    const oldR: number[][] = Array.from({ length: n }, () => []);
    for (let p = 0; p < n; p++) {
      for (const q of newF[p]!) newR[q]!.push(p);
      for (const q of oldF[p]!) oldR[q]!.push(p);
    }
    let updates = 0;
    for (let u = 0; u < n; u++) {
      const nw = newF[u]!.concat(rng.shuffle(newR[u]!).slice(0, sampleCount));
      const od = oldF[u]!.concat(rng.shuffle(oldR[u]!).slice(0, sampleCount));
      for (let a = 0; a < nw.length; a++) {
        const p = nw[a]!;
        for (let b = a + 1; b < nw.length; b++) {
          const q = nw[b]!;
          if (p === q) continue;
          const dd = dist2(x, d, p, q);
          if (push(p, q, dd)) updates++;
          if (push(q, p, dd)) updates++;
        }
        for (const q of od) {
          if (p === q) continue;
          const dd = dist2(x, d, p, q);
          if (push(p, q, dd)) updates++;
          if (push(q, p, dd)) updates++;
        }
      }
    }
    if (updates < delta * n * k) break;
  }
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let p = 0; p < n; p++) {
    const o = p * k;
    const order = Array.from({ length: k }, (_, t) => t).sort((a, b) => hd[o + a]! - hd[o + b]!);
    for (let t = 0; t < k; t++) {
      indices[o + t] = hi[o + order[t]!]!;
      const d2 = hd[o + order[t]!]!;
      distances[o + t] = metric === "cosine" ? d2 / 2 : Math.sqrt(d2);
    }
  }
  return { k, indices, distances };
}

/** The k-NN graph by the chosen strategy ("auto": see preferApproximate). */
export function knnGraph(X: Matrix, k: number, search: NeighborSearch, metric: Metric, seed: number): KnnGraph {
  const approximate = search === "approximate" || (search === "auto" && preferApproximate(X.rows, k));
  return approximate ? nnDescent(X, k, { metric, seed }) : exactKnn(X, k, { metric });
}

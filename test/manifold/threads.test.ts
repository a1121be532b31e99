// Reproducibility across thread counts: t-SNE (every method) and UMAP's deterministic mode give bit-identical maps
// with 1 and 2 threads of the compute core, at sizes below and above the thresholds from which their jobs are split.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { withRoute } from "../../src/core/backend.js";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { TruncatedSVD } from "../../src/decomposition/truncated-svd.js";
import { MDS } from "../../src/manifold/mds.js";
import { Sammon } from "../../src/manifold/sammon.js";
import { kernelInfo, setThreads, wasmCore } from "../../src/core/wasm/runtime.js";
import { readCsv } from "../../src/io/csv.js";
import { TSNE, type TSNEOptions } from "../../src/manifold/tsne.js";
import { UMAP } from "../../src/manifold/umap.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { nnDescent } from "../../src/neighbors/nndescent.js";
import { PROJECT_DATA } from "../helpers.js";

// LATENTKIT_THREADS would cap setThreads at its value and make the two runs the same run
delete process.env.LATENTKIT_THREADS;
const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
const skip = wasmCore() ? false : "needs the WASM compute core";

/** Runs f with 1 and then 2 threads and returns both results. */
async function withThreads<T>(f: () => Promise<T>): Promise<[T, T]> {
  setThreads(1);
  assert.equal(kernelInfo().threads, 1);
  const one = await f();
  setThreads(2);
  assert.equal(kernelInfo().threads, 2);
  const two = await f();
  // a pool that failed to start would run the "2-thread" job on the main thread alone
  assert.ok(kernelInfo().helpers >= 1, `no helper thread: ${kernelInfo().helperError ?? "not started"}`);
  return [one, two];
}

function assertSameMap(a: Matrix, b: Matrix, what: string): void {
  let diff = 0;
  for (let t = 0; t < a.data.length; t++) diff = Math.max(diff, Math.abs(a.data[t]! - b.data[t]!));
  assert.equal(diff, 0, `${what}: 1 and 2 threads differ by up to ${diff}`);
}

test("t-SNE gives bit-identical maps with 1 and 2 threads (Barnes–Hut 2-D/3-D, exact, FFT; below and above the parallel sizes)", { skip }, async () => {
  const cases: Array<[string, Matrix, TSNEOptions]> = [
    // 600 points: every job on one thread
    ["Barnes–Hut, 600 points", digits.X.rowRange(0, 600), { maxIter: 200 }],
    // 1797 points: Barnes–Hut groups on both threads, attraction in the same job
    ["Barnes–Hut, 1797 points", digits.X, { maxIter: 200 }],
    ["Barnes–Hut 3-D, 1797 points", digits.X, { nComponents: 3, maxIter: 200 }],
    ["Barnes–Hut, random init", digits.X, { init: "random", maxIter: 200 }],
    // P over all 600 points (359400 edges): the attraction is split over both threads
    ["exact, 600 points", digits.X.rowRange(0, 600), { method: "exact", maxIter: 150 }],
    // at least 70 boxes per axis: a 432 x 432 grid, whose FFTs are split over both threads
    ["FFT, 1797 points", digits.X, { method: "fft", fft: { minBoxes: 70 }, maxIter: 100 }],
  ];
  try {
    for (const [what, X, o] of cases) {
      const [a, b] = await withThreads(() => new TSNE({ seed: 3, ...o }).fitTransform(X));
      assertSameMap(a, b, what);
    }
  } finally {
    setThreads(2);
  }
});

/** Share of the new points whose 10 nearest map neighbours among the reference points vote for their label. */
function heldOutVote(E: Matrix, Y: Matrix, trainLabels: string[], labels: string[]): number {
  const g = exactKnn(E, 10, { query: Y });
  let ok = 0;
  for (let i = 0; i < Y.rows; i++) {
    const votes = new Map<string, number>();
    for (let t = 0; t < 10; t++) {
      const l = trainLabels[g.indices[i * 10 + t]!]!;
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    if ([...votes].sort((a, b) => b[1] - a[1])[0]![0] === labels[i]) ok++;
  }
  return ok / Y.rows;
}

test("TSNE.transform: the WASM Barnes–Hut query and the TypeScript tree agree, and the result does not depend on threads", { skip }, async () => {
  const nTrain = 1000;
  const train = digits.X.rowRange(0, nTrain);
  const held = digits.X.rowRange(nTrain, nTrain + 400);
  const trainLabels = digits.labels!.slice(0, nTrain);
  const heldLabels = digits.labels!.slice(nTrain, nTrain + 400);
  try {
    const fitted = new Map<number, TSNE>();
    for (const [dims, theta] of [[2, 0.5], [2, 0], [3, 0]] as const) {
      if (!fitted.has(dims)) {
        const t = new TSNE({ seed: 0, nComponents: dims, maxIter: 400 });
        await t.fitTransform(train);
        fitted.set(dims, t);
      }
      // the same fitted map, transformed with this θ (a saved model with its option changed)
      const json = fitted.get(dims)!.toJSON();
      const model = TSNE.fromJSON({ ...json, options: { ...json.options, theta } });
      const E = model.embedding;
      // 400 new points: the query job is split over both threads; 100 for the exact sums, slow on the TypeScript route
      const m = theta === 0 ? 100 : 400;
      const [one, two] = await withThreads(() => model.transform(held.rowRange(0, m)));
      assertSameMap(one, two, `${dims}-D transform at θ = ${theta}`);
      // the TypeScript route: the BHTree (and the TypeScript kNN of the new points)
      const ts = await withRoute("ts", () => model.transform(held.rowRange(0, m)));
      const d: number[] = [];
      for (let i = 0; i < m; i++) {
        let s2 = 0;
        for (let a = 0; a < dims; a++) s2 += (one.get(i, a) - ts.get(i, a)) ** 2;
        d.push(Math.sqrt(s2));
      }
      d.sort((a, b) => a - b);
      if (theta === 0) {
        // exact sums on both routes: only the order of the additions differs
        assert.ok(d[d.length - 1]! < 1e-3, `${dims}-D, θ = 0: the routes differ by up to ${d[d.length - 1]}`);
      } else {
        // different trees (Morton cells with leaves of 32 points against one point per leaf): close, not equal
        assert.ok(d[d.length >> 1]! < 0.01, `θ = 0.5: median distance between the routes ${d[d.length >> 1]}`);
        assert.ok(d[Math.floor(0.9 * d.length)]! < 0.05, `θ = 0.5: 90th percentile ${d[Math.floor(0.9 * d.length)]}`);
      }
      for (const Y of [one, ts]) {
        const v = heldOutVote(E, Y, trainLabels, heldLabels.slice(0, m));
        assert.ok(v >= 0.93, `${dims}-D, θ = ${theta}: held-out vote ${v}`);
      }
    }
  } finally {
    setThreads(2);
  }
});

test("UMAP: deterministic gives bit-identical maps with 1 and 2 threads, equal to the one-thread map; 3-D is reproducible by default", { skip }, async () => {
  try {
    // 1797 points, 16000+ edges: the default SGD is split over both threads from 4096 edges
    const fit = (o: ConstructorParameters<typeof UMAP>[0]) => () => new UMAP({ seed: 5, nEpochs: 200, ...o }).fitTransform(digits.X);
    const [det1, det2] = await withThreads(fit({ deterministic: true }));
    assertSameMap(det1, det2, "deterministic UMAP");
    setThreads(1);
    const [plain1, again1] = [await fit({})(), await fit({})()];
    assertSameMap(plain1, again1, "two default UMAP runs with 1 thread");
    assertSameMap(det1, plain1, "deterministic against the default with 1 thread");
    setThreads(2);
    assertSameMap(det1, await fit({ threads: 1 })(), "deterministic against threads: 1");
    // the 3-D SGD runs in TypeScript; the kNN graph and the spectral initialisation do not depend on threads
    const [three1, three2] = await withThreads(fit({ nComponents: 3, nEpochs: 100 }));
    assertSameMap(three1, three2, "3-D UMAP");
    // transform's SGD follows the same rule
    const model = new UMAP({ seed: 2, nEpochs: 100, deterministic: true });
    await model.fitTransform(digits.X.rowRange(0, 1200));
    const [t1, t2] = await withThreads(() => model.transform(digits.X.rowRange(1200, 1797)));
    assertSameMap(t1, t2, "deterministic UMAP transform");
    assert.throws(() => new UMAP({ deterministic: "yes" as unknown as boolean }), /deterministic must be true or false, got "yes"/);
  } finally {
    setThreads(2);
  }
});

test("PCA (every solver), TruncatedSVD, kNN, NN-descent, MDS and Sammon do not depend on the thread count", { skip }, async () => {
  const X = digits.X;
  const S = X.rowRange(0, 500);
  // digits' GEMMs (kNN blocks: 1797 x 1797 x 64, the covariance) are large enough to be split over both threads
  const runs: Array<[string, () => Promise<Matrix>]> = [
    ...(["randomized", "covariance-eig", "full"] as const).map((solver): [string, () => Promise<Matrix>] =>
      [`PCA ${solver}`, () => new PCA({ nComponents: 10, solver, seed: 1 }).fitTransform(X)]),
    ["TruncatedSVD", async () => new TruncatedSVD({ nComponents: 10, seed: 1 }).fitTransform(X)],
    ["exact kNN", async () => { const g = exactKnn(X, 30); return new Matrix(1, g.distances.length, Float32Array.from(g.distances, (v, t) => v + g.indices[t]!)); }],
    ["NN-descent", async () => { const g = nnDescent(X, 15, { seed: 1 }); return new Matrix(1, g.indices.length, Float32Array.from(g.indices)); }],
    ["MDS", () => new MDS({ seed: 1, maxIter: 50 }).fitTransform(S)],
    ["Sammon", () => new Sammon({ seed: 1, maxIter: 50 }).fitTransform(S)],
  ];
  try {
    for (const [what, f] of runs) {
      const [a, b] = await withThreads(async () => (await f()).astype("float64"));
      assertSameMap(a, b, what);
    }
  } finally {
    setThreads(2);
  }
});

test("neural training (the Autoencoder: GEMMs, fused passes, BCE, Adam, all split over the threads) gives bit-identical codes with 1 and 2 threads", { skip }, async () => {
  const { Autoencoder } = await import("../../src/models/autoencoder.js");
  const Xs = digits.X.clone();
  for (let i = 0; i < Xs.data.length; i++) Xs.data[i]! /= 16;
  try {
    const [a, b] = await withThreads(async () => (await new Autoencoder({ layers: [256, 128], code: 16, epochs: 2, batchSize: 128, seed: 3 }).fitTransform(Xs)).astype("float64"));
    assertSameMap(a, b, "Autoencoder");
  } finally {
    setThreads(2);
  }
});

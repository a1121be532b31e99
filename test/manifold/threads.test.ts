// Reproducibility across thread counts: t-SNE (every method) and UMAP's deterministic mode give bit-identical maps
// with 1 and 2 threads of the compute core, at sizes below and above the thresholds from which their jobs are split.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Matrix } from "../../src/core/matrix.js";
import { kernelInfo, setThreads, wasmCore } from "../../src/core/wasm/runtime.js";
import { readCsv } from "../../src/io/csv.js";
import { TSNE, type TSNEOptions } from "../../src/manifold/tsne.js";
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
    ["Barnes–Hut, 600 points", digits.X.rowRange(0, 600), { maxIter: 300 }],
    // 1797 points: Barnes–Hut groups on both threads, attraction in the same job
    ["Barnes–Hut, 1797 points", digits.X, { maxIter: 300 }],
    ["Barnes–Hut 3-D, 1797 points", digits.X, { nComponents: 3, maxIter: 300 }],
    ["Barnes–Hut, random init", digits.X, { init: "random", maxIter: 300 }],
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

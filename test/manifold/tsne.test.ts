import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CancelledError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import { readCsv } from "../../src/io/csv.js";
import { calibratePerplexity } from "../../src/manifold/affinity.js";
import { BHTree } from "../../src/manifold/bhtree.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { AttractiveForces, WasmBarnesHut, attractiveForces, barnesHutRepulsion, exactRepulsion } from "../../src/manifold/tsne-gradient.js";
import { Random } from "../../src/core/random.js";
import { wasmCore } from "../../src/core/wasm/runtime.js";
import { knnAccuracy, trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { PROJECT_DATA, randn } from "../helpers.js";

const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });

test("perplexity calibration reaches the target entropy to 1e-5 for every point", () => {
  const k = 90;
  const g = exactKnn(digits.X, k);
  const d2 = Float64Array.from(g.distances, (v) => v * v);
  for (const perp of [5, 30]) {
    const cal = calibratePerplexity(d2, digits.X.rows, k, perp);
    for (let i = 0; i < digits.X.rows; i++) {
      assert.ok(Math.abs(cal.entropy[i]! - Math.log(perp)) <= 1e-5, `point ${i}: ${cal.entropy[i]}`);
      let s = 0;
      let h = 0;
      for (let t = 0; t < k; t++) {
        const p = cal.conditional[i * k + t]!;
        s += p;
        if (p > 0) h -= p * Math.log(p);
      }
      assert.ok(Math.abs(s - 1) < 1e-12);
      assert.ok(Math.abs(h - Math.log(perp)) < 1e-4); // the entropy of the returned distribution itself
    }
  }
});

test("Barnes–Hut forces equal the exact ones at θ = 0 (2-D and 3-D) and stay close at θ = 0.5", () => {
  for (const dims of [2, 3]) {
    const n = 400;
    const Y = Float64Array.from(randn(n, dims, dims).data, (v) => v * 3);
    const ex = new Float64Array(n * dims);
    const bh = new Float64Array(n * dims);
    const zEx = exactRepulsion(Y, n, dims, ex);
    const tree = new BHTree(dims);
    const zBh = barnesHutRepulsion(tree, Y, n, 0, bh);
    assert.ok(Math.abs(zEx - zBh) < 1e-9 * zEx);
    for (let t = 0; t < n * dims; t++) assert.ok(Math.abs(ex[t]! - bh[t]!) < 1e-9, `${dims}-D ${t}`);
    const approx = new Float64Array(n * dims);
    const zA = barnesHutRepulsion(tree, Y, n, 0.5, approx);
    assert.ok(Math.abs(zA - zEx) < 0.02 * zEx);
    let err = 0, norm = 0;
    for (let t = 0; t < n * dims; t++) {
      err += (approx[t]! - ex[t]!) ** 2;
      norm += ex[t]! ** 2;
    }
    assert.ok(Math.sqrt(err / norm) < 0.05);
    if (wasmCore()) {
      // the WASM tree (grouped traversal, f32 sums): exact at θ = 0, and no less accurate than BHTree at θ = 0.5
      const w = new WasmBarnesHut(wasmCore()!, n, dims as 2 | 3, { leafSize: 4, groupSize: 16 });
      const out = new Float64Array(n * dims);
      const z0 = w.repulsion(Y, 0, out);
      assert.ok(Math.abs(z0 - zEx) < 1e-5 * zEx, `${z0} vs ${zEx}`);
      const scale = Math.max(...ex.map(Math.abs));
      for (let t = 0; t < n * dims; t++) assert.ok(Math.abs(out[t]! - ex[t]!) < 1e-5 * scale, `θ = 0, ${t}`);
      const zW = w.repulsion(Y, 0.5, out);
      w.dispose();
      let errW = 0;
      for (let t = 0; t < n * dims; t++) errW += (out[t]! - ex[t]!) ** 2;
      assert.ok(Math.abs(zW - zEx) <= Math.abs(zA - zEx) + 1e-6 * zEx, `Z error ${zW - zEx} vs BHTree ${zA - zEx}`);
      assert.ok(errW <= err * 1.01, `force error ${Math.sqrt(errW / norm)} vs BHTree ${Math.sqrt(err / norm)}`);
    }
  }
});

test("WASM Barnes–Hut handles duplicates, tight clusters and far outliers in 2-D and 3-D (exact at θ = 0)", { skip: !wasmCore() }, () => {
  const n = 500;
  for (const dims of [2, 3] as const) {
    const rng = new Random(11);
    const Y = new Float64Array(dims * n);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < dims; a++) {
        const o = dims * i + a;
        if (i < 100) Y[o] = 1.5 - a; // 100 copies of one point: a leaf at the deepest level
        else if (i < 200) Y[o] = (a === 0 ? 3 : 0) + 1e-7 * rng.normal(); // a cluster below the grid's resolution
        else if (i < 202) Y[o] = a === 0 ? 1e4 * (i - 200.5) : 5e3; // far away: a huge root cell
        else Y[o] = 4 * rng.normal();
      }
    }
    const ex = new Float64Array(dims * n);
    const zEx = exactRepulsion(Y, n, dims, ex);
    const scale = Math.max(...ex.map(Math.abs));
    for (const [leafSize, groupSize] of [[1, 1], [4, 16], [32, 64]] as const) {
      const w = new WasmBarnesHut(wasmCore()!, n, dims, { leafSize, groupSize });
      const out = new Float64Array(dims * n);
      const z = w.repulsion(Y, 0, out);
      assert.ok(Math.abs(z - zEx) < 1e-5 * zEx, `${dims}-D leaf ${leafSize}: Z ${z} vs ${zEx}`);
      for (let t = 0; t < dims * n; t++) assert.ok(Math.abs(out[t]! - ex[t]!) < 1e-5 * scale, `${dims}-D leaf ${leafSize}, ${t}: ${out[t]} vs ${ex[t]}`);
      const zA = w.repulsion(Y, 0.5, out);
      assert.ok(Math.abs(zA - zEx) < 0.02 * zEx);
      w.dispose();
    }
  }
  assert.throws(() => new WasmBarnesHut(wasmCore()!, 10, 4 as 2), /dims 2 or 3, got 4/);
});

test("WASM attractive forces (rows of P, split over the threads) equal the TypeScript sums in 2-D and 3-D", async () => {
  const tsne = new TSNE({ perplexity: 30 });
  const P = tsne.computeAffinities(digits.X);
  const n = digits.X.rows;
  for (const dims of [2, 3]) {
    const Y = Float64Array.from(randn(n, dims, 9).data, (v) => 5 * v);
    const ref = new Float64Array(dims * n);
    attractiveForces(P, Y, dims, 12, ref);
    const a = new AttractiveForces(P, dims);
    const out = new Float64Array(dims * n);
    a.compute(Y, 12, out);
    a.dispose();
    // f64 on both routes, only the order of the additions differs (pairs of edges in SIMD lanes)
    for (let t = 0; t < dims * n; t++) assert.ok(Math.abs(out[t]! - ref[t]!) < 1e-12 * (1e-3 + Math.abs(ref[t]!)), `${dims}-D ${t}: ${out[t]} vs ${ref[t]}`);
  }
});

test("the exact gradient matches finite differences of KL(P‖Q)", async () => {
  const X = randn(30, 5, 2);
  const tsne = new TSNE({ method: "exact", perplexity: 5 });
  const P = tsne.computeAffinities(X);
  const n = 30, dims = 2;
  const Y = Float64Array.from(randn(n, dims, 3).data);
  const kl = (Yv: Float64Array): number => {
    let z = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += 1 / (1 + (Yv[2 * i]! - Yv[2 * j]!) ** 2 + (Yv[2 * i + 1]! - Yv[2 * j + 1]!) ** 2);
    let s = 0;
    for (let i = 0; i < n; i++) for (let q = P.indptr[i]!; q < P.indptr[i + 1]!; q++) {
      const j = P.indices[q]!;
      const w = 1 / (1 + (Yv[2 * i]! - Yv[2 * j]!) ** 2 + (Yv[2 * i + 1]! - Yv[2 * j + 1]!) ** 2);
      s += P.data[q]! * Math.log(P.data[q]! / (w / z));
    }
    return s;
  };
  const att = new Float64Array(n * dims);
  const rep = new Float64Array(n * dims);
  const z = exactRepulsion(Y, n, dims, rep);
  attractiveForces(P, Y, dims, 1, att);
  for (const t of [0, 7, 33, 59]) {
    const g = 4 * (att[t]! - rep[t]! / z);
    const h = 1e-6;
    const Yp = Y.slice(); Yp[t]! += h;
    const Ym = Y.slice(); Ym[t]! -= h;
    const fd = (kl(Yp) - kl(Ym)) / (2 * h);
    assert.ok(Math.abs(g - fd) < 1e-6 + 1e-4 * Math.abs(fd), `coordinate ${t}: ${g} vs ${fd}`);
  }
});

test("t-SNE (Barnes–Hut) on digits: trustworthiness(10) >= 0.98 and 10-NN accuracy >= 0.95", async () => {
  const progress: number[] = [];
  const tsne = new TSNE({ seed: 0, onProgress: (p) => progress.push(p.metrics.kl!) });
  const Z = await tsne.fitTransform(digits.X);
  assert.equal(Z.rows, 1797);
  assert.equal(Z.cols, 2);
  const t = trustworthiness(digits.X, Z, 10);
  const acc = knnAccuracy(Z, digits.labels!, 10);
  assert.ok(t >= 0.98, `trustworthiness ${t}`);
  assert.ok(acc >= 0.95, `accuracy ${acc}`);
  assert.equal(progress.length, 20);
  assert.ok(progress[progress.length - 1]! < progress[5]!); // KL falls after early exaggeration
  assert.ok(tsne.klDivergence > 0 && tsne.klDivergence < 1.2);
  // kl is computed when the callback reads it: the last report's is the fitted map's
  assert.equal(progress[progress.length - 1], tsne.klDivergence);
  const copy = TSNE.fromJSON(JSON.parse(JSON.stringify(tsne.toJSON())));
  assert.deepEqual(Array.from(copy.embedding.data), Array.from(Z.data));
});

test("t-SNE is reproducible, works in 3-D and exactly, and rejects bad input", async () => {
  const X = digits.X.rowRange(0, 200);
  const a = await new TSNE({ seed: 1, maxIter: 300, init: "random" }).fitTransform(X);
  const b = await new TSNE({ seed: 1, maxIter: 300, init: "random" }).fitTransform(X);
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
  const z3 = await new TSNE({ nComponents: 3, maxIter: 300 }).fitTransform(X);
  assert.equal(z3.cols, 3);
  assert.ok(trustworthiness(X, z3, 5) > 0.9);
  const ex = await new TSNE({ method: "exact", maxIter: 300 }).fitTransform(X);
  assert.ok(trustworthiness(X, ex, 5) > 0.9);
  await assert.rejects(new TSNE({ perplexity: 30 }).fitTransform(X.rowRange(0, 25)), /perplexity=30 must be less than the number of samples n=25/);
  await assert.rejects(new TSNE().fitTransform([[1, 2], [3, 4], [5, 6]]), /at least 4 samples, got 3/);
  await assert.rejects(new TSNE().fitTransform([[1, 2], [3, NaN], [5, 6], [7, 8]]), /X\[1\]\[1\] is NaN/);
  assert.throws(() => new TSNE({ nComponents: 4 }), /Barnes-Hut t-SNE needs nComponents 2 or 3, got 4/);
  assert.throws(() => new TSNE({ perplexity: -1 }), /perplexity must be a number > 0, got -1/);
  await assert.rejects(new TSNE({ learningRate: 1e300, maxIter: 20 }).fitTransform(X.rowRange(0, 200)),
    /t-SNE diverged at iteration \d+: the map has non-finite coordinates; learningRate=1e\+300 is too large/);
  const ctl = new AbortController();
  let reports = 0;
  const cancelled = new TSNE({ maxIter: 5000, progressEvery: 10, onProgress: () => (reports++, ctl.abort()), signal: ctl.signal });
  await assert.rejects(cancelled.fitTransform(X), CancelledError);
  // stopped early (at the first pacer tick after the abort) and left unfitted: no partial map
  assert.ok(reports >= 1 && reports < 500, `${reports} progress reports before the cancellation took effect`);
  assert.throws(() => cancelled.embedding, /this TSNE is not fitted yet/);
});

test("transform places held-out digits next to their class (10-NN vote >= 0.93) and survives a JSON round trip", async () => {
  const n = 1400;
  const train = digits.X.rowRange(0, n);
  const test_ = digits.X.rowRange(n, digits.X.rows);
  const ts = new TSNE({ seed: 0 });
  const E = await ts.fitTransform(train);
  const vote = (Y: Matrix): number => {
    const g = exactKnn(E, 10, { query: Y });
    let ok = 0;
    for (let i = 0; i < Y.rows; i++) {
      const votes = new Map<string, number>();
      for (let t = 0; t < 10; t++) {
        const l = digits.labels![g.indices[i * 10 + t]!]!;
        votes.set(l, (votes.get(l) ?? 0) + 1);
      }
      const best = [...votes].sort((a, b) => b[1] - a[1])[0]![0];
      if (best === digits.labels![n + i]) ok++;
    }
    return ok / Y.rows;
  };
  const Y = await ts.transform(test_);
  assert.equal(Y.rows, test_.rows);
  assert.ok(vote(Y) >= 0.93, `held-out accuracy ${vote(Y)}`);
  // the fitted map does not move, and a loaded model transforms the same way
  assert.deepEqual(ts.embedding.data, E.data);
  const loaded = TSNE.fromJSON(JSON.parse(JSON.stringify(ts.toJSON())));
  const Y2 = await loaded.transform(test_.rowRange(0, 20));
  for (let t = 0; t < Y2.data.length; t++) assert.ok(Math.abs(Y2.data[t]! - Y.data[t]!) < 1e-3);
  await assert.rejects(() => ts.transform(new Matrix(2, 3, new Float32Array(6))), /3 features, the TSNE was fitted on 64/);
  await assert.rejects(() => TSNE.fromJSON({ ...ts.toJSON({ includeData: false }) }).transform(test_), /needs the training data/);
  await assert.rejects(() => new TSNE().transform(test_), /not fitted/);
});

test("t-SNE progress carries the current map: a copy per read, the last one equal to the final embedding (2-D and 3-D)", async () => {
  const X = digits.X.rowRange(0, 300);
  for (const nComponents of [2, 3]) {
    const maps: Matrix[] = [];
    const steps: number[] = [];
    const tsne = new TSNE({
      nComponents, seed: 2, maxIter: 200, exaggerationIter: 100, progressEvery: 40,
      onProgress: (p) => {
        const E = p.embedding!;
        assert.notEqual(E.data, p.embedding!.data, "each read is a fresh copy");
        maps.push(E);
        steps.push(p.step);
      },
    });
    const Z = await tsne.fitTransform(X);
    assert.deepEqual(steps, [40, 80, 120, 160, 200]);
    for (const E of maps) assert.deepEqual([E.rows, E.cols], [300, nComponents]);
    assert.deepEqual(Array.from(maps[maps.length - 1]!.data), Array.from(Z.data));
    // the map moves between reports (early exaggeration spreads it out), and the copies kept do not follow it
    assert.notDeepEqual(Array.from(maps[0]!.data), Array.from(Z.data));
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { wasmCore } from "../../src/core/wasm/runtime.js";
import { CancelledError, LatentkitError } from "../../src/core/errors.js";
import { Graph } from "../../src/graph/graph.js";
import { randomWalks, type WalkOptions } from "../../src/graph/walks.js";
import { readEdgeList } from "../../src/io/graph.js";
import { sharedData } from "../helpers.js";

const karate = readEdgeList(sharedData("graphs/karate.edges.tsv.gz"));

// A small graph with triangles, a hub (node 2, degree 6), a pendant node and varied weights.
const EDGES: [number, number, number][] = [
  [0, 1, 1.0], [0, 2, 2.5], [1, 2, 0.5], [2, 3, 1.5], [3, 4, 3.0], [3, 5, 1.0], [4, 5, 0.7], [5, 6, 2.0], [6, 7, 1.2],
  [2, 5, 0.9], [0, 3, 1.8], [2, 6, 1.1], [2, 8, 2.2], [7, 0, 0.6],
];
function small(weighted: boolean, directed = false): Graph {
  const extra: [number, number, number][] = directed ? [[1, 0, 1.3], [5, 3, 0.8], [6, 2, 1.4], [8, 2, 1.0], [4, 3, 2.0], [2, 0, 0.9], [3, 2, 1.7]] : [];
  const all = [...EDGES, ...extra];
  return Graph.fromEdges({ source: all.map((e) => e[0]), target: all.map((e) => e[1]), ...(weighted ? { weight: all.map((e) => e[2]) } : {}) }, { directed });
}

/** node2vec's exact transition distribution from cur having come from prev (Grover & Leskovec 2016, eq. 2). */
function exactTransition(g: Graph, prev: number, cur: number, p: number, q: number): Map<number, number> {
  const nb = g.neighbors(cur), w = g.neighborWeights(cur);
  const out = new Map<number, number>();
  let total = 0;
  for (let j = 0; j < nb.length; j++) {
    const x = nb[j]!;
    const a = x === prev ? 1 / p : g.hasEdge(prev, x) ? 1 : 1 / q;
    out.set(x, a * w[j]!);
    total += a * w[j]!;
  }
  for (const [x, v] of out) out.set(x, v / total);
  return out;
}

/**
 * Pearson's chi-square of the observed second steps of length-3 walks against the exact distributions, over every
 * (prev, cur) context; returns the statistic and its degrees of freedom.
 */
function chiSquare(g: Graph, walks: Int32Array, starts: Int32Array, p: number, q: number): { chi2: number; df: number; samples: number } {
  const n = g.nNodes;
  const counts = new Float64Array(n * n * n); // [prev][cur][next]
  let samples = 0;
  for (let k = 0; k + 1 < starts.length; k++) {
    const s = starts[k]!;
    if (starts[k + 1]! - s < 3) continue;
    counts[(walks[s]! * n + walks[s + 1]!) * n + walks[s + 2]!]!++;
    samples++;
  }
  let chi2 = 0, df = 0;
  for (let prev = 0; prev < n; prev++) {
    for (let cur = 0; cur < n; cur++) {
      const row = counts.subarray((prev * n + cur) * n, (prev * n + cur + 1) * n);
      let m = 0;
      for (let x = 0; x < n; x++) m += row[x]!;
      if (m === 0) continue;
      const exact = exactTransition(g, prev, cur, p, q);
      for (let x = 0; x < n; x++) if (row[x]! > 0) assert.ok(exact.has(x), `a step ${cur} → ${x} that is no arc`);
      for (const [x, pr] of exact) {
        const e = m * pr;
        chi2 += (row[x]! - e) ** 2 / e;
      }
      df += exact.size - 1;
    }
  }
  return { chi2, df, samples };
}

const SAMPLERS: [string, WalkOptions][] = [
  ["exact on the fly", { exactMaxDegree: 1e9 }],
  ["rejection", { exactMaxDegree: 0 }],
  ["rejection with the exact fallback after 1 trial", { exactMaxDegree: 0, maxTrials: 1 }],
  ["by degree (exact up to degree 3, rejection above)", { exactMaxDegree: 3 }],
];

for (const weighted of [false, true]) {
  for (const [name, sampler] of SAMPLERS) {
    test(`second-order steps follow node2vec's exact probabilities (${weighted ? "weighted" : "unweighted"}, ${name}; chi-square, 200k samples, p, q in {0.25, 1, 4})`, async () => {
      const g = small(weighted);
      for (const p of [0.25, 1, 4]) {
        for (const q of [0.25, 1, 4]) {
          const r = await randomWalks(g, { walkLength: 3, walksPerNode: Math.ceil(200000 / g.nNodes), p, q, seed: 3, ...sampler });
          const { chi2, df, samples } = chiSquare(g, r.walks, r.starts, p, q);
          assert.ok(samples >= 200000);
          // the chi-square(df) upper 1e-6 tail is below df + 7·sqrt(2·df) + 15 for these df (about 30)
          const bound = df + 7 * Math.sqrt(2 * df) + 15;
          assert.ok(chi2 < bound, `p ${p}, q ${q}: chi2 ${chi2.toFixed(1)} on ${df} df (bound ${bound.toFixed(1)})`);
          // the test can fail: the same samples against the distribution of swapped p and q (or a uniform walk)
          if (p !== q) {
            const wrong = chiSquare(g, r.walks, r.starts, q, p);
            assert.ok(wrong.chi2 > 10 * bound, `swapped p, q not rejected: ${wrong.chi2}`);
          }
        }
      }
    });
  }
}

test("directed weighted graph: the return arc is cur → prev, a common neighbour is an arc prev → x (chi-square)", async () => {
  const g = small(true, true);
  for (const [name, sampler] of SAMPLERS) {
    const r = await randomWalks(g, { walkLength: 3, walksPerNode: Math.ceil(200000 / g.nNodes), p: 0.25, q: 4, seed: 5, ...sampler });
    const { chi2, df } = chiSquare(g, r.walks, r.starts, 0.25, 4);
    const bound = df + 7 * Math.sqrt(2 * df) + 15;
    assert.ok(chi2 < bound, `${name}: chi2 ${chi2.toFixed(1)} on ${df} df`);
  }
});

test("a hub of degree 70 (the kernel's neighbour bitmap) and its leaves: exact probabilities (chi-square) and the TypeScript route's walks", async () => {
  const src: number[] = [], dst: number[] = [], w: number[] = [];
  // leaves 1..70 on a ring with their next two neighbours: degree 5, so steps from a leaf having come from the hub
  // take the rejection sampler and test membership in the hub's row
  for (let i = 1; i <= 70; i++) {
    src.push(0, i, i);
    dst.push(i, (i % 70) + 1, ((i + 1) % 70) + 1);
    w.push(1 + (i % 3), 0.5 + (i % 5) / 4, 0.7 + (i % 4) / 3);
  }
  for (const weighted of [false, true]) {
    const g = Graph.fromEdges({ source: src, target: dst, ...(weighted ? { weight: w } : {}) });
    assert.equal(g.degree(0), 70);
    assert.equal(g.degree(1), 5);
    for (const [p, q] of [[0.25, 4], [4, 0.25]] as const) {
      for (const exactMaxDegree of [4, 1e9]) {
        const r = await randomWalks(g, { walkLength: 3, walksPerNode: Math.ceil(300000 / g.nNodes), p, q, seed: 4, exactMaxDegree });
        const { chi2, df } = chiSquare(g, r.walks, r.starts, p, q);
        const bound = df + 7 * Math.sqrt(2 * df) + 15;
        assert.ok(chi2 < bound, `p ${p}, q ${q}, ${weighted ? "weighted" : "unweighted"}, exact up to ${exactMaxDegree}: chi2 ${chi2.toFixed(1)} on ${df} df`);
      }
      if (wasmCore()) {
        const opts = { walkLength: 20, walksPerNode: 20, p, q, seed: 6 };
        assert.deepEqual((await randomWalks(g, { ...opts, route: "ts" })).walks, (await randomWalks(g, { ...opts, route: "wasm" })).walks);
      }
    }
  }
});

test("uniform walks visit nodes in proportion to their (weighted) degree: the stationary distribution, total variation < 0.02", async () => {
  for (const g of [karate, small(true)]) {
    const r = await randomWalks(g, { walkLength: 200, walksPerNode: 300, seed: 7 });
    const visits = new Float64Array(g.nNodes);
    let n = 0;
    for (let k = 0; k + 1 < r.starts.length; k++) {
      for (let t = r.starts[k]! + 20; t < r.starts[k + 1]!; t++) {
        visits[r.walks[t]!]!++;
        n++;
      }
    }
    const strength = Array.from({ length: g.nNodes }, (_, i) => g.neighborWeights(i).reduce((a, b) => a + b, 0));
    const total = strength.reduce((a, b) => a + b, 0);
    let tv = 0, tvUniform = 0;
    for (let i = 0; i < g.nNodes; i++) {
      tv += Math.abs(visits[i]! / n - strength[i]! / total) / 2;
      tvUniform += Math.abs(visits[i]! / n - 1 / g.nNodes) / 2;
    }
    assert.ok(tv < 0.02, `total variation ${tv}`);
    assert.ok(tvUniform > 0.1, `the visits should not be uniform over nodes (${tvUniform})`);
  }
});

test("every step follows an arc, for uniform and second-order walks, directed and undirected; walks have walkLength nodes", async () => {
  for (const g of [karate, small(true, true)]) {
    for (const [p, q] of [[1, 1], [0.25, 4], [4, 0.25]] as const) {
      const r = await randomWalks(g, { walkLength: 30, walksPerNode: 5, p, q });
      assert.equal(r.starts.length, g.nNodes * 5 + 1);
      assert.equal(r.starts[r.starts.length - 1], r.walks.length);
      for (let k = 0; k + 1 < r.starts.length; k++) {
        assert.equal(r.starts[k + 1]! - r.starts[k]!, 30);
        for (let t = r.starts[k]!; t + 1 < r.starts[k + 1]!; t++) assert.ok(g.hasEdge(r.walks[t]!, r.walks[t + 1]!), `${r.walks[t]} → ${r.walks[t + 1]}`);
      }
      assert.equal(r.steps, g.nNodes * 5 * 29);
      // every node starts walksPerNode walks
      const startsAt = new Int32Array(g.nNodes);
      for (let k = 0; k + 1 < r.starts.length; k++) startsAt[r.walks[r.starts[k]!]!]!++;
      assert.ok(startsAt.every((c) => c === 5));
    }
  }
});

test("an isolated node's walk is the node alone; a directed walk stops at a node without out-arcs", async () => {
  const g = Graph.fromEdges({ source: ["a", "b"], target: ["b", "c"] }, { directed: true, nodes: ["lonely"] });
  const r = await randomWalks(g, { walkLength: 10, walksPerNode: 2, p: 0.5, q: 2 });
  const lens = new Map<string, number[]>();
  for (let k = 0; k + 1 < r.starts.length; k++) {
    const name = String(g.nameOf(r.walks[r.starts[k]!]!));
    lens.set(name, [...(lens.get(name) ?? []), r.starts[k + 1]! - r.starts[k]!]);
  }
  assert.deepEqual(lens.get("lonely"), [1, 1]);
  assert.deepEqual(lens.get("a"), [3, 3]); // a → b → c, then no out-arc
  assert.deepEqual(lens.get("c"), [1, 1]);
});

test("seeded and reproducible: the same seed gives the same walks for 1 or 2 threads and on either route; another seed others", async () => {
  const g = readEdgeList(sharedData("graphs/football.edges.tsv.gz"));
  for (const [p, q] of [[1, 1], [0.25, 4]] as const) {
    const base = await randomWalks(g, { p, q, seed: 11, walksPerNode: 40, threads: 1 });
    const again = await randomWalks(g, { p, q, seed: 11, walksPerNode: 40, threads: 2 });
    assert.deepEqual(again.walks, base.walks);
    if (wasmCore()) {
      const ts = await randomWalks(g, { p, q, seed: 11, walksPerNode: 40, route: "ts" });
      assert.deepEqual(ts.walks, base.walks);
      const wasm = await randomWalks(g, { p, q, seed: 11, walksPerNode: 40, route: "wasm", threads: 2 });
      assert.deepEqual(wasm.walks, base.walks);
    }
    const other = await randomWalks(g, { p, q, seed: 12, walksPerNode: 40 });
    let diff = 0;
    for (let t = 0; t < other.walks.length; t++) if (other.walks[t] !== base.walks[t]) diff++;
    assert.ok(diff > other.walks.length / 2);
  }
  // the weighted TypeScript route too (alias tables)
  if (wasmCore()) {
    const w = small(true);
    const a = await randomWalks(w, { p: 4, q: 0.25, walksPerNode: 50, route: "ts", exactMaxDegree: 2 });
    const b = await randomWalks(w, { p: 4, q: 0.25, walksPerNode: 50, route: "wasm", exactMaxDegree: 2 });
    assert.deepEqual(a.walks, b.walks);
    // directed and weighted, with the exact fallback after 2 trials
    const dg = small(true, true);
    const c = await randomWalks(dg, { p: 0.25, q: 4, walksPerNode: 50, route: "ts", exactMaxDegree: 1, maxTrials: 2 });
    const d = await randomWalks(dg, { p: 0.25, q: 4, walksPerNode: 50, route: "wasm", exactMaxDegree: 1, maxTrials: 2 });
    assert.deepEqual(d.walks, c.walks);
    assert.equal(d.proposals, c.proposals);
  }
});

test("p or q <= 0 (or not a number) is refused in one line naming the option; progress and cancellation", async () => {
  await assert.rejects(randomWalks(karate, { p: 0 }), (e: Error) => e instanceof LatentkitError && /^p must be a number > 0, got 0/.test(e.message));
  await assert.rejects(randomWalks(karate, { q: -1 }), /q must be a number > 0, got -1/);
  await assert.rejects(randomWalks(karate, { p: Number.NaN }), /p must be a number > 0, got NaN/);
  await assert.rejects(randomWalks(karate, { walkLength: 0 }), /walkLength must be an integer >= 1, got 0/);
  const stages: string[] = [];
  let last = 0;
  await randomWalks(karate, { walksPerNode: 3, onProgress: (pr) => { stages.push(pr.stage); last = pr.step / pr.total; } });
  assert.ok(stages.length > 0 && stages.every((s) => s === "walks"));
  assert.equal(last, 1);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(randomWalks(karate, { signal: ac.signal }), CancelledError);
});

// Node classification and link prediction: F1 by hand on a toy case and against scikit-learn's f1_score (fixtures of
// test/fixtures/graph/make_f1_fixtures.py), ROC-AUC against hand-computed and scikit-learn values (ties included),
// the split protocol (top-k with k = true label count), and link prediction on a graph whose structure an
// embedding can reveal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { f1Scores, linkPrediction, nodeClassification, rocAuc, type NodeLabels } from "../../src/graph/evaluate.js";
import { Graph } from "../../src/graph/graph.js";
import { NetMF } from "../../src/graph/netmf.js";

const FIX = JSON.parse(readFileSync(fileURLToPath(new URL("../../../test/fixtures/graph/f1.json", import.meta.url)), "utf8")) as {
  f1: { kind: "multi" | "single"; C: number; truth: (number[] | number)[]; pred: (number[] | number)[]; micro: number; macro: number }[];
  auc: { pos: number[]; neg: number[]; auc: number }[];
};

const onehot = (rows: (number[] | number)[], C: number): Uint8Array => {
  const out = new Uint8Array(rows.length * C);
  rows.forEach((r, i) => {
    if (typeof r === "number") out[i * C + r] = 1;
    else r.forEach((v, k) => (out[i * C + k] = v));
  });
  return out;
};

test("F1 by hand: micro from global counts, macro the mean over classes present", () => {
  // 3 nodes, 3 classes. truth {0,1} {1} {0}; pred {0} {1,2} {1}
  const truth = Uint8Array.from([1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const pred = Uint8Array.from([1, 0, 0, 0, 1, 1, 0, 1, 0]);
  // class 0: tp 1 fp 0 fn 1 → F1 2/3; class 1: tp 1 fp 1 fn 1 → 1/2; class 2: tp 0 fp 1 fn 0 → 0
  // global: tp 2 fp 2 fn 2 → 1/2
  const r = f1Scores(truth, pred, 3);
  assert.ok(Math.abs(r.microF1 - 0.5) < 1e-12);
  assert.ok(Math.abs(r.macroF1 - (2 / 3 + 1 / 2 + 0) / 3) < 1e-12);
  // a fourth class absent from truth and predictions: left out of the macro mean of label arrays (single-label),
  // counted as 0 over all classes of indicator matrices (multi-label), as scikit-learn does for each form
  const t4 = Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0]), p4 = Uint8Array.from([1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0]);
  assert.ok(Math.abs(f1Scores(t4, p4, 4).macroF1 - r.macroF1) < 1e-12);
  assert.ok(Math.abs(f1Scores(t4, p4, 4, true).macroF1 - (2 / 3 + 1 / 2) / 4) < 1e-12);
  assert.equal(f1Scores(t4, p4, 4, true).microF1, r.microF1);
});

test("F1 equals scikit-learn's f1_score (micro and macro; multi-label indicator matrices and label arrays)", () => {
  for (const c of FIX.f1) {
    const r = f1Scores(onehot(c.truth, c.C), onehot(c.pred, c.C), c.C, c.kind === "multi");
    assert.ok(Math.abs(r.microF1 - c.micro) < 1e-12, `${c.kind} C ${c.C}: micro ${r.microF1} vs ${c.micro}`);
    assert.ok(Math.abs(r.macroF1 - c.macro) < 1e-12, `${c.kind} C ${c.C}: macro ${r.macroF1} vs ${c.macro}`);
  }
});

test("ROC-AUC: a hand case with ties and scikit-learn's roc_auc_score", () => {
  // positives 3, 2, 2; negatives 2, 1: pairs (3>2, 3>1, 2=2 half, 2>1, 2=2 half, 2>1) = 5/6
  assert.ok(Math.abs(rocAuc([3, 2, 2], [2, 1]) - 5 / 6) < 1e-12);
  assert.equal(rocAuc([1, 2], [3, 4]), 0);
  for (const c of FIX.auc) assert.ok(Math.abs(rocAuc(c.pos, c.neg) - c.auc) < 1e-12, `${rocAuc(c.pos, c.neg)} vs ${c.auc}`);
  assert.throws(() => rocAuc([], [1]), /needs positives and negatives/);
});

/** Two clusters in 2-D with labels; a second, multi-label view. */
function toy(n: number, seed: number): { E: Matrix; single: NodeLabels; multi: NodeLabels } {
  const rng = new Random(seed);
  const E = Matrix.zeros(n, 2, "float32");
  const Ys = new Uint8Array(n * 2), Ym = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    E.data[2 * i] = (c ? 2 : -2) + rng.normal();
    E.data[2 * i + 1] = rng.normal();
    Ys[2 * i + c] = 1;
    // labels A (cluster 0), B (cluster 1), and C for every third node (noise: no signal)
    Ym[3 * i + c] = 1;
    if (i % 3 === 0) Ym[3 * i + 2] = 1;
  }
  const labelled = Int32Array.from({ length: n }, (_, i) => i);
  return {
    E,
    single: { classes: ["a", "b"], multiLabel: false, Y: Ys, labelled },
    multi: { classes: ["A", "B", "C"], multiLabel: true, Y: Ym, labelled },
  };
}

test("nodeClassification: separable clusters score high, labels shuffled score near chance; top-k predicts k labels", async () => {
  const { E, single, multi } = toy(200, 1);
  const r = await nodeClassification(E, single, { trainFraction: 0.5, repeats: 4, seed: 3 });
  assert.ok(r.microF1 > 0.9 && r.macroF1 > 0.9, JSON.stringify(r));
  assert.equal(r.perRepeat.length, 4);
  assert.equal(r.trainNodes, 100);
  assert.ok(r.microF1Std >= 0 && r.microF1Std < 0.05);
  // shuffled labels: chance (0.5 for two balanced classes)
  const perm = new Random(9).shuffle(Int32Array.from({ length: 200 }, (_, i) => i));
  const Y = new Uint8Array(400);
  for (let i = 0; i < 200; i++) Y.set(single.Y.subarray(2 * perm[i]!, 2 * perm[i]! + 2), 2 * i);
  const rs = await nodeClassification(E, { ...single, Y }, { repeats: 4, seed: 3 });
  assert.ok(Math.abs(rs.microF1 - 0.5) < 0.1, `shuffled ${rs.microF1}`);
  // multi-label: a node with k true labels gets its k most probable: the cluster label, then (k = 2) C, the more
  // frequent of the two others; predicting one label per node instead would miss every C (micro-F1 at most 0.86)
  const m = await nodeClassification(E, multi, { repeats: 2, seed: 3 });
  assert.ok(m.microF1 > 0.9, `multi ${m.microF1}`);
  // fewer labelled nodes: only those count
  const few = await nodeClassification(E, { ...single, labelled: single.labelled.slice(0, 60) }, { seed: 1 });
  assert.equal(few.trainNodes + few.testNodes, 60);
});

test("nodeClassification errors: mismatched sizes, bad trainFraction", async () => {
  const { E, single } = toy(20, 1);
  await assert.rejects(nodeClassification(E.rowRange(0, 10), single), /the labels are for 20 nodes but the embedding has 10 rows/);
  await assert.rejects(nodeClassification(E, single, { trainFraction: 1 }), /trainFraction must be a number in \(0, 1\), got 1/);
  await assert.rejects(nodeClassification(E, single, { repeats: 0 }), /repeats must be an integer >= 1/);
});

test("linkPrediction: a known AUC (community indicators on two cliques: 1), random vectors near 0.5, NetMF above", async () => {
  // two 8-cliques joined by one edge: every non-edge crosses, every held-out edge but the bridge lies inside a clique
  const src: number[] = [], dst: number[] = [];
  for (const o of [0, 8]) for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) { src.push(o + i); dst.push(o + j); }
  src.push(0);
  dst.push(8);
  const g = Graph.fromEdges({ source: src, target: dst });
  const indicator = async (h: Graph): Promise<Matrix> => {
    const M = Matrix.zeros(h.nNodes, 2, "float32");
    for (let i = 0; i < h.nNodes; i++) M.data[2 * i + (Number(h.names[i]) < 8 ? 0 : 1)] = 1;
    return M;
  };
  for (const seed of [1, 2, 3]) {
    const r = await linkPrediction(g, indicator, { seed, testFraction: 0.3 });
    assert.equal(r.trainEdges + r.testEdges, 57);
    // the bridge, if held out, scores as a non-edge: AUC (t − 1 + ½)/t for t test edges, else 1
    assert.ok(r.rocAuc === 1 || Math.abs(r.rocAuc - (r.testEdges - 0.5) / r.testEdges) < 1e-12, `seed ${seed}: ${r.rocAuc}`);
  }
  // a planted partition: 2 × 40 nodes, p_in 0.3, p_out 0.02
  const rng = new Random(4);
  const ps: number[] = [], pd: number[] = [];
  for (let i = 0; i < 80; i++) for (let j = i + 1; j < 80; j++) {
    if (rng.uniform() < ((i < 40) === (j < 40) ? 0.3 : 0.02)) { ps.push(i); pd.push(j); }
  }
  const pp = Graph.fromEdges({ source: ps, target: pd });
  const good = await linkPrediction(pp, async (h) => (await new NetMF({ dim: 8, window: 5, seed: 1 }).fit(h)).embedding, { seed: 2 });
  assert.ok(good.rocAuc > 0.65, `NetMF ${good.rocAuc}`);
  assert.ok(good.testEdges > 0.4 * ps.length && good.trainEdges + good.testEdges === ps.length);
  const noise = await linkPrediction(pp, async (h) => {
    const M = Matrix.zeros(h.nNodes, 8, "float32");
    new Random(5).fillNormal(M.data);
    return M;
  }, { seed: 2 });
  assert.ok(Math.abs(noise.rocAuc - 0.5) < 0.1, `random ${noise.rocAuc}`);
});

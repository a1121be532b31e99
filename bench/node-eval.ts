// Node classification for the walk tests and bench/graph.ts: logistic regression on node vectors over random
// train/test splits of the labelled nodes, micro- and macro-F1 (multi-label: one-vs-rest with top-k prediction, k =
// the node's true label count, as the node2vec paper; single-label: multinomial argmax). A stand-in until the
// evaluation module of issue 14 (src/graph/evaluate.ts, `nodeClassification`) is on main.
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";
import type { Graph } from "../src/graph/graph.js";
import { readMaybeGzip } from "../src/io/files.js";
import { LogisticRegression } from "../src/linear/logistic.js";

export interface SimpleNodeLabels {
  classes: string[];
  multiLabel: boolean;
  /** n × classes 0/1, row = node id. */
  Y: Uint8Array;
  /** Node ids with at least one label. */
  labelled: Int32Array;
}

/** Reads `node<TAB>label[…]` lines (a header line or `#` comments skipped); nodes not in the graph are skipped. */
export function readLabels(path: string, graph: Graph): SimpleNodeLabels {
  const lines = readMaybeGzip(path).toString("utf8").split("\n");
  const pairs: [number, string][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith("#") || (i === 0 && /^node\b/.test(line))) continue;
    const [node, label] = line.split("\t");
    if (node === undefined || label === undefined || !graph.hasNode(node)) continue;
    pairs.push([graph.idOf(node), label]);
  }
  const classes = [...new Set(pairs.map((p) => p[1]))].sort();
  const ci = new Map(classes.map((c, i) => [c, i]));
  const n = graph.nNodes, C = classes.length;
  const Y = new Uint8Array(n * C);
  for (const [id, l] of pairs) Y[id * C + ci.get(l)!] = 1;
  const labelled: number[] = [];
  let multi = false;
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let k = 0; k < C; k++) c += Y[i * C + k]!;
    if (c > 0) labelled.push(i);
    if (c > 1) multi = true;
  }
  return { classes, multiLabel: multi, Y, labelled: Int32Array.from(labelled) };
}

function rows(M: Matrix, ids: ArrayLike<number>): Matrix {
  const out = Matrix.zeros(ids.length, M.cols, "float64");
  for (let i = 0; i < ids.length; i++) for (let j = 0; j < M.cols; j++) out.data[i * M.cols + j] = M.data[ids[i]! * M.cols + j]!;
  return out;
}

/** Micro- and macro-F1 of predicted label sets against the true ones. */
function f1(truth: Uint8Array, pred: Uint8Array, m: number, C: number): { micro: number; macro: number } {
  let tpAll = 0, fpAll = 0, fnAll = 0, macro = 0;
  for (let k = 0; k < C; k++) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < m; i++) {
      const t = truth[i * C + k]!, p = pred[i * C + k]!;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    tpAll += tp;
    fpAll += fp;
    fnAll += fn;
    macro += tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return { micro: (2 * tpAll) / (2 * tpAll + fpAll + fnAll), macro: macro / C };
}

/** Mean micro/macro-F1 over `repeats` random splits with `trainFraction` of the labelled nodes for training. */
export async function classifyNodes(embedding: Matrix, labels: SimpleNodeLabels, o: { trainFraction?: number; repeats?: number; seed?: number; C?: number } = {}): Promise<{ microF1: number; macroF1: number }> {
  const { Y, classes, labelled, multiLabel } = labels;
  const C = classes.length;
  const rng = new Random(o.seed ?? 1);
  const repeats = o.repeats ?? 5;
  let micro = 0, macro = 0;
  for (let r = 0; r < repeats; r++) {
    const ids = rng.shuffle(Int32Array.from(labelled));
    const nTrain = Math.round((o.trainFraction ?? 0.5) * ids.length);
    const tr = ids.subarray(0, nTrain), te = ids.subarray(nTrain);
    const Xtr = rows(embedding, tr), Xte = rows(embedding, te);
    const truth = new Uint8Array(te.length * C);
    for (let i = 0; i < te.length; i++) truth.set(Y.subarray(te[i]! * C, (te[i]! + 1) * C), i * C);
    const pred = new Uint8Array(te.length * C);
    if (multiLabel) {
      const Ytr = Array.from(tr, (id) => Array.from(Y.subarray(id * C, (id + 1) * C)));
      const lr = await new LogisticRegression({ C: o.C ?? 1, maxIter: 200 }).fitMultiLabel(Xtr, Ytr);
      const ks = Array.from(te, (id) => Y.subarray(id * C, (id + 1) * C).reduce((a, b) => a + b, 0));
      const top = lr.predictTopK(Xte, ks);
      top.forEach((ls, i) => ls.forEach((k) => (pred[i * C + Number(lr.classes[k])] = 1)));
    } else {
      const ytr = Array.from(tr, (id) => Y.subarray(id * C, (id + 1) * C).indexOf(1));
      const lr = await new LogisticRegression({ C: o.C ?? 1, maxIter: 200 }).fit(Xtr, ytr);
      lr.predict(Xte).forEach((k, i) => (pred[i * C + (k as number)] = 1));
    }
    const s = f1(truth, pred, te.length, C);
    micro += s.micro;
    macro += s.macro;
  }
  return { microF1: micro / repeats, macroF1: macro / repeats };
}

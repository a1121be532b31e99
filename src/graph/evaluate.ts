// Evaluation of node embeddings, with the protocols of the node2vec paper (Grover & Leskovec, KDD 2016, §4.3–4.4).
//
// Node classification: the labelled nodes are split at random, trainFraction of them for training, the rest for
// testing, `repeats` times. The classifier is L2-regularised logistic regression (src/linear/logistic.ts, equal to
// scikit-learn's): multi-label sets get one-vs-rest binary problems and each test node is given its k most probable
// labels, k = the number of labels it truly has (the node2vec / DeepWalk protocol); single-label sets a multinomial
// model and its argmax. Scores are F1 as scikit-learn's f1_score defines them:
// * micro-F1 = 2·TP / (2·TP + FP + FN) with the counts summed over every class (single-label: the accuracy);
// * macro-F1 = the mean over classes of F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c). Which classes: scikit-learn's rule
//   for each input form. Single-label (label arrays): the classes present in the split, those some test node has or
//   some prediction names. Multi-label (indicator matrices): every class of the label file; a class that neither the
//   truth nor the predictions of the split contain has no defined F1 and counts 0 (scikit-learn's zero_division
//   default), which lowers macro-F1 where rare classes miss a split (PPI at 50 %).
// The result is the mean over the repeats and the standard deviation (population, ddof 0) of the repeats.
//
// Link prediction: a fraction of the edges is held out (never the last edge of a node, so no node becomes isolated),
// the embedding is computed on the residual graph, and each node pair (u, v) gets the Hadamard feature x_u ⊙ x_v.
// A logistic regression is trained on the residual edges against as many random non-edges, and scored by ROC-AUC on
// the held-out edges against as many other random non-edges.
import { describeValue, fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { LogisticRegression } from "../linear/logistic.js";
import { Graph } from "./graph.js";

/** Node labels aligned with a graph's node ids (what src/io/node-labels.ts reads). */
export interface NodeLabels {
  classes: (string | number)[];
  multiLabel: boolean;
  /** n × classes.length, row-major, row = node id. */
  Y: Uint8Array;
  /** Ids of the nodes with at least one label. */
  labelled: Int32Array;
}

export interface NodeClassificationOptions {
  /** Fraction of the labelled nodes used for training (default 0.5). */
  trainFraction?: number;
  /** Random splits (default 5). */
  repeats?: number;
  seed?: number;
  /** Inverse regularisation strength of the logistic regression (default 1, scikit-learn's). */
  C?: number;
  /** L-BFGS iterations at most (default 100, scikit-learn's). */
  maxIter?: number;
}

export interface NodeClassificationResult {
  microF1: number;
  macroF1: number;
  /** Standard deviations over the repeats. */
  microF1Std: number;
  macroF1Std: number;
  perRepeat: { microF1: number; macroF1: number }[];
  trainNodes: number;
  testNodes: number;
}

/**
 * Micro- and macro-F1 of predicted against true label sets (0/1 rows of C classes, row-major); see the header.
 * allClasses: the macro mean is over all C classes, those absent from truth and predictions counting 0 (scikit-learn
 * on indicator matrices); otherwise over the classes present (scikit-learn on label arrays).
 */
export function f1Scores(truth: Uint8Array, pred: Uint8Array, C: number, allClasses = false): { microF1: number; macroF1: number } {
  if (truth.length !== pred.length || truth.length % C !== 0) fail(`f1Scores: truth has ${truth.length} values and pred ${pred.length}, expected equal multiples of ${C}`);
  const tp = new Float64Array(C), fp = new Float64Array(C), fn = new Float64Array(C);
  for (let p = 0; p < truth.length; p++) {
    const k = p % C, t = truth[p]!, y = pred[p]!;
    if (t && y) tp[k]!++;
    else if (y) fp[k]!++;
    else if (t) fn[k]!++;
  }
  let TP = 0, FP = 0, FN = 0, sum = 0, present = 0;
  for (let k = 0; k < C; k++) {
    TP += tp[k]!;
    FP += fp[k]!;
    FN += fn[k]!;
    const den = 2 * tp[k]! + fp[k]! + fn[k]!;
    if (den > 0) sum += (2 * tp[k]!) / den;
    if (den > 0 || allClasses) present++;
  }
  const den = 2 * TP + FP + FN;
  return { microF1: den > 0 ? (2 * TP) / den : 0, macroF1: present > 0 ? sum / present : 0 };
}

function meanStd(v: number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)];
}

/** Node classification by logistic regression on the embedding over repeated random splits (see the header). */
export async function nodeClassification(embedding: Matrix, labels: NodeLabels, options: NodeClassificationOptions = {}): Promise<NodeClassificationResult> {
  const trainFraction = options.trainFraction ?? 0.5;
  const repeats = options.repeats ?? 5;
  const seed = options.seed ?? 0;
  const C = options.C ?? 1;
  if (!(typeof trainFraction === "number" && trainFraction > 0 && trainFraction < 1)) fail(`trainFraction must be a number in (0, 1), got ${describeValue(trainFraction)}`);
  if (!Number.isInteger(repeats) || repeats < 1) fail(`repeats must be an integer >= 1, got ${describeValue(repeats)}`);
  if (!Number.isInteger(seed)) fail(`seed must be an integer, got ${describeValue(seed)}`);
  if (!(typeof C === "number" && C > 0 && Number.isFinite(C))) fail(`C must be a number > 0, got ${describeValue(C)}`);
  const K = labels.classes.length;
  if (labels.Y.length !== embedding.rows * K) {
    fail(`the labels are for ${labels.Y.length / Math.max(K, 1)} nodes but the embedding has ${embedding.rows} rows: they must come from the same graph`);
  }
  const nodes = labels.labelled;
  const m = nodes.length;
  const nTrain = Math.round(trainFraction * m);
  if (nTrain < 2 || m - nTrain < 1) fail(`${m} labelled nodes: too few for a split with trainFraction ${trainFraction} (${nTrain} to train, ${m - nTrain} to test)`);
  const rng = new Random(seed);
  const per: { microF1: number; macroF1: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    const order = rng.shuffle(Int32Array.from(nodes));
    const train = order.subarray(0, nTrain), test = order.subarray(nTrain);
    const Xtr = embedding.selectRows(train).astype("float64"), Xte = embedding.selectRows(test).astype("float64");
    const truth = new Uint8Array(test.length * K);
    for (let i = 0; i < test.length; i++) truth.set(labels.Y.subarray(test[i]! * K, (test[i]! + 1) * K), i * K);
    const pred = new Uint8Array(test.length * K);
    const clf = new LogisticRegression({ C, maxIter: options.maxIter ?? 100, multiClass: labels.multiLabel ? "ovr" : "multinomial" });
    if (labels.multiLabel) {
      const Ytr = new Matrix(nTrain, K, Float64Array.from({ length: nTrain * K }, (_, p) => labels.Y[train[Math.floor(p / K)]! * K + (p % K)]!));
      await clf.fitMultiLabel(Xtr, Ytr);
      const ks = Array.from(test, (i) => {
        let c = 0;
        for (let k = 0; k < K; k++) c += labels.Y[i * K + k]!;
        return c;
      });
      const top = clf.predictTopK(Xte, ks);
      top.forEach((row, i) => row.forEach((k) => (pred[i * K + k] = 1)));
    } else {
      const ytr = Array.from(train, (i) => labels.Y.subarray(i * K, (i + 1) * K).indexOf(1));
      if (new Set(ytr).size < 2) fail(`a training split holds only one class: use a larger trainFraction (${trainFraction})`);
      await clf.fit(Xtr, ytr);
      const yp = clf.predict(Xte) as number[];
      yp.forEach((k, i) => (pred[i * K + k] = 1));
    }
    per.push(f1Scores(truth, pred, K, labels.multiLabel));
  }
  const [mi, miS] = meanStd(per.map((p) => p.microF1));
  const [ma, maS] = meanStd(per.map((p) => p.macroF1));
  return { microF1: mi, macroF1: ma, microF1Std: miS, macroF1Std: maS, perRepeat: per, trainNodes: nTrain, testNodes: m - nTrain };
}

/**
 * Area under the ROC curve of scores for positives against negatives: the probability that a random positive
 * scores above a random negative, ties counting one half (the Mann–Whitney U statistic over n⁺·n⁻).
 */
export function rocAuc(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const np = positive.length, nn = negative.length;
  if (np === 0 || nn === 0) fail(`rocAuc needs positives and negatives, got ${np} and ${nn}`);
  const all = Array.from({ length: np + nn }, (_, i) => (i < np ? { s: positive[i]!, pos: true } : { s: negative[i - np]!, pos: false }));
  for (const a of all) if (!Number.isFinite(a.s)) fail(`rocAuc: a score is ${describeValue(a.s)}: expected finite numbers`);
  all.sort((a, b) => a.s - b.s);
  // ranks with ties averaged
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (all[t]!.pos) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

export interface LinkPredictionOptions {
  /** Fraction of the edges held out for testing (default 0.5, the node2vec paper's). */
  testFraction?: number;
  seed?: number;
  /** Inverse regularisation strength of the logistic regression (default 1). */
  C?: number;
}

export interface LinkPredictionResult {
  rocAuc: number;
  /** Edges of the residual graph (training positives) and held-out edges (test positives). */
  trainEdges: number;
  testEdges: number;
}

/** Link prediction with Hadamard features and logistic regression, scored by ROC-AUC (see the header). */
export async function linkPrediction(graph: Graph, embed: (g: Graph) => Promise<Matrix>, options: LinkPredictionOptions = {}): Promise<LinkPredictionResult> {
  const testFraction = options.testFraction ?? 0.5;
  const seed = options.seed ?? 0;
  if (!(typeof testFraction === "number" && testFraction > 0 && testFraction < 1)) fail(`testFraction must be a number in (0, 1), got ${describeValue(testFraction)}`);
  if (graph.directed) fail("linkPrediction: the graph must be undirected");
  const n = graph.nNodes;
  // each undirected edge once (u < v; self-loops are not predicted)
  const eu: number[] = [], ev: number[] = [];
  for (let u = 0; u < n; u++) for (const v of graph.neighbors(u)) if (u < v) { eu.push(u); ev.push(v); }
  const m = eu.length;
  if (m < 4) fail(`linkPrediction needs at least 4 edges, the graph has ${m}`);
  const rng = new Random(seed);
  const order = rng.shuffle(Int32Array.from({ length: m }, (_, i) => i));
  const deg = Int32Array.from({ length: n }, (_, i) => graph.degree(i) - (graph.hasEdge(i, i) ? 1 : 0));
  const target = Math.round(testFraction * m);
  const held = new Uint8Array(m);
  let nHeld = 0;
  for (const e of order) {
    if (nHeld >= target) break;
    const u = eu[e]!, v = ev[e]!;
    if (deg[u]! > 1 && deg[v]! > 1) {
      held[e] = 1;
      deg[u]!--;
      deg[v]!--;
      nHeld++;
    }
  }
  if (nHeld === 0) fail("linkPrediction: no edge can be held out without isolating a node");
  const src: number[] = [], dst: number[] = [], w: number[] = [];
  const trainU: number[] = [], trainV: number[] = [], testU: number[] = [], testV: number[] = [];
  for (let e = 0; e < m; e++) {
    if (held[e]) {
      testU.push(eu[e]!);
      testV.push(ev[e]!);
    } else {
      trainU.push(eu[e]!);
      trainV.push(ev[e]!);
      src.push(eu[e]!);
      dst.push(ev[e]!);
      if (graph.weights) w.push(graph.weights[graph.indptr[eu[e]!]! + graph.neighbors(eu[e]!).indexOf(ev[e]!)]!);
    }
  }
  const names = graph.names;
  const residual = Graph.fromEdges({ source: src.map((i) => names[i]!), target: dst.map((i) => names[i]!), ...(graph.weights ? { weight: w } : {}) },
    { nodes: names, directed: false });
  // random non-edges of the full graph, distinct, for training and testing
  const maxPairs = (n * (n - 1)) / 2 - m;
  const want = trainU.length + testU.length;
  if (maxPairs < want) fail(`linkPrediction: the graph is too dense to draw ${want} non-edges (${maxPairs} exist)`);
  const seen = new Set<number>();
  const negU: number[] = [], negV: number[] = [];
  while (negU.length < want) {
    const a = rng.int(n), b = rng.int(n);
    if (a === b || graph.hasEdge(a, b)) continue;
    const key = Math.min(a, b) * n + Math.max(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    negU.push(a);
    negV.push(b);
  }
  const E = await embed(residual);
  if (!(E instanceof Matrix) || E.rows !== n) fail(`linkPrediction: embed must return a Matrix of ${n} rows (one per node id), got ${E instanceof Matrix ? `${E.rows} rows` : describeValue(E)}`);
  const d = E.cols;
  const features = (us: number[], vs: number[]): Matrix => {
    const X = Matrix.zeros(us.length, d, "float64");
    for (let i = 0; i < us.length; i++) for (let j = 0; j < d; j++) X.data[i * d + j] = E.data[us[i]! * d + j]! * E.data[vs[i]! * d + j]!;
    return X;
  };
  const nTrainNeg = trainU.length;
  const Xtr = stack(features(trainU, trainV), features(negU.slice(0, nTrainNeg), negV.slice(0, nTrainNeg)));
  const ytr = [...new Array<number>(trainU.length).fill(1), ...new Array<number>(nTrainNeg).fill(0)];
  const clf = new LogisticRegression({ C: options.C ?? 1 });
  await clf.fit(Xtr, ytr);
  const sp = clf.decisionFunction(features(testU, testV)).data;
  const sn = clf.decisionFunction(features(negU.slice(nTrainNeg), negV.slice(nTrainNeg))).data;
  return { rocAuc: rocAuc(sp, sn), trainEdges: trainU.length, testEdges: testU.length };
}

function stack(A: Matrix, B: Matrix): Matrix {
  const out = Matrix.zeros(A.rows + B.rows, A.cols, "float64");
  out.data.set(A.data, 0);
  out.data.set(B.data, A.data.length);
  return out;
}

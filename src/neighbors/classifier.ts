// k-nearest-neighbour classification (as scikit-learn's KNeighborsClassifier with uniform weights and brute-force
// search): a query row gets the label most common among its k nearest training rows, found by the exact search of
// src/neighbors/knn.ts (GEMM distances, euclidean or cosine). It is the simplest probe of a representation: how
// well do codes that are close share a label?
//
// Ties. When several labels get the most votes, the one whose tied neighbours are closer in sum wins (the smallest
// sum of distances), and if those sums are equal too, the label of the nearest of them. scikit-learn takes the
// smallest label instead, which depends on how labels happen to be named; with k = 1 the rules agree.
import { describeValue, fail } from "../core/errors.js";
import { checkFeatures, checkSaved, fitted, matrixFromJSON, matrixToJSON, type Estimator, type MatrixJSON } from "../core/estimator.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { choice, decodeParams, encodeParams, int, resolveParams, type ParamsOf, type Schema } from "../core/params.js";
import { classesFromJSON, encodeLabels, type Label } from "../linear/labels.js";
import { exactKnn, type Metric } from "./knn.js";

export interface KNeighborsClassifierOptions {
  /** Neighbours that vote (default 5, as scikit-learn). */
  k?: number;
  /** Distance: "euclidean" (default) or "cosine" (1 − cos). */
  metric?: Metric;
}

export const KNEIGHBORS_CLASSIFIER_PARAMS = {
  k: int("neighbours that vote", { min: 1, default: 5 }),
  metric: choice(["euclidean", "cosine"], "distance between rows", { default: "euclidean" }),
} satisfies Schema<KNeighborsClassifierOptions>;

export type KNeighborsClassifierParams = ParamsOf<KNeighborsClassifierOptions, typeof KNEIGHBORS_CLASSIFIER_PARAMS>;

export interface KNeighborsClassifierJSON {
  type: "KNeighborsClassifier";
  version: 1;
  options: Record<string, unknown>;
  classes: Label[];
  /** The training rows (the fitted state of a kNN classifier is its data). */
  data: MatrixJSON;
  /** The class index of each training row. */
  labels: number[];
}

/** Majority vote of the k nearest training rows (exact search; ties to the closer label, see the file header). */
export class KNeighborsClassifier implements Estimator<MatrixLike, KNeighborsClassifierParams> {
  static readonly schema = KNEIGHBORS_CLASSIFIER_PARAMS;
  readonly options: KNeighborsClassifierParams;
  private data_?: Matrix;
  private labels_?: Int32Array;
  private classes_?: Label[];

  constructor(options: KNeighborsClassifierOptions = {}) {
    this.options = resolveParams(KNEIGHBORS_CLASSIFIER_PARAMS, options, "KNeighborsClassifier");
  }

  getParams(): KNeighborsClassifierParams {
    return { ...this.options };
  }

  /** The class labels, sorted. */
  get classes(): Label[] {
    return fitted(this.classes_, "KNeighborsClassifier");
  }
  /** The training rows (a float32 copy unless X was a float64 Matrix, which is kept as float64 for exact ranks). */
  get data(): Matrix {
    return fitted(this.data_, "KNeighborsClassifier");
  }
  get nFeatures(): number {
    return this.data.cols;
  }

  /** Stores the training rows and their labels (strings or numbers). */
  async fit(X: MatrixLike, y?: ArrayLike<Label>): Promise<this> {
    const M = toMatrix(X, "X", X instanceof Matrix ? X.dtype : "float32");
    const { classes, index } = encodeLabels(y, M.rows, "KNeighborsClassifier");
    if (this.options.k > M.rows) fail(`k=${this.options.k} neighbours requested, but only ${M.rows} training rows were given`);
    this.data_ = M === X ? M.clone() : M;
    this.labels_ = index;
    this.classes_ = classes;
    return this;
  }

  /** The class index (into `classes`) of each query row's vote. */
  predictIndex(X: MatrixLike): Int32Array {
    const data = this.data;
    const Q = toMatrix(X, "X", data.dtype);
    checkFeatures(Q, data.cols, "KNeighborsClassifier");
    const { k, metric } = this.options;
    const g = exactKnn(data, k, { query: Q, metric });
    const labels = this.labels_!;
    const C = this.classes_!.length;
    const votes = new Int32Array(C);
    const dsum = new Float64Array(C);
    const out = new Int32Array(Q.rows);
    for (let i = 0; i < Q.rows; i++) {
      for (let t = 0; t < k; t++) {
        const c = labels[g.indices[i * k + t]!]!;
        votes[c]!++;
        dsum[c]! += g.distances[i * k + t]!;
      }
      // neighbours come nearest first, so scanning them in order and keeping the first best breaks the last tie
      let best = labels[g.indices[i * k]!]!;
      for (let t = 1; t < k; t++) {
        const c = labels[g.indices[i * k + t]!]!;
        if (votes[c]! > votes[best]! || (votes[c] === votes[best] && dsum[c]! < dsum[best]!)) best = c;
      }
      out[i] = best;
      for (let t = 0; t < k; t++) {
        const c = labels[g.indices[i * k + t]!]!;
        votes[c] = 0;
        dsum[c] = 0;
      }
    }
    return out;
  }

  /** The voted label of each query row. */
  predict(X: MatrixLike): Label[] {
    const classes = this.classes;
    return Array.from(this.predictIndex(X), (c) => classes[c]!);
  }

  /** Accuracy of predict(X) against y. */
  score(X: MatrixLike, y: ArrayLike<Label>): number {
    const pred = this.predict(X);
    if (!y || y.length !== pred.length) fail(`y has ${describeValue(y?.length)} labels, but X has ${pred.length} rows`);
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) hit++;
    return hit / pred.length;
  }

  toJSON(): KNeighborsClassifierJSON {
    return {
      type: "KNeighborsClassifier",
      version: 1,
      options: encodeParams(KNEIGHBORS_CLASSIFIER_PARAMS, this.options),
      classes: [...this.classes],
      data: matrixToJSON(this.data),
      labels: Array.from(this.labels_!),
    };
  }

  static fromJSON(json: KNeighborsClassifierJSON): KNeighborsClassifier {
    checkSaved(json, "KNeighborsClassifier");
    const m = new KNeighborsClassifier(decodeParams(KNEIGHBORS_CLASSIFIER_PARAMS, json.options, "KNeighborsClassifier"));
    const classes = classesFromJSON(json.classes, "KNeighborsClassifier.classes");
    const data = matrixFromJSON(json.data, "KNeighborsClassifier.data");
    if (!Array.isArray(json.labels) || json.labels.length !== data.rows) {
      fail(`KNeighborsClassifier.labels: expected ${data.rows} class indices (one per training row) in the saved model`);
    }
    const labels = new Int32Array(data.rows);
    json.labels.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= classes.length) {
        fail(`KNeighborsClassifier.labels[${i}] is ${describeValue(v)}: expected a class index in [0, ${classes.length - 1}]`);
      }
      labels[i] = v;
    });
    if (m.options.k > data.rows) fail(`KNeighborsClassifier: k=${m.options.k} but the saved model holds ${data.rows} training rows`);
    m.data_ = data;
    m.labels_ = labels;
    m.classes_ = classes;
    return m;
  }
}

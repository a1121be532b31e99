// Logistic regression with an L2 penalty, as scikit-learn's LogisticRegression (solver "lbfgs"), for probing
// representations: linear-probe accuracy of codes, node classification (one-vs-rest, multi-label with top-k
// prediction as in the node2vec paper), transfer probes on CNN features.
//
// Model. For K classes and weights W (K×d) and intercepts b (K), the scores of a row x are z = W·x + b.
// * multinomial (softmax): P(class k | x) = exp(z_k) / Σ_j exp(z_j), loss CE_i = logsumexp(z_i) − z_{i,y_i};
// * one-vs-rest: K independent binary problems, P(k | x) = σ(z_k), loss CE_ik = softplus(z_ik) − [y_i = k]·z_ik
//   (probabilities renormalised over the classes for predictProba, as scikit-learn's "ovr"); two classes are one
//   binary problem (one row of W, the second class is the positive one);
// * multi-label (fitMultiLabel): the same independent binary problems, one per label column of a 0/1 matrix.
// The fit minimises scikit-learn's objective  ½‖W‖² + C·Σ_i CE_i  (the intercept is not penalised), divided by C·n
// so that the gradient's scale does not grow with n:  f = (1/n)·Σ_i CE_i + ‖W‖²/(2·C·n).  Same minimiser; `tol`
// is the bound on the largest entry of ∇f (scikit-learn ≥ 1.3 scales its objective the same way).
//
// Solver: L-BFGS with a strong-Wolfe line search (src/linalg/lbfgs.ts) from W = 0, b = 0, as scikit-learn's. Each
// evaluation of f and ∇f is two GEMMs, Z = X·Wᵀ and ∇W = Rᵀ·X with R the residuals P − Y, fused over blocks of
// four rows in float64 (see logisticObjective), so memory stays at one float64 copy of X.
// From zero, every iterate keeps Σ_k W_k = 0 and Σ_k b_k = 0 (the gradient's class sums vanish), which picks the
// same representative of the softmax's shift-invariant intercepts as scikit-learn. With two classes and
// multiClass "multinomial" the two rows are then opposite, and only the second is kept (scikit-learn's coef_ for a
// binary multinomial fit: P(second | x) = σ(2·(w·x + b))).
import { describeValue, fail } from "../core/errors.js";
import {
  checkFeatures, checkSaved, fitted, matrixFromJSON, matrixToJSON, numberFromJSON, numbersFromJSON, type Estimator,
  type MatrixJSON,
} from "../core/estimator.js";
import { gemmTS } from "../core/gemm.js";
import { Matrix, toMatrix, type MatrixLike } from "../core/matrix.js";
import { bool, choice, decodeParams, encodeParams, int, num, resolveParams, type ParamsOf, type Schema } from "../core/params.js";
import { minimizeLbfgs } from "../linalg/lbfgs.js";
import { classesFromJSON, encodeLabels, type Label } from "./labels.js";

export interface LogisticRegressionOptions {
  /** Inverse regularisation strength: the objective is ½‖W‖² + C·Σ cross-entropy (default 1, as scikit-learn). */
  C?: number;
  /** "auto": multinomial for 3 or more classes, one binary problem for 2 (scikit-learn's default); "multinomial"; "ovr". */
  multiClass?: "auto" | "multinomial" | "ovr";
  /** Fit an (unpenalised) intercept per class (default true). */
  fitIntercept?: boolean;
  /** L-BFGS iterations at most (default 100). */
  maxIter?: number;
  /** Converged when the largest entry of the mean objective's gradient is at most tol (default 1e-4). */
  tol?: number;
  /** L-BFGS memory: correction pairs kept (default 10). */
  memory?: number;
}

export const LOGISTIC_REGRESSION_PARAMS = {
  C: num("inverse regularisation strength (objective ½‖W‖² + C·Σ cross-entropy)", { gt: 0, default: 1 }),
  multiClass: choice(["auto", "multinomial", "ovr"], "multinomial (softmax) or one-vs-rest; auto: multinomial for 3+ classes",
    { default: "auto" }),
  fitIntercept: bool("fit an unpenalised intercept per class", { default: true }),
  maxIter: int("L-BFGS iterations at most", { min: 1, default: 100 }),
  tol: num("stop when the largest gradient entry of the mean objective is at most tol", { min: 0, default: 1e-4 }),
  memory: int("L-BFGS correction pairs kept", { min: 1, default: 10 }),
} satisfies Schema<LogisticRegressionOptions>;

export type LogisticRegressionParams = ParamsOf<LogisticRegressionOptions, typeof LOGISTIC_REGRESSION_PARAMS>;

/** How scores become probabilities. */
type Form = "softmax" | "softmax2" | "binary" | "ovr" | "multilabel";

export interface LogisticRegressionJSON {
  type: "LogisticRegression";
  version: 1;
  options: Record<string, unknown>;
  /** The class labels (label column indices for a multi-label fit). */
  classes: Label[];
  multiLabel: boolean;
  coef: MatrixJSON;
  intercept: number[];
  nIter: number;
  converged: boolean;
}

/** The targets of one fit: a class index per row (softmax), or a 0/1 matrix n×K of independent binary problems. */
type Targets = { kind: "softmax"; index: Int32Array; K: number } | { kind: "sigmoid"; Y: Uint8Array; K: number };

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** z[k] of one row from its scores: the loss term, and the residual (p − y) written back into z. */
function lossAndResidual(z: Float64Array, zo: number, K: number, t: Targets, i: number): number {
  if (t.kind === "softmax") {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, z[zo + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(z[zo + k]! - mx);
    const lse = mx + Math.log(s);
    const yi = t.index[i]!;
    const loss = lse - z[zo + yi]!;
    for (let k = 0; k < K; k++) z[zo + k] = Math.exp(z[zo + k]! - lse);
    z[zo + yi]! -= 1;
    return loss;
  }
  let loss = 0;
  for (let k = 0; k < K; k++) {
    const y = t.Y[i * K + k]!;
    const v = z[zo + k]!;
    loss += softplus(v) - y * v;
    z[zo + k] = sigmoid(v) - y;
  }
  return loss;
}

/**
 * The objective f(θ) = (1/n)·Σ_i loss_i + ‖W‖²/(2·C·n) and its gradient, θ = [W (K×d, row-major), b (K)].
 * Exported for the tests (finite differences, the optimum's gradient).
 *
 * The two products per evaluation, Z = X·Wᵀ and ∇W = Rᵀ·X (R the residuals), are a small GEMM kernel fused over
 * blocks of four rows: each weight is loaded once per four rows for the scores, each gradient entry once per four
 * rows for the update, all in float64 over one float64 copy of X (one typed-array kind keeps the loops monomorphic;
 * about 2.5× faster here than the general gemmTS).
 */
export function logisticObjective(X: Matrix, t: Targets, C: number, fitIntercept: boolean): (theta: Float64Array, grad: Float64Array) => number {
  const n = X.rows, d = X.cols, K = t.K;
  const x = X.data instanceof Float64Array ? X.data : Float64Array.from(X.data);
  const Z = new Float64Array(4 * K);
  return (theta, grad) => {
    grad.fill(0);
    const Kd = K * d;
    let loss = 0;
    for (let i0 = 0; i0 < n; i0 += 4) {
      const m = Math.min(4, n - i0);
      const o0 = i0 * d, o1 = o0 + (m > 1 ? d : 0), o2 = o0 + (m > 2 ? 2 * d : 0), o3 = o0 + (m > 3 ? 3 * d : 0);
      // scores of four rows (rows past the end repeat row i0 and are ignored)
      for (let k = 0; k < K; k++) {
        const b = fitIntercept ? theta[Kd + k]! : 0;
        let s0 = b, s1 = b, s2 = b, s3 = b;
        const wo = k * d;
        for (let j = 0; j < d; j++) {
          const w = theta[wo + j]!;
          s0 += w * x[o0 + j]!;
          s1 += w * x[o1 + j]!;
          s2 += w * x[o2 + j]!;
          s3 += w * x[o3 + j]!;
        }
        Z[k] = s0;
        Z[K + k] = s1;
        Z[2 * K + k] = s2;
        Z[3 * K + k] = s3;
      }
      for (let r = 0; r < 4; r++) {
        if (r < m) loss += lossAndResidual(Z, r * K, K, t, i0 + r);
        else for (let k = 0; k < K; k++) Z[r * K + k] = 0;
      }
      // gradient: ∇W_k += Σ_r R[r][k]·x_r
      for (let k = 0; k < K; k++) {
        const r0 = Z[k]!, r1 = Z[K + k]!, r2 = Z[2 * K + k]!, r3 = Z[3 * K + k]!;
        if (fitIntercept) grad[Kd + k]! += r0 + r1 + r2 + r3;
        const go = k * d;
        for (let j = 0; j < d; j++) grad[go + j]! += r0 * x[o0 + j]! + r1 * x[o1 + j]! + r2 * x[o2 + j]! + r3 * x[o3 + j]!;
      }
    }
    const inv = 1 / n;
    let ww = 0;
    for (let j = 0; j < Kd; j++) {
      const w = theta[j]!;
      ww += w * w;
      grad[j] = grad[j]! * inv + w / (C * n);
    }
    if (fitIntercept) for (let k = 0; k < K; k++) grad[Kd + k]! *= inv;
    return loss * inv + ww / (2 * C * n);
  };
}

/** Checks a 0/1 (or boolean) label matrix of n rows and returns it as bytes, row-major n×L. */
function labelMatrix(Y: ArrayLike<ArrayLike<boolean | number>> | Matrix, n: number): { Y: Uint8Array; L: number } {
  if (Y instanceof Matrix) {
    if (Y.rows !== n) fail(`Y has ${Y.rows} rows, but X has ${n}`);
    const out = new Uint8Array(Y.data.length);
    for (let k = 0; k < out.length; k++) {
      const v = Y.data[k]!;
      if (v !== 0 && v !== 1) fail(`Y[${Math.floor(k / Y.cols)}][${k % Y.cols}] is ${describeValue(v)}: expected 0 or 1 (label absent or present)`);
      out[k] = v;
    }
    return { Y: out, L: Y.cols };
  }
  if (!Y || typeof Y !== "object" || typeof Y.length !== "number") fail(`Y must be a 0/1 Matrix or an array of rows of booleans, got ${describeValue(Y)}`);
  if (Y.length !== n) fail(`Y has ${Y.length} rows, but X has ${n}`);
  const L = Y[0]?.length ?? 0;
  if (!(L > 0)) fail("Y has no label columns: expected one boolean per label in each row");
  const out = new Uint8Array(n * L);
  for (let i = 0; i < n; i++) {
    const row = Y[i];
    if (!row || row.length !== L) fail(`Y has ragged rows: row ${i} has ${row?.length ?? "no"} values, row 0 has ${L}`);
    for (let k = 0; k < L; k++) {
      const v = row[k];
      if (v === true || v === 1) out[i * L + k] = 1;
      else if (v !== false && v !== 0) fail(`Y[${i}][${k}] is ${describeValue(v)}: expected a boolean (or 0/1)`);
    }
  }
  return { Y: out, L };
}

/** Multinomial or one-vs-rest logistic regression with an L2 penalty, fitted by L-BFGS (scikit-learn's model). */
export class LogisticRegression implements Estimator<MatrixLike, LogisticRegressionParams> {
  static readonly schema = LOGISTIC_REGRESSION_PARAMS;
  readonly options: LogisticRegressionParams;
  private coef_?: Matrix;
  private intercept_?: Float64Array;
  private classes_?: Label[];
  private form_?: Form;
  private nIter_?: number;
  private converged_?: boolean;

  constructor(options: LogisticRegressionOptions = {}) {
    this.options = resolveParams(LOGISTIC_REGRESSION_PARAMS, options, "LogisticRegression");
  }

  getParams(): LogisticRegressionParams {
    return { ...this.options };
  }

  /** Weights, one row per class (one row for a binary problem: the second class's), float64. */
  get coef(): Matrix {
    return fitted(this.coef_, "LogisticRegression");
  }
  /** Intercepts, one per row of coef (zeros when fitIntercept is false). */
  get intercept(): Float64Array {
    return fitted(this.intercept_, "LogisticRegression");
  }
  /** The class labels, sorted (label column indices 0..L−1 after fitMultiLabel). */
  get classes(): Label[] {
    return fitted(this.classes_, "LogisticRegression");
  }
  /** L-BFGS iterations of the fit. */
  get nIter(): number {
    return fitted(this.nIter_, "LogisticRegression");
  }
  /** Whether L-BFGS met its tolerance before maxIter (scikit-learn warns otherwise). */
  get converged(): boolean {
    return fitted(this.converged_, "LogisticRegression");
  }
  /** Whether the model was fitted by fitMultiLabel. */
  get multiLabel(): boolean {
    return fitted(this.form_, "LogisticRegression") === "multilabel";
  }
  get nFeatures(): number {
    return this.coef.cols;
  }

  /** Fits on rows X with one label per row (strings or numbers); the classes are the sorted distinct labels. */
  async fit(X: MatrixLike, y?: ArrayLike<Label>): Promise<this> {
    const M = toMatrix(X, "X", X instanceof Matrix ? X.dtype : "float64");
    const { classes, index } = encodeLabels(y, M.rows, "LogisticRegression");
    if (classes.length < 2) {
      fail(`LogisticRegression needs samples of at least 2 classes, but y holds only one: ${describeValue(classes[0])}`);
    }
    const K = classes.length;
    const mode = this.options.multiClass === "auto" ? (K === 2 ? "ovr" : "multinomial") : this.options.multiClass;
    if (mode === "multinomial") {
      this.solve(M, { kind: "softmax", index, K });
      if (K === 2) {
        // keep the second row (the first is its opposite): scikit-learn's binary multinomial coef_
        this.coef_ = this.coef_!.rowRange(1, 2).clone();
        this.intercept_ = this.intercept_!.slice(1);
        this.form_ = "softmax2";
      } else this.form_ = "softmax";
    } else {
      const cols = K === 2 ? 1 : K;
      const Y = new Uint8Array(M.rows * cols);
      for (let i = 0; i < M.rows; i++) {
        if (K === 2) Y[i] = index[i]!;
        else Y[i * K + index[i]!] = 1;
      }
      this.solve(M, { kind: "sigmoid", Y, K: cols });
      this.form_ = K === 2 ? "binary" : "ovr";
    }
    this.classes_ = classes;
    return this;
  }

  /**
   * Multi-label fit: one binary problem per column of Y (n×L, booleans or 0/1), fitted jointly (the objective is
   * separable, so the optimum is that of L separate fits). A label that no training row has (or every row has) gets
   * zero weights and an intercept of ∓30 (probability ≈ 1e-13), as a constant predictor. Then predictProba gives
   * independent probabilities per label and predictTopK the k most probable labels of each row.
   */
  async fitMultiLabel(X: MatrixLike, Y: ArrayLike<ArrayLike<boolean | number>> | Matrix): Promise<this> {
    const M = toMatrix(X, "X", X instanceof Matrix ? X.dtype : "float64");
    const { Y: T, L } = labelMatrix(Y, M.rows);
    this.solve(M, { kind: "sigmoid", Y: T, K: L });
    for (let k = 0; k < L; k++) {
      let pos = 0;
      for (let i = 0; i < M.rows; i++) pos += T[i * L + k]!;
      if (pos === 0 || pos === M.rows) {
        this.coef_!.data.fill(0, k * M.cols, (k + 1) * M.cols);
        this.intercept_![k] = pos === 0 ? -30 : 30;
      }
    }
    this.classes_ = Array.from({ length: L }, (_, k) => k);
    this.form_ = "multilabel";
    return this;
  }

  private solve(X: Matrix, t: Targets): void {
    const { C, fitIntercept, maxIter, tol, memory } = this.options;
    const d = X.cols, K = t.K;
    const fg = logisticObjective(X, t, C, fitIntercept);
    // no relative-decrease stop (ftol 0): SciPy's default one ends ill-conditioned fits with gradients ~1e-5 (as it
    // does scikit-learn's), so here `tol` on the gradient, maxIter, or the floating-point floor decide
    const res = minimizeLbfgs(fg, new Float64Array(K * d + (fitIntercept ? K : 0)), { maxIter, gtol: tol, ftol: 0, memory });
    this.coef_ = new Matrix(K, d, res.x.slice(0, K * d));
    this.intercept_ = fitIntercept ? res.x.slice(K * d) : new Float64Array(K);
    this.nIter_ = res.nIter;
    this.converged_ = res.converged;
  }

  /** Scores z = X·Wᵀ + b: n × (rows of coef); one column for a binary problem. */
  decisionFunction(X: MatrixLike): Matrix {
    const W = this.coef;
    const M = toMatrix(X, "X", X instanceof Matrix ? X.dtype : "float64");
    checkFeatures(M, W.cols, "LogisticRegression");
    const K = W.rows, d = W.cols;
    const Z = Matrix.zeros(M.rows, K, "float64");
    gemmTS(M.data, d, 1, W.data, 1, d, Z.data, M.rows, K, d);
    const b = this.intercept;
    for (let i = 0; i < M.rows; i++) for (let k = 0; k < K; k++) Z.data[i * K + k]! += b[k]!;
    return Z;
  }

  /** Class probabilities, n × classes (columns in the order of `classes`; independent per label after fitMultiLabel). */
  predictProba(X: MatrixLike): Matrix {
    const Z = this.decisionFunction(X);
    const form = this.form_!;
    const n = Z.rows;
    if (form === "binary" || form === "softmax2") {
      const P = Matrix.zeros(n, 2, "float64");
      for (let i = 0; i < n; i++) {
        const p = sigmoid(form === "binary" ? Z.data[i]! : 2 * Z.data[i]!);
        P.data[2 * i] = 1 - p;
        P.data[2 * i + 1] = p;
      }
      return P;
    }
    const K = Z.cols, z = Z.data;
    for (let i = 0; i < n; i++) {
      const row = z.subarray(i * K, (i + 1) * K);
      if (form === "softmax") {
        let mx = -Infinity;
        for (let k = 0; k < K; k++) mx = Math.max(mx, row[k]!);
        let s = 0;
        for (let k = 0; k < K; k++) s += (row[k] = Math.exp(row[k]! - mx));
        for (let k = 0; k < K; k++) row[k]! /= s;
      } else {
        let s = 0;
        for (let k = 0; k < K; k++) s += (row[k] = sigmoid(row[k]!));
        if (form === "ovr") for (let k = 0; k < K; k++) row[k]! /= s;
      }
    }
    return Z;
  }

  /** The most probable class of each row (the highest score; ties to the first class). */
  predict(X: MatrixLike): Label[] {
    if (this.multiLabel) fail("this LogisticRegression was fitted by fitMultiLabel: use predictTopK(X, ks) or predictProba(X)");
    const Z = this.decisionFunction(X);
    const classes = this.classes_!;
    const out: Label[] = new Array(Z.rows);
    for (let i = 0; i < Z.rows; i++) {
      if (Z.cols === 1) {
        out[i] = classes[Z.data[i]! > 0 ? 1 : 0]!;
        continue;
      }
      let best = 0;
      for (let k = 1; k < Z.cols; k++) if (Z.data[i * Z.cols + k]! > Z.data[i * Z.cols + best]!) best = k;
      out[i] = classes[best]!;
    }
    return out;
  }

  /** Accuracy of predict(X) against y. */
  score(X: MatrixLike, y: ArrayLike<Label>): number {
    const pred = this.predict(X);
    if (!y || y.length !== pred.length) fail(`y has ${y?.length} labels, but X has ${pred.length} rows`);
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) hit++;
    return hit / pred.length;
  }

  /**
   * The k highest-scoring classes of each row, best first (k = ks[i] for row i, or one k for every row): the
   * node2vec paper's multi-label protocol predicts as many labels as the node truly has. Returns class indices
   * into `classes` (the label columns after fitMultiLabel).
   */
  predictTopK(X: MatrixLike, ks: ArrayLike<number> | number): number[][] {
    const Z = this.decisionFunction(X);
    const K = Z.cols;
    if (K < 2) fail("predictTopK needs more than one score per row: a binary model has one (use predict)");
    if (typeof ks !== "number" && (!ks || ks.length !== Z.rows)) fail(`ks has ${(ks as ArrayLike<number>)?.length} values, but X has ${Z.rows} rows`);
    const out: number[][] = [];
    const order = Array.from({ length: K }, (_, k) => k);
    for (let i = 0; i < Z.rows; i++) {
      const k = typeof ks === "number" ? ks : ks[i]!;
      if (!Number.isInteger(k) || k < 0 || k > K) fail(`ks${typeof ks === "number" ? "" : `[${i}]`} is ${describeValue(k)}: expected an integer in [0, ${K}]`);
      const z = Z.data.subarray(i * K, (i + 1) * K);
      order.sort((a, b) => z[b]! - z[a]! || a - b);
      out.push(order.slice(0, k));
    }
    return out;
  }

  toJSON(): LogisticRegressionJSON {
    return {
      type: "LogisticRegression",
      version: 1,
      options: encodeParams(LOGISTIC_REGRESSION_PARAMS, this.options),
      classes: [...this.classes],
      multiLabel: this.multiLabel,
      coef: matrixToJSON(this.coef),
      intercept: Array.from(this.intercept),
      nIter: this.nIter,
      converged: this.converged,
    };
  }

  static fromJSON(json: LogisticRegressionJSON): LogisticRegression {
    checkSaved(json, "LogisticRegression");
    const m = new LogisticRegression(decodeParams(LOGISTIC_REGRESSION_PARAMS, json.options, "LogisticRegression"));
    const classes = classesFromJSON(json.classes, "LogisticRegression.classes");
    if (typeof json.multiLabel !== "boolean") fail(`LogisticRegression.multiLabel is ${describeValue(json.multiLabel)}: expected a boolean in the saved model`);
    const K = classes.length;
    let form: Form;
    if (json.multiLabel) form = "multilabel";
    else if (K < 2) fail(`LogisticRegression.classes: ${K} class in the saved model, expected at least 2`);
    else {
      const mode = m.options.multiClass === "auto" ? (K === 2 ? "ovr" : "multinomial") : m.options.multiClass;
      form = K === 2 ? (mode === "multinomial" ? "softmax2" : "binary") : mode === "multinomial" ? "softmax" : "ovr";
    }
    const rows = form === "binary" || form === "softmax2" ? 1 : K;
    const coef = matrixFromJSON(json.coef, "LogisticRegression.coef", { rows });
    m.coef_ = coef.dtype === "float64" ? coef : coef.astype("float64");
    m.intercept_ = numbersFromJSON(json.intercept, "LogisticRegression.intercept", { length: rows, lengthOf: "one per row of coef" });
    m.classes_ = classes;
    m.form_ = form;
    m.nIter_ = numberFromJSON(json.nIter, "LogisticRegression.nIter", { min: 0, integer: true });
    if (typeof json.converged !== "boolean") fail(`LogisticRegression.converged is ${describeValue(json.converged)}: expected a boolean in the saved model`);
    m.converged_ = json.converged;
    return m;
  }
}

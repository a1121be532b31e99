// LogisticRegression and its L-BFGS solver: agreement with scikit-learn (fixtures of
// test/fixtures/linear/make_logistic_fixtures.py), the gradient against finite differences, the optimum's
// stationarity condition computed independently through predictProba, the multi-label mode, and the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { minimizeLbfgs } from "../../src/linalg/lbfgs.js";
import { LogisticRegression, logisticObjective } from "../../src/linear/logistic.js";
import { encodeLabels, type Label } from "../../src/linear/labels.js";
import { randn } from "../helpers.js";

interface Case {
  data: string;
  keep: Label[] | null;
  options: { C: number; multiClass: "auto" | "multinomial" | "ovr"; fitIntercept: boolean };
  classes: Label[];
  coef: number[][];
  intercept: number[];
  predict: Label[];
  proba: number[][];
}
const FIXTURES = JSON.parse(readFileSync(fileURLToPath(new URL("../../../test/fixtures/linear/logistic.json", import.meta.url)), "utf8")) as {
  datasets: Record<string, { X: number[][]; y: Label[] }>;
  cases: Case[];
};

function caseData(c: Case): { X: number[][]; y: Label[] } {
  const { X, y } = FIXTURES.datasets[c.data]!;
  if (!c.keep) return { X, y };
  const keep = y.map((v) => c.keep!.includes(v));
  return { X: X.filter((_, i) => keep[i]), y: y.filter((_, i) => keep[i]) };
}

/** The objective (of logisticObjective) at a point, and its largest gradient entry. */
function objectiveAt(X: Matrix, y: Label[], c: Case, coef: ArrayLike<number>, intercept: ArrayLike<number>): { f: number; g: number } {
  const { index, classes } = encodeLabels(y, X.rows, "test");
  const K = classes.length;
  const fg = logisticObjective(X, { kind: "softmax", index, K }, c.options.C, c.options.fitIntercept);
  const theta = new Float64Array(K * X.cols + (c.options.fitIntercept ? K : 0));
  theta.set(coef);
  if (c.options.fitIntercept) theta.set(intercept, K * X.cols);
  const grad = new Float64Array(theta.length);
  const f = fg(theta, grad);
  return { f, g: Math.max(...Array.from(grad, Math.abs)) };
}

test("LogisticRegression agrees with scikit-learn's lbfgs: coefficients, intercepts, probabilities, predictions", async () => {
  assert.ok(FIXTURES.cases.length >= 10);
  for (const c of FIXTURES.cases) {
    const { X, y } = caseData(c);
    const what = `${c.data} ${JSON.stringify(c.options)}${c.keep ? ` classes ${c.keep}` : ""}`;
    const lr = await new LogisticRegression({ ...c.options, tol: 1e-8, maxIter: 2000 }).fit(X, y);
    assert.ok(lr.converged, what);
    assert.deepEqual(lr.classes, c.classes, what);
    assert.deepEqual([lr.coef.rows, lr.coef.cols], [c.coef.length, c.coef[0]!.length], what);
    let diff = 0, scale = 0;
    c.coef.forEach((row, k) => row.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(lr.coef.get(k, j) - v));
      scale = Math.max(scale, Math.abs(v));
    }));
    c.intercept.forEach((v, k) => {
      diff = Math.max(diff, Math.abs(lr.intercept[k]! - v));
      scale = Math.max(scale, Math.abs(v));
    });
    if (c.data === "irisRaw") {
      // unscaled features: scikit-learn's own lbfgs stops short of the optimum (its gradient is ~1e-5 there), so
      // the coefficients agree only to ~1e-3, and ours are at least as good: a lower objective
      assert.ok(diff / scale < 3e-3, `${what}: coefficients differ by ${diff / scale} (relative)`);
      if (c.options.multiClass === "multinomial") {
        const ours = objectiveAt(Matrix.fromArray(X, "float64"), y, c, lr.coef.data, lr.intercept);
        const theirs = objectiveAt(Matrix.fromArray(X, "float64"), y, c, c.coef.flat(), c.intercept);
        assert.ok(ours.f <= theirs.f + 1e-12, `${what}: objective ${ours.f} > scikit-learn's ${theirs.f}`);
        assert.ok(ours.g < theirs.g, `${what}: gradient ${ours.g} not below scikit-learn's ${theirs.g}`);
      }
    } else {
      assert.ok(diff / scale < 2e-4, `${what}: coefficients differ by ${diff / scale} (relative)`);
    }
    assert.deepEqual(lr.predict(X), c.predict, what);
    const P = lr.predictProba(X.slice(0, 40));
    c.proba.forEach((row, i) => row.forEach((v, k) => assert.ok(Math.abs(P.get(i, k) - v) < 1e-4, `${what}: proba[${i}][${k}] ${P.get(i, k)} vs ${v}`)));
  }
});

test("the objective's gradient matches central finite differences (softmax and sigmoid, with and without intercept)", () => {
  const rng = new Random(4);
  const n = 37, d = 5, K = 4;
  const X = randn(n, d, 2);
  const index = Int32Array.from({ length: n }, () => rng.int(K));
  const Y = Uint8Array.from({ length: n * K }, () => (rng.uniform() < 0.3 ? 1 : 0));
  for (const t of [{ kind: "softmax" as const, index, K }, { kind: "sigmoid" as const, Y, K }]) {
    for (const fitIntercept of [true, false]) {
      const fg = logisticObjective(X, t, 0.7, fitIntercept);
      const p = K * d + (fitIntercept ? K : 0);
      const theta = Float64Array.from({ length: p }, () => rng.normal());
      const g = new Float64Array(p);
      fg(theta, g);
      const scratch = new Float64Array(p);
      const h = 1e-6;
      for (let j = 0; j < p; j++) {
        const th = theta.slice();
        th[j]! += h;
        const fp = fg(th, scratch);
        th[j]! -= 2 * h;
        const fm = fg(th, scratch);
        const fd = (fp - fm) / (2 * h);
        assert.ok(Math.abs(fd - g[j]!) < 1e-7 * Math.max(1, Math.abs(fd)), `${t.kind} intercept=${fitIntercept} θ[${j}]: ${g[j]} vs ${fd}`);
      }
    }
  }
});

test("at the fitted optimum: W = C·Σᵢ (yᵢ − pᵢ) xᵢᵀ, the residuals sum to zero per class, Σₖ Wₖ = 0 (KKT)", async () => {
  const { X, y } = FIXTURES.datasets.digits!;
  const C = 0.5;
  const lr = await new LogisticRegression({ C, tol: 1e-8, maxIter: 1000 }).fit(X, y);
  assert.ok(lr.converged);
  const P = lr.predictProba(X); // an independent route to the probabilities
  const K = lr.classes.length, d = X[0]!.length;
  const W = lr.coef;
  let worst = 0, scale = 0;
  for (let k = 0; k < K; k++) {
    let bias = 0;
    const r = new Float64Array(d);
    for (let i = 0; i < X.length; i++) {
      const res = (y[i] === lr.classes[k] ? 1 : 0) - P.get(i, k);
      bias += res;
      for (let j = 0; j < d; j++) r[j]! += C * res * X[i]![j]!;
    }
    assert.ok(Math.abs(bias) < 1e-5 * X.length, `class ${k}: residuals sum to ${bias}`);
    for (let j = 0; j < d; j++) {
      worst = Math.max(worst, Math.abs(W.get(k, j) - r[j]!));
      scale = Math.max(scale, Math.abs(W.get(k, j)));
    }
  }
  assert.ok(worst < 1e-4 * scale, `stationarity violated by ${worst} (max |W| ${scale})`);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += W.get(k, j);
    assert.ok(Math.abs(s) < 1e-9 * scale, `column ${j} of W sums to ${s}`);
  }
  // the fit is a real probe: better than chance by far on its training data, and the penalty matters
  assert.ok(lr.score(X, y) > 0.95);
  const strong = await new LogisticRegression({ C: 1e-4 }).fit(X, y);
  let n1 = 0, n2 = 0;
  for (const v of W.data) n1 += v * v;
  for (const v of strong.coef.data) n2 += v * v;
  assert.ok(n2 < n1 / 100, "a much smaller C shrinks the weights");
});

test("L-BFGS: Rosenbrock's minimum, a quadratic's solution, monotone decrease, stop reasons", () => {
  for (const n of [2, 10]) {
    const rosen = (x: Float64Array, g: Float64Array): number => {
      g.fill(0);
      let f = 0;
      for (let i = 0; i < n - 1; i++) {
        const a = x[i + 1]! - x[i]! * x[i]!, b = 1 - x[i]!;
        f += 100 * a * a + b * b;
        g[i]! += -400 * a * x[i]! - 2 * b;
        g[i + 1]! += 200 * a;
      }
      return f;
    };
    const fs: number[] = [];
    const r = minimizeLbfgs(rosen, Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1.2)), {
      maxIter: 500, gtol: 1e-9, ftol: 0, onIteration: (_, f) => fs.push(f),
    });
    assert.ok(r.converged, `n=${n}: stopped by ${r.stop}`);
    for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-6, `n=${n}: x = ${Array.from(r.x)}`);
    for (let i = 1; i < fs.length; i++) assert.ok(fs[i]! <= fs[i - 1]!, "f decreases at every iteration (sufficient decrease)");
  }
  // f = ½xᵀAx − bᵀx with A SPD: the minimiser solves Ax = b
  const n = 30;
  const B = randn(n, n, 5);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? 1 : 0;
    for (let k = 0; k < n; k++) s += B.get(k, i) * B.get(k, j) / n;
    A[i * n + j] = s;
  }
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const quad = (x: Float64Array, g: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i * n + j]! * x[j]!;
      g[i] = ax - b[i]!;
      f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
    }
    return f;
  };
  const q = minimizeLbfgs(quad, new Float64Array(n), { maxIter: 500, gtol: 1e-8, ftol: 0 });
  assert.equal(q.stop, "gtol");
  for (let i = 0; i < n; i++) {
    let ax = 0;
    for (let j = 0; j < n; j++) ax += A[i * n + j]! * q.x[j]!;
    assert.ok(Math.abs(ax - b[i]!) < 1e-8);
  }
  assert.equal(minimizeLbfgs(quad, new Float64Array(n), { maxIter: 3 }).stop, "maxIter");
  assert.throws(() => minimizeLbfgs(() => NaN, [1, 2]), /objective is NaN at the starting point/);
});

test("labels: strings or numbers, classes sorted as scikit-learn's (numbers numerically), predictions in kind", async () => {
  const X = [[0], [1], [2], [3], [10], [11], [12], [13], [20], [21], [22], [23]];
  const y = [10, 10, 10, 10, 9, 9, 9, 9, 2, 2, 2, 2];
  const lr = await new LogisticRegression({ C: 100 }).fit(X, y);
  assert.deepEqual(lr.classes, [2, 9, 10]);
  assert.deepEqual(lr.predict([[1.5], [21.5]]), [10, 2]);
  assert.equal(lr.score(X, y), 1);
  const s = await new LogisticRegression({ C: 100, multiClass: "ovr" }).fit(X, y.map((v) => `c${v}`));
  assert.deepEqual(s.classes, ["c10", "c2", "c9"]);
  assert.deepEqual(s.predict([[1.5], [21.5]]), ["c10", "c2"]);
  const P = s.predictProba([[11.5]]);
  assert.ok(Math.abs(P.get(0, 0) + P.get(0, 1) + P.get(0, 2) - 1) < 1e-12, "ovr probabilities are renormalised");
  assert.ok(P.get(0, 2) > 0.5);
  // binary: one row of coefficients, two probability columns
  const b = await new LogisticRegression().fit(X.slice(0, 8), y.slice(0, 8));
  assert.deepEqual([b.coef.rows, b.decisionFunction(X).cols, b.predictProba(X).cols], [1, 1, 2]);
  assert.deepEqual(b.predict([[0], [13]]), [10, 9]);
});

test("multi-label: the joint fit equals one binary fit per label; predictTopK gives each row its k best labels", async () => {
  const rng = new Random(7);
  const n = 400, d = 6, L = 5;
  const X = randn(n, d, 9);
  const T = randn(L, d, 10);
  const Y: boolean[][] = [];
  for (let i = 0; i < n; i++) {
    const row: boolean[] = [];
    for (let l = 0; l < L; l++) {
      let z = -0.5;
      for (let j = 0; j < d; j++) z += 2 * T.get(l, j) * X.get(i, j);
      row.push(rng.uniform() < 1 / (1 + Math.exp(-z)));
    }
    Y.push(row);
  }
  Y[0]![0] = true; // keep every label present in some rows
  const ml = await new LogisticRegression({ C: 2, tol: 1e-9, maxIter: 1000 }).fitMultiLabel(X, Y);
  assert.ok(ml.multiLabel);
  assert.deepEqual(ml.classes, [0, 1, 2, 3, 4]);
  for (let l = 0; l < L; l++) {
    const one = await new LogisticRegression({ C: 2, tol: 1e-9, maxIter: 1000 }).fit(X, Y.map((r) => (r[l] ? 1 : 0)));
    for (let j = 0; j < d; j++) assert.ok(Math.abs(one.coef.get(0, j) - ml.coef.get(l, j)) < 1e-5, `label ${l} weight ${j}`);
    assert.ok(Math.abs(one.intercept[0]! - ml.intercept[l]!) < 1e-5);
  }
  // top-k with k = the true number of labels (node2vec's protocol): micro-F1 well above a random guess
  const ks = Y.map((r) => r.filter(Boolean).length);
  const top = ml.predictTopK(X, ks);
  let tp = 0, total = 0;
  top.forEach((labels, i) => {
    assert.equal(labels.length, ks[i]);
    assert.equal(new Set(labels).size, labels.length);
    for (const l of labels) if (Y[i]![l]) tp++;
    total += ks[i]!;
  });
  assert.ok(tp / total > 0.75, `top-k precision ${tp / total}`);
  // best first
  const Z = ml.decisionFunction(X.rowRange(0, 1));
  const order = ml.predictTopK(X.rowRange(0, 1), L)[0]!;
  for (let t = 1; t < L; t++) assert.ok(Z.get(0, order[t - 1]!) >= Z.get(0, order[t]!));
  assert.throws(() => ml.predict(X), /fitted by fitMultiLabel: use predictTopK/);
  assert.throws(() => ml.predictTopK(X, [1, 2]), /ks has 2 values, but X has 400 rows/);
  assert.throws(() => ml.predictTopK(X, 6), /ks is 6: expected an integer in \[0, 5\]/);
  // a label no row has: a constant predictor, probability ~0
  const none = await new LogisticRegression().fitMultiLabel(X, Y.map((r) => [...r.slice(0, 2), false]));
  assert.ok(none.predictProba(X).get(3, 2) < 1e-12);
  await assert.rejects(new LogisticRegression().fitMultiLabel(X, [[true]]), /Y has 1 rows, but X has 400/);
  await assert.rejects(new LogisticRegression().fitMultiLabel(X, Y.map((r) => r.map((v) => (v ? 2 : 0)))), /Y\[\d+\]\[\d+\] is 2: expected a boolean/);
  // a round trip keeps the mode
  const copy = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(ml.toJSON())));
  assert.deepEqual(copy.predictTopK(X, ks), top);
});

test("LogisticRegression: clear errors", async () => {
  const X = [[0, 1], [1, 0], [1, 1]];
  await assert.rejects(new LogisticRegression().fit(X, [1, 1, 1]), /at least 2 classes, but y holds only one: 1/);
  await assert.rejects(new LogisticRegression().fit(X, [1, "a", 1]), /y mixes numbers and strings/);
  await assert.rejects(new LogisticRegression().fit(X, [1, 2]), /y has 2 labels, but X has 3 rows/);
  await assert.rejects(new LogisticRegression().fit(X), /needs labels y/);
  await assert.rejects(new LogisticRegression().fit(X, [1, NaN, 2]), /y\[1\] is NaN: labels must be strings or finite numbers/);
  await assert.rejects(new LogisticRegression().fit([[0, NaN]], [1]), /X\[0\]\[1\] is NaN/);
  assert.throws(() => new LogisticRegression({ C: 0 }), /C must be a number > 0, got 0/);
  assert.throws(() => new LogisticRegression({ multiClass: "crammer" as never }), /multiClass must be "auto", "multinomial" or "ovr"/);
  assert.throws(() => new LogisticRegression().coef, /not fitted yet/);
  const lr = await new LogisticRegression().fit(X, ["a", "b", "b"]);
  assert.throws(() => lr.predict([[1, 2, 3]]), /X has 3 features, but this LogisticRegression was fitted with 2/);
  assert.throws(() => lr.score(X, ["a"]), /y has 1 labels, but X has 3 rows/);
  assert.throws(() => lr.predictTopK(X, 1), /a binary model has one/);
  const json = JSON.parse(JSON.stringify(lr.toJSON()));
  assert.throws(() => LogisticRegression.fromJSON({ ...json, coef: { ...json.coef, rows: 2, data: [1, 2, 3, 4] } }), /coef: 2 rows, expected 1/);
  assert.throws(() => LogisticRegression.fromJSON({ ...json, classes: ["b", "a"] }), /not distinct and sorted/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readCsv } from "../../src/io/csv.js";
import { readIdxImages } from "../../src/io/idx.js";
import { frob2, maxAbsDiff, naiveMatmul, orthoError, PROJECT_DATA, sharedData } from "../helpers.js";

const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X;

// scikit-learn 1.x: PCA().fit(load_digits().data).explained_variance_ratio_[:10]
const SKLEARN_DIGITS_EVR = [0.14890594, 0.13618771, 0.11794594, 0.08409979, 0.05782415, 0.0491691, 0.04315987, 0.03661373,
  0.03353248, 0.03078806];

for (const solver of ["full", "covariance-eig", "randomized"] as const) {
  test(`PCA(${solver}) on digits reproduces scikit-learn's explained-variance ratios`, async () => {
    const pca = await new PCA({ nComponents: 10, solver, seed: 0 }).fit(digits);
    assert.equal(pca.solverUsed, solver);
    for (let i = 0; i < 10; i++) {
      assert.ok(Math.abs(pca.explainedVarianceRatio[i]! - SKLEARN_DIGITS_EVR[i]!) < 2e-6,
        `component ${i}: ${pca.explainedVarianceRatio[i]} vs ${SKLEARN_DIGITS_EVR[i]}`);
    }
    assert.ok(orthoError(pca.components.transpose().astype("float64")) < 1e-5);
  });
}

test("PCA solvers agree on components (same signs) and projections", async () => {
  const full = await new PCA({ nComponents: 8, solver: "full" }).fit(digits);
  const eig = await new PCA({ nComponents: 8, solver: "covariance-eig" }).fit(digits);
  const rnd = await new PCA({ nComponents: 8, solver: "randomized", seed: 3 }).fit(digits);
  assert.ok(maxAbsDiff(full.components, eig.components) < 1e-4);
  assert.ok(maxAbsDiff(full.components, rnd.components) < 1e-3);
  const z1 = full.transform(digits);
  const z2 = rnd.transform(digits);
  assert.ok(maxAbsDiff(z1, z2) < 1e-2 * Math.sqrt(full.explainedVariance[0]!));
});

test("PCA reconstruction error on the training data equals the sum of the discarded σ² (Eckart–Young)", async () => {
  const all = await new PCA({ solver: "full" }).fit(digits);
  for (const k of [1, 5, 20, 40]) {
    const pca = await new PCA({ nComponents: k, solver: "full" }).fit(digits);
    let tail = 0;
    for (let i = k; i < all.singularValues.length; i++) tail += all.singularValues[i]! ** 2;
    const err = pca.reconstructionError(digits);
    assert.ok(Math.abs(err - tail) < 2e-4 * tail, `k=${k}: ${err} vs ${tail}`);
    // with the projections at hand (the CLI's route): the same figure without the product
    const Z = pca.transform(digits);
    const viaZ = pca.reconstructionError(digits, Z);
    assert.ok(Math.abs(viaZ - tail) < 2e-4 * tail, `k=${k} from the projections: ${viaZ} vs ${tail}`);
    // and (n − 1)·totalVariance − ‖Z‖², as the CLI computes it for the training data
    let kept = 0;
    for (const v of Z.data) kept += v * v;
    const viaTotal = (digits.rows - 1) * pca.totalVariance - kept;
    assert.ok(Math.abs(viaTotal - tail) < 2e-4 * tail, `k=${k} from the total variance: ${viaTotal} vs ${tail}`);
  }
  const pca = await new PCA({ nComponents: 3 }).fit(digits);
  assert.throws(() => pca.reconstructionError(digits, pca.transform(digits).colRange(0, 2)), /projections of shape 1797x2, expected 1797x3/);
});

test("PCA projections are centred and uncorrelated with variance = explainedVariance; whitening gives unit variance", async () => {
  for (const whiten of [false, true]) {
    const pca = new PCA({ nComponents: 5, whiten });
    const Z = (await pca.fitTransform(digits)).astype("float64");
    const n = Z.rows;
    const C = naiveMatmul(Z, Z, true);
    for (let i = 0; i < 5; i++) {
      let m = 0;
      for (let r = 0; r < n; r++) m += Z.get(r, i);
      assert.ok(Math.abs(m / n) < 1e-3);
      const v = C.get(i, i) / (n - 1);
      assert.ok(Math.abs(v - (whiten ? 1 : pca.explainedVariance[i]!)) < 1e-3 * (whiten ? 1 : pca.explainedVariance[i]!));
      for (let j = 0; j < i; j++) assert.ok(Math.abs(C.get(i, j)) / (n - 1) < 1e-3 * Math.sqrt(pca.explainedVariance[0]!));
    }
  }
});

test("PCA with a variance fraction keeps the fewest components that reach it", async () => {
  const pca = await new PCA({ nComponents: 0.9 }).fit(digits);
  const cum = pca.explainedVarianceRatio.reduce((a, b) => a + b, 0);
  assert.ok(cum >= 0.9);
  assert.ok(cum - pca.explainedVarianceRatio[pca.nComponents - 1]! < 0.9);
  assert.equal(pca.nComponents, 21); // scikit-learn: PCA(0.9).fit(digits).n_components_ == 21
});

test("PCA inverseTransform at full rank reproduces the data", async () => {
  const pca = await new PCA({ solver: "full" }).fit(digits);
  const back = pca.inverseTransform(pca.transform(digits));
  assert.ok(maxAbsDiff(back, digits) < 1e-3);
});

test("PCA toJSON / fromJSON round-trips to the same transform", async () => {
  const pca = await new PCA({ nComponents: 4, whiten: true }).fit(digits);
  const copy = PCA.fromJSON(JSON.parse(JSON.stringify(pca.toJSON())));
  assert.equal(maxAbsDiff(copy.transform(digits), pca.transform(digits)), 0);
  assert.deepEqual(Array.from(copy.explainedVarianceRatio), Array.from(pca.explainedVarianceRatio));
  assert.throws(() => PCA.fromJSON({ type: "TSNE" } as never), /expected a saved PCA/);
});

test("PCA on Fashion-MNIST: randomized agrees with the exact spectrum to 1e-3", async () => {
  const { X } = readIdxImages(sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), 4000);
  const exact = await new PCA({ nComponents: 20, solver: "covariance-eig" }).fit(X);
  const rnd = await new PCA({ nComponents: 20, solver: "randomized", seed: 1 }).fit(X);
  const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
  assert.ok(Math.abs(sum(exact.explainedVarianceRatio) - sum(rnd.explainedVarianceRatio)) < 1e-3);
  for (let i = 0; i < 20; i++) {
    assert.ok(Math.abs(exact.explainedVarianceRatio[i]! - rnd.explainedVarianceRatio[i]!) < 1e-3 * exact.explainedVarianceRatio[0]!);
  }
  assert.ok(frob2(rnd.components) > 0);
});

test("PCA rejects bad input with messages naming the value", async () => {
  await assert.rejects(new PCA({ nComponents: 65 }).fit(digits), /nComponents=65 must be <= min\(nSamples, nFeatures\) = min\(1797, 64\) = 64/);
  await assert.rejects(new PCA().fit([[1, 2], [3]]), /ragged rows: row 1 has 1 values, row 0 has 2/);
  await assert.rejects(new PCA().fit([[1, 2], [3, NaN]]), /X\[1\]\[1\] is NaN/);
  await assert.rejects(new PCA().fit([[1, 2], [3, Infinity]]), /Infinity/);
  await assert.rejects(new PCA().fit([]), /empty/);
  await assert.rejects(new PCA().fit([[1, 2]]), /at least 2 samples/);
  await assert.rejects(new PCA().fit([[1, 2], [1, 2]]), /zero variance/);
  assert.throws(() => new PCA({ nComponents: -1 }), /got -1/);
  assert.throws(() => new PCA({ nComponents: 0.5, solver: "randomized" }), /full spectrum/);
  assert.throws(() => new PCA({ solver: "lapack" as never }), /"lapack"/);
  assert.throws(() => new PCA().components, /not fitted/);
  const pca = await new PCA({ nComponents: 2 }).fit(digits);
  assert.throws(() => pca.transform(Matrix.zeros(3, 5)), /X has 5 features, but this PCA was fitted with 64/);
});

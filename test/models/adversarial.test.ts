// FGSM and PGD (src/models/adversarial.ts) on CNNClassifier: the input gradient against central finite differences,
// FGSM's step exactly eps·sign(gradient), the L∞ ball and the valid range, the loss rising, PGD at least as strong as
// FGSM, targeted attacks reaching their class, accuracy falling with eps, one-line errors; adversarial training
// (the `adversarial` option) more robust under FGSM than standard training on the same subset.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { fgsm, inputGradient, pgd, robustAccuracy } from "../../src/models/adversarial.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { refuses, sharedData } from "../helpers.js";

/** The first n images of a Fashion-MNIST file (pixels / 255) and their labels. */
function fashion(split: "train" | "t10k", n: number, skip = 0): { X: Matrix; y: number[] } {
  const { X } = readIdxImages(sharedData(`fashion-mnist/${split}-images-idx3-ubyte.gz`), n + skip);
  const y = readIdxLabels(sharedData(`fashion-mnist/${split}-labels-idx1-ubyte.gz`), n + skip);
  const d = X.cols;
  return { X: new Matrix(n, d, Float32Array.from(X.data.subarray(skip * d, (skip + n) * d), (v) => v / 255)), y: Array.from(y.subarray(skip, skip + n)) };
}

/** Mean cross-entropy of the labels (the summed loss inputGradient reports, per row). */
const meanLoss = (m: CNNClassifier, X: Matrix, y: number[]): number => inputGradient(m, X, y).loss / X.rows;

const SMALL = "conv8,bn,relu,maxpool,conv16,bn,relu,maxpool,flatten,dense32,relu";
const OPTIONS = { layers: SMALL, epochs: 2, batchSize: 64, learningRate: 2e-3, seed: 1 } as const;
const train = fashion("train", 2000);
const testSet = fashion("t10k", 300);
let trained: CNNClassifier | undefined;
async function trainedNet(): Promise<CNNClassifier> {
  trained ??= await new CNNClassifier(OPTIONS).fit(train.X, train.y);
  return trained;
}

test("the input gradient equals central finite differences of the loss (a smooth tiny net); FGSM is exactly x + eps·sign(gradient) where not clipped", async () => {
  const rng = new Random(3);
  const n = 6;
  const X = new Matrix(n, 64, Float32Array.from({ length: n * 64 }, () => rng.uniform()));
  const y = [0, 1, 2, 0, 1, 2];
  // conv, batch norm (eval: affine), average pooling and dense layers: smooth, so differences have no kinks to cross
  const m = await new CNNClassifier({ layers: "conv3,bn,avgpool,flatten,dense6", epochs: 3, batchSize: 6, seed: 2 }).fit(X, y);
  const { gradient: G, loss } = inputGradient(m, X, y);
  assert.ok(loss > 0 && Number.isFinite(loss));
  const h = 1e-2;
  let checked = 0;
  for (let t = 0; t < 40; t++) {
    const i = rng.int(n), j = rng.int(64);
    const plus = new Matrix(1, 64, Float32Array.from(X.row(i))), minus = new Matrix(1, 64, Float32Array.from(X.row(i)));
    plus.data[j] = plus.data[j]! + h;
    minus.data[j] = minus.data[j]! - h;
    const fd = (inputGradient(m, plus, [y[i]!]).loss - inputGradient(m, minus, [y[i]!]).loss) / (2 * h);
    const g = G.data[i * 64 + j]!;
    assert.ok(Math.abs(fd - g) <= 2e-4 + 0.02 * Math.abs(g), `dL/dx[${i}, ${j}]: autograd ${g}, finite differences ${fd}`);
    checked++;
  }
  assert.equal(checked, 40);
  // the gradient is not trivially zero
  let norm = 0;
  for (const v of G.data) norm += v * v;
  assert.ok(norm > 1e-6, `gradient norm² ${norm}`);

  const eps = 0.07;
  const A = fgsm(m, X, y, { eps });
  let unclipped = 0;
  for (let k = 0; k < X.data.length; k++) {
    const x = X.data[k]!, g = G.data[k]!;
    const v = x + eps * Math.sign(g);
    const expected = Math.fround(Math.min(1, Math.max(0, v)));
    assert.equal(A.data[k], expected, `element ${k}: x ${x}, gradient ${g}`);
    if (v >= 0 && v <= 1 && g !== 0) unclipped++;
  }
  assert.ok(unclipped > X.data.length * 0.8, `${unclipped} unclipped elements`);
  // the attack leaves the parameters' gradients alone and their requiresGrad as it was
  for (const p of m.network.parameters()) {
    assert.equal(p.requiresGrad, true);
    assert.ok(!p.grad || p.grad.data.every((v) => v === 0), "a parameter gradient was accumulated by the attack");
  }
  m.dispose();
});

test("FGSM and PGD stay in [0, 1] and within eps of X; the loss rises; PGD's loss >= FGSM's; accuracy falls with eps", async () => {
  const m = await trainedNet();
  const { X, y } = testSet;
  const eps = 0.1;
  const F = fgsm(m, X, y, { eps });
  const P = pgd(m, X, y, { eps, steps: 10, seed: 4 });
  for (const [name, A] of [["fgsm", F], ["pgd", P]] as const) {
    let maxDev = 0;
    for (let k = 0; k < X.data.length; k++) {
      const v = A.data[k]!;
      assert.ok(v >= 0 && v <= 1, `${name}: pixel ${k} is ${v}`);
      maxDev = Math.max(maxDev, Math.abs(v - X.data[k]!));
    }
    assert.ok(maxDev <= eps + 1e-6, `${name}: max |x' − x| = ${maxDev}`);
    assert.ok(maxDev >= eps - 1e-6, `${name}: the perturbation never reached eps (${maxDev})`);
  }
  const clean = meanLoss(m, X, y), lf = meanLoss(m, F, y), lp = meanLoss(m, P, y);
  assert.ok(lf > clean + 0.3, `FGSM loss ${lf} vs clean ${clean}`);
  assert.ok(lp >= lf, `PGD loss ${lp} < FGSM loss ${lf}`);
  const accClean = m.score(X, y);
  assert.ok(accClean > 0.65, `clean accuracy ${accClean}`);
  const curveF = robustAccuracy(m, X, y, [0, 0.05, 0.1, 0.2], "fgsm");
  const curveP = robustAccuracy(m, X, y, [0, 0.05, 0.1, 0.2], "pgd", { steps: 10 });
  assert.deepEqual(curveF.map((c) => c.eps), [0, 0.05, 0.1, 0.2]);
  assert.equal(curveF[0]!.accuracy, accClean);
  assert.equal(curveP[0]!.accuracy, accClean);
  for (let i = 1; i < curveP.length; i++) {
    assert.ok(curveP[i]!.accuracy <= curveP[i - 1]!.accuracy + 0.01, `PGD accuracy rose from ${curveP[i - 1]!.accuracy} to ${curveP[i]!.accuracy}`);
    assert.ok(curveP[i]!.accuracy <= curveF[i]!.accuracy + 0.02, `PGD ${curveP[i]!.accuracy} weaker than FGSM ${curveF[i]!.accuracy} at eps ${curveF[i]!.eps}`);
  }
  assert.ok(curveF[2]!.accuracy < accClean - 0.2, `FGSM at 0.1: ${curveF[2]!.accuracy} (clean ${accClean})`);
  assert.ok(curveP[2]!.accuracy < curveF[2]!.accuracy - 0.05, `PGD at 0.1: ${curveP[2]!.accuracy}, FGSM ${curveF[2]!.accuracy}`);
  assert.ok(curveP[3]!.accuracy < 0.1, `PGD at 0.2: ${curveP[3]!.accuracy}`);
  // the same seed, the same examples; FGSM is deterministic
  assert.deepEqual(pgd(m, X.selectRows([0, 1, 2]), y.slice(0, 3), { eps, steps: 10, seed: 4 }).data, P.selectRows([0, 1, 2]).data);
  assert.deepEqual(fgsm(m, X, y, { eps }).data, F.data);
});

test("a targeted attack raises the target class's probability and mostly reaches it at large eps", async () => {
  const m = await trainedNet();
  const { X, y } = testSet;
  const target = 8; // "Bag"
  const rows = y.map((_, i) => i).filter((i) => y[i] !== target).slice(0, 150);
  const Xs = X.selectRows(rows), ys = rows.map((i) => y[i]!);
  const p0 = m.predictProba(Xs);
  for (const [method, eps, floor] of [["fgsm", 0.1, 0], ["pgd", 0.1, 0.1], ["pgd", 0.3, 0.8]] as const) {
    const A = method === "fgsm" ? fgsm(m, Xs, ys, { eps, targeted: true, target }) : pgd(m, Xs, ys, { eps, steps: 20, targeted: true, target });
    const p1 = m.predictProba(A);
    let raised = 0, reached = 0;
    for (let i = 0; i < Xs.rows; i++) {
      if (p1.get(i, target) > p0.get(i, target)) raised++;
      if (m.predict(A.selectRows([i]))[0] === target) reached++;
    }
    assert.ok(raised >= 0.95 * Xs.rows, `${method} eps ${eps}: p(target) rose for ${raised}/${Xs.rows}`);
    assert.ok(reached >= floor * Xs.rows, `${method} eps ${eps}: reached the target for ${reached}/${Xs.rows}`);
  }
  // per-row targets: the next class
  const next = ys.map((c) => (c + 1) % 10);
  const A = pgd(m, Xs, ys, { eps: 0.3, steps: 20, targeted: true, target: next });
  const pred = m.predict(A);
  const hit = pred.filter((p, i) => p === next[i]).length;
  assert.ok(hit >= 0.8 * Xs.rows, `per-row targets reached for ${hit}/${Xs.rows}`);
});

test("bad attack options are one-line errors naming the value", async () => {
  const m = await trainedNet();
  const X = testSet.X.selectRows([0, 1]), y = testSet.y.slice(0, 2);
  await refuses(() => fgsm(m, X, y, { eps: -0.1 }), /^fgsm: eps must be a number >= 0 .*got -0\.1$/);
  await refuses(() => pgd(m, X, y, { eps: NaN }), /^pgd: eps must be .*got NaN$/);
  await refuses(() => fgsm(m, X, y, { eps: 0.1, targeted: true, target: 10 }), /target 10 is not a class index in \[0, 9\]/);
  await refuses(() => pgd(m, X, y, { eps: 0.1, targeted: true, target: [1, -1] }), /target\[1\] -1 is not a class index/);
  await refuses(() => fgsm(m, X, y, { eps: 0.1, targeted: true }), /a targeted attack needs target/);
  await refuses(() => fgsm(m, X, y, { eps: 0.1, target: 3 }), /targeted is not true/);
  await refuses(() => fgsm(m, X, [1], { eps: 0.1 }), /y has 1 labels, but X has 2 rows/);
  await refuses(() => fgsm(m, X, [1, 42], { eps: 0.1 }), /y\[1\] is 42, not one of the model's classes/);
  await refuses(() => pgd(m, X, y, { eps: 0.1, steps: 0 }), /steps must be an integer >= 1, got 0/);
  await refuses(() => pgd(m, X, y, { eps: 0.1, alpha: 0 }), /alpha must be a number > 0/);
  await refuses(() => fgsm(m, X, y, { eps: 0.1, steps: 3 } as never), /steps is an option of pgd/);
  await refuses(() => fgsm(m, X, y, { eps: 0.1, clip: [1, 0] }), /clip must be \[lo, hi\]/);
  const big = new Matrix(2, X.cols, Float32Array.from(X.data, (v) => v * 255));
  await refuses(() => fgsm(m, big, y, { eps: 0.1 }), /outside the valid range \[0, 1\]/);
  await refuses(() => fgsm(m, new Matrix(1, 10, new Float32Array(10)), [0], { eps: 0.1 }), /X has 10 columns, but the model takes images of 784/);
  await refuses(() => robustAccuracy(m, X, y, [0, -1], "fgsm"), /eps\[1\] must be a number >= 0, got -1/);
  await refuses(() => robustAccuracy(m, X, y, [0.1], "bim" as never), /method must be "fgsm" or "pgd", got "bim"/);
  await refuses(() => new CNNClassifier({ adversarial: "cw" as never }), /adversarial/);
  await refuses(() => new CNNClassifier({ adversarialFraction: 0 }), /adversarialFraction/);
  await refuses(() => new CNNClassifier({ adversarialEps: -1 }), /adversarialEps/);
  const bad = new Matrix(4, 64, Float32Array.from({ length: 256 }, (_, i) => i));
  await refuses(() => new CNNClassifier({ layers: "flatten", adversarial: "fgsm", epochs: 1 }).fit(bad, [0, 1, 0, 1]), /adversarial training needs pixels in \[0, 1\], but X holds 2 at row 0/);
});

test("adversarial training (FGSM or PGD examples replacing half of each batch) raises accuracy under attack at eps 0.1 over standard training", async () => {
  // the same 2,000 training images, options and seed as the standard net
  const standard = await trainedNet();
  const fgsmTrained = await new CNNClassifier({ ...OPTIONS, adversarial: "fgsm", adversarialEps: 0.1, adversarialFraction: 0.5 }).fit(train.X, train.y);
  const pgdTrained = await new CNNClassifier({ ...OPTIONS, adversarial: "pgd", adversarialEps: 0.1, adversarialSteps: 2 }).fit(train.X, train.y);
  const { X, y } = testSet;
  const acc = (m: CNNClassifier, method: "fgsm" | "pgd"): number[] => robustAccuracy(m, X, y, [0, 0.1], method, method === "pgd" ? { steps: 10 } : {}).map((c) => c.accuracy);
  const [s0, sF] = acc(standard, "fgsm") as [number, number], [, sP] = acc(standard, "pgd") as [number, number];
  const [f0, fF] = acc(fgsmTrained, "fgsm") as [number, number], [, fP] = acc(fgsmTrained, "pgd") as [number, number];
  const [p0, pF] = acc(pgdTrained, "fgsm") as [number, number], [, pP] = acc(pgdTrained, "pgd") as [number, number];
  const msg = `clean / FGSM 0.1 / PGD 0.1: standard ${s0} / ${sF} / ${sP}, FGSM-trained ${f0} / ${fF} / ${fP}, PGD-trained ${p0} / ${pF} / ${pP}`;
  assert.ok(s0 > 0.7 && f0 > 0.65 && p0 > 0.65, msg);
  assert.ok(fF >= sF + 0.1, msg);
  assert.ok(fP >= sP + 0.15, msg);
  assert.ok(pF >= sF + 0.1 && pP >= sP + 0.15, msg);
  // the options are saved with the model
  const back = CNNClassifier.fromSafetensors(fgsmTrained.toSafetensors());
  assert.equal(back.options.adversarial, "fgsm");
  assert.equal(back.options.adversarialFraction, 0.5);
  assert.deepEqual(back.predict(X.selectRows([0, 1, 2, 3])), fgsmTrained.predict(X.selectRows([0, 1, 2, 3])));
  for (const m of [fgsmTrained, pgdTrained, back]) m.dispose();
});

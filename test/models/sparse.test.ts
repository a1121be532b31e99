import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { readCsv } from "../../src/io/csv.js";
import { loadModel } from "../../src/models/load.js";
import { SparseAutoencoder, klSparsity, l1Sparsity } from "../../src/models/sparse.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { tidy } from "../../src/nn/autograd.js";
import { Tensor } from "../../src/nn/tensor.js";
import { PROJECT_DATA, maxAbsDiff, refuses } from "../helpers.js";
import { checkModelGrad } from "./net-grad.js";

const raw = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X;
const digits = new Matrix(raw.rows, raw.cols, Float32Array.from(raw.data, (v) => v / 16));
const train = digits.rowRange(0, 1400), held = digits.rowRange(1400, digits.rows);

const kl = (rho: number, q: number): number => rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));

test("the sparsity penalties on hand-computed cases: Σ_j KL(ρ‖ρ̂_j) of the column means, and mean |h|", () => {
  tidy(() => {
    // column means ρ̂ = [0.2, 0.5, 0.8]; with ρ = 0.2 the first unit costs nothing
    const h = Tensor.from([0.1, 0.5, 0.9, 0.3, 0.5, 0.7], [2, 3]);
    const want = kl(0.2, 0.2) + kl(0.2, 0.5) + kl(0.2, 0.8);
    assert.ok(Math.abs(want - (0.2 * Math.log(0.4) + 0.8 * Math.log(1.6) + 0.2 * Math.log(0.25) + 0.8 * Math.log(4))) < 1e-15);
    assert.ok(Math.abs(klSparsity(h, 0.2).item() - want) < 1e-5, `${klSparsity(h, 0.2).item()} vs ${want}`);
    // at the target the penalty is zero
    assert.ok(Math.abs(klSparsity(Tensor.from([0.05, 0.05, 0.05, 0.05], [2, 2]), 0.05).item()) < 1e-6);
    assert.ok(Math.abs(l1Sparsity(Tensor.from([-1, 2, 0.5, -0.5], [2, 2])).item() - 1) < 1e-7);
  });
});

test("the sparsity penalties' gradients match central differences (float64)", () => {
  const vals = Array.from({ length: 24 }, (_, t) => 0.05 + 0.9 * ((t * 7) % 24) / 24);
  for (const rho of [0.05, 0.3]) {
    const r = checkGrad((h) => klSparsity(h!, rho), [[6, 4]], { values: [vals] });
    assert.ok(r.maxError < 1e-7, `kl ρ ${rho}: ${JSON.stringify(r)}`);
  }
  const r = checkGrad((h) => l1Sparsity(h!), [[6, 4]], { values: [vals.map((v, t) => (t % 3 ? v : -v))] });
  assert.ok(r.maxError < 1e-7, `l1: ${JSON.stringify(r)}`);
  // and the whole model's loss (reconstruction + penalty) w.r.t. every weight
  const x = Array.from({ length: 5 * 7 }, (_, t) => ((t * 37) % 11) / 10);
  for (const sparsity of ["kl", "l1"] as const) {
    const model = new SparseAutoencoder({ layers: [5], code: 3, activation: "tanh", sparsity, target: 0.1, sparsityWeight: 0.7 });
    const g = checkModelGrad(model, x, 5, 7);
    assert.ok(g.maxError < 1e-7, `${sparsity}: ${JSON.stringify(g)}`);
  }
});

test("SparseAutoencoder (kl) on the digits: every code unit's mean activation is near ρ = 0.05 on held-out rows, a much sparser code than without", async () => {
  const opts = { layers: [64], code: 32, epochs: 20, batchSize: 64, learningRate: 3e-3, seed: 1 };
  const sparse = await new SparseAutoencoder({ ...opts, sparsityWeight: 0.1 }).fit(train);
  const plain = await new SparseAutoencoder({ ...opts, sparsityWeight: 0 }).fit(train);
  const m = sparse.meanActivation(held), m0 = plain.meanActivation(held);
  for (let j = 0; j < 32; j++) assert.ok(Math.abs(m[j]! - 0.05) < 0.02, `unit ${j}: mean activation ${m[j]} on held-out rows`);
  const avg = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(avg(m0) > 0.3, `without the penalty the mean activation is ${avg(m0)}`);
  const active = (Z: Matrix): number => Array.from(Z.data).filter((v) => v > 0.1).length / Z.data.length;
  const a = active(sparse.transform(held)), a0 = active(plain.transform(held));
  assert.ok(a < 0.25 && a < a0 / 3, `fraction of codes above 0.1: ${a} with the penalty, ${a0} without`);
  // the history keeps both terms, and they add up to the training loss
  const h = sparse.history;
  assert.equal(h.terms!.sparsity!.length, 20);
  for (let e = 0; e < 20; e++) {
    const sum = h.terms!.reconstruction![e]! + h.terms!.sparsity![e]!;
    assert.ok(Math.abs(sum - h.train[e]!) < 1e-5 * h.train[e]!, `epoch ${e + 1}: ${sum} vs ${h.train[e]}`);
  }
  assert.ok(h.terms!.sparsity![19]! < h.terms!.sparsity![0]!);
  // the penalty of a batch is β·Σ_j KL(ρ‖ρ̂_j) of its codes, by hand in float64
  const Z = sparse.transform(held);
  let want = 0;
  for (let j = 0; j < 32; j++) {
    let q = 0;
    for (let i = 0; i < Z.rows; i++) q += Z.data[i * 32 + j]! / Z.rows;
    want += kl(0.05, q);
  }
  const got = sparse.sparsityPenalty(held);
  assert.ok(Math.abs(got - 0.1 * want) < 1e-4 * 0.1 * want + 1e-7, `penalty ${got} vs ${0.1 * want}`);
  console.log(`digits, code 32: mean activation ${avg(m).toFixed(4)} (units ${Math.min(...m).toFixed(3)}..${Math.max(...m).toFixed(3)}) vs ${avg(m0).toFixed(3)} ` +
    `without; codes above 0.1: ${a.toFixed(3)} vs ${a0.toFixed(3)}; held-out BCE ${sparse.reconstructionError(held).toFixed(4)} vs ${plain.reconstructionError(held).toFixed(4)}`);
});

test("SparseAutoencoder (l1): the mean |code| falls well below the unpenalised one; options refused by name; save and load", async () => {
  const opts = { layers: [32], code: 16, epochs: 10, batchSize: 64, learningRate: 3e-3, seed: 2, sparsity: "l1" as const, codeActivation: "relu" as const };
  const l1 = await new SparseAutoencoder({ ...opts, sparsityWeight: 0.05 }).fit(train);
  const none = await new SparseAutoencoder({ ...opts, sparsityWeight: 0 }).fit(train);
  const meanAbs = (Z: Matrix): number => Array.from(Z.data).reduce((s, v) => s + Math.abs(v), 0) / Z.data.length;
  const a = meanAbs(l1.transform(held)), a0 = meanAbs(none.transform(held));
  assert.ok(a < a0 / 3, `mean |code| ${a} with the L1 penalty, ${a0} without`);
  const got = l1.sparsityPenalty(held);
  assert.ok(Math.abs(got - 0.05 * a) < 1e-5, `penalty ${got} vs ${0.05 * a}`);
  console.log(`l1, code 16: mean |code| ${a.toFixed(4)} vs ${a0.toFixed(4)} without`);
  await refuses(() => new SparseAutoencoder({ codeActivation: "relu" }), /^sparsity "kl" .* codeActivation must be "sigmoid", got "relu"/);
  await refuses(() => new SparseAutoencoder({ target: 1 }), /^target must be a number in \(0, 1\), got 1$/);
  await refuses(() => new SparseAutoencoder({ sparsityWeight: -1 }), /^sparsityWeight must be a number >= 0, got -1$/);
  await refuses(() => new SparseAutoencoder({ sparsity: "l2" as "l1" }), /^sparsity must be "kl" or "l1", got "l2"$/);
  const back = loadModel(l1.toSafetensors());
  assert.ok(back instanceof SparseAutoencoder);
  assert.deepEqual(back.getParams(), { ...l1.getParams(), onProgress: undefined, signal: undefined });
  assert.equal(maxAbsDiff(back.transform(held), l1.transform(held)), 0);
  assert.equal(back.sparsityPenalty(held), got);
  assert.deepEqual(back.history.terms, l1.history.terms);
});

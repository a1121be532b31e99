import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { readCsv } from "../../src/io/csv.js";
import type { DenseAutoencoderNet } from "../../src/models/autoencoder.js";
import { loadModel } from "../../src/models/load.js";
import { ContractiveAutoencoder, sigmoidEncoderJacobian } from "../../src/models/contractive.js";
import { noGrad, tidy } from "../../src/nn/autograd.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { PROJECT_DATA, maxAbsDiff, refuses } from "../helpers.js";
import { checkModelGrad } from "./net-grad.js";

const raw = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X;
const digits = new Matrix(raw.rows, raw.cols, Float32Array.from(raw.data, (v) => v / 16));
const train = digits.rowRange(0, 1400), held = digits.rowRange(1400, digits.rows);

/** ‖J‖_F² of `encode` at x (length d) by central differences. */
function numericJacobianNorm(encode: (x: number[]) => ArrayLike<number>, x: number[], eps: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const up = x.slice(), down = x.slice();
    up[i]! += eps;
    down[i]! -= eps;
    const a = encode(up), b = encode(down);
    for (let j = 0; j < a.length; j++) s += ((a[j]! - b[j]!) / (2 * eps)) ** 2;
  }
  return s;
}

test("the contractive penalty is the squared Frobenius norm of the encoder's Jacobian by finite differences (1, 2 and 3 sigmoid layers)", () => {
  withEngineRoute("ts64", () => tidy(() => {
    const d = 9;
    for (const layers of [[], [6], [7, 5]]) {
      const model = new ContractiveAutoencoder({ layers, code: 4 });
      const net = (model as unknown as { buildNet(d: number, r: Random): DenseAutoencoderNet }).buildNet(d, new Random(5));
      // larger weights than the initial ones, so that the units leave the sigmoid's linear middle
      for (const w of net.encW) for (let i = 0; i < w.size; i++) w.data[i]! *= 2;
      for (const b of net.encB) for (let i = 0; i < b.size; i++) b.data[i] = Math.sin(3 * i + 1);
      const rng = new Random(2);
      const X = Array.from({ length: 4 }, () => Array.from({ length: d }, () => rng.uniform()));
      const { norm } = noGrad(() => sigmoidEncoderJacobian(Tensor.from(X.flat(), [4, d]), net.encW, net.encB));
      const encode = (x: number[]): ArrayLike<number> => noGrad(() => net.encode(Tensor.from(x, [1, d])).data);
      for (let r = 0; r < 4; r++) {
        const want = numericJacobianNorm(encode, X[r]!, 1e-5);
        assert.ok(Math.abs(norm.data[r]! - want) < 1e-8 * Math.max(1, want), `layers [${layers}], row ${r}: ${norm.data[r]} vs ${want}`);
        assert.ok(want > 1e-3, `layers [${layers}]: a Jacobian norm of ${want} tests little`);
      }
      net.dispose();
    }
  }));
});

test("the contractive autoencoder's loss (reconstruction + λ‖J‖²) has the gradient of central differences (1, 2 and 3 encoder layers)", () => {
  const x = Array.from({ length: 4 * 6 }, (_, t) => ((t * 37) % 11) / 10);
  for (const layers of [[], [5], [5, 4]]) {
    for (const loss of ["bce", "mse"] as const) {
      const model = new ContractiveAutoencoder({ layers, code: 3, loss, contraction: 0.5 });
      const g = checkModelGrad(model, x, 4, 6);
      assert.ok(g.maxError < 1e-7, `layers [${layers}], ${loss}: ${JSON.stringify(g)}`);
    }
  }
});

test("ContractiveAutoencoder on the digits: a larger λ gives a smaller Jacobian norm on held-out rows; jacobianNorm agrees with finite differences", async () => {
  const opts = { code: 16, epochs: 15, batchSize: 64, learningRate: 1e-2, seed: 1 };
  const norms: number[] = [], errors: number[] = [];
  const models: ContractiveAutoencoder[] = [];
  for (const contraction of [0, 0.01, 0.1]) {
    const m = await new ContractiveAutoencoder({ ...opts, contraction }).fit(train);
    models.push(m);
    norms.push(m.jacobianNorm(held));
    errors.push(m.reconstructionError(held) - contraction * m.jacobianNorm(held));
  }
  assert.ok(norms[1]! < 0.8 * norms[0]! && norms[2]! < 0.5 * norms[1]!, `held-out mean ‖J‖² for λ = 0, 0.01, 0.1: ${norms}`);
  const m = models[1]!;
  const h = m.history;
  for (let e = 0; e < 15; e++) {
    const sum = h.terms!.reconstruction![e]! + h.terms!.contraction![e]!;
    assert.ok(Math.abs(sum - h.train[e]!) < 1e-5 * h.train[e]!, `epoch ${e + 1}: ${sum} vs ${h.train[e]}`);
  }
  // the fitted model's (float32) norms against finite differences of its transform
  const rows = held.rowRange(0, 3);
  const per = m.jacobianNorms(rows);
  for (let r = 0; r < 3; r++) {
    const x = Array.from(rows.row(r));
    const want = numericJacobianNorm((v) => m.transform([v]).data, x, 1e-2);
    assert.ok(Math.abs(per[r]! - want) < 2e-3 * want, `row ${r}: ${per[r]} vs ${want}`);
  }
  console.log(`digits, code 16: held-out mean ‖J‖² ${norms.map((v) => v.toFixed(3)).join(", ")} for λ = 0, 0.01, 0.1; held-out BCE ${errors.map((v) => v.toFixed(4)).join(", ")}`);
  // save and load: the same codes, the same norms
  const back = loadModel(m.toSafetensors());
  assert.ok(back instanceof ContractiveAutoencoder);
  assert.equal(maxAbsDiff(back.transform(held), m.transform(held)), 0);
  assert.equal(back.jacobianNorm(held), m.jacobianNorm(held));
});

test("ContractiveAutoencoder options: sigmoid encoders only, contraction >= 0, deep encoders bounded in memory", async () => {
  const p = new ContractiveAutoencoder().getParams();
  assert.deepEqual([p.layers, p.activation, p.codeActivation, p.contraction], [[], "sigmoid", "sigmoid", 0.01]);
  await refuses(() => new ContractiveAutoencoder({ activation: "relu" }), /^activation must be "sigmoid", got "relu"$/);
  await refuses(() => new ContractiveAutoencoder({ codeActivation: "none" }), /^codeActivation must be "sigmoid", got "none"$/);
  await refuses(() => new ContractiveAutoencoder({ contraction: -0.1 }), /^contraction must be a number >= 0, got -0.1$/);
  await refuses(() => new ContractiveAutoencoder({ layers: [512] }), /^layers \[512\]: the exact Jacobian norm of a deep encoder takes .* use narrower hidden layers/);
  await refuses(() => new ContractiveAutoencoder().jacobianNorm(held), /not fitted yet/);
});

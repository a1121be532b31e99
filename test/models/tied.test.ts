// Tied weights: the decoder uses the encoder's weights transposed (W* = Wᵀ), so each shared weight gets the gradient
// of both its uses. Checked by central differences in float64 (nn/check-grad on the ts64 route) for a deep network
// through the Autoencoder's own loss, and against the sum of an untied twin's two gradients.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { Autoencoder, DenseAutoencoderNet, type AutoencoderOptions } from "../../src/models/autoencoder.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { loadModel } from "../../src/models/load.js";
import { maxAbsDiff } from "../helpers.js";
import { checkModelGrad } from "./net-grad.js";

/** An Autoencoder whose network and batch loss a test can reach. */
class Open extends Autoencoder {
  build(d: number, seed: number): DenseAutoencoderNet {
    return this.buildNet(d, new Random(seed));
  }
  lossOf(net: DenseAutoencoderNet, x: Tensor): Tensor {
    this.net_ = net;
    const l = this.batchLoss(x, true);
    return l instanceof Tensor ? l : l.loss;
  }
  shapes(d: number): [string, number[]][] {
    return this.parameterShapes(d);
  }
}

const D = 7, N = 5;
const inputs = Array.from({ length: N * D }, (_, t) => ((t * 37) % 11) / 10); // in [0, 1], for the BCE too

const CASES: [string, AutoencoderOptions][] = [
  ["bce, 2 encoder layers (7 → 5 → 3), tanh", { loss: "bce", layers: [5], code: 3, activation: "tanh", codeActivation: "none" }],
  ["bce, 3 encoder layers (7 → 6 → 4 → 3), sigmoid code", { loss: "bce", layers: [6, 4], code: 3, activation: "tanh", codeActivation: "sigmoid" }],
  ["mse, 2 encoder layers, linear output", { loss: "mse", layers: [5], code: 3, activation: "tanh", codeActivation: "tanh" }],
  ["mse, 2 encoder layers, sigmoid output", { loss: "mse", outputActivation: "sigmoid", layers: [4], code: 2, activation: "sigmoid", codeActivation: "none" }],
];

test("tied Autoencoder: the loss's gradient w.r.t. every parameter (the shared weights included) matches central differences", () => {
  for (const [what, options] of CASES) {
    const ae = new Open({ ...options, tied: true });
    const names = ae.shapes(D).map(([n]) => n);
    assert.ok(!names.some((n) => n.startsWith("decoder") && n.endsWith("weight")), "tied: no decoder weights");
    const r = checkModelGrad(ae, inputs, N, D);
    assert.ok(r.maxError < 1e-7, `${what}: ${JSON.stringify(r)}`);
  }
});

test("tied Autoencoder: each shared weight's gradient is the sum of its encoder use and its (transposed) decoder use", () => {
  withEngineRoute("ts64", () => tidy(() => {
    for (const [what, options] of CASES) {
      const tiedAe = new Open({ ...options, tied: true }), untiedAe = new Open({ ...options, tied: false });
      const tied = tiedAe.build(D, 8), untied = untiedAe.build(D, 8);
      const L = tied.depth;
      // the untied twin: the same encoder and biases, decoder weights that are copies of Wᵀ
      for (let i = 0; i < L; i++) {
        untied.encW[i]!.data.set(tied.encW[i]!.data);
        untied.encB[i]!.data.set(tied.encB[i]!.data);
        untied.decB[i]!.data.set(tied.decB[i]!.data.map((_, k) => 0.05 * Math.cos(k)));
        tied.decB[i]!.data.set(untied.decB[i]!.data);
        const w = tied.encW[L - 1 - i]!, dw = untied.decW[i]!; // w [out, in]; the decoder's [in, out] is its transpose
        const [o, n] = w.shape as [number, number];
        for (let a = 0; a < o; a++) for (let b = 0; b < n; b++) dw.data[b * o + a] = w.data[a * n + b]!;
      }
      const x = Tensor.from(inputs, [N, D]);
      const lt = tiedAe.lossOf(tied, x), lu = untiedAe.lossOf(untied, x);
      assert.ok(Math.abs(lt.item() - lu.item()) < 1e-14, `${what}: the twins' losses ${lt.item()} and ${lu.item()}`);
      backward(lt);
      backward(lu);
      let largest = 0;
      for (let i = 0; i < L; i++) {
        const g = tied.encW[i]!.grad!.data, ge = untied.encW[i]!.grad!.data, gd = untied.decW[L - 1 - i]!.grad!.data;
        const [o, n] = tied.encW[i]!.shape as [number, number];
        for (let a = 0; a < o; a++) {
          for (let b = 0; b < n; b++) {
            const sum = ge[a * n + b]! + gd[b * o + a]!;
            assert.ok(Math.abs(g[a * n + b]! - sum) < 1e-12, `${what}: encoder.${i}.weight[${a}][${b}] ${g[a * n + b]} vs ${sum}`);
            largest = Math.max(largest, Math.abs(ge[a * n + b]!), Math.abs(gd[b * o + a]!));
          }
        }
        // both uses contribute (neither is zero), so the sum is a real test
        assert.ok(ge.some((v) => Math.abs(v) > 1e-4) && gd.some((v) => Math.abs(v) > 1e-4), `${what}: layer ${i} has a zero contribution`);
      }
      assert.ok(largest > 1e-3, `${what}: largest gradient ${largest}`);
      tied.dispose();
      untied.dispose();
    }
  }));
});

test("a tied Autoencoder learns (the loss falls on redundant data) and its saved file round-trips through loadModel", async () => {
  const rng = new Random(2);
  const X = Array.from({ length: 300 }, () => Array.from({ length: 16 }, () => rng.uniform()));
  for (let i = 0; i < 300; i++) for (let j = 8; j < 16; j++) X[i]![j] = X[i]![j - 8]!; // half the columns repeat the other half
  const ae = await new Autoencoder({ layers: [12], code: 8, tied: true, epochs: 30, batchSize: 30, learningRate: 1e-2, activation: "tanh", codeActivation: "none" }).fit(X);
  const h = ae.history.train;
  assert.ok(h[h.length - 1]! < 0.97 * h[0]!, `BCE ${h[0]} → ${h[h.length - 1]}`);
  const back = loadModel(ae.toSafetensors());
  assert.ok(back instanceof Autoencoder && back.options.tied);
  assert.equal(maxAbsDiff(back.reconstruct(X), ae.reconstruct(X)), 0);
});

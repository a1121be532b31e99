import assert from "node:assert/strict";
import { test } from "node:test";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { softmaxCrossEntropy, type Reduction } from "../../src/nn/ops/losses.js";
import { softTargetCrossEntropy } from "../../src/nn/ops/soft-cross-entropy.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { refuses } from "../helpers.js";

const ROUTES = nnCore() ? (["ts64", "wasm"] as const) : (["ts64"] as const);

test("softTargetCrossEntropy: gradients (logits and targets) match central differences, mean and sum", () => {
  for (const reduction of ["mean", "sum"] as Reduction[]) {
    // counts as targets: non-negative, unnormalised, some zero
    const counts = Array.from({ length: 6 * 9 }, (_, i) => (i * 7) % 5 === 0 ? 0 : (i * 13) % 4);
    const r = checkGrad((x, t) => softTargetCrossEntropy(x!, t!, reduction), [[6, 9], [6, 9]], { values: [undefined, counts], seed: 3 });
    assert.ok(r.maxError < 1e-7, `${reduction}: ${JSON.stringify(r)}`);
  }
});

test("softTargetCrossEntropy: the multinomial log-likelihood by hand, one-hot targets give softmaxCrossEntropy, stable far out", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => tidy(() => {
      const tol = route === "wasm" ? 1e-4 : 1e-9;
      // one row, logits [0, ln 2, ln 3]: softmax = [1, 2, 3]/6; counts [2, 0, 1]: −(2 ln(1/6) + ln(3/6))
      const x = Tensor.from([0, Math.log(2), Math.log(3)], [1, 3]);
      const t = Tensor.from([2, 0, 1], [1, 3]);
      const want = -(2 * Math.log(1 / 6) + Math.log(3 / 6));
      assert.ok(Math.abs(softTargetCrossEntropy(x, t).item() - want) < tol, `${route}`);
      // one-hot rows: the same value and gradient as softmaxCrossEntropy with labels
      const logits = Tensor.from([0.3, -1, 2, 0.5, 0.5, -0.2, 4, 1, 0], [3, 3]);
      logits.requiresGrad = true;
      const labels = Int32Array.from([2, 0, 1]);
      const onehot = Tensor.from([0, 0, 1, 1, 0, 0, 0, 1, 0], [3, 3]);
      const a = softTargetCrossEntropy(logits, onehot);
      backward(a);
      const ga = Array.from(logits.grad!.data);
      logits.grad!.data.fill(0);
      const b = softmaxCrossEntropy(logits, labels);
      backward(b);
      assert.ok(Math.abs(a.item() - b.item()) < tol);
      ga.forEach((g, i) => assert.ok(Math.abs(g - logits.grad!.data[i]!) < tol, `${route}: grad ${i}`));
      // logits far out stay finite
      const far = softTargetCrossEntropy(Tensor.from([1e4, -1e4, 0], [1, 3]), Tensor.from([1, 1, 1], [1, 3])).item();
      assert.ok(Number.isFinite(far) && Math.abs(far - 3e4) < 1, `${far}`);
    }));
  }
});

test("softTargetCrossEntropy refuses mismatched shapes and a bad reduction", async () => {
  await refuses(() => softTargetCrossEntropy(Tensor.zeros([2, 3]), Tensor.zeros([2, 4])), /^softTargetCrossEntropy: logits and targets must have the same shape, got \[2, 3\] and \[2, 4\]$/);
  await refuses(() => softTargetCrossEntropy(Tensor.zeros([3]), Tensor.zeros([3])), /^softTargetCrossEntropy needs logits \[N, C\]/);
  await refuses(() => softTargetCrossEntropy(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]), "max" as "sum"), /reduction must be "mean" or "sum", got "max"/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { kernelInfo, setThreads } from "../../src/core/wasm/runtime.js";
import type { SafeTensor } from "../../src/formats/safetensors.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { bceWithLogits, gaussianKL, mseLoss, softmaxCrossEntropy, type Reduction } from "../../src/nn/ops/losses.js";
import { logSoftmax, softmax } from "../../src/nn/ops/softmax.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor, type Shape } from "../../src/nn/tensor.js";
import { fixture as fixtureOf, maxAbsDiff, randomArray, uniformArray } from "./helpers.js";

const fixture = (name: string): SafeTensor => fixtureOf("norm_loss.safetensors", name);

const unit = (n: number, seed: number): number[] => uniformArray(n, seed);
const labelsFor = (n: number, c: number, seed: number): Int32Array => {
  const r = new Random(seed);
  return Int32Array.from({ length: n }, () => r.int(c));
};
const ROUTES = nnCore() ? (["ts64", "wasm"] as const) : (["ts64"] as const);

test("softmax and logSoftmax gradients match central differences along every axis, odd sizes", () => {
  const cases: [Shape, number][] = [[[4, 7], -1], [[4, 7], 0], [[3, 5, 6], 1], [[2, 3, 5], 0], [[3, 1, 5], -1], [[9], 0]];
  for (const [shape, axis] of cases) {
    for (const fn of [softmax, logSoftmax]) {
      const r = checkGrad((x) => fn(x!, axis), [shape], { seed: 3 });
      assert.ok(r.maxError < 1e-7, `${fn.name} ${shape} axis ${axis}: ${JSON.stringify(r)}`);
    }
  }
});

test("softmax is stable and sums to 1; logSoftmax is its log; a hand-computed row", () => {
  withEngineRoute("ts64", () => tidy(() => {
    const s = softmax(Tensor.from([1000, 1000, -1000, 0, Math.log(3), 0], [2, 3])).data;
    assert.deepEqual(Array.from(s).map((v) => Math.round(v * 1e12) / 1e12), [0.5, 0.5, 0, 0.2, 0.6, 0.2]);
    const l = logSoftmax(Tensor.from([0, Math.log(3), 0], [3])).data;
    assert.ok(maxAbsDiff(l, [Math.log(0.2), Math.log(0.6), Math.log(0.2)]) < 1e-14);
  }));
  for (const route of ROUTES) {
    withEngineRoute(route, () => tidy(() => {
      const x = Tensor.from([1e4, -1e4, 3, 88, 89, -200, 0, 0, 0], [3, 3]);
      const s = softmax(x).data, l = logSoftmax(x).data;
      for (let r = 0; r < 3; r++) assert.ok(Math.abs(s[3 * r]! + s[3 * r + 1]! + s[3 * r + 2]! - 1) < 1e-6);
      assert.ok(Array.from(l).every(Number.isFinite), `${route}: ${Array.from(l)}`);
      assert.ok(Math.abs(l[1]! + 2e4) < 1, `${route}: ${l[1]}`);
    }));
  }
});

test("the losses' gradients match central differences (mean and sum)", () => {
  for (const reduction of ["mean", "sum"] as Reduction[]) {
    const labels = labelsFor(6, 5, 1);
    let r = checkGrad((x) => softmaxCrossEntropy(x!, labels, reduction), [[6, 5]], { seed: 2 });
    assert.ok(r.maxError < 1e-7, `cross-entropy ${reduction}: ${JSON.stringify(r)}`);
    r = checkGrad((x, t) => bceWithLogits(x!, t!, reduction), [[5, 7], [5, 7]], { values: [undefined, unit(35, 4)], seed: 3 });
    assert.ok(r.maxError < 1e-7, `bce ${reduction}: ${JSON.stringify(r)}`);
    r = checkGrad((a, b) => mseLoss(a!, b!, reduction), [[3, 4, 5], [3, 4, 5]], { seed: 4 });
    assert.ok(r.maxError < 1e-7, `mse ${reduction}: ${JSON.stringify(r)}`);
    r = checkGrad((m, l) => gaussianKL(m!, l!, reduction), [[7, 3], [7, 3]], { seed: 5 });
    assert.ok(r.maxError < 1e-7, `kl ${reduction}: ${JSON.stringify(r)}`);
  }
});

test("losses on hand-computed cases, including logits far out (the stable forms)", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => tidy(() => {
      const tol = route === "wasm" ? 1e-5 : 1e-12;
      const near = (t: Tensor, v: number, what: string): void => {
        assert.deepEqual(t.shape, []);
        assert.ok(Math.abs(t.item() - v) <= tol * Math.max(1, Math.abs(v)), `${route} ${what}: ${t.item()} vs ${v}`);
      };
      near(softmaxCrossEntropy(Tensor.from([0, 0, 1, 1, 1, 1], [2, 3]), Int32Array.of(0, 2)), (Math.log(2 + Math.E) - 0 + Math.log(3)) / 2, "ce");
      near(softmaxCrossEntropy(Tensor.from([1000, 0, -1000, 0], [2, 2]), Int32Array.of(1, 0), "sum"), 1000 + 1000, "ce far");
      near(bceWithLogits(Tensor.from([0, 0], [2]), Tensor.from([1, 0], [2])), Math.log(2), "bce 0");
      near(bceWithLogits(Tensor.from([100, -100, 40], [3]), Tensor.from([0, 1, 1], [3]), "sum"), 200 + Math.log1p(Math.exp(-40)), "bce far");
      near(bceWithLogits(Tensor.from([2], [1]), Tensor.from([0.25], [1])), 2 - 0.5 + Math.log1p(Math.exp(-2)), "bce soft target");
      near(mseLoss(Tensor.from([1, 2, 3, 4], [2, 2]), Tensor.from([1, 0, 3, 1], [2, 2])), (4 + 9) / 4, "mse");
      near(gaussianKL(Tensor.from([0, 0, 1, 2], [2, 2]), Tensor.from([0, 0, 0, Math.log(2)], [2, 2])),
        -0.5 * ((1 + 0 - 1 - 1) + (1 + Math.log(2) - 4 - 2)) / 2, "kl");
      near(gaussianKL(Tensor.zeros([3, 4]), Tensor.zeros([3, 4]), "sum"), 0, "kl at the prior");
      // gradients: softmax − onehot over N; σ(x) − t over the elements
      const x = Tensor.from([0, 0], [1, 2]);
      x.requiresGrad = true;
      backward(softmaxCrossEntropy(x, Int32Array.of(1)));
      assert.ok(maxAbsDiff(x.grad!.data, [0.5, -0.5]) < tol);
      const z = Tensor.from([0, 100, -100, 1], [4]);
      z.requiresGrad = true;
      backward(bceWithLogits(z, Tensor.from([1, 1, 0, 0], [4]), "sum"));
      assert.ok(maxAbsDiff(z.grad!.data, [-0.5, 0, 0, 1 / (1 + Math.exp(-1))]) < tol, `${Array.from(z.grad!.data)}`);
    }));
  }
});

function runAll(route: "wasm" | "ts", seed: number) {
  const rng = new Random(seed);
  const normal = (n: number, s = 1): number[] => randomArray(n, rng, s);
  const out: Record<string, Float32Array> = {};
  withEngineRoute(route, () => tidy(() => {
    const grads = (name: string, loss: Tensor, ...ts: Tensor[]): void => {
      out[`${name}.loss`] = loss.toFloat32Array();
      backward(loss);
      ts.forEach((t, i) => (out[`${name}.d${i}`] = t.grad!.toFloat32Array()));
    };
    const param = (v: number[], shape: Shape): Tensor => {
      const t = Tensor.from(v, shape);
      t.requiresGrad = true;
      return t;
    };
    const n = 37, c = 11;
    grads("ce", softmaxCrossEntropy(param(normal(n * c, 4), [n, c]), labelsFor(n, c, seed)));
    const logits = param(normal(n * c, 3), [n, c]);
    grads("ce2", softmaxCrossEntropy(logits, labelsFor(n, c, seed + 1), "sum"), logits);
    const bx = param(normal(1003, 5), [17, 59]), bt = param(unit(1003, seed), [17, 59]);
    grads("bce", bceWithLogits(bx, bt), bx, bt);
    const ma = param(normal(999), [27, 37]), mb = param(normal(999), [27, 37]);
    grads("mse", mseLoss(ma, mb, "sum"), ma, mb);
    const mu = param(normal(7 * 13), [7, 13]), lv = param(normal(7 * 13, 0.8), [7, 13]);
    grads("kl", gaussianKL(mu, lv), mu, lv);
    for (const [shape, axis] of [[[9, 37], -1], [[3, 7, 10], 1], [[5, 4, 3], 0], [[2, 6, 8], 1]] as [Shape, number][]) {
      for (const fn of [softmax, logSoftmax]) {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = param(normal(size, 3), shape);
        const y = fn(x, axis);
        out[`${fn.name}${shape}.${axis}.y`] = y.toFloat32Array();
        backward(y, Tensor.from(normal(size), shape));
        out[`${fn.name}${shape}.${axis}.dx`] = x.grad!.toFloat32Array();
      }
    }
  }));
  return out;
}

test("WASM softmax and loss kernels agree with the TypeScript route (odd sizes, inner axes)", { skip: !nnCore() && "no compute core" }, () => {
  const w = runAll("wasm", 8), t = runAll("ts", 8);
  assert.deepEqual(Object.keys(w), Object.keys(t));
  for (const k of Object.keys(t)) {
    const scale = Math.max(1, ...Array.from(t[k]!, Math.abs));
    const d = maxAbsDiff(w[k]!, t[k]!) / scale;
    assert.ok(d < 2e-6, `${k}: ${d}`);
  }
});

test("BCE with logits over the threads: the same loss and gradients with 1 and 2 threads, the TypeScript route's values", { skip: !nnCore() && "no compute core" }, () => {
  const rng = new Random(4);
  const n = 300 * 701;
  const xs = randomArray(n, rng, 4);
  const ts = Array.from({ length: n }, () => rng.uniform());
  const run = (route: "wasm" | "ts"): [number, Float32Array] => withEngineRoute(route, () => tidy(() => {
    const x = Tensor.from(xs, [300, 701]);
    x.requiresGrad = true;
    const loss = bceWithLogits(x, Tensor.from(ts, [300, 701]));
    const v = loss.item();
    backward(loss);
    return [v, x.grad!.toFloat32Array()];
  }));
  const before = kernelInfo().threads;
  try {
    setThreads(1);
    const one = run("wasm");
    setThreads(2);
    const two = run("wasm");
    if (kernelInfo().threads === 2) assert.ok(kernelInfo().helpers >= 1, `no helper thread: ${kernelInfo().helperError ?? "not started"}`);
    assert.equal(one[0], two[0]);
    assert.deepEqual(one[1], two[1]);
    const ref = run("ts");
    assert.ok(Math.abs(one[0] - ref[0]) < 1e-6 * ref[0], `${one[0]} vs ${ref[0]}`);
    assert.ok(maxAbsDiff(one[1], ref[1]) < 1e-11, `${maxAbsDiff(one[1], ref[1])}`);
  } finally {
    setThreads(before);
  }
});

test("softmax, the losses and their gradients agree with PyTorch", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => tidy(() => {
      const tol = route === "wasm" ? 1e-5 : 1e-6;
      const check = (got: ArrayLike<number>, name: string): void => {
        const ref = fixture(name).data;
        const scale = Math.max(1, ...Array.from(ref, Math.abs));
        const d = maxAbsDiff(got, ref) / scale;
        assert.ok(d < tol, `${route} ${name}: ${d}`);
      };
      const leaf = (name: string): Tensor => {
        const f = fixture(name);
        const t = Tensor.from(f.data, f.shape);
        t.requiresGrad = true;
        return t;
      };
      for (const [name, fn] of [["softmax", softmax], ["logSoftmax", logSoftmax]] as const) {
        const x = leaf("softmax.x");
        const y = fn(x);
        check(y.data, `${name}.y`);
        backward(y, Tensor.from(fixture(`${name}.g`).data, y.shape));
        check(x.grad!.data, `${name}.dx`);
      }
      const x3 = leaf("softmax3.x");
      const y3 = logSoftmax(x3, 1);
      check(y3.data, "softmax3.y");
      backward(y3, Tensor.from(fixture("softmax3.g").data, y3.shape));
      check(x3.grad!.data, "softmax3.dx");
      const labels = Int32Array.from(fixture("ce.labels").data);
      for (const red of ["mean", "sum"] as const) {
        const lg = leaf("ce.logits");
        const loss = softmaxCrossEntropy(lg, labels, red);
        check([loss.item()], `ce.${red}.loss`);
        backward(loss);
        check(lg.grad!.data, `ce.${red}.dlogits`);
        const bl = leaf("bce.logits");
        const bt = Tensor.from(fixture("bce.targets").data, bl.shape);
        const bloss = bceWithLogits(bl, bt, red);
        check([bloss.item()], `bce.${red}.loss`);
        backward(bloss);
        check(bl.grad!.data, `bce.${red}.dlogits`);
      }
      const p = leaf("mse.pred"), t = leaf("mse.target");
      const ml = mseLoss(p, t);
      check([ml.item()], "mse.loss");
      backward(ml);
      check(p.grad!.data, "mse.dpred");
      check(t.grad!.data, "mse.dtarget");
      const mu = leaf("kl.mu"), lv = leaf("kl.logVar");
      const kl = gaussianKL(mu, lv);
      check([kl.item()], "kl.loss");
      backward(kl);
      check(mu.grad!.data, "kl.dmu");
      check(lv.grad!.data, "kl.dlogVar");
    }));
  }
});

test("the losses refuse bad labels, shapes and reductions, naming them", () => {
  tidy(() => {
    const x = Tensor.zeros([3, 4]);
    assert.throws(() => softmaxCrossEntropy(x, Int32Array.of(0, 4, 1)), /labels must be integers in \[0, 3\], got 4 at row 1/);
    assert.throws(() => softmaxCrossEntropy(x, Int32Array.of(0, -1, 1)), /got -1 at row 1/);
    assert.throws(() => softmaxCrossEntropy(x, [0, 1.5, 2] as unknown as Int32Array), /got 1.5 at row 1/);
    assert.throws(() => softmaxCrossEntropy(x, Int32Array.of(0, 1)), /3 labels expected .*\[3, 4\].*got 2/);
    assert.throws(() => softmaxCrossEntropy(Tensor.zeros([3]), Int32Array.of(0, 1, 2)), /logits \[N, C\].*got \[3\]/);
    assert.throws(() => bceWithLogits(x, Tensor.zeros([4, 3])), /bceWithLogits: logits and targets must have the same shape, got \[3, 4\] and \[4, 3\]/);
    assert.throws(() => mseLoss(x, Tensor.zeros([12])), /mseLoss: pred and target must have the same shape/);
    assert.throws(() => gaussianKL(x, Tensor.zeros([3, 5])), /gaussianKL: mu and logVar must have the same shape/);
    assert.throws(() => mseLoss(x, x, "avg" as Reduction), /reduction must be "mean" or "sum", got "avg"/);
    assert.throws(() => softmax(x, 2), /axis must be an integer in \[-2, 1\].*got 2/);
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import type { SafeTensor } from "../../src/formats/safetensors.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { batchNorm } from "../../src/nn/ops/batch-norm.js";
import { dropout, dropoutHash } from "../../src/nn/ops/dropout.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor, type Shape } from "../../src/nn/tensor.js";
import { fixture as fixtureOf, maxAbsDiff, randomArray, uniformArray } from "./helpers.js";

const fixture = (name: string): SafeTensor => fixtureOf("norm_loss.safetensors", name);

const positive = (n: number, seed: number): number[] => uniformArray(n, seed, 0.5, 1.5);

test("batch norm's training gradients (x, gamma, beta) match central differences on [N, C] and [N, C, H, W]", () => {
  for (const shape of [[7, 5], [3, 4, 3, 5], [2, 3, 2], [5, 2, 1, 7]] as Shape[]) {
    const c = shape[1]!;
    const r = checkGrad((x, g, b) => batchNorm(x!, g!, b!, null, null, { training: true }), [shape, [c], [c]], { seed: 5 });
    assert.ok(r.maxError < 1e-6, `${shape}: ${JSON.stringify(r)}`);
    // without gamma and beta, and with running statistics being updated along the way
    const r2 = checkGrad((x) => batchNorm(x!, null, null, Tensor.zeros([c]), Tensor.full([c], 1), { training: true, eps: 1e-3 }), [shape], { seed: 6 });
    assert.ok(r2.maxError < 1e-6, `${shape} without affine: ${JSON.stringify(r2)}`);
  }
});

test("batch norm's eval gradients match central differences (running statistics held constant)", () => {
  for (const shape of [[6, 3], [2, 3, 4, 5]] as Shape[]) {
    const c = shape[1]!;
    const r = checkGrad((x, g, b, rm, rv) => batchNorm(x!, g!, b!, rm!, rv!, { training: false }), [shape, [c], [c], [c], [c]],
      { constant: [3, 4], values: [undefined, undefined, undefined, undefined, positive(c, 2)], seed: 7 });
    assert.ok(r.maxError < 1e-6, `${shape}: ${JSON.stringify(r)}`);
  }
});

test("batch norm on a hand-computed case: batch statistics, running-statistic updates (momentum 0.1, unbiased), eval", () => {
  withEngineRoute("ts64", () => tidy(() => {
    const x = Tensor.from([1, 10, 2, 20, 3, 30, 6, 60], [4, 2]);
    const rm = Tensor.from([0, 0], [2]), rv = Tensor.from([1, 1], [2]);
    const y = batchNorm(x, null, Tensor.from([0, 1], [2]), rm, rv, { training: true });
    // channel 0: mean 3, biased variance 14/4; channel 1: mean 30, variance 1400/4
    const s0 = Math.sqrt(3.5 + 1e-5), s1 = Math.sqrt(350 + 1e-5);
    const want = [-2 / s0, -20 / s1 + 1, -1 / s0, -10 / s1 + 1, 0, 1, 3 / s0, 30 / s1 + 1];
    assert.ok(maxAbsDiff(y.data, want) < 1e-12, `${Array.from(y.data)}`);
    // running: (1 − 0.1)·r + 0.1·batch, the variance unbiased by 4/3
    assert.ok(maxAbsDiff(rm.data, [0.3, 3]) < 1e-12, `${Array.from(rm.data)}`);
    assert.ok(maxAbsDiff(rv.data, [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 1400 / 3]) < 1e-12, `${Array.from(rv.data)}`);
    // a second step updates again from the new values
    batchNorm(x, null, null, rm, rv, { training: true, momentum: 0.5 });
    assert.ok(maxAbsDiff(rm.data, [0.5 * 0.3 + 0.5 * 3, 0.5 * 3 + 0.5 * 30]) < 1e-12);
    // eval: the running statistics, untouched
    const before = Array.from(rv.data);
    const ye = batchNorm(x, Tensor.from([2, 1], [2]), null, rm, rv, { training: false });
    assert.deepEqual(Array.from(rv.data), before);
    assert.ok(Math.abs(ye.data[0]! - 2 * (1 - rm.data[0]!) / Math.sqrt(rv.data[0]! + 1e-5)) < 1e-12);
    // eval without running statistics normalises by the batch's (PyTorch with track_running_stats=False)
    const yb = batchNorm(x, null, null, null, null, { training: false });
    assert.ok(Math.abs(yb.data[0]! + 2 / s0) < 1e-12);
  }));
});

function runBn(route: "wasm" | "ts", shape: Shape, training: boolean, seed: number) {
  const rng = new Random(seed);
  const c = shape[1]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const xs = randomArray(size, rng, 3, 2);
  const gs = randomArray(size, rng);
  const gam = randomArray(c, rng, 0.3, 1);
  const bet = randomArray(c, rng);
  const rms = randomArray(c, rng);
  const rvs = positive(c, seed + 1);
  return withEngineRoute(route, () => tidy(() => {
    const x = Tensor.from(xs, shape), g = Tensor.from(gam, [c]), b = Tensor.from(bet, [c]);
    const rm = Tensor.from(rms, [c]), rv = Tensor.from(rvs, [c]);
    x.requiresGrad = g.requiresGrad = b.requiresGrad = true;
    const y = batchNorm(x, g, b, rm, rv, { training });
    const out = y.toFloat32Array();
    backward(y, Tensor.from(gs, shape));
    return { y: out, rm: rm.toFloat32Array(), rv: rv.toFloat32Array(), dx: x.grad!.toFloat32Array(), dg: g.grad!.toFloat32Array(), db: b.grad!.toFloat32Array() };
  }));
}

test("WASM batch norm agrees with the TypeScript route ([N, C] across channels, spatial runs, odd sizes, eval)", { skip: !nnCore() && "no compute core" }, () => {
  for (const shape of [[37, 13], [64, 16], [5, 3, 7, 9], [4, 3, 2], [2, 5, 1, 1], [3, 6, 4, 4]] as Shape[]) {
    for (const training of [true, false]) {
      const w = runBn("wasm", shape, training, 9), t = runBn("ts", shape, training, 9);
      for (const k of ["y", "rm", "rv", "dx", "dg", "db"] as const) {
        const scale = Math.max(1, ...Array.from(t[k], Math.abs));
        const d = maxAbsDiff(w[k], t[k]) / scale;
        assert.ok(d < 1e-5, `${shape} training ${training} ${k}: ${d}`);
      }
    }
  }
});

test("batch norm agrees with PyTorch: training output, running statistics and gradients; eval output and gradients", () => {
  for (const key of ["bn2", "bn4"]) {
    for (const route of nnCore() ? (["ts64", "wasm"] as const) : (["ts64"] as const)) {
      withEngineRoute(route, () => tidy(() => {
        const tol = route === "wasm" ? 2e-5 : 1e-6;
        const fx = fixture(`${key}.x`);
        const x = Tensor.from(fx.data, fx.shape);
        const gamma = Tensor.from(fixture(`${key}.gamma`).data, [fx.shape[1]!]);
        const beta = Tensor.from(fixture(`${key}.beta`).data, [fx.shape[1]!]);
        const rm = Tensor.from(fixture(`${key}.runningMean0`).data, [fx.shape[1]!]);
        const rv = Tensor.from(fixture(`${key}.runningVar0`).data, [fx.shape[1]!]);
        x.requiresGrad = gamma.requiresGrad = beta.requiresGrad = true;
        const y = batchNorm(x, gamma, beta, rm, rv, { training: true });
        const check = (got: ArrayLike<number>, name: string): void => {
          const d = maxAbsDiff(got, fixture(name).data);
          assert.ok(d < tol, `${route} ${name}: ${d}`);
        };
        check(y.data, `${key}.y`);
        check(rm.data, `${key}.runningMean`);
        check(rv.data, `${key}.runningVar`);
        backward(y, Tensor.from(fixture(`${key}.g`).data, fx.shape));
        check(x.grad!.data, `${key}.dx`);
        check(gamma.grad!.data, `${key}.dgamma`);
        check(beta.grad!.data, `${key}.dbeta`);
        x.grad = gamma.grad = beta.grad = null;
        const ye = batchNorm(x, gamma, beta, rm, rv, { training: false });
        check(ye.data, `${key}.eval.y`);
        backward(ye, Tensor.from(fixture(`${key}.eval.g`).data, fx.shape));
        check(x.grad!.data, `${key}.eval.dx`);
        check(gamma.grad!.data, `${key}.eval.dgamma`);
        check(beta.grad!.data, `${key}.eval.dbeta`);
      }));
    }
  }
});

test("batch norm refuses bad shapes and options, naming them", () => {
  tidy(() => {
    const x = Tensor.zeros([4, 3]);
    assert.throws(() => batchNorm(Tensor.zeros([4]), null, null, null, null, { training: true }), /\[N, C\].*got \[4\]/);
    assert.throws(() => batchNorm(x, Tensor.zeros([2]), null, null, null, { training: true }), /gamma must have 3 values.*got \[2\]/);
    assert.throws(() => batchNorm(x, null, null, null, null, { training: true, momentum: 1.5 }), /momentum must be a number in \[0, 1\], got 1.5/);
    assert.throws(() => batchNorm(x, null, null, null, null, { training: true, eps: 0 }), /eps must be a number > 0, got 0/);
    assert.throws(() => batchNorm(Tensor.zeros([1, 3]), null, null, null, null, { training: true }), /more than one value per channel.*\[1, 3\]/);
    assert.throws(() => batchNorm(x, null, null, Tensor.zeros([3]), null, { training: true }), /both running statistics/);
    assert.throws(() => batchNorm(x, null, null, null, null, { training: "yes" as unknown as boolean }), /training must be true or false, got "yes"/);
  });
});

test("dropout keeps about 1 − p of the elements and scales them by 1/(1 − p); the rest are 0", () => {
  for (const route of nnCore() ? (["wasm", "ts"] as const) : (["ts"] as const)) {
    for (const p of [0.1, 0.5, 0.9]) {
      withEngineRoute(route, () => tidy(() => {
        const n = 100_003;
        const y = dropout(Tensor.full([n], 1), p, true, new Random(12)).data;
        let kept = 0;
        const scale = Math.fround(1 / (1 - p));
        for (let i = 0; i < n; i++) {
          if (y[i] !== 0) {
            kept++;
            assert.equal(y[i], scale);
          }
        }
        const sd = Math.sqrt(n * p * (1 - p));
        assert.ok(Math.abs(kept - n * (1 - p)) < 4 * sd, `${route} p ${p}: kept ${kept} of ${n}`);
      }));
    }
  }
});

test("dropout's mask comes from the seeded Random: reproducible, different for another seed, the same on every route", () => {
  const run = (route: "wasm" | "ts", seed: number): Float32Array => withEngineRoute(route, () => tidy(() => {
    const x = Tensor.from(Array.from({ length: 1001 }, (_, i) => i + 1), [7, 11, 13]);
    return dropout(x, 0.3, true, new Random(seed)).toFloat32Array();
  }));
  const a = run("ts", 5), b = run("ts", 5), c = run("ts", 6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  if (nnCore()) assert.deepEqual(run("wasm", 5), a);
  // the Random advances: two calls from one generator draw two masks
  tidy(() => {
    const rng = new Random(3);
    const x = Tensor.full([64], 1);
    assert.notDeepEqual(dropout(x, 0.5, true, rng).toFloat32Array(), dropout(x, 0.5, true, rng).toFloat32Array());
  });
  // the hash is spread: neighbouring indices and seeds give unrelated values
  const h = [dropoutHash(0, 1, 2), dropoutHash(1, 1, 2), dropoutHash(0, 2, 2), dropoutHash(0, 1, 3)];
  assert.equal(new Set(h).size, 4);
});

test("dropout's gradient is the same mask and scale (central differences), on both routes", () => {
  const r = checkGrad((x) => dropout(x!, 0.4, true, new Random(21)), [[6, 9]]);
  assert.ok(r.maxError < 1e-8, JSON.stringify(r));
  for (const route of nnCore() ? (["wasm", "ts"] as const) : (["ts"] as const)) {
    withEngineRoute(route, () => tidy(() => {
      const x = Tensor.randn([5, 7], new Random(1));
      x.requiresGrad = true;
      const y = dropout(x, 0.25, true, new Random(2));
      backward(y, Tensor.full([5, 7], 1));
      // x has no zeros: the output is zero exactly where the element was dropped
      const yd = y.data, gd = x.grad!.data;
      for (let i = 0; i < yd.length; i++) assert.equal(gd[i], yd[i] === 0 ? 0 : Math.fround(1 / 0.75));
    }));
  }
});

test("dropout is the identity in eval and for p = 0; p outside [0, 1) is refused", () => {
  tidy(() => {
    const x = Tensor.randn([3, 4], new Random(1));
    assert.equal(dropout(x, 0.5, false, new Random(1)), x);
    assert.equal(dropout(x, 0, true, new Random(1)), x);
    for (const p of [1, -0.1, NaN, 2]) assert.throws(() => dropout(x, p, true, new Random(1)), /dropout: p must be a number in \[0, 1\)/);
    assert.throws(() => dropout(x, "0.5" as unknown as number, true, new Random(1)), /got "0.5"/);
  });
});

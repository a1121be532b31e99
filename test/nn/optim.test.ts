import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import type { SafeTensor } from "../../src/formats/safetensors.js";
import { tidy } from "../../src/nn/autograd.js";
import { Adam, AdamW } from "../../src/nn/optim/adam.js";
import type { BaseOptimizer } from "../../src/nn/optim/base.js";
import { clipGradNorm, clipGradValue } from "../../src/nn/optim/clip.js";
import {
  CosineAnnealingLR, ExponentialLR, LinearWarmup, ReduceLROnPlateau, StepLR, type LrSchedule,
} from "../../src/nn/optim/schedule.js";
import { SGD } from "../../src/nn/optim/sgd.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { fixture, fixtureFile } from "./helpers.js";

const fx = fixtureFile("optim.safetensors");
const T = (name: string): SafeTensor => fixture("optim.safetensors", name);
const ROUTES = (nnCore() ? ["wasm", "ts"] : ["ts"]) as ("wasm" | "ts")[];

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) assert.fail(`${what}[${i}]: ${a}, expected ${e} (tolerance ${tol})`);
  }
}

/** A long-lived parameter with a long-lived gradient. */
function param(values: ArrayLike<number>, shape: number[]): Tensor {
  const p = Tensor.longLived(shape);
  p.data.set(values);
  p.requiresGrad = true;
  p.grad = Tensor.longLived(shape);
  return p;
}

type Kw = Record<string, unknown>;
function makeOptimizer(cls: string, kw: Kw, params: [string, Tensor][]): BaseOptimizer {
  const o = {
    lr: kw.lr as number, momentum: kw.momentum as number | undefined, dampening: kw.dampening as number | undefined,
    nesterov: kw.nesterov as boolean | undefined, weightDecay: kw.weight_decay as number | undefined,
    betas: kw.betas as [number, number] | undefined, eps: kw.eps as number | undefined,
  };
  if (cls === "SGD") return new SGD(params, o);
  if (cls === "Adam") return new Adam(params, o);
  if (cls === "AdamW") return new AdamW(params, o);
  throw new Error(cls);
}

const CONFIGS = JSON.parse(fx.metadata.configs!) as Record<string, [string, Kw]>;
const STATE: Record<string, string[]> = { SGD: ["momentum_buffer"], Adam: ["exp_avg", "exp_avg_sq"], AdamW: ["exp_avg", "exp_avg_sq"] };

test("SGD, momentum, dampening, Nesterov, Adam (L2), AdamW and skipped gradients match torch.optim over 5 steps to 1e-6, on every route", () => {
  assert.ok(Object.keys(CONFIGS).length >= 8);
  for (const route of ROUTES) {
    withEngineRoute(route, () => {
      for (const [name, [cls, kw]] of Object.entries(CONFIGS)) {
        const w = param(T("init.w").data, [3, 5]), b = param(T("init.b").data, [7]);
        const bGrad = b.grad!;
        const opt = makeOptimizer(cls, kw, [["w", w], ["b", b]]);
        const gw = T("grads.w").data, gb = T("grads.b").data;
        for (let s = 0; s < 5; s++) {
          w.grad!.data.set(gw.subarray(s * 15, (s + 1) * 15));
          bGrad.data.set(gb.subarray(s * 7, (s + 1) * 7));
          b.grad = name === "adam_skip" && s === 1 ? null : bGrad;
          opt.step();
          close(w.data, T(`${name}.w`).data.subarray(s * 15, (s + 1) * 15), 1e-6, `${route} ${name} step ${s + 1} w`);
          close(b.data, T(`${name}.b`).data.subarray(s * 7, (s + 1) * 7), 1e-6, `${route} ${name} step ${s + 1} b`);
        }
        b.grad = bGrad;
        const state = opt.stateDict();
        for (const p of ["w", "b"]) {
          for (const sn of STATE[cls]!) {
            const key = `${name}.${p}.${sn}`;
            if (!fx.tensors.has(key)) continue;
            close(state.tensors.get(`${p}.${sn}`)!.data, T(key).data, 1e-6, `${route} ${key}`);
          }
        }
        if (name === "adam_skip") assert.deepEqual(state.steps, { w: 5, b: 4 });
        assert.equal(state.step, 5);
        opt.dispose();
        for (const t of [w, b]) {
          t.grad!.dispose();
          t.dispose();
        }
      }
    });
  }
});

test("hand-computed steps: Adam's first step is lr·g/(|g|+ε); AdamW with a zero gradient only decays; SGD momentum's second step", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => {
      const g = [0.5, -2, 1e-3, 0, 3, -0.25];
      const p0 = [1, 2, -1, 0.5, 0, -3];
      const p = param(p0, [6]);
      p.grad!.data.set(g);
      const adam = new Adam([p], { lr: 0.1 });
      adam.step();
      close(p.data, p0.map((v, i) => v - (0.1 * g[i]!) / (Math.abs(g[i]!) + 1e-8)), 1e-6, `${route} Adam step 1`);
      adam.dispose();

      p.data.set(p0);
      p.grad!.data.fill(0);
      const adamw = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
      adamw.step();
      close(p.data, p0.map((v) => v * (1 - 0.1 * 0.5)), 1e-7, `${route} AdamW decay`);
      adamw.dispose();

      // b1 = g; p1 = p0 − lr·g; b2 = μ·g + g; p2 = p1 − lr·b2
      p.data.set(p0);
      p.grad!.data.set(g);
      const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
      sgd.step();
      sgd.step();
      close(p.data, p0.map((v, i) => v - 0.1 * g[i]! - 0.1 * (0.9 * g[i]! + g[i]!)), 1e-6, `${route} SGD momentum`);
      sgd.dispose();
      p.grad!.dispose();
      p.dispose();
    });
  }
});

test("the WASM update job agrees with the TypeScript loops on large, odd-sized parameters (split between threads)", { skip: !nnCore() && "no compute core" }, () => {
  const rng = new Random(5);
  const sizes = [40_003, 1001, 37, 1];
  const init = sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal()));
  const grads = [0, 1, 2].map(() => sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal())));
  const makers: [string, (ps: Tensor[]) => BaseOptimizer][] = [
    ["Adam", (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.01 })],
    ["AdamW", (ps) => new AdamW(ps, { lr: 0.01 })],
    ["SGD Nesterov", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
    ["SGD", (ps) => new SGD(ps, { lr: 0.05 })],
  ];
  for (const [name, make] of makers) {
    const run = (route: "wasm" | "ts"): Float32Array[] => withEngineRoute(route, () => {
      const ps = init.map((v) => param(v, [v.length]));
      const opt = make(ps);
      for (const gs of grads) {
        ps.forEach((p, i) => p.grad!.data.set(gs[i]!));
        opt.step();
      }
      const out = ps.map((p) => p.toFloat32Array());
      opt.dispose();
      for (const p of ps) {
        p.grad!.dispose();
        p.dispose();
      }
      return out;
    });
    const w = run("wasm"), t = run("ts");
    w.forEach((a, i) => close(a, t[i]!, 1e-6, `${name} tensor ${i}`));
    // the update really moved the parameters
    assert.ok(Math.abs(w[0]![0]! - init[0]![0]!) > 1e-4, `${name} moved`);
  }
});

test("optimiser state round-trips through JSON: a resumed run takes the same steps as an uninterrupted one", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => {
      const rng = new Random(8);
      const v0 = Float32Array.from({ length: 11 }, () => rng.normal());
      const gs = [0, 1, 2, 3, 4].map(() => Float32Array.from({ length: 11 }, () => rng.normal()));
      for (const make of [(ps: [string, Tensor][]) => new Adam(ps, { lr: 0.05 }), (ps: [string, Tensor][]) => new SGD(ps, { lr: 0.05, momentum: 0.5 })]) {
        const a = param(v0, [11]);
        const optA = make([["enc.weight", a]]);
        for (const g of gs) {
          a.grad!.data.set(g);
          optA.step();
        }
        const b = param(v0, [11]);
        const optB = make([["enc.weight", b]]);
        for (const g of gs.slice(0, 3)) {
          b.grad!.data.set(g);
          optB.step();
        }
        const saved = JSON.parse(JSON.stringify(optB.toJSON()));
        const c = param(b.data, [11]);
        const optC = make([["enc.weight", c]]);
        optC.lr = 123; // restored from the state
        optC.loadStateDict(saved);
        assert.equal(optC.lr, 0.05);
        assert.equal(optC.stepCount, 3);
        for (const g of gs.slice(3)) {
          c.grad!.data.set(g);
          optC.step();
        }
        close(c.data, a.data, 1e-6, `${route} ${optA.type} resumed`);
        assert.throws(() => optC.loadStateDict({ ...saved, type: "Other" }), /the state is of "Other"/);
        const key = Object.keys(saved.tensors)[0]!;
        assert.throws(() => optC.loadStateDict({ ...saved, tensors: { ...saved.tensors, "x.exp_avg": saved.tensors[key] } }), /belongs to no parameter/);
        assert.throws(() => optC.loadStateDict({ ...saved, tensors: { [key]: { shape: [2], data: [1, 2] } } }), /is \[2\]/);
        for (const o of [optA, optB, optC]) o.dispose();
        for (const t of [a, b, c]) {
          t.grad!.dispose();
          t.dispose();
        }
      }
    });
  }
});

test("optimisers refuse bad options, scoped parameters and duplicates", () => {
  const p = param([1, 2], [2]);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  assert.throws(() => new SGD([p], { lr: NaN }), /SGD: lr must be a finite number >= 0, got NaN/);
  assert.throws(() => new Adam([p], { betas: [0.9, 1] }), /β2/);
  assert.throws(() => new Adam([p, p]), /listed twice/);
  assert.throws(() => new Adam([]), /no parameters/);
  tidy(() => assert.throws(() => new Adam([Tensor.zeros([2])]), /scoped tensor/));
  // a parameter without a gradient is left alone
  const q = Tensor.longLived([2]);
  q.data.set([3, 4]);
  const opt = new Adam([q]);
  opt.step();
  assert.deepEqual(Array.from(q.data), [3, 4]);
  opt.dispose();
  assert.equal(new AdamW([p]).weightDecay, 0.01, "AdamW's default weight decay is PyTorch's");
});

test("schedules give torch.optim.lr_scheduler's learning rates over 12 epochs", () => {
  const makers: Record<string, (o: { lr: number }) => LrSchedule> = {
    StepLR: (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
    ExponentialLR: (o) => new ExponentialLR(o, { gamma: 0.9 }),
    CosineAnnealingLR: (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 }),
    LinearLR: (o) => new LinearWarmup(o, { epochs: 4, startFactor: 0.25 }),
    ReduceLROnPlateau: (o) => new ReduceLROnPlateau(o, { factor: 0.5, patience: 2, cooldown: 1, threshold: 0.01 }),
  };
  const metrics = T("lr.metrics").data;
  for (const [name, make] of Object.entries(makers)) {
    const opt = { lr: 0.1 };
    const s = make(opt);
    const lrs = [opt.lr];
    for (let e = 1; e < 12; e++) {
      s.step(metrics[e - 1]);
      lrs.push(opt.lr);
    }
    close(lrs, T(`lr.${name}`).data, 1e-6, name);
    // resumable: a schedule restored at epoch 6 continues as the original
    const opt2 = { lr: 0.1 };
    const s2 = make(opt2);
    const opt3 = { lr: 0.1 };
    const s3 = make(opt3);
    for (let e = 1; e <= 6; e++) s2.step(metrics[e - 1]);
    s3.loadState(JSON.parse(JSON.stringify(s2.toJSON())));
    opt3.lr = opt2.lr;
    for (let e = 7; e < 12; e++) {
      s2.step(metrics[e - 1]);
      s3.step(metrics[e - 1]);
      assert.equal(opt3.lr, opt2.lr, `${name} resumed at epoch ${e}`);
    }
  }
  // the fixture's plateau schedule did reduce, and cosine went past tMax
  assert.ok(T("lr.ReduceLROnPlateau").data[11]! < 0.1);
  assert.throws(() => new ReduceLROnPlateau({ lr: 1 }).step(undefined), /needs the epoch's metric/);
  assert.throws(() => new StepLR({ lr: 1 }, { stepSize: 0 }), /stepSize must be an integer >= 1/);
});

test("clipGradNorm scales every gradient to the global L2 (or max) norm and returns the norm; clipGradValue clamps", () => {
  for (const route of ROUTES) {
    withEngineRoute(route, () => {
      const a = param([0, 0, 0], [3]), b = param([0, 0], [2]), c = Tensor.longLived([2]);
      a.grad!.data.set([3, 0, 4]);
      b.grad!.data.set([0, 12]);
      // c has no gradient: ignored
      const n = clipGradNorm([a, b, c], 6.5);
      assert.ok(Math.abs(n - 13) < 1e-5, `${route} norm ${n}`);
      const k = 6.5 / (13 + 1e-6);
      close(a.grad!.data, [3 * k, 0, 4 * k], 1e-6, "a clipped");
      close(b.grad!.data, [0, 12 * k], 1e-6, "b clipped");
      // below the limit: unchanged
      const n2 = clipGradNorm([a, b], 100);
      assert.ok(Math.abs(n2 - 6.5) < 1e-4);
      close(b.grad!.data, [0, 12 * k], 1e-7, "b not clipped");
      b.grad!.data.set([0, -12]);
      const ni = clipGradNorm([a, b], 3, Infinity);
      assert.ok(Math.abs(ni - 12) < 1e-6);
      close(b.grad!.data, [0, -12 * (3 / (12 + 1e-6))], 1e-6, "max norm");
      const big = param(new Float32Array(1003), [1003]);
      big.grad!.data.forEach((_, i, d) => (d[i] = (i % 7) - 3));
      clipGradValue([big], 1.5);
      assert.deepEqual(Array.from(big.grad!.data.subarray(0, 7)), [-1.5, -1.5, -1, 0, 1, 1.5, 1.5]);
      assert.equal(big.grad!.data[1002], [-1.5, -1.5, -1, 0, 1, 1.5, 1.5][1002 % 7]);
      assert.throws(() => clipGradNorm([a], -1), /maxNorm must be/);
      for (const t of [a, b, big]) {
        t.grad!.dispose();
        t.dispose();
      }
      c.dispose();
    });
  }
});

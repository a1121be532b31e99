import assert from "node:assert/strict";
import { test } from "node:test";
import { CancelledError, LatentkitError } from "../../src/core/errors.js";
import type { Progress } from "../../src/core/estimator.js";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { backward, record } from "../../src/nn/autograd.js";
import { matmul } from "../../src/nn/ops/matmul.js";
import { Tensor } from "../../src/nn/tensor.js";
import { BatchBuffer, fitLoop, splitRows } from "../../src/nn/train.js";
import { refuses } from "../helpers.js";

/** Every batch each epoch (copies: the loop reuses its index buffer). */
async function batchesOf(seed: number | false, n = 23, batchSize = 5, epochs = 3): Promise<number[][][]> {
  const epochsSeen: number[][][] = [];
  let current: number[][] = [];
  let count = 0;
  const perEpoch = Math.ceil(n / batchSize);
  await fitLoop({
    n, batchSize, epochs, shuffle: seed === false ? false : new Random(seed),
    step: (idx) => {
      current.push(Array.from(idx));
      if (++count % perEpoch === 0) {
        epochsSeen.push(current);
        current = [];
      }
      return 1;
    },
  });
  return epochsSeen;
}

test("fitLoop: batches shuffle reproducibly from the seed, cover every row once per epoch, differ between epochs and seeds", async () => {
  const a = await batchesOf(5), b = await batchesOf(5), c = await batchesOf(6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 3);
  for (const epoch of a) {
    assert.deepEqual(epoch.map((x) => x.length), [5, 5, 5, 5, 3]);
    assert.deepEqual(epoch.flat().sort((x, y) => x - y), Array.from({ length: 23 }, (_, i) => i));
  }
  assert.notDeepEqual(a[0], a[1]);
  // shuffle: false keeps the order
  const plain = await batchesOf(false);
  assert.deepEqual(plain[0]!.flat(), Array.from({ length: 23 }, (_, i) => i));
  assert.deepEqual(plain[0], plain[2]);
});

test("fitLoop: a validation fraction holds out the same rows every epoch, never trained on; an explicit set is evaluated whole", async () => {
  const trained = new Set<number>();
  const evaluated: number[][] = [];
  const h = await fitLoop({
    n: 50, batchSize: 8, epochs: 4, shuffle: new Random(1), validation: 0.2,
    step: (idx) => {
      idx.forEach((i) => trained.add(i));
      return 2;
    },
    evaluate: (idx) => {
      evaluated.push(Array.from(idx));
      return 0.5;
    },
  });
  assert.equal(trained.size, 40);
  const held = evaluated.slice(0, 2).flat();
  assert.equal(held.length, 10);
  for (const i of held) assert.ok(!trained.has(i), `held-out row ${i} was trained on`);
  assert.deepEqual(evaluated.slice(2, 4).flat(), held, "the same rows every epoch");
  assert.deepEqual(h.train, [2, 2, 2, 2]);
  assert.deepEqual(h.validation, [0.5, 0.5, 0.5, 0.5]);
  // split: sorted, disjoint, everything covered; reproducible
  const s = splitRows(50, 0.2, new Random(1));
  assert.deepEqual(Array.from(s.held), held.slice().sort((x, y) => x - y));
  assert.deepEqual([...s.train, ...s.held].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));

  const seen: number[] = [];
  const h2 = await fitLoop({
    n: 10, batchSize: 4, epochs: 2, validation: { n: 7 }, step: () => 1,
    // a weighted mean over the batches of the validation set: rows 0-3 give 1, rows 4-6 give 8
    evaluate: (idx) => {
      seen.push(...idx);
      return idx[0] === 0 ? 1 : 8;
    },
  });
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6]);
  assert.ok(Math.abs(h2.validation[0]! - (4 * 1 + 3 * 8) / 7) < 1e-12);
  await refuses(() => fitLoop({ n: 10, batchSize: 4, epochs: 1, validation: 0.3, step: () => 1 }), /validation needs an evaluate/);
  await refuses(() => fitLoop({ n: 10, batchSize: 4, epochs: 1, validation: 1, step: () => 1, evaluate: () => 1 }), /fraction must be in \(0, 1\)/);
});

test("fitLoop: early stopping stops after `patience` epochs without an improvement larger than minDelta", async () => {
  // validation losses: improve for 3 epochs, then flat (tiny decreases below minDelta)
  const val = [5, 4, 3, 2.9999, 2.9998, 2.9997, 2.9996, 1, 0.5];
  let epoch = -1;
  let best = -1;
  const h = await fitLoop({
    n: 6, batchSize: 3, epochs: val.length, validation: { n: 2 }, step: () => 1,
    evaluate: (idx) => (idx[0] === 0 ? val[++epoch]! : 0),
    earlyStopping: { patience: 3, minDelta: 1e-3 }, onBest: (e) => (best = e),
  });
  assert.equal(h.stoppedEarly, true);
  assert.equal(h.train.length, 6, "stopped after epochs 4, 5, 6 brought no improvement over 3");
  assert.equal(h.validation.length, 6);
  assert.equal(h.bestEpoch, 5, "the lowest loss, even if it was not an improvement by minDelta");
  assert.equal(best, 5);
  // without validation the training loss is monitored; without early stopping all epochs run
  let calls = 0;
  const h2 = await fitLoop({ n: 4, batchSize: 4, epochs: 10, step: () => (++calls < 3 ? 3 - calls : 7), earlyStopping: { patience: 2 } });
  assert.deepEqual(h2.train, [2, 1, 7, 7]);
  assert.equal(h2.bestEpoch, 1);
  const h3 = await fitLoop({ n: 4, batchSize: 4, epochs: 5, step: () => 1 });
  assert.equal(h3.train.length, 5);
  assert.equal(h3.stoppedEarly, false);
});

test("fitLoop: an abort rejects with CancelledError between batches (and before the first); nothing runs after it", async () => {
  const ac = new AbortController();
  let steps = 0;
  await assert.rejects(fitLoop({
    n: 100, batchSize: 10, epochs: 5, signal: ac.signal,
    step: () => {
      if (++steps === 13) ac.abort();
      return 1;
    },
  }), (e: unknown) => e instanceof CancelledError && /training was cancelled/.test(e.message));
  assert.equal(steps, 13);
  let ran = false;
  await assert.rejects(fitLoop({ n: 5, batchSize: 5, epochs: 1, signal: AbortSignal.abort(), step: () => ((ran = true), 1), what: "Autoencoder.fit" }),
    (e: unknown) => e instanceof CancelledError && /Autoencoder.fit was cancelled/.test(e.message));
  assert.equal(ran, false);
  // a timer abort lands while the loop runs: the loop lets the event loop run about every 100 ms
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(), 30);
  const t0 = performance.now();
  await assert.rejects(fitLoop({
    n: 1000, batchSize: 1, epochs: 1000, signal: ac2.signal,
    step: () => {
      const t = performance.now();
      while (performance.now() - t < 0.05) { /* work */ }
      return 1;
    },
  }), CancelledError);
  assert.ok(performance.now() - t0 < 2000);
});

test("fitLoop: progress reports the epoch stage, steps of the total, loss, valLoss, samples/s and the scheduled learning rate", async () => {
  const seen: Progress[] = [];
  const opt = { lr: 0.1 };
  const lrs: number[] = [];
  const h = await fitLoop({
    n: 20, batchSize: 8, epochs: 3, validation: 0.25, optimizer: opt,
    schedule: (e, lr) => (e === 0 ? undefined : lr / 2),
    step: () => {
      lrs.push(opt.lr);
      return 4;
    },
    evaluate: () => 3, onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  const ends = seen.filter((p) => p.metrics.valLoss !== undefined);
  assert.deepEqual(ends.map((p) => p.stage), ["epoch 1/3", "epoch 2/3", "epoch 3/3"]);
  assert.deepEqual(ends.map((p) => p.step), [2, 4, 6]);
  for (const p of ends) {
    assert.equal(p.total, 6);
    assert.equal(p.metrics.loss, 4);
    assert.equal(p.metrics.valLoss, 3);
    assert.ok(p.metrics.samplesPerSecond! > 0);
  }
  assert.deepEqual(ends.map((p) => p.metrics.lr), [0.1, 0.05, 0.025]);
  assert.ok(h.samplesPerSecond > 0 && h.seconds >= 0);
  await refuses(() => fitLoop({ n: 4, batchSize: 2, epochs: 1, schedule: () => 1, step: () => 1 }), /schedule needs the optimizer/);
  await refuses(() => fitLoop({ n: 4, batchSize: 2, epochs: 2, step: () => NaN }), /diverged: the loss of epoch 1, batch 1 is NaN/);
  await refuses(() => fitLoop({ n: 0, batchSize: 2, epochs: 2, step: () => 1 }), /n must be an integer >= 1/);
});

test("BatchBuffer gathers rows by index into one long-lived tensor; fitLoop + BatchBuffer train a least-squares model", async () => {
  const X = new Matrix(4, 3, Float32Array.from({ length: 12 }, (_, i) => i));
  const buf = new BatchBuffer(X, 3);
  const a = buf.gather(Int32Array.from([2, 0, 3]));
  assert.equal(a, buf.tensor);
  assert.deepEqual(Array.from(a.data), [6, 7, 8, 0, 1, 2, 9, 10, 11]);
  const b = buf.gather(Int32Array.from([1]));
  assert.deepEqual(b.shape, [1, 3]);
  assert.deepEqual(Array.from(b.data), [3, 4, 5]);
  assert.equal(b.ptr === -1 || b.ptr === buf.tensor.ptr, true, "a view of the same storage");
  assert.throws(() => buf.gather(Int32Array.from([4])), LatentkitError);
  assert.throws(() => buf.gather(Int32Array.from([0, 1, 2, 3])), LatentkitError);
  buf.dispose();

  // y = X·w* with noise-free targets; a test-local squared-error op, plain SGD
  const n = 200, d = 5;
  const rng = new Random(3);
  const Xd = new Matrix(n, d, Float32Array.from({ length: n * d }, () => rng.normal()));
  const wTrue = [1, -2, 0.5, 3, -1];
  const Y = new Matrix(n, 1, Float32Array.from({ length: n }, (_, i) => wTrue.reduce((s, w, j) => s + w * Xd.data[i * d + j]!, 0)));
  const xs = new BatchBuffer(Xd, 32), ys = new BatchBuffer(Y, 32);
  const w = Tensor.longLived([d, 1]);
  w.requiresGrad = true;
  const sqErr = (p: Tensor, t: Tensor): Tensor => {
    let s = 0;
    for (let i = 0; i < p.size; i++) s += (p.data[i]! - t.data[i]!) ** 2;
    return record("sqErr", [p], Tensor.from([s / p.size], []), (g) => {
      const o = Tensor.empty(p.shape);
      for (let i = 0; i < p.size; i++) o.data[i] = (2 * g.data[0]! * (p.data[i]! - t.data[i]!)) / p.size;
      return [o];
    });
  };
  const h = await fitLoop({
    n, batchSize: 32, epochs: 40, shuffle: new Random(0),
    step: (idx) => {
      const loss = sqErr(matmul(xs.gather(idx), w), ys.gather(idx));
      const v = loss.item();
      backward(loss);
      for (let i = 0; i < d; i++) w.data[i]! -= 0.1 * w.grad!.data[i]!;
      w.grad!.data.fill(0);
      return v;
    },
  });
  assert.ok(h.train[0]! > 1 && h.train[h.train.length - 1]! < 1e-6, JSON.stringify(h.train));
  for (let i = 0; i < d; i++) assert.ok(Math.abs(w.data[i]! - wTrue[i]!) < 1e-3);
  xs.dispose();
  ys.dispose();
  w.grad?.dispose();
  w.dispose();
});

// Lifetimes and limits of the engine's storage and of saved models: what a reviewer broke, kept broken-proof.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LatentkitError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { parseSafetensors, serializeSafetensors } from "../../src/formats/safetensors.js";
import { Autoencoder, DenseAutoencoderNet } from "../../src/models/autoencoder.js";
import { backward, tapeLength, tidy } from "../../src/nn/autograd.js";
import { linear, mul, softmaxCrossEntropy, sum } from "../../src/nn/ops/index.js";
import { Adam } from "../../src/nn/optim/adam.js";
import { loadModule, saveModule } from "../../src/nn/serialize.js";
import { nnCore } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

test("softmaxCrossEntropy outside tidy keeps its labels alive until backward (garbage collection between)", async () => {
  const n = 4096, c = 10;
  const logits = Tensor.full([n, c], 0);
  logits.requiresGrad = true;
  const labels = Int32Array.from({ length: n }, (_, i) => i % c);
  const loss = softmaxCrossEntropy(logits, labels);
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  // new blocks that would reuse a freed label block, filled with a label that is wrong for most rows
  const junk = Array.from({ length: 4 }, () => Tensor.full([n], 0));
  backward(loss);
  const g = logits.grad!.data;
  let wrong = 0;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < c; j++) {
      const want = (0.1 - (j === labels[r] ? 1 : 0)) / n;
      if (Math.abs(g[r * c + j]! - want) > 1e-7) wrong++;
    }
  }
  assert.equal(wrong, 0);
  junk.forEach((t) => t.dispose());
});

test("a leaf made in an outer scope keeps its gradient after an inner scope's backward", () => {
  tidy(() => {
    const x = Tensor.from([1, 2, 3]);
    x.requiresGrad = true;
    tidy(() => backward(sum(mul(x, x))));
    assert.deepEqual(Array.from(x.grad!.data), [2, 4, 6]);
    tidy(() => backward(sum(mul(x, x))));
    assert.deepEqual(Array.from(x.grad!.data), [4, 8, 12]);
  });
});

test("forward passes outside any scope leave nothing behind: no tape entry, and their nodes are collectable", async () => {
  const rng = new Random(1);
  const w = Tensor.randn([16, 8], rng);
  w.requiresGrad = true;
  const before = tapeLength();
  let ref: WeakRef<object> | undefined;
  (() => {
    const y = linear(Tensor.randn([4, 8], rng), w, null, "relu");
    ref = new WeakRef(y.node!);
  })();
  assert.equal(tapeLength(), before);
  // (deref() keeps its target alive to the end of the current job: collect and look in later ones)
  let alive = true;
  for (let i = 0; i < 5 && alive; i++) {
    await tick();
    gc();
    await tick();
    alive = ref.deref() !== undefined;
  }
  assert.equal(alive, false, "the dropped forward's tape node is still reachable");
});

test("asking the compute core for more memory than it can have is a LatentkitError naming the size", { skip: !nnCore() && "no compute core" }, () => {
  assert.throws(() => Tensor.longLived([1 << 30, 2]), (e: unknown) => e instanceof LatentkitError && /out of WebAssembly memory: a block of 8192\.0 MiB/.test((e as Error).message));
  // and smaller blocks still come after the failure
  const t = Tensor.longLived([1 << 20]);
  t.dispose();
});

test("an Autoencoder too large for the core's memory is refused before allocating; bad earlyStopping at construction", async () => {
  const X = new Matrix(4, 8, new Float32Array(32).fill(0.5));
  await assert.rejects(new Autoencoder({ layers: [100000000], epochs: 1 }).fit(X), /this Autoencoder has 8200000040 parameters for 8 features: with gradients and optimiser state .* GiB/);
  assert.throws(() => new Autoencoder({ earlyStopping: 0 }), /earlyStopping must be an integer >= 1, got 0/);
});

test("a saved Autoencoder whose options do not match its weights is refused before the network is built", async () => {
  const X = new Matrix(16, 8, new Float32Array(128).map((_, i) => (i % 7) / 7));
  const ae = new Autoencoder({ layers: [4], code: 2, epochs: 2, seed: 0 });
  await ae.fit(X);
  const file = parseSafetensors(ae.toSafetensors());
  const header = JSON.parse(file.metadata.latentkit!);
  const rewrite = (edit: (h: Record<string, unknown>) => void): Uint8Array => {
    const h = structuredClone(header);
    edit(h);
    return serializeSafetensors([...file.tensors], { ...file.metadata, latentkit: JSON.stringify(h) });
  };
  assert.throws(() => Autoencoder.fromSafetensors(rewrite((h) => (h.nFeatures = 9)), "m.safetensors"),
    /m\.safetensors: weight "encoder.0.weight" has shape \[4, 8\] \(32 values\), expected \[4, 9\]/);
  assert.throws(() => Autoencoder.fromSafetensors(rewrite((h) => (h.nFeatures = 1e9)), "m.safetensors"),
    /this Autoencoder has 9000000026 parameters for 1000000000 features: .* more than the 3 GiB/);
  assert.throws(() => Autoencoder.fromSafetensors(rewrite((h) => ((h.history as { bestEpoch: number }).bestEpoch = 99))),
    /bestEpoch is 99: expected a finite integer >= 0 and <= 1/);
  assert.equal(Autoencoder.fromSafetensors(rewrite(() => undefined)).transform(X).cols, 2);
});

test("an optimiser state that fails its checks changes nothing", () => {
  const p = Tensor.full([3], 1);
  p.requiresGrad = true;
  const opt = new Adam([["p", p]], { lr: 1e-3 });
  const s = opt.stateDict();
  assert.throws(() => opt.loadStateDict({ ...s, options: { ...s.options, lr: 5 }, step: 1000, steps: { p: -1 } }), /non-negative integer, got -1/);
  assert.equal(opt.lr, 1e-3);
  assert.equal(opt.stateDict().step, s.step);
});

test("a DenseAutoencoderNet saved as a module loads back through buildModule with the same weights", () => {
  const net = new DenseAutoencoderNet({ sizes: [6, 4, 2], tied: true, activation: "tanh", codeActivation: "none" }, new Random(3));
  const back = loadModule(saveModule(net));
  const a = net.stateDict(), b = back.stateDict();
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [k, t] of a) assert.deepEqual(Array.from(b.get(k)!.data), Array.from(t.data), k);
});

// latentkit side of bench/nn: one workload (W1-W4, see bench/nn_torch.py for the same networks in PyTorch) trained on
// Fashion-MNIST with Adam lr 1e-3, in a process of its own (so its peak resident memory is this workload's, data
// included), printed as one JSON object. Built from the engine's ops with PyTorch's layouts and default initialisers.
//   node dist/bench/nn-run.js W1 DATA_DIR [--steps n] [--seconds s] [--warmup k] [--threads t] [--seed n]
import { join } from "node:path";
import { Random } from "../src/core/random.js";
import { kernelInfo, setThreads } from "../src/core/wasm/runtime.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { backward, tidy, zeroGrad } from "../src/nn/autograd.js";
import {
  add, bceWithLogits, conv2d, convTranspose2d, dropout, exp, gaussianKL, linear, maxPool2d, mul, mulScalar, relu, reshape,
  softmaxCrossEntropy,
} from "../src/nn/ops/index.js";
import { Adam } from "../src/nn/optim/adam.js";
import { engineRoute } from "../src/nn/storage.js";
import { Tensor } from "../src/nn/tensor.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const workload = argv[0] ?? "W1";
const dataDir = argv[1] ?? "../shared/data/fashion-mnist";
const steps = Number(arg("--steps", "0"));
const seconds = Number(arg("--seconds", "15"));
const warmup = Number(arg("--warmup", "3"));
const seed = Number(arg("--seed", "0"));
if (argv.includes("--threads")) setThreads(Number(arg("--threads", "2")));

const rng = new Random(seed);
const params: Tensor[] = [];

/** A long-lived parameter drawn from U(−bound, bound), as PyTorch's default Linear/Conv initialisers. */
function uniformParam(shape: number[], bound: number): Tensor {
  const t = Tensor.uniform(shape, rng, -bound, bound);
  t.requiresGrad = true;
  params.push(t);
  return t;
}
/** nn.Linear(inF, outF): weight [out, in], bias [out], both U(±1/√in). */
function dense(inF: number, outF: number): [Tensor, Tensor] {
  const b = 1 / Math.sqrt(inF);
  return [uniformParam([outF, inF], b), uniformParam([outF], b)];
}
/** nn.Conv2d(c, o, k): weight [o, c, k, k], bias [o], U(±1/√(c·k·k)). */
function convP(c: number, o: number, k: number): [Tensor, Tensor] {
  const b = 1 / Math.sqrt(c * k * k);
  return [uniformParam([o, c, k, k], b), uniformParam([o], b)];
}
/** nn.ConvTranspose2d(c, o, k): weight [c, o, k, k], bias [o], U(±1/√(o·k·k)) (PyTorch's fan-in is dim 1). */
function convTP(c: number, o: number, k: number): [Tensor, Tensor] {
  const b = 1 / Math.sqrt(o * k * k);
  return [uniformParam([c, o, k, k], b), uniformParam([o], b)];
}

// --- data: the training images as one Float32Array of pixels / 255, and their labels
const images = readIdxImages(join(dataDir, "train-images-idx3-ubyte.gz")).X;
const labels = readIdxLabels(join(dataDir, "train-labels-idx1-ubyte.gz"));
const N = images.rows, D = images.cols;
// scaled in place: one float32 copy of the data set in memory, as PyTorch's side keeps
const pixels = images.data as Float32Array;
for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! / 255;

type Loss = (x: Tensor, y: Int32Array) => Tensor;
let batch: number;
let imageShape: number[];
let lossOf: Loss;
const dropRng = new Random(seed + 1);
const noise = new Random(seed + 2);

if (workload === "W1") {
  batch = 256;
  imageShape = [784];
  const sizes = [784, 512, 128, 32, 128, 512, 784];
  const layers = sizes.slice(1).map((o, i) => dense(sizes[i]!, o));
  lossOf = (x) => {
    let h = x;
    layers.forEach(([w, b], i) => (h = linear(h, w, b, i < layers.length - 1 ? "relu" : "none")));
    return bceWithLogits(h, x);
  };
} else if (workload === "W2") {
  batch = 128;
  imageShape = [1, 28, 28];
  const [c1, cb1] = convP(1, 16, 3), [c2, cb2] = convP(16, 32, 3);
  const [e, eb] = dense(32 * 7 * 7, 32), [d, db] = dense(32, 32 * 7 * 7);
  const [t1, tb1] = convTP(32, 16, 2), [t2, tb2] = convTP(16, 1, 2);
  lossOf = (x) => {
    const B = x.shape[0]!;
    let h = maxPool2d(relu(conv2d(x, c1, cb1, { padding: 1 })), { kernel: 2 });
    h = maxPool2d(relu(conv2d(h, c2, cb2, { padding: 1 })), { kernel: 2 });
    const z = linear(reshape(h, [B, 32 * 7 * 7]), e, eb);
    h = reshape(linear(z, d, db, "relu"), [B, 32, 7, 7]);
    h = relu(convTranspose2d(h, t1, tb1, { stride: 2 }));
    return bceWithLogits(convTranspose2d(h, t2, tb2, { stride: 2 }), x);
  };
} else if (workload === "W3") {
  batch = 128;
  imageShape = [784];
  const [w1, b1] = dense(784, 400), [w21, b21] = dense(400, 20), [w22, b22] = dense(400, 20);
  const [w3, b3] = dense(20, 400), [w4, b4] = dense(400, 784);
  lossOf = (x) => {
    const B = x.shape[0]!;
    const h = linear(x, w1, b1, "relu");
    const mu = linear(h, w21, b21), logVar = linear(h, w22, b22);
    const z = add(mu, mul(Tensor.randn([B, 20], noise), exp(mulScalar(logVar, 0.5))));
    const logits = linear(linear(z, w3, b3, "relu"), w4, b4);
    return mulScalar(add(bceWithLogits(logits, x, "sum"), gaussianKL(mu, logVar, "sum")), 1 / B);
  };
} else if (workload === "W4") {
  batch = 128;
  imageShape = [1, 28, 28];
  const [c1, cb1] = convP(1, 32, 3), [c2, cb2] = convP(32, 64, 3);
  const [f1, fb1] = dense(9216, 128), [f2, fb2] = dense(128, 10);
  lossOf = (x, y) => {
    const B = x.shape[0]!;
    let h = relu(conv2d(relu(conv2d(x, c1, cb1)), c2, cb2));
    h = dropout(maxPool2d(h, { kernel: 2 }), 0.25, true, dropRng);
    h = dropout(linear(reshape(h, [B, 9216]), f1, fb1, "relu"), 0.5, true, dropRng);
    return softmaxCrossEntropy(linear(h, f2, fb2), y);
  };
} else {
  throw new Error(`unknown workload ${workload} (W1, W2, W3 or W4)`);
}

const opt = new Adam(params, { lr: 1e-3 });
const order = Int32Array.from({ length: N }, (_, i) => i);
const shuffler = new Random(seed + 3);
shuffler.shuffle(order);
let pos = 0;
const yb = new Int32Array(batch);

/** Milliseconds spent in each phase of the timed steps (the warm-up's are reset). */
const phases = { batch: 0, forward: 0, backward: 0, optimizer: 0 };
function step(): number {
  if (pos + batch > N) {
    shuffler.shuffle(order);
    pos = 0;
  }
  const t0 = performance.now();
  let t1 = 0, t2 = 0;
  zeroGrad(params);
  const loss = tidy(() => {
    const x = Tensor.empty([batch, ...imageShape]);
    const xd = x.data;
    for (let r = 0; r < batch; r++) {
      const i = order[pos + r]!;
      xd.set(pixels.subarray(i * D, (i + 1) * D), r * D);
      yb[r] = labels[i]!;
    }
    t1 = performance.now();
    const l = lossOf(x, yb);
    const v = l.item();
    t2 = performance.now();
    backward(l);
    return v;
  });
  const t3 = performance.now();
  pos += batch;
  opt.step();
  const t4 = performance.now();
  phases.batch += t1 - t0;
  phases.forward += t2 - t1;
  phases.backward += t3 - t2;
  phases.optimizer += t4 - t3;
  return loss;
}

for (let i = 0; i < warmup; i++) step();
phases.batch = phases.forward = phases.backward = phases.optimizer = 0;
const losses: number[] = [];
const t0 = performance.now();
let elapsed = 0;
for (;;) {
  losses.push(step());
  elapsed = (performance.now() - t0) / 1000;
  if ((steps > 0 && losses.length >= steps) || (steps <= 0 && elapsed >= seconds)) break;
}
const tail = losses.slice(-20);
const info = kernelInfo();
console.log(JSON.stringify({
  workload,
  peer: "latentkit",
  route: engineRoute(),
  variant: info.variant,
  threads: info.threads,
  batch,
  steps: losses.length,
  seconds: elapsed,
  samplesPerSecond: (losses.length * batch) / elapsed,
  loss: tail.reduce((a, b) => a + b, 0) / tail.length,
  peakMB: process.resourceUsage().maxRSS / 1024,
  params: params.reduce((a, p) => a + p.size, 0),
  // per step: the batch copied in (and zeroGrad), forward to the loss, backward (the tape, scope end), Adam
  msPerStep: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Number((v / losses.length).toFixed(3))])),
}));
process.exit(0);

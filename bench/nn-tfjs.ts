// TensorFlow.js side of bench/nn: one workload (W1-W4, the networks of bench/nn_torch.py) trained on Fashion-MNIST
// with tf.train.adam(1e-3) on one tfjs backend ("wasm": @tensorflow/tfjs-backend-wasm, its .wasm files loaded from
// the package's dist folder; or "cpu": tfjs's plain-JavaScript backend), in a process of its own, printed as one JSON
// object. A bench peer only: the two packages are devDependencies, never imported from src/, and are loaded here by
// dynamic import so that the build does not need them (a checkout without them prints an error row).
//   node dist/bench/nn-tfjs.js W1 DATA_DIR [--backend wasm|cpu] [--steps n] [--seconds s] [--warmup k]
//     [--min-steps m] [--seed n]
// Layouts are tfjs's (NHWC images, [kh, kw, in, out] filters, [in, out] dense kernels); the parameters are drawn as
// PyTorch's default initialisers draw them (U(±1/√fan-in)). tfjs is slow (hundreds of samples/s, a few per second
// for the conv nets on "cpu"), so the run is timed by --seconds with at least --min-steps timed steps (default 3).
// A workload the backend cannot train (tfjs-wasm 4.22 has no Conv2DBackpropFilter kernel) prints
// {"workload", "peer", "error": "<tfjs's message>"} and exits 0.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Random } from "../src/core/random.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const workload = argv[0] ?? "W1";
const dataDir = argv[1] ?? "../shared/data/fashion-mnist";
const backendName = arg("--backend", "wasm");
const steps = Number(arg("--steps", "0"));
const seconds = Number(arg("--seconds", "15"));
const warmup = Number(arg("--warmup", "3"));
const minSteps = Number(arg("--min-steps", "3"));
const seed = Number(arg("--seed", "0"));
const peer = `tfjs-${backendName}`;

function report(obj: Record<string, unknown>): never {
  console.log(JSON.stringify({ workload, peer, ...obj }));
  process.exit(0);
}
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

// tfjs's types are not needed by the build (the packages may be absent): the handful of calls below go through `any`
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let tf: Any;
try {
  tf = await import("@tensorflow/" + "tfjs");
  if (backendName === "wasm") {
    const wasm: Any = await import("@tensorflow/" + "tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    // the package's main file is dist/tf-backend-wasm.node.js: its folder holds the three .wasm builds
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
    wasm.setWasmPaths(dist + "/");
  } else if (backendName !== "cpu") {
    report({ error: `unknown backend ${backendName} (wasm or cpu)` });
  }
  if (!(await tf.setBackend(backendName))) report({ error: `tfjs backend ${backendName} did not initialise` });
  await tf.ready();
} catch (e) {
  report({ error: `tfjs not available: ${message(e)}` });
}

// --- data: the training images as one Float32Array of pixels / 255, and their labels
const images = readIdxImages(join(dataDir, "train-images-idx3-ubyte.gz")).X;
const labels = readIdxLabels(join(dataDir, "train-labels-idx1-ubyte.gz"));
const N = images.rows, D = images.cols;
const pixels = images.data as Float32Array;
for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! / 255;

const rng = new Random(seed);
const vars: Any[] = [];
/** A trainable variable drawn from U(−bound, bound), as PyTorch's default Linear/Conv initialisers. */
function uniformVar(shape: number[], bound: number): Any {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (2 * rng.uniform() - 1) * bound;
  const t = tf.variable(tf.tensor(v, shape), true);
  vars.push(t);
  return t;
}
/** nn.Linear(inF, outF) as a tfjs dense kernel [in, out] and bias [out]. */
function dense(inF: number, outF: number): [Any, Any] {
  const b = 1 / Math.sqrt(inF);
  return [uniformVar([inF, outF], b), uniformVar([outF], b)];
}
/** nn.Conv2d(c, o, k): filter [k, k, c, o], bias [o]. */
function convP(c: number, o: number, k: number): [Any, Any] {
  const b = 1 / Math.sqrt(c * k * k);
  return [uniformVar([k, k, c, o], b), uniformVar([o], b)];
}
/** nn.ConvTranspose2d(c, o, k): tfjs's conv2dTranspose filter [k, k, out, in], bias [o], U(±1/√(o·k·k)). */
function convTP(c: number, o: number, k: number): [Any, Any] {
  const b = 1 / Math.sqrt(o * k * k);
  return [uniformVar([k, k, o, c], b), uniformVar([o], b)];
}
const lin = (x: Any, [w, b]: [Any, Any]): Any => tf.add(tf.matMul(x, w), b);
/** Mean (or sum) over all elements of BCE with logits: max(z, 0) − z·t + log(1 + e^−|z|). */
function bce(z: Any, t: Any, reduction: "mean" | "sum"): Any {
  const e = tf.add(tf.sub(tf.relu(z), tf.mul(z, t)), tf.log(tf.add(tf.exp(tf.neg(tf.abs(z))), 1)));
  return reduction === "sum" ? tf.sum(e) : tf.mean(e);
}

let batch: number;
let imageShape: number[];
let lossOf: (x: Any, y: Any) => Any;
if (workload === "W1") {
  batch = 256;
  imageShape = [784];
  const sizes = [784, 512, 128, 32, 128, 512, 784];
  const layers = sizes.slice(1).map((o, i) => dense(sizes[i]!, o));
  lossOf = (x) => {
    let h = x;
    layers.forEach((l, i) => (h = i < layers.length - 1 ? tf.relu(lin(h, l)) : lin(h, l)));
    return bce(h, x, "mean");
  };
} else if (workload === "W2") {
  batch = 128;
  imageShape = [28, 28, 1];
  const [c1, cb1] = convP(1, 16, 3), [c2, cb2] = convP(16, 32, 3);
  const e = dense(32 * 7 * 7, 32), d = dense(32, 32 * 7 * 7);
  const [t1, tb1] = convTP(32, 16, 2), [t2, tb2] = convTP(16, 1, 2);
  lossOf = (x) => {
    const B = x.shape[0];
    let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c1, 1, "same"), cb1)), 2, 2, "valid");
    h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2, 1, "same"), cb2)), 2, 2, "valid");
    // flattened in NHWC order here (PyTorch's is NCHW): the same network up to a fixed permutation of e's rows
    const z = lin(tf.reshape(h, [B, 32 * 7 * 7]), e);
    h = tf.reshape(tf.relu(lin(z, d)), [B, 7, 7, 32]);
    h = tf.relu(tf.add(tf.conv2dTranspose(h, t1, [B, 14, 14, 16], 2, "valid"), tb1));
    return bce(tf.add(tf.conv2dTranspose(h, t2, [B, 28, 28, 1], 2, "valid"), tb2), x, "mean");
  };
} else if (workload === "W3") {
  batch = 128;
  imageShape = [784];
  const l1 = dense(784, 400), l21 = dense(400, 20), l22 = dense(400, 20), l3 = dense(20, 400), l4 = dense(400, 784);
  lossOf = (x) => {
    const B = x.shape[0];
    const h = tf.relu(lin(x, l1));
    const mu = lin(h, l21), logVar = lin(h, l22);
    const z = tf.add(mu, tf.mul(tf.randomNormal([B, 20]), tf.exp(tf.mul(logVar, 0.5))));
    const logits = lin(tf.relu(lin(z, l3)), l4);
    const kl = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar))), -0.5);
    return tf.div(tf.add(bce(logits, x, "sum"), kl), B);
  };
} else if (workload === "W4") {
  batch = 128;
  imageShape = [28, 28, 1];
  const [c1, cb1] = convP(1, 32, 3), [c2, cb2] = convP(32, 64, 3);
  const f1 = dense(9216, 128), f2 = dense(128, 10);
  lossOf = (x, y) => {
    const B = x.shape[0];
    let h = tf.relu(tf.add(tf.conv2d(x, c1, 1, "valid"), cb1));
    h = tf.relu(tf.add(tf.conv2d(h, c2, 1, "valid"), cb2));
    h = tf.dropout(tf.maxPool(h, 2, 2, "valid"), 0.25);
    h = tf.dropout(tf.relu(lin(tf.reshape(h, [B, 9216]), f1)), 0.5);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), lin(h, f2));
  };
} else {
  report({ error: `unknown workload ${workload} (W1, W2, W3 or W4)` });
}

const opt = tf.train.adam(1e-3);
const order = Int32Array.from({ length: N }, (_, i) => i);
const shuffler = new Random(seed + 3);
shuffler.shuffle(order);
let pos = 0;
const xb = new Float32Array(batch * D);
const yb = new Int32Array(batch);

function step(): number {
  if (pos + batch > N) {
    shuffler.shuffle(order);
    pos = 0;
  }
  for (let r = 0; r < batch; r++) {
    const i = order[pos + r]!;
    xb.set(pixels.subarray(i * D, (i + 1) * D), r * D);
    yb[r] = labels[i]!;
  }
  pos += batch;
  const loss = tf.tidy(() => {
    const x = tf.tensor(xb, [batch, ...imageShape]);
    const y = tf.tensor1d(yb, "int32");
    return opt.minimize(() => lossOf(x, y), true, vars);
  });
  const v = (loss.dataSync() as Float32Array)[0]!;
  loss.dispose();
  return v;
}

try {
  for (let i = 0; i < warmup; i++) step();
  const losses: number[] = [];
  const t0 = performance.now();
  let elapsed = 0;
  for (;;) {
    losses.push(step());
    elapsed = (performance.now() - t0) / 1000;
    if (steps > 0 ? losses.length >= steps : elapsed >= seconds && losses.length >= minSteps) break;
  }
  const tail = losses.slice(-20);
  report({
    backend: tf.getBackend(),
    version: tf.version.tfjs,
    threads: 1,
    batch,
    steps: losses.length,
    seconds: elapsed,
    samplesPerSecond: (losses.length * batch) / elapsed,
    loss: tail.reduce((a, b) => a + b, 0) / tail.length,
    peakMB: process.resourceUsage().maxRSS / 1024,
    params: vars.reduce((a, v) => a + v.size, 0),
    tensors: tf.memory().numTensors,
  });
} catch (e) {
  report({ error: message(e) });
}

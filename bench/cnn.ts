// bench/cnn: latentkit's CNNClassifier against the same nets in PyTorch (Debian python3-torch under /usr/bin/python3,
// bench/cnn_torch.py) on Fashion-MNIST, for the two presets: lenet (width 32, batch norm, dropout 0.25) and resnet
// (width 16, batch norm, residual blocks, dropout 0.25).
//
// A fair comparison: both start from the same initial weights (latentkit draws them, as PyTorch's default
// initialisation does, and writes them as safetensors; torch loads them into the nn.Sequential built from the same
// layer tokens), train the same epochs with the same batch size, optimiser (Adam) and learning rate on the same rows;
// what differs is the batch order and the dropout masks (each side's own random numbers). Reported: test accuracy on
// the full 10k test set of both (target: within 0.5 points), training samples/s of both and their ratio (latentkit
// on its default threads, PyTorch on --torch-threads, and PyTorch on one thread timed on 10k rows).
//
// Then FGSM (Goodfellow et al. 2015, "Explaining and harnessing adversarial examples": x + ε·sign(∇x loss), clipped to
// [0, 1]) accuracy against ε on the SAME weights both ways: latentkit's trained weights attacked by latentkit and by
// torch (the file loaded into torch), and torch's trained weights (written back as safetensors) attacked by torch and
// by latentkit (target: within 2 points). latentkit's FGSM is src/models/adversarial.ts's robustAccuracy when it is
// there, else a minimal FGSM here through model.forward and backward (the output says which).
//
// usage: npm run bench:cnn -- [--nets lenet,resnet] [--epochs 2] [--lenet-epochs E] [--resnet-epochs E] [--train N]
//        [--test N] [--fgsm-test 2000] [--torch-threads 2] [--time-threads 1 (0: skip)] [--eps 0,0.05,...,0.3] [--seed 0] [--quick]
//        [--images docs/images] [--markdown] [--json]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";
import { serializeSafetensors } from "../src/formats/safetensors.js";
import { saveFigure } from "../src/io/figures.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { CNNClassifier } from "../src/models/cnn.js";
import { buildLayers, planLayers } from "../src/models/cnn-layers.js";
import { backward, noGrad, tidy } from "../src/nn/autograd.js";
import { softmaxCrossEntropy } from "../src/nn/ops/losses.js";
import { Tensor } from "../src/nn/tensor.js";
import { lineChartFigure, type LineSeries } from "../src/plot/charts.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const has = (name: string): boolean => argv.includes(name);
const intArg = (name: string, def: number, min = 1): number => {
  const v = Number(arg(name, String(def)));
  if (!Number.isInteger(v) || v < min) {
    console.error(`bench:cnn: ${name} must be an integer >= ${min}, got ${arg(name, "")}`);
    process.exit(2);
  }
  return v;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const fashion = join(root, "../shared/data/fashion-mnist");
const quick = has("--quick");
const nTrain = intArg("--train", quick ? 2000 : 60000);
const nTest = intArg("--test", quick ? 1000 : 10000);
const epochs = intArg("--epochs", quick ? 1 : 2);
const seed = intArg("--seed", 0, 0);
const torchThreads = intArg("--torch-threads", 2);
const timeThreads = intArg("--time-threads", 1, 0);
const nFgsm = Math.min(nTest, intArg("--fgsm-test", quick ? 500 : 2000));
const EPS = arg("--eps", "0,0.05,0.1,0.15,0.2,0.25,0.3").split(",").filter(Boolean).map(Number);
const NETS = arg("--nets", "lenet,resnet").split(",").filter(Boolean);
const imagesDir = arg("--images", quick ? join(root, "out/bench-cnn-quick") : join(root, "docs/images"));
const work = join(root, "out/bench-cnn");
const asMarkdown = has("--markdown");
const asJson = has("--json");
const BATCH = 128, LR = 1e-3;
const CONFIG: Record<string, { preset: "lenet" | "resnet"; width: number; what: string }> = {
  lenet: { preset: "lenet", width: 32, what: "lenet-32 (batch norm, dropout 0.25)" },
  resnet: { preset: "resnet", width: 16, what: "resnet-16 (batch norm, residual blocks, dropout 0.25)" },
};
for (const n of NETS) {
  if (!CONFIG[n]) {
    console.error(`bench:cnn: unknown net ${n} (lenet, resnet)`);
    process.exit(2);
  }
}
if (EPS.some((e) => !(e >= 0 && e <= 1))) {
  console.error(`bench:cnn: --eps must be numbers in [0, 1], got ${arg("--eps", "")}`);
  process.exit(2);
}
if (!existsSync(join(fashion, "train-images-idx3-ubyte.gz"))) {
  console.error(`bench:cnn: Fashion-MNIST not found in ${fashion}`);
  process.exit(2);
}
mkdirSync(imagesDir, { recursive: true });
mkdirSync(work, { recursive: true });

function loadAverage(): number | null {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}
const log = (s: string): void => {
  if (!asJson) console.log(s);
  else console.error(s);
};

function images(name: string, limit: number): { X: Matrix; y: Int32Array } {
  const { X } = readIdxImages(join(fashion, `${name}-images-idx3-ubyte.gz`), limit);
  const out = Matrix.zeros(X.rows, X.cols, "float32");
  for (let i = 0; i < out.data.length; i++) out.data[i] = X.data[i]! / 255;
  return { X: out, y: readIdxLabels(join(fashion, `${name}-labels-idx1-ubyte.gz`), limit) };
}

type Curve = { eps: number; accuracy: number }[];

/** FGSM accuracy for each ε: a minimal FGSM through model.forward (eval mode) and backward, chunks of 500 rows. */
function fgsmLocal(model: CNNClassifier, X: Matrix, y: Int32Array, eps: number[]): Curve {
  const d = X.cols, K = model.classes.length;
  const classIndex = new Map(model.classes.map((c, i) => [Number(c), i]));
  const yi = Int32Array.from(y, (v) => classIndex.get(v)!);
  return eps.map((e) => {
    let hit = 0;
    for (let s = 0; s < X.rows; s += 500) {
      const m = Math.min(X.rows, s + 500) - s;
      const rows = X.data.subarray(s * d, (s + m) * d) as Float32Array;
      const labels = yi.subarray(s, s + m);
      const adv = Float32Array.from(rows);
      if (e > 0) {
        tidy(() => {
          const x = Tensor.from(rows, [m, d]);
          x.requiresGrad = true;
          backward(softmaxCrossEntropy(model.forward(x), labels));
          const g = x.grad!.data;
          for (let i = 0; i < adv.length; i++) adv[i] = Math.min(1, Math.max(0, adv[i]! + e * Math.sign(g[i]!)));
        });
      }
      tidy(() => noGrad(() => {
        const z = model.forward(Tensor.from(adv, [m, d])).data;
        for (let i = 0; i < m; i++) {
          let b = 0;
          for (let k = 1; k < K; k++) if (z[i * K + k]! > z[i * K + b]!) b = k;
          if (b === labels[i]) hit++;
        }
      }));
    }
    return { eps: e, accuracy: hit / X.rows };
  });
}

/** adversarial.ts's robustAccuracy (the "adv" helper's module) when present, else the local FGSM. */
let fgsmSource = "local FGSM (bench/cnn.ts)";
type Robust = (m: CNNClassifier, X: Matrix, y: ArrayLike<number>, eps: number[], method: "fgsm") => Curve;
let robust: Robust | null = null;
try {
  const path = "../src/models/adversarial.js";
  const mod = (await import(path)) as { robustAccuracy?: Robust };
  if (typeof mod.robustAccuracy === "function") {
    robust = mod.robustAccuracy;
    fgsmSource = "src/models/adversarial.ts robustAccuracy";
  }
} catch {
  // not merged yet: the local FGSM
}
const fgsmOurs = (m: CNNClassifier, X: Matrix, y: Int32Array): Curve => {
  const Xf = X.rowRange(0, nFgsm), yf = y.subarray(0, nFgsm);
  return robust ? robust(m, Xf, Array.from(yf), EPS, "fgsm") : fgsmLocal(m, Xf, yf, EPS);
};

interface NetResult {
  net: string;
  what: string;
  layers: string;
  epochs: number;
  ours: { testAccuracy: number; trainLoss: number; trainAccuracy: number; samplesPerSecond: number; seconds: number };
  torch: Record<string, unknown> & { testAccuracy: number; samplesPerSecond: number; seconds: number; fgsm: Curve; oursFgsm: Curve; oursTestAccuracy: number; timed?: { threads: number; samplesPerSecond: number } };
  torchWeightsInOurs: number;
  fgsm: { oursWeights: { latentkit: Curve; torch: Curve }; torchWeights: { latentkit: Curve; torch: Curve } };
  load: (number | null)[];
}

const tStart = performance.now();
const load0 = loadAverage();
log(`bench:cnn: Fashion-MNIST ${nTrain} training / ${nTest} test images, batch ${BATCH}, Adam lr ${LR}, seed ${seed}; load ${load0}`);
const train = images("train", nTrain);
const test = images("t10k", nTest);
const python = existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import torch"]).status === 0 ? "/usr/bin/python3" : null;
if (!python) {
  console.error("bench:cnn: no PyTorch under /usr/bin/python3 (Debian python3-torch): nothing to compare with");
  process.exit(2);
}
const results: NetResult[] = [];
for (const name of NETS) {
  const cfg = CONFIG[name]!;
  const E = intArg(`--${name}-epochs`, epochs);
  const loadBefore = loadAverage();
  const model = new CNNClassifier({
    preset: cfg.preset, width: cfg.width, epochs: E, batchSize: BATCH, learningRate: LR, seed,
    onProgress: (p) => { if (process.stderr.isTTY) process.stderr.write(`\r${name} ${p.stage} ${p.step}/${p.total} loss ${p.metrics.loss?.toFixed(4)}   `); },
  });
  // the initial weights: fit draws them first from Random(seed), as here
  const plans = planLayers(model.layerSpec, [1, 28, 28], 10);
  const net0 = buildLayers(plans, new Random(seed));
  const initPath = join(work, `${name}-init.safetensors`);
  writeFileSync(initPath, serializeSafetensors([...net0.stateDict()].map(([k, t]) => [k, { shape: t.shape, data: t.data }]), { format: "pt" }));
  net0.dispose();
  log(`${name}: ${cfg.what}, layers ${model.layerSpec}, ${E} epochs`);
  await model.fit(train.X, Array.from(train.y));
  if (process.stderr.isTTY) process.stderr.write("\n");
  const h = model.history;
  const ours = {
    testAccuracy: model.score(test.X, Array.from(test.y)), trainLoss: h.train[h.train.length - 1]!, trainAccuracy: h.terms!.accuracy!.at(-1)!,
    samplesPerSecond: h.samplesPerSecond, seconds: h.seconds,
  };
  log(`  latentkit: test accuracy ${(100 * ours.testAccuracy).toFixed(2)}%, ${Math.round(ours.samplesPerSecond)} samples/s, ${ours.seconds.toFixed(1)} s`);
  const oursPath = join(work, `${name}-latentkit.safetensors`);
  writeFileSync(oursPath, model.toSafetensors());
  const torchPath = join(work, `${name}-torch.safetensors`);
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const loadTorch = loadAverage();
  const r = spawnSync(python, [join(root, "bench/cnn_torch.py"), fashion, "--layers", model.layerSpec, "--init", initPath, "--epochs", String(E),
    "--batch-size", String(BATCH), "--lr", String(LR), "--train", String(nTrain), "--test", String(nTest), "--threads", String(torchThreads),
    "--seed", String(seed), "--save", torchPath, "--ours", oursPath, "--eps", EPS.join(","), "--fgsm-test", String(nFgsm),
    ...(timeThreads > 0 ? ["--time-threads", String(timeThreads), "--time-samples", String(Math.min(10000, nTrain))] : [])],
  { encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    console.error(`bench:cnn: cnn_torch.py failed (${r.status}): ${r.stderr}`);
    process.exit(1);
  }
  const torch = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as NetResult["torch"];
  log(`  PyTorch ${torchThreads} threads: test accuracy ${(100 * torch.testAccuracy).toFixed(2)}%, ${Math.round(torch.samplesPerSecond)} samples/s, ${torch.seconds.toFixed(1)} s`);
  const fromTorch = CNNClassifier.fromSafetensors(readFileSync(torchPath), torchPath);
  const torchWeightsInOurs = fromTorch.score(test.X, Array.from(test.y));
  log(`  FGSM (${fgsmSource}) on latentkit's and on torch's weights`);
  const fgsm = {
    oursWeights: { latentkit: fgsmOurs(model, test.X, test.y), torch: torch.oursFgsm },
    torchWeights: { latentkit: fgsmOurs(fromTorch, test.X, test.y), torch: torch.fgsm },
  };
  results.push({ net: name, what: cfg.what, layers: model.layerSpec, epochs: E, ours, torch, torchWeightsInOurs, fgsm, load: [loadBefore, loadTorch, loadAverage()] });
  // each net's results as soon as they are in (a long run cut short keeps them)
  writeFileSync(join(work, "partial.json"), JSON.stringify({ nTrain, nTest, nFgsm, fgsmSource, results }) + "\n");
  model.dispose();
  fromTorch.dispose();
}

const pct = (v: number): string => (100 * v).toFixed(2);
const pts = (v: number): string => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}`;
const lines: string[] = [];
lines.push(`Fashion-MNIST, ${nTrain} training images, test accuracy on ${nTest}; batch ${BATCH}, Adam lr ${LR}, same initial weights; ` +
  `batch order and dropout masks differ. latentkit on ${process.env.LATENTKIT_THREADS ?? availableParallelism()} threads (WebAssembly), PyTorch ${results[0]?.torch.torch ?? ""} on ${torchThreads}.`);
lines.push("");
const t1 = timeThreads > 0 ? ` | PyTorch ${timeThreads} thread samples/s` : "";
lines.push(`| net | epochs | latentkit test acc. | PyTorch test acc. | difference (points) | latentkit samples/s | PyTorch samples/s | latentkit / PyTorch${t1} |`);
lines.push(`|---|---|---|---|---|---|---|---|${timeThreads > 0 ? "---|" : ""}`);
for (const r of results) {
  lines.push(`| ${r.what} | ${r.epochs} | ${pct(r.ours.testAccuracy)} % | ${pct(r.torch.testAccuracy)} % | ${pts(r.ours.testAccuracy - r.torch.testAccuracy)} | ` +
    `${Math.round(r.ours.samplesPerSecond)} | ${Math.round(r.torch.samplesPerSecond)} | ${(r.ours.samplesPerSecond / r.torch.samplesPerSecond).toFixed(2)}` +
    `${timeThreads > 0 ? ` | ${Math.round(r.torch.timed?.samplesPerSecond ?? NaN)}` : ""} |`);
}
lines.push("");
lines.push(`FGSM accuracy (%) against ε on the same weights, the first ${nFgsm} test images; latentkit's FGSM: ${fgsmSource}.`);
for (const r of results) {
  lines.push("");
  lines.push(`${r.what}: latentkit-trained weights (test accuracy in torch ${pct(r.torch.oursTestAccuracy)} %) and PyTorch-trained weights (in latentkit ${pct(r.torchWeightsInOurs)} %)`);
  lines.push("");
  lines.push("| ε | latentkit weights: latentkit FGSM | torch FGSM | difference | PyTorch weights: latentkit FGSM | torch FGSM | difference |");
  lines.push("|---|---|---|---|---|---|---|");
  EPS.forEach((e, i) => {
    const a = r.fgsm.oursWeights, b = r.fgsm.torchWeights;
    lines.push(`| ${e} | ${pct(a.latentkit[i]!.accuracy)} | ${pct(a.torch[i]!.accuracy)} | ${pts(a.latentkit[i]!.accuracy - a.torch[i]!.accuracy)} | ` +
      `${pct(b.latentkit[i]!.accuracy)} | ${pct(b.torch[i]!.accuracy)} | ${pts(b.latentkit[i]!.accuracy - b.torch[i]!.accuracy)} |`);
  });
}
const maxFgsm = Math.max(...results.flatMap((r) => EPS.map((_, i) => Math.max(
  Math.abs(r.fgsm.oursWeights.latentkit[i]!.accuracy - r.fgsm.oursWeights.torch[i]!.accuracy),
  Math.abs(r.fgsm.torchWeights.latentkit[i]!.accuracy - r.fgsm.torchWeights.torch[i]!.accuracy)))));
const seconds = (performance.now() - tStart) / 1000;
lines.push("");
lines.push(`Largest FGSM difference ${(100 * maxFgsm).toFixed(2)} points; run ${(seconds / 60).toFixed(1)} min, 1-minute load ${load0} at the start, ` +
  `${results.map((r) => `${r.net} ${r.load.join(" → ")}`).join("; ")}.`);

const series: LineSeries[] = results.flatMap((r) => [
  { name: `${r.net}: lk weights, lk`, x: EPS, y: r.fgsm.oursWeights.latentkit.map((c) => c.accuracy) },
  { name: `${r.net}: lk weights, torch`, x: EPS, y: r.fgsm.oursWeights.torch.map((c) => c.accuracy) },
  { name: `${r.net}: torch weights, lk`, x: EPS, y: r.fgsm.torchWeights.latentkit.map((c) => c.accuracy) },
  { name: `${r.net}: torch weights, torch`, x: EPS, y: r.fgsm.torchWeights.torch.map((c) => c.accuracy) },
]);
const figPath = join(imagesDir, "cnn-torch-fgsm.png");
if (series.length) saveFigure(figPath, lineChartFigure(series, { title: "FGSM on the same weights (lk: latentkit; weights, attack)", xLabel: "eps (L-inf radius, pixels in [0, 1])", yLabel: "test accuracy" }));

const json = JSON.stringify({ nTrain, nTest, nFgsm, batchSize: BATCH, learningRate: LR, fgsmSource, results, seconds, figure: figPath });
writeFileSync(join(work, "results.json"), json + "\n");
writeFileSync(join(work, "results.md"), lines.join("\n") + "\n");
if (asJson) process.stdout.write(json + "\n");
if (asMarkdown || !asJson) console.log(lines.join("\n"));
log(`wrote ${figPath}`);

// What each training trick buys a small convolutional network, and what a network can memorise (issue 13):
//   ablation   Fashion-MNIST (a training subset, --train, default 20,000; the full 10,000-image test set): the small
//              ResNet preset (width 16: conv16, res16, conv32, res32, global average pooling) trained with the same
//              epochs, batch size (128) and optimiser (Adam, lr 1e-3, constant) in six configurations — plain (no batch
//              norm, no dropout, the blocks without their shortcuts, no augmentation), each trick alone (batch norm
//              (Ioffe & Szegedy 2015), dropout 0.25 before the classifier (Srivastava et al. 2014), residual shortcuts (He
//              et al. 2016), augmentation: random shifts of up to 2 pixels and horizontal flips) and all four — with three
//              seeds each: test accuracy mean ± standard deviation (and the range), the final training loss, seconds and
//              samples/s; a plot of the training loss per epoch (mean over the seeds) per configuration.
//   recipe     the full training set (60,000): a LeNet-style net (width 32: conv32, bn, relu, maxpool, conv64, bn, relu,
//              maxpool, dropout 0.25, dense128, relu, dropout 0.25) with Adam 1e-3 and a cosine schedule for --recipe-epochs
//              (default 12): test accuracy after every epoch (the target: >= 92 %), time and samples/s; the model is saved
//              as safetensors to --save (default /tmp/latentkit-cnn-recipe.safetensors, outside the repository).
//   memorize   "Understanding deep learning requires rethinking generalization" (Zhang, Bengio, Hardt, Recht & Vinyals,
//              ICLR 2017): the same net (LeNet width 16 with batch norm, no dropout, no augmentation) trained on --mem-train
//              (default 5,000) images with their true labels and with the labels randomly permuted: training accuracy
//              (eval mode, the whole subset) and test accuracy (--mem-test images) after every epoch. The net fits both;
//              only the true labels generalise (random labels: test accuracy at chance, 10 %).
// A benchmark, not a test: the timings mean something only on an idle machine (the load average is printed at the
// start of every section). Progress lines go to stderr about every 15 s.
//   npm run build && npm run bench:cnn-tricks -- [--only ablation,recipe,memorize] [--train n] [--test n] [--epochs n]
//     [--seeds n] [--configs plain,bn,dropout,residual,augment,all] [--recipe-train n] [--recipe-epochs n] [--save path]
//     [--mem-train n] [--mem-test n] [--mem-epochs n] [--mem-width n] [--images docs/images] [--markdown] [--json] [--quick]
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import type { Progress } from "../src/core/estimator.js";
import { Random } from "../src/core/random.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { saveFigure } from "../src/io/figures.js";
import { CNNClassifier, type CNNClassifierOptions } from "../src/models/cnn.js";
import { noGrad, tidy } from "../src/nn/autograd.js";
import type { Sequential } from "../src/nn/layers/container.js";
import { reshape } from "../src/nn/ops/reshape.js";
import { Tensor } from "../src/nn/tensor.js";
import type { LossHistory } from "../src/nn/train.js";
import { lineChartFigure } from "../src/plot/charts.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const has = (name: string): boolean => argv.includes(name);
const die = (msg: string): never => {
  console.error(`bench:cnn-tricks: ${msg}`);
  process.exit(2);
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const fashion = join(root, "../shared/data/fashion-mnist");
const quick = has("--quick");
const SECTIONS = ["ablation", "recipe", "memorize"];
const only = new Set(arg("--only", SECTIONS.join(",")).split(",").filter(Boolean));
for (const s of only) if (!SECTIONS.includes(s)) die(`unknown section ${s} (${SECTIONS.join(", ")})`);
const intArg = (name: string, def: number): number => {
  const v = Number(arg(name, String(def)));
  if (!Number.isInteger(v) || v < 1) die(`${name} must be an integer >= 1, got ${arg(name, "")}`);
  return v;
};

/** The ablation's configurations: the resnet preset's four switches. */
interface Config {
  name: string;
  label: string;
  batchNorm: boolean;
  dropout: number;
  residual: boolean;
  augment: boolean;
}
const CONFIGS: Config[] = [
  { name: "plain", label: "plain", batchNorm: false, dropout: 0, residual: false, augment: false },
  { name: "bn", label: "+ batch norm", batchNorm: true, dropout: 0, residual: false, augment: false },
  { name: "dropout", label: "+ dropout 0.25", batchNorm: false, dropout: 0.25, residual: false, augment: false },
  { name: "residual", label: "+ residual", batchNorm: false, dropout: 0, residual: true, augment: false },
  { name: "augment", label: "+ augmentation", batchNorm: false, dropout: 0, residual: false, augment: true },
  { name: "all", label: "all four", batchNorm: true, dropout: 0.25, residual: true, augment: true },
];
const configNames = arg("--configs", CONFIGS.map((c) => c.name).join(",")).split(",").filter(Boolean);
for (const c of configNames) if (!CONFIGS.some((k) => k.name === c)) die(`unknown configuration ${c} (${CONFIGS.map((k) => k.name).join(", ")})`);

const nTrain = intArg("--train", quick ? 1000 : 20000);
const nTest = Math.min(10000, intArg("--test", quick ? 1000 : 10000));
const epochs = intArg("--epochs", quick ? 1 : 4);
const nSeeds = intArg("--seeds", quick ? 2 : 3);
const recipeTrain = Math.min(60000, intArg("--recipe-train", quick ? 2000 : 60000));
const recipeEpochs = intArg("--recipe-epochs", quick ? 2 : 12);
const savePath = arg("--save", quick ? "/tmp/latentkit-cnn-recipe-quick.safetensors" : "/tmp/latentkit-cnn-recipe.safetensors");
const memTrain = intArg("--mem-train", quick ? 500 : 5000);
const memTest = Math.min(10000, intArg("--mem-test", quick ? 500 : 2000));
const memEpochs = intArg("--mem-epochs", quick ? 3 : 40);
const memWidth = intArg("--mem-width", 16);
// the quick run's pictures go to a scratch folder unless asked for: they must not replace the README's
const imagesDir = arg("--images", quick ? join(root, "out/bench-cnn-tricks-quick") : join(root, "docs/images"));
const asMarkdown = has("--markdown");
const asJson = has("--json");
if (!existsSync(join(fashion, "train-images-idx3-ubyte.gz"))) die(`Fashion-MNIST not found in ${fashion}`);
mkdirSync(imagesDir, { recursive: true });

function loadAverage(): number | null {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}
const log = (s: string): void => console.log(s);
const note = (s: string): void => {
  process.stderr.write(`${s}\n`);
};
const f1 = (v: number): string => v.toFixed(1);
const f2 = (v: number): string => v.toFixed(2);
const f3 = (v: number): string => v.toFixed(3);
const pct = (v: number): string => (100 * v).toFixed(2);
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const std = (v: readonly number[]): number => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

/** A table: markdown with --markdown, else aligned columns. */
function table(key: string, title: string, head: string[], rows: string[][]): void {
  let out = `\n${title}\n`;
  if (asMarkdown) {
    out += `<!-- bench:cnn-tricks ${key} -->\n| ${head.join(" | ")} |\n|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|\n`;
    for (const r of rows) out += `| ${r.join(" | ")} |\n`;
    out += "<!-- /bench:cnn-tricks -->\n";
  } else {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
    out += line(head) + "\n" + line(head.map((_, i) => "-".repeat(w[i]!))) + "\n" + rows.map(line).join("\n") + "\n";
  }
  log(out);
}
const picture = (file: string, fig: Parameters<typeof saveFigure>[1]): void => {
  const path = join(imagesDir, file);
  saveFigure(path, fig);
  log(`  wrote ${path}`);
};

// --- data: pixels / 255, labels 0–9 (the classes' order: T-shirt/top, trouser, …, ankle boot)
function images(file: string, n: number): Matrix {
  const raw = readIdxImages(join(fashion, file), n).X;
  const out = Matrix.zeros(raw.rows, raw.cols, "float32");
  for (let i = 0; i < raw.data.length; i++) out.data[i] = raw.data[i]! / 255;
  return out;
}
const nLoad = Math.max(nTrain, recipeTrain, memTrain);
const Xall = images("train-images-idx3-ubyte.gz", nLoad);
const yAll = readIdxLabels(join(fashion, "train-labels-idx1-ubyte.gz"), nLoad);
const Xtest = images("t10k-images-idx3-ubyte.gz", nTest);
const yTest = readIdxLabels(join(fashion, "t10k-labels-idx1-ubyte.gz"), nTest);
const subset = (n: number): { X: Matrix; y: Int32Array } => ({ X: Xall.rowRange(0, n), y: yAll.subarray(0, n) });

/**
 * A CNNClassifier that keeps a handle on the network while it trains, so that a progress callback can measure it
 * at the end of every epoch (the protected training loop is the model's own; nothing else changes).
 */
class WatchedCNN extends CNNClassifier {
  net: Sequential | null = null;
  protected override async train(net: Sequential, M: Matrix, labels: Int32Array, imageShape: [number, number, number], params: Tensor[], rng: Random,
    over?: { epochs?: number; learningRate?: number }): Promise<LossHistory> {
    this.net = net;
    return super.train(net, M, labels, imageShape, params, rng, over);
  }
}

/** Accuracy of the network (eval mode) on X against label indices y; leaves the network in eval mode. */
function accuracy(net: Sequential, X: Matrix, y: ArrayLike<number>): number {
  net.eval();
  const d = X.cols, side = Math.round(Math.sqrt(d));
  let hit = 0;
  for (let s = 0; s < X.rows; s += 500) {
    const e = Math.min(X.rows, s + 500);
    tidy(() => noGrad(() => {
      const logits = net.forward(reshape(Tensor.from(X.data.subarray(s * d, e * d), [e - s, d]), [e - s, 1, side, side]));
      const K = logits.shape[1]!, v = logits.data;
      for (let i = 0; i < e - s; i++) {
        let b = 0;
        for (let k = 1; k < K; k++) if (v[i * K + k]! > v[i * K + b]!) b = k;
        if (b === y[s + i]) hit++;
      }
    }));
  }
  return hit / X.rows;
}

/**
 * Trains `options` on (X, y), printing a progress line to stderr about every 15 s; with `atEpoch`, calls it with
 * the network after every epoch (its time is left out of `seconds`).
 */
async function train(what: string, options: CNNClassifierOptions, X: Matrix, y: Int32Array, atEpoch?: (net: Sequential, epoch: number) => void):
  Promise<{ model: WatchedCNN; history: LossHistory; seconds: number; evalSeconds: number }> {
  let last = performance.now();
  let evalSeconds = 0;
  let evaluated = 0;
  const perEpoch = Math.ceil(X.rows / Math.min(options.batchSize ?? 128, X.rows));
  const model: WatchedCNN = new WatchedCNN({
    ...options,
    onProgress: (p: Progress) => {
      const now = performance.now();
      const epoch = p.metrics.epoch!;
      // the end of an epoch: its report comes after its last batch (a report within the epoch may share that step)
      const end = p.step === epoch * perEpoch && epoch > evaluated;
      if (end) evaluated = epoch;
      if (end && atEpoch && model.net) {
        const t = performance.now();
        atEpoch(model.net, epoch);
        evalSeconds += (performance.now() - t) / 1000;
      }
      if (now - last > 15000 || (end && !atEpoch)) {
        last = now;
        note(`  ${what}: ${p.stage}, batch ${p.step}/${p.total}, loss ${f3(p.metrics.loss!)}, ${Math.round(p.metrics.samplesPerSecond ?? 0)} samples/s`);
      }
    },
  });
  const t0 = performance.now();
  await model.fit(X, y);
  const seconds = (performance.now() - t0) / 1000 - evalSeconds;
  return { model, history: model.history, seconds, evalSeconds };
}

const results: Record<string, unknown> = { quick, nTrain, nTest, epochs, nSeeds, loadAverageStart: loadAverage() };

async function section(name: string, f: () => Promise<void>): Promise<void> {
  if (!only.has(name)) return;
  const load = loadAverage();
  log(`\n== ${name} (load average at the start: ${load === null ? "?" : load.toFixed(2)}${load !== null && load > 1.2 ? " — WARNING: the machine is busy, the timings are not comparable" : ""})`);
  results[`${name}LoadAverage`] = load;
  const t0 = performance.now();
  await f();
  log(`== ${name}: ${f1((performance.now() - t0) / 1000)} s (load average at the end: ${loadAverage()?.toFixed(2) ?? "?"})`);
}

log(`bench:cnn-tricks: ${quick ? "QUICK run (small subsets: numbers not for the README), " : ""}sections ${[...only].join(", ")}; Fashion-MNIST test ${nTest} images; pictures in ${imagesDir}`);

await section("ablation", async () => {
  const { X, y } = subset(nTrain);
  log(`resnet preset, width 16; ${X.rows} training images, ${epochs} epochs, batch 128, Adam lr 1e-3 (constant), seeds 0..${nSeeds - 1}`);
  const rows: { config: Config; acc: number[]; loss: number[]; curves: number[][]; seconds: number[]; rate: number[] }[] = [];
  for (const name of configNames) {
    const config = CONFIGS.find((c) => c.name === name)!;
    const r = { config, acc: [] as number[], loss: [] as number[], curves: [] as number[][], seconds: [] as number[], rate: [] as number[] };
    for (let seed = 0; seed < nSeeds; seed++) {
      const { model, history, seconds } = await train(`${name} seed ${seed}`, {
        preset: "resnet", width: 16, batchNorm: config.batchNorm, dropout: config.dropout, residual: config.residual,
        augment: config.augment, shift: 2, flip: true, epochs, batchSize: 128, learningRate: 1e-3, optimizer: "adam", seed,
      }, X, y);
      const acc = model.score(Xtest, yTest);
      r.acc.push(acc);
      r.loss.push(history.train[history.train.length - 1]!);
      r.curves.push(history.train.slice());
      r.seconds.push(seconds);
      r.rate.push(history.samplesPerSecond);
      log(`  ${config.label}, seed ${seed}: test accuracy ${pct(acc)} %, final training loss ${f3(r.loss[r.loss.length - 1]!)}, ${f1(seconds)} s, ${Math.round(history.samplesPerSecond)} samples/s; ` +
        `training loss per epoch ${history.train.map(f3).join(" ")}`);
      model.dispose();
    }
    rows.push(r);
  }
  table("ablation", `Ablation: resnet-16 on ${X.rows} Fashion-MNIST training images, ${epochs} epochs, ${nSeeds} seeds; test accuracy on ${nTest} test images`,
    ["configuration", "test accuracy % (mean ± sd)", "range %", "final training loss", "seconds / run", "samples/s"],
    rows.map((r) => [
      r.config.label, `${pct(mean(r.acc))} ± ${pct(std(r.acc))}`, `${pct(Math.min(...r.acc))}–${pct(Math.max(...r.acc))}`,
      f3(mean(r.loss)), f1(mean(r.seconds)), String(Math.round(mean(r.rate))),
    ]));
  picture("cnn-tricks-loss.png", lineChartFigure(rows.map((r) => ({
    name: r.config.label,
    x: r.curves[0]!.map((_, e) => e + 1),
    y: r.curves[0]!.map((_, e) => mean(r.curves.map((c) => c[e]!))),
  })), {
    title: `resnet-16, ${X.rows} images: mean of ${nSeeds} seeds`, xLabel: "epoch", yLabel: "training loss (train mode)",
  }));
  results.ablation = rows.map((r) => ({ config: r.config, testAccuracy: r.acc, trainLoss: r.loss, curves: r.curves, seconds: r.seconds, samplesPerSecond: r.rate }));
});

await section("recipe", async () => {
  const { X, y } = subset(recipeTrain);
  log(`lenet preset, width 32, batch norm, dropout 0.25; ${X.rows} training images, ${recipeEpochs} epochs, batch 128, Adam lr 1e-3 with a cosine schedule, seed 0`);
  const testAcc: number[] = [];
  const { model, history, seconds } = await train("recipe", {
    preset: "lenet", width: 32, batchNorm: true, dropout: 0.25, epochs: recipeEpochs, batchSize: 128, learningRate: 1e-3, optimizer: "adam",
    lrSchedule: "cosine", seed: 0,
  }, X, y, (net, epoch) => {
    testAcc.push(accuracy(net, Xtest, yTest));
    note(`  recipe: epoch ${epoch}/${recipeEpochs}: test accuracy ${pct(testAcc[testAcc.length - 1]!)} %`);
  });
  const final = model.score(Xtest, yTest);
  mkdirSync(dirname(savePath), { recursive: true });
  writeFileSync(savePath, model.toSafetensors());
  log(`  saved the model to ${savePath}`);
  table("recipe", `The full recipe: lenet-32 (batch norm, dropout 0.25), Adam 1e-3 + cosine, ${recipeEpochs} epochs on ${X.rows} images`,
    ["epoch", "training loss", "test accuracy %"],
    history.train.map((l, e) => [String(e + 1), f3(l), pct(testAcc[e] ?? Number.NaN)]));
  log(`  final test accuracy ${pct(final)} % on ${nTest} images; training ${f1(seconds)} s (${f1(seconds / 60)} min, ${f1(seconds / recipeEpochs)} s/epoch), ` +
    `${Math.round(history.samplesPerSecond)} samples/s; ${(model.forwardMacs / 1e6).toFixed(2)} M multiply-adds per image`);
  results.recipe = { nTrain: X.rows, epochs: recipeEpochs, testAccuracy: final, testAccuracyPerEpoch: testAcc, trainLoss: history.train, seconds, samplesPerSecond: history.samplesPerSecond, saved: savePath };
  model.dispose();
});

await section("memorize", async () => {
  const { X, y } = subset(memTrain);
  const Xt = Xtest.rowRange(0, memTest), yt = yTest.subarray(0, memTest);
  const shuffled = Int32Array.from(y);
  new Random(1234).shuffle(shuffled);
  let kept = 0;
  for (let i = 0; i < y.length; i++) if (shuffled[i] === y[i]) kept++;
  log(`lenet preset, width ${memWidth}, batch norm, no dropout, no augmentation; ${X.rows} training images, ${memEpochs} epochs, batch 128, Adam lr 1e-3 (constant), seed 0; ` +
    `random labels: a permutation of the true ones (${pct(kept / y.length)} % unchanged); test accuracy on ${memTest} test images`);
  const runs: { name: string; train: number[]; test: number[]; loss: number[]; seconds: number }[] = [];
  for (const [name, labels] of [["true labels", y], ["random labels", shuffled]] as const) {
    const train_: number[] = [], test: number[] = [];
    const { model, history, seconds } = await train(`memorize (${name})`, {
      preset: "lenet", width: memWidth, batchNorm: true, dropout: 0, epochs: memEpochs, batchSize: 128, learningRate: 1e-3, optimizer: "adam", seed: 0,
    }, X, labels, (net, epoch) => {
      train_.push(accuracy(net, X, labels));
      test.push(accuracy(net, Xt, yt));
      note(`  memorize (${name}): epoch ${epoch}/${memEpochs}: training accuracy ${pct(train_[train_.length - 1]!)} %, test accuracy ${pct(test[test.length - 1]!)} %`);
    });
    runs.push({ name, train: train_, test, loss: history.train.slice(), seconds });
    model.dispose();
  }
  const every = memEpochs <= 12 ? 1 : Math.ceil(memEpochs / 10);
  const shown = runs[0]!.train.map((_, e) => e).filter((e) => (e + 1) % every === 0 || e === 0 || e === memEpochs - 1);
  table("memorize", `Memorisation: lenet-${memWidth} (batch norm) on ${X.rows} Fashion-MNIST images with true and randomly permuted labels`,
    ["epoch", ...runs.flatMap((r) => [`${r.name}: train acc %`, `${r.name}: test acc %`, `${r.name}: training loss`])],
    shown.map((e) => [String(e + 1), ...runs.flatMap((r) => [pct(r.train[e]!), pct(r.test[e]!), f3(r.loss[e]!)])]));
  for (const r of runs) log(`  ${r.name}: ${f1(r.seconds)} s of training`);
  const x = runs[0]!.train.map((_, e) => e + 1);
  picture("cnn-memorize.png", lineChartFigure([
    ...runs.map((r) => ({ name: `${r.name}: train`, x, y: r.train.map((v) => 100 * v) })),
    ...runs.map((r) => ({ name: `${r.name}: test`, x, y: r.test.map((v) => 100 * v) })),
  ], { title: `lenet-${memWidth}, ${X.rows} images: true vs permuted labels`, xLabel: "epoch", yLabel: "accuracy %" }));
  results.memorize = runs;
});

if (asJson) log(JSON.stringify(results));

// Adversarial examples on Fashion-MNIST (issue 13): a standard CNNClassifier and adversarially trained ones (FGSM
// examples, Goodfellow et al. 2015, and optionally PGD examples, Madry et al. 2018, replacing half of every batch,
// eps 0.1), each attacked by FGSM and by L∞ PGD (10 steps of 2.5·eps/10 from a random start) at eps 0, 0.05, …, 0.3
// on the first --test test images: accuracy against eps as a table and a plot (docs/images/cnn-adversarial.png), and
// a grid of original / perturbation / adversarial images of the standard net (docs/images/cnn-adversarial-grid.png).
// The net is the lenet preset (--width, default 16: conv16-bn-relu-pool, conv32-bn-relu-pool, dense128, dropout
// 0.25), Adam lr 1e-3, batch 128, the same seed for every model. The standard model is saved (--save, default
// /tmp/cnn/adv-standard.safetensors, outside git) for bench/cnn_torch.py to compare FGSM curves on the same weights.
// A benchmark, not a test: the load average is printed at the start (timings mean little on a busy machine).
//   npm run build && npm run bench:cnn-adversarial -- [--train 60000] [--test 1000] [--epochs 3] [--width 16]
//     [--adv-eps 0.1] [--pgd-train] [--pgd-train-steps 3] [--images docs/images] [--save path] [--markdown] [--json]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { FASHION_MNIST_CLASSES } from "../src/formats/dataset.js";
import { saveFigure } from "../src/io/figures.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { fgsm, pgd, robustAccuracy } from "../src/models/adversarial.js";
import { CNNClassifier, type CNNClassifierOptions } from "../src/models/cnn.js";
import { adversarialGridFigure } from "../src/cli/attack.js";
import { sampleRows } from "../src/cli/family.js";
import { lineChartFigure } from "../src/plot/charts.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const has = (name: string): boolean => argv.includes(name);
const num = (name: string, def: number, int = true): number => {
  const v = Number(arg(name, String(def)));
  if (!Number.isFinite(v) || v <= 0 || (int && !Number.isInteger(v))) {
    console.error(`bench:cnn-adversarial: ${name} must be a ${int ? "positive integer" : "positive number"}, got ${arg(name, "")}`);
    process.exit(2);
  }
  return v;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const fashion = join(root, "../shared/data/fashion-mnist");
const nTrain = num("--train", 60000);
const nTest = num("--test", 1000);
const epochs = num("--epochs", 3);
const width = num("--width", 16);
const advEps = num("--adv-eps", 0.1, false);
const pgdTrainSteps = num("--pgd-train-steps", 3);
const imagesDir = arg("--images", join(root, "docs/images"));
const savePath = arg("--save", "/tmp/cnn/adv-standard.safetensors");
const asMarkdown = has("--markdown");
const EPS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];
const PGD_STEPS = 10;

if (!existsSync(join(fashion, "train-images-idx3-ubyte.gz"))) {
  console.error(`bench:cnn-adversarial: Fashion-MNIST not found in ${fashion}`);
  process.exit(2);
}
mkdirSync(imagesDir, { recursive: true });
const load0 = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
const log = (s: string): void => console.log(s);
log(`bench:cnn-adversarial: lenet width ${width}, train ${nTrain}, test ${nTest}, ${epochs} epochs, adversarial training eps ${advEps}; load average ${load0.toFixed(2)}`);

function images(split: "train" | "t10k", n: number): { X: Matrix; y: number[] } {
  const { X } = readIdxImages(join(fashion, `${split}-images-idx3-ubyte.gz`), n);
  const y = readIdxLabels(join(fashion, `${split}-labels-idx1-ubyte.gz`), n);
  return { X: new Matrix(X.rows, X.cols, Float32Array.from(X.data, (v) => v / 255)), y: Array.from(y) };
}
const train = images("train", nTrain);
const test = images("t10k", nTest);

const base: CNNClassifierOptions = { preset: "lenet", width, epochs, batchSize: 128, learningRate: 1e-3, seed: 0 };
const models: { name: string; options: CNNClassifierOptions }[] = [
  { name: "standard", options: base },
  { name: "FGSM-trained", options: { ...base, adversarial: "fgsm", adversarialEps: advEps, adversarialFraction: 0.5 } },
  ...(has("--pgd-train") ? [{ name: `PGD-${pgdTrainSteps}-trained`, options: { ...base, adversarial: "pgd" as const, adversarialEps: advEps, adversarialFraction: 0.5, adversarialSteps: pgdTrainSteps } }] : []),
];

const results: Record<string, unknown> = { nTrain, nTest, epochs, width, advEps, loadAverageStart: load0, models: [] as unknown[] };
const curves: { name: string; x: number[]; y: number[] }[] = [];
const rowsOut: Record<string, number[]> = {};
let standard: CNNClassifier | undefined;
for (const { name, options } of models) {
  const t0 = performance.now();
  const m = await new CNNClassifier(options).fit(train.X, train.y);
  const seconds = (performance.now() - t0) / 1000;
  const clean = m.score(test.X, test.y);
  log(`${name}: trained in ${seconds.toFixed(1)} s (${Math.round(m.history.samplesPerSecond)} samples/s, final loss ${m.history.train.at(-1)!.toFixed(4)}), clean test accuracy ${(100 * clean).toFixed(2)} %`);
  const entry: Record<string, unknown> = { name, seconds, samplesPerSecond: m.history.samplesPerSecond, cleanAccuracy: clean };
  for (const method of ["fgsm", "pgd"] as const) {
    const ta = performance.now();
    const curve = robustAccuracy(m, test.X, test.y, EPS, method, method === "pgd" ? { steps: PGD_STEPS, seed: 0 } : {});
    const s = (performance.now() - ta) / 1000;
    log(`  ${method}: ${curve.map((c) => `${c.eps}: ${(100 * c.accuracy).toFixed(1)}`).join(", ")} (${s.toFixed(1)} s)`);
    entry[method] = curve;
    entry[`${method}Seconds`] = s;
    const key = `${name} ${method.toUpperCase()}`;
    rowsOut[key] = curve.map((c) => c.accuracy);
    curves.push({ name: key, x: EPS, y: curve.map((c) => c.accuracy) });
  }
  (results.models as unknown[]).push(entry);
  if (name === "standard") {
    standard = m;
    mkdirSync(dirname(savePath), { recursive: true });
    writeFileSync(savePath, m.toSafetensors());
    log(`  saved the standard model to ${savePath} (test images: the first ${nTest} of t10k, pixels / 255)`);
  } else m.dispose();
}

// the table: one row per eps, a column per model and attack
const head = ["eps", ...Object.keys(rowsOut)];
const body = EPS.map((e, i) => [String(e), ...Object.values(rowsOut).map((v) => (100 * v[i]!).toFixed(1))]);
let out = `\nTest accuracy (%) under attack, first ${nTest} Fashion-MNIST test images (lenet width ${width}, ${epochs} epochs on ${nTrain}; PGD ${PGD_STEPS} steps)\n`;
if (asMarkdown) {
  out += `| ${head.join(" | ")} |\n|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|\n` + body.map((r) => `| ${r.join(" | ")} |`).join("\n") + "\n";
} else {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  out += [head, ...body].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ")).join("\n") + "\n";
}
log(out);

saveFigure(join(imagesDir, "cnn-adversarial.png"), lineChartFigure(curves, {
  title: `Fashion-MNIST: accuracy under L-inf attacks (${nTest} test images)`, xLabel: "eps (pixels in [0, 1])", yLabel: "test accuracy",
}));
log(`wrote ${join(imagesDir, "cnn-adversarial.png")}`);

// the grid: one image of each class, FGSM and PGD at eps 0.1 against the standard net
if (standard) {
  const names = test.y.map((c) => FASHION_MNIST_CLASSES[c] ?? String(c));
  const rows = sampleRows(test.X.rows, names, 8);
  const X = test.X.selectRows(rows);
  const y = rows.map((i) => test.y[i]!);
  const label = (p: (string | number)[]): string[] => p.map((c) => FASHION_MNIST_CLASSES[Number(c)] ?? String(c));
  const clean = label(standard.predict(X));
  const F = fgsm(standard, X, y, { eps: 0.1 });
  const P = pgd(standard, X, y, { eps: 0.1, steps: PGD_STEPS, seed: 0 });
  const fig = adversarialGridFigure(X, rows.map((i) => names[i]!), clean, [
    { name: "FGSM", adv: F, pred: label(standard.predict(F)) }, { name: "PGD", adv: P, pred: label(standard.predict(P)) },
  ], [28, 28], "Standard net, eps 0.1: original / FGSM perturbation, adversarial / PGD-10 perturbation, adversarial");
  saveFigure(join(imagesDir, "cnn-adversarial-grid.png"), fig);
  log(`wrote ${join(imagesDir, "cnn-adversarial-grid.png")}`);
  standard.dispose();
}
if (has("--json")) log(JSON.stringify(results));

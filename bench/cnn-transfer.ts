// Transfer and few-shot learning with a CNN (issue 13): how much do the features a net learnt for one task help
// another when only a few labelled images of the new task exist?
//   source  a LeNet-style CNNClassifier (preset lenet, width 32: conv32-bn-relu-pool, conv64-bn-relu-pool, dense128,
//           dropout 0.25) trained on the Fashion-MNIST training images of classes 0–4 only (T-shirt, trouser,
//           pullover, dress, coat: 30,000 images), --epochs passes (default 3), Adam lr 1e-3, batch 128
//   target  classes 5–9 (sandal, shirt, sneaker, bag, ankle boot): `shots` labelled images per class (1, 5, 10, 100)
//           drawn at random from their 30,000 training images, --draws times (default 10; 5 at 100 shots); accuracy on
//           all 5,000 test images of classes 5–9, mean ± standard deviation over the draws
//   probes  1-nearest neighbour (Euclidean) and logistic regression (L2, C = 1) on: the raw pixels; PCA (50 components,
//           fitted on the source images); the net's frozen "features" (the 128 inputs of its classifier) and its conv
//           features ("flatten", the 64·7·7 inputs of the dense layer); and fine-tuning (fineTune: new logits, the
//           conv layers frozen with their batch-norm statistics, the dense layer and logits trained, lr 1e-3,
//           ~300 steps)
//   digits  the same net on the 8×8 digits (data/digits.csv.gz, values 0–16 scaled to [0, 1], upsampled to 28×28 by
//           resizeImages): a fixed random 1,000 of the 1,797 images are the pool the shots are drawn from, the other
//           797 the test set; shots 1, 5, 10, 50 per class; pixels are the 8×8 originals, PCA the source's
// Prints tables (--markdown for README tables) and writes docs/images/cnn-transfer.png (accuracy against labels per
// class, log x) and docs/images/cnn-transfer-digits.png. A benchmark, not a test; --quick for a smoke run.
//   npm run build && npm run bench:cnn-transfer -- [--quick] [--epochs 3] [--draws 10] [--markdown] [--json] [--images dir]
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";
import { PCA } from "../src/decomposition/pca.js";
import { FASHION_MNIST_CLASSES } from "../src/formats/dataset.js";
import { loadDataset } from "../src/io/dataset.js";
import { saveFigure } from "../src/io/figures.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { CNNClassifier } from "../src/models/cnn.js";
import { drawShots, FeatureExtractor, fineTune, meanStd, probeAccuracy, resizeImages, type Probe } from "../src/models/transfer.js";
import { lineChartFigure } from "../src/plot/charts.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const has = (name: string): boolean => argv.includes(name);
const intArg = (name: string, def: number): number => {
  const v = Number(arg(name, String(def)));
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:cnn-transfer: ${name} must be an integer >= 1, got ${arg(name, "")}`);
    process.exit(2);
  }
  return v;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const fashion = join(root, "../shared/data/fashion-mnist");
const quick = has("--quick");
const epochs = intArg("--epochs", quick ? 1 : 3);
const draws = intArg("--draws", quick ? 1 : 10);
const nTrain = quick ? 3000 : 60000;
const nTestAll = quick ? 2000 : 10000;
const SHOTS = quick ? [1, 5] : [1, 5, 10, 100];
const DIGIT_SHOTS = quick ? [1, 5] : [1, 5, 10, 50];
const drawsAt = (shots: number): number => (shots >= 50 ? Math.max(1, Math.ceil(draws / 2)) : draws);
const imagesDir = arg("--images", quick ? join(root, "out/bench-cnn-transfer-quick") : join(root, "docs/images"));
const asMarkdown = has("--markdown");
const asJson = has("--json");
const PCA_COMPONENTS = 50;

if (!existsSync(join(fashion, "train-images-idx3-ubyte.gz"))) {
  console.error(`bench:cnn-transfer: Fashion-MNIST not found in ${fashion}`);
  process.exit(2);
}
mkdirSync(imagesDir, { recursive: true });
const loadAverage = (): number | null => {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
};
const log = (s: string): void => console.log(s);
const load0 = loadAverage();
const t0 = performance.now();
log(`bench:cnn-transfer: ${quick ? "QUICK run (numbers not for the README), " : ""}source epochs ${epochs}, draws ${draws}, load average ${load0?.toFixed(2) ?? "?"}`);

// --- data
const scale = (M: Matrix, by: number): Matrix => new Matrix(M.rows, M.cols, Float32Array.from(M.data, (v) => v / by));
const trainAll = { X: scale(readIdxImages(join(fashion, "train-images-idx3-ubyte.gz"), nTrain).X, 255), y: Array.from(readIdxLabels(join(fashion, "train-labels-idx1-ubyte.gz"), nTrain)) };
const testAll = { X: scale(readIdxImages(join(fashion, "t10k-images-idx3-ubyte.gz"), nTestAll).X, 255), y: Array.from(readIdxLabels(join(fashion, "t10k-labels-idx1-ubyte.gz"), nTestAll)) };
type Set_ = { X: Matrix; y: number[] };
const where = (d: Set_, keep: (label: number) => boolean): Set_ => {
  const idx = d.y.flatMap((v, i) => (keep(v) ? [i] : []));
  return { X: d.X.selectRows(idx), y: idx.map((i) => d.y[i]!) };
};
const source = where(trainAll, (v) => v < 5), sourceTest = where(testAll, (v) => v < 5);
const pool = where(trainAll, (v) => v >= 5), test = where(testAll, (v) => v >= 5);
log(`source: ${source.X.rows} training images of ${FASHION_MNIST_CLASSES.slice(0, 5).join(", ")}; target pool ${pool.X.rows}, target test ${test.X.rows} (${FASHION_MNIST_CLASSES.slice(5).join(", ")})`);

// --- the source net
let lastLog = 0;
const model = new CNNClassifier({
  preset: "lenet", width: 32, epochs, seed: 0,
  onProgress: (p) => {
    const now = performance.now();
    if (now - lastLog > 15000) {
      lastLog = now;
      process.stderr.write(`  source net: ${p.stage} ${p.step}/${p.total} loss ${p.metrics.loss?.toFixed(4) ?? "?"}\n`);
    }
  },
});
await model.fit(source.X, source.y);
const sourceAccuracy = model.score(sourceTest.X, sourceTest.y);
const h = model.history;
log(`source net (${model.layerSpec}): ${h.seconds.toFixed(1)} s, ${Math.round(h.samplesPerSecond)} samples/s, test accuracy on classes 0–4 ${(100 * sourceAccuracy).toFixed(2)} %`);

// --- representations
const pca = await new PCA({ nComponents: PCA_COMPONENTS }).fit(source.X);
const featureOf = new FeatureExtractor(model), convOf = new FeatureExtractor(model, { layer: "flatten" });
interface Rep { name: string; pool: Matrix; test: Matrix }
const reps = (poolX: Matrix, testX: Matrix, pixelsPool: Matrix, pixelsTest: Matrix): Rep[] => [
  { name: "pixels", pool: pixelsPool, test: pixelsTest },
  { name: `PCA ${PCA_COMPONENTS} (source)`, pool: pca.transform(poolX) as Matrix, test: pca.transform(testX) as Matrix },
  { name: "CNN conv features", pool: convOf.transform(poolX), test: convOf.transform(testX) },
  { name: "CNN features", pool: featureOf.transform(poolX), test: featureOf.transform(testX) },
];

interface Row { rep: string; probe: string; shots: number; accuracies: number[]; mean: number; std: number }

/** Every probe on every representation, and fine-tuning, at each number of shots. */
async function study(what: string, poolSet: Set_, testSet: Set_, R: Rep[], shotsList: number[], seed: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const shots of shotsList) {
    const n = drawsAt(shots);
    const acc = new Map<string, number[]>();
    const push = (k: string, v: number): void => void (acc.get(k) ?? acc.set(k, []).get(k)!).push(v);
    const tShots = performance.now();
    for (let r = 0; r < n; r++) {
      const idx = drawShots(poolSet.y, shots, new Random(seed + 1000 * shots + r));
      const y = Array.from(idx, (i) => poolSet.y[i]!);
      for (const rep of R) {
        for (const probe of ["knn", "logistic"] as Probe[]) push(`${rep.name}|${probe}`, await probeAccuracy(probe, rep.pool.selectRows(idx), y, rep.test, testSet.y));
      }
      const tuned = await fineTune(model, poolSet.X.selectRows(idx), y, { freezeUpTo: "flatten", seed: r });
      push("CNN fine-tuned (dense + logits)|finetune", tuned.score(testSet.X, testSet.y));
      tuned.dispose();
    }
    for (const [k, a] of acc) {
      const [rep, probe] = k.split("|") as [string, string];
      rows.push({ rep, probe, shots, accuracies: a, ...meanStd(a) });
    }
    process.stderr.write(`  ${what}: ${shots} shots × ${n} draws in ${((performance.now() - tShots) / 1000).toFixed(1)} s\n`);
  }
  return rows;
}

const pct = (r: Row): string => `${(100 * r.mean).toFixed(1)} ± ${(100 * r.std).toFixed(1)}`;
function table(title: string, rows: Row[], shotsList: number[]): void {
  const keys = [...new Set(rows.map((r) => `${r.rep}|${r.probe}`))];
  const head = ["representation", "probe", ...shotsList.map((s) => `${s} per class`)];
  const body = keys.map((k) => {
    const [rep, probe] = k.split("|") as [string, string];
    return [rep, probe === "knn" ? "1-NN" : probe === "logistic" ? "logistic" : "fine-tune", ...shotsList.map((s) => {
      const r = rows.find((x) => x.rep === rep && x.probe === probe && x.shots === s);
      return r ? pct(r) : "–";
    })];
  });
  let out = `\n${title}\n`;
  if (asMarkdown) {
    out += `| ${head.join(" | ")} |\n|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|\n` + body.map((r) => `| ${r.join(" | ")} |`).join("\n") + "\n";
  } else {
    const w = head.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
    out += [line(head), line(w.map((n) => "-".repeat(n))), ...body.map(line)].join("\n") + "\n";
  }
  log(out);
}

function plot(file: string, title: string, rows: Row[], shotsList: number[]): void {
  const keys = [...new Set(rows.map((r) => `${r.rep}|${r.probe}`))];
  const series = keys.map((k) => {
    const [rep, probe] = k.split("|") as [string, string];
    return {
      name: probe === "finetune" ? rep : `${rep}, ${probe === "knn" ? "1-NN" : "logistic"}`,
      x: shotsList, y: shotsList.map((s) => rows.find((x) => x.rep === rep && x.probe === probe && x.shots === s)!.mean * 100),
    };
  });
  saveFigure(join(imagesDir, file), lineChartFigure(series, { title, xLabel: "labelled examples per class", yLabel: "test accuracy (%)", logX: true, width: 900, height: 520 }));
  log(`wrote ${join(imagesDir, file)}`);
}

const tFashion = performance.now();
const fashionReps = reps(pool.X, test.X, pool.X, test.X);
const fashionRows = await study("Fashion-MNIST 5–9", pool, test, fashionReps, SHOTS, 0);
const fashionSeconds = (performance.now() - tFashion) / 1000;
table(`Fashion-MNIST classes 5–9 (${test.X.rows} test images): accuracy (%) with k labelled images per class, mean ± sd over ${draws} draws (${drawsAt(100)} at 100); source net trained on classes 0–4 (${(100 * sourceAccuracy).toFixed(1)} % on their test images)`, fashionRows, SHOTS);
plot("cnn-transfer.png", "Fashion-MNIST 5–9 from a CNN trained on classes 0–4", fashionRows, SHOTS);

// --- digits: 8×8, 0–16 → [0, 1], upsampled to 28×28
const digits = loadDataset(join(root, "data/digits.csv.gz"), { labelColumn: "-1" });
const D8 = scale(digits.X.astype("float32"), 16);
const dLabels = digits.labels!.map(Number);
const perm = new Random(7).sample(D8.rows, D8.rows);
const poolIdx = Array.from(perm.subarray(0, 1000)), testIdx = Array.from(perm.subarray(1000));
const D28 = resizeImages(D8, [1, 8, 8], [28, 28]);
const dPool = { X: D28.selectRows(poolIdx), y: poolIdx.map((i) => dLabels[i]!) }, dTest = { X: D28.selectRows(testIdx), y: testIdx.map((i) => dLabels[i]!) };
const digitReps = reps(dPool.X, dTest.X, D8.selectRows(poolIdx), D8.selectRows(testIdx));
const tDigits = performance.now();
const digitRows = await study("digits", dPool, dTest, digitReps, DIGIT_SHOTS, 1);
const digitSeconds = (performance.now() - tDigits) / 1000;
table(`Digits (8×8 upsampled to 28×28; ${dTest.X.rows} test images, 10 classes): accuracy (%), mean ± sd over ${draws} draws (${drawsAt(50)} at 50); pixels are the 8×8 originals; the same net`, digitRows, DIGIT_SHOTS);
plot("cnn-transfer-digits.png", "Digits (8×8 → 28×28) with the Fashion-MNIST 0–4 net", digitRows, DIGIT_SHOTS);

const total = (performance.now() - t0) / 1000;
log(`\ntimes: source net ${h.seconds.toFixed(0)} s, Fashion study ${fashionSeconds.toFixed(0)} s, digits study ${digitSeconds.toFixed(0)} s, total ${total.toFixed(0)} s; load average ${load0?.toFixed(2)} at the start, ${loadAverage()?.toFixed(2)} at the end`);
if (asJson) {
  process.stdout.write(JSON.stringify({ quick, epochs, draws, sourceAccuracy, sourceSeconds: h.seconds, samplesPerSecond: h.samplesPerSecond, fashion: fashionRows, digits: digitRows, seconds: total, loadAverageStart: load0 }) + "\n");
}
model.dispose();

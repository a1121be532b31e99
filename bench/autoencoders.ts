// The autoencoder family at work on real data (issue 12's jobs), with the numbers and pictures the README shows:
//   compression  Fashion-MNIST (train 60k, test 10k, pixels / 255) at code sizes 8, 16, 32, 64: test MSE per pixel
//                and PSNR of PCA, the dense AE (784-512-128-code, ReLU, linear code), the conv AE (channels 16, 32) and the VAE
//                (784-400-code, reconstructions from μ); a table and a plot of the error against the code size
//   denoise      Gaussian noise σ = 0.3, 50 % masking, a missing 10×10 block: PSNR of the noisy images, of their PCA
//                projection (64 components) and of a denoising AE's output (784-512-128-64; trained with Gaussian
//                noise for the first, masking noise for the other two); a noisy / PCA / DAE / clean grid each
//   features     kNN (k = 10) and logistic-regression test accuracy on the 32-d codes (fitted on the training codes)
//                of PCA, the dense AE, the conv AE and the VAE (μ); a t-SNE map of 3,000 test codes of the dense AE
//   generation   a VAE with code 20: test −ELBO, importance-sampled log-likelihood (k = 100, 1,000 test images), an
//                8×8 grid of samples, interpolation strips; a VAE with code 2: the decoded latent plane
//   hashing      32- and 64-bit codes of Fashion-MNIST images and of the Debian package descriptions (word counts of
//                the 2,000 most frequent words; every 5th document is a query; --doc-epochs, default 8, with a cosine
//                schedule as the images' 3): precision@100 (Hamming ranking) and
//                precision within Hamming radius 2 for semantic hashing, random-hyperplane LSH on the same inputs
//                and PCA (images) / LSA (documents) codes thresholded at their training medians; query time
//                (bench/hashing.ts trains longer and compares the straight-through estimator too)
//   torch        the dense AE, conv AE and VAE at code 32 in PyTorch (bench/autoencoders_torch.py, Debian
//                python3-torch under /usr/bin/python3) with the same epochs, batch sizes, optimiser and data: test
//                MSE and −ELBO side by side (the issue's target: ours within 2 %) and the training time as a ratio
// Every model is trained with Adam (lr 1e-3), batch 256 (dense AE), 128 (conv AE, VAE, hashing); the epochs are
// the run's (--epochs, default 3; the conv AE --conv-epochs, default 1, as it costs ~4× a dense epoch), chosen so
// that the full run takes 15–20 minutes on the project's 2-core machine with nothing else running (estimated from
// throughputs measured under load: the four conv AEs take about 6 of them, PyTorch about 2). A benchmark,
// not a test: timings are only meaningful on an idle machine (the load average is printed at the start).
//   npm run build && npm run bench:autoencoders -- [--quick] [--only compression,denoise,features,generation,hashing,torch]
//     [--epochs n] [--conv-epochs n] [--doc-epochs n] [--train n] [--test n] [--images docs/images] [--markdown] [--json] [--no-torch]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";
import { PCA } from "../src/decomposition/pca.js";
import { TruncatedSVD } from "../src/decomposition/truncated-svd.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { saveFigure } from "../src/io/figures.js";
import { FASHION_MNIST_CLASSES } from "../src/formats/dataset.js";
import { TSNE } from "../src/manifold/tsne.js";
import { precisionAtK, precisionWithinRadius } from "../src/metrics/retrieval.js";
import type { AutoencoderBase } from "../src/models/base.js";
import {
  Autoencoder, ConvAutoencoder, DenoisingAutoencoder, KNeighborsClassifier, LogisticRegression, SemanticHashing, VAE, corrupt, imageRowsFigure,
  lineChartFigure, meanSquaredError, parseCorruption, psnr,
} from "../src/cli/models.js";
import { HammingIndex, RandomHyperplaneLSH, medianThresholds, packBits, selectCodes, type BinaryCodes } from "../src/neighbors/hamming.js";
import { imageGridFigure, scatterFigure } from "../src/plot/charts.js";
import { StandardScaler } from "../src/preprocessing/scaler.js";
import { CountVectorizer, TfidfVectorizer } from "../src/text/vectorizers.js";
import { changedRows, latentGrid, stackRows } from "../src/cli/family.js";
import { queryMilliseconds, readDocumentTable } from "../src/cli/hash.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const has = (name: string): boolean => argv.includes(name);
const root = fileURLToPath(new URL("../../", import.meta.url));
const shared = join(root, "../shared/data");
const fashion = join(shared, "fashion-mnist");
const quick = has("--quick");
const SECTIONS = ["compression", "denoise", "features", "generation", "hashing", "torch"];
const only = new Set(arg("--only", SECTIONS.join(",")).split(",").filter(Boolean));
for (const s of only) {
  if (!SECTIONS.includes(s)) {
    console.error(`bench:autoencoders: unknown section ${s} (${SECTIONS.join(", ")})`);
    process.exit(2);
  }
}
const intArg = (name: string, def: number): number => {
  const v = Number(arg(name, String(def)));
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:autoencoders: ${name} must be an integer >= 1, got ${arg(name, "")}`);
    process.exit(2);
  }
  return v;
};
const nTrain = intArg("--train", quick ? 2000 : 60000);
const nTest = intArg("--test", quick ? 500 : 10000);
const epochs = intArg("--epochs", quick ? 1 : 3);
const convEpochs = intArg("--conv-epochs", 1);
const docEpochs = intArg("--doc-epochs", quick ? 1 : 8);
const nQueries = quick ? 200 : 1000;
// the quick run's pictures go to a scratch folder unless asked for: they must not replace the README's
const imagesDir = arg("--images", quick ? join(root, "out/bench-autoencoders-quick") : join(root, "docs/images"));
const asMarkdown = has("--markdown");
const asJson = has("--json");
const CODES = [8, 16, 32, 64];
const FEATURE_CODE = 32;

if (!existsSync(join(fashion, "train-images-idx3-ubyte.gz"))) {
  console.error(`bench:autoencoders: Fashion-MNIST not found in ${fashion}`);
  process.exit(2);
}
mkdirSync(imagesDir, { recursive: true });

/** The 1-minute load average (Linux), to say whether the timings mean anything. */
function loadAverage(): number | null {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}
const load0 = loadAverage();
const tStart = performance.now();
const log = (s: string): void => console.log(s);
log(`bench:autoencoders: ${quick ? "QUICK run (small subsets: numbers not for the README), " : ""}train ${nTrain}, test ${nTest}, ` +
  `${epochs} epochs (conv AE ${convEpochs}, documents ${docEpochs}), pictures in ${imagesDir}`);
if (load0 !== null) {
  log(`load average at the start: ${load0.toFixed(2)}${load0 > 0.5 ? " — WARNING: the machine is busy, the timings are not comparable" : ""}`);
}

// --- data
const trainRaw = readIdxImages(join(fashion, "train-images-idx3-ubyte.gz"), nTrain).X;
const testRaw = readIdxImages(join(fashion, "t10k-images-idx3-ubyte.gz"), nTest).X;
const scale = (M: Matrix): Matrix => {
  const out = Matrix.zeros(M.rows, M.cols, "float32");
  for (let i = 0; i < M.data.length; i++) out.data[i] = M.data[i]! / 255;
  return out;
};
const Xtrain = scale(trainRaw), Xtest = scale(testRaw);
const names = (v: ArrayLike<number>): string[] => Array.from(v, (c) => FASHION_MNIST_CLASSES[c] ?? String(c));
const yTrain = names(readIdxLabels(join(fashion, "train-labels-idx1-ubyte.gz"), nTrain));
const yTest = names(readIdxLabels(join(fashion, "t10k-labels-idx1-ubyte.gz"), nTest));
const SHAPE: [number, number] = [28, 28];

// --- the results, printed as tables at the end
const results: Record<string, unknown> = {
  quick, nTrain, nTest, epochs, convEpochs, loadAverageStart: load0,
};
const f4 = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? "–" : v.toFixed(4));
const f2 = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? "–" : v.toFixed(2));

/** A table: markdown with --markdown, else aligned columns. */
function table(key: string, title: string, head: string[], rows: string[][]): void {
  let out = `\n${title}\n`;
  if (asMarkdown) {
    // between the markers README.md keeps (section "Autoencoders" under "Performance")
    out += `<!-- bench:autoencoders ${key} -->\n| ${head.join(" | ")} |\n|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|\n`;
    for (const r of rows) out += `| ${r.join(" | ")} |\n`;
    out += "<!-- /bench:autoencoders -->\n";
  } else {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
    out += line(head) + "\n" + line(head.map((_, i) => "-".repeat(w[i]!))) + "\n" + rows.map(line).join("\n") + "\n";
  }
  log(out);
}

/** Runs a section, reporting its time; a failure is reported and the next section runs. */
async function section(name: string, f: () => Promise<void>): Promise<void> {
  if (!only.has(name)) return;
  const t0 = performance.now();
  log(`\n== ${name}`);
  try {
    await f();
    log(`== ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    // a module of issue 12 not merged yet (src/cli/models.ts's stand-ins) skips the section with its one line
    log(`== ${name}: ${/is not in this build/.test(msg ?? "") ? "skipped" : "FAILED"} after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${msg}`);
    results[`${name}Error`] = msg;
  }
}

const picture = (file: string, fig: Parameters<typeof saveFigure>[1]): void => {
  const path = join(imagesDir, file);
  saveFigure(path, fig);
  log(`  wrote ${path}`);
};

// --- the models, trained once and shared by the sections (compression, features, torch)
type Kind = "dense" | "conv" | "vae";
interface Trained {
  model: AutoencoderBase;
  seconds: number;
  samplesPerSecond: number;
  epochs: number;
}
const trained = new Map<string, Trained>();
async function model(kind: Kind, code: number): Promise<Trained> {
  const key = `${kind}:${code}`;
  const have = trained.get(key);
  if (have) return have;
  const m: AutoencoderBase = kind === "dense"
    ? new Autoencoder({ layers: [512, 128], code, codeActivation: "none", batchSize: 256, epochs, seed: 0 })
    : kind === "conv"
      ? new ConvAutoencoder({ imageShape: [1, 28, 28], code, batchSize: 128, epochs: convEpochs, seed: 0 })
      : new VAE({ layers: [400], code, batchSize: 128, epochs, seed: 0 });
  await m.fit(Xtrain);
  const t: Trained = { model: m, seconds: m.history.seconds, samplesPerSecond: m.history.samplesPerSecond, epochs: m.history.train.length };
  log(`  trained ${kind} code ${code}: ${t.epochs} epochs, ${t.seconds.toFixed(1)} s, ${Math.round(t.samplesPerSecond)} samples/s`);
  trained.set(key, t);
  return t;
}

/** The model, or null when it cannot be trained here (a model missing from this build): said once per kind. */
const unavailable = new Map<Kind, string>();
async function tryModel(kind: Kind, code: number): Promise<Trained | null> {
  if (unavailable.has(kind)) return null;
  try {
    return await model(kind, code);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    unavailable.set(kind, msg);
    log(`  skipped the ${kind} models: ${msg}`);
    return null;
  }
}

/** PCA with k components on the training images. */
const pcas = new Map<number, PCA>();
async function pca(k: number): Promise<PCA> {
  let p = pcas.get(k);
  if (!p) {
    p = new PCA({ nComponents: k, solver: "randomized", seed: 0 });
    await p.fit(Xtrain);
    pcas.set(k, p);
  }
  return p;
}
const clip01 = (M: Matrix): Matrix => {
  const out = M.dtype === "float32" ? M.clone() : M.astype("float32");
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(1, Math.max(0, out.data[i]!));
  return out;
};

// sample rows for pictures: the first test image of each class
const sampleRows = ((): number[] => {
  const seen = new Map<string, number>();
  yTest.forEach((l, i) => {
    if (!seen.has(l)) seen.set(l, i);
  });
  return [...seen.values()].slice(0, 10);
})();

await section("compression", async () => {
  const rows: string[][] = [];
  const out: Array<Record<string, number>> = [];
  const series: Record<string, number[]> = { PCA: [], "dense AE": [], "conv AE": [], VAE: [] };
  for (const code of CODES) {
    const p = await pca(code);
    const recPca = clip01(p.inverseTransform(p.transform(Xtest)));
    const r: Record<string, number> = { code, pcaMse: meanSquaredError(Xtest, recPca), pcaPsnr: psnr(Xtest, recPca) };
    for (const kind of ["dense", "conv", "vae"] as const) {
      const t = await tryModel(kind, code);
      if (!t) {
        r[`${kind}Mse`] = r[`${kind}Psnr`] = NaN;
        continue;
      }
      const rec = t.model.reconstruct(Xtest);
      r[`${kind}Mse`] = meanSquaredError(Xtest, rec);
      r[`${kind}Psnr`] = psnr(Xtest, rec);
      r[`${kind}Seconds`] = t.seconds;
    }
    out.push(r);
    series.PCA!.push(r.pcaMse!);
    series["dense AE"]!.push(r.denseMse!);
    series["conv AE"]!.push(r.convMse!);
    series.VAE!.push(r.vaeMse!);
    rows.push([String(code), ...["pca", "dense", "conv", "vae"].map((k) => `${f4(r[`${k}Mse`])} / ${f2(r[`${k}Psnr`])} dB`),
      ["dense", "conv"].map((k) => (Number.isNaN(r[`${k}Mse`]) ? "–" : `${(100 * (1 - r[`${k}Mse`]! / r.pcaMse!)).toFixed(0)} %`)).join(" / ")]);
    log(`  code ${code}: MSE PCA ${f4(r.pcaMse)}, dense ${f4(r.denseMse)}, conv ${f4(r.convMse)}, VAE ${f4(r.vaeMse)}`);
  }
  results.compression = out;
  table("compression", `Compression: Fashion-MNIST test MSE per pixel / PSNR (train ${nTrain}, test ${nTest}; AE and VAE ${epochs} epochs, conv AE ${convEpochs})`,
    ["code", "PCA", "dense AE", "conv AE", "VAE (from μ)", "error below PCA: dense / conv"], rows);
  picture("ae-compression.png", lineChartFigure(
    Object.entries(series).filter(([, y]) => y.every(Number.isFinite)).map(([name, y]) => ({ name, x: CODES, y })),
    { title: "Fashion-MNIST: test error against code size", xLabel: "code size", yLabel: "MSE per pixel", logX: true, logY: true }));
  // reconstructions at code 32: original, PCA, dense, conv, VAE
  const originals = Xtest.selectRows(sampleRows);
  const p32 = await pca(FEATURE_CODE);
  const recs = [clip01(p32.inverseTransform(p32.transform(originals)))];
  const recLabels = ["test", "PCA"];
  for (const [kind, name] of [["dense", "dense AE"], ["conv", "conv AE"], ["vae", "VAE (μ)"]] as const) {
    const t = await tryModel(kind, FEATURE_CODE);
    if (!t) continue;
    recs.push(t.model.reconstruct(originals));
    recLabels.push(name);
  }
  picture("ae-reconstructions.png", imageRowsFigure([originals, ...recs], recLabels, SHAPE));
});

await section("denoise", async () => {
  const dae = new Map<string, DenoisingAutoencoder>();
  const daeFor = async (noise: "gaussian" | "mask", level: number): Promise<DenoisingAutoencoder> => {
    const key = `${noise}:${level}`;
    let m = dae.get(key);
    if (!m) {
      m = new DenoisingAutoencoder({ layers: [512, 128], code: 64, noise, noiseLevel: level, batchSize: 256, epochs, seed: 0 });
      await m.fit(Xtrain);
      log(`  trained the denoising AE (${key}): ${m.history.seconds.toFixed(1)} s`);
      dae.set(key, m);
    }
    return m;
  };
  const p = await pca(64);
  const rows: string[][] = [];
  const out: Array<Record<string, unknown>> = [];
  const cases: Array<[string, string, "gaussian" | "mask", number]> = [
    ["gaussian:0.3", "Gaussian noise σ = 0.3", "gaussian", 0.3],
    ["mask:0.5", "50 % of the pixels set to 0", "mask", 0.5],
    ["block:10", "a missing 10×10 block", "mask", 0.5],
  ];
  for (const [spec, what, noise, level] of cases) {
    const noisy = corrupt(Xtest, parseCorruption(spec, SHAPE), new Random(1));
    const byPca = clip01(p.inverseTransform(p.transform(noisy)));
    const m = await daeFor(noise, level);
    const byDae = m.reconstruct(noisy);
    // means over the images the corruption changed (a block on the empty background leaves an image as it was)
    const changed = changedRows(Xtest, noisy);
    const sel = (M: Matrix): Matrix => (changed.length === M.rows ? M : M.selectRows(changed));
    const clean = sel(Xtest);
    const r = {
      corruption: spec, images: changed.length, psnrNoisy: psnr(clean, sel(noisy)), psnrPca: psnr(clean, sel(byPca)), psnrDae: psnr(clean, sel(byDae)),
      daeTrainedWith: `${noise}:${level}`,
    };
    out.push(r);
    rows.push([what, String(r.images), f2(r.psnrNoisy), f2(r.psnrPca), f2(r.psnrDae), `${noise} ${level}`]);
    log(`  ${spec}: PSNR noisy ${f2(r.psnrNoisy)}, PCA ${f2(r.psnrPca)}, DAE ${f2(r.psnrDae)} dB`);
    const s = sampleRows;
    picture(`ae-denoise-${spec.split(":")[0]}.png`, imageRowsFigure(
      [noisy.selectRows(s), byPca.selectRows(s), byDae.selectRows(s), Xtest.selectRows(s)],
      [spec, "PCA 64", "DAE", "clean"], SHAPE));
  }
  results.denoise = out;
  table("denoise", `Denoising and inpainting: test PSNR in dB against the clean images (denoising AE 784-512-128-64, ${epochs} epochs)`,
    ["corruption", "images changed", "noisy", "PCA projection (64)", "denoising AE", "DAE trained with"], rows);
});

await section("features", async () => {
  const rows: string[][] = [];
  const out: Array<Record<string, unknown>> = [];
  const p = await pca(FEATURE_CODE);
  const sets: Array<[string, Matrix, Matrix]> = [["PCA", p.transform(Xtrain), p.transform(Xtest)]];
  for (const [kind, name] of [["dense", "dense AE"], ["conv", "conv AE"], ["vae", "VAE (μ)"]] as const) {
    const t = await tryModel(kind, FEATURE_CODE);
    if (t) sets.push([name, t.model.transform(Xtrain), t.model.transform(Xtest)]);
  }
  for (const [name, Ztr, Zte] of sets) {
    const knn = await new KNeighborsClassifier({ k: 10 }).fit(Ztr, yTrain);
    const knnAcc = knn.score(Zte, yTest);
    const sc = await new StandardScaler().fit(Ztr);
    const lr = await new LogisticRegression({ C: 1 }).fit(sc.transform(Ztr), yTrain);
    const lrAcc = lr.score(sc.transform(Zte), yTest);
    out.push({ codes: name, knn10: knnAcc, logistic: lrAcc });
    rows.push([name, f4(knnAcc), f4(lrAcc)]);
    log(`  ${name}: kNN ${f4(knnAcc)}, logistic ${f4(lrAcc)}`);
  }
  results.features = out;
  table("features", `Features: test accuracy of classifiers fitted on the ${FEATURE_CODE}-d training codes`, ["codes", "kNN (k = 10)", "logistic regression"], rows);
  const nMap = Math.min(3000, Xtest.rows);
  const mapped = sets[1] ?? sets[0]!;
  const Zmap = mapped[2].rowRange(0, nMap);
  const map = await new TSNE({ perplexity: 30, seed: 0 }).fitTransform(Zmap);
  picture("ae-codes-tsne.png", scatterFigure(map, { labels: yTest.slice(0, nMap), title: `t-SNE of ${nMap} Fashion-MNIST test codes (${mapped[0]}, code ${FEATURE_CODE})`, xLabel: "t-SNE 1", yLabel: "t-SNE 2" }));
});

await section("generation", async () => {
  const vae = new VAE({ layers: [400], code: 20, batchSize: 128, epochs, seed: 0 });
  await vae.fit(Xtrain);
  const e = vae.elbo(Xtest, 1);
  const nLl = Math.min(1000, Xtest.rows);
  const ll = vae.logLikelihood(Xtest.rowRange(0, nLl), { samples: 100, seed: 1 });
  const r: Record<string, unknown> = {
    code: 20, seconds: vae.history.seconds, testNegElbo: e.negElbo, reconstruction: e.reconstruction, kl: e.kl, testLogLikelihood: ll.mean, logLikelihoodImages: nLl,
  };
  log(`  VAE code 20 (${vae.history.seconds.toFixed(1)} s): test −ELBO ${f2(e.negElbo)} = ${f2(e.reconstruction)} + KL ${f2(e.kl)}; log p(x) ≈ ${f2(ll.mean)} (k = 100, ${nLl} images)`);
  picture("vae-samples.png", imageGridFigure(vae.sample(64, 0), SHAPE, { ncols: 8, range: [0, 1], invert: true, cell: 56, title: "VAE (code 20) samples: decoded means of z ~ N(0, I)" }));
  // pairs of test images of different classes (the first of classes 0 and 1, 2 and 3, …)
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < sampleRows.length; i += 2) pairs.push([sampleRows[i]!, sampleRows[i + 1]!]);
  const strips = pairs.map(([a, b]) => vae.interpolate(Xtest.selectRows([a]), Xtest.selectRows([b]), 10));
  picture("vae-interpolations.png", imageGridFigure(stackRows(strips), SHAPE, { ncols: 10, range: [0, 1], invert: true, cell: 56, title: "VAE: decoded interpolations between the codes (μ) of two test images" }));
  const vae2 = new VAE({ layers: [400], code: 2, batchSize: 128, epochs, seed: 0 });
  await vae2.fit(Xtrain);
  const e2 = vae2.elbo(Xtest, 1);
  r.code2NegElbo = e2.negElbo;
  log(`  VAE code 2 (${vae2.history.seconds.toFixed(1)} s): test −ELBO ${f2(e2.negElbo)}`);
  picture("vae-latent-plane.png", imageGridFigure(vae2.inverseTransform(latentGrid(15)), SHAPE, { ncols: 15, range: [0, 1], invert: true, cell: 40, title: "VAE with a 2-D code: decoded z on a grid of normal quantiles" }));
  picture("vae-latent-codes.png", scatterFigure(vae2.transform(Xtest.rowRange(0, Math.min(5000, Xtest.rows))), { labels: yTest.slice(0, Math.min(5000, Xtest.rows)), title: "VAE with a 2-D code: μ of Fashion-MNIST test images", xLabel: "z₁", yLabel: "z₂" }));
  results.generation = r;
  table("generation", "Generation: VAEs 784-400-code on Fashion-MNIST (nats per test image)", ["model", "test −ELBO", "reconstruction", "KL", "log p(x), IWAE k = 100"],
    [["VAE code 20", f2(e.negElbo), f2(e.reconstruction), f2(e.kl), `${f2(ll.mean)} (${nLl} images)`], ["VAE code 2", f2(e2.negElbo), f2(e2.reconstruction), f2(e2.kl), "–"]]);
});

/** precision@100, within radius 2, and query time of codes (test queries against the training database). */
function retrieval(db: BinaryCodes, queries: BinaryCodes, dbLabels: string[], qLabels: string[]): Record<string, number | null> {
  const n = Math.min(nQueries, queries.n);
  const q = selectCodes(queries, Array.from({ length: n }, (_, i) => i));
  const ql = qLabels.slice(0, n);
  const index = new HammingIndex(db);
  const r2 = precisionWithinRadius(index, q, dbLabels, ql, 2);
  return {
    precisionAt100: precisionAtK(index, q, dbLabels, ql, Math.min(100, db.n), { ties: "average" }),
    precisionRadius2: Number.isNaN(r2.precision) ? null : r2.precision,
    radius2Empty: r2.emptyFraction,
    queryMilliseconds: queryMilliseconds(index, q, Math.min(100, db.n)),
  };
}

await section("hashing", async () => {
  const rows: string[][] = [];
  const out: Array<Record<string, unknown>> = [];
  const add = (data: string, method: string, bits: number, r: Record<string, number | null>): void => {
    out.push({ data, method, bits, ...r });
    rows.push([data, method, String(bits), f4(r.precisionAt100), f4(r.precisionRadius2), `${(100 * r.radius2Empty!).toFixed(0)} %`, (r.queryMilliseconds ?? 0).toFixed(3)]);
    log(`  ${data} ${method} ${bits} bits: P@100 ${f4(r.precisionAt100)}, P(r ≤ 2) ${f4(r.precisionRadius2)} (${(100 * r.radius2Empty!).toFixed(0)} % empty), ${(r.queryMilliseconds ?? 0).toFixed(3)} ms/query`);
  };
  // documents: every 5th is a query
  const docs = readDocumentTable(join(shared, "text/debian-descriptions.tsv.gz"), "description", "section", undefined, quick ? 3000 : undefined);
  const isTest = (i: number): boolean => i % 5 === 4;
  const dTrain = docs.texts.filter((_, i) => !isTest(i)), dTest = docs.texts.filter((_, i) => isTest(i));
  const lTrain = docs.labels!.filter((_, i) => !isTest(i)), lTest = docs.labels!.filter((_, i) => isTest(i));
  const cv = new CountVectorizer({ maxFeatures: 2000, minDf: 2, stopWords: "english" });
  await cv.fit(dTrain);
  const Ctrain = cv.transform(dTrain).toDense("float32"), Ctest = cv.transform(dTest).toDense("float32");
  const tfidf = new TfidfVectorizer({ maxFeatures: 2000, minDf: 2, stopWords: "english", sublinearTf: true });
  const Ttrain = await tfidf.fitTransform(dTrain), Ttest = tfidf.transform(dTest);
  const TtrainDense = Ttrain.toDense("float32"), TtestDense = Ttest.toDense("float32");
  log(`  documents: ${dTrain.length} training, ${dTest.length} queries, ${Ctrain.cols} words`);
  for (const bits of [32, 64]) {
    // images
    const sh = new SemanticHashing({ bits, input: "binary", batchSize: 128, epochs, lrSchedule: "cosine", seed: 0 });
    await sh.fit(Xtrain);
    add("Fashion-MNIST", "semantic hashing", bits, retrieval(sh.codes(Xtrain), sh.codes(Xtest), yTrain, yTest));
    const lsh = await new RandomHyperplaneLSH({ bits, seed: 0 }).fit(Xtrain);
    add("Fashion-MNIST", "random-hyperplane LSH", bits, retrieval(lsh.codes(Xtrain), lsh.codes(Xtest), yTrain, yTest));
    const p = await pca(bits);
    const Ptr = p.transform(Xtrain), thr = medianThresholds(Ptr);
    add("Fashion-MNIST", "PCA, median threshold", bits, retrieval(packBits(Ptr, thr), packBits(p.transform(Xtest), thr), yTrain, yTest));
    sh.dispose();
    // documents
    const shd = new SemanticHashing({ bits, input: "counts", batchSize: 128, epochs: docEpochs, lrSchedule: "cosine", seed: 0 });
    await shd.fit(Ctrain);
    add("Debian descriptions", "semantic hashing (counts)", bits, retrieval(shd.codes(Ctrain), shd.codes(Ctest), lTrain, lTest));
    const lshd = await new RandomHyperplaneLSH({ bits, seed: 0 }).fit(TtrainDense);
    add("Debian descriptions", "random-hyperplane LSH (tf-idf)", bits, retrieval(lshd.codes(TtrainDense), lshd.codes(TtestDense), lTrain, lTest));
    const svd = new TruncatedSVD({ nComponents: bits, seed: 0 });
    const Ltr = await svd.fitTransform(Ttrain), lthr = medianThresholds(Ltr);
    add("Debian descriptions", "LSA (tf-idf), median threshold", bits, retrieval(packBits(Ltr, lthr), packBits(svd.transform(Ttest), lthr), lTrain, lTest));
    shd.dispose();
  }
  results.hashing = out;
  table("hashing", `Hashing: retrieval of the same class (${nQueries} test queries against the training items)`,
    ["data", "codes", "bits", "precision@100", "precision, radius 2", "radius-2 balls empty", "ms per Hamming ranking"], rows);
});

await section("torch", async () => {
  const python = existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import torch"]).status === 0 ? "/usr/bin/python3" : null;
  if (!python || has("--no-torch")) {
    log(python ? "  skipped (--no-torch)" : "  skipped: no PyTorch under /usr/bin/python3 (Debian python3-torch)");
    return;
  }
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(python, [join(root, "bench/autoencoders_torch.py"), fashion, "--models", "dense,conv,vae", "--code", String(FEATURE_CODE),
    "--epochs", String(epochs), "--conv-epochs", String(convEpochs), "--train", String(nTrain), "--test", String(nTest), "--threads", arg("--torch-threads", "1")],
  { encoding: "utf8", env, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`PyTorch failed: ${(r.stderr || r.stdout).trim().split("\n").pop()}`);
  const pt = JSON.parse(r.stdout.trim().split("\n").pop()!) as { version: string; results: Array<Record<string, number | string>> };
  const rows: string[][] = [];
  const out: Array<Record<string, unknown>> = [];
  for (const [kind, name] of [["dense", "dense AE"], ["conv", "conv AE"], ["vae", "VAE"]] as const) {
    const t = await tryModel(kind, FEATURE_CODE);
    const theirs = pt.results.find((x) => x.model === kind)!;
    if (!t) continue;
    const mse = meanSquaredError(Xtest, t.model.reconstruct(Xtest));
    const within = (a: number, b: number): string => `${(100 * (a / b - 1)).toFixed(1)} %`;
    const row: Record<string, unknown> = { model: kind, mse, torchMse: theirs.testMse, seconds: t.seconds, torchSeconds: theirs.seconds };
    let elbo = "–", torchElbo = "–", elboDiff = "–";
    if (kind === "vae") {
      const e = (t.model as VAE).elbo(Xtest, 1);
      row.negElbo = e.negElbo;
      row.torchNegElbo = theirs.testNegElbo;
      elbo = f2(e.negElbo);
      torchElbo = f2(theirs.testNegElbo as number);
      elboDiff = within(e.negElbo, theirs.testNegElbo as number);
    }
    out.push(row);
    rows.push([`${name} (code ${FEATURE_CODE}, ${t.epochs} epochs)`, f4(mse), f4(theirs.testMse as number), within(mse, theirs.testMse as number), elbo, torchElbo, elboDiff,
      `${t.seconds.toFixed(1)} / ${(theirs.seconds as number).toFixed(1)} s`, `${(t.seconds / (theirs.seconds as number)).toFixed(2)}×`]);
  }
  results.torch = { version: pt.version, rows: out };
  table("torch", `latentkit against PyTorch ${pt.version} (same architecture, epochs, batch, Adam lr 1e-3, data; target: within 2 %)`,
    ["model", "test MSE latentkit", "PyTorch", "difference", "test −ELBO latentkit", "PyTorch", "difference", "training time latentkit / PyTorch", "time ratio"], rows);
});

const minutes = (performance.now() - tStart) / 60000;
const load1 = loadAverage();
log(`\nbench:autoencoders: ${minutes.toFixed(1)} minutes in all (${epochs} epochs, conv AE ${convEpochs}); load average at the end ${load1?.toFixed(2) ?? "?"}`);
results.minutes = minutes;
if (asJson) console.log(JSON.stringify(results, null, 2));
process.exit(0);

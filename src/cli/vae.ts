// `latentkit vae`: trains a variational autoencoder (Kingma & Welling 2014; β-VAE, Higgins et al. 2017) on a data
// file and reports the negative ELBO per image with its two terms (reconstruction, KL), optionally the
// importance-sampled log-likelihood (Burda et al. 2016, --iwae k), and draws samples from the prior, interpolations
// between the codes (μ) of test images and, for a 2-D code, the decoded latent space on a grid of normal quantiles.
import { Command } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Dataset } from "../formats/dataset.js";
import { engineRoute } from "../nn/storage.js";
import { saveFigure } from "../io/figures.js";
import { writeEmbedding } from "../io/export.js";
import { imageGridFigure } from "../plot/charts.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, parseShape, type InputOptions } from "./common.js";
import { applyScaling, applyThreads, chooseScaling, latentGrid, noteScaling, sampleRows, stackRows, withFlags } from "./family.js";
import { familyInputOptions, parseSizes, reconstructionsFigure } from "./neural.js";
import { VAE } from "./models.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface VaeCliOptions extends InputOptions {
  layers: number[];
  code: number;
  likelihood: "bernoulli" | "gaussian";
  beta: number;
  conv?: boolean;
  channels?: number[];
  batch: number;
  epochs: number;
  lr: number;
  seed: number;
  validation?: number;
  earlyStopping?: number;
  scale: "auto" | "none";
  test?: string;
  iwae?: number;
  saveModel?: string;
  out?: string;
  samples?: string;
  interpolate?: string;
  traversal?: string;
  reconstructions?: string;
  imageShape?: string;
  threads?: number;
  json?: boolean;
}

/** What the progress bar shows: the loss (−ELBO with β), its two terms, samples/s. */
export const VAE_PROGRESS = ["loss", "samplesPerSecond", "reconstruction", "kl", "valLoss"];

const FLAG_OF: Record<string, string> = {
  layers: "--layers", code: "--code", likelihood: "--likelihood", beta: "--beta", channels: "--channels", batchSize: "--batch",
  epochs: "--epochs", learningRate: "--lr", seed: "--seed", validationFraction: "--validation", earlyStopping: "--early-stopping",
  imageShape: "--image-shape",
};

/** Interpolation strips: pairs of test images of different labels (or rows far apart), `steps` images each. */
function interpolationFigure(vae: VAE, X: Matrix, labels: string[] | undefined, shape: [number, number], steps: number) {
  const firsts = sampleRows(X.rows, labels, 10);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < firsts.length && pairs.length < 5; i += 2) pairs.push([firsts[i]!, firsts[i + 1]!]);
  if (pairs.length === 0) fail(`--interpolate needs at least 2 rows, got ${X.rows}`);
  const strips = pairs.map(([a, b]) => vae.interpolate(X.selectRows([a]), X.selectRows([b]), steps));
  const captions = pairs.flatMap(([a, b]) => Array.from({ length: steps }, (_, s) =>
    s === 0 ? labels?.[a] ?? `row ${a}` : s === steps - 1 ? labels?.[b] ?? `row ${b}` : ""));
  return imageGridFigure(stackRows(strips), shape, {
    ncols: steps, range: [0, 1], invert: true, cell: 56, captions,
    title: `decoded interpolations between the codes (μ) of two images, ${steps} steps`,
  });
}

export function vaeCommand(): Command {
  const cmd = new Command("vae")
    .description("train a variational autoencoder: negative ELBO (reconstruction + KL), samples, interpolations, latent traversals")
    .argument("<file>", "training data (CSV/TSV[.gz], .npy, IDX images, JSON); values in [0, 1] after --scale")
    .option("--layers <sizes>", "hidden layer sizes of the encoder (the decoder mirrors them)", parseSizes("--layers", "400", true), [400])
    .option("--code <n>", "size of the latent code z", parseIntOption("--code"), 20)
    .addOption(choice("--likelihood <name>", "decoder: bernoulli (cross-entropy, the default) | gaussian (unit variance)", ["bernoulli", "gaussian"], "bernoulli"))
    .option("--beta <b>", "weight of the KL term (β-VAE; 1 = the ELBO)", parseNumber("--beta"), 1)
    .option("--conv", "a convolutional encoder and decoder (images)")
    .option("--channels <sizes>", "--conv: channels of the conv layers (default 16,32)", parseSizes("--channels", "16,32", false))
    .option("--batch <n>", "mini-batch size", parseIntOption("--batch"), 128)
    .option("--epochs <n>", "passes over the training data", parseIntOption("--epochs"), 10)
    .option("--lr <rate>", "learning rate (Adam)", parseNumber("--lr"), 1e-3)
    .option("--seed <n>", "random seed (weights, batch order, ε)", parseIntOption("--seed"), 0)
    .option("--validation <fraction>", "hold out this fraction of the training rows for a validation loss", parseNumber("--validation"))
    .option("--early-stopping <epochs>", "stop after this many epochs without improvement", parseIntOption("--early-stopping"))
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"))
    .option("--test <file>", "test data (scaled as the training data): testNegElbo, reconstruction and kl are of these")
    .option("--iwae <k>", "importance-sampled log-likelihood of the test data (k samples per image, e.g. 100): testLogLikelihood", parseIntOption("--iwae"))
    .option("--save-model <file>", "save the model as safetensors (loadModel / latentkit denoise read it)")
    .option("--out <file>", "write the codes (μ) of the training data: .npy, .tsv (+ -metadata.tsv), .csv or .json")
    .option("--samples <file>", "an 8x8 grid of images decoded from z ~ N(0, I) (.png or .svg)")
    .option("--interpolate <file>", "strips decoded along the line between the codes of two (test) images (.png or .svg)")
    .option("--traversal <file>", "--code 2: the decoded latent plane on a 15x15 grid of normal quantiles (.png or .svg)")
    .option("--reconstructions <file>", "sample images above their reconstructions from μ (.png or .svg)")
    .option("--image-shape <HxW>", "shape of each row as an image (default: from IDX files, or square)")
    .option("--json", "print one JSON object with the results to stdout");
  familyInputOptions(cmd);
  cmd.addHelpText("after", `
The negative ELBO is in nats per image with one sample of z: reconstruction (−log p(x|z)) + kl (KL(q(z|x) ‖ N(0, I))).

Examples:
  latentkit vae ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz --test ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --layers 400 --code 20 --batch 128 --epochs 10 --samples samples.png --json
  latentkit vae train-images-idx3-ubyte.gz --code 2 --epochs 10 --traversal plane.png --interpolate strips.png`);
  cmd.action(async (file: string, o: VaeCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    if (o.traversal && o.code !== 2) fail(`--traversal draws the latent plane: it needs --code 2, got --code ${o.code}`);
    if (o.channels && !o.conv) fail("--channels is an option of --conv");
    if (o.iwae !== undefined && o.iwae < 1) fail(`--iwae must be at least 1 sample, got ${o.iwae}`);
    const bar = new ProgressBar("vae", undefined, VAE_PROGRESS);
    const make = (imageShape?: [number, number, number]): VAE => withFlags(FLAG_OF, () => new VAE({
      layers: o.layers, code: o.code, likelihood: o.likelihood, beta: o.beta,
      ...(o.conv ? { architecture: "conv", ...(imageShape ? { imageShape } : {}), ...(o.channels ? { channels: o.channels } : {}) } : {}),
      batchSize: o.batch, epochs: o.epochs, learningRate: o.lr, seed: o.seed, validationFraction: o.validation ?? 0,
      ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}), onProgress: bar.update,
    } as never));
    if (!o.conv) make().dispose();
    const outputs = planOutputs([
      ["--out", o.out, "embedding"], ["--save-model", o.saveModel, "json"], ["--samples", o.samples, "figure"],
      ["--interpolate", o.interpolate, "figure"], ["--traversal", o.traversal, "figure"], ["--reconstructions", o.reconstructions, "figure"],
    ], [file, o.labels, o.test]);
    try {
      const ds = loadInput(file, o);
      const testDs: Dataset | undefined = o.test !== undefined ? loadInput(o.test, { ...o, labels: undefined }) : undefined;
      if (testDs && testDs.X.cols !== ds.X.cols) fail(`--test ${o.test} has ${testDs.X.cols} columns, but ${file} has ${ds.X.cols}`);
      const needShape = o.conv || o.samples || o.interpolate || o.traversal || o.reconstructions;
      const shape = needShape ? imageShapeFor(ds, o.imageShape, true)! : undefined;
      const vae = make(shape ? [1, shape[0], shape[1]] : undefined);
      const scaling = chooseScaling(file, ds.X, o.scale);
      noteScaling(file, scaling, o.json);
      const X = applyScaling(ds.X, scaling);
      const Xtest = testDs ? applyScaling(testDs.X, scaling) : undefined;
      const tLoad = performance.now();
      await vae.fit(X);
      bar.done();
      const h = vae.history;
      const tEval = performance.now();
      const train = vae.elbo(X, o.seed);
      const test = Xtest ? vae.elbo(Xtest, o.seed) : null;
      const iwae = o.iwae !== undefined ? vae.logLikelihood(Xtest ?? X, { samples: o.iwae, seed: o.seed }).mean : null;
      const evalSeconds = (performance.now() - tEval) / 1000;
      const shown = Xtest ?? X, shownLabels = Xtest ? testDs!.labels : ds.labels;
      if (o.out) writeEmbedding(o.out, vae.transform(X), ds.labels, outputs);
      if (o.saveModel) outputs.write(o.saveModel, vae.toSafetensors());
      if (shape && o.samples) {
        saveFigure(o.samples, imageGridFigure(vae.sample(64, o.seed), shape, {
          ncols: 8, range: [0, 1], invert: true, cell: 56, title: `64 samples: decoded means of z ~ N(0, I) (code ${o.code})`,
        }), outputs);
      }
      if (shape && o.interpolate) saveFigure(o.interpolate, interpolationFigure(vae, shown, shownLabels, shape, 10), outputs);
      if (shape && o.traversal) {
        const n = 15;
        saveFigure(o.traversal, imageGridFigure(vae.inverseTransform(latentGrid(n)), shape, {
          ncols: n, range: [0, 1], invert: true, cell: 40, title: "the 2-D latent space: decoded z on a grid of normal quantiles (z₁ →, z₂ ↑)",
        }), outputs);
      }
      if (shape && o.reconstructions) {
        saveFigure(o.reconstructions, reconstructionsFigure(vae, shown, shownLabels, shape, Xtest ? "test" : "training"), outputs);
      }
      const written = outputs.commit();
      const of = test ?? train;
      const result = {
        command: "vae", file, ...(o.test !== undefined ? { test: o.test } : {}), nSamples: X.rows, nFeatures: X.cols, nTest: Xtest?.rows ?? 0,
        architecture: o.conv ? `conv VAE, code ${o.code}` : [X.cols, ...o.layers, `${o.code}(μ, log σ²)`, ...o.layers.slice().reverse(), X.cols].join("-"),
        likelihood: o.likelihood, beta: o.beta, code: o.code, batchSize: o.batch, epochs: h.train.length, learningRate: o.lr,
        scaling: scaling.kind, route: engineRoute(),
        trainNegElbo: train.negElbo, testNegElbo: test?.negElbo ?? null,
        // the two terms, of the test data when given
        reconstruction: of.reconstruction, kl: of.kl,
        ...(iwae !== null ? { testLogLikelihood: iwae, iwaeSamples: o.iwae } : {}),
        samplesPerSecond: h.samplesPerSecond, lossHistory: h.train, terms: h.terms ?? {}, validationHistory: h.validation,
        seconds: h.seconds, evalSeconds, loadSeconds: (tLoad - t0) / 1000, files: written,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`VAE ${result.architecture} on ${file}: ${X.rows} samples, ${result.epochs} epochs of batch ${o.batch}, ` +
        `${h.seconds.toFixed(2)} s, ${Math.round(h.samplesPerSecond).toLocaleString("en")} samples/s (${result.route})`);
      const line = (what: string, e: { negElbo: number; reconstruction: number; kl: number }): string =>
        `${what}: −ELBO ${e.negElbo.toFixed(2)} nats/image = reconstruction ${e.reconstruction.toFixed(2)} + KL ${e.kl.toFixed(2)}`;
      console.log(line("train", train));
      if (test) console.log(line("test", test));
      if (iwae !== null) console.log(`${test ? "test" : "train"} log-likelihood (importance-sampled, k = ${o.iwae}): ${iwae.toFixed(2)} nats/image`);
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

// The neural commands: `latentkit autoencoder` trains a dense autoencoder on a data file (with an optional test file),
// then writes the codes, the model (safetensors) and a picture of reconstructions.
import { Command, Option } from "commander";
import { fail, LatentkitError } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { setThreads } from "../core/wasm/runtime.js";
import type { Dataset } from "../formats/dataset.js";
import { isIdxPath } from "../io/dataset.js";
import type { OutputFiles } from "../io/fs.js";
import { Autoencoder, type AutoencoderOptions } from "../models/autoencoder.js";
import { engineRoute } from "../nn/storage.js";
import { saveFigure, writeEmbedding } from "../node.js";
import { imageGridFigure, labelOrder } from "../plot/charts.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, parseShape, type InputOptions } from "./common.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface AutoencoderCliOptions extends InputOptions {
  layers: number[];
  code: number;
  activation: NonNullable<AutoencoderOptions["activation"]>;
  codeActivation?: NonNullable<AutoencoderOptions["activation"]>;
  loss: "bce" | "mse";
  tied?: boolean;
  batch: number;
  epochs: number;
  lr: number;
  seed: number;
  validation?: number;
  earlyStopping?: number;
  scale: "auto" | "none";
  test?: string;
  saveModel?: string;
  out?: string;
  reconstructions?: string;
  imageShape?: string;
  threads?: number;
  json?: boolean;
}

function parseLayers(v: string): number[] {
  if (v.trim() === "" || v.trim() === "none") return [];
  const parts = v.split(",").map((s) => s.trim());
  if (!parts.every((s) => /^\d+$/.test(s) && Number(s) >= 1 && Number.isSafeInteger(Number(s)))) {
    fail(`--layers must be hidden sizes separated by commas (e.g. 512,128; "none" for no hidden layer), got ${JSON.stringify(v)}`);
  }
  return parts.map(Number);
}

/** How the data were scaled before training (the test data get the same map). */
export interface Scaling {
  kind: "divide255" | "minmax" | "none";
  /** x ↦ (x − offset) / range. */
  offset: number;
  range: number;
}

/**
 * The scaling of the inputs: IDX images (uint8 pixels) are divided by 255; other data are used as they are when
 * every value lies in [0, 1], else min-max scaled to [0, 1] over all values (one minimum and maximum, so images keep
 * their contrast), with a note on stderr. `--scale none` leaves the data alone.
 */
export function chooseScaling(file: string, X: Matrix, mode: "auto" | "none"): Scaling {
  if (mode === "none") return { kind: "none", offset: 0, range: 1 };
  if (isIdxPath(file)) return { kind: "divide255", offset: 0, range: 255 };
  let lo = Infinity, hi = -Infinity;
  for (const v of X.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return { kind: "none", offset: 0, range: 1 };
  return { kind: "minmax", offset: lo, range: hi > lo ? hi - lo : 1 };
}

/** The scaled copy of X (clipped to [0, 1] unless the scaling is "none": test data may fall outside the training range). */
export function applyScaling(X: Matrix, s: Scaling): Matrix {
  if (s.kind === "none") return X;
  const out = Matrix.zeros(X.rows, X.cols, "float32");
  const src = X.data, dst = out.data;
  const inv = 1 / s.range;
  for (let i = 0; i < src.length; i++) dst[i] = Math.min(1, Math.max(0, (src[i]! - s.offset) * inv));
  return out;
}

/**
 * Writes the model as safetensors (the weights by name, the architecture and options as JSON in the metadata):
 * Autoencoder.fromSafetensors reads it back; PyTorch's safetensors.torch.load_file reads the weights.
 */
export function saveAutoencoder(ae: Autoencoder, path: string, outputs: OutputFiles): void {
  outputs.write(path, ae.toSafetensors());
}

/** Up to 10 sample rows: the first of each label, else the first rows. */
function sampleRows(n: number, labels?: string[]): number[] {
  if (!labels) return Array.from({ length: Math.min(10, n) }, (_, i) => i);
  const firstOf = new Map<string, number>();
  labels.forEach((l, i) => {
    if (!firstOf.has(l)) firstOf.set(l, i);
  });
  return labelOrder(labels).slice(0, 10).map((l) => firstOf.get(l)!);
}

const FLAG_OF: Record<string, string> = {
  layers: "--layers", code: "--code", activation: "--activation", loss: "--loss", batchSize: "--batch", epochs: "--epochs",
  learningRate: "--lr", seed: "--seed", validationFraction: "--validation", earlyStopping: "--early-stopping",
};

/** The estimator, its options checked before any work; a message about an option names the flag. */
function makeAutoencoder(o: AutoencoderCliOptions, bar: ProgressBar): Autoencoder {
  try {
    return new Autoencoder({
      layers: o.layers, code: o.code, activation: o.activation, ...(o.codeActivation ? { codeActivation: o.codeActivation } : {}), loss: o.loss, tied: o.tied ?? false, batchSize: o.batch,
      epochs: o.epochs, learningRate: o.lr, seed: o.seed, validationFraction: o.validation ?? 0,
      ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}), onProgress: bar.update,
    });
  } catch (e) {
    if (e instanceof LatentkitError) {
      const m = /^(\w+) must be/.exec(e.message);
      if (m && FLAG_OF[m[1]!]) fail(FLAG_OF[m[1]!] + e.message.slice(m[1]!.length));
    }
    throw e;
  }
}

export function autoencoderCommand(): Command {
  const cmd = new Command("autoencoder")
    .description("train a dense autoencoder (encoder d-layers-code, mirrored decoder) and write the codes, the model and reconstructions")
    .argument("<file>", "training data (CSV/TSV[.gz], .npy, IDX images, JSON)")
    .addOption(new Option("--layers <sizes>", "hidden layer sizes of the encoder, from the input inwards (\"none\": no hidden layer)")
      .argParser(parseLayers).default([512, 128], "512,128"))
    .option("--code <n>", "size of the code", parseIntOption("--code"), 32)
    .addOption(choice("--activation <name>", "activation of the hidden layers", ["relu", "leakyRelu", "gelu", "tanh", "sigmoid", "none"], "relu"))
    .addOption(choice("--code-activation <name>", "activation of the code layer (default: --activation; none: linear codes)", ["relu", "leakyRelu", "gelu", "tanh", "sigmoid", "none"]))
    .addOption(choice("--loss <name>", "bce (binary cross-entropy, sigmoid outputs) | mse", ["bce", "mse"], "bce"))
    .option("--tied", "tie the decoder's weights to the encoder's (transposed)")
    .option("--batch <n>", "mini-batch size", parseIntOption("--batch"), 256)
    .option("--epochs <n>", "passes over the training data", parseIntOption("--epochs"), 10)
    .option("--lr <rate>", "learning rate (Adam)", parseNumber("--lr"), 1e-3)
    .option("--seed <n>", "random seed (weights, batch order)", parseIntOption("--seed"), 0)
    .option("--validation <fraction>", "hold out this fraction of the training rows for a validation loss", parseNumber("--validation"))
    .option("--early-stopping <epochs>", "stop after this many epochs without improvement (of the validation loss if any)", parseIntOption("--early-stopping"))
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"))
    .option("--test <file>", "test data (scaled as the training data): testLoss in the results")
    .option("--save-model <file>", "save the model as safetensors (Autoencoder.fromSafetensors; the weights load in PyTorch)")
    .option("--out <file>", "write the codes of the training data: .npy, .tsv (+ -metadata.tsv with labels), .csv or .json")
    .option("--reconstructions <file>", "sample images (of the test data if given) above their reconstructions (.png or .svg)")
    .option("--image-shape <HxW>", "shape of each row as an image (default: from IDX files, or square)")
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line)")
    .option("--delimiter <char>", "field delimiter for delimited text (default: by extension / sniffed)")
    .option("--limit <n>", "use only the first n rows (of the training and of the test data)", parseIntOption("--limit"))
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--json", "print one JSON object with the results to stdout");
  cmd.addHelpText("after", `
Inputs are scaled to [0, 1] (--scale auto): IDX images are divided by 255; other data are used as they are when
every value is in [0, 1], else min-max scaled over all values (a note says so). The losses are means per element.

Examples:
  latentkit autoencoder ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz --test ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --epochs 5 --json
  latentkit autoencoder data/digits.csv.gz --label-column -1 --layers 32 --code 8 --epochs 20 --reconstructions rec.png --out codes.npy`);
  cmd.action(async (file: string, o: AutoencoderCliOptions) => {
    const t0 = performance.now();
    if (o.threads !== undefined) {
      if (o.threads < 1) fail(`--threads must be at least 1, got ${o.threads}`);
      process.env.LATENTKIT_THREADS = String(o.threads);
      setThreads(o.threads);
    }
    // every option is checked before any work: the estimator's, the outputs (formats, directories), the image shape
    const bar = new ProgressBar("autoencoder", undefined, ["loss", "valLoss", "samplesPerSecond"]);
    const ae = makeAutoencoder(o, bar);
    const outputs = planOutputs([
      ["--out", o.out, "embedding"], ["--save-model", o.saveModel, "json"], ["--reconstructions", o.reconstructions, "figure"],
    ], [file, o.labels, o.test]);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    const ds = loadInput(file, o);
    const testDs: Dataset | undefined = o.test !== undefined ? loadInput(o.test, { ...o, labels: undefined }) : undefined;
    if (testDs && testDs.X.cols !== ds.X.cols) fail(`--test ${o.test} has ${testDs.X.cols} columns, but ${file} has ${ds.X.cols}`);
    const shape = o.reconstructions ? imageShapeFor(ds, o.imageShape, true)! : undefined;
    const scaling = chooseScaling(file, ds.X, o.scale);
    if (scaling.kind === "minmax" && !o.json) {
      process.stderr.write(`latentkit: note: ${file} has values in [${scaling.offset}, ${scaling.offset + scaling.range}]: ` +
        "min-max scaled to [0, 1] over all values (--scale none to keep them)\n");
    }
    const X = applyScaling(ds.X, scaling);
    const Xtest = testDs ? applyScaling(testDs.X, scaling) : undefined;
    const tLoad = performance.now();
    await ae.fit(X);
    bar.done();
    const h = ae.history;
    const trainLoss = ae.reconstructionError(X);
    const testLoss = Xtest ? ae.reconstructionError(Xtest) : null;
    if (o.out) writeEmbedding(o.out, ae.transform(X), ds.labels, outputs);
    if (o.saveModel) saveAutoencoder(ae, o.saveModel, outputs);
    if (shape && o.reconstructions) {
      const src = Xtest ?? X;
      const rows = sampleRows(src.rows, Xtest ? testDs!.labels : ds.labels);
      const originals = src.selectRows(rows);
      const rec = ae.reconstruct(originals);
      const grid = Matrix.zeros(2 * rows.length, src.cols, "float32");
      grid.data.set(originals.astype("float32").data, 0);
      grid.data.set(rec.data, rows.length * src.cols);
      const labels = Xtest ? testDs!.labels : ds.labels;
      saveFigure(o.reconstructions, imageGridFigure(grid, shape, {
        ncols: rows.length, range: [0, 1], invert: true, cell: Math.max(48, Math.min(84, shape[1] * 3)),
        captions: [...rows.map((r) => labels?.[r] ?? `row ${r}`), ...rows.map(() => "rec.")],
        title: `${Xtest ? "test" : "training"} images (top) and their reconstructions (bottom)`,
      }), outputs);
    }
    const written = outputs.commit();
    const result = {
      command: "autoencoder", file, ...(o.test !== undefined ? { test: o.test } : {}),
      nSamples: X.rows, nFeatures: X.cols, nTest: Xtest?.rows ?? 0,
      architecture: [X.cols, ...o.layers, o.code, ...o.layers.slice().reverse(), X.cols].join("-"),
      activation: o.activation, loss: o.loss, tied: !!o.tied, batchSize: o.batch, epochs: h.train.length, learningRate: o.lr,
      scaling: scaling.kind, route: engineRoute(),
      samplesPerSecond: h.samplesPerSecond, trainLoss, testLoss,
      validationLoss: ae.validationLoss ?? null, stoppedEarly: h.stoppedEarly, bestEpoch: h.bestEpoch,
      lossHistory: h.train, validationHistory: h.validation,
      seconds: h.seconds, loadSeconds: (tLoad - t0) / 1000, files: written,
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(result) + "\n");
      return;
    }
    console.log(`autoencoder ${result.architecture} on ${file}: ${X.rows} samples, ${result.epochs} epochs of batch ${o.batch}, ` +
      `${h.seconds.toFixed(2)} s, ${Math.round(h.samplesPerSecond).toLocaleString("en")} samples/s (${result.route})`);
    console.log(`loss (${o.loss}, mean per element): train ${trainLoss.toPrecision(5)}` +
      `${testLoss !== null ? `, test ${testLoss.toPrecision(5)}` : ""}${result.validationLoss !== null ? `, validation ${result.validationLoss.toPrecision(5)}` : ""}`);
    for (const f of written) console.log(`wrote ${f}`);
  });
  return cmd;
}

// `latentkit cnn train <file>` trains a CNNClassifier (src/models/cnn.ts: a LeNet-style or small ResNet preset with
// switches for batch norm, dropout and shortcuts, or any token list of cnn-layers.ts) on labelled images, with
// augmentation, an optimiser and schedule, a validation split and early stopping, reports training and test accuracy
// and samples/s, and saves the model as safetensors (the state_dict of the same torch.nn.Sequential, so the weights
// load in PyTorch: bench/cnn_torch.py). `latentkit cnn eval <model> <file>` scores a saved model on labelled images:
// accuracy, per-class accuracy and the confusion matrix (rows: true classes, columns: predicted), as a picture too.
// Inputs are read and scaled by images.ts (IDX pixels / 255; other data min-max scaled to [0, 1] when outside it).
import { Command } from "commander";
import { fail } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
import { CNNClassifier, type CNNClassifierOptions } from "../models/cnn.js";
import { saveFigure } from "../io/figures.js";
import { engineRoute } from "../nn/storage.js";
import { lineChartFigure, type LineSeries } from "../plot/charts.js";
import { confusionFigure } from "../plot/confusion.js";
import { choice, parseIntOption, parseNumber } from "./common.js";
import { applyThreads, givenOptions, withFlags } from "./family.js";
import { checkImagesFit, imageInputOptions, loadCNN, loadImages, type ImageInputOptions } from "./images.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

/** What the progress bar of `cnn train` shows. */
export const CNN_PROGRESS = ["loss", "accuracy", "valLoss", "valAccuracy", "samplesPerSecond"];

interface TrainCliOptions extends ImageInputOptions {
  preset: "lenet" | "resnet";
  layers?: string;
  width?: number;
  hidden?: number;
  batchNorm: boolean;
  dropout?: number;
  residual: boolean;
  augment?: boolean;
  shift?: number;
  flip?: boolean;
  rotate?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: "adam" | "adamw" | "sgd";
  momentum?: number;
  weightDecay?: number;
  schedule: "constant" | "cosine" | "step";
  validation?: number;
  earlyStopping?: number;
  seed: number;
  threads?: number;
  test?: string;
  testLabels?: string;
  saveModel?: string;
  plot?: string;
  confusion?: string;
}

interface EvalCliOptions extends ImageInputOptions {
  threads?: number;
  confusion?: string;
}

/** The flag of each estimator option, for messages. */
const FLAG_OF: Record<string, string> = {
  preset: "--preset", layers: "--layers", width: "--width", hidden: "--hidden", dropout: "--dropout", shift: "--shift", rotate: "--rotate",
  batchSize: "--batch-size", epochs: "--epochs", learningRate: "--lr", optimizer: "--optimizer", momentum: "--momentum",
  weightDecay: "--weight-decay", lrSchedule: "--schedule", validationFraction: "--validation", earlyStopping: "--early-stopping",
  seed: "--seed", imageShape: "--image-shape",
};

/** The estimator's options from the command line (only what was given, else the model's defaults). */
function modelOptions(o: TrainCliOptions, given: Set<string>, imageShape: [number, number, number] | undefined, bar: ProgressBar): CNNClassifierOptions {
  return {
    ...(imageShape ? { imageShape } : {}),
    preset: o.preset,
    ...(o.layers !== undefined ? { layers: o.layers } : {}),
    ...(o.width !== undefined ? { width: o.width } : {}),
    ...(o.hidden !== undefined ? { hidden: o.hidden } : {}),
    ...(given.has("batchNorm") ? { batchNorm: o.batchNorm } : {}),
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
    ...(given.has("residual") ? { residual: o.residual } : {}),
    ...(o.augment || given.has("shift") || given.has("flip") || given.has("rotate") ? { augment: true } : {}),
    ...(o.shift !== undefined ? { shift: o.shift } : {}),
    ...(o.flip ? { flip: true } : {}),
    ...(o.rotate !== undefined ? { rotate: o.rotate } : {}),
    epochs: o.epochs, batchSize: o.batchSize, learningRate: o.lr, optimizer: o.optimizer, lrSchedule: o.schedule, seed: o.seed,
    ...(o.momentum !== undefined ? { momentum: o.momentum } : {}),
    ...(o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {}),
    ...(o.validation !== undefined ? { validationFraction: o.validation } : {}),
    ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}),
    onProgress: bar.update,
  };
}

/** Accuracy, per-class accuracy (recall) and the confusion matrix of a model's predictions against labels. */
export interface Evaluation {
  accuracy: number;
  /** Mean cross-entropy of the true classes (nats). */
  loss: number;
  classes: string[];
  perClassAccuracy: Record<string, number>;
  /** confusion[i][j]: images of classes[i] predicted as classes[j]. */
  confusion: number[][];
}

/** Scores `model` on images X with labels (strings, compared with the model's classes as strings). */
export function evaluateImages(model: CNNClassifier, X: Matrix, labels: readonly string[], what: string): Evaluation {
  const classes = model.classes.map(String);
  const index = new Map(classes.map((c, i) => [c, i]));
  const unknown = [...new Set(labels.filter((l) => !index.has(l)))];
  if (unknown.length > 0) {
    fail(`${what} has labels the model was not trained on: ${unknown.slice(0, 5).map((l) => JSON.stringify(l)).join(", ")}${unknown.length > 5 ? ", …" : ""} ` +
      `(the model's classes: ${classes.slice(0, 12).map((c) => JSON.stringify(c)).join(", ")}${classes.length > 12 ? ", …" : ""})`);
  }
  const P = model.predictProba(X);
  const K = classes.length;
  const confusion = classes.map(() => new Array<number>(K).fill(0));
  let hit = 0, nll = 0;
  for (let i = 0; i < P.rows; i++) {
    let b = 0;
    for (let k = 1; k < K; k++) if (P.data[i * K + k]! > P.data[i * K + b]!) b = k;
    const t = index.get(labels[i]!)!;
    confusion[t]![b]!++;
    if (b === t) hit++;
    nll -= Math.log(Math.max(P.data[i * K + t]!, 1e-12));
  }
  const perClassAccuracy: Record<string, number> = {};
  classes.forEach((c, k) => {
    const row = confusion[k]!;
    const total = row.reduce((a, v) => a + v, 0);
    if (total > 0) perClassAccuracy[c] = row[k]! / total;
  });
  return { accuracy: hit / P.rows, loss: nll / P.rows, classes, perClassAccuracy, confusion };
}

function parameterCount(model: CNNClassifier): number {
  return model.network.parameters().reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
}

const last = (v: readonly number[] | undefined): number | null => (v && v.length ? v[v.length - 1]! : null);
const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

/** Training curves: loss and accuracy per epoch, training and validation. */
function curvesFigure(model: CNNClassifier, title: string) {
  const h = model.history;
  const x = h.train.map((_, i) => i + 1);
  const series: LineSeries[] = [{ name: "training loss", x, y: h.train }];
  if (h.validation.length) series.push({ name: "validation loss", x: h.validation.map((_, i) => i + 1), y: h.validation });
  const acc = h.terms?.accuracy, vacc = h.validationTerms?.accuracy;
  if (acc?.length) series.push({ name: "training accuracy", x: acc.map((_, i) => i + 1), y: acc });
  if (vacc?.length) series.push({ name: "validation accuracy", x: vacc.map((_, i) => i + 1), y: vacc });
  return lineChartFigure(series, { title, xLabel: "epoch", yLabel: "loss (cross-entropy) / accuracy" });
}

function trainCommand(): Command {
  const cmd = new Command("train")
    .description("train a convolutional classifier on labelled images; report accuracy and samples/s; save the model")
    .argument("<file>", "training images (IDX images with their labels, CSV/TSV[.gz] with a label column, .npy with --labels, JSON)")
    .addOption(choice("--preset <name>", "the stack: lenet (two conv stages and a dense layer) | resnet (a stem and two residual stages, global average pooling)", ["lenet", "resnet"], "lenet"))
    .option("--layers <tokens>", "any stack instead of a preset, e.g. conv32,bn,relu,maxpool,res32,gap or conv8,relu,maxpool,flatten,dense32,relu (a logits layer is appended)")
    .option("--width <n>", "channels of the preset's first stage, the second has twice as many (default 32 lenet, 16 resnet)", parseIntOption("--width"))
    .option("--hidden <n>", "features of lenet's dense layer (default 128)", parseIntOption("--hidden"))
    .option("--no-batch-norm", "presets: no batch norm after the convolutions")
    .option("--dropout <p>", "presets: dropout probability before the dense layers (default 0.25; 0: none)", parseNumber("--dropout"))
    .option("--no-residual", "resnet: the same blocks without their shortcuts")
    .option("--augment", "augment the training images each batch: random shifts (--shift), flips (--flip), rotations (--rotate)")
    .option("--shift <pixels>", "largest random shift with augmentation (default 2)", parseIntOption("--shift"))
    .option("--flip", "random horizontal flips (implies --augment; wrong for digits and text)")
    .option("--rotate <degrees>", "largest random rotation (implies --augment; default 0)", parseNumber("--rotate"))
    .option("--epochs <n>", "passes over the training images", parseIntOption("--epochs"), 10)
    .option("--batch-size <n>", "images per mini-batch", parseIntOption("--batch-size"), 128)
    .option("--lr <rate>", "learning rate", parseNumber("--lr"), 1e-3)
    .addOption(choice("--optimizer <name>", "adam | adamw (decoupled weight decay) | sgd (momentum 0.9)", ["adam", "adamw", "sgd"], "adam"))
    .option("--momentum <m>", "sgd: momentum (default 0.9)", parseNumber("--momentum"))
    .option("--weight-decay <w>", "weight decay (L2 for adam and sgd, decoupled for adamw)", parseNumber("--weight-decay"))
    .addOption(choice("--schedule <name>", "learning rate per epoch: constant | cosine (annealed towards 0) | step (x0.1 after 1/2 and 3/4 of the epochs)", ["constant", "cosine", "step"], "constant"))
    .option("--validation <fraction>", "hold out this fraction of the training images: validation loss and accuracy each epoch, the best epoch's weights kept", parseNumber("--validation"))
    .option("--early-stopping <epochs>", "stop after this many epochs without improvement of the validation (else training) loss", parseIntOption("--early-stopping"))
    .option("--seed <n>", "random seed (weights, batch order, dropout, augmentation)", parseIntOption("--seed"), 0)
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--test <file>", "test images (scaled as the training images): testAccuracy in the results")
    .option("--test-labels <file>", "labels of --test (default: the labels-idx1 file beside IDX images, or --label-column)")
    .option("--save-model <file>", "save the model as safetensors (latentkit cnn eval / attack / visualize read it; the state_dict loads in PyTorch)")
    .option("--plot <file>", "training curves: loss and accuracy per epoch (.png or .svg)")
    .option("--confusion <file>", "confusion matrix of the test images (with --test; .png or .svg)")
    .option("--json", "print one JSON object with the results to stdout");
  imageInputOptions(cmd);
  cmd.addHelpText("after", `
trainLoss and trainAccuracy are the last epoch's means over its batches, as training saw them (training mode:
dropout and augmentation on); testAccuracy is of the trained model on --test.

Examples:
  latentkit cnn train ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz --test ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --epochs 3 --save-model lenet.safetensors --json
  latentkit cnn train train-images-idx3-ubyte.gz --preset resnet --width 16 --augment --schedule cosine --epochs 10 --validation 0.1 --plot curves.png --save-model resnet.safetensors
  latentkit cnn train data/digits.csv.gz --label-column -1 --layers conv8,relu,maxpool,flatten,dense32,relu --epochs 5`);
  cmd.action(async (file: string, o: TrainCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    const given = givenOptions(cmd);
    const bar = new ProgressBar("cnn train", undefined, CNN_PROGRESS);
    // every option is checked before any work: the estimator's and the outputs
    if (o.testLabels !== undefined && o.test === undefined) fail("--test-labels needs --test <file>");
    if (o.confusion !== undefined && o.test === undefined) fail("--confusion draws the test images' confusion matrix: it needs --test <file>");
    withFlags(FLAG_OF, () => new CNNClassifier(modelOptions(o, given, undefined, bar)));
    const outputs = planOutputs([["--save-model", o.saveModel, "json"], ["--plot", o.plot, "figure"], ["--confusion", o.confusion, "figure"]],
      [file, o.labels, o.test, o.testLabels]);
    try {
      const check = (shape: [number, number, number]): void => withFlags(FLAG_OF, () => new CNNClassifier(modelOptions(o, given, shape, bar))) && undefined;
      const train = loadImages(file, o, { labels: "required", check });
      const test = o.test !== undefined
        ? loadImages(o.test, o, { labels: "required", scaling: train.scaling, labelsFile: o.testLabels ?? null, what: `--test ${o.test}` })
        : undefined;
      if (test && test.X.cols !== train.X.cols) fail(`--test ${o.test} has ${test.X.cols} values per row, but ${file} has ${train.X.cols}`);
      const model = withFlags(FLAG_OF, () => new CNNClassifier(modelOptions(o, given, train.imageShape, bar)));
      const tLoad = performance.now();
      await model.fit(train.X, train.labels!);
      bar.done();
      const h = model.history;
      const evaluation = test ? evaluateImages(model, test.X, test.labels!, `--test ${o.test}`) : undefined;
      if (o.saveModel) outputs.write(o.saveModel, model.toSafetensors());
      if (o.plot) saveFigure(o.plot, curvesFigure(model, `${o.layers ? "CNN" : o.preset} on ${train.X.rows} images`), outputs);
      if (o.confusion && evaluation) {
        saveFigure(o.confusion, confusionFigure(evaluation.confusion, evaluation.classes, { title: `test accuracy ${pct(evaluation.accuracy)}` }), outputs);
      }
      const written = outputs.commit();
      const result = {
        command: "cnn train", file, ...(o.test !== undefined ? { test: o.test } : {}),
        preset: o.layers !== undefined ? null : o.preset, layers: model.layerSpec, imageShape: train.imageShape,
        parameters: parameterCount(model), forwardMacs: model.forwardMacs, classes: model.classes.map(String),
        nSamples: train.X.rows, nTest: test?.X.rows ?? 0, scaling: train.scaling.kind,
        epochs: h.train.length, batchSize: o.batchSize, learningRate: o.lr, optimizer: o.optimizer, schedule: o.schedule,
        augment: model.options.augment, route: engineRoute(),
        trainLoss: last(h.train), trainAccuracy: last(h.terms?.accuracy),
        validationLoss: last(h.validation), validationAccuracy: last(h.validationTerms?.accuracy),
        testAccuracy: evaluation?.accuracy ?? null, testLoss: evaluation?.loss ?? null,
        ...(evaluation ? { perClassAccuracy: evaluation.perClassAccuracy } : {}),
        samplesPerSecond: h.samplesPerSecond, seconds: h.seconds, loadSeconds: (tLoad - t0) / 1000,
        stoppedEarly: h.stoppedEarly, bestEpoch: h.bestEpoch,
        lossHistory: h.train, accuracyHistory: h.terms?.accuracy ?? [], validationHistory: h.validation,
        validationAccuracyHistory: h.validationTerms?.accuracy ?? [], files: written,
      };
      model.dispose();
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      const [c, hh, w] = train.imageShape;
      console.log(`CNN ${result.preset ?? "layers"} (${result.layers}; ${result.parameters.toLocaleString("en")} parameters) on ${file}: ${train.X.rows} images ${c}x${hh}x${w}, ` +
        `${result.classes.length} classes, ${result.epochs} epochs of batch ${o.batchSize}, ${h.seconds.toFixed(1)} s, ` +
        `${Math.round(h.samplesPerSecond).toLocaleString("en")} samples/s (${result.route})`);
      console.log(`train: loss ${result.trainLoss!.toPrecision(4)}, accuracy ${pct(result.trainAccuracy ?? 0)}` +
        (result.validationLoss !== null ? `; validation: loss ${result.validationLoss.toPrecision(4)}, accuracy ${pct(result.validationAccuracy ?? 0)}` : "") +
        (h.stoppedEarly ? ` (stopped early; best epoch ${h.bestEpoch + 1})` : ""));
      if (evaluation) console.log(`test: accuracy ${pct(evaluation.accuracy)}, loss ${evaluation.loss.toPrecision(4)} on ${test!.X.rows} images`);
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

function evalCommand(): Command {
  const cmd = new Command("eval")
    .description("score a saved convolutional classifier on labelled images: accuracy, per-class accuracy, confusion matrix")
    .argument("<model>", "a model saved by latentkit cnn train --save-model (.safetensors)")
    .argument("<file>", "labelled images (IDX images with their labels, CSV/TSV[.gz] with a label column, …), scaled as for training")
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--confusion <file>", "the confusion matrix as a picture (.png or .svg)")
    .option("--json", "print one JSON object with the results to stdout");
  imageInputOptions(cmd);
  cmd.action((modelPath: string, file: string, o: EvalCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    const outputs = planOutputs([["--confusion", o.confusion, "figure"]], [modelPath, file, o.labels]);
    try {
      const model = loadCNN(modelPath);
      const set = loadImages(file, o, { labels: "required", model });
      checkImagesFit(model, set);
      const ev = evaluateImages(model, set.X, set.labels!, file);
      if (o.confusion) saveFigure(o.confusion, confusionFigure(ev.confusion, ev.classes, { title: `accuracy ${pct(ev.accuracy)} on ${set.X.rows} images` }), outputs);
      const written = outputs.commit();
      const result = {
        command: "cnn eval", model: modelPath, file, layers: model.layerSpec, nSamples: set.X.rows, accuracy: ev.accuracy, loss: ev.loss,
        classes: ev.classes, perClassAccuracy: ev.perClassAccuracy, confusion: ev.confusion, seconds: (performance.now() - t0) / 1000, files: written,
      };
      model.dispose();
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`${modelPath} on ${file}: accuracy ${pct(ev.accuracy)} on ${set.X.rows} images, loss ${ev.loss.toPrecision(4)}`);
      const width = Math.max(...ev.classes.map((c) => c.length));
      for (const c of ev.classes) if (ev.perClassAccuracy[c] !== undefined) console.log(`  ${c.padEnd(width)}  ${pct(ev.perClassAccuracy[c])}`);
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

export function cnnCommand(): Command {
  return new Command("cnn")
    .description("convolutional classifiers: cnn train (fit, test, save) and cnn eval (accuracy, per-class accuracy, confusion matrix)")
    .addCommand(trainCommand())
    .addCommand(evalCommand());
}


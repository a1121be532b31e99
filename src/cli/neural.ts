// `latentkit autoencoder`: trains one autoencoder of the family on a data file (with an optional test file), then
// writes the codes, the model (safetensors; `latentkit denoise` and loadModel read it back) and a picture of
// reconstructions. `--kind` picks the class: dense (Autoencoder), linear (LinearAutoencoder), conv
// (ConvAutoencoder), denoising (DenoisingAutoencoder), sparse (SparseAutoencoder), contractive
// (ContractiveAutoencoder); the options of one kind are refused on the others with one line naming both.
import { Command, Option } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Dataset } from "../formats/dataset.js";
import type { AutoencoderBase } from "../models/base.js";
import { engineRoute } from "../nn/storage.js";
import { saveFigure } from "../io/figures.js";
import { writeEmbedding } from "../io/export.js";
import { imageGridFigure } from "../plot/charts.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, parseShape, type InputOptions } from "./common.js";
import { applyScaling, applyThreads, chooseScaling, givenOptions, noteScaling, sampleRows, stackRows, withFlags } from "./family.js";
import {
  Autoencoder, ContractiveAutoencoder, ConvAutoencoder, DenoisingAutoencoder, LinearAutoencoder, SparseAutoencoder, parseCorruption,
} from "./models.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

export { applyScaling, chooseScaling, type Scaling } from "./family.js";

export const KINDS = ["dense", "linear", "conv", "denoising", "sparse", "contractive"] as const;
export type Kind = (typeof KINDS)[number];

const ACTIVATIONS = ["relu", "leakyRelu", "gelu", "tanh", "sigmoid", "none"];

interface AutoencoderCliOptions extends InputOptions {
  kind: Kind;
  layers?: number[];
  code: number;
  activation?: string;
  codeActivation?: string;
  loss?: "bce" | "mse";
  tied?: boolean;
  noise?: string;
  sparsity?: "kl" | "l1";
  target?: number;
  sparsityWeight?: number;
  contraction?: number;
  channels?: number[];
  kernelSize?: number;
  upsample?: "transposed" | "nearest";
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

export function parseSizes(flag: string, example: string, allowNone: boolean) {
  return (v: string): number[] => {
    if (allowNone && (v.trim() === "" || v.trim() === "none")) return [];
    const parts = v.split(",").map((s) => s.trim());
    if (!parts.every((s) => /^\d+$/.test(s) && Number(s) >= 1 && Number.isSafeInteger(Number(s)))) {
      fail(`${flag} must be sizes separated by commas (e.g. ${example}${allowNone ? `; "none" for no hidden layer` : ""}), got ${JSON.stringify(v)}`);
    }
    return parts.map(Number);
  };
}

const parseLayers = (v: string): number[] => {
  try {
    return parseSizes("--layers", "512,128", true)(v);
  } catch {
    fail(`--layers must be hidden sizes separated by commas (e.g. 512,128; "none" for no hidden layer), got ${JSON.stringify(v)}`);
  }
};

/** What the progress bar shows: the loss, the validation loss, a kind's penalty term, samples/s. */
export const AUTOENCODER_PROGRESS = ["loss", "samplesPerSecond", "valLoss", "sparsity", "contraction"];

/** The options each kind takes beyond the shared ones (code, training, inputs and outputs). */
const KIND_OPTIONS: Record<string, { flag: string; kinds: readonly Kind[] }> = {
  layers: { flag: "--layers", kinds: ["dense", "denoising", "sparse", "contractive"] },
  activation: { flag: "--activation", kinds: ["dense", "denoising", "sparse", "contractive"] },
  codeActivation: { flag: "--code-activation", kinds: ["dense", "denoising", "sparse", "contractive"] },
  loss: { flag: "--loss", kinds: ["dense", "conv", "denoising", "sparse", "contractive"] },
  tied: { flag: "--tied", kinds: ["dense", "denoising", "sparse", "contractive"] },
  noise: { flag: "--noise", kinds: ["denoising"] },
  sparsity: { flag: "--sparsity", kinds: ["sparse"] },
  target: { flag: "--target", kinds: ["sparse"] },
  sparsityWeight: { flag: "--sparsity-weight", kinds: ["sparse"] },
  contraction: { flag: "--contraction", kinds: ["contractive"] },
  channels: { flag: "--channels", kinds: ["conv"] },
  kernelSize: { flag: "--kernel-size", kinds: ["conv"] },
  upsample: { flag: "--upsample", kinds: ["conv"] },
};

/** The flag of each estimator option, for messages. */
const FLAG_OF: Record<string, string> = {
  layers: "--layers", code: "--code", activation: "--activation", codeActivation: "--code-activation", loss: "--loss",
  batchSize: "--batch", epochs: "--epochs", learningRate: "--lr", seed: "--seed", validationFraction: "--validation",
  earlyStopping: "--early-stopping", noiseLevel: "--noise level", noise: "--noise", sparsity: "--sparsity", target: "--target",
  sparsityWeight: "--sparsity-weight", contraction: "--contraction", channels: "--channels", kernelSize: "--kernel-size",
  upsample: "--upsample", imageShape: "--image-shape",
};

/** Refuses an option that the chosen kind does not take, naming the kinds that do. */
function checkKindOptions(kind: Kind, given: Set<string>): void {
  for (const [key, { flag, kinds }] of Object.entries(KIND_OPTIONS)) {
    if (given.has(key) && !kinds.includes(kind)) {
      fail(`${flag} is an option of --kind ${kinds.join("|")}, not of --kind ${kind}`);
    }
  }
}

/** The training noise of --kind denoising from --noise ("gaussian:0.3", "mask:0.5", "salt-pepper:0.2"). */
export function trainingNoise(text: string): { noise: "gaussian" | "mask" | "saltPepper"; noiseLevel: number } {
  if (/^\s*block:/i.test(text)) {
    fail(`--noise ${text}: a denoising autoencoder trains with gaussian:σ, mask:rate or salt-pepper:rate noise (block is a test corruption of latentkit denoise)`);
  }
  const c = parseCorruption(text);
  switch (c.kind) {
    case "gaussian": return { noise: "gaussian", noiseLevel: c.sigma };
    case "mask": return { noise: "mask", noiseLevel: c.rate };
    case "saltPepper": return { noise: "saltPepper", noiseLevel: c.rate };
    default: fail(`--noise ${text}: expected gaussian:σ, mask:rate or salt-pepper:rate`);
  }
}

/** The estimator of the kind, its options checked before any work; a message about an option names the flag. */
function makeModel(o: AutoencoderCliOptions, given: Set<string>, bar: ProgressBar, imageShape: [number, number, number] | undefined): AutoencoderBase {
  checkKindOptions(o.kind, given);
  const training = {
    code: o.code, batchSize: o.batch, epochs: o.epochs, learningRate: o.lr, seed: o.seed, validationFraction: o.validation ?? 0,
    ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}), onProgress: bar.update,
  };
  // the dense kinds: what the command line gave, else the model's defaults (a contractive encoder's sigmoid)
  const dense = {
    ...(o.layers !== undefined ? { layers: o.layers } : {}), ...(o.activation !== undefined ? { activation: o.activation } : {}),
    ...(o.codeActivation !== undefined ? { codeActivation: o.codeActivation } : {}),
    ...(o.loss !== undefined ? { loss: o.loss } : {}), ...(o.tied ? { tied: true } : {}),
  };
  return withFlags(FLAG_OF, (): AutoencoderBase => {
    switch (o.kind) {
      case "dense": return new Autoencoder({ ...dense, ...training } as never);
      case "linear": return new LinearAutoencoder({ ...training } as never);
      case "conv": {
        if (!imageShape) fail("--kind conv needs the rows' image shape: IDX images carry it, else pass --image-shape HxW");
        return new ConvAutoencoder({
          imageShape, ...(o.channels ? { channels: o.channels } : {}), ...(o.kernelSize !== undefined ? { kernelSize: o.kernelSize } : {}),
          ...(o.upsample ? { upsample: o.upsample } : {}), ...(o.loss !== undefined ? { loss: o.loss } : {}), ...training,
        } as never);
      }
      case "denoising": return new DenoisingAutoencoder({ ...dense, ...(o.noise !== undefined ? trainingNoise(o.noise) : {}), ...training } as never);
      case "sparse": return new SparseAutoencoder({
        ...dense, ...(o.sparsity ? { sparsity: o.sparsity } : {}), ...(o.target !== undefined ? { target: o.target } : {}),
        ...(o.sparsityWeight !== undefined ? { sparsityWeight: o.sparsityWeight } : {}), ...training,
      } as never);
      case "contractive": return new ContractiveAutoencoder({ ...dense, ...(o.contraction !== undefined ? { contraction: o.contraction } : {}), ...training } as never);
    }
  });
}

/** The architecture in words: "784-512-128-32-128-512-784" for the dense kinds, the conv stack for conv. */
function architectureOf(o: AutoencoderCliOptions, model: AutoencoderBase, d: number): string {
  const p = model.getParams() as unknown as Record<string, unknown>;
  if (o.kind === "linear") return `${d}-${o.code}-${d} (linear)`;
  if (o.kind === "conv") {
    const ch = (p.channels as number[] | undefined) ?? [];
    const shape = (p.imageShape as number[] | undefined) ?? [];
    return `conv ${shape.join("x")} → ${ch.join(",")} channels → ${o.code} (${String(p.upsample ?? "")})`;
  }
  const layers = (p.layers as number[] | undefined) ?? [];
  return [d, ...layers, o.code, ...layers.slice().reverse(), d].join("-");
}

/** The last epoch's value of each named loss term (sparsity, contraction, reconstruction, kl). */
export function lastTerms(model: AutoencoderBase): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(model.history.terms ?? {})) if (v.length) out[k] = v[v.length - 1]!;
  return out;
}

/**
 * A picture of sample images above their reconstructions (the first of each label when the data have labels).
 */
export function reconstructionsFigure(model: AutoencoderBase, src: Matrix, labels: string[] | undefined, shape: [number, number], what: string) {
  const rows = sampleRows(src.rows, labels);
  const originals = src.selectRows(rows);
  const rec = model.reconstruct(originals);
  return imageGridFigure(stackRows([originals, rec]), shape, {
    ncols: rows.length, range: [0, 1], invert: true, cell: Math.max(48, Math.min(84, shape[1] * 3)),
    captions: [...rows.map((r) => labels?.[r] ?? `row ${r}`), ...rows.map(() => "rec.")],
    title: `${what} images (top) and their reconstructions (bottom)`,
  });
}

/** The input options every command of the family takes. */
export function familyInputOptions(cmd: Command): Command {
  return cmd
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line)")
    .option("--delimiter <char>", "field delimiter for delimited text (default: by extension / sniffed)")
    .option("--limit <n>", "use only the first n rows (of the training and of the test data)", parseIntOption("--limit"))
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"));
}

export function autoencoderCommand(): Command {
  const cmd = new Command("autoencoder")
    .description("train an autoencoder (dense, linear, conv, denoising, sparse or contractive) and write the codes, the model and reconstructions")
    .argument("<file>", "training data (CSV/TSV[.gz], .npy, IDX images, JSON)")
    .addOption(choice("--kind <kind>", "the model: dense | linear | conv | denoising | sparse | contractive", KINDS, "dense"))
    .option("--code <n>", "size of the code", parseIntOption("--code"), 32)
    .addOption(new Option("--layers <sizes>", "dense kinds: hidden layer sizes of the encoder, from the input inwards (default 512,128; contractive: none, one sigmoid layer; \"none\": no hidden layer)")
      .argParser(parseLayers))
    .addOption(choice("--activation <name>", "dense kinds: activation of the hidden layers (default relu; sigmoid for contractive)", ACTIVATIONS))
    .addOption(choice("--code-activation <name>", "dense kinds: activation of the code layer (default: --activation; none: linear codes)", ACTIVATIONS))
    .addOption(choice("--loss <name>", "bce (binary cross-entropy, sigmoid outputs; the default) | mse (not --kind linear, which is mse)", ["bce", "mse"]))
    .option("--tied", "dense kinds: tie the decoder's weights to the encoder's (transposed)")
    .option("--noise <kind:level>", "--kind denoising: the training corruption, gaussian:σ | mask:rate | salt-pepper:rate (e.g. gaussian:0.3)")
    .addOption(choice("--sparsity <penalty>", "--kind sparse: kl (KL divergence of the mean activation from --target) | l1 (on the codes)", ["kl", "l1"]))
    .option("--target <rho>", "--kind sparse: target mean activation ρ of the KL penalty (default 0.05)", parseNumber("--target"))
    .option("--sparsity-weight <beta>", "--kind sparse: weight β of the sparsity penalty", parseNumber("--sparsity-weight"))
    .option("--contraction <lambda>", "--kind contractive: weight λ of the encoder Jacobian's squared Frobenius norm", parseNumber("--contraction"))
    .option("--channels <sizes>", "--kind conv: channels of the conv layers (default 16,32)", parseSizes("--channels", "16,32", false))
    .option("--kernel-size <n>", "--kind conv: kernel size (default 3)", parseIntOption("--kernel-size"))
    .addOption(choice("--upsample <how>", "--kind conv: transposed (convolutions) | nearest (upsampling + conv)", ["transposed", "nearest"]))
    .option("--batch <n>", "mini-batch size", parseIntOption("--batch"), 256)
    .option("--epochs <n>", "passes over the training data", parseIntOption("--epochs"), 10)
    .option("--lr <rate>", "learning rate (Adam)", parseNumber("--lr"), 1e-3)
    .option("--seed <n>", "random seed (weights, batch order, noise)", parseIntOption("--seed"), 0)
    .option("--validation <fraction>", "hold out this fraction of the training rows for a validation loss", parseNumber("--validation"))
    .option("--early-stopping <epochs>", "stop after this many epochs without improvement (of the validation loss if any)", parseIntOption("--early-stopping"))
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"))
    .option("--test <file>", "test data (scaled as the training data): testLoss in the results")
    .option("--save-model <file>", "save the model as safetensors (loadModel / latentkit denoise read it; the weights load in PyTorch)")
    .option("--out <file>", "write the codes of the training data: .npy, .tsv (+ -metadata.tsv with labels), .csv or .json")
    .option("--reconstructions <file>", "sample images (of the test data if given) above their reconstructions (.png or .svg)")
    .option("--image-shape <HxW>", "shape of each row as an image (default: from IDX files, or square)")
    .option("--json", "print one JSON object with the results to stdout");
  familyInputOptions(cmd);
  cmd.addHelpText("after", `
Inputs are scaled to [0, 1] (--scale auto): IDX images are divided by 255; other data are used as they are when
every value is in [0, 1], else min-max scaled over all values (a note says so). The losses are means per element
(plus the kind's penalty for sparse and contractive).

Examples:
  latentkit autoencoder ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz --test ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --epochs 5 --json
  latentkit autoencoder train-images-idx3-ubyte.gz --kind conv --code 32 --epochs 3 --reconstructions rec.png --save-model conv.safetensors
  latentkit autoencoder train-images-idx3-ubyte.gz --kind denoising --noise mask:0.5 --layers 512 --code 64 --save-model dae.safetensors
  latentkit autoencoder data/digits.csv.gz --label-column -1 --kind sparse --sparsity kl --target 0.05 --layers 32 --code 16 --out codes.npy`);
  cmd.action(async (file: string, o: AutoencoderCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    const given = givenOptions(cmd);
    // every option is checked before any work: the estimator's, the outputs (formats, directories), the image shape
    const bar = new ProgressBar(`autoencoder ${o.kind}`, undefined, AUTOENCODER_PROGRESS);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    if (o.kind !== "conv") makeModel(o, given, bar, undefined).dispose();
    else checkKindOptions(o.kind, given);
    const outputs = planOutputs([
      ["--out", o.out, "embedding"], ["--save-model", o.saveModel, "json"], ["--reconstructions", o.reconstructions, "figure"],
    ], [file, o.labels, o.test]);
    try {
      const ds = loadInput(file, o);
      const testDs: Dataset | undefined = o.test !== undefined ? loadInput(o.test, { ...o, labels: undefined }) : undefined;
      if (testDs && testDs.X.cols !== ds.X.cols) fail(`--test ${o.test} has ${testDs.X.cols} columns, but ${file} has ${ds.X.cols}`);
      const shape = o.reconstructions || o.kind === "conv" ? imageShapeFor(ds, o.imageShape, true)! : undefined;
      const model = makeModel(o, given, bar, shape ? [1, shape[0], shape[1]] : undefined);
      const scaling = chooseScaling(file, ds.X, o.scale);
      noteScaling(file, scaling, o.json);
      const X = applyScaling(ds.X, scaling);
      const Xtest = testDs ? applyScaling(testDs.X, scaling) : undefined;
      const tLoad = performance.now();
      await model.fit(X);
      bar.done();
      const h = model.history;
      const trainLoss = model.reconstructionError(X);
      const testLoss = Xtest ? model.reconstructionError(Xtest) : null;
      if (o.out) writeEmbedding(o.out, model.transform(X), ds.labels, outputs);
      if (o.saveModel) outputs.write(o.saveModel, model.toSafetensors());
      if (shape && o.reconstructions) {
        saveFigure(o.reconstructions, reconstructionsFigure(model, Xtest ?? X, Xtest ? testDs!.labels : ds.labels, shape, Xtest ? "test" : "training"), outputs);
      }
      const written = outputs.commit();
      const p = model.getParams() as unknown as Record<string, unknown>;
      const result = {
        command: "autoencoder", kind: o.kind, model: model.modelName, file, ...(o.test !== undefined ? { test: o.test } : {}),
        nSamples: X.rows, nFeatures: X.cols, nTest: Xtest?.rows ?? 0, code: model.codeSize,
        architecture: architectureOf(o, model, X.cols),
        ...(p.activation !== undefined ? { activation: p.activation } : {}), ...(p.loss !== undefined ? { loss: p.loss } : {}),
        ...(p.tied !== undefined ? { tied: p.tied } : {}),
        ...(o.kind === "denoising" ? { noise: p.noise, noiseLevel: p.noiseLevel } : {}),
        ...(o.kind === "sparse" ? { sparsity: p.sparsity, target: p.target, sparsityWeight: p.sparsityWeight } : {}),
        ...(o.kind === "contractive" ? { contraction: p.contraction } : {}),
        batchSize: o.batch, epochs: h.train.length, learningRate: o.lr, scaling: scaling.kind, route: engineRoute(),
        samplesPerSecond: h.samplesPerSecond, trainLoss, testLoss, terms: lastTerms(model),
        validationLoss: model.validationLoss ?? null, stoppedEarly: h.stoppedEarly, bestEpoch: h.bestEpoch,
        lossHistory: h.train, validationHistory: h.validation,
        seconds: h.seconds, loadSeconds: (tLoad - t0) / 1000, files: written,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`${o.kind} autoencoder ${result.architecture} on ${file}: ${X.rows} samples, ${result.epochs} epochs of batch ${o.batch}, ` +
        `${h.seconds.toFixed(2)} s, ${Math.round(h.samplesPerSecond).toLocaleString("en")} samples/s (${result.route})`);
      const terms = Object.entries(result.terms).map(([k, v]) => `, ${k} ${v.toPrecision(4)}`).join("");
      console.log(`loss (${String(p.loss ?? "mse")}, mean per element): train ${trainLoss.toPrecision(5)}` +
        `${testLoss !== null ? `, test ${testLoss.toPrecision(5)}` : ""}${result.validationLoss !== null ? `, validation ${result.validationLoss.toPrecision(5)}` : ""}${terms}`);
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

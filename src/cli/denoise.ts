// `latentkit denoise <model> <file>`: corrupts images (Gaussian noise, masking noise, a missing square block; the
// corruption of src/models/corruption.ts, seeded) and passes them through a saved autoencoder of any kind
// (loadModel reads the file's type: a denoising AE is trained for it, but any model of the family reconstructs),
// reporting the PSNR of the noisy and of the denoised images against the clean ones, with a picture of noisy /
// denoised / clean rows and the denoised images as a file.
import { Command } from "commander";
import { fail } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { readFileBytes } from "../io/fs.js";
import { loadModel } from "../models/load.js";
import { saveFigure } from "../io/figures.js";
import { writeEmbedding } from "../io/export.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseShape, type InputOptions } from "./common.js";
import { applyScaling, applyThreads, changedRows, chooseScaling, noteScaling, sampleRows } from "./family.js";
// (loading models.js registers every model of the family for loadModel)
import { corrupt, imageRowsFigure, meanSquaredError, parseCorruption, psnr } from "./models.js";
import { planOutputs } from "./outputs.js";

interface DenoiseCliOptions extends InputOptions {
  noise: string;
  seed: number;
  scale: "auto" | "none";
  grid?: string;
  out?: string;
  imageShape?: string;
  threads?: number;
  json?: boolean;
}

export function denoiseCommand(): Command {
  const cmd = new Command("denoise")
    .description("corrupt images and restore them with a saved autoencoder: PSNR of the noisy and of the denoised images")
    .argument("<model>", "a model saved by latentkit autoencoder / vae / hash --save-model (.safetensors)")
    .argument("<file>", "clean images (CSV/TSV[.gz], .npy, IDX images, JSON), scaled as for training")
    .requiredOption("--noise <kind:level>", "the corruption: gaussian:σ | mask:rate | salt-pepper:rate | block:size (a missing size×size square)")
    .option("--seed <n>", "seed of the corruption", parseIntOption("--seed"), 0)
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"))
    .option("--grid <file>", "rows of noisy, denoised and clean images (.png or .svg)")
    .option("--out <file>", "write the denoised images: .npy, .tsv, .csv or .json")
    .option("--image-shape <HxW>", "shape of each row as an image (default: from IDX files, or square)")
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line)")
    .option("--delimiter <char>", "field delimiter for delimited text (default: by extension / sniffed)")
    .option("--limit <n>", "use only the first n rows", parseIntOption("--limit"))
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--json", "print one JSON object with the results to stdout");
  cmd.addHelpText("after", `
PSNR is 10·log10(1 / MSE) per image (pixels in [0, 1]), averaged over the images the corruption changed (a block
that falls on an empty background changes nothing: nChanged says how many count).

Examples:
  latentkit autoencoder train-images-idx3-ubyte.gz --kind denoising --noise gaussian:0.3 --epochs 5 --save-model dae.safetensors
  latentkit denoise dae.safetensors t10k-images-idx3-ubyte.gz --noise gaussian:0.3 --grid denoised.png --json
  latentkit denoise dae.safetensors t10k-images-idx3-ubyte.gz --noise block:10 --grid inpainted.png`);
  cmd.action(async (modelPath: string, file: string, o: DenoiseCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    // the corruption's syntax is checked before anything is read (a block's image shape comes with the data)
    parseCorruption(o.noise.replace(/^block:(\d+)$/, "mask:0"));
    const outputs = planOutputs([["--out", o.out, "embedding"], ["--grid", o.grid, "figure"]], [modelPath, file, o.labels]);
    try {
      const model = loadModel(readFileBytes(modelPath), modelPath);
      const ds = loadInput(file, o);
      if (ds.X.cols !== model.nFeatures) fail(`${file} has ${ds.X.cols} columns, but the model in ${modelPath} takes ${model.nFeatures}`);
      const needShape = o.grid !== undefined || /^block:/.test(o.noise);
      const shape = needShape ? imageShapeFor(ds, o.imageShape, true)! : undefined;
      const corruption = parseCorruption(o.noise, shape);
      const scaling = chooseScaling(file, ds.X, o.scale);
      noteScaling(file, scaling, o.json);
      const clean = applyScaling(ds.X, scaling);
      const noisy = corrupt(clean, corruption, new Random(o.seed));
      const t1 = performance.now();
      const denoised = model.reconstruct(noisy);
      const seconds = (performance.now() - t1) / 1000;
      // the PSNRs are means over the images the corruption changed (a block on the background changes nothing)
      const changed = changedRows(clean, noisy);
      if (changed.length === 0) fail(`--noise ${o.noise} left every image of ${file} as it was: nothing to denoise`);
      const [c, n, d] = [clean, noisy, denoised].map((M) => (changed.length === M.rows ? M : M.selectRows(changed))) as [Matrix, Matrix, Matrix];
      const result = {
        command: "denoise", model: modelPath, type: model.modelName, file, noise: o.noise, nSamples: clean.rows, nFeatures: clean.cols,
        nChanged: changed.length, scaling: scaling.kind,
        psnrNoisy: psnr(c, n), psnrDenoised: psnr(c, d), mseNoisy: meanSquaredError(c, n), mseDenoised: meanSquaredError(c, d),
        seconds, loadSeconds: (t1 - t0) / 1000, files: [] as string[],
      };
      if (o.out) writeEmbedding(o.out, denoised, undefined, outputs);
      if (o.grid && shape) {
        const rows = sampleRows(clean.rows, ds.labels, 10);
        saveFigure(o.grid, imageRowsFigure([noisy.selectRows(rows), denoised.selectRows(rows), clean.selectRows(rows)],
          [`${o.noise}`, "denoised", "clean"], shape), outputs);
      }
      result.files = outputs.commit();
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`denoise ${clean.rows} images of ${file} with the ${model.modelName} of ${modelPath}, corruption ${o.noise}: ` +
        `PSNR noisy ${result.psnrNoisy.toFixed(2)} dB → denoised ${result.psnrDenoised.toFixed(2)} dB (${seconds.toFixed(2)} s)`);
      for (const f of result.files) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

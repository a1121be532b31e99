// The image inputs of the convolutional commands (`cnn train`, `cnn eval`, `transfer`, `attack`, `visualize`): one
// loader for every format the CLI reads (IDX images with their labels file, found beside them or given by --labels;
// CSV/TSV with a label column; .npy; JSON), the rows scaled to [0, 1] as the autoencoder family scales them
// (family.ts chooseScaling: IDX pixels / 255, other data min-max scaled when outside [0, 1]), the image shape
// [channels, height, width] (from the IDX header, --image-shape, or a square guess), and the labels checked: a
// command that needs them fails with one line when a file has none or a wrong number. `loadCNN` reads a model file
// saved by `latentkit cnn train --save-model` and refuses, in one line, a file that is not a CNNClassifier.
import type { Command } from "commander";
import { fail } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
import { readFileBytes } from "../io/fs.js";
import { CNNClassifier } from "../models/cnn.js";
import { choice, loadInput, parseIntOption, type InputOptions } from "./common.js";
import { applyScaling, chooseScaling, noteScaling, type Scaling } from "./family.js";

/** The command-line options of an image input (what imageInputOptions adds). */
export interface ImageInputOptions extends InputOptions {
  /** "HxW" or "CxHxW". */
  imageShape?: string;
  scale?: "auto" | "none";
  json?: boolean;
}

/** Images ready for a CNN: float32 rows in [0, 1], their shape, their labels (strings) when the file has them. */
export interface ImageSet {
  file: string;
  X: Matrix;
  labels?: string[];
  imageShape: [number, number, number];
  scaling: Scaling;
}

/** Adds the input options: --labels, --label-column, --delimiter, --limit, --image-shape, --scale. */
export function imageInputOptions(cmd: Command): Command {
  return cmd
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line; default for IDX images: the labels-idx1 file beside them)")
    .option("--label-column <name|index>", "CSV/TSV: column holding the labels (name, or index; -1 = last)")
    .option("--delimiter <char>", "field delimiter for delimited text (default: by extension / sniffed)")
    .option("--limit <n>", "use only the first n images (of each input file)", parseIntOption("--limit"))
    .option("--image-shape <CxHxW>", "shape of each row as an image, HxW (one channel) or CxHxW, channel-major (default: from IDX files, or square)")
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"));
}

/** "28x28" → [1, 28, 28]; "3x32x32" → [3, 32, 32]. */
export function parseImageShape(v: string, flag = "--image-shape"): [number, number, number] {
  const m = /^(?:(\d+)[xX×])?(\d+)[xX×](\d+)$/.exec(v.trim());
  const dims = m ? [m[1] === undefined ? 1 : Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || dims.some((d) => !(d >= 1))) fail(`${flag} must look like HxW or CxHxW with sizes >= 1 (e.g. 28x28, 3x32x32), got ${JSON.stringify(v)}`);
  return dims as [number, number, number];
}

/** The image shape of rows of `cols` values: the option, the file's (IDX), else a square of one channel. */
export function imageShapeOf(cols: number, option: string | undefined, fromFile: [number, number] | undefined, file: string): [number, number, number] {
  if (option !== undefined) {
    const s = parseImageShape(option);
    if (s[0] * s[1] * s[2] !== cols) fail(`--image-shape ${option} has ${s[0] * s[1] * s[2]} values, but the rows of ${file} have ${cols}`);
    return s;
  }
  if (fromFile && fromFile[0] * fromFile[1] === cols) return [1, fromFile[0], fromFile[1]];
  const r = Math.round(Math.sqrt(cols));
  if (r * r === cols) return [1, r, r];
  fail(`cannot tell the image shape of the rows of ${file} (${cols} values): pass --image-shape HxW or CxHxW`);
}

/**
 * Loads images for a CNN. `labels`: "required" fails (one line) when the file has none; "optional" keeps them when
 * there. `scaling`: the training data's (for test data: the same map), else chosen for this file. `labelsFile`
 * overrides o.labels (e.g. --test-labels for a --test file), and `what` names the file in messages ("--test a.csv").
 */
export function loadImages(file: string, o: ImageInputOptions, opts: { labels?: "required" | "optional"; scaling?: Scaling; labelsFile?: string | null; what?: string } = {}): ImageSet {
  const labelsFile = opts.labelsFile === null ? undefined : opts.labelsFile ?? o.labels;
  const ds = loadInput(file, { ...o, labels: labelsFile });
  const what = opts.what ?? file;
  if (opts.labels === "required" && !ds.labels) {
    fail(`${what} has no labels: give --labels <file> (IDX labels or one per line)${/\.(csv|tsv|txt)(\.gz)?$/i.test(file) ? " or --label-column <name|index>" : ""}`);
  }
  const imageShape = imageShapeOf(ds.X.cols, o.imageShape, ds.imageShape, what);
  const scaling = opts.scaling ?? chooseScaling(file, ds.X, o.scale ?? "auto");
  if (!opts.scaling) noteScaling(file, scaling, o.json);
  const X = applyScaling(ds.X, scaling);
  return { file, X, ...(ds.labels ? { labels: ds.labels } : {}), imageShape, scaling };
}

/** Checks that images fit a trained model: the same number of values per row (and the model's shape in the message). */
export function checkImagesFit(model: CNNClassifier, set: ImageSet): void {
  const s = model.imageShape;
  if (set.X.cols !== s[0] * s[1] * s[2]) fail(`${set.file} has ${set.X.cols} values per row, but the model takes ${s.join("x")} images (${s[0] * s[1] * s[2]} values)`);
}

/** A CNNClassifier saved by `latentkit cnn train --save-model` (any other file is refused with one line). */
export function loadCNN(path: string): CNNClassifier {
  const bytes = readFileBytes(path);
  return CNNClassifier.fromSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** The labels of a set as the model's classes hold them: numbers when the model was trained on numbers. */
export function labelsForModel(model: CNNClassifier, labels: readonly string[]): (string | number)[] {
  const numeric = model.classes.every((c) => typeof c === "number");
  return numeric ? labels.map((l) => (/^-?\d+(\.\d+)?$/.test(l.trim()) ? Number(l) : l)) : labels.slice();
}

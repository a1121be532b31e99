// `latentkit visualize <model> [file]`: what the layers of a CNNClassifier saved by `latentkit cnn train` respond
// to (src/models/visualize.ts): the first layer's filters as images (--filters), for chosen units of chosen layers
// the top-9 most exciting images of a data file (--top) and the images that maximise them by regularised gradient
// ascent from noise (--maximize, Yosinski et al. 2015), and saliency maps of the class scores (--saliency, Simonyan
// et al. 2014). Pictures are rows with a label at the left (a unit, a layer, an image); --json prints the numbers.
import { Command } from "commander";
import { fail } from "../core/errors.js";
import { filterImages, maximizeActivations, saliency, topActivatingUnits, unitActivations, type Maximized, type UnitScore } from "../models/visualize.js";
import type { CNNClassifier } from "../models/cnn.js";
import { saveFigure } from "../io/figures.js";
import { imageGridFigure } from "../plot/charts.js";
import { labelledRowsFigure, type LabelledRow } from "../plot/grids.js";
import { Matrix } from "../core/matrix.js";
import { choice, parseIntOption, parseNumber } from "./common.js";
import { applyThreads, sampleRows } from "./family.js";
import { checkImagesFit, imageInputOptions, labelsForModel, loadCNN, loadImages, type ImageInputOptions } from "./images.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface VisualizeCliOptions extends ImageInputOptions {
  layer?: string;
  units?: string;
  filters?: string;
  maximize?: string;
  top?: string;
  saliency?: string;
  steps: number;
  lr: number;
  l2: number;
  blurEvery: number;
  blurSigma: number;
  jitter: number;
  score: UnitScore;
  images: number;
  smooth?: number;
  smoothNoise: number;
  seed: number;
  threads?: number;
}

/** "0-15", "0,3,7-9" → the unit indices, in order, without repeats. */
export function parseUnits(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(",").map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) fail(`--units must be indices and ranges such as 0-15 or 0,3,7-9, got ${JSON.stringify(v)}`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b - a > 4096) fail(`--units ${v}: at most 4096 units in a range`);
    for (let u = a; u <= b; u++) if (!out.includes(u)) out.push(u);
  }
  return out;
}

/** The units of a layer to show: --units (each checked against the layer), else the first 8. */
function unitsFor(model: CNNClassifier, layer: string, units: number[] | undefined): number[] {
  const i = model.layerIndex(layer);
  const shape = i < 0 ? model.imageShape : model.layers[i]!.outShape;
  const n = shape[0]!;
  if (!units) return Array.from({ length: Math.min(8, n) }, (_, k) => k);
  const bad = units.find((u) => u >= n);
  if (bad !== undefined) fail(`--units: unit ${bad} is out of range: layer ${layer} has ${n} ${shape.length === 3 ? "channels" : "features"} (0 to ${n - 1})`);
  return units;
}

/** A filter of c channels [c, kh, kw] laid out side by side as one kh × c·kw image. */
function sideBySide(img: Float32Array, c: number, kh: number, kw: number): Float32Array {
  if (c === 1) return img;
  const out = new Float32Array(img.length);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[y * c * kw + ch * kw + x] = img[ch * kh * kw + y * kw + x]!;
  return out;
}

/** The first channel of each image for pictures of multi-channel inputs ([h·w] values). */
function plane(img: ArrayLike<number>, hw: number, c: number): Float32Array {
  // several channels: their mean (a grey rendering)
  const out = new Float32Array(hw);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) out[p]! += img[ch * hw + p]! / c;
  return out;
}

export function visualizeCommand(): Command {
  const cmd = new Command("visualize")
    .description("understand a CNN's layers: first-layer filters, top-9 images and activation maximisation per unit, saliency maps")
    .argument("<model>", "a CNNClassifier saved by latentkit cnn train --save-model (.safetensors)")
    .argument("[file]", "images (IDX, CSV/TSV[.gz], .npy, JSON), scaled as for training: needed by --top and --saliency")
    .option("--layer <names>", "layers whose units to show, comma-separated (e.g. conv1,conv2,dense1; default: the first convolution)")
    .option("--units <list>", "units (channels of a feature map, features of a vector) of each layer: 0-15, 0,3,7-9 (default: the first 8)")
    .option("--filters <file>", "the first convolution's filters as an image grid (.png or .svg)")
    .option("--maximize <file>", "per layer a row of images maximising each unit by gradient ascent from noise (.png or .svg)")
    .option("--top <file>", "per unit a row of the 9 images of <file> that excite it most (.png or .svg)")
    .option("--saliency <file>", "images of <file> above their saliency maps |∂ score / ∂ x| of the predicted class (.png or .svg)")
    .option("--steps <n>", "--maximize: gradient steps", parseIntOption("--steps"), 200)
    .option("--lr <size>", "--maximize: step size in pixel units (the gradient scaled to unit RMS)", parseNumber("--lr"), 0.05)
    .option("--l2 <decay>", "--maximize: L2 decay towards mid-grey per step", parseNumber("--l2"), 0.01)
    .option("--blur-every <n>", "--maximize: a Gaussian blur every n steps (0: none)", parseIntOption("--blur-every"), 4)
    .option("--blur-sigma <px>", "--maximize: σ of the blur in pixels", parseNumber("--blur-sigma"), 0.5)
    .option("--jitter <px>", "--maximize: largest random shift of the image each step (0: none)", parseIntOption("--jitter"), 1)
    .addOption(choice("--score <how>", "a unit of a feature map: max over positions (top images) | mean | center; --maximize ascends the mean unless center is given", ["max", "mean", "center"], "max"))
    .option("--images <n>", "--saliency: number of images (the first of each class, then the next)", parseIntOption("--images"), 10)
    .option("--smooth <n>", "--saliency: a row of SmoothGrad maps too, the mean over n noisy copies of each image (e.g. 25)", parseIntOption("--smooth"))
    .option("--smooth-noise <σ>", "--smooth: σ of the noise, in pixel units", parseNumber("--smooth-noise"), 0.15)
    .option("--seed <n>", "seed of the starting noise, the jitter and the SmoothGrad noise", parseIntOption("--seed"), 0)
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--json", "print one JSON object with the results to stdout");
  imageInputOptions(cmd);
  cmd.addHelpText("after", `
A unit of a feature map [C, H, W] is a channel: --top ranks the images by its maximum over the positions (--score),
--maximize ascends its mean over the positions. Layer names: conv1, bn1, relu1, pool1, res1, dense1, logits, features.

Examples:
  latentkit visualize fashion.safetensors --filters filters.png
  latentkit visualize fashion.safetensors ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --layer conv2,dense1 --units 0-7 --top top9.png --maximize units.png --saliency saliency.png --json`);
  cmd.action(async (modelPath: string, file: string | undefined, o: VisualizeCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    if (!o.filters && !o.maximize && !o.top && !o.saliency && !o.json) fail("nothing to do: give --filters, --maximize, --top, --saliency (pictures) or --json");
    if ((o.top || o.saliency) && file === undefined) fail(`${o.top ? "--top" : "--saliency"} needs a data file: latentkit visualize <model> <file> ...`);
    if (o.images < 1) fail(`--images must be at least 1, got ${o.images}`);
    const units = o.units !== undefined ? parseUnits(o.units) : undefined;
    const outputs = planOutputs([
      ["--filters", o.filters, "figure"], ["--maximize", o.maximize, "figure"], ["--top", o.top, "figure"], ["--saliency", o.saliency, "figure"],
    ], [modelPath, file, o.labels]);
    try {
      const model = loadCNN(modelPath);
      const [c, h, w] = model.imageShape;
      const layers = (o.layer ?? model.layers.find((p) => p.kind === "conv")?.name ?? "features").split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (layers.length === 0) fail(`--layer needs at least one layer name (${model.layerNames.join(", ")}), got ${JSON.stringify(o.layer)}`);
      const plan = layers.map((layer) => ({ layer, units: unitsFor(model, layer, units) }));
      const set = file !== undefined ? loadImages(file, o, { labels: "optional" }) : undefined;
      if (set) checkImagesFit(model, set);
      const result: Record<string, unknown> = {
        command: "visualize", model: modelPath, ...(file !== undefined ? { file, nImages: set!.X.rows } : {}),
        imageShape: model.imageShape, classes: model.classes, layerSpec: model.layerSpec,
      };
      if (set?.labels) {
        // the accuracy when the file's labels are the model's classes (a model trained on numbers, a file of names: none)
        const y = labelsForModel(model, set.labels);
        const known = new Set(model.classes);
        if (y.some((l) => known.has(l))) result.accuracy = model.score(set.X, y);
      }

      if (o.filters) {
        const f = filterImages(model);
        const [kh, kw] = f.shape;
        const imgs = f.images.map((img) => sideBySide(img, f.channels, kh, kw));
        const X = new Matrix(imgs.length, kh * kw * f.channels, Float32Array.from(imgs.flatMap((a) => Array.from(a))));
        saveFigure(o.filters, imageGridFigure(X, [kh, kw * f.channels], {
          ncols: Math.min(16, imgs.length), range: [0, 1], cell: Math.max(40, 8 * kw), captions: imgs.map((_, i) => String(i)),
          title: `${f.layer}: ${imgs.length} filters ${kh}x${kw}${f.channels > 1 ? ` x ${f.channels} channels` : ""}, grey = 0`,
        }), outputs);
        result.filters = { layer: f.layer, count: imgs.length, shape: f.shape, channels: f.channels };
      }

      const perLayer: Record<string, unknown>[] = [];
      const maximized = new Map<string, Maximized[]>();
      if (o.maximize) {
        const bar = new ProgressBar("visualize", o.json ? false : undefined, ["activation"]);
        const total = o.steps * plan.length;
        plan.forEach(({ layer, units: us }, li) => {
          maximized.set(layer, maximizeActivations(model, layer, us, {
            steps: o.steps, lr: o.lr, l2: o.l2, blurEvery: o.blurEvery, blurSigma: o.blurSigma, jitter: o.jitter, seed: o.seed,
            score: o.score === "center" ? "center" : "mean",
            onProgress: (p) => bar.update({ ...p, step: li * o.steps + p.step, total }),
          }));
        });
        bar.done();
      }
      for (const { layer, units: us } of plan) {
        const entry: Record<string, unknown> = { layer, units: us };
        const mx = maximized.get(layer);
        if (mx) {
          // with data: the best objective over its images, the level the maximised images are to beat
          const inData = set ? unitActivations(model, set.X, layer, us, o.score === "center" ? "center" : "mean") : undefined;
          entry.maximize = mx.map((r, k) => ({
            unit: us[k], start: r.start, activation: r.activation, ...(inData ? { bestInData: Math.max(...inData[k]!) } : {}),
          }));
        }
        if (set) {
          const tops = topActivatingUnits(model, set.X, layer, us, 9, { score: o.score });
          entry.top = us.map((u, k) => {
            const t = tops[k]!;
            return { unit: u, index: Array.from(t.index), activation: Array.from(t.activation), ...(set.labels ? { labels: Array.from(t.index, (i) => set.labels![i]) } : {}) };
          });
        }
        perLayer.push(entry);
      }
      result.layers = perLayer;

      const hw = h * w;
      if (o.maximize) {
        const rows: LabelledRow[] = plan.map(({ layer, units: us }) => ({
          label: layer, images: maximized.get(layer)!.map((r) => plane(r.image, hw, c)), captions: us.map((u) => (layer === "logits" ? String(model.classes[u]) : `#${u}`)), range: [0, 1], invert: true,
        }));
        saveFigure(o.maximize, labelledRowsFigure(rows, [h, w], {
          title: `images maximising each unit (${o.steps} steps from noise)`,
        }), outputs);
      }
      if (o.top && set) {
        const rows: LabelledRow[] = [];
        for (const e of perLayer) {
          for (const t of e.top as { unit: number; index: number[]; activation: number[]; labels?: string[] }[]) {
            rows.push({
              label: `${e.layer as string} #${t.unit}`, images: t.index.map((i) => plane(set.X.row(i), hw, c)), range: [0, 1], invert: true,
              captions: t.labels ? t.labels.map(String) : t.activation.map((a) => a.toPrecision(3)),
            });
          }
        }
        saveFigure(o.top, labelledRowsFigure(rows, [h, w], {
          cell: 48, title: `top 9 of ${set.X.rows} images per unit`,
        }), outputs);
      }
      if (o.saliency && set) {
        const idx = sampleRows(set.X.rows, set.labels, o.images);
        const X: Matrix = set.X.selectRows(idx);
        const S = saliency(model, X);
        const pred = model.predict(X);
        const rows: LabelledRow[] = [
          { label: "image", images: idx.map((_, k) => plane(X.row(k), hw, c)), range: [0, 1], invert: true, captions: idx.map((i) => (set.labels ? String(set.labels[i]) : `row ${i}`)) },
          { label: "saliency", images: idx.map((_, k) => S.row(k)), colormap: "heat", scale: "each", captions: pred.map((p) => `as ${String(p)}`) },
        ];
        if (o.smooth !== undefined) {
          if (o.smooth < 1) fail(`--smooth must be at least 1 copy, got ${o.smooth}`);
          const G = saliency(model, X, undefined, { samples: o.smooth, noise: o.smoothNoise, seed: o.seed });
          rows.push({ label: "SmoothGrad", images: idx.map((_, k) => G.row(k)), colormap: "heat", scale: "each" });
        }
        saveFigure(o.saliency, labelledRowsFigure(rows, [h, w], { cell: 64, title: "saliency: |d score / dx| of the predicted class" }), outputs);
        result.saliency = { rows: idx, predicted: pred };
      }
      const written = outputs.commit();
      result.files = written;
      result.seconds = (performance.now() - t0) / 1000;
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`CNNClassifier ${model.layerSpec} on ${c}x${h}x${w} images${result.accuracy !== undefined ? `: accuracy ${((result.accuracy as number) * 100).toFixed(2)} % on ${file}` : ""}`);
      for (const e of perLayer) {
        const mx = e.maximize as { unit: number; start: number; activation: number }[] | undefined;
        if (mx) console.log(`${e.layer as string}: maximised ${mx.map((r) => `#${r.unit} ${r.start.toFixed(2)} → ${r.activation.toFixed(2)}`).join(", ")}`);
      }
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

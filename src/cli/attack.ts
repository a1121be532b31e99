// `latentkit attack <model> <file>`: adversarial examples against a saved CNNClassifier (src/models/adversarial.ts):
// FGSM (Goodfellow et al. 2015) or L∞ PGD (Madry et al. 2018), untargeted or towards one class, at one radius or a
// list of radii; reports the clean accuracy and the accuracy under attack at each radius, with a picture of
// original / perturbation (each scaled to its own range to be visible) / adversarial images with their predicted
// labels, and a plot of accuracy against eps.
import { Command } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { readFileBytes } from "../io/fs.js";
import type { Label } from "../linear/labels.js";
import { fgsm, labelIndices, pgd, type PGDOptions } from "../models/adversarial.js";
import { CNNClassifier } from "../models/cnn.js";
import { saveFigure } from "../io/figures.js";
import { imageGridFigure, lineChartFigure, type Figure } from "../plot/charts.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, parseShape, type InputOptions } from "./common.js";
import { applyScaling, applyThreads, chooseScaling, noteScaling, sampleRows, stackRows } from "./family.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface AttackCliOptions extends InputOptions {
  method: "fgsm" | "pgd";
  eps: number;
  epsList?: number[];
  steps?: number;
  alpha?: number;
  randomStart: boolean;
  seed: number;
  targeted?: boolean;
  target?: string;
  scale: "auto" | "none";
  grid?: string;
  plot?: string;
  imageShape?: string;
  threads?: number;
  json?: boolean;
}

function parseEpsList(v: string): number[] {
  const parts = v.split(",").map((s) => s.trim());
  const xs = parts.map((s) => (s === "" ? NaN : Number(s)));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x < 0)) fail(`--eps-list must be radii >= 0 separated by commas (e.g. 0,0.05,0.1), got ${JSON.stringify(v)}`);
  return xs;
}

/**
 * Rows of original images and, for each attack, the perturbations (diverging colours, each scaled to its own largest
 * |δ| to be visible) and the adversarial images; captions: the true label (": the clean prediction" when wrong), the
 * attack and its largest |δ|, the adversarial prediction ("-> label" when it changed; the plot font is ASCII).
 */
export function adversarialGridFigure(orig: Matrix, truth: readonly string[], cleanPred: readonly string[],
  attacks: readonly { name: string; adv: Matrix; pred: readonly string[] }[], shape: [number, number], title: string): Figure {
  const k = orig.rows;
  const parts: Matrix[] = [orig];
  const colormaps: Array<"gray" | "diverging"> = Array<"gray">(k).fill("gray");
  const captions = truth.map((t, i) => (t === cleanPred[i] ? t : `${t}: ${cleanPred[i]}`));
  for (const a of attacks) {
    const delta = new Matrix(k, orig.cols, Float32Array.from(a.adv.data, (v, i) => v - orig.data[i]!));
    let maxDelta = 0;
    for (const v of delta.data) maxDelta = Math.max(maxDelta, Math.abs(v));
    parts.push(delta, a.adv);
    colormaps.push(...Array<"diverging">(k).fill("diverging"), ...Array<"gray">(k).fill("gray"));
    captions.push(...Array<string>(k).fill(`${a.name} +/-${Number(maxDelta.toPrecision(3))}`), ...a.pred.map((p, i) => (p === cleanPred[i] ? p : `-> ${p}`)));
  }
  return imageGridFigure(stackRows(parts), shape, { ncols: k, range: [0, 1], invert: true, title, colormaps, captions });
}

export function attackCommand(): Command {
  const cmd = new Command("attack")
    .description("adversarial examples (FGSM or PGD, L∞) against a saved CNN classifier: accuracy under attack against eps")
    .argument("<model>", "a CNNClassifier saved as .safetensors")
    .argument("<file>", "labelled images (CSV/TSV[.gz], .npy, IDX images with --labels or a sibling labels file, JSON)")
    .addOption(choice("--method <name>", "fgsm (one signed-gradient step) | pgd (projected steps from a random start)", ["fgsm", "pgd"], "fgsm"))
    .option("--eps <r>", "L∞ radius in pixel units (pixels scaled to [0, 1]): the attack of --grid and of the result", parseNumber("--eps"), 0.1)
    .option("--eps-list <list>", "radii for the accuracy curve, e.g. 0,0.05,0.1,0.2,0.3 (default: 0 and --eps)", parseEpsList)
    .option("--steps <n>", "--method pgd: gradient steps (default 10)", parseIntOption("--steps"))
    .option("--alpha <a>", "--method pgd: step size (default 2.5·eps/steps)", parseNumber("--alpha"))
    .option("--no-random-start", "--method pgd: start at the image instead of a random point of the ε-ball")
    .option("--seed <n>", "--method pgd: seed of the random start", parseIntOption("--seed"), 0)
    .option("--targeted", "a targeted attack: push every image towards --target")
    .option("--target <label>", "with --targeted: the class to push towards (a label of the data, as the model was trained on)")
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"))
    .option("--grid <file>", "original / perturbation / adversarial images with predicted labels (.png or .svg)")
    .option("--plot <file>", "accuracy against eps over --eps-list (.png or .svg)")
    .option("--image-shape <HxW>", "shape of each row as an image for --grid (default: from IDX files, or square)")
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line)")
    .option("--delimiter <char>", "field delimiter for delimited text (default: by extension / sniffed)")
    .option("--limit <n>", "use only the first n rows", parseIntOption("--limit"))
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--json", "print one JSON object with the results to stdout");
  cmd.addHelpText("after", `
Accuracy is measured against the true labels of the file; eps 0 is the clean accuracy. With --targeted,
targetSuccess is the fraction of the images not of the target class that the attack makes the model call it.

Examples:
  latentkit attack cnn.safetensors t10k-images-idx3-ubyte.gz --limit 1000 --method fgsm --eps 0.1 --grid adv.png
  latentkit attack cnn.safetensors t10k-images-idx3-ubyte.gz --limit 1000 --method pgd --steps 10 --eps-list 0,0.05,0.1,0.2,0.3 --plot curve.png --json
  latentkit attack cnn.safetensors t10k-images-idx3-ubyte.gz --limit 200 --method pgd --eps 0.2 --targeted --target 8 --grid to-bag.png`);
  cmd.action(async (modelPath: string, file: string, o: AttackCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    if (!(o.eps >= 0)) fail(`--eps must be a number >= 0, got ${o.eps}`);
    if (o.method === "fgsm") {
      for (const [flag, v] of [["--steps", o.steps], ["--alpha", o.alpha]] as const) if (v !== undefined) fail(`${flag} is an option of --method pgd, not of --method fgsm`);
      if (o.randomStart === false) fail("--no-random-start is an option of --method pgd, not of --method fgsm");
    }
    if (o.steps === 0) fail("--steps must be an integer >= 1, got 0");
    if (o.alpha !== undefined && !(o.alpha > 0)) fail(`--alpha must be a number > 0, got ${o.alpha}`);
    if (o.target !== undefined && !o.targeted) fail(`--target ${o.target} needs --targeted`);
    if (o.targeted && o.target === undefined) fail("--targeted needs --target <label>");
    const epsList = o.epsList ?? (o.eps === 0 ? [0] : [0, o.eps]);
    if (o.plot && epsList.length < 2) fail("--plot needs at least two radii in --eps-list");
    const outputs = planOutputs([["--grid", o.grid, "figure"], ["--plot", o.plot, "figure"]], [modelPath, file, o.labels]);
    try {
      const model = CNNClassifier.fromSafetensors(readFileBytes(modelPath), modelPath);
      const ds = loadInput(file, o);
      if (!ds.labels) fail(`${file} has no labels: the attack needs the true label of each image (--labels <file>, --label-column, or an IDX labels file beside the images)`);
      if (ds.X.cols !== model.nFeatures) fail(`${file} has ${ds.X.cols} columns, but the model in ${modelPath} takes images of ${model.nFeatures} values`);
      if (ds.X.rows === 0) fail(`${file} has no rows`);
      const shape = o.grid !== undefined ? imageShapeFor(ds, o.imageShape, true)! : undefined;
      const scaling = chooseScaling(file, ds.X, o.scale);
      noteScaling(file, scaling, o.json);
      const X = applyScaling(ds.X, scaling);
      const y = ds.labels;
      const classes = model.classes;
      const truth = labelIndices(model, y, X.rows, `${file}`);
      let target: number | undefined;
      if (o.targeted) {
        target = classes.findIndex((c) => String(c) === o.target);
        if (target < 0) fail(`--target ${JSON.stringify(o.target)} is not one of the model's classes (${classes.map(String).join(", ")})`);
      }
      const tLoad = performance.now();
      const bar = new ProgressBar(`attack ${o.method}`);
      const radii = [...new Set([...epsList.filter((e) => e > 0), ...(o.eps > 0 ? [o.eps] : [])])];
      const total = radii.length * X.rows;
      const base: Partial<PGDOptions> = {
        ...(o.targeted ? { targeted: true, target: target! } : {}),
        ...(o.method === "pgd" ? { steps: o.steps ?? 10, ...(o.alpha !== undefined ? { alpha: o.alpha } : {}), randomStart: o.randomStart, seed: o.seed } : {}),
      };
      const hits = (pred: Label[], wanted: (i: number) => boolean): number => pred.filter((_, i) => wanted(i)).length / Math.max(1, pred.length);
      const cleanPred = model.predict(X);
      const isTrue = (p: Label[]) => (i: number): boolean => String(p[i]) === String(classes[truth[i]!]);
      const cleanAccuracy = hits(cleanPred, isTrue(cleanPred));
      const byEps = new Map<number, { accuracy: number; targetSuccess?: number; adv: Matrix; pred: Label[] }>();
      radii.forEach((eps, r) => {
        const opts = { ...base, eps, onProgress: (p: { step: number }) => bar.update({ stage: `eps ${eps}`, step: r * X.rows + p.step, total, metrics: {} }) };
        const adv = o.method === "fgsm" ? fgsm(model, X, y, opts) : pgd(model, X, y, opts as PGDOptions);
        const pred = model.predict(adv);
        const entry: { accuracy: number; targetSuccess?: number; adv: Matrix; pred: Label[] } = { accuracy: hits(pred, isTrue(pred)), adv, pred };
        if (target !== undefined) {
          const others = truth.filter((t) => t !== target).length;
          entry.targetSuccess = others === 0 ? 0 : pred.filter((p, i) => truth[i] !== target && String(p) === String(classes[target!])).length / others;
        }
        byEps.set(eps, entry);
      });
      bar.done();
      const seconds = (performance.now() - tLoad) / 1000;
      const curve = epsList.map((eps) => {
        const e = byEps.get(eps);
        return { eps, accuracy: e ? e.accuracy : cleanAccuracy, ...(target !== undefined ? { targetSuccess: e?.targetSuccess ?? 0 } : {}) };
      });
      const at = byEps.get(o.eps);
      if (o.grid && shape) {
        const rows = sampleRows(X.rows, y, 8);
        const adv = at ? at.adv.selectRows(rows) : X.selectRows(rows);
        const advPred = at ? rows.map((i) => String(at.pred[i])) : rows.map((i) => String(cleanPred[i]));
        const title = `${o.method.toUpperCase()}${o.targeted ? ` towards ${o.target}` : ""}, eps ${o.eps}: original / perturbation / adversarial`;
        saveFigure(o.grid, adversarialGridFigure(X.selectRows(rows), rows.map((i) => String(y[i])), rows.map((i) => String(cleanPred[i])),
          [{ name: o.method.toUpperCase(), adv, pred: advPred }], shape, title), outputs);
      }
      if (o.plot) {
        saveFigure(o.plot, lineChartFigure([
          { name: `${o.method.toUpperCase()} accuracy`, x: curve.map((c) => c.eps), y: curve.map((c) => c.accuracy) },
          ...(target !== undefined ? [{ name: `target ${o.target} success`, x: curve.map((c) => c.eps), y: curve.map((c) => c.targetSuccess ?? 0) }] : []),
        ], { title: `${o.method.toUpperCase()} on ${X.rows} images`, xLabel: "eps (L∞, pixels in [0, 1])", yLabel: "accuracy" }), outputs);
      }
      const files = outputs.commit();
      const result = {
        command: "attack", model: modelPath, file, method: o.method, eps: o.eps, ...(o.method === "pgd" ? { steps: o.steps ?? 10 } : {}),
        targeted: !!o.targeted, ...(o.targeted ? { target: o.target, targetSuccess: at?.targetSuccess ?? 0 } : {}),
        nSamples: X.rows, nFeatures: X.cols, scaling: scaling.kind, cleanAccuracy, accuracy: at ? at.accuracy : cleanAccuracy,
        curve, seconds, loadSeconds: (tLoad - t0) / 1000, files,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`${o.method} attack${o.targeted ? ` towards ${o.target}` : ""} on ${X.rows} images of ${file} with ${modelPath} (${seconds.toFixed(2)} s):`);
      for (const c of curve) {
        console.log(`  eps ${String(c.eps).padEnd(6)} accuracy ${(100 * c.accuracy).toFixed(2)} %${c.targetSuccess !== undefined ? `, target reached ${(100 * c.targetSuccess).toFixed(2)} %` : ""}`);
      }
      for (const f of files) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}


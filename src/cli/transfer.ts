// `latentkit transfer`: few-shot transfer with a trained CNNClassifier (a model file of `latentkit cnn train` or
// CNNClassifier.toSafetensors). For each number of labelled images per class (--shots), --repeats random draws of
// that many rows of each class of the data file; each probe is fitted on the draw and scored on the test rows (--test,
// else a fixed random --holdout of the file): "knn" (1-nearest neighbour) and "logistic" (logistic regression) on the
// frozen features of --layer and, as the baseline, on the raw pixels; "finetune" (src/models/transfer.ts fineTune) a
// copy of the net with new logits for the file's classes and every layer up to --layer frozen. Prints mean ± standard
// deviation of the accuracy per shots and probe; --plot draws accuracy against labels per class.
import { Command } from "commander";
import { describeValue, fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import type { Dataset } from "../formats/dataset.js";
import { readFileBytes } from "../io/fs.js";
import { CNNClassifier } from "../models/cnn.js";
import { drawShots, FeatureExtractor, fineTune, meanStd, probeAccuracy, resizeImages } from "../models/transfer.js";
import { saveFigure } from "../io/figures.js";
import { lineChartFigure } from "../plot/charts.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, type InputOptions } from "./common.js";
import { applyScaling, applyThreads, chooseScaling, noteScaling } from "./family.js";
import { familyInputOptions } from "./neural.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface TransferCliOptions extends InputOptions {
  shots: number[];
  layer: string;
  repeats: number;
  probe: string[];
  test?: string;
  holdout: number;
  resize?: boolean;
  epochs?: number;
  lr?: number;
  seed: number;
  scale: "auto" | "none";
  plot?: string;
  imageShape?: string;
  threads?: number;
  json?: boolean;
}

const PROBES = ["knn", "logistic", "finetune"] as const;

/** A comma-separated list of integers >= 1 (--shots 1,5,10). */
function parseShots(v: string): number[] {
  const parts = v.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s) || Number(s) < 1)) fail(`--shots must be labelled images per class as integers >= 1, e.g. 1,5,10, got ${JSON.stringify(v)}`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

function parseProbes(v: string): string[] {
  const parts = v.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = parts.find((p) => !(PROBES as readonly string[]).includes(p));
  if (parts.length === 0 || bad !== undefined) fail(`--probe must be a list of ${PROBES.join(", ")}, got ${JSON.stringify(bad ?? v)}`);
  return [...new Set(parts)];
}

interface ResultRow { representation: string; probe: string; shots: number; mean: number; std: number; accuracies: number[] }

export function transferCommand(): Command {
  const cmd = new Command("transfer")
    .description("few-shot transfer with a trained CNN: kNN / logistic regression on its frozen features (and on pixels), fine-tuning, at k labels per class")
    .argument("<model>", "a CNNClassifier model file (.safetensors, from latentkit cnn train --save-model)")
    .argument("<file>", "labelled images of the new task (CSV/TSV[.gz] with --label-column, IDX with --labels, .npy, JSON)")
    .requiredOption("--shots <list>", "labelled images per class, e.g. 1,5,10", parseShots)
    .option("--layer <name>", "the layer whose output the probes see (features = the input of the classifier; conv1, flatten, …)", "features")
    .option("--repeats <n>", "random draws of the labelled images per number of shots", parseIntOption("--repeats"), 5)
    .option("--probe <list>", "probes: knn (1-NN), logistic, finetune (new logits, layers up to --layer frozen)", parseProbes, ["knn", "logistic"])
    .option("--test <file>", "test images (same format and labels as <file>); default: a random --holdout of <file>")
    .option("--holdout <fraction>", "without --test: the fraction of <file> held out for testing", parseNumber("--holdout"), 0.3)
    .option("--resize", "resize the images bilinearly to the model's input size (e.g. 8x8 digits for a 28x28 model)")
    .option("--epochs <n>", "finetune: passes over the labelled images (default: ~300 steps)", parseIntOption("--epochs"))
    .option("--lr <rate>", "finetune: learning rate (default: the model's)", parseNumber("--lr"))
    .option("--seed <n>", "random seed of the draws, the hold-out split and fine-tuning", parseIntOption("--seed"), 0)
    .addOption(choice("--scale <mode>", "auto: IDX pixels / 255, other data min-max scaled to [0, 1] when outside it | none", ["auto", "none"], "auto"))
    .option("--image-shape <HxW>", "shape of each row as an image (default: from IDX files, or square); with --resize")
    .option("--plot <file>", "accuracy against labelled images per class (.png or .svg)")
    .option("--json", "print one JSON object with the results to stdout");
  familyInputOptions(cmd);
  cmd.addHelpText("after", `
Accuracy is on the test rows, mean ± standard deviation over --repeats draws; "pixels" rows are the same probes on the
(scaled) input values, the baseline the features should beat.

Examples:
  latentkit transfer fashion04.safetensors fashion-5-9.csv --label-column label --shots 1,5,10,100 --probe knn,logistic,finetune --plot transfer.png
  latentkit transfer fashion04.safetensors data/digits.csv.gz --label-column -1 --resize --shots 1,5,10 --layer flatten --json`);
  cmd.action(async (modelPath: string, file: string, o: TransferCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    if (!(o.holdout > 0 && o.holdout < 1)) fail(`--holdout must be a fraction in (0, 1), got ${o.holdout}`);
    if (o.repeats < 1) fail(`--repeats must be at least 1, got ${o.repeats}`);
    if ((o.epochs !== undefined || o.lr !== undefined) && !o.probe.includes("finetune")) fail("--epochs and --lr are options of --probe finetune");
    if (o.epochs === 0) fail("--epochs must be at least 1, got 0");
    if (o.lr !== undefined && !(o.lr > 0)) fail(`--lr must be > 0, got ${o.lr}`);
    const outputs = planOutputs([["--plot", o.plot, "figure"]], [modelPath, file, o.test, o.labels]);
    try {
      const model = CNNClassifier.fromSafetensors(readFileBytes(modelPath), modelPath);
      const extractor = new FeatureExtractor(model, { layer: o.layer });
      if (o.probe.includes("finetune") && o.layer === "logits") fail('--probe finetune with --layer logits leaves nothing to train: use --layer features');
      const ds = loadInput(file, o);
      if (!ds.labels) fail(`${file} has no labels: give --label-column (CSV) or --labels (IDX)`);
      const testDs: Dataset | undefined = o.test !== undefined ? loadInput(o.test, { ...o, labels: undefined }) : undefined;
      if (testDs && !testDs.labels) fail(`--test ${o.test} has no labels: give --label-column (CSV) or a sibling labels file (IDX)`);
      if (testDs && testDs.X.cols !== ds.X.cols) fail(`--test ${o.test} has ${testDs.X.cols} columns, but ${file} has ${ds.X.cols}`);
      const scaling = chooseScaling(file, ds.X, o.scale);
      noteScaling(file, scaling, o.json);
      const [c, mh, mw] = model.imageShape;
      const toModel = (X: Matrix): Matrix => {
        if (X.cols === model.nFeatures && !o.resize) return X;
        if (!o.resize) fail(`${file} has ${X.cols} values a row, but the model takes ${c}x${mh}x${mw} = ${model.nFeatures} images: pass --resize to resize them bilinearly`);
        const s = imageShapeFor(ds, o.imageShape, true)!;
        if (s[0] * s[1] * c !== X.cols) fail(`--resize: rows of ${X.cols} values are not ${c}-channel ${s[0]}x${s[1]} images (the model's ${c} channels)`);
        return resizeImages(X, [c, s[0], s[1]], [mh, mw]);
      };
      // the pool the shots are drawn from and the test rows
      const all = applyScaling(ds.X, scaling);
      let poolX: Matrix, poolY: string[], testX: Matrix, testY: string[];
      if (testDs) {
        poolX = all, poolY = ds.labels;
        testX = applyScaling(testDs.X, scaling), testY = testDs.labels!;
      } else {
        const perm = new Random(o.seed ^ 0x7e57).sample(all.rows, all.rows);
        const nTest = Math.round(all.rows * o.holdout);
        if (nTest < 1 || nTest >= all.rows) fail(`--holdout ${o.holdout} of ${all.rows} rows leaves no test or no training rows`);
        const ti = Array.from(perm.subarray(0, nTest)), pi = Array.from(perm.subarray(nTest));
        poolX = all.selectRows(pi), poolY = pi.map((i) => ds.labels![i]!);
        testX = all.selectRows(ti), testY = ti.map((i) => ds.labels![i]!);
      }
      const classes = [...new Set(poolY)].sort();
      if (classes.length < 2) fail(`${file} holds only class ${describeValue(classes[0])}: few-shot classification needs at least 2`);
      const counts = new Map<string, number>();
      for (const l of poolY) counts.set(l, (counts.get(l) ?? 0) + 1);
      const fewest = Math.min(...counts.values());
      const largest = o.shots[o.shots.length - 1]!;
      if (largest > fewest) {
        const cls = [...counts].find(([, n]) => n === fewest)![0];
        fail(`--shots ${largest}: class ${describeValue(cls)} has only ${fewest} training rows${testDs ? "" : " after the hold-out"}`);
      }
      const poolM = toModel(poolX), testM = toModel(testX);
      const tLoad = performance.now();
      const features = { pool: extractor.transform(poolM), test: extractor.transform(testM) };
      const simple = o.probe.filter((p) => p !== "finetune") as ("knn" | "logistic")[];
      const bar = new ProgressBar("transfer");
      const total = o.shots.length * o.repeats;
      const rows: ResultRow[] = [];
      let step = 0;
      for (const shots of o.shots) {
        const acc = new Map<string, number[]>();
        const push = (k: string, v: number): void => void (acc.get(k) ?? acc.set(k, []).get(k)!).push(v);
        for (let r = 0; r < o.repeats; r++) {
          const idx = drawShots(poolY, shots, new Random(o.seed + 7919 * shots + r), classes);
          const y = Array.from(idx, (i) => poolY[i]!);
          for (const p of simple) {
            push(`${o.layer}|${p}`, await probeAccuracy(p, features.pool.selectRows(idx), y, features.test, testY));
            push(`pixels|${p}`, await probeAccuracy(p, poolX.selectRows(idx), y, testX, testY));
          }
          if (o.probe.includes("finetune")) {
            const tuned = await fineTune(model, poolM.selectRows(idx), y, {
              freezeUpTo: o.layer, seed: o.seed + r, ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.lr !== undefined ? { learningRate: o.lr } : {}),
            });
            push(`${o.layer}|finetune`, tuned.score(testM, testY));
            tuned.dispose();
          }
          bar.update({ stage: `${shots} per class, draw ${r + 1}`, step: ++step, total, metrics: {} });
        }
        for (const [k, a] of acc) {
          const [representation, probe] = k.split("|") as [string, string];
          rows.push({ representation, probe, shots, ...meanStd(a), accuracies: a });
        }
      }
      bar.done();
      const seconds = (performance.now() - tLoad) / 1000;
      const keys = [...new Set(rows.map((r) => `${r.representation}|${r.probe}`))];
      const nameOf = (k: string): string => {
        const [rep, probe] = k.split("|") as [string, string];
        return probe === "finetune" ? `fine-tuned after ${rep}` : `${rep === "pixels" ? "pixels" : `layer ${rep}`}, ${probe === "knn" ? "1-NN" : "logistic"}`;
      };
      if (o.plot) {
        saveFigure(o.plot, lineChartFigure(keys.map((k) => ({
          name: nameOf(k), x: o.shots, y: o.shots.map((s) => 100 * rows.find((r) => `${r.representation}|${r.probe}` === k && r.shots === s)!.mean),
        })), { title: `few-shot accuracy on ${testY.length} test images (${o.repeats} draws)`, xLabel: "labelled images per class", yLabel: "test accuracy (%)", logX: o.shots.length > 1 }), outputs);
      }
      const written = outputs.commit();
      const result = {
        command: "transfer", model: modelPath, file, ...(o.test !== undefined ? { test: o.test } : {}),
        layer: o.layer, nFeatures: extractor.nFeatures, classes, nPool: poolY.length, nTest: testY.length,
        resized: poolM !== poolX, shots: o.shots, repeats: o.repeats, probes: o.probe, scaling: scaling.kind,
        results: rows, seconds, loadSeconds: (tLoad - t0) / 1000, files: written,
      };
      model.dispose();
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`few-shot transfer of ${modelPath} (layer ${o.layer}, ${extractor.nFeatures} features) to ${classes.length} classes of ${file}: ` +
        `${poolY.length} rows to draw from, ${testY.length} test rows, ${o.repeats} draws, ${seconds.toFixed(1)} s`);
      const head = ["", ...o.shots.map((s) => `${s} per class`)];
      const body = keys.map((k) => [nameOf(k), ...o.shots.map((s) => {
        const r = rows.find((x) => `${x.representation}|${x.probe}` === k && x.shots === s)!;
        return `${(100 * r.mean).toFixed(1)} ± ${(100 * r.std).toFixed(1)} %`;
      })]);
      const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
      for (const r of [head, ...body]) console.log(r.map((v, i) => (i === 0 ? v.padEnd(w[i]!) : v.padStart(w[i]!))).join("  "));
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

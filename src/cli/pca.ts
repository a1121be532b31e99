import { Command } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { PCA, residualFromProjections, type PCASolver } from "../decomposition/pca.js";
import { TruncatedSVD } from "../decomposition/truncated-svd.js";
import { saveFigure } from "../io/figures.js";
import { writeEmbedding } from "../io/export.js";
import { imageGridFigure, labelOrder, reconstructionFigure, scatterFigure, spectrumFigure } from "../plot/charts.js";
import { StandardScaler } from "../preprocessing/scaler.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, parseShape, type InputOptions } from "./common.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface PcaCliOptions extends InputOptions {
  k?: number;
  variance?: number;
  standardize?: boolean;
  solver: PCASolver;
  whiten?: boolean;
  seed: number;
  out?: string;
  plot?: string;
  componentsGrid?: string;
  reconstructions?: string;
  spectrum?: string;
  imageShape?: string;
  saveModel?: string;
  json?: boolean;
}

function inputOptions(cmd: Command): Command {
  return cmd
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line)")
    .option("--delimiter <char>", "field delimiter for delimited text (default: by extension / sniffed)")
    .option("--limit <n>", "use only the first n rows", parseIntOption("--limit"));
}

/** Sample rows for the reconstruction figure: the first of each label (up to 8), else the first 6 rows. */
function sampleRows(n: number, labels?: string[]): number[] {
  if (!labels) return Array.from({ length: Math.min(6, n) }, (_, i) => i);
  const firstOf = new Map<string, number>();
  labels.forEach((l, i) => {
    if (!firstOf.has(l)) firstOf.set(l, i);
  });
  return labelOrder(labels).slice(0, 8).map((l) => firstOf.get(l)!);
}

function ranksFor(k: number): number[] {
  if (k <= 8) return Array.from({ length: k }, (_, i) => i + 1);
  const out = new Set<number>([1, 2]);
  for (let r = 2; r < k; r = Math.ceil(r * 2)) out.add(r);
  out.add(k);
  return [...out].filter((r) => r <= k).sort((a, b) => a - b).slice(-8);
}

export function pcaCommand(): Command {
  const cmd = new Command("pca")
    .description("principal component analysis of a data file (CSV/TSV[.gz], .npy, IDX images, JSON)")
    .argument("<file>", "input data")
    .option("-k, --components <n>", "number of components", parseIntOption("-k"))
    .option("--variance <fraction>", "keep the fewest components explaining this fraction of the variance (e.g. 0.95)", parseNumber("--variance"))
    .option("--standardize", "scale every feature to unit variance before PCA")
    .addOption(choice("--solver <name>", "auto | full | randomized | covariance-eig", ["auto", "full", "randomized", "covariance-eig"], "auto"))
    .option("--whiten", "scale projections to unit variance")
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 0)
    .option("--out <file>", "write the projections: .tsv (+ -metadata.tsv with labels), .npy, .csv or .json")
    .option("--plot <file>", "scatter plot of the first two components (.png or .svg)")
    .option("--components-grid <file>", "the mean and the components drawn as images (.png or .svg)")
    .option("--reconstructions <file>", "sample images reconstructed from 1, 2, ..., k components (.png or .svg)")
    .option("--spectrum <file>", "singular values and cumulative explained variance (.png or .svg)")
    .option("--image-shape <HxW>", "shape of each row as an image (default: from IDX files, or square)")
    .option("--save-model <file>", "save the fitted PCA as JSON (load with PCA.fromJSON(json); with --standardize, StandardScaler.fromJSON(json.scaler) is the scaling to apply first)")
    .option("--json", "print one JSON object with the results to stdout");
  inputOptions(cmd);
  cmd.addHelpText("after", `
Examples:
  latentkit pca data/digits.csv.gz -k 10 --label-column -1 --plot digits.png --components-grid pcs.png --image-shape 8x8
  latentkit pca ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz -k 50 --solver randomized --out z.npy --json
  latentkit pca wine.csv --standardize --variance 0.9 --label-column -1 --spectrum spectrum.svg`);
  cmd.action(async (file: string, o: PcaCliOptions & { components?: number }) => {
    const t0 = performance.now();
    // every option is checked before any work: the outputs (formats, directories), the image shape
    const outputs = planOutputs([
      ["--out", o.out, "embedding"], ["--save-model", o.saveModel, "json"], ["--plot", o.plot, "figure"],
      ["--components-grid", o.componentsGrid, "figure"], ["--reconstructions", o.reconstructions, "figure"],
      ["--spectrum", o.spectrum, "figure"],
    ], [file, o.labels]);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    if (o.variance !== undefined && o.components !== undefined) fail("give -k or --variance, not both");
    const ds = loadInput(file, o);
    const shape = o.componentsGrid || o.reconstructions ? imageShapeFor(ds, o.imageShape, true)! : undefined;
    const tLoad = performance.now();
    const nComponents = o.variance !== undefined ? o.variance : o.components;
    const bar = new ProgressBar("pca");
    const pca = new PCA({
      ...(nComponents !== undefined ? { nComponents } : {}),
      solver: o.solver, whiten: o.whiten ?? false, seed: o.seed, onProgress: bar.update,
    });
    let X = ds.X;
    let scaler: StandardScaler | undefined;
    if (o.standardize) {
      scaler = new StandardScaler();
      X = await scaler.fitTransform(X);
    }
    const Z = await pca.fitTransform(X);
    bar.done();
    const seconds = (performance.now() - tLoad) / 1000;
    if (o.out) writeEmbedding(o.out, Z, ds.labels, outputs);
    if (o.saveModel) {
      outputs.write(o.saveModel, JSON.stringify({ ...pca.toJSON(), ...(scaler ? { scaler: scaler.toJSON() } : {}) }));
    }
    const evr = Array.from(pca.explainedVarianceRatio);
    if (o.plot) {
      const pct = (i: number): string => (evr[i] !== undefined ? ` (${(100 * evr[i]!).toFixed(1)}%)` : "");
      const Z2 = Z.cols >= 2 ? Z : new Matrix(Z.rows, 2, Float32Array.from({ length: Z.rows * 2 }, (_, t) => (t % 2 === 0 ? Z.data[t / 2]! : 0)));
      saveFigure(o.plot, scatterFigure(Z2, {
        ...(ds.labels ? { labels: ds.labels } : {}),
        title: `PCA of ${file.split("/").pop()} (${X.rows} x ${X.cols})`, xLabel: `PC1${pct(0)}`, yLabel: `PC2${pct(1)}`,
      }), outputs);
    }
    if (shape) {
      const invert = true;
      if (o.componentsGrid) {
        const k = Math.min(pca.nComponents, 29);
        const grid = Matrix.zeros(k + 1, X.cols);
        grid.data.set(Float32Array.from(pca.mean), 0);
        for (let i = 0; i < k; i++) grid.data.set(pca.components.row(i), (i + 1) * X.cols);
        // the mean as grey levels, the components on a signed scale
        saveFigure(o.componentsGrid, imageGridFigure(grid, shape, {
            colormap: "diverging", colormaps: ["gray"], invert: true, ncols: Math.min(10, k + 1),
            captions: ["mean", ...Array.from({ length: k }, (_, i) => `PC${i + 1} ${(100 * evr[i]!).toFixed(1)}%`)],
            title: "mean image and principal components (red +, blue -)",
          }), outputs);
      }
      if (o.reconstructions) {
        const rows = sampleRows(X.rows, ds.labels);
        const originals = X.selectRows(rows);
        const ranks = ranksFor(pca.nComponents);
        const Zs = pca.transform(originals);
        const byRank = ranks.map((r) => {
          const Zr = Zs.clone();
          for (let i = 0; i < Zr.rows; i++) for (let j = r; j < Zr.cols; j++) Zr.data[i * Zr.cols + j] = 0;
          return pca.inverseTransform(Zr);
        });
        saveFigure(o.reconstructions, reconstructionFigure(originals, byRank, ranks, shape,
          { title: "reconstructions from the first k components", invert }), outputs);
      }
    }
    if (o.spectrum) {
      saveFigure(o.spectrum, spectrumFigure(pca.singularValues, pca.explainedVarianceRatio, { title: `PCA spectrum of ${file.split("/").pop()}` }), outputs);
    }
    // X is the training data, whose centred sum of squares is (n − 1)·totalVariance: no pass over X; where that
    // difference would lose digits (or the projections are whitened), reconstructionError works it out
    const reconstructionError = (o.whiten ? undefined : residualFromProjections((X.rows - 1) * pca.totalVariance, Z)) ?? pca.reconstructionError(X, Z);
    const written = outputs.commit();
    const result = {
      command: "pca", file, nSamples: X.rows, nFeatures: X.cols, nComponents: pca.nComponents, solver: pca.solverUsed,
      standardized: !!o.standardize, explainedVarianceRatio: evr, cumulativeExplainedVariance: evr.reduce((a, b) => a + b, 0),
      singularValues: Array.from(pca.singularValues), explainedVariance: Array.from(pca.explainedVariance),
      noiseVariance: pca.noiseVariance, reconstructionError,
      seconds, loadSeconds: (tLoad - t0) / 1000, files: written,
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(result) + "\n");
      return;
    }
    console.log(`PCA of ${file}: ${X.rows} samples x ${X.cols} features${o.standardize ? " (standardised)" : ""}, solver ${pca.solverUsed}, ${seconds.toFixed(3)} s`);
    console.log("component  σ            explained  cumulative");
    let cum = 0;
    for (let i = 0; i < pca.nComponents; i++) {
      cum += evr[i]!;
      console.log(`PC${String(i + 1).padEnd(8)} ${pca.singularValues[i]!.toPrecision(6).padEnd(12)} ${(100 * evr[i]!).toFixed(2).padStart(8)}%  ${(100 * cum).toFixed(2).padStart(8)}%`);
    }
    console.log(`reconstruction error ‖X − X̂‖²_F = ${result.reconstructionError.toPrecision(6)} (${(100 * (1 - cum)).toFixed(2)}% of the variance discarded)`);
    for (const f of written) console.log(`wrote ${f}`);
  });
  return cmd;
}

export function svdCommand(): Command {
  const cmd = new Command("svd")
    .description("truncated SVD without centring (like scikit-learn's TruncatedSVD)")
    .argument("<file>", "input data")
    .requiredOption("-k, --components <n>", "number of components", parseIntOption("-k"))
    .addOption(choice("--algorithm <name>", "randomized | full", ["randomized", "full"], "randomized"))
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 0)
    .option("--out <file>", "write the projections (.tsv/.npy/.csv/.json)")
    .option("--plot <file>", "scatter plot of the first two components (.png or .svg)")
    .option("--json", "print one JSON object with the results to stdout");
  inputOptions(cmd);
  cmd.action(async (file: string, o: InputOptions & { components: number; algorithm: "randomized" | "full"; seed: number; out?: string; plot?: string; json?: boolean }) => {
    const outputs = planOutputs([["--out", o.out, "embedding"], ["--plot", o.plot, "figure"]], [file, o.labels]);
    if (o.plot && o.components < 2) fail(`--plot draws the first two components: it needs -k 2 or more, got -k ${o.components}`);
    const ds = loadInput(file, o);
    const t0 = performance.now();
    const bar = new ProgressBar("svd");
    const svd = new TruncatedSVD({ nComponents: o.components, algorithm: o.algorithm, seed: o.seed, onProgress: bar.update });
    const Z = await svd.fitTransform(ds.X);
    bar.done();
    const seconds = (performance.now() - t0) / 1000;
    if (o.out) writeEmbedding(o.out, Z, ds.labels, outputs);
    if (o.plot) {
      saveFigure(o.plot, scatterFigure(Z, { ...(ds.labels ? { labels: ds.labels } : {}), title: `truncated SVD of ${file.split("/").pop()}` }), outputs);
    }
    const written = outputs.commit();
    const res = {
      command: "svd", file, nSamples: ds.X.rows, nFeatures: ds.X.cols, singularValues: Array.from(svd.singularValues),
      explainedVarianceRatio: Array.from(svd.explainedVarianceRatio), seconds, files: written,
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(res) + "\n");
      return;
    }
    console.log(`truncated SVD of ${file}: ${ds.X.rows} x ${ds.X.cols}, ${o.algorithm}, ${seconds.toFixed(3)} s`);
    res.singularValues.forEach((s, i) => console.log(`σ${i + 1} = ${s.toPrecision(6)}  explained ${(100 * res.explainedVarianceRatio[i]!).toFixed(2)}%`));
    for (const f of written) console.log(`wrote ${f}`);
  });
  return cmd;
}


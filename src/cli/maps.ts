// The visual-map commands (t-SNE today): load, optionally reduce with PCA, embed with a progress bar, then write
// the map, a picture and the quality figures.
import { Command } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { kernelInfo, setThreads } from "../core/wasm/runtime.js";
import { PCA } from "../decomposition/pca.js";
import { saveFigure } from "../io/figures.js";
import { writeEmbedding } from "../io/export.js";
import { TSNE, type TSNEMethod } from "../manifold/tsne.js";
import { UMAP } from "../manifold/umap.js";
import { MDS } from "../manifold/mds.js";
import { Sammon } from "../manifold/sammon.js";
import { knnAccuracy, trustworthiness } from "../metrics/quality.js";
import { scatterFigure } from "../plot/charts.js";
import { choice, imageShapeFor, loadInput, parseIntOption, parseNumber, parseShape, type InputOptions } from "./common.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

export interface MapOptions extends InputOptions {
  pca?: number;
  dims: number;
  seed: number;
  out?: string;
  plot?: string;
  thumbnails?: boolean;
  imageShape?: string;
  json?: boolean;
  qualitySample: number;
  threads?: number;
}

export interface MapMethod {
  name: string;
  /** Progress metrics the bar shows (Progress.metrics names). */
  metrics?: readonly string[];
  /** Embeds X (already PCA-reduced if asked), reporting progress; returns the map and method-specific figures. */
  run(X: Matrix, o: MapOptions, bar: ProgressBar, labels?: string[]): Promise<{ Z: Matrix; extra: Record<string, number | string> }>;
}

function mapCommand(method: MapMethod, describe: string, extraOptions: (c: Command) => Command): Command {
  const cmd = new Command(method.name)
    .description(describe)
    .argument("<file>", "input data (CSV/TSV[.gz], .npy, IDX images, JSON)")
    .option("--pca <n>", "reduce to n principal components first (e.g. 50)", parseIntOption("--pca"))
    .option("--dims <n>", "dimensions of the map (2 or 3)", parseIntOption("--dims"), 2)
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 0)
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file (IDX labels or one per line)")
    .option("--limit <n>", "use only the first n rows", parseIntOption("--limit"))
    .option("--out <file>", "write the map: .tsv (+ -metadata.tsv with labels), .npy, .csv or .json")
    .option("--plot <file>", "scatter plot of the map (.png or .svg)")
    .option("--thumbnails", "draw image thumbnails on the plot (image data)")
    .option("--image-shape <HxW>", "shape of each row as an image")
    .option("--quality-sample <n>", "points sampled for trustworthiness", parseIntOption("--quality-sample"), 5000)
    .option("--threads <n>", "threads of the compute core (default: LATENTKIT_THREADS, else all cores)", parseIntOption("--threads"))
    .option("--json", "print one JSON object with the results to stdout");
  extraOptions(cmd);
  cmd.action(async (file: string, o: MapOptions) => {
    // trustworthiness compares each point's neighbours: it needs a handful of points
    if (o.qualitySample < 3) fail(`--quality-sample must be at least 3 (points sampled for trustworthiness), got ${o.qualitySample}`);
    if (o.threads !== undefined) {
      if (o.threads < 1) fail(`--threads must be at least 1, got ${o.threads}`);
      // the flag wins over LATENTKIT_THREADS, which the core reads first
      process.env.LATENTKIT_THREADS = String(o.threads);
      setThreads(o.threads);
    }
    // every option is checked before any work: the outputs (formats, directories), the image shape
    const outputs = planOutputs([["--out", o.out, "embedding"], ["--plot", o.plot, "figure"]], [file, o.labels]);
    if (o.imageShape !== undefined) parseShape(o.imageShape);
    const ds = loadInput(file, o);
    const shape = o.plot && o.thumbnails ? imageShapeFor(ds, o.imageShape, true) : undefined;
    const t0 = performance.now();
    let X = ds.X;
    if (o.pca !== undefined) {
      if (o.pca < 1 || o.pca > Math.min(X.rows, X.cols)) fail(`--pca ${o.pca} must be in [1, min(rows, cols) = ${Math.min(X.rows, X.cols)}]`);
      X = await new PCA({ nComponents: o.pca, seed: o.seed }).fitTransform(X);
    }
    const bar = new ProgressBar(method.name, undefined, method.metrics);
    const { Z, extra } = await method.run(X, o, bar, ds.labels);
    bar.done();
    const seconds = (performance.now() - t0) / 1000;
    // quality on a sample: trustworthiness against the method's input (after PCA, if any)
    const m = Math.min(X.rows, o.qualitySample);
    const idx = m < X.rows ? Array.from(new Random(o.seed).sample(X.rows, m)).sort((a, b) => a - b) : Array.from({ length: m }, (_, i) => i);
    const Xs = X.selectRows(idx);
    const Zs = Z.selectRows(idx);
    const trust = trustworthiness(Xs, Zs, Math.min(10, Math.floor((m - 1) / 2)));
    const labelsS = ds.labels ? idx.map((i) => ds.labels![i]!) : undefined;
    const acc = labelsS ? knnAccuracy(Zs, labelsS, Math.min(10, m - 1)) : undefined;
    if (o.out) writeEmbedding(o.out, Z, ds.labels, outputs);
    if (o.plot) {
      saveFigure(o.plot, scatterFigure(Z, {
        ...(ds.labels ? { labels: ds.labels } : {}),
        title: `${method.name} of ${file.split("/").pop()} (${Z.rows} points)`, xLabel: `${method.name} 1`, yLabel: `${method.name} 2`,
        ...(shape ? { thumbnails: { images: ds.X, imageShape: shape } } : {}),
      }), outputs);
    }
    const written = outputs.commit();
    const result = {
      command: method.name, file, nSamples: Z.rows, nFeatures: ds.X.cols, ...(o.pca !== undefined ? { pca: o.pca } : {}),
      dims: Z.cols, threads: kernelInfo().threads, seconds, trustworthiness: trust, trustworthinessK: Math.min(10, Math.floor((m - 1) / 2)), qualitySample: m,
      ...(acc !== undefined ? { knnAccuracy: acc } : {}), ...extra, files: written,
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(result) + "\n");
      return;
    }
    console.log(`${method.name} of ${file}: ${Z.rows} points -> ${Z.cols}-D in ${seconds.toFixed(2)} s`);
    for (const [k, v] of Object.entries(extra)) console.log(`${k}: ${typeof v === "number" ? v.toPrecision(5) : v}`);
    console.log(`trustworthiness(k=${result.trustworthinessK}) on ${m} points: ${trust.toFixed(4)}`);
    if (acc !== undefined) console.log(`10-NN label accuracy in the map: ${acc.toFixed(4)}`);
    for (const f of written) console.log(`wrote ${f}`);
  });
  return cmd;
}

export function tsneCommand(): Command {
  const method: MapMethod = {
    name: "tsne",
    metrics: ["kl"],
    async run(X, o, bar) {
      const opts = o as MapOptions & { perplexity: number; iterations: number; theta: number; exact?: boolean; init: string; method: string };
      if (!["auto", "fft", "barnes-hut", "exact"].includes(opts.method)) fail(`--method must be auto, fft, barnes-hut or exact, got ${JSON.stringify(opts.method)}`);
      const tsne = new TSNE({
        nComponents: o.dims, perplexity: opts.perplexity, maxIter: opts.iterations, theta: opts.theta, seed: o.seed,
        method: opts.exact ? "exact" : (opts.method as TSNEMethod), init: opts.init === "random" ? "random" : "pca",
        onProgress: bar.update,
      });
      const Z = await tsne.fitTransform(X);
      return { Z, extra: { klDivergence: tsne.klDivergence, method: tsne.resolvedMethod(X.rows) } };
    },
  };
  return mapCommand(method, "t-SNE map (FFT-interpolated, Barnes-Hut or exact gradient)", (c) => c
    .option("--perplexity <p>", "effective number of neighbours", parseNumber("--perplexity"), 30)
    .addOption(choice("--method <m>", "auto (fft for 2-D maps of 200000+ points, else barnes-hut) | fft | barnes-hut | exact", ["auto", "fft", "barnes-hut", "exact"], "auto"))
    .option("--iterations <n>", "optimisation iterations", parseIntOption("--iterations"), 1000)
    .option("--theta <t>", "Barnes-Hut accuracy (0 = exact forces)", parseNumber("--theta"), 0.5)
    .option("--exact", "exact gradient (O(n²); small data)")
    .addOption(choice("--init <name>", "pca | random", ["pca", "random"], "pca"))
    .addHelpText("after", `
Examples:
  latentkit tsne data/digits.csv.gz --label-column -1 --plot digits-tsne.png --json
  latentkit tsne ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --limit 5000 --pca 50 --plot fm.png --thumbnails`));
}

export function umapCommand(): Command {
  const method: MapMethod = {
    name: "umap",
    async run(X, o, bar) {
      const opts = o as MapOptions & { neighbors: number; minDist: number; epochs?: number; init: string; deterministic?: boolean };
      const umap = new UMAP({
        nComponents: o.dims, nNeighbors: opts.neighbors, minDist: opts.minDist, seed: o.seed, deterministic: opts.deterministic === true,
        ...(opts.epochs !== undefined ? { nEpochs: opts.epochs } : {}), init: opts.init === "random" ? "random" : "spectral",
        onProgress: bar.update,
      });
      const Z = await umap.fitTransform(X);
      return { Z, extra: { a: umap.curve.a, b: umap.curve.b } };
    },
  };
  return mapCommand(method, "UMAP map (fuzzy simplicial set + SGD)", (c) => c
    .option("--neighbors <n>", "neighbours of the kNN graph", parseIntOption("--neighbors"), 15)
    .option("--min-dist <d>", "minimum distance between points in the map", parseNumber("--min-dist"), 0.1)
    .option("--epochs <n>", "optimisation epochs (default 500 for n <= 10000, else 200)", parseIntOption("--epochs"))
    .addOption(choice("--init <name>", "spectral | random", ["spectral", "random"], "spectral"))
    .option("--deterministic", "the same map for a seed on any thread count (the SGD on one thread; default: Hogwild threads)")
    .addHelpText("after", `
Examples:
  latentkit umap data/digits.csv.gz --label-column -1 --plot digits-umap.png --json
  latentkit umap data/digits.csv.gz --label-column -1 --deterministic --seed 1 --out digits-umap.tsv`));
}

export function sammonCommand(): Command {
  const method: MapMethod = {
    name: "sammon",
    metrics: ["stress"],
    async run(X, o, bar, labels) {
      const opts = o as MapOptions & { iterations: number; gradient?: boolean; labelWeight: number };
      const s = new Sammon({
        nComponents: o.dims, maxIter: opts.iterations, method: opts.gradient ? "gradient" : "newton", labelWeight: opts.labelWeight,
        seed: o.seed, onProgress: bar.update,
      });
      const Z = await s.fitTransform(X, opts.labelWeight > 0 ? labels : undefined);
      return { Z, extra: { sammonStress: s.stress } };
    },
  };
  return mapCommand(method, "Sammon's non-linear map (O(n²): up to a few thousand points)", (c) => c
    .option("--iterations <n>", "maximum iterations", parseIntOption("--iterations"), 500)
    .option("--gradient", "plain gradient steps instead of the pseudo-Newton step")
    .option("--label-weight <w>", "pull points with the same label together (needs labels)", parseNumber("--label-weight"), 0));
}

export function mdsCommand(): Command {
  const method: MapMethod = {
    name: "mds",
    metrics: ["stress"],
    async run(X, o, bar) {
      const opts = o as MapOptions & { iterations: number; classical?: boolean };
      const m = new MDS({
        nComponents: o.dims, maxIter: opts.iterations, method: opts.classical ? "classical" : "smacof", seed: o.seed,
        onProgress: bar.update,
      });
      const Z = await m.fitTransform(X);
      return { Z, extra: { stress: m.stress } };
    },
  };
  return mapCommand(method, "multidimensional scaling: metric SMACOF (default) or classical (O(n²))", (c) => c
    .option("--iterations <n>", "maximum SMACOF iterations", parseIntOption("--iterations"), 300)
    .option("--classical", "classical (Torgerson) MDS only"));
}

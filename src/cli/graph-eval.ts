// `latentkit netmf <edges>`: NetMF node embeddings (Qiu et al. 2018, src/graph/netmf.ts), optionally scored by node
// classification against a label file; `latentkit node-classify <vectors> <labels>`: the node2vec paper's node
// classification protocol (src/graph/evaluate.ts) on vectors from any node-embedding command (word2vec text format,
// or Projector TSV with its -metadata.tsv naming the nodes). Both draw `--plot`: the nodes laid out by t-SNE (or UMAP)
// of their vectors, coloured by label, with the edges drawn faintly when the graph is small.
import { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { metadataPathFor } from "../formats/export.js";
import { nodeClassification, type NodeClassificationResult } from "../graph/evaluate.js";
import { Graph } from "../graph/graph.js";
import { NetMF } from "../graph/netmf.js";
import { readEdgeList } from "../io/graph.js";
import { saveFigure } from "../io/figures.js";
import { readMaybeGzip } from "../io/files.js";
import type { OutputFiles } from "../io/fs.js";
import { labelStrings, readNodeLabels, type NodeLabels } from "../io/node-labels.js";
import { writeWordVectors, readWordVectors } from "../io/word-vectors.js";
import { writeEmbedding } from "../io/export.js";
import { TSNE } from "../manifold/tsne.js";
import { UMAP } from "../manifold/umap.js";
import { scatterFigure } from "../plot/charts.js";
import { KeyedVectors } from "../text/keyed-vectors.js";
import { choice, parseIntOption, parseNumber } from "./common.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

/** Edges are drawn under the points up to this many (a faint web for small graphs; clutter and time beyond). */
const MAX_DRAWN_EDGES = 2000;

/** The picture: a 2-D map of the vectors (t-SNE or UMAP), coloured by label, faint edges for small graphs. */
async function drawMap(path: string, E: Matrix, title: string, method: string, seed: number, outputs: OutputFiles,
  labels?: NodeLabels, graph?: Graph): Promise<void> {
  const n = E.rows;
  if (n < 5) fail(`--plot needs at least 5 nodes, got ${n}`);
  const X = E.astype("float32");
  const Z = method === "umap"
    ? await new UMAP({ nNeighbors: Math.min(15, n - 1), seed }).fitTransform(X)
    : await new TSNE({ perplexity: Math.max(2, Math.min(30, (n - 1) / 3.5)), seed, init: "pca" }).fitTransform(X);
  // multi-label nodes take the colour of their first label; unlabelled nodes are "(none)"
  const ls = labels ? labelStrings(labels).map((s) => (s === "" ? "(none)" : s.split("|")[0]!)) : undefined;
  let edges: { u: number[]; v: number[] } | undefined;
  if (graph && !graph.directed && graph.nEdges <= MAX_DRAWN_EDGES) {
    const u: number[] = [], v: number[] = [];
    for (let i = 0; i < graph.nNodes; i++) for (const j of graph.neighbors(i)) if (j > i) { u.push(i); v.push(j); }
    edges = { u, v };
  }
  saveFigure(path, scatterFigure(Z, {
    ...(ls ? { labels: ls } : {}), ...(edges ? { edges } : {}), title, xLabel: `${method} 1`, yLabel: `${method} 2`,
  }), outputs);
}

function f1Line(r: NodeClassificationResult): string {
  return `micro-F1 ${r.microF1.toFixed(4)} ± ${r.microF1Std.toFixed(4)}, macro-F1 ${r.macroF1.toFixed(4)} ± ${r.macroF1Std.toFixed(4)}`;
}

function checkFraction(v: number): number {
  if (!(v > 0 && v < 1)) fail(`--train-fraction must be in (0, 1), got ${v}`);
  return v;
}

interface NetmfCliOptions {
  window: number;
  negative: number;
  dim: number;
  rank: number;
  mode: "auto" | "dense" | "sparse";
  seed: number;
  labels?: string;
  unknownLabels: "error" | "skip";
  trainFraction: number;
  repeats: number;
  out?: string;
  plot?: string;
  plotMethod: string;
  json?: boolean;
}

export function netmfCommand(): Command {
  return new Command("netmf")
    .description("NetMF node embeddings (Qiu et al. 2018): the truncated SVD of log max(M, 1), M the matrix DeepWalk factorises")
    .argument("<edges>", "edge list: u<TAB>v[<TAB>weight] per line, # comments, .gz read as is (undirected)")
    .option("--window <T>", "window size T", parseIntOption("--window"), 10)
    .option("--negative <b>", "negative samples b", parseNumber("--negative"), 1)
    .option("--dim <d>", "embedding dimension", parseIntOption("--dim"), 128)
    .option("--rank <h>", "eigenpairs of the sparse approximation", parseIntOption("--rank"), 256)
    .addOption(choice("--mode <m>", "dense (exact powers) | sparse (eigen approximation) | auto (dense for T = 1 or n <= 2048)", ["auto", "dense", "sparse"], "auto"))
    .option("--seed <n>", "seed of the randomized solvers and the splits", parseIntOption("--seed"), 0)
    .option("--labels <file>", "node labels (node<TAB>label per line after a header): also score node classification")
    .addOption(choice("--unknown-labels <m>", "label rows naming nodes the graph lacks: error | skip", ["error", "skip"], "error"))
    .option("--train-fraction <f>", "with --labels: fraction of the labelled nodes to train on", parseNumber("--train-fraction"), 0.5)
    .option("--repeats <n>", "with --labels: random splits", parseIntOption("--repeats"), 5)
    .option("--out <file>", "the node vectors: word2vec text format (.txt, .vec, .w2v) or Projector TSV (.tsv + -metadata.tsv)")
    .option("--plot <file>", "a map of the nodes (t-SNE of the vectors), coloured by label (.png or .svg)")
    .addOption(choice("--plot-method <m>", "layout of --plot: tsne or umap", ["tsne", "umap"], "tsne"))
    .option("--json", "print one JSON object with the results (seconds; microF1, macroF1 with --labels)")
    .addHelpText("after", `
Examples:
  latentkit netmf ../shared/data/graphs/blogcatalog.edges.tsv.gz --window 10 --rank 256 --labels ../shared/data/graphs/blogcatalog.labels.tsv.gz --json
  latentkit netmf football.edges.tsv.gz --dim 16 --labels football.labels.tsv.gz --plot football.png --out football.vec`)
    .action(async (file: string, o: NetmfCliOptions) => {
      const t0 = performance.now();
      checkFraction(o.trainFraction);
      if (o.repeats < 1) fail(`--repeats must be at least 1, got ${o.repeats}`);
      const outputs = planOutputs([["--out", o.out, o.out?.endsWith(".tsv") ? "embedding" : "vectors"], ["--plot", o.plot, "figure"]], [file, o.labels]);
      const graph = readEdgeList(file, { directed: false });
      const labels = o.labels ? readNodeLabels(o.labels, graph, { unknown: o.unknownLabels }) : undefined;
      if (o.dim > graph.nNodes) fail(`--dim must be at most the number of nodes (${graph.nNodes}), got ${o.dim}`);
      const bar = new ProgressBar("netmf");
      const model = new NetMF({ dim: o.dim, window: o.window, negative: o.negative, rank: o.rank, mode: o.mode, seed: o.seed, onProgress: bar.update });
      const tFit = performance.now();
      await model.fit(graph);
      bar.done();
      const fitSeconds = (performance.now() - tFit) / 1000;
      const E = model.embedding;
      if (o.out) {
        const names = graph.names.map(String);
        if (o.out.endsWith(".tsv")) writeEmbedding(o.out, E, names, outputs);
        else writeWordVectors(o.out, new KeyedVectors(names, E), "word2vec", outputs);
      }
      const seconds = (performance.now() - t0) / 1000;
      const score = labels ? await nodeClassification(E, labels, { trainFraction: o.trainFraction, repeats: o.repeats, seed: o.seed }) : undefined;
      if (o.plot) await drawMap(o.plot, E, `NetMF (T ${o.window}, ${o.dim}-d) of ${graph.nNodes} nodes`, o.plotMethod, o.seed, outputs, labels, graph);
      outputs.commit();
      const summary = {
        command: "netmf", file, nodes: graph.nNodes, edges: graph.nEdges, dim: o.dim, window: o.window, negative: o.negative, mode: model.mode,
        ...(model.mode === "sparse" ? { rank: o.rank } : {}), isolated: model.isolated.length, seconds, fitSeconds,
        ...(score ? { microF1: score.microF1, macroF1: score.macroF1, microF1Std: score.microF1Std, macroF1Std: score.macroF1Std, trainFraction: o.trainFraction, repeats: o.repeats } : {}),
        ...(o.out ? { out: o.out } : {}), ...(o.plot ? { plot: o.plot } : {}),
      };
      if (o.json) console.log(JSON.stringify(summary));
      else {
        console.log(`netmf of ${file}: ${graph.nNodes} nodes, ${graph.nEdges} edges -> ${o.dim}-d vectors (${model.mode}, T ${o.window}) in ${seconds.toFixed(2)} s${o.out ? ` -> ${o.out}` : ""}`);
        if (model.isolated.length) console.log(`  ${model.isolated.length} isolated nodes got the zero vector`);
        if (score) console.log(`  node classification (${Math.round(o.trainFraction * 100)} % train, ${o.repeats} splits): ${f1Line(score)}`);
      }
    });
}

/** Node vectors by name: word2vec text (or binary, or GloVe) files, or Projector TSV with its -metadata.tsv. */
export function readNodeVectors(path: string): KeyedVectors {
  const plain = path.replace(/\.gz$/, "");
  if (plain.endsWith(".tsv")) {
    const meta = metadataPathFor(path);
    if (!existsSync(meta)) fail(`${path}: a Projector TSV needs its metadata file ${meta} (one node name per row) beside it`);
    const rows = readMaybeGzip(path).toString("utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
    const metaLines = readFileSync(meta, "utf8").split(/\r?\n/).filter((l) => l !== "");
    // a header row when there is more than one column (Projector's rule), else one name per line
    const multi = metaLines[0]!.includes("\t");
    const header = multi ? metaLines[0]!.split("\t") : [];
    const col = multi ? Math.max(0, header.findIndex((h) => /^(node|name|id|label)$/i.test(h))) : 0;
    const names = (multi ? metaLines.slice(1) : metaLines).map((l) => l.split("\t")[col]!);
    if (names.length !== rows.length) fail(`${meta} names ${names.length} nodes but ${path} has ${rows.length} rows`);
    const d = rows[0]!.split("\t").length;
    const M = Matrix.zeros(rows.length, d, "float32");
    rows.forEach((r, i) => {
      const f = r.split("\t");
      if (f.length !== d) fail(`${path} row ${i + 1} has ${f.length} values, row 1 has ${d}`);
      f.forEach((x, j) => {
        const v = Number(x);
        if (!Number.isFinite(v)) fail(`${path} row ${i + 1}, column ${j + 1}: ${JSON.stringify(x)} is not a number`);
        M.data[i * d + j] = v;
      });
    });
    return new KeyedVectors(names, M);
  }
  return readWordVectors(path);
}

interface ClassifyCliOptions {
  trainFraction: number;
  unknownLabels: "error" | "skip";
  repeats: number;
  seed: number;
  c: number;
  plot?: string;
  plotMethod: string;
  edges?: string;
  json?: boolean;
}

export function nodeClassifyCommand(): Command {
  return new Command("node-classify")
    .description("node classification with node vectors: one-vs-rest logistic regression, top-k for multi-label sets (node2vec protocol)")
    .argument("<vectors>", "node vectors: word2vec text format, or Projector TSV with its -metadata.tsv")
    .argument("<labels>", "node labels: a header line, then node<TAB>label per line (one row per pair for multi-label)")
    .option("--train-fraction <f>", "fraction of the labelled nodes to train on", parseNumber("--train-fraction"), 0.5)
    .addOption(choice("--unknown-labels <m>", "label rows naming nodes without a vector: error | skip", ["error", "skip"], "error"))
    .option("--repeats <n>", "random splits (the scores are their mean and standard deviation)", parseIntOption("--repeats"), 5)
    .option("--seed <n>", "seed of the splits", parseIntOption("--seed"), 0)
    .option("--c <C>", "inverse regularisation strength of the logistic regression", parseNumber("--c"), 1)
    .option("--plot <file>", "a map of the nodes (t-SNE of the vectors), coloured by label (.png or .svg)")
    .addOption(choice("--plot-method <m>", "layout of --plot: tsne or umap", ["tsne", "umap"], "tsne"))
    .option("--edges <file>", "with --plot: the graph's edge list, drawn faintly under the points (small graphs)")
    .option("--json", "print one JSON object: microF1, macroF1, microF1Std, macroF1Std")
    .addHelpText("after", `
Labels naming nodes that the vectors do not have are an error (--unknown-labels skip ignores them). Single-label sets use a multinomial model
(micro-F1 = accuracy); macro-F1 averages over the classes present in each test split.

Example:
  latentkit node-classify vectors.vec ../shared/data/graphs/ppi.labels.tsv.gz --train-fraction 0.5 --repeats 5 --json`)
    .action(async (vectorsFile: string, labelsFile: string, o: ClassifyCliOptions) => {
      const t0 = performance.now();
      checkFraction(o.trainFraction);
      if (o.repeats < 1) fail(`--repeats must be at least 1, got ${o.repeats}`);
      if (!(o.c > 0)) fail(`--c must be > 0, got ${o.c}`);
      if (o.edges && !o.plot) fail("--edges is drawn on --plot: give --plot too");
      const outputs = planOutputs([["--plot", o.plot, "figure"]], [vectorsFile, labelsFile, o.edges]);
      const kv = readNodeVectors(vectorsFile);
      // the vectors' names as the nodes (no edges): labels are matched to them by name
      const nodes = Graph.fromEdges({ source: [], target: [] }, { nodes: kv.words, source: vectorsFile });
      const labels = readNodeLabels(labelsFile, nodes, { unknown: o.unknownLabels });
      const r = await nodeClassification(kv.vectors, labels, { trainFraction: o.trainFraction, repeats: o.repeats, seed: o.seed, C: o.c });
      if (o.plot) {
        let graph: Graph | undefined;
        if (o.edges) {
          const g = readEdgeList(o.edges, { directed: false });
          // the edges by the vectors' node ids
          const src: string[] = [], dst: string[] = [];
          for (let i = 0; i < g.nNodes; i++) for (const j of g.neighbors(i)) if (j > i) { src.push(String(g.names[i])); dst.push(String(g.names[j])); }
          for (const x of [...src, ...dst]) if (!nodes.hasNode(x)) fail(`${o.edges}: node ${JSON.stringify(x)} has no vector in ${vectorsFile}`);
          graph = Graph.fromEdges({ source: src, target: dst }, { nodes: kv.words });
        }
        await drawMap(o.plot, kv.vectors, `${kv.size} nodes of ${vectorsFile}`, o.plotMethod, o.seed, outputs, labels, graph);
      }
      outputs.commit();
      const seconds = (performance.now() - t0) / 1000;
      const summary = {
        command: "node-classify", vectors: vectorsFile, labels: labelsFile, nodes: kv.size, labelled: labels.labelled.length,
        classes: labels.classes.length, multiLabel: labels.multiLabel, trainFraction: o.trainFraction, repeats: o.repeats,
        microF1: r.microF1, macroF1: r.macroF1, microF1Std: r.microF1Std, macroF1Std: r.macroF1Std, seconds, ...(o.plot ? { plot: o.plot } : {}),
      };
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(`node-classify: ${labels.labelled.length} labelled nodes, ${labels.classes.length} classes${labels.multiLabel ? " (multi-label)" : ""}, ${Math.round(o.trainFraction * 100)} % train, ${o.repeats} splits: ${f1Line(r)}`);
    });
}

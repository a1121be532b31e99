// Graph commands: `latentkit node2vec <edges>` and `latentkit deepwalk <edges>` — node vectors from random walks
// (src/graph/walks.ts) and skip-gram (src/graph/node2vec.ts), written by node name (src/io/graph.ts).
import { Command } from "commander";
import { fail } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import type { Graph } from "../graph/graph.js";
import { DeepWalk, Node2Vec } from "../graph/node2vec.js";
import { readMaybeGzip } from "../io/files.js";
import { nodeVectorCompanion, readEdgeList, writeNodeVectors, type NodeVectorFormat } from "../io/graph.js";
import { choice, parseIntOption, parseNumber } from "./common.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface WalkCliOptions {
  p?: number;
  q?: number;
  walkLength: number;
  walks: number;
  window: number;
  dim: number;
  epochs: number;
  negative: number;
  threads?: number;
  seed: number;
  directed?: boolean;
  weighted?: boolean;
  unweighted?: boolean;
  labels?: string;
  out?: string;
  format?: string;
  json?: boolean;
}

/** A node's labels from `node<TAB>label` lines (header and `#` lines skipped; several rows per node join with ","). */
function readLabelColumn(path: string, g: Graph): { labels: string[]; unknown: number } {
  const labels: string[] = new Array<string>(g.nNodes).fill("");
  let unknown = 0;
  const lines = readMaybeGzip(path).toString("utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith("#") || (i === 0 && /^node\b/i.test(line))) continue;
    const [node, label] = line.split("\t");
    if (node === undefined || label === undefined) fail(`${path}:${i + 1}: expected node<TAB>label, got ${JSON.stringify(line)}`);
    if (!g.hasNode(node) && !g.hasNode(Number(node))) {
      unknown++;
      continue;
    }
    const id = g.idOf(node);
    labels[id] = labels[id] ? `${labels[id]},${label}` : label;
  }
  return { labels, unknown };
}

function formatFor(out: string, format: string | undefined): NodeVectorFormat {
  if (format !== undefined) return format as NodeVectorFormat;
  if (/\.npy$/i.test(out)) return "npy";
  if (/\.tsv$/i.test(out)) return "tsv";
  return "word2vec";
}

function walkCommand(name: "node2vec" | "deepwalk"): Command {
  const cmd = new Command(name)
    .description(name === "node2vec"
      ? "node2vec node vectors: second-order random walks (return p, in-out q) and skip-gram, multi-threaded"
      : "DeepWalk node vectors: uniform random walks and skip-gram, multi-threaded")
    .argument("<edges>", "edge list: u v [weight] per line (tab, comma or space; # and % comments; .gz)");
  if (name === "node2vec") {
    cmd.option("--p <p>", "return parameter: the step back is weighted 1/p", parseNumber("--p"), 1)
      .option("--q <q>", "in-out parameter: steps away from the previous node's neighbours are weighted 1/q", parseNumber("--q"), 1);
  }
  return cmd
    .option("--walk-length <n>", "nodes per walk", parseIntOption("--walk-length"), 80)
    .option("--walks <n>", "walks per node", parseIntOption("--walks"), 10)
    .option("--window <n>", "skip-gram context window", parseIntOption("--window"), 10)
    .option("--dim <n>", "vector dimensions", parseIntOption("--dim"), 128)
    .option("--epochs <n>", "skip-gram passes over the walks", parseIntOption("--epochs"), 1)
    .option("--negative <n>", "negative samples", parseIntOption("--negative"), 5)
    .option("--threads <n>", "threads (walks are the same for any number; training with 1 is deterministic)", parseIntOption("--threads"))
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 1)
    .option("--directed", "the edges are directed (u -> v)")
    .option("--weighted", "the third column is the edge weight (by default it is read when present)")
    .option("--unweighted", "ignore a third column")
    .option("--labels <file>", "node<TAB>label file: a label column in the Projector metadata (--format tsv)")
    .option("--out <file>", "node vectors by name")
    .addOption(choice("--format <f>", "word2vec text, Projector tsv (+ -metadata.tsv) or npy (+ .names.tsv); default by --out's extension", ["word2vec", "tsv", "npy"]))
    .option("--json", "print one JSON object: seconds, walkSteps, stepsPerSecond, walkSeconds, trainSeconds, peakRssMB, ...")
    .addHelpText("after", `
Example:
  latentkit ${name} ../shared/data/graphs/karate.edges.tsv.gz${name === "node2vec" ? " --p 0.25 --q 4" : ""} --dim 32 --epochs 5 --out karate.tsv --labels ../shared/data/graphs/karate.labels.tsv.gz`)
    .action(async (file: string, o: WalkCliOptions) => {
      const t0 = performance.now();
      if (o.weighted && o.unweighted) fail("give --weighted or --unweighted, not both");
      const format = o.out ? formatFor(o.out, o.format) : undefined;
      const companion = o.out && format ? nodeVectorCompanion(o.out, format) : null;
      const outputs = planOutputs([["--out", o.out, "vectors"], ["--out", companion ?? undefined, "vectors"]], [file, o.labels]);
      const g = readEdgeList(file, { directed: o.directed === true, ...(o.weighted ? { weighted: true } : o.unweighted ? { weighted: false } : {}) });
      const labels = o.labels ? readLabelColumn(o.labels, g) : undefined;
      const readSeconds = (performance.now() - t0) / 1000;
      const walkBar = new ProgressBar("walks", undefined, ["stepsPerSecond"]);
      const trainBar = new ProgressBar("skip-gram", undefined, ["wordsPerSecond", "alpha"]);
      let walking = true;
      const onProgress = (p: Progress): void => {
        if (p.stage === "walks") return walkBar.update(p);
        if (walking) {
          walking = false;
          walkBar.done();
        }
        trainBar.update(p);
      };
      const common = {
        walkLength: o.walkLength, walksPerNode: o.walks, window: o.window, dim: o.dim, epochs: o.epochs, negative: o.negative, seed: o.seed,
        ...(o.threads !== undefined ? { threads: o.threads } : {}), onProgress,
      };
      const model = name === "node2vec" ? new Node2Vec({ ...common, p: o.p!, q: o.q! }) : new DeepWalk(common);
      await model.fit(g);
      if (walking) walkBar.done();
      trainBar.done();
      const t1 = performance.now();
      if (o.out) writeNodeVectors(o.out, g.names, model.embedding, format!, { outputs, ...(labels ? { labels: labels.labels } : {}) });
      outputs.commit();
      const t2 = performance.now();
      const st = model.stats;
      if (st.isolatedNodes > 0) process.stderr.write(`latentkit ${name}: warning: ${st.isolatedNodes} isolated node(s) (no edges) keep untrained random vectors\n`);
      if (labels && labels.unknown > 0) process.stderr.write(`latentkit ${name}: note: ${labels.unknown} labelled node(s) of ${o.labels} are not in the graph\n`);
      const summary = {
        command: name, file, nodes: g.nNodes, edges: g.nEdges, directed: g.directed, weighted: g.weighted,
        ...(name === "node2vec" ? { p: o.p, q: o.q } : {}), dim: o.dim, walkLength: o.walkLength, walksPerNode: o.walks, window: o.window, epochs: o.epochs,
        seconds: (t2 - t0) / 1000, readSeconds, walkSeconds: st.walkSeconds, trainSeconds: st.trainSeconds, writeSeconds: (t2 - t1) / 1000,
        walkSteps: st.walkSteps, stepsPerSecond: st.stepsPerSecond, isolatedNodes: st.isolatedNodes,
        peakRssMB: process.resourceUsage().maxRSS / 1024, ...(o.out ? { out: o.out, format } : {}),
      };
      if (o.json) console.log(JSON.stringify(summary));
      else {
        console.log(`${name} of ${file}: ${g.nNodes} nodes, ${g.nEdges} edges; ${st.walkSteps.toLocaleString("en")} walk steps in ${st.walkSeconds.toFixed(2)} s ` +
          `(${(st.stepsPerSecond / 1e6).toFixed(1)} M steps/s), skip-gram ${st.trainSeconds.toFixed(2)} s, ${summary.seconds.toFixed(2)} s in all${o.out ? ` -> ${o.out}` : ""}`);
      }
    });
}

export function node2vecCommand(): Command {
  return walkCommand("node2vec");
}

export function deepwalkCommand(): Command {
  return walkCommand("deepwalk");
}

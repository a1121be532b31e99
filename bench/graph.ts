// Node-embedding benchmark (issue 14): walk speed (uniform and node2vec second-order steps/s with 1 and 2 threads) on
// BlogCatalog (hub-heavy: 10,312 nodes, 333,983 edges, largest degree 3,992), then DeepWalk and node2vec end to end
// through the CLI in a child process (read, walks, training, vectors written; its peak RSS), and the quality of the
// written vectors: micro/macro-F1 at 50 % labels (one-vs-rest logistic regression, top-k prediction). Run under the
// lock: `flock /tmp/latentkit-heavy.lock npm run bench:graph` (options: --graph blogcatalog|ppi|wikipedia, --repeats 3).
// The anchor (numba walks + gensim 4.2 + scikit-learn on this machine): DeepWalk 0.386 / 0.229, node2vec
// (p 4, q 0.25) 0.387 / 0.231; node2vec walks 14–18 s, gensim training 23–42 s.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { randomWalks } from "../src/graph/walks.js";
import { readEdgeList } from "../src/io/graph.js";
import { readWordVectors } from "../src/io/word-vectors.js";
import { classifyNodes, readLabels } from "./node-eval.js";

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const name = arg("graph", "blogcatalog");
const repeats = Number(arg("repeats", "3"));
const DATA = fileURLToPath(new URL("../../../shared/data/graphs/", import.meta.url));
const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const edges = join(DATA, `${name}.edges.tsv.gz`);

console.log(`# bench/graph: ${name}; load ${loadavg().map((x) => x.toFixed(2)).join(" ")}; ${cpus().length} cores; node ${process.version}`);
const t0 = performance.now();
const g = readEdgeList(edges);
let maxDeg = 0;
for (let i = 0; i < g.nNodes; i++) maxDeg = Math.max(maxDeg, g.degree(i));
console.log(`read ${g.nNodes} nodes, ${g.nEdges} edges (largest degree ${maxDeg}, ${g.weighted ? "weighted" : "unweighted"}) in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

console.log("\n## walk speed (10 walks x 80 nodes per node; steps = arcs followed)\n");
console.log("| walk | threads | steps | seconds | M steps/s | proposals/step | exact steps |");
console.log("|---|---|---|---|---|---|---|");
const speed: Record<string, number> = {};
for (const [label, p, q] of [["uniform (DeepWalk)", 1, 1], ["node2vec p 4, q 0.25", 4, 0.25], ["node2vec p 0.25, q 4", 0.25, 4]] as const) {
  for (const threads of [1, 2]) {
    await randomWalks(g, { p, q, threads, walksPerNode: 1 }); // warm-up: helper threads, JIT
    const r = await randomWalks(g, { p, q, threads, seed: 1 });
    speed[`${label}/${threads}`] = r.steps / r.seconds;
    console.log(`| ${label} | ${threads} | ${r.steps.toLocaleString("en")} | ${r.seconds.toFixed(3)} | ${(r.steps / r.seconds / 1e6).toFixed(1)} | ` +
      `${(r.proposals / r.steps).toFixed(2)} | ${r.exactSteps.toLocaleString("en")} |`);
  }
}

console.log("\n## end to end through the CLI (read, walks, skip-gram dim 128 window 10, 1 epoch, vectors written), then node classification\n");
const labels = readLabels(join(DATA, `${name}.labels.tsv.gz`), g);
const tmp = mkdtempSync(join(tmpdir(), "latentkit-bench-graph-"));
console.log("| method | threads | seconds | walks s | training s | peak RSS MB | micro-F1 | macro-F1 |");
console.log("|---|---|---|---|---|---|---|---|");
for (const [label, cmd, extra] of [["DeepWalk", "deepwalk", []], ["node2vec p 4, q 0.25", "node2vec", ["--p", "4", "--q", "0.25"]], ["node2vec p 0.25, q 4", "node2vec", ["--p", "0.25", "--q", "4"]]] as const) {
  const out = join(tmp, `${cmd}-${extra.join("")}.txt`);
  const r = spawnSync(process.execPath, [CLI, cmd, edges, ...extra, "--threads", "2", "--out", out, "--json"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as Record<string, number>;
  const kv = readWordVectors(out);
  const M = Matrix.zeros(g.nNodes, kv.dim, "float32");
  for (let i = 0; i < g.nNodes; i++) M.data.set(kv.get(String(g.nameOf(i))), i * kv.dim);
  const q = await classifyNodes(M, labels, { trainFraction: 0.5, repeats, seed: 1 });
  console.log(`| ${label} | 2 | ${j.seconds!.toFixed(1)} | ${j.walkSeconds!.toFixed(2)} | ${j.trainSeconds!.toFixed(1)} | ${j.peakRssMB!.toFixed(0)} | ` +
    `${q.microF1.toFixed(3)} | ${q.macroF1.toFixed(3)} |`);
}
console.log(`\n(load at the end ${loadavg().map((x) => x.toFixed(2)).join(" ")}; targets: >= 20 M uniform and >= 5 M second-order steps/s, ` +
  "node2vec end to end <= 20 s and <= 500 MB, quality within 0.01 micro / 0.015 macro of the anchor)");

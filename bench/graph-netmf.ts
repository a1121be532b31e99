// NetMF (T 10, rank 256, b 1, 128-d) on the node2vec benchmark graphs BlogCatalog, PPI and Wikipedia: time, peak
// memory and node classification at 50 % labels (one-vs-rest logistic regression, top-k, the node2vec protocol),
// latentkit against a SciPy/scikit-learn NetMF of the same algorithm (bench/graph_netmf_scipy.py: eigsh, the dense
// truncated-log matrix, svds; Debian python3-scipy and python3-sklearn) when they are installed. Each run is a child
// process of its own, so peak memory (max RSS) is that of the run. Not a test.
//   npm run build && npm run bench:graph-netmf -- [--graphs blogcatalog,ppi,wikipedia] [--repeats 3] [--no-python]
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeClassification } from "../src/graph/evaluate.js";
import { NetMF } from "../src/graph/netmf.js";
import { readEdgeList } from "../src/io/graph.js";
import { readNodeLabels } from "../src/io/node-labels.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const data = join(root, "../shared/data/graphs");
const repeats = Number(arg("--repeats", "3"));

interface Run { nodes: number; edges: number; read: number; fit: number; seconds: number; maxRssMB: number; microF1: number; macroF1: number; microF1Std: number; macroF1Std: number }

if (process.argv.includes("--one")) {
  // the child: one graph, one JSON line
  const name = arg("--one", "");
  const t0 = performance.now();
  const graph = readEdgeList(join(data, `${name}.edges.tsv.gz`), { directed: false });
  const labels = readNodeLabels(join(data, `${name}.labels.tsv.gz`), graph);
  const t1 = performance.now();
  const model = await new NetMF({ dim: 128, window: 10, negative: 1, rank: 256, mode: "sparse", seed: 0 }).fit(graph);
  const t2 = performance.now();
  const r = await nodeClassification(model.embedding, labels, { trainFraction: 0.5, repeats, seed: 0 });
  const run: Run = {
    nodes: graph.nNodes, edges: graph.nEdges, read: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, seconds: (t2 - t0) / 1000,
    maxRssMB: process.resourceUsage().maxRSS / 1024, microF1: r.microF1, macroF1: r.macroF1, microF1Std: r.microF1Std, macroF1Std: r.macroF1Std,
  };
  console.log(JSON.stringify(run));
  process.exit(0);
}

const graphs = arg("--graphs", "blogcatalog,ppi,wikipedia").split(",");
const python = process.argv.includes("--no-python") ? undefined
  : ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import sklearn, scipy"]).status === 0);
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const rows: string[] = [];
const fmt = (r: Run): string => `${r.microF1.toFixed(4)} ± ${r.microF1Std.toFixed(3)} | ${r.macroF1.toFixed(4)} ± ${r.macroF1Std.toFixed(3)} | ${r.seconds.toFixed(1)} (${r.read.toFixed(1)} read) | ${Math.round(r.maxRssMB)}`;
const load = (): string => (spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.split(" ")[0] ?? "?");
for (const name of graphs) {
  const l0 = load();
  const ours = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--one", name, "--repeats", String(repeats)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (ours.status !== 0) throw new Error(`${name}: ${ours.stderr}`);
  const r = JSON.parse(ours.stdout.trim().split("\n").pop()!) as Run;
  rows.push(`| ${name} | ${r.nodes} / ${r.edges} | latentkit | ${fmt(r)} | ${l0} |`);
  if (python) {
    const l1 = load();
    const p = spawnSync(python, [join(root, "bench/graph_netmf_scipy.py"), join(data, `${name}.edges.tsv.gz`), join(data, `${name}.labels.tsv.gz`), String(repeats)],
      { encoding: "utf8", env, maxBuffer: 1 << 24 });
    if (p.status !== 0) rows.push(`| ${name} | | SciPy + scikit-learn | failed: ${p.stderr.trim().split("\n").pop()} | |`);
    else {
      const s = JSON.parse(p.stdout.trim().split("\n").pop()!) as Run & { version: string };
      rows.push(`| ${name} | ${s.nodes} / ${s.edges} | SciPy ${s.version} | ${fmt(s)} | ${l1} |`);
    }
  }
}
console.log(`NetMF, T 10, rank 256, b 1, 128-d; node classification at 50 % labels, ${repeats} random splits (mean ± sd); time = read + NetMF (not the evaluation)\n`);
console.log("| graph | nodes / edges | implementation | micro-F1 | macro-F1 | seconds | peak MB | load |");
console.log("|---|---|---|---|---|---|---:|---|");
for (const r of rows) console.log(r);
if (!python && !process.argv.includes("--no-python")) console.log("\nSciPy / scikit-learn not found (apt-get install python3-scipy python3-sklearn): latentkit only");

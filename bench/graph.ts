// Node-embedding benchmark (issue 14): latentkit's DeepWalk, node2vec (p 4, q 0.25) and NetMF against the Python
// anchor (bench/graph_python.py: numba walks, gensim 4 skip-gram, SciPy NetMF, scikit-learn evaluation), run back to
// back per graph, each run a child process of its own so that its peak memory (max RSS) is the run's. Settings on both
// sides: dim 128, walk length 80, 10 walks per node, window 10, negative 5, one epoch, 2 threads; NetMF T 10, rank
// 256, b 1. Node classification at 50 % labels over --repeats random splits (mean ± sd; one-vs-rest logistic
// regression with top-k prediction for multi-label sets, the node2vec protocol): ours with src/graph/evaluate.ts, the
// anchor with scikit-learn. Seconds are read + walks + training (or read + NetMF), not the evaluation. Then the walk
// speed on the hub-heavy BlogCatalog (1 and 2 threads) and the BlogCatalog node2vec end to end through the CLI (read,
// walks, training, vectors written) against the issue's <= 20 s and <= 500 MB. `uptime` before every run.
//   npm run build && flock /tmp/latentkit-heavy.lock npm run bench:graph -- [--graphs blogcatalog,ppi,wikipedia,polblogs]
//       [--repeats 5] [--skip-python] [--quick]
// --quick: karate and football, dim 16, 2 repeats, the walk speed and the CLI run on football (a check that it runs).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Matrix } from "../src/core/matrix.js";
import { nodeClassification } from "../src/graph/evaluate.js";
import { NetMF } from "../src/graph/netmf.js";
import { DeepWalk, Node2Vec } from "../src/graph/node2vec.js";
import { randomWalks } from "../src/graph/walks.js";
import { readEdgeList } from "../src/io/graph.js";
import { readNodeLabels } from "../src/io/node-labels.js";

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const quick = flag("quick");
const graphs = arg("graphs", quick ? "karate,football" : "blogcatalog,ppi,wikipedia,polblogs").split(",");
const repeats = Number(arg("repeats", quick ? "2" : "5"));
const dimWanted = Number(arg("dim", quick ? "16" : "128"));
const THREADS = 2;
const root = fileURLToPath(new URL("../../", import.meta.url));
const DATA = join(root, "../shared/data/graphs");
const CLI = join(root, "dist/src/cli/main.js");
const edgesOf = (g: string): string => join(DATA, `${g}.edges.tsv.gz`);
const labelsOf = (g: string): string => join(DATA, `${g}.labels.tsv.gz`);

const METHODS = [
  { key: "deepwalk", label: "DeepWalk", python: "deepwalk" },
  { key: "node2vec", label: "node2vec p 4, q 0.25", python: "node2vec:4:0.25" },
  { key: "netmf", label: "NetMF T 10", python: "netmf" },
] as const;
type MethodKey = (typeof METHODS)[number]["key"];

/** One run's record (ours or the anchor's; the anchor's JSON has the same fields). */
interface Run {
  nodes: number; edges: number; dim: number;
  microF1: number; macroF1: number; microF1Std: number; macroF1Std: number;
  walkSeconds: number | null; trainSeconds: number; totalSeconds: number; peakMB: number;
  walkSteps: number | null; stepsPerSecond: number | null;
  versions?: Record<string, string>; blas?: { internal_api: string; version: string; num_threads: number; architecture: string }[];
  error?: string;
}

// ---------------------------------------------------------------------------------------------- the child: one run
if (flag("one")) {
  const [name, method] = [arg("one", ""), arg("method", "") as MethodKey];
  const t0 = performance.now();
  const graph = readEdgeList(edgesOf(name));
  const labels = readNodeLabels(labelsOf(name), graph, { unknown: "skip" });
  const read = (performance.now() - t0) / 1000;
  const n = graph.nNodes;
  const dim = Math.min(dimWanted, n - 2);
  let embedding: Matrix, walkSeconds: number | null = null, trainSeconds: number, walkSteps: number | null = null;
  if (method === "netmf") {
    const rank = Math.min(256, n - 2);
    const t1 = performance.now();
    embedding = (await new NetMF({ dim: Math.min(dim, rank), window: 10, negative: 1, rank, mode: "sparse", seed: 0 }).fit(graph)).embedding;
    trainSeconds = (performance.now() - t1) / 1000;
  } else {
    const common = { dim, walkLength: 80, walksPerNode: 10, window: 10, negative: 5, epochs: 1, threads: THREADS, seed: 1 };
    const m = method === "deepwalk" ? await new DeepWalk(common).fit(graph) : await new Node2Vec({ ...common, p: 4, q: 0.25 }).fit(graph);
    embedding = m.embedding;
    ({ walkSeconds, trainSeconds, walkSteps } = m.stats);
  }
  const peakMB = process.resourceUsage().maxRSS / 1024;
  const r = await nodeClassification(embedding, labels, { trainFraction: 0.5, repeats, seed: 0 });
  const run: Run = {
    nodes: n, edges: graph.nEdges, dim, microF1: r.microF1, macroF1: r.macroF1, microF1Std: r.microF1Std, macroF1Std: r.macroF1Std,
    walkSeconds, trainSeconds, totalSeconds: read + (walkSeconds ?? 0) + trainSeconds, peakMB,
    walkSteps, stepsPerSecond: walkSteps !== null && walkSeconds ? walkSteps / walkSeconds : null,
  };
  console.log(JSON.stringify(run));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------- the parent
const uptime = (): string => {
  const u = spawnSync("uptime", { encoding: "utf8" });
  return u.status === 0 ? u.stdout.trim() : `load ${spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.trim()}`;
};
const lastJson = (s: string): Run => JSON.parse(s.trim().split("\n").pop()!) as Run;

// Debian's python3-numba/gensim/sklearn live under /usr/bin/python3, which a version manager's python3 on PATH may hide.
const python = flag("skip-python") ? undefined
  : ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import numba, gensim, sklearn, scipy, threadpoolctl"]).status === 0);
const pyEnv = { ...process.env };
delete pyEnv.OPENBLAS_CORETYPE; // the project's rule for fair numpy timing (the script also drops them itself)
delete pyEnv.OPENBLAS_L2_SIZE;

console.log(`# bench/graph: ${graphs.join(", ")}; ${repeats} splits at 50 % labels; dim ${dimWanted}; ${THREADS} threads; ` +
  `${cpus().length} cores; node ${process.version}${python ? `; anchor ${python} bench/graph_python.py` : "; no Python anchor"}`);
if (!python && !flag("skip-python")) console.log("(numba / gensim / scikit-learn not found: apt-get install python3-numba python3-gensim python3-sklearn python3-scipy)");

const results: { graph: string; method: (typeof METHODS)[number]; ours: Run; anchor?: Run }[] = [];
let versionsShown = false;
for (const graph of graphs) {
  for (const method of METHODS) {
    console.log(`\n${graph} / ${method.label}\n  ${uptime()}`);
    const o = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--one", graph, "--method", method.key, "--repeats", String(repeats), "--dim", String(dimWanted)],
      { encoding: "utf8", maxBuffer: 1 << 26 });
    if (o.status !== 0) throw new Error(`latentkit ${graph} ${method.key} failed: ${o.stderr}`);
    const ours = lastJson(o.stdout);
    console.log(`  latentkit: ${JSON.stringify(ours)}`);
    let anchor: Run | undefined;
    if (python) {
      console.log(`  ${uptime()}`);
      const p = spawnSync(python, [join(root, "bench/graph_python.py"), "--graphs", graph, "--methods", method.python, "--repeats", String(repeats),
        "--threads", String(THREADS), "--dim", String(dimWanted)], { encoding: "utf8", env: pyEnv, maxBuffer: 1 << 26 });
      if (p.status !== 0) anchor = { error: p.stderr.trim().split("\n").pop() ?? `exit ${p.status}` } as Run;
      else {
        anchor = lastJson(p.stdout);
        if (!versionsShown && anchor.blas) {
          versionsShown = true;
          console.log(`  anchor BLAS (threadpoolctl): ${anchor.blas.map((b) => `${b.internal_api} ${b.version}, ${b.num_threads} threads, ${b.architecture}`).join("; ")}`);
        }
      }
      console.log(`  anchor: ${JSON.stringify({ ...anchor, blas: undefined })}`);
    }
    results.push({ graph, method, ours, anchor });
  }
}

// ---------------------------------------------------------------------------------------------- the table
const f3 = (x: number): string => x.toFixed(3);
const pm = (m: number, s: number): string => `${f3(m)} ± ${f3(s)}`;
const sgn = (x: number): string => `${x >= 0 ? "+" : "−"}${f3(Math.abs(x))}`;
const secs = (r: Run): string => `${r.totalSeconds.toFixed(1)}${r.walkSeconds !== null ? ` (${r.walkSeconds.toFixed(1)} + ${r.trainSeconds.toFixed(1)})` : ""}`;
const mps = (r?: Run): string => (r?.stepsPerSecond ? (r.stepsPerSecond / 1e6).toFixed(1) : "");
const BIG = new Set(["blogcatalog", "ppi", "wikipedia"]);
const anyVersions = results.find((r) => r.anchor?.versions?.gensim)?.anchor?.versions;
console.log(`\n## latentkit against the Python anchor (${repeats} splits at 50 % labels, mean ± sd; seconds = read + walks + training, or read + NetMF)\n`);
if (anyVersions) console.log(`anchor: numba ${anyVersions.numba}, gensim ${anyVersions.gensim}, scikit-learn ${anyVersions.sklearn}, SciPy ${anyVersions.scipy}, NumPy ${anyVersions.numpy}\n`);
console.log("| graph | method | ours micro-F1 | ours macro-F1 | anchor micro-F1 | anchor macro-F1 | Δ micro | Δ macro | target | ours s (walks + train) | anchor s | ours MB | anchor MB | ours M steps/s | anchor M steps/s |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---:|---:|---:|---:|");
for (const { graph, method, ours, anchor } of results) {
  const a = anchor && !anchor.error ? anchor : undefined;
  const dMi = a ? ours.microF1 - a.microF1 : NaN, dMa = a ? ours.macroF1 - a.macroF1 : NaN;
  let target = "";
  if (a) {
    // the issue: quality within 0.01 micro / 0.015 macro of the anchor (being better is within), on the three benchmark graphs
    const within = dMi >= -0.01 && dMa >= -0.015;
    target = `${within ? "met" : "MISSED"} (≥ −0.01 / −0.015)${BIG.has(graph) ? "" : " (issue: big graphs only)"}`;
  }
  if (graph === "blogcatalog" && method.key === "netmf") target += `${target ? "; " : ""}≥ 0.415 / 0.27: ${ours.microF1 >= 0.415 && ours.macroF1 >= 0.27 ? "met" : "MISSED"}`;
  console.log(`| ${graph} | ${method.label} | ${pm(ours.microF1, ours.microF1Std)} | ${pm(ours.macroF1, ours.macroF1Std)} | ` +
    `${a ? pm(a.microF1, a.microF1Std) : anchor?.error ?? "—"} | ${a ? pm(a.macroF1, a.macroF1Std) : "—"} | ${a ? sgn(dMi) : ""} | ${a ? sgn(dMa) : ""} | ${target} | ` +
    `${secs(ours)} | ${a ? secs(a) : ""} | ${Math.round(ours.peakMB)} | ${a ? Math.round(a.peakMB) : ""} | ${mps(ours)} | ${mps(a)} |`);
}
console.log("\nThe issue's anchor figures (BlogCatalog, this machine): DeepWalk 0.386 / 0.229, node2vec (p 4, q 0.25) 0.387 / 0.231, " +
  "NetMF 0.425 / 0.284 in 27 s; polblogs: every correct method 0.94–0.96 micro-F1. node2vec paper (macro-F1): BlogCatalog DeepWalk 0.2110, " +
  "node2vec 0.2581; PPI node2vec 0.1791; Wikipedia DeepWalk 0.1274, node2vec 0.1552.");

// ---------------------------------------------------------------------------------------------- walk speed
const speedGraph = quick ? graphs[graphs.length - 1]! : "blogcatalog";
if (existsSync(edgesOf(speedGraph))) {
  const g = readEdgeList(edgesOf(speedGraph));
  let maxDeg = 0;
  for (let i = 0; i < g.nNodes; i++) maxDeg = Math.max(maxDeg, g.degree(i));
  console.log(`\n## walk speed on ${speedGraph} (${g.nNodes} nodes, ${g.nEdges} edges, largest degree ${maxDeg}); 10 walks × 80 nodes per node; steps = arcs followed\n`);
  console.log(`  ${uptime()}\n`);
  console.log("| walk | threads | steps | seconds | M steps/s | target | proposals/step | exact steps |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [label, p, q] of [["uniform (DeepWalk)", 1, 1], ["node2vec p 4, q 0.25", 4, 0.25], ["node2vec p 0.25, q 4", 0.25, 4]] as const) {
    for (const threads of [1, 2]) {
      await randomWalks(g, { p, q, threads, walksPerNode: 1 }); // warm-up: helper threads, JIT
      const r = await randomWalks(g, { p, q, threads, seed: 1 });
      console.log(`| ${label} | ${threads} | ${r.steps.toLocaleString("en")} | ${r.seconds.toFixed(3)} | ${(r.steps / r.seconds / 1e6).toFixed(1)} | ` +
        `≥ ${p === 1 && q === 1 ? 20 : 5} | ${(r.proposals / r.steps).toFixed(2)} | ${r.exactSteps.toLocaleString("en")} |`);
    }
  }
}

// ---------------------------------------------------------------------------------------------- the CLI end to end
const e2eGraph = quick ? graphs[graphs.length - 1]! : "blogcatalog";
if (existsSync(edgesOf(e2eGraph))) {
  const tmp = mkdtempSync(join(tmpdir(), "latentkit-bench-graph-"));
  const out = join(tmp, `${e2eGraph}-node2vec.txt`);
  const cli = [CLI, "node2vec", edgesOf(e2eGraph), "--p", "4", "--q", "0.25", "--threads", String(THREADS), "--dim", String(dimWanted), "--out", out, "--json"];
  const timeV = existsSync("/usr/bin/time");
  console.log(`\n## ${e2eGraph} node2vec end to end through the CLI (read, walks, training, vectors written)\n\n  ${uptime()}\n  ` +
    `${timeV ? "/usr/bin/time -v " : ""}node ${cli.map((a) => a.replace(root, "")).join(" ")}`);
  const t0 = performance.now();
  const r = timeV ? spawnSync("/usr/bin/time", ["-v", process.execPath, ...cli], { encoding: "utf8" }) : spawnSync(process.execPath, cli, { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`the CLI failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
  const rssKB = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const peak = rssKB ? Number(rssKB) / 1024 : j.peakRssMB!;
  console.log("\n| seconds (CLI's own) | wall incl. node start | read | walks | training | write | M steps/s | peak RSS MB | target |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  console.log(`| ${j.seconds!.toFixed(1)} | ${wall.toFixed(1)} | ${j.readSeconds!.toFixed(2)} | ${j.walkSeconds!.toFixed(2)} | ${j.trainSeconds!.toFixed(1)} | ` +
    `${j.writeSeconds!.toFixed(2)} | ${(j.stepsPerSecond! / 1e6).toFixed(1)} | ${peak.toFixed(0)}${rssKB ? " (time -v)" : " (its own maxRSS)"} | ` +
    `≤ 20 s: ${j.seconds! <= 20 ? "met" : "MISSED"}; ≤ 500 MB: ${peak <= 500 ? "met" : "MISSED"} |`);
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`\n  ${uptime()}`);

// PCA k=50 on Fashion-MNIST train (60000 x 784): latentkit's solvers against ml-pca, druid.js and scikit-learn
// (Debian's python3-sklearn, when installed). Prints seconds, the ratio to latentkit's randomized solver and the
// explained-variance sum of each. Not a test: run it when you want to know where we stand.
// It also times `latentkit pca FILE -k K --solver randomized --json` as a whole process (start-up, reading, fit,
// projections, output) against scikit-learn's fit, the "whole process ≤ 1.0× scikit-learn's fit".
//   npm run build && node dist/bench/pca.js [--rows 60000] [--k 50] [--peer-rows 10000] [--skip-full] [--skip-js]
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { PCA, type PCASolver } from "../src/decomposition/pca.js";
import { readIdxImages } from "../src/io/idx.js";

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ROWS = arg("--rows", 60000);
const K = arg("--k", 50);
const PEER_ROWS = arg("--peer-rows", ROWS);
const root = fileURLToPath(new URL("../../", import.meta.url));
const IMAGES = join(root, "../shared/data/fashion-mnist/train-images-idx3-ubyte.gz");

interface Row { name: string; rows: number; seconds: number; evrSum: number; note?: string }
const rows: Row[] = [];
const { X: all } = readIdxImages(IMAGES);
const X = all.rowRange(0, Math.min(ROWS, all.rows));
console.log(`Fashion-MNIST train: ${X.rows} x ${X.cols}, k = ${K}, ${new Date().toISOString()}`);

function totalVar(M: Matrix): number {
  const n = M.rows, d = M.cols;
  let tv = 0;
  for (let j = 0; j < d; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = M.data[i * d + j]!;
      s += v;
      s2 += v * v;
    }
    tv += (s2 - (s * s) / n) / (n - 1);
  }
  return tv;
}

function columnVarSum(Y: number[][], k: number): number {
  let t = 0;
  for (let j = 0; j < k; j++) {
    let s = 0, s2 = 0;
    for (const r of Y) {
      s += r[j]!;
      s2 += r[j]! * r[j]!;
    }
    t += (s2 - (s * s) / Y.length) / (Y.length - 1);
  }
  return t;
}

async function ours(solver: PCASolver, M: Matrix): Promise<void> {
  let best = Infinity;
  let evr = 0;
  for (let rep = 0; rep < (solver === "full" ? 1 : 3); rep++) {
    const t0 = performance.now();
    const p = await new PCA({ nComponents: K, solver, seed: 0 }).fit(M);
    best = Math.min(best, (performance.now() - t0) / 1000);
    evr = p.explainedVarianceRatio.reduce((a, b) => a + b, 0);
  }
  rows.push({ name: `latentkit ${solver}`, rows: M.rows, seconds: best, evrSum: evr });
  report(rows[rows.length - 1]!);
}

function report(r: Row): void {
  console.log(`  ${r.name.padEnd(34)} ${String(r.rows).padStart(6)} rows ${r.seconds.toFixed(3).padStart(9)} s  EV sum ${r.evrSum.toFixed(5)}${r.note ? "  " + r.note : ""}`);
}

await ours("randomized", X);
await ours("covariance-eig", X);
if (!process.argv.includes("--skip-full")) await ours("full", X);

const P = X.rowRange(0, Math.min(PEER_ROWS, X.rows));
const Parr = P.toArray();
const tvP = totalVar(P);
if (PEER_ROWS < X.rows) {
  // our reference on the peers' size, for a like-for-like ratio
  await ours("randomized", P);
}
// the CLI as a whole process (before the JS peers, on the quiet machine), twice
const CLI = join(root, "dist/src/cli/main.js");
for (let rep = 0; rep < 2 && ROWS >= 60000; rep++) {
  const before = loadavg().map((v) => v.toFixed(2)).join(" ");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, "pca", IMAGES, "-k", String(K), "--solver", "randomized", "--json"], { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.log(`  latentkit pca CLI failed: ${r.stderr.trim().split("\n").pop()}`);
    break;
  }
  const j = JSON.parse(r.stdout) as { seconds: number; loadSeconds?: number; explainedVarianceRatio?: number[] };
  const evr = (j.explainedVarianceRatio ?? []).reduce((a, b) => a + b, 0);
  rows.push({ name: "latentkit pca CLI, whole process", rows: X.rows, seconds: wall, evrSum: evr, note: `fit ${j.seconds.toFixed(2)} s, reading ${j.loadSeconds?.toFixed(2) ?? "?"} s; load before ${before}` });
  report(rows[rows.length - 1]!);
}
if (!process.argv.includes("--skip-js")) {
  const { PCA: MlPCA } = await import("ml-pca");
  const t0 = performance.now();
  const p = new MlPCA(Parr, { method: "covarianceMatrix" });
  const s = (performance.now() - t0) / 1000;
  const ev = p.getExplainedVariance().slice(0, K).reduce((a: number, b: number) => a + b, 0);
  rows.push({ name: "ml-pca (covarianceMatrix)", rows: P.rows, seconds: s, evrSum: ev });
  report(rows[rows.length - 1]!);
}
if (!process.argv.includes("--skip-js")) {
  const druid = await import("@saehrimnir/druidjs");
  const t0 = performance.now();
  const Y = new druid.PCA(Parr.map((r) => Float64Array.from(r)), { d: K }).transform() as unknown as Float64Array[];
  const s = (performance.now() - t0) / 1000;
  const ev = columnVarSum(Y.map((r) => Array.from(r)), K) / tvP;
  rows.push({ name: "druid.js PCA", rows: P.rows, seconds: s, evrSum: ev });
  report(rows[rows.length - 1]!);
}

// Debian's python3-sklearn lives under /usr/bin/python3, which a version manager's python3 on PATH may hide.
const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import sklearn"]).status === 0);
if (python && existsSync(IMAGES)) {
  // numpy's best OpenBLAS kernels: these machines set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow it; unset
  // for the scikit-learn process only
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  console.log(`load before scikit-learn: ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  const res = spawnSync(python, [join(root, "bench/pca_sklearn.py"), IMAGES, String(X.rows), String(K)], { encoding: "utf8", env });
  if (res.status === 0) {
    const j = JSON.parse(res.stdout) as { version: string; rows: number; blas: unknown; results: Array<{ solver: string; seconds: number; evrSum: number }> };
    console.log(`scikit-learn's BLAS (threadpoolctl): ${JSON.stringify(j.blas)}`);
    for (const r of j.results) {
      rows.push({ name: `scikit-learn ${j.version} ${r.solver}`, rows: j.rows, seconds: r.seconds, evrSum: r.evrSum });
      report(rows[rows.length - 1]!);
    }
  } else {
    console.log(`scikit-learn run failed: ${res.stderr.slice(0, 400)}`);
  }
} else {
  console.log("scikit-learn not found (apt-get install python3-sklearn to compare)");
}

console.log("\n| implementation | rows | seconds | × latentkit randomized (same rows) | explained-variance sum |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  const ref = rows.find((q) => q.name === "latentkit randomized" && q.rows === r.rows);
  const ratio = ref ? (r.seconds / ref.seconds).toFixed(2) : "–";
  console.log(`| ${r.name} | ${r.rows} | ${r.seconds.toFixed(3)} | ${ratio} | ${r.evrSum.toFixed(5)} |`);
}
process.exit(0);

// Visual maps on Fashion-MNIST (train + test, 70000 images, PCA to 50): latentkit t-SNE and UMAP against
// scikit-learn's TSNE (Debian python3-sklearn) and the JS peers umap-js, tsne-js and druid.js, each in its own
// process with a time limit. Every map is scored the same way: trustworthiness(10) and 10-NN label accuracy on the
// same sample of at most 5000 points. 3-D t-SNE: methods latentkit-tsne-3d and sklearn-tsne-3d; umap-learn: peer
// umap-learn (numba warmed up first, all threads). Python peers run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
// (numpy's best OpenBLAS kernel) and print the BLAS they ran; the machine's load is printed before every run.
// --whole-process: the Fashion-MNIST test set (10000 images) as a user runs it, `latentkit tsne|umap FILE --pca 50
// --seed 0` timed as a whole process (start-up, loading, PCA, the map, its quality report, writing), against
// scikit-learn's TSNE(n_jobs=2) and umap-learn's UMAP fit on the same PCA-50 input. Not a test.
//   npm run build && node dist/bench/maps.js [--sizes 5000,70000] [--peers umap-js,tsne-js:2000,...] [--limit-s 600]
//   node dist/bench/maps.js --whole-process [--repeats 2]
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";
import { PCA } from "../src/decomposition/pca.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { readNpy, writeNpy } from "../src/io/npy.js";
import { knnAccuracy, trustworthiness } from "../src/metrics/quality.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const FM = join(root, "../shared/data/fashion-mnist");
const sizes = arg("--sizes", "5000,70000").split(",").map(Number);
// peer:size (size defaults to the first of --sizes)
const peers = arg("--peers", "sklearn-tsne,umap-js,druid-umap,druid-tsne:2000,tsne-js:2000").split(",").filter(Boolean);
const ours = arg("--ours", "latentkit-tsne,latentkit-umap").split(",").filter(Boolean);
const limitS = Number(arg("--limit-s", "600"));
const tmp = mkdtempSync(join(tmpdir(), "latentkit-maps-"));

const wholeProcess = process.argv.includes("--whole-process");
const TEST_IMAGES = join(FM, "t10k-images-idx3-ubyte.gz");
const b = readIdxImages(TEST_IMAGES).X;
const a = wholeProcess ? new Matrix(0, b.cols, new Float32Array(0)) : readIdxImages(join(FM, "train-images-idx3-ubyte.gz")).X;
const X = new Matrix(a.rows + b.rows, a.cols, new Float32Array((a.rows + b.rows) * a.cols));
X.data.set(a.data, 0);
X.data.set(b.data, a.data.length);
const labels = [...(wholeProcess ? [] : readIdxLabels(join(FM, "train-labels-idx1-ubyte.gz"))), ...readIdxLabels(join(FM, "t10k-labels-idx1-ubyte.gz"))];
const t0 = performance.now();
const Z50 = await new PCA({ nComponents: 50, seed: 0 }).fitTransform(X);
console.log(`Fashion-MNIST ${X.rows} x ${X.cols} -> PCA 50 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

interface Row { method: string; n: number; seconds: number | null; trust?: number; acc?: number; note?: string; load?: string }
const results: Row[] = [];
const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import sklearn"]).status === 0);
// numpy-based peers get their best OpenBLAS kernels: these variables (set on these machines) slow them down
const pythonEnv = { ...process.env };
delete pythonEnv.OPENBLAS_CORETYPE;
delete pythonEnv.OPENBLAS_L2_SIZE;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");

function score(method: string, n: number, Y: Matrix, seconds: number, loadBefore?: string): void {
  const m = Math.min(5000, n);
  const idx = Array.from(new Random(7).sample(n, m)).sort((p, q) => p - q);
  const Xs = Z50.rowRange(0, n).selectRows(idx);
  const Ys = Y.selectRows(idx);
  const row: Row = { method, n, seconds, trust: trustworthiness(Xs, Ys, 10), acc: knnAccuracy(Ys, idx.map((i) => labels[i]!), 10), ...(loadBefore ? { load: loadBefore } : {}) };
  results.push(row);
  console.log(`  ${method.padEnd(16)} n=${String(n).padStart(6)} ${seconds.toFixed(1).padStart(7)} s  trustworthiness ${row.trust!.toFixed(4)}  10-NN acc ${row.acc!.toFixed(4)}${loadBefore ? `  (load before: ${loadBefore})` : ""}`);
}

function runOne(method: string, n: number): void {
  const input = join(tmp, `in-${n}.npy`);
  writeNpy(input, Z50.rowRange(0, n));
  const output = join(tmp, `${method}-${n}.npy`);
  const sklearn = method.startsWith("sklearn-tsne") || method === "umap-learn";
  const pyArgs = method === "umap-learn" ? ["--method", "umap", "--warm"] : ["--method", "tsne", "--n-jobs", "2"];
  const cmd = sklearn
    ? [python ?? "python3", [join(root, "bench/maps_sklearn.py"), input, output, method.endsWith("-3d") ? "3" : "2", ...pyArgs]] as const
    : [process.execPath, ["--max-old-space-size=16000", join(root, "dist/bench/maps-peer.js"), method, input, output]] as const;
  if (sklearn && !python) {
    console.log("  scikit-learn not found (apt-get install python3-sklearn umap-learn python3-threadpoolctl)");
    return;
  }
  const before = load();
  const r = spawnSync(cmd[0], cmd[1], { encoding: "utf8", timeout: limitS * 1000, maxBuffer: 1 << 26, ...(sklearn ? { env: pythonEnv } : {}) });
  if (r.status !== 0) {
    const why = r.signal ? `stopped at the ${limitS} s limit` : `failed: ${(r.stderr || "").trim().split("\n").slice(-1)[0]}`;
    results.push({ method, n, seconds: null, note: why });
    console.log(`  ${method.padEnd(16)} n=${String(n).padStart(6)} ${why}`);
    return;
  }
  const { seconds, version, blas } = JSON.parse(r.stdout.trim().split("\n").pop()!) as { seconds: number; version?: string; blas?: string };
  if (version) console.log(`  ${method}: ${version}, ${blas}`);
  score(method, n, readNpy(output), seconds, before);
}

/**
 * latentkit's CLI on the test-set file as a whole process, timed from spawn to exit, its map read back and scored
 * like the others (its own quality report is part of the time).
 */
function runCli(command: "tsne" | "umap", rep: number): void {
  const output = join(tmp, `cli-${command}-${rep}.npy`);
  const before = load();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, "dist/src/cli/main.js"), command, TEST_IMAGES, "--pca", "50", "--seed", "0", "--json", "--out", output],
    { encoding: "utf8", timeout: limitS * 1000, maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.log(`  latentkit ${command} failed: ${(r.stderr || "").trim().split("\n").slice(-1)[0]}`);
    return;
  }
  const j = JSON.parse(r.stdout) as { seconds: number; trustworthiness: number };
  console.log(`  latentkit ${command} (CLI): PCA + map ${j.seconds.toFixed(2)} s of the whole; its own trustworthiness ${j.trustworthiness.toFixed(4)}`);
  score(`latentkit ${command} CLI`, X.rows, readNpy(output), seconds, before);
}

if (wholeProcess) {
  console.log(`whole process on ${TEST_IMAGES} (${X.rows} images), ${new Date().toISOString()}`);
  const repeats = Number(arg("--repeats", "2"));
  // back to back, alternating, so that a drift of the machine's speed shows in both
  for (let rep = 0; rep < repeats; rep++) {
    runCli("tsne", rep);
    runOne("sklearn-tsne", X.rows);
    runCli("umap", rep);
    runOne("umap-learn", X.rows);
  }
  const best = (m: string): Row | undefined => results.filter((r) => r.method === m && r.seconds !== null).sort((p, q) => p.seconds! - q.seconds!)[0];
  console.log("\n| method | seconds (best) | trustworthiness(10) | 10-NN accuracy | ratio |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [ours, peer] of [["latentkit tsne CLI", "sklearn-tsne"], ["latentkit umap CLI", "umap-learn"]] as const) {
    const o = best(ours), p = best(peer);
    if (o) console.log(`| ${ours} (whole process) | ${o.seconds!.toFixed(2)} | ${o.trust!.toFixed(4)} | ${o.acc!.toFixed(4)} | |`);
    if (p) console.log(`| ${peer} (fit) | ${p.seconds!.toFixed(2)} | ${p.trust!.toFixed(4)} | ${p.acc!.toFixed(4)} | ${o ? (p.seconds! / o.seconds!).toFixed(2) + "×" : "–"} |`);
  }
  process.exit(0);
}

for (const n of sizes) for (const m of ours) runOne(m, n);
for (const p of peers) {
  const [m, size] = p.split(":");
  runOne(m!, size ? Number(size) : sizes[0]!);
}

console.log("\n| method | n | seconds | trustworthiness(10) | 10-NN accuracy |");
console.log("|---|---:|---:|---:|---:|");
for (const r of results) {
  console.log(`| ${r.method} | ${r.n} | ${r.seconds === null ? r.note : r.seconds.toFixed(1)} | ${r.trust?.toFixed(4) ?? "–"} | ${r.acc?.toFixed(4) ?? "–"} |`);
}
process.exit(0);

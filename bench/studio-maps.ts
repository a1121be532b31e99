// Benchmark (not a test): the studio's projections in headless Chromium, through ComputeClient and its worker (2
// threads on a cross-origin isolated page), side by side with the Node CLI on the same data: Fashion-MNIST train +
// t10k (70,000 × 784, pixels / 255). PCA (2 components, exact), t-SNE and UMAP (both after PCA to 50, as the studio
// and `--pca 50` do) on every point; trustworthiness(10) and kNN recall(10) of both maps against the original
// 784-d space on the same seeded sample of 1,000 points (estimates), computed in Node for both.
//   node dist/bench/studio-maps.js [--n 70000] [--seed 0] [--sample 1000] [--skip tsne,umap]
// Check it on a subset (--n 5000); the full run takes a few minutes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Matrix } from "../src/core/matrix.js";
import { encodeNpy } from "../src/formats/npy.js";
import { readIdxImages } from "../src/io/idx.js";
import { readNpy } from "../src/io/npy.js";
import { mapQuality } from "../src/studio/compute/projections.js";
import type { Coords } from "../src/studio/types.js";
import { ROOT, bundleForBrowser } from "../test/browser/bundle.js";

const CHROMIUM = "/usr/bin/chromium";
const SHARED = fileURLToPath(new URL("../../../shared/data/fashion-mnist/", import.meta.url));
const CLI = `${ROOT}dist/src/cli/main.js`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const n = Number(arg("n", "70000"));
const seed = Number(arg("seed", "0"));
const sample = Number(arg("sample", "1000"));
const skip = new Set(arg("skip", "").split(",").filter(Boolean));
if (!Number.isInteger(n) || n < 100 || n > 70000) throw new Error(`--n must be a whole number in [100, 70000], got ${arg("n", "")}`);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);

// the data: train then t10k, pixels / 255
const train = readIdxImages(`${SHARED}train-images-idx3-ubyte.gz`);
const t10k = readIdxImages(`${SHARED}t10k-images-idx3-ubyte.gz`);
const d = train.X.cols;
const all = new Float32Array((train.X.rows + t10k.X.rows) * d);
all.set(train.X.data);
all.set(t10k.X.data, train.X.data.length);
const vectors = all.subarray(0, n * d);
for (let t = 0; t < vectors.length; t++) vectors[t]! /= 255;
const X = new Matrix(n, d, vectors);
const dir = mkdtempSync(join(tmpdir(), "studio-maps-"));
const npy = join(dir, `fashion-${n}.npy`);
writeFileSync(npy, encodeNpy(X));
console.log(`Fashion-MNIST ${n} x ${d} (train + t10k, / 255), in ${dir}`);

// ---- the page: ComputeClient and its worker ------------------------------------------------------------------------
const PAGE_JS = `
import { ComputeClient } from "./compute-client.js";
globalThis.runMaps = async (n, d, seed, skip) => {
  const vectors = new Float32Array(await (await fetch("data.f32")).arrayBuffer());
  const client = new ComputeClient();
  await client.setData(n, d, vectors);
  const info = await client.info();
  const out = { info, maps: {} };
  const time = async (name, run) => {
    const t0 = performance.now();
    let updates = 0;
    const r = await run(() => updates++);
    const coords = r.coords ?? r;
    out.maps[name] = { seconds: (performance.now() - t0) / 1000, updates, values: Array.from(coords.values), dims: coords.dims };
  };
  await time("pca", () => client.pca(2));
  if (!skip.includes("tsne")) await time("tsne", (u) => client.tsne({ dims: 2, perplexity: 30, seed }, u));
  if (!skip.includes("umap")) await time("umap", (u) => client.umap({ dims: 2, nNeighbors: 15, minDist: 0.1, seed }, u));
  client.terminate();
  return out;
};
globalThis.ready = true;
`;

interface PageMaps {
  info: { threads: number; variant: string; isolated: boolean };
  maps: Record<string, { seconds: number; updates: number; values: number[]; dims: 2 | 3 }>;
}

async function inPage(): Promise<PageMaps> {
  const bundle = await bundleForBrowser({
    "compute-client": `${ROOT}dist/src/studio/compute/client.js`,
    "compute-worker": `${ROOT}dist/src/studio/compute/worker.js`,
    "web-worker": `${ROOT}dist/src/core/wasm/web-worker.js`,
  });
  const files = new Map<string, string | Uint8Array>(bundle.files);
  files.set("page.js", PAGE_JS);
  files.set("page.html", `<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>`);
  files.set("data.f32", new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  const server = createServer((req, res) => {
    const body = files.get((req.url ?? "/").replace(/^\//, ""));
    if (body === undefined) return void res.writeHead(404).end();
    const type = req.url!.endsWith(".js") ? "text/javascript" : req.url!.endsWith(".html") ? "text/html" : "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--enable-unsafe-swiftshader"] });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error(`page error: ${e}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/page.html`);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true, null, { timeout: 20000 });
    return await page.evaluate(([a, b, c, s]) => (globalThis as unknown as {
      runMaps(n: number, d: number, seed: number, skip: string[]): Promise<PageMaps>;
    }).runMaps(a as number, b as number, c as number, s as string[]), [n, d, seed, [...skip]] as const);
  } finally {
    await browser.close();
    server.close();
  }
}

// ---- the Node CLI on the same file -------------------------------------------------------------------------------
function cli(command: string, extra: string[]): { seconds: number; trust: number; Z: Matrix } {
  const out = join(dir, `${command}.npy`);
  const r = spawnSync(process.execPath, [CLI, command, npy, "--out", out, "--json", ...extra], {
    encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, LATENTKIT_THREADS: "2" }, // the worker's 2 threads
  });
  if (r.status !== 0) throw new Error(`latentkit ${command} failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout.trim().split("\n").pop()!) as { seconds: number; trustworthiness?: number };
  return { seconds: json.seconds, trust: json.trustworthiness ?? NaN, Z: readNpy(out) };
}

const page = await inPage();
console.log(`page worker: ${page.info.variant} on ${page.info.threads} threads (cross-origin isolated: ${page.info.isolated})`);
const rows: string[][] = [["map", "page s", "CLI s", "page trust", "CLI trust", "page recall", "CLI recall", "live updates"]];
const q = (c: Coords) => mapQuality(X, c, { sample, seed });
for (const [name, command, extra] of [
  ["pca", "pca", ["-k", "2", "--solver", "covariance-eig"]],
  ["tsne", "tsne", ["--pca", "50", "--seed", String(seed), "--perplexity", "30", "--quality-sample", String(sample)]],
  ["umap", "umap", ["--pca", "50", "--seed", String(seed), "--neighbors", "15", "--min-dist", "0.1", "--quality-sample", String(sample)]],
] as const) {
  const p = page.maps[name];
  if (!p) continue;
  const c = cli(command, [...extra]);
  const pq = q({ dims: p.dims, values: Float32Array.from(p.values) });
  const cq = q({ dims: 2, values: Float32Array.from(c.Z.data) });
  rows.push([name, p.seconds.toFixed(1), c.seconds.toFixed(1), pq.trustworthiness.toFixed(4), cq.trustworthiness.toFixed(4),
    pq.knnRecall.toFixed(3), cq.knnRecall.toFixed(3), String(p.updates)]);
}
const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
for (const r of rows) console.log(r.map((v, j) => v.padStart(widths[j]!)).join("  "));
console.log(`trustworthiness(10) and kNN recall(10) against the original ${d}-d space, on the same ${Math.min(sample, n)}-point sample (seed ${seed}): estimates`);
rmSync(dir, { recursive: true, force: true });

// latentkit in headless Chromium, from the browser bundle of the main entry: t-SNE of the digits on a cross-origin
// isolated page (WASM core, helpers as Web Workers) and the one-thread fallback on a page that is not isolated.
// Chromium is Debian's package (CI installs it with apt-get), driven by playwright-core, which downloads no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { CTL_GEN } from "../../src/core/wasm/jobs.js";
import { PROJECT_DATA } from "../helpers.js";
import { bundleForBrowser } from "./bundle.js";
import { SKIP_WITHOUT_CHROMIUM, withPage as sharedWithPage } from "./page.js";

const skip = SKIP_WITHOUT_CHROMIUM;

// The page: loads the bundle and exposes what the tests run. `gen` reads the control block's job generation, which
// only a job split over helper threads bumps.
const PAGE_JS = `
import * as lk from "./index.js";
const gen = (slot) => lk.wasmCore() ? Atomics.load(new Int32Array(lk.wasmCore().memory.buffer, 0, slot + 1), slot) : -1;
globalThis.digitsTsne = async (slot) => {
  const started = await lk.initCore({ threads: 2 });
  const table = lk.parseCsv(await (await fetch("digits.csv")).text(), { labelColumn: -1 }, "digits.csv");
  const before = gen(slot);
  const t0 = performance.now();
  const Y = await new lk.TSNE({ seed: 1 }).fitTransform(table.X);
  const seconds = (performance.now() - t0) / 1000;
  const parallelJobs = gen(slot) - before;
  const trust = lk.trustworthiness(table.X, Y, 10);
  const fig = lk.scatterFigure(Y, { labels: table.labels });
  const png = await lk.render(fig, "png", lk.deflateWithCompressionStream);
  const bmp = await createImageBitmap(new Blob([png], { type: "image/png" }));
  return {
    isolated: globalThis.crossOriginIsolated, started, after: lk.kernelInfo(), parallelJobs, seconds, trust,
    rows: Y.rows, cols: Y.cols, labels: new Set(table.labels).size,
    figure: [fig.width, fig.height], png: [bmp.width, bmp.height],
    svgCircles: (lk.render(fig, "svg").match(/<circle /g) || []).length,
  };
};
globalThis.oneThread = async (slot) => {
  const started = await lk.initCore({ threads: 4 });
  const A = lk.Matrix.fromArray(Array.from({ length: 300 }, (_, i) => Array.from({ length: 200 }, (_, j) => Math.sin(i * 0.37 + j * 0.11))));
  const before = gen(slot);
  const C = lk.matmul(A, A, { transB: true });
  let err = 0;
  for (const [i, j] of [[0, 0], [17, 250], [299, 3]]) {
    let s = 0;
    for (let p = 0; p < 200; p++) s += A.get(i, p) * A.get(j, p);
    err = Math.max(err, Math.abs(C.get(i, j) - s));
  }
  return { isolated: globalThis.crossOriginIsolated, started, parallelJobs: gen(slot) - before, err };
};
globalThis.badWorkerUrl = async () => lk.initCore({ threads: 2, workerUrl: "./missing-worker.js" });
globalThis.inWorker = (slot) => new Promise((resolve, reject) => {
  const w = new Worker("./in-worker.js", { type: "module" });
  w.onmessage = (e) => resolve(e.data);
  w.onerror = (e) => reject(new Error(e.message));
  w.postMessage(slot);
});
globalThis.ready = true;
`;

// latentkit inside a Web Worker (where Atomics.wait is allowed), with its helper as a nested worker.
const IN_WORKER_JS = `
import * as lk from "./index.js";
onmessage = async (e) => {
  const slot = e.data;
  const gen = () => Atomics.load(new Int32Array(lk.wasmCore().memory.buffer, 0, slot + 1), slot);
  const started = await lk.initCore({ threads: 2 });
  const table = lk.parseCsv(await (await fetch("digits.csv")).text(), { labelColumn: -1 }, "digits.csv");
  const X = table.X.rowRange(0, 600);
  const before = gen();
  const Y = await new lk.TSNE({ seed: 1 }).fitTransform(X);
  postMessage({ started, parallelJobs: gen() - before, trust: lk.trustworthiness(X, Y, 10) });
};
`;

async function withPage<T>(path: string, run: (page: import("playwright-core").Page) => Promise<T>): Promise<T> {
  const bundle = await bundleForBrowser();
  const files = new Map<string, string | Buffer>(bundle.files);
  files.set("page.js", PAGE_JS);
  files.set("in-worker.js", IN_WORKER_JS);
  files.set("page.html", `<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>`);
  files.set("digits.csv", gunzipSync(readFileSync(`${PROJECT_DATA}digits.csv.gz`)));
  return sharedWithPage(files, path, run);
}

test("t-SNE of the digits in Chromium: WASM core with a Web Worker helper, trustworthiness >= 0.98", { skip, timeout: 90000 }, async (t) => {
  const r = await withPage("/iso/page.html", (page) => page.evaluate((slot) => (globalThis as unknown as {
    digitsTsne(s: number): Promise<Record<string, unknown>>;
  }).digitsTsne(slot), CTL_GEN)) as {
    isolated: boolean; started: { variant: string; threads: number; helpers: number; helperError?: string };
    after: { helpers: number; helperError?: string }; parallelJobs: number; seconds: number; trust: number;
    rows: number; cols: number; labels: number; figure: number[]; png: number[]; svgCircles: number;
  };
  t.diagnostic(`${r.started.variant} on ${r.started.threads} threads: ${r.parallelJobs} parallel jobs, ${r.seconds.toFixed(1)} s, trustworthiness ${r.trust.toFixed(4)}`);
  assert.equal(r.isolated, true, "COOP/COEP make the page cross-origin isolated");
  assert.notEqual(r.started.variant, "none", "the page runs the WebAssembly core");
  assert.equal(r.started.threads, 2);
  assert.equal(r.started.helpers, 1, `one helper Web Worker is up after initCore (${r.started.helperError ?? ""})`);
  assert.equal(r.after.helpers, 1);
  assert.ok(r.parallelJobs > 0, "t-SNE split jobs between the page and its helper");
  assert.equal(r.rows, 1797);
  assert.equal(r.cols, 2);
  assert.equal(r.labels, 10);
  assert.ok(r.trust >= 0.98, `trustworthiness(10) = ${r.trust}`);
  // figures render in the page: PNG through CompressionStream, decoded by the browser; SVG with one dot per point
  assert.deepEqual(r.png, r.figure);
  assert.ok(r.svgCircles >= 1797);
});

test("a page that is not cross-origin isolated runs the core on one thread", { skip, timeout: 60000 }, async () => {
  const r = await withPage("/plain/page.html", (page) => page.evaluate((slot) => (globalThis as unknown as {
    oneThread(s: number): Promise<Record<string, unknown>>;
  }).oneThread(slot), CTL_GEN)) as {
    isolated: boolean; started: { variant: string; threads: number; helpers: number }; parallelJobs: number; err: number;
  };
  assert.equal(r.isolated, false);
  // Chromium lets a page that is not isolated make a shared memory; it cannot send it to a worker
  assert.notEqual(r.started.variant, "none");
  assert.equal(r.started.threads, 1);
  assert.equal(r.started.helpers, 0);
  assert.equal(r.parallelJobs, 0);
  assert.ok(r.err < 1e-3, `matmul error ${r.err}`);
});

test("latentkit inside a Web Worker (where Atomics.wait is allowed) runs its helper as a nested worker", { skip, timeout: 60000 }, async () => {
  const r = await withPage("/iso/page.html", (page) => page.evaluate((slot) => (globalThis as unknown as {
    inWorker(s: number): Promise<Record<string, unknown>>;
  }).inWorker(slot), CTL_GEN)) as { started: { variant: string; threads: number; helpers: number }; parallelJobs: number; trust: number };
  assert.notEqual(r.started.variant, "none");
  assert.equal(r.started.helpers, 1);
  assert.ok(r.parallelJobs > 0);
  assert.ok(r.trust >= 0.95, `trustworthiness(10) = ${r.trust} on 600 digits`);
});

test("a helper script that does not load leaves one thread and says why", { skip, timeout: 60000 }, async () => {
  const r = await withPage("/iso/page.html", (page) => page.evaluate(() => (globalThis as unknown as {
    badWorkerUrl(): Promise<{ threads: number; helpers: number; helperError?: string }>;
  }).badWorkerUrl()));
  assert.equal(r.threads, 2);
  assert.equal(r.helpers, 0);
  assert.match(r.helperError ?? "", /helper Web Worker failed to load/);
});

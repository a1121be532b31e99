// The studio's compute worker in headless Chromium, driven through ComputeClient from a page: on a cross-origin
// isolated page (COOP/COEP) the worker's core runs on 2 threads (its helper a nested worker); t-SNE of the digits in
// the worker is as trustworthy as the same t-SNE in Node, live positions arrive while it runs, cancel() is prompt,
// and neighbours equal the library's exactKnn. A page that is not isolated runs the worker on one thread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { parseCsv } from "../../src/formats/csv.js";
import { Matrix } from "../../src/core/matrix.js";
import { trustworthiness } from "../../src/metrics/quality.js";
import { dataMatrix, tsneMap } from "../../src/studio/compute/projections.js";
import { PROJECT_DATA } from "../helpers.js";
import { ROOT, bundleForBrowser } from "./bundle.js";
import { SKIP_WITHOUT_CHROMIUM, withPage as sharedWithPage } from "./page.js";

const skip = SKIP_WITHOUT_CHROMIUM;

// The page: the client bundle (its default worker URL is ./compute-worker.js beside it) and the library bundle for
// the reference kNN and trustworthiness.
const PAGE_JS = `
import { ComputeClient } from "./compute-client.js";
import * as lk from "./index.js";
const load = async () => lk.parseCsv(await (await fetch("digits.csv")).text(), { labelColumn: -1 }, "digits.csv");
globalThis.computeInWorker = async () => {
  const table = await load();
  const X = table.X;
  const client = new ComputeClient();
  await client.setData(X.rows, X.cols, X.data);
  const info = await client.info();
  const pca = await client.pca(2);
  // t-SNE with live updates
  const updates = [];
  const t0 = performance.now();
  const map = await client.tsne({ dims: 2, perplexity: 30, seed: 1 }, (u) => updates.push({ step: u.step, total: u.total, stage: u.stage, n: u.coords.values.length, t: performance.now() - t0, kl: u.metrics.kl }));
  const tsneSeconds = (performance.now() - t0) / 1000;
  const Y = new lk.Matrix(X.rows, 2, map.values);
  const trust = lk.trustworthiness(X, Y, 10);
  // neighbours in the data (euclidean, cosine) and in the map, against exactKnn
  const ref = { euclidean: lk.exactKnn(X, 10), cosine: lk.exactKnn(X, 10, { metric: "cosine" }), map: lk.exactKnn(Y, 10) };
  let mismatches = 0, checked = 0;
  for (const i of [0, 1, 17, 500, 1234, 1796]) {
    const e = await client.neighbours(i, 10, "euclidean", {});
    const c = await client.neighbours(i, 10, "cosine", {});
    const m = await client.neighbours(i, 10, "euclidean", { map });
    for (let t = 0; t < 10; t++) {
      checked += 3;
      if (e.indices[t] !== ref.euclidean.indices[i * 10 + t]) mismatches++;
      if (c.indices[t] !== ref.cosine.indices[i * 10 + t]) mismatches++;
      if (m.indices[t] !== ref.map.indices[i * 10 + t]) mismatches++;
      if (Math.abs(e.distances[t] - ref.euclidean.distances[i * 10 + t]) > 1e-4) mismatches++;
    }
  }
  const quality = await client.quality(map);
  // cancel: once the map is moving, cancel() rejects at once and the worker stops and answers the next request
  let cancelMs = -1, cancelName = "";
  const running = client.tsne({ dims: 2, perplexity: 30, seed: 2 }, () => {
    if (cancelMs < 0) { cancelMs = 0; const c0 = performance.now(); client.cancel(); running.catch((e) => { cancelName = e.name; cancelMs = performance.now() - c0; }); }
  });
  await running.catch(() => {});
  await new Promise((r) => setTimeout(r, 0));
  const n0 = performance.now();
  await client.neighbours(3, 5, "euclidean", {});
  const afterCancelMs = performance.now() - n0;
  // a new projection replaces the one running
  const first = client.tsne({ dims: 2, perplexity: 30, seed: 3 });
  const second = client.pca(3);
  const firstName = await first.then(() => "resolved", (e) => e.name);
  const pca3 = await second;
  const restarts = client.workersStarted;
  client.terminate();
  return {
    info, evr: pca.explainedVarianceRatio, pcaLength: pca.coords.values.length, updates, tsneSeconds, trust, mapLength: map.values.length,
    mismatches, checked, quality, cancelMs, cancelName, afterCancelMs, firstName, pca3: pca3.coords.dims, restarts,
  };
};
// a cancelled projection that does not stop in time (here: 1 ms) is stopped by a fresh worker, which gets the data
// and the requests still waiting
globalThis.restartAfterCancel = async () => {
  const table = await load();
  const X = table.X;
  const client = new ComputeClient(undefined, { stopGraceMs: 1 });
  await client.setData(X.rows, X.cols, X.data);
  const running = client.tsne({ dims: 2, perplexity: 30, seed: 5 });
  const waiting = client.neighbours(42, 10, "euclidean", {});
  client.cancel();
  const name = await running.then(() => "resolved", (e) => e.name);
  await new Promise((r) => setTimeout(r, 50));
  const pca = await client.pca(2);
  const nb = await waiting;
  const ref = lk.exactKnn(X, 10);
  const info = await client.info();
  const restarts = client.workersStarted;
  client.terminate();
  return { name, restarts, pcaLength: pca.coords.values.length, nbSame: Array.from(nb.indices).every((j, t) => j === ref.indices[420 + t]), threads: info.threads };
};
globalThis.plainInfo = async () => {
  const table = await load();
  const client = new ComputeClient();
  await client.setData(table.X.rows, table.X.cols, table.X.data);
  const info = await client.info();
  const pca = await client.pca(2);
  client.terminate();
  return { info, evr: pca.explainedVarianceRatio };
};
globalThis.ready = true;
`;

async function withPage<T>(path: string, run: (page: Page) => Promise<T>): Promise<T> {
  const bundle = await bundleForBrowser({
    index: `${ROOT}dist/src/index.js`,
    "compute-client": `${ROOT}dist/src/studio/compute/client.js`,
    "compute-worker": `${ROOT}dist/src/studio/compute/worker.js`,
    "web-worker": `${ROOT}dist/src/core/wasm/web-worker.js`,
  });
  const files = new Map<string, string | Buffer>(bundle.files);
  files.set("page.js", PAGE_JS);
  files.set("page.html", `<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>`);
  files.set("digits.csv", gunzipSync(readFileSync(`${PROJECT_DATA}digits.csv.gz`)));
  return sharedWithPage(files, path, run);
}

interface WorkerRun {
  info: { threads: number; variant: string; isolated: boolean; helperError?: string };
  evr: number[]; pcaLength: number;
  updates: { step: number; total: number; stage: string; n: number; t: number; kl: number }[];
  tsneSeconds: number; trust: number; mapLength: number; mismatches: number; checked: number;
  quality: { trustworthiness: number; knnRecall: number; sample: number; k: number };
  cancelMs: number; cancelName: string; afterCancelMs: number; firstName: string; pca3: number; restarts: number;
}

test("the compute worker in Chromium: 2 threads, t-SNE of the digits as in Node, live updates, prompt cancel, exact neighbours", { skip, timeout: 120000 }, async (t) => {
  const r = await withPage("/iso/page.html", (page) => page.evaluate(() => (globalThis as unknown as { computeInWorker(): Promise<WorkerRun> }).computeInWorker()));
  // the same t-SNE in Node, from the same CSV text
  const table = parseCsv(gunzipSync(readFileSync(`${PROJECT_DATA}digits.csv.gz`)).toString("utf8"), { labelColumn: -1 }, "digits.csv");
  const X = dataMatrix(table.X.rows, table.X.cols, table.X.data as Float32Array);
  const node = await tsneMap(X, { dims: 2, perplexity: 30, seed: 1 });
  const nodeTrust = trustworthiness(X, new Matrix(X.rows, 2, node.values), 10);
  t.diagnostic(`worker: ${r.info.variant} on ${r.info.threads} threads, t-SNE ${r.tsneSeconds.toFixed(1)} s, trustworthiness ${r.trust.toFixed(4)} ` +
    `(Node ${nodeTrust.toFixed(4)}), ${r.updates.length} live updates, cancel rejected in ${r.cancelMs.toFixed(1)} ms, next request ${r.afterCancelMs.toFixed(0)} ms`);
  assert.equal(r.info.isolated, true);
  assert.notEqual(r.info.variant, "none");
  assert.equal(r.info.threads, 2, `2 threads on the isolated page (${r.info.helperError ?? ""})`);
  assert.equal(r.pcaLength, 1797 * 2);
  assert.equal(r.evr.length, 2);
  assert.ok(r.evr[0]! >= r.evr[1]! && r.evr[1]! > 0.1, `explained variance ratios ${r.evr}`);
  assert.equal(r.mapLength, 1797 * 2);
  assert.ok(r.trust >= 0.98, `trustworthiness(10) = ${r.trust}`);
  assert.ok(Math.abs(r.trust - nodeTrust) <= 0.01, `worker ${r.trust} vs Node ${nodeTrust}`);
  // live positions while it ran: several, of every point, in order, before the end
  assert.ok(r.updates.length >= 2, `${r.updates.length} live updates`);
  for (const u of r.updates) {
    assert.equal(u.n, 1797 * 2);
    assert.ok(u.step < u.total);
  }
  for (let i = 1; i < r.updates.length; i++) assert.ok(r.updates[i]!.step > r.updates[i - 1]!.step);
  assert.equal(r.mismatches, 0, `${r.mismatches} of ${r.checked} neighbours differ from exactKnn`);
  assert.equal(r.quality.sample, 1000);
  assert.equal(r.quality.k, 10);
  assert.ok(Math.abs(r.quality.trustworthiness - r.trust) < 0.02, `sampled ${r.quality.trustworthiness} vs full ${r.trust}`);
  assert.ok(r.quality.knnRecall > 0.3 && r.quality.knnRecall <= 1);
  assert.equal(r.cancelName, "CancelledError");
  assert.ok(r.cancelMs >= 0 && r.cancelMs < 1000, `cancel rejected after ${r.cancelMs} ms`);
  assert.ok(r.afterCancelMs < 1000, `the worker answered ${r.afterCancelMs} ms after the cancel`);
  assert.equal(r.firstName, "CancelledError", "a new projection cancels the running one");
  assert.equal(r.pca3, 3);
  assert.equal(r.restarts, 1, "the cancelled t-SNE stopped by itself (no worker restart)");
});

test("a cancelled projection that does not stop in time is stopped by a fresh worker, which gets the data again", { skip, timeout: 60000 }, async () => {
  const r = await withPage("/iso/page.html", (page) => page.evaluate(() => (globalThis as unknown as {
    restartAfterCancel(): Promise<{ name: string; restarts: number; pcaLength: number; nbSame: boolean; threads: number }>;
  }).restartAfterCancel()));
  assert.equal(r.name, "CancelledError");
  assert.equal(r.restarts, 2, "one fresh worker");
  assert.equal(r.pcaLength, 1797 * 2, "the fresh worker has the data");
  assert.ok(r.nbSame, "a request waiting on the old worker is answered by the new one");
  assert.equal(r.threads, 2);
});

test("on a page that is not cross-origin isolated the worker runs its core on one thread", { skip, timeout: 60000 }, async () => {
  const r = await withPage("/plain/page.html", (page) => page.evaluate(() => (globalThis as unknown as {
    plainInfo(): Promise<{ info: WorkerRun["info"]; evr: number[] }>;
  }).plainInfo()));
  assert.equal(r.info.isolated, false);
  assert.equal(r.info.threads, 1);
  assert.equal(r.evr.length, 2);
});

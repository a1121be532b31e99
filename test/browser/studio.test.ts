// The studio end to end, in headless Chromium: `latentkit studio data/digits.csv.gz` served in-process on
// 127.0.0.1, and what a person sees and does on the page: the first map drawn at once with its legend, a search, a
// click's neighbours, a lasso selection, export, t-SNE in the page, the URL restoring the view, and a 3-D view.
// STUDIO_SCREENSHOTS=<folder> saves the main views as studio-*.png there (scripts/studio-screenshots.mjs sets it to
// docs/images); the normal run writes nothing but a temporary folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { Matrix } from "../../src/core/matrix.js";
import { trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { parseNpy } from "../../src/formats/npy.js";
import { startStudioServer } from "../../src/cli/studio.js";
import { tsneMap } from "../../src/studio/compute/projections.js";
import { parseExport } from "../../src/studio/data/export.js";
import { loadFiles } from "../../src/studio/data/load.js";
import { PROJECT_DATA } from "../helpers.js";
import { buildStudioInto, inside, parseColour, pixelDiff, pixelStats } from "./studio-page.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (CI installs it: apt-get install chromium)`;
const SHOTS = process.env.STUDIO_SCREENSHOTS;
const DIGITS = `${PROJECT_DATA}digits.csv.gz`;

interface Hooks {
  summary(): { name: string; n: number; dim: number; columns: { name: string; kind: string }[]; colorColumn: string | null; projection: string; dims: number };
  coords(): { dims: number; values: number[] };
  legend(): { kind: string; entries: { value: string; code: number; colour: string; count: number }[] };
  search(q: string, column: string, regex?: boolean): number[];
  neighbours(i: number, k: number, metric: string, space: string): Promise<{ indices: number[]; distances: number[] }>;
  runProjection(name: string, params?: Record<string, unknown>): Promise<{ dims: number; values: number[] }>;
  quality(): Promise<{ trustworthiness: number; knnRecall: number; sample: number; k: number }>;
  exportMap(format: string, which?: string): string | number[];
  setDims(d: 2 | 3): Promise<{ dims: number; values: number[] }>;
  selection(): number[];
  select(i: number[], add?: boolean): void;
  clearSelection(): void;
  isolate(on: boolean): void;
  camera(): { mode: string; center: number[]; zoom: number; yaw: number; pitch: number };
  setCamera(c: Record<string, unknown>): void;
  project(i: number): [number, number] | null;
  explained(): number[] | null;
  idle(): Promise<void>;
  lastFrame: { frames: number; lastFrameMs: number };
  errors: string[];
}
type G = { studio: Hooks; studioReady?: boolean };

const hooks = <T>(page: Page, fn: (s: Hooks) => T | Promise<T>): Promise<T> =>
  page.evaluate(`(${fn.toString()})(globalThis.studio)`) as Promise<T>;

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `studio-${name}.png`) });
}

async function ready(page: Page, errors: string[]): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as G).studioReady === true, null, { timeout: 60000 }).catch(() => {
    throw new Error(`the studio did not draw its first map: ${errors.join("; ") || "no error reported"}`);
  });
  await hooks(page, (s) => s.idle());
}

test("the studio on the digits in Chromium: map, legend, search, neighbours, lasso, export, t-SNE, URL state, 3-D", { skip, timeout: 120000 }, async (t) => {
  // what the page should show, computed in Node from the same file
  const data = await loadFiles([{ name: "digits.csv.gz", bytes: new Uint8Array(readFileSync(DIGITS)) }]);
  const X = new Matrix(data.n, data.dim, data.vectors);
  const labelCol = data.columns[data.colorColumn]!;
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "latentkit-studio-"));
  await buildStudioInto(dir);
  const server = await startStudioServer({ paths: [DIGITS], port: 0, host: "127.0.0.1", staticDir: dir });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--enable-unsafe-swiftshader"] });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(server.url);
    await ready(page, errors);
    const map = page.locator("#map");
    const box = (await map.boundingBox())!;

    // ---- the first map: PCA of the digits, coloured by the label, with the legend ----
    const sum = await hooks(page, (s) => s.summary());
    assert.equal(sum.n, 1797);
    assert.equal(sum.dim, 64);
    assert.equal(sum.colorColumn, labelCol.name);
    assert.equal(sum.projection, "pca");
    const explained = (await hooks(page, (s) => s.explained()))!;
    assert.equal(explained.length, 2);
    assert.ok(explained[0]! > explained[1]! && explained[0]! > 0.1, `PCA explained variance ${explained}`);
    assert.match(await page.locator("#explained").innerText(), /PC1\s+1\d\.\d %/);
    const legend = await hooks(page, (s) => s.legend());
    assert.equal(legend.kind, "categorical");
    assert.equal(legend.entries.length, 10);
    assert.equal(legend.entries.reduce((a, e) => a + e.count, 0), 1797);
    for (const e of legend.entries) assert.equal(e.count, labelCol.values.filter((v) => v === e.value).length, `count of class ${e.value}`);
    assert.equal(await page.locator("#legend li").count(), 10);
    await page.waitForTimeout(300);
    const first = await pixelStats(page, await map.screenshot(), legend.entries.map((e) => parseColour(e.colour)));
    t.diagnostic(`first map: ${first.drawn} drawn pixels of ${first.width}×${first.height}; per class ${first.near.join(" ")}`);
    assert.ok(first.drawn >= 5000, `${first.drawn} non-background pixels`);
    await shot(page, "pca");
    assert.ok(first.near.filter((c) => c >= 30).length >= 10, `pixels near each legend colour: ${first.near}`);

    // ---- legend click selects the class ----
    await page.locator("#legend li").nth(3).click();
    const cls = legend.entries[3]!;
    const sel = await hooks(page, (s) => s.selection());
    assert.deepEqual(sel, labelCol.values.flatMap((v, i) => (v === cls.value ? [i] : [])));
    await page.locator("#legend li").nth(5).click({ modifiers: ["Shift"] });
    assert.equal((await hooks(page, (s) => s.selection())).length, cls.count + legend.entries[5]!.count);
    await hooks(page, (s) => s.clearSelection());

    // ---- search, typed in the panel: matches highlighted and counted, equal to a filter of the labels ----
    await page.locator("#search-column").selectOption(labelCol.name);
    await page.locator("#search-regex").check();
    await page.locator("#search-query").fill("^[37]$");
    await page.locator("#search-query").press("Enter");
    const want = labelCol.values.flatMap((v, i) => (/^[37]$/.test(v) ? [i] : []));
    await page.waitForFunction((n) => document.querySelector("#search-count")?.textContent === `${n} matches`, want.length);
    const hits = await page.evaluate(`globalThis.studio.search("^[37]$", ${JSON.stringify(labelCol.name)}, true)`) as number[];
    assert.deepEqual(hits, want);
    await page.locator("#search-select").click();
    assert.deepEqual(await hooks(page, (s) => s.selection()), want);
    await hooks(page, (s) => s.clearSelection());

    // ---- click a point: its neighbours, equal to the library's exact kNN ----
    const knn = exactKnn(X, 11);
    const dist = (i: number): number[] => Array.from(knn.distances.subarray(i * 11, i * 11 + 11));
    // a point without ties among its 11 nearest (digits are integers: ties happen), on screen
    let target = -1;
    for (let i = 0; i < data.n && target < 0; i++) {
      const d = dist(i);
      if (d.every((v, j) => j === 0 || v - d[j - 1]! > 1e-3)) {
        const p = await page.evaluate(`globalThis.studio.project(${i})`) as [number, number] | null;
        if (p && p[0] > 40 && p[1] > 60 && p[0] < box.width - 40 && p[1] < box.height - 40) target = i;
      }
    }
    assert.ok(target >= 0);
    const p = (await page.evaluate(`globalThis.studio.project(${target})`)) as [number, number];
    await page.mouse.move(box.x + p[0], box.y + p[1]);
    await page.waitForSelector("#tooltip:not([hidden])", { timeout: 5000 });
    await page.mouse.click(box.x + p[0], box.y + p[1]);
    await page.waitForFunction(() => document.querySelectorAll("#neighbours li").length === 10, null, { timeout: 10000 });
    const clicked = Number(await page.locator("#point dd").first().innerText());
    const knn10 = exactKnn(X, 10);
    const wantNb = Array.from(knn10.indices.subarray(clicked * 10, clicked * 10 + 10));
    const listed = await page.locator("#neighbours li").evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.index)));
    t.diagnostic(`clicked point ${clicked} (aimed at ${target})`);
    // the click hit the point under the cursor (maybe a neighbour of the target): its list is the library's kNN
    // (compared as distances where the file's integer features make ties)
    const listedDist = listed.map((j) => Math.hypot(...Array.from({ length: data.dim }, (_, f) => data.vectors[clicked * data.dim + f]! - data.vectors[j * data.dim + f]!)));
    assert.deepEqual(listedDist.map((d) => d.toFixed(3)), Array.from(knn10.distances.subarray(clicked * 10, clicked * 10 + 10), (d) => d.toFixed(3)));
    if (clicked === target) assert.deepEqual(listed, wantNb);
    const nb = await page.evaluate(`globalThis.studio.neighbours(${target}, 10, "euclidean", "original")`) as { indices: number[]; distances: number[] };
    assert.deepEqual(nb.indices, Array.from(knn10.indices.subarray(target * 10, target * 10 + 10)));
    nb.distances.forEach((d, j) => assert.ok(Math.abs(d - knn10.distances[target * 10 + j]!) < 1e-3 * Math.max(1, d)));
    const cos = exactKnn(X, 10, { metric: "cosine" });
    const nbc = await page.evaluate(`globalThis.studio.neighbours(${target}, 10, "cosine", "original")`) as { indices: number[]; distances: number[] };
    nbc.distances.forEach((d, j) => assert.ok(Math.abs(d - cos.distances[target * 10 + j]!) < 1e-4, `cosine distance ${j}: ${d}`));
    await page.mouse.move(box.x + 5, box.y + box.height - 5);
    await shot(page, "neighbours");
    await page.keyboard.press("Escape");

    // ---- lasso: drag around a region; the selection is the points inside; isolate; show all ----
    await page.locator("#tools button[data-value=lasso]").click();
    const cx = box.width / 2, cy = box.height / 2, r = Math.min(box.width, box.height) / 5;
    const poly: [number, number][] = Array.from({ length: 24 }, (_, j) => [cx + r * Math.cos((2 * Math.PI * j) / 24) - r / 2, cy + 0.8 * r * Math.sin((2 * Math.PI * j) / 24)]);
    await page.mouse.move(box.x + poly[0]![0], box.y + poly[0]![1]);
    await page.mouse.down();
    for (const [x, y] of poly.slice(1).concat([poly[0]!])) await page.mouse.move(box.x + x, box.y + y, { steps: 2 });
    await page.mouse.up();
    const lassoed = await hooks(page, (s) => s.selection());
    const screen = await page.evaluate(`Array.from({ length: 1797 }, (_, i) => globalThis.studio.project(i))`) as ([number, number] | null)[];
    const inPoly = screen.flatMap((q, i) => (q && inside(q[0], q[1], poly) ? [i] : []));
    t.diagnostic(`lasso: ${lassoed.length} selected, ${inPoly.length} inside by their screen positions`);
    assert.ok(lassoed.length >= 20, `${lassoed.length} points lassoed`);
    // points on the outline may fall either side (the outline is sampled from mouse events)
    const inSet = new Set(inPoly);
    assert.ok(lassoed.filter((i) => !inSet.has(i)).length <= Math.max(3, 0.03 * lassoed.length), "lassoed points lie inside the outline");
    assert.ok(inPoly.filter((i) => !lassoed.includes(i)).length <= Math.max(3, 0.03 * inPoly.length), "points inside the outline are lassoed");
    assert.match(await page.locator("#selection-count").innerText(), new RegExp(`^${lassoed.length} of 1,797$`));
    await shot(page, "lasso");
    const before = await map.screenshot();
    await page.locator("#isolate").click();
    await page.waitForTimeout(200);
    const isolated = await pixelStats(page, await map.screenshot());
    const all = await pixelStats(page, before);
    assert.ok(isolated.drawn < all.drawn, `isolating the selection hides the others (${isolated.drawn} < ${all.drawn} drawn pixels)`);
    await page.locator("#isolate").click();
    await page.locator("#tools button[data-value=navigate]").click();

    // ---- export round-trips (the download of the button, and the hook's TSV, NPY, JSON) ----
    const coords = await hooks(page, (s) => s.coords());
    const [dl] = await Promise.all([page.waitForEvent("download"), page.locator("button[data-export-map=tsv]").click()]);
    const dlPath = join(dir, "download.tsv");
    await dl.saveAs(dlPath);
    const back = parseExport(readFileSync(dlPath, "utf8"), "tsv");
    assert.equal(back.n, 1797);
    assert.deepEqual(Array.from(back.coords!), coords.values, "the downloaded TSV holds the map's coordinates");
    assert.deepEqual(back.columns.find((c) => c.name === labelCol.name)?.values, labelCol.values);
    const npy = parseNpy(Uint8Array.from(await hooks(page, (s) => s.exportMap("npy") as number[])));
    assert.deepEqual([npy.rows, npy.cols], [1797, 2]);
    assert.deepEqual(Array.from(npy.data), coords.values);
    const json = parseExport(await hooks(page, (s) => s.exportMap("json") as string), "json");
    assert.deepEqual(Array.from(json.coords!), coords.values);
    await hooks(page, (s) => s.select([4, 8, 15, 16, 23, 42]));
    const selTsv = parseExport(await hooks(page, (s) => s.exportMap("tsv", "selection") as string), "tsv");
    assert.equal(selTsv.n, 6);
    assert.deepEqual(Array.from(selTsv.coords!), [4, 8, 15, 16, 23, 42].flatMap((i) => coords.values.slice(2 * i, 2 * i + 2)));
    await hooks(page, (s) => s.clearSelection());

    // ---- t-SNE in the page: live updates, trustworthiness >= 0.98 and within 0.01 of Node's ----
    const framesBefore = (await hooks(page, (s) => s.lastFrame)).frames;
    await page.locator(".tabs button[data-projection=tsne]").click();
    await page.locator("#param-perplexity").fill("30");
    await page.locator("#param-seed").fill("1");
    const t0 = Date.now();
    await page.locator("#run-projection").click();
    await page.waitForSelector("#progress:not([hidden])", { timeout: 10000 });
    await hooks(page, (s) => s.idle());
    const seconds = (Date.now() - t0) / 1000;
    const frames = (await hooks(page, (s) => s.lastFrame)).frames - framesBefore;
    const tsne = await hooks(page, (s) => s.coords());
    assert.equal((await hooks(page, (s) => s.summary())).projection, "tsne");
    const trustPage = trustworthiness(X, new Matrix(1797, 2, Float32Array.from(tsne.values)), 10);
    const node = await tsneMap(X, { dims: 2, perplexity: 30, seed: 1 });
    const trustNode = trustworthiness(X, new Matrix(1797, 2, node.values), 10);
    const q = await hooks(page, (s) => s.quality());
    t.diagnostic(`t-SNE in the page: ${seconds.toFixed(1)} s, ${frames} frames drawn while it ran; trustworthiness ${trustPage.toFixed(4)} (Node ${trustNode.toFixed(4)}; the page's own sample ${q.trustworthiness.toFixed(4)}, kNN recall ${q.knnRecall.toFixed(3)})`);
    assert.ok(frames >= 3, `the map was redrawn while t-SNE ran (${frames} frames)`);
    assert.ok(trustPage >= 0.98, `trustworthiness(10) of the page's t-SNE = ${trustPage}`);
    assert.ok(Math.abs(trustPage - trustNode) <= 0.01, `page ${trustPage} vs Node ${trustNode}`);
    assert.ok(Math.abs(q.trustworthiness - trustPage) < 0.01, `the quality shown (${q.trustworthiness}) is the map's (${trustPage})`);
    assert.equal(await page.locator("#quality-trust").innerText(), q.trustworthiness.toFixed(3));
    await page.waitForTimeout(200);
    const tsneShot = await pixelStats(page, await map.screenshot(), legend.entries.map((e) => parseColour(e.colour)));
    assert.ok(tsneShot.near.filter((c) => c >= 30).length >= 10, `t-SNE map colours: ${tsneShot.near}`);
    await shot(page, "tsne");

    // ---- the URL restores the view: projection, colour, camera, search, selection ----
    await hooks(page, (s) => { s.select([1, 2, 3, 100, 101, 1796]); s.search("5", "label"); s.setCamera({ zoom: s.camera().zoom * 1.5 }); });
    await page.waitForTimeout(600);
    const view = { coords: await hooks(page, (s) => s.coords()), camera: await hooks(page, (s) => s.camera()) };
    const hash = await page.evaluate(() => location.hash);
    assert.ok(hash.length > 1, "the view is in the URL hash");
    await page.reload();
    await ready(page, errors);
    const again = await hooks(page, (s) => ({ summary: s.summary(), coords: s.coords(), camera: s.camera(), selection: s.selection() }));
    assert.equal(again.summary.projection, "tsne");
    assert.deepEqual(again.coords.values, view.coords.values, "the same t-SNE map (same seed) after reload");
    assert.deepEqual(again.selection, [1, 2, 3, 100, 101, 1796]);
    assert.ok(Math.abs(again.camera.zoom - view.camera.zoom) < 1e-6 * view.camera.zoom, `zoom ${again.camera.zoom} vs ${view.camera.zoom}`);
    assert.equal(await page.locator("#search-query").inputValue(), "5");
    assert.equal(await page.locator("#search-count").innerText(), `${labelCol.values.filter((v) => v.includes("5")).length} matches`);
    await hooks(page, (s) => { s.clearSelection(); s.search("", "label"); });

    // ---- 3-D: PCA in three dimensions renders, and an orbit changes the picture ----
    await page.locator("#dims button[data-value='3']").click();
    await hooks(page, (s) => s.idle());
    const d3 = await hooks(page, (s) => ({ summary: s.summary(), camera: s.camera() }));
    assert.equal(d3.summary.dims, 3);
    assert.equal(d3.camera.mode, "3d");
    await page.waitForTimeout(200);
    const a = await map.screenshot();
    const s3 = await pixelStats(page, a);
    assert.ok(s3.drawn >= 5000, `3-D map: ${s3.drawn} drawn pixels`);
    await shot(page, "3d");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2 + 40, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(200);
    const yaw = (await hooks(page, (s) => s.camera())).yaw;
    assert.notEqual(yaw, d3.camera.yaw, "the drag orbits the camera");
    const changed = await pixelDiff(page, a, await map.screenshot());
    assert.ok(changed > 1000, `${changed} pixels changed after the orbit`);
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], "no page errors");
  } finally {
    await browser?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The studio end to end, in headless Chromium: `latentkit studio data/digits.csv.gz` served in-process on
// 127.0.0.1, and what a person sees and does on the page: the first map drawn at once with its legend, a search, a
// click's neighbours, a lasso selection, export, t-SNE in the page, the URL restoring the view, and a 3-D view; then
// UMAP in the page, a box selection, custom axes from the panel's queries (and their URL), isolating the selection
// across a reload, and (the digits as a vectors TSV with a metadata TSV) colouring by a numeric column.
// One server, Chromium and page serve every test of the file, in order.
// STUDIO_SCREENSHOTS=<folder> saves the main views as studio-*.png there (scripts/studio-screenshots.mjs sets it to
// docs/images); the normal run writes nothing but a temporary folder.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { Matrix } from "../../src/core/matrix.js";
import { trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { parseNpy } from "../../src/formats/npy.js";
import { startStudioServer, type StudioServer } from "../../src/cli/studio.js";
import { tsneMap } from "../../src/studio/compute/projections.js";
import { parseExport } from "../../src/studio/data/export.js";
import { loadFiles } from "../../src/studio/data/load.js";
import { viridis } from "../../src/studio/render/palette.js";
import type { Column, StudioData } from "../../src/studio/types.js";
import { PROJECT_DATA } from "../helpers.js";
import { CHROMIUM, SKIP_WITHOUT_CHROMIUM as skip } from "./page.js";
import { buildStudioInto, inside, parseColour, pixelDiff, pixelsAt, pixelStats } from "./studio-page.js";

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

interface Session {
  data: StudioData;
  X: Matrix;
  labelCol: Column;
  /** The static build, the downloads and the TSV files of the numeric-colour test (removed at the end). */
  dir: string;
  server: StudioServer;
  browser: Browser;
  page: Page;
  /** Page errors and console errors, from the start. */
  errors: string[];
  map: Locator;
  /** The map's canvas on the page (CSS pixels). */
  box: { x: number; y: number; width: number; height: number };
}

// One build, server, Chromium and page for every test of the file (in order: each goes on from the page the last
// one left); the tests below the first set up what they check themselves.
let S: Session | undefined;
let server2: StudioServer | undefined;

function session(): Session {
  if (!S) throw new Error("the studio session did not start (see the before hook's failure)");
  return S;
}

before(async () => {
  if (skip) return;
  // what the page should show, computed in Node from the same file
  const data = await loadFiles([{ name: "digits.csv.gz", bytes: new Uint8Array(readFileSync(DIGITS)) }]);
  const X = new Matrix(data.n, data.dim, data.vectors);
  const labelCol = data.columns[data.colorColumn]!;
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "latentkit-studio-"));
  await buildStudioInto(dir);
  const server = await startStudioServer({ paths: [DIGITS], port: 0, host: "127.0.0.1", staticDir: dir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--enable-unsafe-swiftshader"] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  S = { data, X, labelCol, dir, server, browser, page, errors, map: page.locator("#map"), box: { x: 0, y: 0, width: 0, height: 0 } };
  await page.goto(server.url);
  await ready(page, errors);
  S.box = (await S.map.boundingBox())!;
});

after(async () => {
  await S?.browser.close();
  await S?.server.close();
  await server2?.close();
  if (S) rmSync(S.dir, { recursive: true, force: true });
});

/** Every point's position on the map's canvas (null: hidden). */
const screenPositions = (page: Page, n: number): Promise<([number, number] | null)[]> =>
  page.evaluate(`Array.from({ length: ${n} }, (_, i) => globalThis.studio.project(i))`) as Promise<([number, number] | null)[]>;

/** Waits until the URL hash (written 250 ms after a change) contains every one of `parts`. */
async function hashWith(page: Page, parts: string[]): Promise<string> {
  await page.waitForFunction((p) => p.every((s) => location.hash.includes(s)), parts, { timeout: 5000 }).catch(async () => {
    throw new Error(`the URL hash ${await page.evaluate(() => location.hash)} does not hold ${parts.join(", ")}`);
  });
  return page.evaluate(() => location.hash);
}

/** Reloads the page and waits for its first map, the URL's view and the map's quality (the badge over the map). */
async function reload(page: Page, errors: string[]): Promise<void> {
  await page.reload();
  await ready(page, errors);
  await hooks(page, (s) => s.quality());
}

test("the studio on the digits in Chromium: map, legend, search, neighbours, lasso, export, t-SNE, URL state, 3-D", { skip, timeout: 120000 }, async (t) => {
  const { page, errors, data, X, labelCol, dir, map, box } = session();

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
});

test("UMAP from the panel on the digits: trustworthiness >= 0.95 as the page reports it, finite coordinates fitted to the canvas", { skip, timeout: 120000 }, async (t) => {
  const { page, errors, X, map, box } = session();
  await page.locator("#dims button[data-value='2']").click();
  await hooks(page, (s) => s.idle());
  await page.locator(".tabs button[data-projection=umap]").click();
  await page.locator("#param-nNeighbors").fill("15");
  await page.locator("#param-minDist").fill("0.1");
  await page.locator("#param-umapSeed").fill("1");
  const t0 = Date.now();
  await page.locator("#run-projection").click();
  await hooks(page, (s) => s.idle());
  const seconds = (Date.now() - t0) / 1000;
  const sum = await hooks(page, (s) => s.summary());
  assert.equal(sum.projection, "umap");
  assert.equal(sum.dims, 2);
  const umap = await hooks(page, (s) => s.coords());
  assert.equal(umap.values.length, 2 * 1797);
  assert.ok(umap.values.every((v) => Number.isFinite(v)), "every UMAP coordinate is finite");
  const q = await hooks(page, (s) => s.quality());
  const full = trustworthiness(X, new Matrix(1797, 2, Float32Array.from(umap.values)), 10);
  t.diagnostic(`UMAP in the page: ${seconds.toFixed(1)} s; trustworthiness ${q.trustworthiness.toFixed(4)} on ${q.sample} points (Node, every point: ${full.toFixed(4)}), kNN recall ${q.knnRecall.toFixed(3)}`);
  assert.ok(q.trustworthiness >= 0.95, `the page's trustworthiness(10) of UMAP = ${q.trustworthiness}`);
  assert.equal(await page.locator("#quality-trust").innerText(), q.trustworthiness.toFixed(3), "the quality panel shows it");
  assert.match(await page.locator("#quality-badge").innerText(), new RegExp(`trustworthiness ${q.trustworthiness.toFixed(3)}`));
  assert.ok(Math.abs(full - q.trustworthiness) < 0.01, `the page's figure ${q.trustworthiness} is the map's (${full})`);
  // the map is fitted to the canvas: every point on it, and together they span most of it
  const pos = await screenPositions(page, 1797);
  assert.ok(pos.every((p) => p !== null && p[0] >= 0 && p[0] <= box.width && p[1] >= 0 && p[1] <= box.height), "every point is on the canvas");
  const xs = pos.map((p) => p![0]), ys = pos.map((p) => p![1]);
  const spanX = (Math.max(...xs) - Math.min(...xs)) / box.width, spanY = (Math.max(...ys) - Math.min(...ys)) / box.height;
  t.diagnostic(`the points span ${(100 * spanX).toFixed(0)} % of the canvas's width and ${(100 * spanY).toFixed(0)} % of its height`);
  assert.ok(Math.max(spanX, spanY) >= 0.75 && Math.min(spanX, spanY) >= 0.4, `the map covers the canvas (${spanX.toFixed(2)} × ${spanY.toFixed(2)})`);
  await page.waitForTimeout(200);
  const drawn = await pixelStats(page, await map.screenshot());
  assert.ok(drawn.drawn >= 5000, `UMAP map: ${drawn.drawn} drawn pixels`);
  assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], "no page errors");
});

test("box selection with the mouse selects exactly the points whose screen positions lie in the box; shift adds a second box", { skip, timeout: 60000 }, async (t) => {
  const { page, errors, box } = session();
  // on PCA's map (exact, the same every run), not on the previous test's UMAP map, which differs from run to run
  await page.locator(".tabs button[data-projection=pca]").click();
  await page.locator("#run-projection").click();
  await hooks(page, (s) => s.idle());
  assert.equal((await hooks(page, (s) => s.summary())).projection, "pca");
  await page.locator("#tools button[data-value=box]").click();
  const pos = await screenPositions(page, 1797);
  // a drag from (fx0, fy0) to (fx1, fy1) of the canvas, in whole page pixels; the box in canvas pixels
  const drag = async (f: [number, number, number, number], shift: boolean): Promise<[number, number, number, number]> => {
    const [ax, ay, bx, by] = [box.x + f[0] * box.width, box.y + f[1] * box.height, box.x + f[2] * box.width, box.y + f[3] * box.height].map(Math.round) as [number, number, number, number];
    if (shift) await page.keyboard.down("Shift");
    await page.mouse.move(ax, ay);
    await page.mouse.down();
    await page.mouse.move(bx, by, { steps: 6 });
    await page.mouse.up();
    if (shift) await page.keyboard.up("Shift");
    return [Math.min(ax, bx) - box.x, Math.min(ay, by) - box.y, Math.max(ax, bx) - box.x, Math.max(ay, by) - box.y];
  };
  // the points inside a box, and those within half a pixel of its outline (either side is right for them)
  const classify = (r: [number, number, number, number]): { inside: Set<number>; edge: Set<number> } => {
    const inside = new Set<number>(), edge = new Set<number>();
    pos.forEach((p, i) => {
      if (!p) return;
      const [x, y] = p;
      if (x > r[0] + 0.5 && x < r[2] - 0.5 && y > r[1] + 0.5 && y < r[3] - 0.5) inside.add(i);
      else if (x >= r[0] - 0.5 && x <= r[2] + 0.5 && y >= r[1] - 0.5 && y <= r[3] + 0.5) edge.add(i);
    });
    return { inside, edge };
  };
  const check = (selected: number[], want: Set<number>, edge: Set<number>, what: string): void => {
    const sel = new Set(selected);
    const missing = [...want].filter((i) => !sel.has(i));
    const extra = selected.filter((i) => !want.has(i) && !edge.has(i));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${what}: points inside the box not selected, or selected outside it`);
  };
  const r1 = await drag([0.3, 0.3, 0.62, 0.58], false);
  const a = classify(r1);
  const sel1 = await hooks(page, (s) => s.selection());
  t.diagnostic(`box 1 ${r1.map((v) => v.toFixed(1)).join(",")}: ${sel1.length} selected, ${a.inside.size} inside by their screen positions, ${a.edge.size} on the outline`);
  assert.ok(a.inside.size >= 50, `${a.inside.size} points in the box`);
  check(sel1, a.inside, a.edge, "box 1");
  assert.equal(await page.locator("#selection-count").innerText(), `${sel1.length} of 1,797`);
  // shift: a second box adds its points
  const r2 = await drag([0.66, 0.62, 0.9, 0.88], true);
  const b = classify(r2);
  const sel2 = await hooks(page, (s) => s.selection());
  t.diagnostic(`box 2: ${sel2.length} selected in all, ${b.inside.size} inside the second box`);
  assert.ok(b.inside.size >= 10, `${b.inside.size} points in the second box`);
  check(sel2, new Set([...a.inside, ...b.inside]), new Set([...a.edge, ...b.edge]), "box 1 + shift box 2");
  assert.ok(sel1.every((i) => sel2.includes(i)), "the first box's points stay selected");
  // a box without shift replaces the selection
  const r3 = await drag([0.1, 0.12, 0.35, 0.3], false);
  const c = classify(r3);
  check(await hooks(page, (s) => s.selection()), c.inside, c.edge, "box 3 (replacing)");
  await page.keyboard.press("Escape");
  assert.deepEqual(await hooks(page, (s) => s.selection()), [], "Esc clears the selection");
  assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], "no page errors");
});

/** Custom axes computed here: x along mean(right) − mean(left), y along mean(up) − mean(down), about the mean. */
function customAxesHere(data: StudioData, labels: string[], q: { xLeft: string; xRight: string; yDown: string; yUp: string }): Float64Array {
  const { n, dim: d, vectors: v } = data;
  const mean = (pick: (i: number) => boolean): Float64Array => {
    const m = new Float64Array(d);
    let c = 0;
    for (let i = 0; i < n; i++) if (pick(i)) {
      c++;
      for (let j = 0; j < d; j++) m[j]! += v[i * d + j]!;
    }
    return m.map((x) => x / c);
  };
  const unit = (a: Float64Array, b: Float64Array): Float64Array => {
    const u = a.map((x, j) => x - b[j]!);
    const len = Math.hypot(...u);
    return u.map((x) => x / len);
  };
  const ux = unit(mean((i) => labels[i] === q.xRight), mean((i) => labels[i] === q.xLeft));
  const uy = unit(mean((i) => labels[i] === q.yUp), mean((i) => labels[i] === q.yDown));
  const mu = mean(() => true);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x = 0, y = 0;
    for (let j = 0; j < d; j++) {
      const c = v[i * d + j]! - mu[j]!;
      x += c * ux[j]!;
      y += c * uy[j]!;
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

test("custom axes from the panel's queries: the map equals the projection computed in Node, 0s left of 1s and 7s above 3s, kept in the URL", { skip, timeout: 90000 }, async (t) => {
  const { page, errors, data, labelCol } = session();
  const queries = { xLeft: "0", xRight: "1", yDown: "3", yUp: "7" };
  await page.locator(".tabs button[data-projection=custom]").click();
  await page.locator("#custom-column").selectOption(labelCol.name);
  for (const [k, v] of Object.entries(queries)) await page.locator(`#custom-${k}`).fill(v);
  await page.locator("#run-projection").click();
  await hooks(page, (s) => s.idle());
  assert.equal((await hooks(page, (s) => s.summary())).projection, "custom");
  const got = (await hooks(page, (s) => s.coords())).values;
  const want = customAxesHere(data, labelCol.values, queries);
  let worst = 0, scale = 0;
  for (let k = 0; k < want.length; k++) {
    worst = Math.max(worst, Math.abs(got[k]! - want[k]!));
    scale = Math.max(scale, Math.abs(want[k]!));
  }
  t.diagnostic(`custom axes: largest difference from Node's ${worst.toExponential(2)} (coordinates up to ${scale.toFixed(1)})`);
  assert.ok(worst <= 1e-4 * scale, `the page's custom axes differ from Node's by up to ${worst}`);
  // what a person sees: the left query's points on the left, the up query's points higher up
  const pos = await screenPositions(page, 1797);
  const meanAt = (label: string, k: 0 | 1): number => {
    const ps = pos.filter((_, i) => labelCol.values[i] === label).map((p) => p![k]);
    return ps.reduce((a, b) => a + b, 0) / ps.length;
  };
  assert.ok(meanAt("0", 0) < meanAt("1", 0) - 100, `0s (x ${meanAt("0", 0).toFixed(0)}) left of 1s (${meanAt("1", 0).toFixed(0)})`);
  assert.ok(meanAt("7", 1) < meanAt("3", 1) - 100, `7s (y ${meanAt("7", 1).toFixed(0)}) above 3s (${meanAt("3", 1).toFixed(0)})`);
  // the URL: plain keys (no JSON), and a reload shows the same map with the queries in the panel
  const hash = await hashWith(page, ["p=custom", "cc=label", "xl=0", "xr=1", "yd=3", "yu=7"]);
  assert.doesNotMatch(hash, /cx=|%7B/, "no JSON in the hash");
  await reload(page, errors);
  assert.equal((await hooks(page, (s) => s.summary())).projection, "custom");
  assert.deepEqual((await hooks(page, (s) => s.coords())).values, got, "the same custom map after reload");
  for (const [k, v] of Object.entries(queries)) assert.equal(await page.locator(`#custom-${k}`).inputValue(), v, `the panel's ${k} query after reload`);
  // a hash written by the earlier studio (each axis as JSON in cx, cy) still restores the map
  const old = new URLSearchParams({ p: "custom", cx: JSON.stringify({ column: "label", regex: false, left: "0", right: "1" }), cy: JSON.stringify({ down: "3", up: "7" }) }).toString();
  await page.evaluate((h) => history.replaceState(null, "", `#${h}`), old);
  await reload(page, errors);
  assert.deepEqual((await hooks(page, (s) => s.coords())).values, got, "an older hash's custom axes");
  await hashWith(page, ["xl=0", "xr=1", "yd=3", "yu=7"]);
  // a query that matches nothing: a clear message on the status line, and the map stays
  await page.locator(".tabs button[data-projection=custom]").click();
  await page.locator("#custom-xRight").fill("x");
  await page.locator("#run-projection").click();
  await hooks(page, (s) => s.idle());
  const status = await page.locator("#status").innerText();
  assert.equal(status, 'custom axes: the right query "x" matches no value of column label');
  assert.deepEqual((await hooks(page, (s) => s.coords())).values, got, "the custom map stays after the error");
  assert.equal(await page.locator("#custom-xRight").inputValue(), "x", "the typed query stays in the panel, to be corrected");
  // the URL keeps describing the map shown, not the run that failed
  await page.waitForTimeout(600);
  const after = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.deepEqual([after.get("p"), after.get("xl"), after.get("xr")], ["custom", "0", "1"]);
  await page.locator("#custom-xRight").fill("1");
  assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], "no page errors");
});

test("isolate selection: the other points disappear from the picture, and a reload of the URL keeps it so", { skip, timeout: 90000 }, async (t) => {
  const { page, errors, map, labelCol } = session();
  // the custom map of the last test (deterministic, so the picture after a reload is the same)
  assert.equal((await hooks(page, (s) => s.summary())).projection, "custom");
  await hooks(page, (s) => s.quality());
  await page.locator("#legend li").nth(3).click();
  const want = labelCol.values.flatMap((v, i) => (v === "3" ? [i] : []));
  assert.deepEqual(await hooks(page, (s) => s.selection()), want);
  await page.waitForTimeout(200);
  const all = await pixelStats(page, await map.screenshot());
  await page.locator("#isolate").click();
  assert.equal(await page.locator("#isolate").innerText(), "Show all");
  await page.waitForTimeout(200);
  const isolated = await map.screenshot();
  const iso = await pixelStats(page, isolated);
  t.diagnostic(`drawn pixels: ${all.drawn} with every point, ${iso.drawn} with the ${want.length} 3s isolated`);
  assert.ok(iso.drawn < 0.6 * all.drawn, `isolating the 3s hides the other points (${iso.drawn} vs ${all.drawn} drawn pixels)`);
  assert.ok(iso.drawn > 300, `the isolated points are drawn (${iso.drawn} pixels)`);
  const pos = await screenPositions(page, 1797);
  assert.deepEqual(pos.flatMap((p, i) => (p ? [i] : [])), want, "only the selected points are on the map");
  // the URL holds it; a reload shows the same picture
  await hashWith(page, ["iso=1", "sel="]);
  await reload(page, errors);
  assert.deepEqual(await hooks(page, (s) => s.selection()), want, "the selection after reload");
  assert.equal(await page.locator("#isolate").innerText(), "Show all", "still isolated after reload");
  await page.waitForTimeout(200);
  const again = await map.screenshot();
  const isoAgain = await pixelStats(page, again);
  const diff = await pixelDiff(page, isolated, again);
  t.diagnostic(`after reload: ${isoAgain.drawn} drawn pixels, ${diff} differ from before`);
  assert.ok(Math.abs(isoAgain.drawn - iso.drawn) <= 0.05 * iso.drawn, `the same isolated picture after reload (${isoAgain.drawn} vs ${iso.drawn} drawn pixels)`);
  assert.ok(diff <= 0.1 * iso.drawn, `${diff} pixels differ from the picture before the reload`);
  assert.deepEqual((await screenPositions(page, 1797)).flatMap((p, i) => (p ? [i] : [])), want);
  // "Show all": every point back, and the URL no longer isolates
  await page.locator("#isolate").click();
  await page.waitForTimeout(200);
  const shown = await pixelStats(page, await map.screenshot());
  assert.ok(Math.abs(shown.drawn - all.drawn) <= 0.05 * all.drawn, `every point drawn again (${shown.drawn} vs ${all.drawn})`);
  await page.waitForFunction(() => !location.hash.includes("iso=1"), null, { timeout: 5000 });
  await page.keyboard.press("Escape");
  assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], "no page errors");
});

test("colour by a numeric column: a gradient legend with the column's min and max, and point colours that follow the value", { skip, timeout: 90000 }, async (t) => {
  const { page, errors, data, dir, map, box } = session();
  // the digits as a vectors TSV and a metadata TSV whose "ink" column is each image's total ink
  const ink = Array.from({ length: data.n }, (_, i) => data.vectors.subarray(i * data.dim, (i + 1) * data.dim).reduce((a, b) => a + b, 0));
  const labels = data.columns[data.colorColumn]!.values;
  const vec = join(dir, "digits-vectors.tsv"), meta = join(dir, "digits-metadata.tsv");
  writeFileSync(vec, Array.from({ length: data.n }, (_, i) => Array.from(data.vectors.subarray(i * data.dim, (i + 1) * data.dim)).join("\t")).join("\n") + "\n");
  writeFileSync(meta, "label\tink\n" + labels.map((l, i) => `${l}\t${ink[i]}`).join("\n") + "\n");
  server2 = await startStudioServer({ paths: [vec, meta], port: 0, host: "127.0.0.1", staticDir: dir });
  await page.goto(server2.url);
  await ready(page, errors);
  const sum = await hooks(page, (s) => s.summary());
  assert.deepEqual(sum.columns.map((c) => [c.name, c.kind]), [["label", "categorical"], ["ink", "numeric"]]);
  await page.locator("#colour-column").selectOption({ label: "ink · numeric" });
  const legend = await hooks(page, (s) => s.legend()) as unknown as { kind: string; column: string; min: number; max: number; missing: number; ticks: { value: number; label: string }[] };
  const lo = Math.min(...ink), hi = Math.max(...ink);
  assert.deepEqual([legend.kind, legend.column, legend.min, legend.max, legend.missing], ["numeric", "ink", lo, hi, 0]);
  // the legend a person sees: a gradient from viridis's purple to its yellow, ticks in order, the range in words
  const gradient = await page.locator("#legend .gradient").evaluate((e) => getComputedStyle(e).backgroundImage);
  assert.match(gradient, /^linear-gradient\(to right, rgb\(68, 1, 84\) 0%, .*rgb\(253, 231, 37\) 100%\)$/);
  const ticks = await page.locator("#legend .gradient-ticks span").allInnerTexts();
  assert.ok(ticks.length >= 3, `${ticks.length} ticks`);
  const tickValues = ticks.map(Number);
  assert.ok(tickValues.every((v, j) => Number.isFinite(v) && v >= lo && v <= hi && (j === 0 || v > tickValues[j - 1]!)), `ticks ${ticks.join(" ")} increase within [${lo}, ${hi}]`);
  assert.match(await page.locator("#legend .hint").first().innerText(), new RegExp(`^ink: ${lo} … ${hi}$`));
  // the points' colours on the screen: points with no other point near them show their own colour at their centre
  await page.waitForTimeout(200);
  const png = await map.screenshot();
  const pos = await screenPositions(page, data.n);
  const alone: number[] = [];
  pos.forEach((p, i) => {
    if (!p || p[0] < 10 || p[0] > box.width - 10 || p[1] < 60 || p[1] > box.height - 10) return;
    if (pos.every((q, j) => j === i || !q || Math.hypot(q[0] - p[0], q[1] - p[1]) > 9)) alone.push(i);
  });
  const rgb = await pixelsAt(page, png, alone.map((i) => pos[i]!));
  // each colour's place on the scale: the nearest colour of viridis
  const scale = Array.from({ length: 1021 }, (_, j) => viridis(j / 1020));
  const place = rgb.map((c) => {
    let best = 0, bestD = Infinity;
    scale.forEach((s, j) => {
      const d = Math.abs(s[0] - c[0]) + Math.abs(s[1] - c[1]) + Math.abs(s[2] - c[2]);
      if (d < bestD) { bestD = d; best = j; }
    });
    return { t: best / 1020, d: bestD };
  });
  const samples = alone.map((i, k) => ({ i, value: ink[i]!, expect: (ink[i]! - lo) / (hi - lo), ...place[k]!, rgb: rgb[k]! })).sort((a, b) => a.value - b.value);
  const distinct = new Set(samples.map((s) => s.rgb.join(","))).size;
  t.diagnostic(`${samples.length} points alone on the screen, ink ${samples[0]?.value}…${samples.at(-1)?.value}, ${distinct} distinct colours; largest distance from the scale ${Math.max(...samples.map((s) => s.d))}, largest |t − expected| ${Math.max(...samples.map((s) => Math.abs(s.t - s.expect))).toFixed(3)}`);
  assert.ok(samples.length >= 15, `${samples.length} points with no other point near them`);
  assert.ok(samples.at(-1)!.expect - samples[0]!.expect >= 0.3, "they cover a good part of the range");
  assert.ok(distinct >= 8, `${distinct} distinct colours: a continuous scale`);
  for (const s of samples) {
    assert.ok(s.d <= 12, `point ${s.i}'s colour ${s.rgb} is on the scale (distance ${s.d})`);
    assert.ok(Math.abs(s.t - s.expect) <= 0.03, `point ${s.i} (ink ${s.value}) is coloured at ${s.t.toFixed(3)} of the scale, expected ${s.expect.toFixed(3)}`);
  }
  // monotone: more ink, never an earlier colour of the scale
  samples.forEach((s, k) => k === 0 || assert.ok(s.t >= samples[k - 1]!.t - 0.005, `ink ${samples[k - 1]!.value} → ${samples[k - 1]!.t.toFixed(3)}, ink ${s.value} → ${s.t.toFixed(3)}`));
  assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], "no page errors");
});

// The studio page's entry (bundled as dist/studio/studio.js): gets the data (from `latentkit studio`'s /api/files,
// or files dropped or picked in the static build), shows a map at once (the file's own coordinates, else PCA),
// coloured by the label column with its legend, builds the panels, restores the view from the URL hash, and keeps
// the hash in step. Test hooks: hooks.ts (globalThis.studio) and globalThis.studioReady.
import type { ComputeClientApi, PointRendererApi, StudioData } from "../types.js";
import { byId, fill } from "./dom.js";
import { askForFiles, download, fetchFiles, serverFiles } from "./files.js";
import { installHooks } from "./hooks.js";
import { InspectorPanel } from "./neighbours.js";
import { ColourPanel, DataPanel, setStatus } from "./panels.js";
import { createCompute, createRenderer, encodeMap, loadInputFiles, type InputFile, type MapFormat } from "./peers.js";
import { ProgressView, ProjectionPanel } from "./projection.js";
import { QualityView } from "./quality.js";
import { SearchPanel } from "./search-panel.js";
import { SelectionPanel, Toolbar } from "./selection.js";
import { Studio } from "./studio.js";
import { Tooltip } from "./tooltip.js";
import { readUrlState, restoreView, UrlSync } from "./viewstate.js";

const errors: string[] = [];
let renderer: PointRendererApi | null = null;
let compute: ComputeClientApi | null = null;
let fromServer = false;

function fail(message: string): void {
  errors.push(message);
  setStatus(message, true);
}

const nextFrame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

async function openFiles(files: InputFile[]): Promise<void> {
  setStatus(`reading ${files.map((f) => f.name).join(", ")}…`);
  const data = await loadInputFiles(files);
  await show(data);
}

/** Shows a data set: a fresh renderer and panels, the first map, then the URL's view. */
async function show(data: StudioData): Promise<void> {
  (globalThis as { studioReady?: boolean }).studioReady = false;
  renderer?.destroy();
  const canvas = byId<HTMLCanvasElement>("map");
  renderer = createRenderer(canvas, data.n);
  compute ??= createCompute();
  setStatus(`${data.n.toLocaleString("en-US")} points × ${data.dim} — sending to the worker…`);
  await compute.setData(data.n, data.dim, data.vectors);
  const s = new Studio(data, renderer, compute);
  s.on("error", () => fail(s.lastError ?? "error"));
  byId("title").textContent = data.name;
  document.title = `${data.name} — latentkit studio`;

  // panels
  const exportAs = (which: "map" | "selection") => (format: MapFormat): void => {
    try {
      const r = encodeMap(s.data, s.coords, s.projection, format, which === "selection" ? s.selectedIndices() : undefined);
      download(r.filename, r.body, r.mime);
    } catch (e) {
      fail((e as Error).message);
    }
  };
  let threads = "";
  try {
    const info = await compute.info();
    threads = `${info.variant}, ${info.threads} thread${info.threads === 1 ? "" : "s"}`;
  } catch { /* shown as unknown */ }
  const left = byId("left");
  const right = byId("right");
  const quality = new QualityView(s, byId("quality-badge"));
  fill(left,
    new ColourPanel(s).root,
    new ProjectionPanel(s).root,
    quality.root,
    new SearchPanel(s).root,
    new DataPanel(s, { exportMap: exportAs("map"), threads, ...(fromServer ? {} : { onOpen: () => askForFiles(openFiles) }) }).root);
  fill(right, new InspectorPanel(s).root, new SelectionPanel(s, exportAs("selection")).root);
  new ProgressView(byId("progress"), s);
  const toolbar = new Toolbar(byId("toolbar"), s);
  const tooltip = new Tooltip(byId("tooltip"), byId("stage"), s);
  const url = new UrlSync(s);

  // the map's interaction
  renderer.onHover = (i, x, y) => tooltip.show(i, x, y);
  renderer.onClick = (i, _x, _y, shift) => {
    if (i >= 0 && shift) s.selectIndices([i], true);
    else void s.inspect(i);
  };
  renderer.onSelect = (mask, add) => s.setSelection(mask, add);
  renderer.onCameraChange = () => url.schedule();
  canvas.addEventListener("mouseleave", () => tooltip.hide());
  document.onkeydown = (e) => {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (e.key === "l" || e.key === "L") toolbar.setTool("lasso");
    else if (e.key === "b" || e.key === "B") toolbar.setTool("box");
    else if (e.key === "n" || e.key === "N") toolbar.setTool("navigate");
    else if (e.key === "Escape") {
      toolbar.setTool("navigate");
      if (s.focus) void s.inspect(-1);
      else s.setSelection(null);
    } else if (e.key === "/") {
      e.preventDefault();
      document.getElementById("search-query")?.focus();
    }
  };

  // the first map: the file's own coordinates, else PCA; coloured by the label column
  s.setColour(data.colorColumn);
  renderer.setImages(data.images ?? null);
  setStatus(data.coords ? "" : "PCA…");
  await s.runProjection(data.coords ? "file" : "pca", { dims: data.coords?.dims ?? 2 });
  renderer.draw();
  const view = readUrlState(s);
  const restoring = view ? restoreView(s, view).catch((e: Error) => fail(`cannot restore the view in the URL: ${e.message}`)) : Promise.resolve();
  installHooks(s, { restoring, setTool: (t) => toolbar.setTool(t), errors });
  await nextFrame();
  renderer.draw();
  setStatus(`${data.n.toLocaleString("en-US")} points · ${data.dim} dimensions${threads ? ` · ${threads}` : ""}`);
  (globalThis as { studioReady?: boolean }).studioReady = true;
  void restoring.then(() => url.start());
}

async function boot(): Promise<void> {
  const files = await serverFiles();
  if (files && files.length > 0) {
    fromServer = true;
    await openFiles(await fetchFiles(files));
  } else {
    setStatus("no data yet: drop or pick files");
    askForFiles(openFiles);
  }
}

window.addEventListener("error", (e) => errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => errors.push(String((e.reason as Error)?.message ?? e.reason)));
boot().catch((e: Error) => fail(e.message));

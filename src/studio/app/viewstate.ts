// The view in the URL hash: projection and its parameters, colour column, camera, search, selection, isolate and the
// inspected point, so a reloaded or shared URL shows the same view. Written (debounced) on every change; read at load.
import { decode, encode, type ViewState } from "../data/state.js";
import type { Studio } from "./studio.js";

/** The studio's view as a ViewState. */
export function captureView(s: Studio): ViewState {
  // the shown map's parameters (a run that failed changed s.params only)
  const p = s.mapParams;
  const v: ViewState = { projection: s.projection, dims: s.coords.dims, camera: { ...s.camera() } };
  if (s.projection === "tsne") v.params = { perplexity: p.perplexity, seed: p.seed };
  if (s.projection === "umap") v.params = { nNeighbors: p.nNeighbors, minDist: p.minDist, seed: p.seed };
  // custom axes: the column, and each axis's two queries (y only when given: else PCA)
  if (s.projection === "custom") {
    const c = p.custom;
    v.custom = { column: c.column, xLeft: c.xLeft, xRight: c.xRight };
    if (c.regex) v.custom.regex = true;
    if (c.yDown !== "" || c.yUp !== "") {
      v.custom.yDown = c.yDown;
      v.custom.yUp = c.yUp;
    }
  }
  const colour = s.data.columns[s.colorColumn]?.name;
  if (colour !== undefined) v.color = colour;
  if (s.search) v.search = { query: s.search.query, column: s.search.column, regex: s.search.regex };
  if (s.selection) {
    v.selection = s.selectedIndices();
    if (s.isolate) v.isolate = true;
  }
  if (s.focus) {
    v.focus = s.focus.index;
    v.neighbours = { k: s.focus.k, metric: s.focus.metric, space: s.focus.space };
  }
  return v;
}

/** True when a state asks for a projection other than the one shown at load. */
export function needsProjection(s: Studio, v: ViewState): boolean {
  return v.projection !== undefined && (v.projection !== s.projection || (v.dims ?? s.coords.dims) !== s.coords.dims);
}

/**
 * Restores a view: the settings at once, then (when the state names another projection) runs it, and puts the
 * camera back once the map is there. Unknown columns or bad values were dropped by decode (a URL of other data).
 */
export async function restoreView(s: Studio, v: ViewState): Promise<void> {
  if (v.color !== undefined) {
    const c = s.data.columns.findIndex((col) => col.name === v.color);
    if (c >= 0) s.setColour(c);
  }
  if (v.search) {
    const col = v.search.column ?? s.data.columns[s.colorColumn]?.name;
    if (col !== undefined) s.runSearch(v.search.query, col, v.search.regex ?? false);
  }
  if (v.selection) {
    s.selectIndices(v.selection);
    if (v.isolate) s.setIsolate(true);
  }
  if (v.neighbours) s.neighbourDefaults = { ...s.neighbourDefaults, ...v.neighbours };
  if (v.projection && needsProjection(s, v)) {
    const params: Parameters<Studio["runProjection"]>[1] = { dims: v.dims ?? 2, ...(v.params ?? {}) };
    if (v.projection === "custom" && v.custom) {
      const c = v.custom;
      params.custom = { column: c.column ?? s.params.custom.column, regex: c.regex ?? false, xLeft: c.xLeft, xRight: c.xRight, yDown: c.yDown ?? "", yUp: c.yUp ?? "" };
    }
    if (v.projection !== "file" || s.data.coords) await s.runProjection(v.projection, params).catch(() => undefined);
  }
  if (v.camera) s.renderer.setCamera(v.camera);
  if (v.focus !== undefined) await s.inspect(v.focus);
}

/** Keeps location.hash in step with the view (replaceState: no history entry per change). */
export class UrlSync {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private enabled = false;

  constructor(private readonly studio: Studio) {
    studio.on("view", () => this.schedule());
  }

  /** Starts writing (after the URL's own state has been restored). */
  start(): void {
    this.enabled = true;
    this.schedule();
  }

  schedule(): void {
    if (!this.enabled) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.write(), 250);
  }

  write(): void {
    if (!this.enabled || this.studio.progress) return;
    const hash = "#" + encode(captureView(this.studio));
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }
}

export function readUrlState(s: Studio): ViewState | null {
  return location.hash.length > 1 ? decode(location.hash, { n: s.data.n, columns: s.data.columns.map((c) => c.name) }) : null;
}

// The view in the URL hash: projection and its parameters, colour column, camera, search, selection, isolate and the
// inspected point, so a reloaded or shared URL shows the same view. Written (debounced) on every change; read at load.
import type { CameraState, Projection } from "../types.js";
import { decodeViewState, encodeViewState, type ViewState } from "./peers.js";
import type { Studio } from "./studio.js";

/** The studio's view as a ViewState. */
export function captureView(s: Studio): ViewState {
  const p = s.params;
  const params: Record<string, number | string | boolean> = { dims: s.coords.dims };
  if (s.projection === "tsne") Object.assign(params, { perplexity: p.perplexity, seed: p.seed });
  if (s.projection === "umap") Object.assign(params, { nNeighbors: p.nNeighbors, minDist: p.minDist, seed: p.seed });
  if (s.projection === "custom") Object.assign(params, { column: p.custom.column, regex: p.custom.regex, xLeft: p.custom.xLeft, xRight: p.custom.xRight, yDown: p.custom.yDown, yUp: p.custom.yUp });
  const v: ViewState = {
    projection: s.projection,
    params,
    color: s.data.columns[s.colorColumn]?.name ?? "",
    camera: { ...s.camera() },
  };
  if (s.search) v.search = { query: s.search.query, column: s.search.column, regex: s.search.regex };
  if (s.selection) v.selection = Array.from(s.selectedIndices());
  if (s.isolate) v.isolate = true;
  if (s.focus) v.point = s.focus.index;
  return v;
}

/** True when a state asks for a projection other than the one shown at load. */
export function needsProjection(s: Studio, v: ViewState): boolean {
  return v.projection !== undefined && (v.projection !== s.projection || Number(v.params?.dims ?? s.coords.dims) !== s.coords.dims);
}

const PROJECTIONS = new Set<string>(["pca", "tsne", "umap", "custom", "file"]);

/**
 * Restores a view: the settings at once, then (when the state names another projection) runs it, and puts the
 * camera back once the map is there. Unknown columns or bad values are skipped (a shared URL of other data).
 */
export async function restoreView(s: Studio, v: ViewState): Promise<void> {
  if (v.color !== undefined) {
    const c = s.data.columns.findIndex((col) => col.name === v.color);
    s.setColour(v.color === "" ? -1 : c >= 0 ? c : s.colorColumn);
  }
  if (v.search && s.data.columns.some((c) => c.name === v.search!.column)) s.runSearch(v.search.query, v.search.column, v.search.regex);
  if (v.selection) s.selectIndices(v.selection.filter((i) => Number.isInteger(i) && i >= 0 && i < s.data.n));
  if (v.isolate) s.setIsolate(true);
  const p = v.params ?? {};
  const num = (k: string): number | undefined => (typeof p[k] === "number" && Number.isFinite(p[k]) ? (p[k] as number) : undefined);
  if (v.projection && PROJECTIONS.has(v.projection) && needsProjection(s, v)) {
    const dims = num("dims") === 3 ? 3 : 2;
    const params: Parameters<Studio["runProjection"]>[1] = { dims };
    for (const k of ["perplexity", "seed", "nNeighbors", "minDist"] as const) if (num(k) !== undefined) params[k] = num(k)!;
    if (v.projection === "custom") {
      const str = (k: string): string => (typeof p[k] === "string" ? (p[k] as string) : "");
      params.custom = { column: str("column") || s.params.custom.column, regex: p.regex === true, xLeft: str("xLeft"), xRight: str("xRight"), yDown: str("yDown"), yUp: str("yUp") };
    }
    if (v.projection !== "file" || s.data.coords) await s.runProjection(v.projection as Projection, params).catch(() => undefined);
  }
  if (v.camera) s.renderer.setCamera(v.camera as Partial<CameraState>);
  if (typeof v.point === "number" && v.point >= 0 && v.point < s.data.n) await s.inspect(v.point);
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
    const hash = "#" + encodeViewState(captureView(this.studio));
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }
}

export function readUrlState(): ViewState | null {
  return location.hash.length > 1 ? decodeViewState(location.hash) : null;
}

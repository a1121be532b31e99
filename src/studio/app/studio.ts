// The page's model: the loaded data, the current map, the colouring, the selection, the search, the inspected
// point and its neighbours, the running projection and the map's quality. The panels read it and call its methods;
// it drives the renderer and the compute worker and tells the panels what changed.
import { LatentkitError } from "../../core/errors.js";
import type { CameraState, ComputeClientApi, Coords, NeighbourResult, PointRendererApi, Projection, StudioData } from "../types.js";
import { categoriesOf, classCentroids, colourBy, type LegendModel } from "./legend.js";
import { indicesOf, maskOf, searchValues } from "./search.js";

export type Space = "original" | "map";
export type Metric = "cosine" | "euclidean";

/** The custom projection's four queries (TF Projector's "custom" tab): x from left to right, y from down to up. */
export interface CustomQueries {
  column: string;
  regex: boolean;
  xLeft: string;
  xRight: string;
  yDown: string;
  yUp: string;
}

export interface ProjectionParams {
  dims: 2 | 3;
  perplexity: number;
  seed: number;
  nNeighbors: number;
  minDist: number;
  custom: CustomQueries;
}

export interface Progress { name: Projection; stage: string; step: number; total: number; metrics: Record<string, number> }

export interface QualityState {
  pending: boolean;
  trustworthiness?: number;
  knnRecall?: number;
  sample?: number;
  k?: number;
  error?: string;
}

export interface SearchState { query: string; column: string; regex: boolean; hits: Int32Array; error?: string }

export interface FocusState {
  index: number;
  k: number;
  metric: Metric;
  space: Space;
  result: NeighbourResult | null;
  error?: string;
}

export type StudioEvent = "coords" | "projection" | "progress" | "colour" | "selection" | "search" | "focus" | "quality" | "view" | "error";

const LABEL_CLASSES = 60;

export class Studio {
  coords: Coords;
  projection: Projection;
  /** The parameters of the last run asked for (the panel's); a run that fails leaves them, not the map, changed. */
  params: ProjectionParams;
  /** The parameters of the map shown (what the URL describes). */
  mapParams: ProjectionParams;
  /** PCA's explained variance ratio per axis (when the map is PCA's). */
  explained: number[] | null = null;
  progress: Progress | null = null;
  /** The last projection stopped before it finished (its partial map is shown). */
  stopped = false;
  colorColumn: number;
  colours: Uint8Array = new Uint8Array(0);
  legend: LegendModel = { kind: "none" };
  selection: Uint8Array | null = null;
  selectedCount = 0;
  isolate = false;
  search: SearchState | null = null;
  focus: FocusState | null = null;
  neighbourDefaults: { k: number; metric: Metric; space: Space } = { k: 10, metric: "euclidean", space: "original" };
  quality: QualityState = { pending: false };
  lastError: string | null = null;

  private listeners = new Map<StudioEvent, Set<() => void>>();
  private running: { token: number; promise: Promise<Coords> } | null = null;
  private runToken = 0;
  private userStop = false;
  private qualityToken = 0;
  private qualityPromise: Promise<void> = Promise.resolve();
  private focusToken = 0;

  constructor(readonly data: StudioData, readonly renderer: PointRendererApi, readonly compute: ComputeClientApi) {
    this.colorColumn = data.colorColumn;
    this.projection = data.coords ? "file" : "pca";
    this.coords = data.coords ?? { dims: 2, values: new Float32Array(2 * data.n) };
    const label = data.columns[data.colorColumn]?.name ?? data.columns[0]?.name ?? "";
    this.params = {
      dims: data.coords?.dims ?? 2, perplexity: Math.min(30, Math.max(2, Math.floor((data.n - 1) / 3))), seed: 1,
      nNeighbors: Math.min(15, Math.max(2, data.n - 1)), minDist: 0.1,
      custom: { column: label, regex: false, xLeft: "", xRight: "", yDown: "", yUp: "" },
    };
    this.mapParams = this.params;
  }

  on(event: StudioEvent, fn: () => void): void {
    let s = this.listeners.get(event);
    if (!s) this.listeners.set(event, (s = new Set()));
    s.add(fn);
  }

  emit(event: StudioEvent): void {
    for (const fn of this.listeners.get(event) ?? []) fn();
    if (event !== "view" && event !== "progress" && event !== "error") for (const fn of this.listeners.get("view") ?? []) fn();
  }

  private error(message: string): void {
    this.lastError = message;
    this.emit("error");
  }

  get running_(): boolean {
    return this.running !== null;
  }

  // ---- projections ----

  /** Runs a projection on every point (cancelling a running one) and shows it; resolves with the map when done. */
  async runProjection(name: Projection, params: Partial<ProjectionParams> = {}): Promise<Coords> {
    this.params = { ...this.params, ...params, custom: { ...this.params.custom, ...(params.custom ?? {}) } };
    if (this.running) {
      this.compute.cancel();
      await this.running.promise.catch(() => undefined);
    }
    const token = ++this.runToken;
    this.userStop = false;
    this.stopped = false;
    const promise = this.project(name, token);
    this.running = { token, promise };
    this.progress = { name, stage: "starting", step: 0, total: 0, metrics: {} };
    this.emit("progress");
    try {
      return await promise;
    } finally {
      if (this.running?.token === token) {
        this.running = null;
        this.progress = null;
        this.emit("progress");
      }
    }
  }

  /** Stops the running projection; its last map stays. */
  stop(): void {
    if (!this.running) return;
    this.userStop = true;
    this.compute.cancel();
  }

  private async project(name: Projection, token: number): Promise<Coords> {
    const p = this.params;
    const live = (u: { stage: string; step: number; total: number; coords: Coords; metrics: Record<string, number> }): void => {
      if (token !== this.runToken) return;
      this.progress = { name, stage: u.stage, step: u.step, total: u.total, metrics: u.metrics };
      this.showCoords(u.coords, true, false);
      this.emit("progress");
    };
    let coords: Coords;
    let explained: number[] | null = null;
    try {
      if (name === "pca") {
        const r = await this.compute.pca(p.dims);
        coords = r.coords;
        explained = r.explainedVarianceRatio;
      } else if (name === "tsne") {
        coords = await this.compute.tsne({ dims: p.dims, perplexity: p.perplexity, seed: p.seed }, live);
      } else if (name === "umap") {
        coords = await this.compute.umap({ dims: p.dims, nNeighbors: p.nNeighbors, minDist: p.minDist, seed: p.seed }, live);
      } else if (name === "custom") {
        coords = await this.compute.customAxes(this.customQueryIndices());
      } else {
        if (!this.data.coords) throw new LatentkitError(`${this.data.name} has no coordinates of its own (its vectors have ${this.data.dim} columns)`);
        coords = this.data.coords;
      }
    } catch (e) {
      if ((e as Error).name === "CancelledError" && this.userStop && token === this.runToken) {
        // stopped by the person: the partial map stays, and is what the quality and the URL describe
        this.stopped = true;
        this.finish(name, p, this.coords, null);
        return this.coords;
      }
      if ((e as Error).name !== "CancelledError") {
        // "custom axes: …" names itself; the others get the projection's name in front
        const m = (e as Error).message;
        this.error(m.startsWith(`${name} `) ? m : `${name}: ${m}`);
      }
      throw e;
    }
    if (token === this.runToken) this.finish(name, p, coords, explained);
    return coords;
  }

  private finish(name: Projection, params: ProjectionParams, coords: Coords, explained: number[] | null): void {
    this.projection = name;
    this.mapParams = params;
    this.explained = explained;
    const dimsChanged = coords.dims !== this.coords.dims;
    this.showCoords(coords, true, true);
    if (dimsChanged || this.renderer.getCamera().mode !== (coords.dims === 3 ? "3d" : "2d")) this.renderer.setCamera({ mode: coords.dims === 3 ? "3d" : "2d" });
    this.emit("projection");
    void this.refreshQuality();
    if (this.focus?.space === "map") void this.inspect(this.focus.index);
  }

  private showCoords(coords: Coords, fit: boolean, final: boolean): void {
    this.coords = coords;
    this.renderer.setPositions(coords, fit);
    if (final) this.updateLabels();
    this.emit("coords");
  }

  /** The point sets of the custom axes' queries. */
  customQueryIndices(): { xPositive: Int32Array; xNegative: Int32Array; yPositive?: Int32Array; yNegative?: Int32Array } {
    const q = this.params.custom;
    const col = this.columnIndex(q.column);
    const values = this.data.columns[col]!.values;
    const find = (axis: string, query: string): Int32Array => {
      const hits = searchValues(values, query, q.regex);
      if (hits.length === 0) throw new LatentkitError(`custom axes: the ${axis} query ${JSON.stringify(query)} matches no value of column ${q.column}`);
      return hits;
    };
    if (q.xLeft === "" || q.xRight === "") throw new LatentkitError("custom axes: the x axis needs a left and a right query");
    const out: { xPositive: Int32Array; xNegative: Int32Array; yPositive?: Int32Array; yNegative?: Int32Array } = {
      xPositive: find("right", q.xRight), xNegative: find("left", q.xLeft),
    };
    if (q.yUp !== "" || q.yDown !== "") {
      if (q.yUp === "" || q.yDown === "") throw new LatentkitError("custom axes: the y axis needs both an up and a down query (or neither: then PCA)");
      out.yPositive = find("up", q.yUp);
      out.yNegative = find("down", q.yDown);
    }
    return out;
  }

  /** 2-D or 3-D: the same projection in the other dimension (a file's own 2-D map becomes PCA in 3-D). */
  async setDims(dims: 2 | 3): Promise<Coords> {
    if (dims === this.coords.dims && !this.running) return this.coords;
    let name = this.projection;
    if (name === "custom" && dims === 3) name = "pca";
    if (name === "file" && this.data.coords?.dims !== dims) name = "pca";
    if (name === "pca" && this.data.coords?.dims === dims && this.projection === "file") name = "file";
    return this.runProjection(name, { dims });
  }

  // ---- colour, labels ----

  columnIndex(name: string): number {
    const i = this.data.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new LatentkitError(`${this.data.name} has no column ${JSON.stringify(name)} (columns: ${this.data.columns.map((c) => c.name).join(", ") || "none"})`);
    return i;
  }

  setColour(column: number): void {
    this.colorColumn = column;
    const r = colourBy(this.data.n, this.data.columns[column]);
    this.colours = r.rgba;
    this.legend = r.legend;
    this.renderer.setColors(r.rgba);
    this.updateLabels();
    this.emit("colour");
  }

  /** Class labels at the class centroids (categorical colouring with at most 60 classes), of the visible points. */
  updateLabels(): void {
    const col = this.data.columns[this.colorColumn];
    if (!col || col.kind !== "categorical" || this.coords.values.length !== this.data.n * this.coords.dims) {
      this.renderer.setLabels([]);
      return;
    }
    const { categories, codes } = categoriesOf(col);
    this.renderer.setLabels(categories.length <= LABEL_CLASSES ? classCentroids(this.coords, codes, categories, this.isolate ? this.selection : null) : []);
  }

  // ---- selection ----

  /** Sets (or with add, extends) the selection; an empty mask or null clears it. */
  setSelection(mask: Uint8Array | null, add = false): void {
    let m = mask;
    if (m && add && this.selection) {
      const u = this.selection.slice();
      for (let i = 0; i < u.length; i++) if (m[i]) u[i] = 1;
      m = u;
    }
    let count = 0;
    if (m) for (let i = 0; i < m.length; i++) count += m[i] ? 1 : 0;
    if (count === 0) m = null;
    this.selection = m;
    this.selectedCount = count;
    this.renderer.setSelection(m);
    if (!m && this.isolate) this.isolate = false;
    this.renderer.setVisible(this.isolate ? m : null);
    this.updateLabels();
    this.emit("selection");
  }

  selectIndices(indices: ArrayLike<number>, add = false): void {
    this.setSelection(maskOf(this.data.n, indices), add);
  }

  /** Selects the points of one class of the colour column. */
  selectClass(code: number, add = false): void {
    const col = this.data.columns[this.colorColumn];
    if (!col) return;
    const { codes } = categoriesOf(col);
    const m = new Uint8Array(this.data.n);
    for (let i = 0; i < m.length; i++) if (codes[i] === code) m[i] = 1;
    this.setSelection(m, add);
  }

  selectedIndices(): Int32Array {
    return this.selection ? indicesOf(this.selection) : new Int32Array(0);
  }

  setIsolate(on: boolean): void {
    this.isolate = on && this.selection !== null;
    this.renderer.setVisible(this.isolate ? this.selection : null);
    this.updateLabels();
    this.emit("selection");
  }

  // ---- search ----

  /** Searches a column; the matches are highlighted. An empty query clears the search. */
  runSearch(query: string, column: string, regex = false): Int32Array {
    if (query === "") {
      this.search = null;
      this.applyHighlight();
      this.emit("search");
      return new Int32Array(0);
    }
    let hits: Int32Array = new Int32Array(0);
    let error: string | undefined;
    try {
      hits = searchValues(this.data.columns[this.columnIndex(column)]!.values, query, regex);
    } catch (e) {
      error = (e as Error).message;
    }
    this.search = { query, column, regex, hits, ...(error ? { error } : {}) };
    this.applyHighlight();
    this.emit("search");
    return hits;
  }

  // ---- the inspected point and its neighbours ----

  /** Inspects point i (-1: none) and finds its neighbours with the current (or given) settings. */
  async inspect(i: number, opts: Partial<{ k: number; metric: Metric; space: Space }> = {}): Promise<NeighbourResult | null> {
    const token = ++this.focusToken;
    if (i < 0 || i >= this.data.n) {
      this.focus = null;
      this.applyHighlight();
      this.emit("focus");
      return null;
    }
    this.neighbourDefaults = { ...this.neighbourDefaults, ...opts };
    const { k, metric, space } = this.neighbourDefaults;
    this.focus = { index: i, k, metric, space, result: null };
    this.applyHighlight();
    this.emit("focus");
    try {
      const kk = Math.max(1, Math.min(k, this.data.n - 1));
      const result = await this.compute.neighbours(i, kk, metric, space === "map" ? { map: this.coords } : {});
      if (token !== this.focusToken) return result;
      this.focus = { index: i, k, metric, space, result };
    } catch (e) {
      if (token !== this.focusToken) return null;
      this.focus = { index: i, k, metric, space, result: null, error: (e as Error).message };
    }
    this.applyHighlight();
    this.emit("focus");
    return this.focus.result;
  }

  /** Highlight: the inspected point with its neighbours, else the search matches. */
  applyHighlight(): void {
    if (this.focus) {
      const nb = this.focus.result?.indices ?? new Int32Array(0);
      const h = new Int32Array(nb.length + 1);
      h[0] = this.focus.index;
      h.set(nb, 1);
      this.renderer.setHighlight(h, this.focus.index);
    } else if (this.search && this.search.hits.length > 0) {
      this.renderer.setHighlight(this.search.hits);
    } else {
      this.renderer.setHighlight(null);
    }
  }

  // ---- quality ----

  /** Trustworthiness and kNN recall of the current map (on a sample, in the worker). */
  refreshQuality(): Promise<void> {
    const token = ++this.qualityToken;
    const coords = this.coords;
    this.quality = { pending: true };
    this.emit("quality");
    const k = Math.max(1, Math.min(10, this.data.n - 2));
    this.qualityPromise = this.compute.quality(coords, { sample: Math.min(this.data.n, 2000), k, seed: 0 }).then((q) => {
      if (token !== this.qualityToken) return;
      this.quality = { pending: false, ...q };
      this.emit("quality");
    }, (e: Error) => {
      if (token !== this.qualityToken) return;
      this.quality = { pending: false, error: e.message };
      this.emit("quality");
    });
    return this.qualityPromise;
  }

  /** Resolves once the quality of the current map is known. */
  async settledQuality(): Promise<QualityState> {
    let p: Promise<void>;
    do {
      p = this.qualityPromise;
      await p;
    } while (p !== this.qualityPromise);
    return this.quality;
  }

  camera(): CameraState {
    return this.renderer.getCamera();
  }

  /** Resolves when no projection runs. */
  async idle(): Promise<void> {
    while (this.running) await this.running.promise.catch(() => undefined);
  }
}

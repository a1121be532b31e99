// The page's test hooks, on globalThis.studio (test/browser/studio.test.ts and scripts/studio-screenshots.mjs use
// them; a person can too, from the console). Everything a hook does goes through the same Studio methods as the
// panels, so what a hook sets is what the page shows.
//
//   summary()                      → { name, n, dim, columns: [{ name, kind, values }], colorColumn (name | null),
//                                      projection, dims, images: [w, h] | null }
//   coords()                       → { dims, values: number[] }   the current map, n × dims row-major
//   legend()                       → the legend: { kind: "categorical", column, entries: [{ value, code, colour, count }] }
//                                      | { kind: "numeric", column, min, max, missing, … } | { kind: "none" }
//   search(query, column, regex?)  → number[]   indices of the matches (highlighted; the panel shows the count)
//   neighbours(i, k, metric, space)→ Promise<{ indices: number[], distances: number[] }>   metric "cosine" |
//                                      "euclidean", space "original" | "map"; shown in the inspector, highlighted
//   runProjection(name, params?)   → Promise<{ dims, values }>   "pca" | "tsne" | "umap" | "custom" | "file"; params
//                                      as ProjectionParams (dims, perplexity, seed, nNeighbors, minDist, custom)
//   stop()                         stops a running projection (its partial map stays)
//   quality()                      → Promise<{ trustworthiness, knnRecall, sample, k }> of the current map
//   exportMap(format, which?)      → string (tsv, json) or number[] (npy bytes); which = "map" (default) | "selection"
//   setDims(2 | 3)                 → Promise<{ dims, values }>
//   selection()                    → number[]   selected indices
//   select(indices, add?) / clearSelection() / isolate(on) / setColour(columnName | null) / setTool(tool)
//   camera() / setCamera(partial)  the renderer's CameraState
//   project(i)                     → [x, y] CSS pixels of point i in the map's canvas, or null
//   explained()                    → PCA's explained variance ratios, or null
//   viewState()                    → the state the URL hash holds
//   idle()                         → Promise: resolves when no projection runs and the URL's view is restored
//   lastFrame                      → the renderer's stats(): { frames, lastFrameMs }
//   errors                         → messages the page showed in its status line
// globalThis.studioReady is true once the first map is drawn.
import type { CameraState, Coords, Projection } from "../types.js";
import { encodeMap, type MapFormat } from "./peers.js";
import type { Tool } from "./selection.js";
import type { Metric, ProjectionParams, Space, Studio } from "./studio.js";
import { captureView } from "./viewstate.js";

const plain = (c: Coords): { dims: number; values: number[] } => ({ dims: c.dims, values: Array.from(c.values) });

export function installHooks(s: Studio, opts: { restoring: Promise<void>; setTool: (t: Tool) => void; errors: string[] }): void {
  const hooks = {
    summary: () => ({
      name: s.data.name, n: s.data.n, dim: s.data.dim,
      columns: s.data.columns.map((c) => ({ name: c.name, kind: c.kind, values: c.values.length })),
      colorColumn: s.data.columns[s.colorColumn]?.name ?? null, projection: s.projection, dims: s.coords.dims,
      images: s.data.images ? [s.data.images.width, s.data.images.height] : null,
    }),
    coords: () => plain(s.coords),
    legend: () => s.legend,
    search: (query: string, column: string, regex = false) => Array.from(s.runSearch(query, column, regex)),
    neighbours: async (i: number, k: number, metric: Metric = "euclidean", space: Space = "original") => {
      const r = await s.inspect(i, { k, metric, space });
      if (!r) throw new Error(s.focus?.error ?? `no neighbours for point ${i}`);
      return { indices: Array.from(r.indices), distances: Array.from(r.distances) };
    },
    runProjection: async (name: Projection, params: Partial<ProjectionParams> = {}) => plain(await s.runProjection(name, params)),
    stop: () => s.stop(),
    quality: () => s.settledQuality(),
    exportMap: (format: MapFormat, which: "map" | "selection" = "map") => {
      const r = encodeMap(s.data, s.coords, s.projection, format, which === "selection" ? s.selectedIndices() : undefined);
      return typeof r.body === "string" ? r.body : Array.from(r.body);
    },
    setDims: async (d: 2 | 3) => plain(await s.setDims(d)),
    selection: () => Array.from(s.selectedIndices()),
    select: (indices: number[], add = false) => s.selectIndices(indices, add),
    clearSelection: () => s.setSelection(null),
    isolate: (on: boolean) => s.setIsolate(on),
    setColour: (name: string | null) => s.setColour(name === null ? -1 : s.columnIndex(name)),
    setTool: (t: Tool) => opts.setTool(t),
    camera: () => s.camera(),
    setCamera: (c: Partial<CameraState>) => s.renderer.setCamera(c),
    project: (i: number) => s.renderer.project(i),
    explained: () => s.explained,
    viewState: () => captureView(s),
    idle: async () => {
      await opts.restoring;
      await s.idle();
    },
    get lastFrame() {
      return s.renderer.stats();
    },
    errors: opts.errors,
  };
  (globalThis as unknown as { studio: typeof hooks }).studio = hooks;
}

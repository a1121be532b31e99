// The studio's shared types: the data a page holds, the renderer's interface, the compute worker's client.
// Three parts of the studio meet here (src/studio/data + app, src/studio/render, src/studio/compute); change this
// file only with the lead's agreement, and keep it free of DOM-only code so Node tests can import it.

/** One metadata column, as read from the file (the label column, a split, a word, …). */
export interface Column {
  name: string;
  /** "categorical" when the values are not all numbers or there are few distinct ones; else "numeric". */
  kind: "categorical" | "numeric";
  /** The raw strings, one per point. */
  values: string[];
  /** Categorical: the distinct values in first-seen order, and each point's index into them. */
  categories?: string[];
  codes?: Int32Array;
  /** Numeric: each point's value (NaN where missing). */
  numbers?: Float64Array;
}

/** Grey images, one per point, for thumbnails and sprites. */
export interface Images {
  width: number;
  height: number;
  /** n × height × width bytes, 0 = black … 255 = white (IDX files are stored as they are). */
  pixels: Uint8Array;
}

/** Everything the studio knows of a data set once loaded: made by src/studio/data/load.ts from files or bytes. */
export interface StudioData {
  /** Shown in the title: the file name(s). */
  name: string;
  n: number;
  dim: number;
  /** n × dim, row-major: the original space (what projections, neighbours and quality use). */
  vectors: Float32Array;
  /** Metadata columns, each of length n. */
  columns: Column[];
  /** The column to colour by at load (the label column), or -1. */
  colorColumn: number;
  /** The file's own coordinates, when its vectors have 2 or 3 columns (then vectors holds them too). */
  coords?: { dims: 2 | 3; values: Float32Array };
  images?: Images;
}

/** A map: n points in 2 or 3 dimensions, row-major. */
export interface Coords {
  dims: 2 | 3;
  values: Float32Array;
}

export type Projection = "pca" | "tsne" | "umap" | "custom" | "file";

/** The renderer's camera, enough to restore a view (it goes into the URL). */
export interface CameraState {
  mode: "2d" | "3d";
  /** 2-D: centre (x, y) and zoom; 3-D: target, yaw, pitch, distance. Data coordinates, normalised by the renderer. */
  center: [number, number, number];
  zoom: number;
  yaw: number;
  pitch: number;
}

/** What the WebGL2 point renderer (src/studio/render/renderer.ts, class PointRenderer) offers the app. */
export interface PointRendererApi {
  /** New positions (n × dims). The first call, or fit = true, frames them in the view. */
  setPositions(coords: Coords, fit?: boolean): void;
  /** n × 4 RGBA bytes. */
  setColors(rgba: Uint8Array): void;
  /** 1 = selected. null = no selection. Unselected points are drawn grey and faint while a selection exists. */
  setSelection(mask: Uint8Array | null): void;
  /** Points drawn larger and on top (search hits, neighbours, the clicked point); null clears. */
  setHighlight(indices: Int32Array | null, focus?: number): void;
  /** 0 = hidden ("isolate selection"); null shows all. */
  setVisible(mask: Uint8Array | null): void;
  /** Thumbnails as sprites at high zoom (null: dots only). */
  setImages(images: Images | null): void;
  /** Text labels placed in data coordinates (cluster or class labels at low zoom). */
  setLabels(labels: { text: string; position: [number, number, number] }[]): void;
  getCamera(): CameraState;
  setCamera(c: Partial<CameraState>): void;
  /** The point under a canvas pixel (CSS pixels), within a few pixels, or -1. */
  pick(x: number, y: number): number;
  /** Points whose screen position falls inside a polygon (CSS pixels; a box is 4 corners): a mask of n. */
  selectPolygon(polygon: [number, number][]): Uint8Array;
  /** Screen position (CSS pixels) of point i, for tooltips. */
  project(i: number): [number, number] | null;
  /** Interaction: hover and click on points (index or -1), and any camera change (for the URL). */
  onHover?: (i: number, x: number, y: number) => void;
  onClick?: (i: number, x: number, y: number, shift: boolean) => void;
  onCameraChange?: (c: CameraState) => void;
  /** Draw now (the renderer also redraws itself on changes, once per animation frame). */
  draw(): void;
  /** Frames drawn and the time they took, for the fps benchmark. */
  stats(): { frames: number; lastFrameMs: number };
  /** While true, mouse drags draw a lasso (or a box with `box`) instead of moving the camera. */
  setTool(tool: "navigate" | "lasso" | "box"): void;
  /** Called with the mask of a finished lasso/box (shift held: add to the selection). */
  onSelect?: (mask: Uint8Array, add: boolean) => void;
  destroy(): void;
}

/** Progress of a running projection, with the current map for live updates. */
export interface ProjectionUpdate {
  stage: string;
  step: number;
  total: number;
  coords: Coords;
  metrics: Record<string, number>;
}

export interface PcaResult {
  coords: Coords;
  /** Explained variance ratio of each component kept (length = dims). */
  explainedVarianceRatio: number[];
}

export interface NeighbourResult {
  /** k neighbours of the query point, nearest first (the point itself left out). */
  indices: Int32Array;
  distances: Float32Array;
}

/** The main thread's handle on the compute worker (src/studio/compute/client.ts, class ComputeClient). */
export interface ComputeClientApi {
  /** Sends the vectors (copied) to the worker; resolves when it holds them. Any running job is cancelled. */
  setData(n: number, dim: number, vectors: Float32Array): Promise<void>;
  /** Exact PCA on every point, 2 or 3 components. */
  pca(dims: 2 | 3): Promise<PcaResult>;
  /** t-SNE on every point; onUpdate gets the map while it runs (a few times a second). Rejects on cancel(). */
  tsne(opts: { dims: 2 | 3; perplexity: number; seed: number; pcaDims?: number }, onUpdate?: (u: ProjectionUpdate) => void): Promise<Coords>;
  umap(opts: { dims: 2 | 3; nNeighbors: number; minDist: number; seed: number; pcaDims?: number }, onUpdate?: (u: ProjectionUpdate) => void): Promise<Coords>;
  /** Custom axes: x = projection on mean(xPositive) − mean(xNegative), y likewise (or PCA's first axis of the rest). */
  customAxes(q: { xPositive: Int32Array; xNegative: Int32Array; yPositive?: Int32Array; yNegative?: Int32Array }): Promise<Coords>;
  /** The k nearest neighbours of point i, in the original space or in a map. */
  neighbours(i: number, k: number, metric: "cosine" | "euclidean", space: { map?: Coords }): Promise<NeighbourResult>;
  /** Trustworthiness(k) and kNN recall(k) of a map against the original space, on a random sample of points. */
  quality(coords: Coords, opts?: { sample?: number; k?: number; seed?: number }): Promise<{ trustworthiness: number; knnRecall: number; sample: number; k: number }>;
  /** Stops the running projection (its promise rejects with an error whose name is "CancelledError"). */
  cancel(): void;
  /** Threads the worker's compute core runs on (2 when the page is cross-origin isolated), and its variant. */
  info(): Promise<{ threads: number; variant: string }>;
  terminate(): void;
}

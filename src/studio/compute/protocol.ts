// The messages between the studio page (ComputeClient, client.ts) and its compute worker (worker.ts). Every request
// carries an id; the worker answers it with exactly one "result" or "error" (and, for t-SNE/UMAP, "update"s before
// that). Big arrays travel as transferred ArrayBuffers, each copied once at most.
import type { Coords, NeighbourResult, PcaResult, ProjectionUpdate } from "../types.js";

export interface TsneRequestOptions {
  dims: 2 | 3;
  perplexity: number;
  seed: number;
  pcaDims?: number;
}

export interface UmapRequestOptions {
  dims: 2 | 3;
  nNeighbors: number;
  minDist: number;
  seed: number;
  pcaDims?: number;
}

export interface CustomAxesRequest {
  xPositive: Int32Array;
  xNegative: Int32Array;
  yPositive?: Int32Array;
  yNegative?: Int32Array;
}

export interface QualityValue {
  trustworthiness: number;
  knnRecall: number;
  sample: number;
  k: number;
}

export interface InfoValue {
  /** Threads jobs actually run on: 1 + the helper threads that are up (1 on a page that is not cross-origin isolated). */
  threads: number;
  variant: string;
  /** Whether the worker (and so the page) is cross-origin isolated. */
  isolated: boolean;
  /** Why the helper thread did not start, when it tried and failed. */
  helperError?: string;
}

/** Page → worker. `cancel` names the request to stop; it gets no answer of its own (the request rejects). */
export type Request =
  | { id: number; type: "setData"; n: number; dim: number; vectors: Float32Array }
  | { id: number; type: "pca"; dims: 2 | 3 }
  | { id: number; type: "tsne"; opts: TsneRequestOptions }
  | { id: number; type: "umap"; opts: UmapRequestOptions }
  | { id: number; type: "custom"; query: CustomAxesRequest }
  | { id: number; type: "neighbours"; i: number; k: number; metric: "cosine" | "euclidean"; map?: Coords }
  | { id: number; type: "quality"; coords: Coords; sample?: number; k?: number; seed?: number }
  | { id: number; type: "info" }
  | { id: number; type: "cancel" };

/** What each request resolves to. */
export interface ResultOf {
  setData: null;
  pca: PcaResult;
  tsne: Coords;
  umap: Coords;
  custom: Coords;
  neighbours: NeighbourResult;
  quality: QualityValue;
  info: InfoValue;
  cancel: null;
}

/** An error as it crosses the boundary: the client rebuilds a CancelledError or LatentkitError by name. */
export interface ErrorInfo {
  name: string;
  message: string;
}

/** Worker → page. */
export type Response =
  | { id: number; type: "result"; value: ResultOf[keyof ResultOf] }
  | { id: number; type: "error"; error: ErrorInfo }
  | { id: number; type: "update"; update: ProjectionUpdate };

/** Requests that run one at a time and cancel each other: the projections. */
export const PROJECTIONS: ReadonlySet<Request["type"]> = new Set(["pca", "tsne", "umap", "custom"]);

export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}

/** The ArrayBuffers of a value's typed arrays (to transfer them); each buffer once. */
export function transferables(...arrays: (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}

// Routes: the one place that decides, for each kind of work, between the WebAssembly core and plain TypeScript, and
// how many threads a WASM job uses. Every caller asks coreFor(work, ...) (null: take the TypeScript route) and
// partsFor(core, work, size); the sizes from which each work goes to WASM and spreads over the threads are the
// named THRESHOLDS below.
//
// The route is "auto" (WASM where the core is available, the case is supported and the work is big enough), unless
// forced: a call's or estimator's own option (matmul's `backend`, FftRepulsion's `backend`), else setRoute() for the
// whole process (tests, benchmarks). LATENTKIT_WASM=0 in the environment disables the core, so every route is
// TypeScript.
import { fail } from "./errors.js";
import { wasmCore, wasmCoreError, type WasmCore } from "./wasm/runtime.js";

/** "auto": WASM where it applies; "wasm": WASM wherever the case is supported (an error without the core); "ts". */
export type Route = "auto" | "wasm" | "ts";

/** Threshold of one kind of work, in its own unit of size. */
export interface Threshold {
  /** Sizes below this stay in TypeScript under "auto" (the copy into WASM memory would cost more). */
  readonly wasmFrom: number;
  /** WASM jobs of at least this size use all the core's threads; smaller ones run on the main thread only. */
  readonly parallelFrom: number;
  readonly unit: string;
}

/** The kinds of work with a WASM kernel. */
export type Work =
  | "gemm" | "rowNorms" | "knn" | "sqDistances" | "csrProduct" | "fft" | "tsneAttraction" | "tsneBarnesHut" | "tsneQuery"
  | "umapEpoch" | "word2vec" | "walks" | "nn" | "columns";

/** Where each work goes to WASM and where a job spreads over the threads (measured; see the benchmarks). */
export const THRESHOLDS: { readonly [W in Work]: Threshold } = {
  gemm: { wasmFrom: 24 * 24 * 24, parallelFrom: 96 * 96 * 96, unit: "multiply-adds" },
  rowNorms: { wasmFrom: 4096, parallelFrom: 1 << 20, unit: "matrix elements" },
  knn: { wasmFrom: 0, parallelFrom: 1 << 18, unit: "candidate pairs (query rows × points)" },
  sqDistances: { wasmFrom: 0, parallelFrom: 1 << 16, unit: "distances" },
  csrProduct: { wasmFrom: 0, parallelFrom: 1 << 14, unit: "outputs (rows × columns)" },
  // waking the helpers costs more than their share of a small grid
  fft: { wasmFrom: 0, parallelFrom: 384, unit: "grid side" },
  tsneAttraction: { wasmFrom: 0, parallelFrom: 1 << 18, unit: "edges of P" },
  tsneBarnesHut: { wasmFrom: 0, parallelFrom: 1000, unit: "points" },
  // TSNE.transform: new points against the fitted map's tree
  tsneQuery: { wasmFrom: 0, parallelFrom: 256, unit: "new points" },
  umapEpoch: { wasmFrom: 0, parallelFrom: 4096, unit: "edges" },
  word2vec: { wasmFrom: 0, parallelFrom: 0, unit: "tokens" },
  // one job is a chunk of walks; below this many steps the helpers' wake-up costs more than their share
  walks: { wasmFrom: 0, parallelFrom: 1 << 14, unit: "walk steps" },
  // the neural engine's route is chosen once for its tensors (src/nn/storage.ts); its GEMMs split from this size
  nn: { wasmFrom: 0, parallelFrom: 64 * 64 * 64, unit: "multiply-adds of a product" },
  // column sums and centring of a matrix already in WASM memory (PCA's passes before its products)
  columns: { wasmFrom: 1 << 14, parallelFrom: 1 << 18, unit: "matrix elements" },
};

let processRoute: Route = "auto";

/**
 * Forces the route of all work in this process: "ts" (TypeScript everywhere), "wasm" (an error where the core is
 * missing) or "auto" (the default). A call's own option, where it has one, still wins.
 */
export function setRoute(route: Route): void {
  if (route !== "auto" && route !== "wasm" && route !== "ts") fail(`route must be "auto", "wasm" or "ts", got ${String(route)}`);
  processRoute = route;
}

/** The route set by {@link setRoute}. */
export function currentRoute(): Route {
  return processRoute;
}

/**
 * Runs body with the process route forced to `route`, then restores the route before (tests). For an async body the
 * route is restored when its promise settles (other work started meanwhile sees the forced route too).
 */
export function withRoute<T>(route: Route, body: () => T): T {
  const before = processRoute;
  setRoute(route);
  let pending = false;
  try {
    const result = body();
    if (result instanceof Promise) {
      pending = true;
      return result.finally(() => {
        processRoute = before;
      }) as T;
    }
    return result;
  } finally {
    if (!pending) processRoute = before;
  }
}

export interface RouteQuery {
  /** The work's size in its unit (default: large). */
  size?: number;
  /** False where the kernel does not handle this case (float64 data, a 3-D UMAP, ...): TypeScript then. */
  supported?: boolean;
  /** The caller's own choice; "auto" defers to the process route. */
  route?: Route;
}

/** The WASM core to run `work` on, or null for the TypeScript route. */
export function coreFor(work: Work, q: RouteQuery = {}): WasmCore | null {
  const route = q.route && q.route !== "auto" ? q.route : processRoute;
  if (route === "ts" || q.supported === false) return null;
  const core = wasmCore();
  if (route === "wasm") {
    if (!core) fail(`${work}: the WebAssembly core is not available here (${wasmCoreError() ?? "unknown reason"})`);
    return core;
  }
  return core && (q.size ?? Infinity) >= THRESHOLDS[work].wasmFrom ? core : null;
}

/**
 * Participants for a WASM job of `work` of `size`: the core's threads (or `requested`, at most those) from the work's
 * parallel threshold on, else 1.
 */
export function partsFor(core: WasmCore, work: Work, size: number, requested?: number): number {
  if (size < THRESHOLDS[work].parallelFrom) return 1;
  return Math.max(1, Math.min(requested ?? core.threads, core.threads));
}

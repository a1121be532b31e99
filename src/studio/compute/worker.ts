// The studio's compute worker (a module Web Worker; bundled as dist/studio/compute-worker.js). It holds the data,
// runs the projections one at a time (a new one aborts the one before), answers neighbour and quality requests
// between the projection's steps, and posts live positions of a running t-SNE/UMAP map. Inside a worker the compute
// core may block in Atomics.wait, so it runs on 2 threads (its helper a nested worker, web-worker.js beside this
// bundle) when the page is cross-origin isolated, else on one.
import { fail, throwIfAborted } from "../../core/errors.js";
import type { Matrix } from "../../core/matrix.js";
import { initCore, kernelInfo } from "../../core/wasm/runtime.js";
import { columnMeans } from "../../core/estimator.js";
import {
  covariance, customAxesMap, dataMatrix, mapQuality, neighboursOf, pcaMap, reduceForMap, tsneMap, umapMap, type Reducer,
} from "./projections.js";
import { PROJECTIONS, errorInfo, transferables, type InfoValue, type Request, type Response } from "./protocol.js";
import type { Coords, ProjectionUpdate } from "../types.js";

interface WorkerScope {
  postMessage(message: Response, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = globalThis as unknown as WorkerScope;

const ready = initCore({ threads: 2 }).catch(() => kernelInfo());

let data: Matrix | null = null;
/** The data's covariance, for custom axes without y queries (computed once per data set). */
let cov: Float64Array | null = null;
/** The last PCA-reduced input of t-SNE/UMAP (another perplexity or seed on the same data skips the PCA). */
let reduced: { data: Matrix; dims: number; seed: number; input: Matrix } | null = null;
const reduceCached: Reducer = async (X, dims, seed, signal) => {
  if (dims === null) return X;
  if (reduced && reduced.data === X && reduced.dims === dims && reduced.seed === seed) return reduced.input;
  const input = await reduceForMap(X, dims, seed, signal);
  reduced = { data: X, dims, seed, input };
  return input;
};
/** Running and queued projections, by request id. */
const running = new Map<number, AbortController>();
/** The projections run one after the other. */
let lane: Promise<void> = Promise.resolve();

function post(r: Response, transfer: Transferable[] = []): void {
  scope.postMessage(r, transfer);
}

function requireData(): Matrix {
  if (!data) fail("studio compute: no data yet: call setData first");
  return data;
}

function coordsResult(id: number, c: Coords): void {
  post({ id, type: "result", value: c }, transferables(c.values));
}

async function info(): Promise<InfoValue> {
  const k = await ready;
  return {
    threads: k.variant === "none" ? 1 : 1 + k.helpers, variant: k.variant, isolated: scope.crossOriginIsolated === true,
    ...(k.helperError ? { helperError: k.helperError } : {}),
  };
}

async function projection(req: Request, signal: AbortSignal): Promise<void> {
  await ready;
  throwIfAborted(signal);
  const X = requireData();
  const update = (u: ProjectionUpdate): void => post({ id: req.id, type: "update", update: u }, transferables(u.coords.values));
  switch (req.type) {
    case "pca": {
      const r = await pcaMap(X, req.dims, signal);
      throwIfAborted(signal);
      post({ id: req.id, type: "result", value: r }, transferables(r.coords.values));
      return;
    }
    case "tsne":
      return coordsResult(req.id, await tsneMap(X, req.opts, update, signal, reduceCached));
    case "umap":
      return coordsResult(req.id, await umapMap(X, req.opts, update, signal, reduceCached));
    case "custom":
      return coordsResult(req.id, customAxesMap(X, req.query, () => (cov ??= covariance(X, columnMeans(X)))));
    default:
      fail(`studio compute: ${req.type} is not a projection`);
  }
}

async function quick(req: Request): Promise<void> {
  await ready;
  switch (req.type) {
    case "neighbours": {
      const r = neighboursOf(requireData(), req.i, req.k, req.metric, req.map);
      post({ id: req.id, type: "result", value: r }, transferables(r.indices, r.distances));
      return;
    }
    case "quality":
      post({
        id: req.id, type: "result", value: mapQuality(requireData(), req.coords, {
          ...(req.sample !== undefined ? { sample: req.sample } : {}), ...(req.k !== undefined ? { k: req.k } : {}),
          ...(req.seed !== undefined ? { seed: req.seed } : {}),
        }),
      });
      return;
    case "info":
      post({ id: req.id, type: "result", value: await info() });
      return;
    default:
      fail(`studio compute: unknown request ${JSON.stringify((req as { type?: unknown }).type)}`);
  }
}

scope.onmessage = (e: MessageEvent<Request>): void => {
  const req = e.data;
  const fails = (err: unknown): void => post({ id: req.id, type: "error", error: errorInfo(err) });
  if (req.type === "cancel") {
    running.get(req.id)?.abort();
    return;
  }
  if (req.type === "setData") {
    // the running projection works on the data it started with: stop it
    for (const c of running.values()) c.abort();
    try {
      data = dataMatrix(req.n, req.dim, req.vectors);
      cov = null;
      reduced = null;
      post({ id: req.id, type: "result", value: null });
    } catch (err) {
      fails(err);
    }
    return;
  }
  if (PROJECTIONS.has(req.type)) {
    // a new projection replaces the one before
    for (const c of running.values()) c.abort();
    const controller = new AbortController();
    running.set(req.id, controller);
    lane = lane.then(async () => {
      try {
        await projection(req, controller.signal);
      } catch (err) {
        fails(err);
      } finally {
        running.delete(req.id);
      }
    });
    return;
  }
  // neighbours, quality and info run at once (between a projection's steps, which yield every ~100 ms)
  quick(req).catch(fails);
};

// The page's handle on the compute worker (worker.ts): typed requests with ids, live updates, cancel. Browser code.
import { CancelledError, LatentkitError } from "../../core/errors.js";
import type { ComputeClientApi, Coords, NeighbourResult, PcaResult, ProjectionUpdate } from "../types.js";
import { PROJECTIONS, transferables, type ErrorInfo, type InfoValue, type QualityValue, type Request } from "./protocol.js";
import type { Response } from "./protocol.js";

/** How long a cancelled projection may take to stop before the worker is replaced by a fresh one. */
export const STOP_GRACE_MS = 1000;

/** A request's message, with fresh copies of its arrays on every call (a restart sends it again). */
type Build = () => { msg: Request; transfer: Transferable[] };

interface Pending {
  type: Request["type"];
  build: Build;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onUpdate?: ((u: ProjectionUpdate) => void) | undefined;
}

const NAMES: Record<string, string> = { pca: "PCA", tsne: "t-SNE", umap: "UMAP", custom: "custom axes" };

function rebuild(e: ErrorInfo): Error {
  if (e.name === "CancelledError") return new CancelledError(e.message);
  if (e.name === "LatentkitError") return new LatentkitError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * The studio's compute worker, from the main thread. Projections run one at a time: a new one (or setData) cancels
 * the running one, whose promise rejects with a CancelledError. cancel() rejects at once and asks the worker to stop,
 * which it does at the estimator's next step (within ~100 ms); a projection still busy after STOP_GRACE_MS (inside a
 * synchronous phase such as the kNN graph or a PCA) is stopped by replacing the worker with a fresh one, to which the
 * client sends the data again (it keeps a reference to the array given to setData for that: do not modify it) and
 * the requests still waiting.
 */
export class ComputeClient implements ComputeClientApi {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Cancelled projections the worker has not answered yet, with the timer that replaces it if it does not. */
  private readonly stopping = new Map<number, ReturnType<typeof setTimeout>>();
  private data: { n: number; dim: number; vectors: Float32Array } | null = null;
  private current = -1;
  private terminated = false;
  /** Workers started (1 + restarts after a cancel that did not stop in time). */
  workersStarted = 0;

  private readonly stopGraceMs: number;

  /** `opts.stopGraceMs`: how long a cancelled projection may take to stop before the worker is replaced (default STOP_GRACE_MS). */
  constructor(private readonly workerUrl: URL | string = new URL("./compute-worker.js", import.meta.url), opts: { stopGraceMs?: number } = {}) {
    this.stopGraceMs = opts.stopGraceMs ?? STOP_GRACE_MS;
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const w = new Worker(this.workerUrl, { type: "module" });
    this.workersStarted++;
    w.onmessage = (e: MessageEvent<Response>) => this.receive(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      this.failAll(new LatentkitError(`the studio's compute worker failed (${String(this.workerUrl)}): ${e.message || "it did not load"}`));
    };
    w.onmessageerror = () => this.failAll(new LatentkitError("the studio's compute worker sent a message that could not be read"));
    return w;
  }

  private receive(r: Response): void {
    const timer = this.stopping.get(r.id);
    if (timer !== undefined && r.type !== "update") {
      clearTimeout(timer);
      this.stopping.delete(r.id);
    }
    const p = this.pending.get(r.id);
    if (!p) return; // a cancelled request's late answer
    if (r.type === "update") {
      p.onUpdate?.(r.update);
      return;
    }
    this.pending.delete(r.id);
    if (r.id === this.current) this.current = -1;
    if (r.type === "result") p.resolve(r.value);
    else p.reject(rebuild(r.error));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.current = -1;
  }

  private request<T>(type: Request["type"], build: Build, onUpdate?: (u: ProjectionUpdate) => void): Promise<T> {
    if (this.terminated) return Promise.reject(new LatentkitError("the compute client was terminated"));
    if (PROJECTIONS.has(type) || type === "setData") this.cancel();
    return new Promise<T>((resolve, reject) => {
      const { msg, transfer } = build();
      this.pending.set(msg.id, { type, build, resolve: resolve as (v: unknown) => void, reject, onUpdate });
      if (PROJECTIONS.has(type)) this.current = msg.id;
      this.worker.postMessage(msg, transfer);
    });
  }

  private id(): number {
    return this.nextId++;
  }

  setData(n: number, dim: number, vectors: Float32Array): Promise<void> {
    this.data = { n, dim, vectors };
    const id = this.id();
    return this.request<null>("setData", () => {
      const copy = vectors.slice();
      return { msg: { id, type: "setData", n, dim, vectors: copy }, transfer: transferables(copy) };
    }).then(() => undefined);
  }

  pca(dims: 2 | 3): Promise<PcaResult> {
    const id = this.id();
    return this.request("pca", () => ({ msg: { id, type: "pca", dims }, transfer: [] }));
  }

  tsne(opts: { dims: 2 | 3; perplexity: number; seed: number; pcaDims?: number }, onUpdate?: (u: ProjectionUpdate) => void): Promise<Coords> {
    const id = this.id();
    const o = { ...opts };
    return this.request("tsne", () => ({ msg: { id, type: "tsne", opts: o }, transfer: [] }), onUpdate);
  }

  umap(opts: { dims: 2 | 3; nNeighbors: number; minDist: number; seed: number; pcaDims?: number }, onUpdate?: (u: ProjectionUpdate) => void): Promise<Coords> {
    const id = this.id();
    const o = { ...opts };
    return this.request("umap", () => ({ msg: { id, type: "umap", opts: o }, transfer: [] }), onUpdate);
  }

  customAxes(q: { xPositive: Int32Array; xNegative: Int32Array; yPositive?: Int32Array; yNegative?: Int32Array }): Promise<Coords> {
    const id = this.id();
    return this.request("custom", () => ({
      msg: {
        id, type: "custom", query: {
          xPositive: Int32Array.from(q.xPositive), xNegative: Int32Array.from(q.xNegative),
          ...(q.yPositive ? { yPositive: Int32Array.from(q.yPositive) } : {}), ...(q.yNegative ? { yNegative: Int32Array.from(q.yNegative) } : {}),
        },
      },
      transfer: [],
    }));
  }

  neighbours(i: number, k: number, metric: "cosine" | "euclidean", space: { map?: Coords }): Promise<NeighbourResult> {
    const id = this.id();
    return this.request("neighbours", () => {
      const map = space.map ? { dims: space.map.dims, values: space.map.values.slice() } : undefined;
      return { msg: { id, type: "neighbours", i, k, metric, ...(map ? { map } : {}) }, transfer: transferables(map?.values) };
    });
  }

  quality(coords: Coords, opts: { sample?: number; k?: number; seed?: number } = {}): Promise<QualityValue> {
    const id = this.id();
    return this.request("quality", () => {
      const c = { dims: coords.dims, values: coords.values.slice() };
      return { msg: { id, type: "quality", coords: c, ...opts }, transfer: transferables(c.values) };
    });
  }

  /** Threads (1 + helper threads up), the kernel variant, and whether the worker is cross-origin isolated. */
  info(): Promise<InfoValue> {
    const id = this.id();
    return this.request("info", () => ({ msg: { id, type: "info" }, transfer: [] }));
  }

  cancel(): void {
    const id = this.current;
    if (id < 0) return;
    this.current = -1;
    const p = this.pending.get(id);
    this.pending.delete(id);
    this.worker.postMessage({ id, type: "cancel" } satisfies Request);
    p?.reject(new CancelledError(`${NAMES[p.type] ?? p.type} was cancelled`));
    this.stopping.set(id, setTimeout(() => {
      if (this.stopping.delete(id)) this.restart();
    }, this.stopGraceMs));
  }

  /** Replaces a worker stuck in a cancelled job: the data and the requests still waiting go to a fresh one. */
  private restart(): void {
    if (this.terminated) return;
    this.worker.terminate();
    for (const t of this.stopping.values()) clearTimeout(t);
    this.stopping.clear();
    this.worker = this.spawn();
    // the data first (unless a setData still waiting sends it), then every request still waiting, in order
    const waitingData = [...this.pending.values()].some((p) => p.type === "setData");
    if (this.data && !waitingData) {
      const copy = this.data.vectors.slice();
      this.worker.postMessage({ id: this.id(), type: "setData", n: this.data.n, dim: this.data.dim, vectors: copy } satisfies Request, transferables(copy));
    }
    for (const p of this.pending.values()) {
      const { msg, transfer } = p.build();
      this.worker.postMessage(msg, transfer);
    }
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    for (const t of this.stopping.values()) clearTimeout(t);
    this.stopping.clear();
    this.worker.terminate();
    this.failAll(new CancelledError("the compute client was terminated"));
  }
}

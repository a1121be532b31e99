// The WebAssembly side of the compute core: one shared linear memory, a small allocator over it, and a pool of
// worker threads that run parts of a job while the main thread runs its own part and waits with Atomics.wait.
// Everything here is optional: when WebAssembly SIMD or shared memory is unavailable, callers use plain TypeScript.
// In Node the helpers are worker_threads (worker.ts), started synchronously on the first parallel job. In a browser
// they are module Web Workers (web-worker.ts), only on a cross-origin isolated page; they start asynchronously
// (initCore), and jobs run on one thread until they are up. A page's main thread may not block in Atomics.wait, so
// there it spins on the job's counter while the helpers finish their parts (see docs/ARCHITECTURE.md, "Browser-safe core").
import { CALL_BLOCK, CALL_BLOCK_SLOTS, HEAP_BASE } from "../../../assembly/abi.js";
import { LatentkitError, describeValue } from "../errors.js";
import { KERNELS_FMA_WASM_BASE64, KERNELS_WASM_BASE64 } from "./kernels-binary.js";
import {
  CTL_ERROR, CTL_GEN, CTL_INTS, CTL_OP, CTL_PARAMS, CTL_PARTS, CTL_PENDING, CTL_READY, CTL_STARTED, MAX_PARTS, opId,
  runPart,
  type KernelExports, type PartKernel,
} from "./jobs.js";

const PAGE = 65536;
/** Longest a single parallel job may take (the largest measured is well under a second). */
const JOB_LIMIT_MS = 300000;
// Memory layout (assembly/abi.ts): the control block and the call block, the module's static data (none today;
// the build checks it ends before HEAP_BASE), then the allocator's heap from HEAP_BASE.

export interface WasmCore {
  readonly kernels: KernelExports;
  readonly memory: WebAssembly.Memory;
  /** Float32 view of the whole memory (renewed after growth). */
  f32(): Float32Array;
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Participants (main thread + helpers) a parallel job may use. */
  readonly threads: number;
  /**
   * Runs the parallel kernel `kernel(params, part, parts)` over `parts` participants (1 = main thread only; capped at
   * the threads the pool has). `params` is the byte offset of its parameter block (slots in assembly/abi.ts).
   * Returns the participants the job had (what the kernel saw as `parts`).
   */
  run(kernel: PartKernel, params: number, parts: number): number;
  /**
   * The call block: a parameter block in the first page for a job whose parameters live for that job only
   * (its slots keep their values until the next job written there).
   */
  callBlock(): ParamBlock;
  /** Helper threads up and taking parts of jobs now (0 before the pool has started, or where it cannot). */
  readonly activeHelpers: number;
  /** Why the helper pool could not start, when it tried and failed. */
  readonly helperError: string | undefined;
  /**
   * Starts the helper pool for `threads` participants if it has not started, resolving once it is up or has failed
   * (jobs then run on one thread). `workerUrl`: the browser helper script, default web-worker.js beside this module.
   */
  startHelpers(workerUrl?: string | URL): Promise<void>;
}

/**
 * A kernel's parameter block in the core's memory: 4-byte slots numbered as in assembly/abi.ts, holding an i32 (a count
 * or a byte offset) unless written as f32, or an f64 over two slots from an even one.
 */
export class ParamBlock {
  private buf: ArrayBufferLike | null = null;
  private i32 = new Int32Array(0);
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);

  constructor(private readonly memory: WebAssembly.Memory, readonly ptr: number, readonly slots: number) {
    if (ptr % 8 !== 0) throw new Error(`a parameter block must be 8-byte aligned, got offset ${ptr}`);
  }

  private views(slot: number): void {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.slots)) {
      throw new Error(`parameter slot ${slot} is outside the block of ${this.slots} slots`);
    }
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.i32 = new Int32Array(b, this.ptr, this.slots);
      this.f32 = new Float32Array(b, this.ptr, this.slots);
      this.f64 = new Float64Array(b, this.ptr, this.slots >> 1);
    }
  }
  /** Writes an i32 slot. */
  set(slot: number, v: number): this {
    this.views(slot);
    this.i32[slot] = v;
    return this;
  }
  /** Writes an f32 slot. */
  setF32(slot: number, v: number): this {
    this.views(slot);
    this.f32[slot] = v;
    return this;
  }
  /** Writes an f64 over slots slot, slot + 1 (slot even). */
  setF64(slot: number, v: number): this {
    this.views(slot + 1);
    if (slot & 1) throw new Error(`an f64 parameter needs an even slot, got ${slot}`);
    this.f64[slot >> 1] = v;
    return this;
  }
  /** Reads an i32 slot (kernels write some, e.g. bhGroupBuild's counts). */
  get(slot: number): number {
    this.views(slot);
    return this.i32[slot]!;
  }
}

type WasmArray = Int32Array | Uint32Array | Float32Array | Float64Array;

/** Buffers in the WASM core that are freed together (a job's inputs and outputs, an object's state). */
export class WasmArena {
  private ptrs: number[] = [];
  constructor(readonly core: WasmCore) {}
  /** Byte offset of a new block of at least `bytes` bytes. */
  alloc(bytes: number): number {
    const p = this.core.alloc(bytes);
    this.ptrs.push(p);
    return p;
  }
  /** Byte offset of a new block holding a copy of `a`. */
  put(a: WasmArray): number {
    const p = this.alloc(a.byteLength);
    const View = a.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => WasmArray;
    new View(this.core.memory.buffer, p, a.length).set(a as never);
    return p;
  }
  /** Frees every block of the arena. */
  release(): void {
    for (const p of this.ptrs) this.core.free(p);
    this.ptrs = [];
  }
}

let core: WasmCore | null | undefined;
let kernelVariant: "simd" | "simd+fma" | "none" = "none";
let loadError: string | null = null;

export interface CoreInfo {
  /** Which kernel build is running: WebAssembly SIMD, SIMD with relaxed fused multiply-add, or none (TypeScript). */
  variant: "simd" | "simd+fma" | "none";
  /** Participants parallel jobs are split over (main thread + helpers). */
  threads: number;
  /** Helper threads up now (jobs use at most 1 + helpers participants). */
  helpers: number;
  /** Why the helper threads could not start, when they tried and failed. */
  helperError?: string;
  /** For variant "none": why the WebAssembly core is not in use (its load error, or LATENTKIT_WASM=0). */
  reason?: string;
}

/** Which kernel build is running, on how many threads, and (without one) why WebAssembly is not in use. */
export function kernelInfo(): CoreInfo {
  const c = wasmCore();
  const info: CoreInfo = { variant: c ? kernelVariant : "none", threads: c?.threads ?? 1, helpers: c?.activeHelpers ?? 0 };
  if (c?.helperError) info.helperError = c.helperError;
  if (!c) info.reason = loadError ?? "unknown";
  return info;
}

/** Why the WebAssembly core is unavailable (the load error, or LATENTKIT_WASM=0), or null when it is in use. */
export function wasmCoreError(): string | null {
  return wasmCore() ? null : loadError;
}

export interface InitCoreOptions {
  /** Participants for parallel jobs, as setThreads (default: the machine's cores, at most 16). */
  threads?: number;
  /** Browser only: the URL of the helper script (default: web-worker.js beside this module or bundle). */
  workerUrl?: string | URL;
}

/**
 * Loads the WASM core and starts its helper threads, resolving once they are up. In a browser call it (and await
 * it) before heavy work: helpers come up asynchronously there, and until they do, jobs run on one thread. Helpers
 * need a cross-origin isolated page (COOP same-origin + COEP require-corp); elsewhere the core runs on one thread.
 * Optional in Node, where the pool starts on the first parallel job.
 */
export async function initCore(opts: InitCoreOptions = {}): Promise<CoreInfo> {
  if (opts.threads !== undefined) setThreads(opts.threads);
  const c = wasmCore();
  if (c && c.threads > 1) await c.startHelpers(opts.workerUrl);
  return kernelInfo();
}
let threadOverride: number | undefined;

/** Sets how many threads parallel kernels use (1 disables the worker pool). Call before first use. */
export function setThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new LatentkitError(`setThreads needs a whole number of threads >= 1, got ${describeValue(n)}`);
  }
  threadOverride = n;
  if (core) (core as { threads: number }).threads = Math.min(threadOverride, maxThreads());
}

function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

/** An environment variable in Node; undefined in a browser. */
function env(name: string): string | undefined {
  return isNode() ? process.env[name] : undefined;
}

/** A browser page or worker whose Web Workers may share a WebAssembly memory with it (cross-origin isolated). */
function webWorkersUsable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown; Worker?: unknown };
  return !isNode() && g.crossOriginIsolated === true && typeof g.SharedArrayBuffer === "function" && typeof g.Worker === "function";
}

function maxThreads(): number {
  if (!isNode() && !webWorkersUsable()) return 1;
  const t = env("LATENTKIT_THREADS");
  if (t !== undefined && t.trim() !== "") {
    if (!/^\s*\d+\s*$/.test(t) || Number(t) < 1) {
      throw new LatentkitError(`LATENTKIT_THREADS must be a whole number of threads >= 1, got ${JSON.stringify(t)}`);
    }
    return Math.min(Number(t), MAX_PARTS);
  }
  if (threadOverride !== undefined) return Math.min(threadOverride, MAX_PARTS);
  let n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  if (isNode()) {
    const os = builtin<{ availableParallelism?: () => number; cpus: () => unknown[] }>("node:os");
    if (os) n = os.availableParallelism?.() ?? os.cpus().length;
  }
  return Math.max(1, Math.min(MAX_PARTS, n));
}

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(s, "base64"));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The WASM core, or null where WebAssembly SIMD with shared memory is unavailable (or LATENTKIT_WASM=0). */
export function wasmCore(): WasmCore | null {
  if (core !== undefined) return core;
  maxThreads(); // a bad LATENTKIT_THREADS fails here, not silently inside the try below
  core = null;
  if (env("LATENTKIT_WASM") === "0") {
    loadError = "disabled by LATENTKIT_WASM=0";
    return core;
  }
  // V8 first runs WebAssembly in its baseline compiler and tiers up per call; a GEMM is one long call, so the first
  // large product would run entirely in baseline code (measured 5x slower). Compile optimised up front instead.
  // The flag only changes how V8 compiles WebAssembly; LATENTKIT_V8_FLAGS=0 leaves V8's flags alone.
  // Relaxed SIMD (fused multiply-add) is standard from V8 11.4; Node 20's V8 has it behind a flag.
  if (isNode() && env("LATENTKIT_V8_FLAGS") !== "0") {
    const v8 = builtin<{ setFlagsFromString(f: string): void }>("node:v8");
    v8?.setFlagsFromString("--no-liftoff");
    v8?.setFlagsFromString("--experimental-wasm-relaxed-simd");
  }
  try {
    const fma = decodeBase64(KERNELS_FMA_WASM_BASE64);
    const useFma = env("LATENTKIT_FMA") !== "0" && WebAssembly.validate(fma as BufferSource);
    const module = new WebAssembly.Module((useFma ? fma : decodeBase64(KERNELS_WASM_BASE64)) as BufferSource);
    kernelVariant = useFma ? "simd+fma" : "simd";
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    core = makeCore(module, memory, instance.exports as unknown as KernelExports);
  } catch (e) {
    // kept for kernelInfo().reason / wasmCoreError(): the TypeScript routes are used from here on
    loadError = typeof WebAssembly === "undefined" ? "this engine has no WebAssembly"
      : `WebAssembly SIMD with shared memory failed to load: ${e instanceof Error ? e.message : String(e)}`;
    core = null;
  }
  return core;
}

function makeCore(module: WebAssembly.Module, memory: WebAssembly.Memory, kernels: KernelExports): WasmCore {
  // First-fit allocator over [HEAP_BASE, memory end): a sorted list of free blocks.
  let free: Array<[number, number]> = [[HEAP_BASE, memory.buffer.byteLength - HEAP_BASE]];
  const sizes = new Map<number, number>();
  let view = new Float32Array(memory.buffer);
  const ctl = new Int32Array(memory.buffer, 0, CTL_INTS);
  const call = new ParamBlock(memory, CALL_BLOCK, CALL_BLOCK_SLOTS);
  let helpers: { terminate(): unknown }[] | null = null;
  // CTL_READY reaches this once every helper is up (browser helpers come up after the event loop has run)
  let readyAt = 0;
  let starting: Promise<void> = Promise.resolve();
  let helperError: string | undefined;
  const helpersUp = (): boolean => helpers !== null && helpers.length > 0 && Atomics.load(ctl, CTL_READY) >= readyAt;
  // Atomics.wait throws on a page's main thread; the check comes before the value comparison, and the value
  // given differs from the slot's, so where waiting is allowed this returns at once
  const mayBlock = ((): boolean => {
    try {
      Atomics.wait(ctl, CTL_GEN, Atomics.load(ctl, CTL_GEN) + 1, 0);
      return true;
    } catch {
      return false;
    }
  })();

  const grow = (bytes: number): void => {
    const oldEnd = memory.buffer.byteLength;
    // grow by half the memory at a time (fewer, larger growths); near the 4 GiB limit, by just what is needed
    let pages = Math.ceil(Math.max(bytes, oldEnd / 2) / PAGE);
    try {
      memory.grow(pages);
    } catch {
      pages = Math.ceil(bytes / PAGE);
      try {
        memory.grow(pages);
      } catch {
        throw new LatentkitError(`out of WebAssembly memory: a block of ${(bytes / 2 ** 20).toFixed(1)} MiB does not fit ` +
          `(the memory holds ${(oldEnd / 2 ** 20).toFixed(0)} MiB of at most 4096 MiB); use smaller inputs, batches or layers`);
      }
    }
    const last = free[free.length - 1];
    if (last && last[0] + last[1] === oldEnd) last[1] += pages * PAGE;
    else free.push([oldEnd, pages * PAGE]);
    view = new Float32Array(memory.buffer);
  };

  // Stops every helper and runs later jobs on the main thread alone (a pool that failed to start, or a job that ran
  // past the limit: its helper may still be writing, so it must not join another job).
  const dropHelpers = (why: string): void => {
    for (const h of helpers ?? []) h.terminate();
    helpers = [];
    helperError = why;
  };

  const startHelpers = (n: number): void => {
    helpers = [];
    if (n <= 1 || !isNode()) return;
    // worker_threads is loaded lazily and synchronously so the core stays sync (and importable in a browser).
    const wt = loadWorkerThreads();
    if (!wt) {
      helperError = "worker_threads is not reachable (process.getBuiltinModule needs Node >= 20.16): one thread";
      return;
    }
    const started = Atomics.load(ctl, CTL_READY);
    readyAt = started + n - 1;
    for (let part = 1; part < n; part++) {
      // execArgv: [] so that the host's flags (--input-type=module from `node -e`, --eval, ...) do not reach the
      // helpers, which are plain module scripts
      const w = new wt.Worker(new URL("./worker.js", import.meta.url), { workerData: { module, memory, part }, execArgv: [] });
      // a helper that fails to load or dies must not take the process with it (an unheard 'error' event would)
      w.on("error", (e: unknown) => {
        helperError ??= `a helper thread failed: ${(e as Error)?.message ?? String(e)}`;
      });
      w.unref();
      helpers.push(w);
    }
    // Wait (bounded) for the helpers to come up; a pool that fails to start leaves the main thread alone.
    const deadline = Date.now() + 10000;
    let ready: number;
    while ((ready = Atomics.load(ctl, CTL_READY)) < started + n - 1 && Date.now() < deadline) {
      Atomics.wait(ctl, CTL_READY, ready, 50);
    }
    if (Atomics.load(ctl, CTL_READY) < started + n - 1) dropHelpers("the helper threads did not start within 10 s");
  };

  // Browser helpers: module Web Workers sent the module and the memory by message (the memory can only be sent from
  // a cross-origin isolated page). They count themselves ready in CTL_READY, which run() checks, and say so by
  // message, which resolves the promise; a helper that fails leaves the main thread alone.
  const startWebHelpers = (n: number, workerUrl?: string | URL): Promise<void> => {
    helpers = [];
    if (n <= 1 || !webWorkersUsable()) return Promise.resolve();
    const pool: Worker[] = [];
    readyAt = Atomics.load(ctl, CTL_READY) + n - 1;
    return new Promise<void>((resolve) => {
      let left = n - 1;
      const giveUp = (why: string): void => {
        clearTimeout(timer);
        for (const w of pool) w.terminate();
        helpers = [];
        helperError = why;
        resolve();
      };
      const timer = setTimeout(() => giveUp("the helper Web Workers did not start within 10 s"), 10000);
      try {
        for (let part = 1; part < n; part++) {
          // written out in full so that bundlers which follow `new Worker(new URL(...))` ship the script
          const w = workerUrl !== undefined ? new Worker(workerUrl, { type: "module" })
            : new Worker(new URL("./web-worker.js", import.meta.url), { type: "module" });
          w.onmessage = (e: MessageEvent): void => {
            const m = e.data as { ready?: boolean; error?: string };
            if (m.error !== undefined) giveUp(`a helper Web Worker failed: ${m.error}`);
            else if (m.ready && --left === 0) {
              clearTimeout(timer);
              resolve();
            }
          };
          w.onerror = (e: ErrorEvent): void => {
            e.preventDefault();
            giveUp(`a helper Web Worker failed to load: ${e.message || "(no message; is web-worker.js served beside the bundle?)"}`);
          };
          w.postMessage({ module, memory, part });
          pool.push(w);
        }
        helpers = pool;
      } catch (e) {
        giveUp(`cannot start helper Web Workers: ${(e as Error).message}`);
      }
    });
  };

  const c: WasmCore & { threads: number } = {
    kernels,
    memory,
    threads: maxThreads(),
    f32: () => (view.buffer === memory.buffer ? view : (view = new Float32Array(memory.buffer))),
    get activeHelpers(): number {
      return helpersUp() ? helpers!.length : 0;
    },
    get helperError(): string | undefined {
      return helperError;
    },
    startHelpers(workerUrl?: string | URL): Promise<void> {
      if (helpers === null) {
        if (isNode()) startHelpers(c.threads);
        else starting = startWebHelpers(c.threads, workerUrl);
      }
      return starting;
    },
    alloc(bytes: number): number {
      const size = Math.ceil(Math.max(bytes, 16) / 64) * 64;
      for (;;) {
        for (let i = 0; i < free.length; i++) {
          const blk = free[i]!;
          if (blk[1] >= size) {
            const ptr = blk[0];
            blk[0] += size;
            blk[1] -= size;
            if (blk[1] === 0) free.splice(i, 1);
            sizes.set(ptr, size);
            return ptr;
          }
        }
        grow(size);
      }
    },
    free(ptr: number): void {
      const size = sizes.get(ptr);
      if (size === undefined) return;
      sizes.delete(ptr);
      free.push([ptr, size]);
      free.sort((x, y) => x[0] - y[0]);
      const merged: Array<[number, number]> = [];
      for (const b of free) {
        const last = merged[merged.length - 1];
        if (last && last[0] + last[1] === b[0]) last[1] += b[1];
        else merged.push([b[0], b[1]]);
      }
      free = merged;
    },
    callBlock: () => call,
    run(kernel: PartKernel, params: number, parts: number): number {
      const op = opId(kernel);
      if (!Number.isInteger(parts) || parts < 1) parts = 1; // never a job of NaN or 0 parts, which would run nothing
      if (parts > 1 && helpers === null) void c.startHelpers(); // in a browser: this job still runs on one thread
      const avail = 1 + (helpersUp() ? helpers!.length : 0);
      const p = Math.max(1, Math.min(parts, avail));
      ctl[CTL_OP] = op;
      ctl[CTL_PARTS] = p;
      ctl[CTL_PARAMS] = params;
      if (p === 1) {
        runPart(kernels, ctl, 0);
        return 1;
      }
      // helpers with part >= p see a part beyond the work and return at once
      Atomics.store(ctl, CTL_PENDING, avail - 1);
      Atomics.add(ctl, CTL_GEN, 1);
      Atomics.notify(ctl, CTL_GEN);
      let failure: unknown = null;
      try {
        runPart(kernels, ctl, 0);
      } catch (e) {
        failure = e;
      }
      // no job runs for minutes: a helper that never reports back is an error, not a hang
      const deadline = Date.now() + JOB_LIMIT_MS;
      let pending: number;
      let spins = 0;
      while ((pending = Atomics.load(ctl, CTL_PENDING)) !== 0) {
        if (mayBlock) Atomics.wait(ctl, CTL_PENDING, pending, 1000);
        else if ((++spins & 0xfff) !== 0) continue; // a page's main thread: spin, looking at the clock now and then
        if (Date.now() > deadline && Atomics.load(ctl, CTL_PENDING) !== 0) {
          const why = `a compute-core helper thread did not finish ${kernel} within ${JOB_LIMIT_MS / 1000} s ` +
            `(${helperStates(ctl, avail)})`;
          dropHelpers(why);
          throw new Error(why);
        }
      }
      // clear a helper's failure flag before any throw, so that it cannot be blamed on the next job
      const helperFailed = Atomics.exchange(ctl, CTL_ERROR, 0) !== 0;
      if (failure) throw failure;
      if (helperFailed) throw new Error(`a compute-core helper thread failed in ${kernel}`);
      return p;
    },
  };
  return c;
}

/** What each helper of a job that ran past the limit was doing: never picked the job up, or is inside its part. */
function helperStates(ctl: Int32Array, participants: number): string {
  const gen = Atomics.load(ctl, CTL_GEN);
  const states: string[] = [];
  for (let part = 1; part < participants; part++) {
    const started = Atomics.load(ctl, CTL_STARTED + part);
    states.push(started === gen ? `helper ${part} started the job and is still in it`
      : `helper ${part} never picked the job up (it last started job ${started}; this is job ${gen})`);
  }
  return `pending ${Atomics.load(ctl, CTL_PENDING)}: ${states.join("; ")}`;
}

type WorkerCtor = new (url: URL, opts: { workerData: unknown; execArgv?: string[] }) => {
  unref(): void;
  terminate(): unknown;
  on(event: "error", listener: (e: unknown) => void): unknown;
};

function loadWorkerThreads(): { Worker: WorkerCtor } | null {
  return builtin<{ Worker: WorkerCtor }>("node:worker_threads");
}

/** A Node built-in module loaded synchronously (process.getBuiltinModule), or null outside Node. */
function builtin<T>(name: string): T | null {
  const get = (process as unknown as { getBuiltinModule?: (m: string) => unknown }).getBuiltinModule;
  try {
    return get ? (get(name) as T) : null;
  } catch {
    return null;
  }
}

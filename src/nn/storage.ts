// Where the neural engine's floats live. With the compute core present, every tensor's storage is a block of the
// core's shared WebAssembly memory, so kernels work on it in place (no copy in or out per op); without it, a plain
// Float32Array. Views of the shared memory stay valid when it grows (a shared buffer is never detached).
//
// Two lifetimes:
// * long-lived storage (parameters, optimiser state, gradients of parameters, tensors made outside any scope): a
//   block of the core's allocator, freed by Tensor.dispose() (or by the garbage collector's finalisation, as a net);
// * scoped storage: inside `tidy(fn)` every new tensor comes from a bump arena that is reset when fn returns, like
//   tfjs's tidy. A training step runs in one scope, so its temporaries cost a pointer bump and are gone at its end.
//   Using a scoped tensor after its scope ended is an error, not a read of whatever replaced it.
import { coreFor } from "../core/backend.js";
import { fail } from "../core/errors.js";
import type { FloatArray } from "../core/matrix.js";
import type { WasmCore } from "../core/wasm/runtime.js";

/** Byte alignment of every tensor block (a cache line; SIMD needs 16). */
const ALIGN = 64;
/** Smallest chunk a scope's arena takes from the core at a time. */
const CHUNK_BYTES = 16 << 20;

/** A tensor's floats: the array, and its byte offset in the core's memory (-1 outside it). */
export interface Block {
  /** Float32Array, except on the "ts64" route (float64 TypeScript kernels, for gradient checks). */
  readonly data: FloatArray;
  readonly ptr: number;
  /** The scope that owns it (null: long-lived). */
  readonly scope: Scope | null;
  /** Set once long-lived storage is freed (Tensor.dispose): its tensors and views refuse to be read. */
  dead?: boolean;
}

/**
 * The engine's routes: "wasm" (float32 storage in the compute core's memory, SIMD kernels), "ts" (Float32Array,
 * TypeScript kernels), "ts64" (Float64Array, the same TypeScript kernels in double precision: what gradient checks
 * run on), "auto" (wasm where the core is available, else ts).
 */
export type EngineRoute = "auto" | "wasm" | "ts" | "ts64";

/** The core the engine runs on, or null (TypeScript kernels on plain arrays). Fixed at first use. */
let engineCore: WasmCore | null | undefined;
let float64 = false;
export function nnCore(): WasmCore | null {
  if (engineCore === undefined) engineCore = coreFor("nn");
  return engineCore;
}

/** Whether tensors are made in float64 (the "ts64" route). */
export function engineFloat64(): boolean {
  return float64;
}

/**
 * Chooses the engine's route for tensors made from now on. Tests use it to run the same op on each route; tensors of
 * two routes must not be mixed in one op.
 */
export function setEngineRoute(route: EngineRoute): void {
  float64 = route === "ts64";
  engineCore = route === "ts" || route === "ts64" ? null : coreFor("nn", { route });
}

/** The route tensors are made on now. */
export function engineRoute(): Exclude<EngineRoute, "auto"> {
  return nnCore() ? "wasm" : float64 ? "ts64" : "ts";
}

/** Runs body with the engine's route forced, then restores it (tests). */
export function withEngineRoute<T>(route: EngineRoute, body: () => T): T {
  const before = nnCore();
  const before64 = float64;
  setEngineRoute(route);
  try {
    return body();
  } finally {
    engineCore = before;
    float64 = before64;
  }
}

function plain(n: number): FloatArray {
  return float64 ? new Float64Array(n) : new Float32Array(n);
}

// Long-lived blocks the garbage collector may reclaim when a tensor is dropped without dispose().
const finalizer = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<{ core: WasmCore; ptr: number; freed: boolean }>((h) => {
    if (!h.freed) h.core.free(h.ptr);
  })
  : null;

/** A scope's bump arena: chunks taken from the core, reused across the scopes of a loop. */
export class Scope {
  closed = false;
  private chunks: { ptr: number; bytes: number }[] = [];
  private chunk = 0;
  private used = 0;
  constructor(private readonly core: WasmCore | null, private readonly pool: ArenaPool | null) {}

  alloc(n: number): Block {
    if (this.closed) fail("a tidy() scope that has ended cannot hold new tensors");
    if (!this.core) return { data: plain(n), ptr: -1, scope: this };
    const bytes = Math.ceil(Math.max(n * 4, 4) / ALIGN) * ALIGN;
    for (;;) {
      const c = this.chunks[this.chunk];
      if (!c) {
        const got = this.pool?.take(bytes) ?? { ptr: this.core.alloc(Math.max(CHUNK_BYTES, bytes)), bytes: Math.max(CHUNK_BYTES, bytes) };
        this.chunks.push(got);
        continue;
      }
      if (this.used + bytes <= c.bytes) {
        const ptr = c.ptr + this.used;
        this.used += bytes;
        return { data: this.core.f32().subarray(ptr >> 2, (ptr >> 2) + n), ptr, scope: this };
      }
      this.chunk++;
      this.used = 0;
    }
  }

  /** Ends the scope: its blocks go back to the pool (or to the core). */
  close(): void {
    this.closed = true;
    if (this.pool) this.pool.give(this.chunks);
    else for (const c of this.chunks) this.core?.free(c.ptr);
    this.chunks = [];
  }
}

/** Chunks kept between scopes so a training loop allocates from the core once. */
class ArenaPool {
  private free: { ptr: number; bytes: number }[] = [];
  constructor(private readonly core: WasmCore) {}
  take(bytes: number): { ptr: number; bytes: number } {
    const i = this.free.findIndex((c) => c.bytes >= bytes);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    const size = Math.max(CHUNK_BYTES, bytes);
    return { ptr: this.core.alloc(size), bytes: size };
  }
  give(chunks: { ptr: number; bytes: number }[]): void {
    // in the order they were used, so the next scope takes them in the same order
    this.free.unshift(...chunks);
    // a pool larger than 1 GiB would mean a leak of scopes: give the excess back
    let total = 0;
    this.free = this.free.filter((c) => {
      total += c.bytes;
      if (total <= 1 << 30) return true;
      this.core.free(c.ptr);
      return false;
    });
  }
}

const pools = new WeakMap<WasmCore, ArenaPool>();
const scopes: Scope[] = [];

/** The innermost open scope, or null. */
export function currentScope(): Scope | null {
  return scopes[scopes.length - 1] ?? null;
}

/** Opens a scope (tidy and the training loop use it); close it with {@link endScope}. */
export function beginScope(): Scope {
  const core = nnCore();
  let pool: ArenaPool | null = null;
  if (core) {
    pool = pools.get(core) ?? null;
    if (!pool) pools.set(core, (pool = new ArenaPool(core)));
  }
  const s = new Scope(core, pool);
  scopes.push(s);
  return s;
}

/** Closes the innermost scope, which must be `s`. */
export function endScope(s: Scope): void {
  if (scopes[scopes.length - 1] !== s) fail("nn scopes must end in the order they began");
  scopes.pop();
  s.close();
}

/** n floats of long-lived storage (zeroed), outside any scope. */
export function allocLongLived(n: number): Block & { free(): void } {
  const core = nnCore();
  if (!core) return { data: plain(n), ptr: -1, scope: null, free: () => undefined };
  const ptr = core.alloc(Math.max(n * 4, 4));
  const data = core.f32().subarray(ptr >> 2, (ptr >> 2) + n);
  data.fill(0);
  const handle = { core, ptr, freed: false };
  const block = {
    data, ptr, scope: null,
    free: (): void => {
      if (handle.freed) return;
      handle.freed = true;
      finalizer?.unregister(block);
      core.free(ptr);
    },
  };
  finalizer?.register(block, handle, block);
  return block;
}

/** n floats of storage in the current scope, or long-lived outside one. Scoped storage is not zeroed. */
export function allocBlock(n: number): Block & { free?(): void } {
  const s = currentScope();
  return s ? s.alloc(n) : allocLongLived(n);
}

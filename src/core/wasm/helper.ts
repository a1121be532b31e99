// What a compute-core helper thread does, in Node (worker.ts, a worker_threads worker) and in a browser
// (web-worker.ts, a module Web Worker): instantiate the kernels over the shared memory, count itself ready, then run
// its part of each job until told to stop. Helpers may block in Atomics.wait: they are never a page's main thread.
import {
  CTL_ERROR, CTL_GEN, CTL_INTS, CTL_OP, CTL_PENDING, CTL_READY, CTL_STARTED, OP_STOP, runPart, type KernelExports,
} from "./jobs.js";

export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** This helper's part of every job (the main thread is part 0). */
  part: number;
}

/** Serves jobs until OP_STOP; `onReady` runs once the helper has counted itself ready. */
export function serveJobs({ module, memory, part }: HelperData, onReady?: () => void): void {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const kernels = instance.exports as unknown as KernelExports;
  const ctl = new Int32Array(memory.buffer, 0, CTL_INTS);
  let gen = Atomics.load(ctl, CTL_GEN);
  Atomics.add(ctl, CTL_READY, 1);
  Atomics.notify(ctl, CTL_READY);
  onReady?.();
  for (;;) {
    // bounded waits, re-checking the generation: a wake-up that went missing costs a second, not the job limit
    while (Atomics.load(ctl, CTL_GEN) === gen) Atomics.wait(ctl, CTL_GEN, gen, 1000);
    gen = Atomics.load(ctl, CTL_GEN);
    Atomics.store(ctl, CTL_STARTED + part, gen);
    if (ctl[CTL_OP] === OP_STOP) break;
    try {
      runPart(kernels, ctl, part);
    } catch {
      // a trap must not leave the main thread waiting: report it and count this part done
      Atomics.store(ctl, CTL_ERROR, 1);
    }
    Atomics.sub(ctl, CTL_PENDING, 1);
    Atomics.notify(ctl, CTL_PENDING);
  }
}

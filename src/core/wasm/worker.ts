// A compute-core helper thread: instantiates the kernels over the shared memory and runs its part of each job.
import { workerData } from "node:worker_threads";
import { CTL_ERROR, CTL_GEN, CTL_INTS, CTL_OP, CTL_PENDING, CTL_READY, OP_STOP, runPart, type KernelExports } from "./jobs.js";

const { module, memory, part } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; part: number };
const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = instance.exports as unknown as KernelExports;
const ctl = new Int32Array(memory.buffer, 0, CTL_INTS);
let gen = Atomics.load(ctl, CTL_GEN);
Atomics.add(ctl, CTL_READY, 1);
Atomics.notify(ctl, CTL_READY);
for (;;) {
  Atomics.wait(ctl, CTL_GEN, gen);
  gen = Atomics.load(ctl, CTL_GEN);
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

// One optimiser step over W1's parameters (784-512-128-32-128-512-784: 943,504 floats): the fused WASM update job on
// every thread and on one, against the TypeScript loops. Run: npm run build && node dist/bench/nn/optim-step.js
import { Random } from "../../src/core/random.js";
import { setThreads } from "../../src/core/wasm/runtime.js";
import { Adam, AdamW } from "../../src/nn/optim/adam.js";
import type { BaseOptimizer } from "../../src/nn/optim/base.js";
import { SGD } from "../../src/nn/optim/sgd.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";

const dims = [784, 512, 128, 32, 128, 512, 784];
const shapes: number[][] = [];
for (let i = 0; i + 1 < dims.length; i++) shapes.push([dims[i + 1]!, dims[i]!], [dims[i + 1]!]);

function bench(route: "wasm" | "ts", make: (ps: Tensor[]) => BaseOptimizer): number {
  return withEngineRoute(route, () => {
    const rng = new Random(1);
    const ps = shapes.map((s) => {
      const p = Tensor.randn(s, rng, 0.05);
      p.requiresGrad = true;
      p.grad = Tensor.randn(s, rng, 1e-3);
      return p;
    });
    const opt = make(ps);
    for (let i = 0; i < 5; i++) opt.step();
    const reps = route === "wasm" ? 200 : 20;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) opt.step();
    const ms = (performance.now() - t0) / reps;
    opt.dispose();
    for (const p of ps) {
      p.grad!.dispose();
      p.dispose();
    }
    return ms;
  });
}

const n = shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
const core = nnCore();
const threads = core?.threads ?? 1;
console.log(`W1 parameters: ${n} floats; ${threads} thread(s)`);
const makers: [string, (ps: Tensor[]) => BaseOptimizer, number][] = [
  // bytes moved per parameter: Adam reads p, g, m, v and writes p, m, v; SGD with momentum reads p, g, b and writes
  // p, b; plain SGD reads p, g and writes p
  ["Adam", (ps) => new Adam(ps, { lr: 1e-3 }), 28],
  ["AdamW", (ps) => new AdamW(ps, { lr: 1e-3 }), 28],
  ["SGD momentum", (ps) => new SGD(ps, { lr: 0.01, momentum: 0.9 }), 20],
  ["SGD", (ps) => new SGD(ps, { lr: 0.01 }), 12],
];
for (const [name, make, bytesPerFloat] of makers) {
  const gb = (ms: number): string => ((n * bytesPerFloat) / (ms * 1e6)).toFixed(1);
  const row: string[] = [name.padEnd(13)];
  if (core) {
    const all = bench("wasm", make);
    setThreads(1);
    const one = bench("wasm", make);
    setThreads(threads);
    row.push(`wasm ${threads}T ${all.toFixed(2)} ms (${gb(all)} GB/s)`, `wasm 1T ${one.toFixed(2)} ms (${gb(one)} GB/s)`);
  }
  const ts = bench("ts", make);
  row.push(`ts ${ts.toFixed(2)} ms (${gb(ts)} GB/s)`);
  console.log(row.join("  |  "));
}

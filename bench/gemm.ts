// GFLOP/s of the compute core's GEMM routes: plain TypeScript, WASM SIMD on one thread, WASM SIMD on all threads.
// Run: npm run build && node dist/bench/gemm.js [--quick]
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { Matrix } from "../src/core/matrix.js";
import { matmul, withPinned, type MatmulOptions } from "../src/core/gemm.js";
import { kernelInfo, wasmCore } from "../src/core/wasm/runtime.js";
import { Random } from "../src/core/random.js";

const quick = process.argv.includes("--quick");
const rng = new Random(1);
const rand = (r: number, c: number): Matrix => {
  const m = Matrix.zeros(r, c);
  rng.fillNormal(m.data);
  return m;
};

function time(f: () => void, minSeconds: number): number {
  f(); // warm-up
  let reps = 0;
  const t0 = performance.now();
  let el = 0;
  do {
    f();
    reps++;
    el = (performance.now() - t0) / 1000;
  } while (el < minSeconds);
  return el / reps;
}

const core = wasmCore();
const threads = core?.threads ?? 1;
const cases: Array<{ name: string; m: number; k: number; n: number; opts?: MatmulOptions }> = [
  { name: "1024x1024 . 1024x1024", m: 1024, k: 1024, n: 1024 },
  { name: "60000x784 . 784x64", m: 60000, k: 784, n: 64 },
  { name: "(60000x784)T . 60000x64", m: 784, k: 60000, n: 64, opts: { transA: true } },
];
console.log(`CPU: ${cpus()[0]?.model ?? "?"} x${cpus().length}; WASM core: ${core ? `${kernelInfo().variant}, ${threads} threads` : "no"}`);
// Peak f32 rate: native AVX2 + FMA does 2 pipes x 8 lanes x 2 = 32 flops/cycle/core; WebAssembly SIMD is 128-bit,
// so at most 16 flops/cycle/core with fused multiply-add (relaxed SIMD) and 8 without.
{
  let mhz = cpus()[0]?.speed ?? 0;
  let flags = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? mhz);
    flags = /flags\s*:(.*)/.exec(info)?.[1] ?? "";
  } catch {
    /* not Linux */
  }
  const n = cpus().length;
  const ghz = mhz / 1000;
  const native = / avx2 /.test(flags + " ") && / fma /.test(flags + " ") ? 32 : 16;
  console.log(`f32 peak at the reported ${ghz.toFixed(2)} GHz (base clock; boost runs faster) x ${n} cores: native ${(native * ghz * n).toFixed(0)} GFLOP/s; ` +
    `WebAssembly SIMD ${(16 * ghz * n).toFixed(0)} GFLOP/s with FMA, ${(8 * ghz * n).toFixed(0)} without`);
}
console.log("route                         shape                          GFLOP/s");
for (const c of cases) {
  const A = c.opts?.transA ? rand(c.k, c.m) : rand(c.m, c.k);
  const B = rand(c.k, c.n);
  const flop = 2 * c.m * c.n * c.k;
  const routes: Array<[string, MatmulOptions]> = [
    ["plain TypeScript", { backend: "ts" }],
    ["WASM SIMD, 1 thread", { backend: "wasm", threads: 1 }],
    [`WASM SIMD, ${threads} threads`, { backend: "wasm", threads }],
  ];
  for (const [label, o] of routes) {
    if (o.backend === "wasm" && !core) continue;
    if (o.backend === "ts" && quick && flop > 3e9) continue;
    const s = time(() => matmul(A, B, { ...c.opts, ...o }), quick ? 0.5 : 2);
    console.log(`${label.padEnd(30)}${c.name.padEnd(31)}${(flop / s / 1e9).toFixed(2).padStart(7)}`);
  }
  if (core && c.m * c.k > 4e6) {
    // what PCA sees: the data matrix already resident in WASM memory, so no copy per product
    const s = withPinned(A, () => time(() => matmul(A, B, { ...c.opts, backend: "wasm", threads }), quick ? 0.5 : 2));
    console.log(`${`WASM SIMD, ${threads} thr, A resident`.padEnd(30)}${c.name.padEnd(31)}${(flop / s / 1e9).toFixed(2).padStart(7)}`);
  }
}

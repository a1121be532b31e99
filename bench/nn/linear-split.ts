// Where the time of one fused linear layer goes: forward + backward of linear(784 → 512, relu) at batch 256 (W1's
// first layer) on the WASM route, against its three GEMMs alone and its elementwise kernels alone. Minimum of `reps`
// runs each (or the mean CPU time with "cpu"). Run: node dist/bench/nn/linear-split.js [reps] [cpu]
import { Random } from "../../src/core/random.js";
import { backward, tidy } from "../../src/nn/autograd.js";
import { gemmInto } from "../../src/nn/gemm.js";
import { linear } from "../../src/nn/ops/linear.js";
import { nnCore } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";

const core = nnCore();
if (!core) throw new Error("no compute core: this benchmark measures the WASM route");
const reps = Number(process.argv[2] ?? 30);
const N = 256, IN = 784, OUT = 512;
const rng = new Random(1);
const x = Tensor.randn([N, IN], rng);
const w = Tensor.randn([OUT, IN], rng, 0.05);
const b = Tensor.randn([OUT], rng, 0.1);
const g = Tensor.randn([N, OUT], rng);
w.requiresGrad = b.requiresGrad = true;

const z = Tensor.empty([N, OUT]), dz = Tensor.empty([N, OUT]), dx = Tensor.empty([N, IN]), dw = Tensor.empty([OUT, IN]);
const db = Tensor.empty([OUT]);
const parts: Record<string, () => void> = {
  gemmFwd: () => gemmInto(z, x, w, N, OUT, IN, { transB: true }),
  gemmDx: () => gemmInto(dx, dz, w, N, IN, OUT),
  gemmDw: () => gemmInto(dw, dz, x, OUT, IN, N, { transA: true }),
  biasAct: () => core.kernels.nnBiasAct(z.ptr, z.ptr, b.ptr, N, OUT, 1),
  actBwd: () => core.kernels.nnActBwd(g.ptr, z.ptr, dz.ptr, db.ptr, N, OUT, 1),
  accum: () => core.kernels.nnAxpy(dw.ptr, dx.ptr, 1, N * IN),
  hidden: () => {
    x.requiresGrad = true;
    tidy(() => backward(linear(x, w, b, "relu"), g));
  },
  input: () => {
    x.requiresGrad = false;
    tidy(() => backward(linear(x, w, b, "relu"), g));
  },
};
// interleaved, so that load from other processes hits every part alike. Two clocks: the minimum wall time of a run,
// and the mean CPU time of the process per run (user + system over every thread; threads waiting in Atomics.wait cost
// none), which a machine shared with other work inflates far less.
const t: Record<string, number> = {};
const cpu: Record<string, number> = {};
for (let r = -1; r < reps; r++) {
  for (const [k, f] of Object.entries(parts)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    const dt = performance.now() - t0;
    const dc = process.cpuUsage(c0);
    if (r >= 0) {
      t[k] = Math.min(t[k] ?? Infinity, dt);
      cpu[k] = (cpu[k] ?? 0) + (dc.user + dc.system) / 1000 / reps;
    }
  }
}
const clock = process.argv[3] === "cpu" ? cpu : t;
for (const k of Object.keys(t)) t[k] = clock[k]!;
const tGemmFwd = t.gemmFwd!, tGemmDx = t.gemmDx!, tGemmDw = t.gemmDw!, tHidden = t.hidden!, tInput = t.input!;
const tBiasAct = t.biasAct!, tActBwd = t.actBwd!, tAccum = t.accum! * (OUT * IN) / (N * IN);
const gemm3 = tGemmFwd + tGemmDx + tGemmDw;
const gflop = (2 * N * IN * OUT) / 1e6;
const f = (v: number): string => `${v.toFixed(3)} ms`;
console.log(`threads ${core.threads}; ${process.argv[3] === "cpu" ? "mean CPU time" : "minimum wall time"} of ${reps} runs`);
const rate = process.argv[3] === "cpu" ? "GFLOP per CPU-second" : "GFLOP/s";
console.log(`GEMM z = x·Wᵀ      ${f(tGemmFwd)}  (${(gflop / tGemmFwd).toFixed(1)} ${rate})`);
console.log(`GEMM dX = dZ·W     ${f(tGemmDx)}  (${(gflop / tGemmDx).toFixed(1)} ${rate})`);
console.log(`GEMM dW = dZᵀ·x    ${f(tGemmDw)}  (${(gflop / tGemmDw).toFixed(1)} ${rate})`);
console.log(`bias + relu pass   ${f(tBiasAct)}`);
console.log(`relu' + db pass    ${f(tActBwd)}`);
console.log(`W.grad += dW       ${f(tAccum)}  (autograd's accumulation into the leaf)`);
console.log(`linear fwd+bwd, hidden layer (dX too): ${f(tHidden)} = GEMMs ${f(gemm3)} (${(100 * gemm3 / tHidden).toFixed(1)} %) + rest ${f(tHidden - gemm3)}`);
const gemm2 = tGemmFwd + tGemmDw;
console.log(`linear fwd+bwd, input layer (no dX):   ${f(tInput)} = GEMMs ${f(gemm2)} (${(100 * gemm2 / tInput).toFixed(1)} %) + rest ${f(tInput - gemm2)}`);

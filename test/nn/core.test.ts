import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { backward, noGrad, tapeLength, tidy } from "../../src/nn/autograd.js";
import { checkGrad } from "../../src/nn/check-grad.js";
import { matmul } from "../../src/nn/ops/matmul.js";
import { nnCore, withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";

test("matmul's gradients match central differences for every transpose combination and odd sizes", () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const m = 5, k = 7, n = 3;
    const r = checkGrad((a, b) => matmul(a!, b!, { transA: ta, transB: tb }), [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]]);
    assert.ok(r.maxError < 1e-7, `transA ${ta} transB ${tb}: ${JSON.stringify(r)}`);
  }
});

test("a wrong gradient is caught: checkGrad reports an error of order one", () => {
  const r = checkGrad((a, b) => {
    const c = matmul(a!, b!);
    // corrupt the backward: scale what it returns
    const node = c.node;
    if (!node) return c; // the finite-difference evaluations run without the tape
    const orig = node.backward;
    (node as { backward: typeof orig }).backward = (g) => orig(g).map((t) => (t ? (t.data.forEach((v, i, d) => (d[i] = 2 * v)), t) : t));
    return c;
  }, [[3, 4], [4, 2]]);
  assert.ok(r.maxError > 0.1, JSON.stringify(r));
});

test("WASM matmul agrees with the TypeScript route on resident tensors, in place", { skip: !nnCore() && "no compute core" }, () => {
  const rng = new Random(3);
  const a = Array.from({ length: 130 * 70 }, () => rng.normal());
  const b = Array.from({ length: 70 * 90 }, () => rng.normal());
  const run = (route: "wasm" | "ts"): Float32Array => withEngineRoute(route, () => tidy(() => {
    const A = Tensor.from(a, [130, 70]);
    const B = Tensor.from(b, [90, 70]);
    return matmul(A, B, { transB: true }).toFloat32Array();
  }));
  const w = run("wasm"), t = run("ts");
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]! - t[i]!));
  assert.ok(max < 1e-4, `max difference ${max}`);
});

test("scoped tensors are refused after their tidy() ends; tape nodes of a scope without backward are dropped", () => {
  let kept: Tensor | undefined;
  const before = tapeLength();
  tidy(() => {
    const a = Tensor.randn([3, 3], new Random(1));
    a.requiresGrad = true;
    kept = matmul(a, a);
  });
  assert.equal(tapeLength(), before);
  assert.throws(() => kept!.data, /after the tidy\(\) scope/);
  const p = Tensor.zeros([2, 2]);
  p.dispose();
  assert.throws(() => p.data, /after dispose/);
});

test("gradients accumulate into leaves across backward calls; noGrad records nothing", () => {
  const a = Tensor.from([1, 2, 3, 4], [2, 2]);
  a.requiresGrad = true;
  const seed = Tensor.from([1, 1, 1, 1], [2, 2]);
  tidy(() => backward(matmul(a, a), seed));
  const once = Array.from(a.grad!.data);
  tidy(() => backward(matmul(a, a), seed));
  assert.deepEqual(Array.from(a.grad!.data), once.map((v) => 2 * v));
  noGrad(() => assert.equal(matmul(a, a).requiresGrad, false));
});

test("a parameter's gradient accumulated inside the GEMM (gradInto) equals the temporary-and-add path", async () => {
  const { linear } = await import("../../src/nn/ops/linear.js");
  const rng = new Random(5);
  const xv = Array.from({ length: 6 * 5 }, () => rng.normal());
  const wv = Array.from({ length: 4 * 5 }, () => rng.normal());
  const seedv = Array.from({ length: 6 * 4 }, () => rng.normal());
  // long-lived W: the gradient goes straight into W.grad, twice (accumulating)
  const W = Tensor.from(wv, [4, 5]);
  W.requiresGrad = true;
  for (let i = 0; i < 2; i++) tidy(() => backward(linear(Tensor.from(xv, [6, 5]), W, null, "tanh"), Tensor.from(seedv, [6, 4])));
  // scoped W: the gradient comes back as a temporary that backward() copies and adds
  const viaTemp = tidy(() => {
    const w = Tensor.from(wv, [4, 5]);
    w.requiresGrad = true;
    for (let i = 0; i < 2; i++) backward(linear(Tensor.from(xv, [6, 5]), w, null, "tanh"), Tensor.from(seedv, [6, 4]));
    return Array.from(w.grad!.data);
  });
  const direct = Array.from(W.grad!.data);
  for (let i = 0; i < direct.length; i++) assert.ok(Math.abs(direct[i]! - viaTemp[i]!) < 1e-5, `${i}: ${direct[i]} vs ${viaTemp[i]}`);
  assert.ok(direct.some((v) => Math.abs(v) > 1e-3));
});

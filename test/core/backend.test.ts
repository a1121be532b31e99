import { test } from "node:test";
import assert from "node:assert/strict";
import { THRESHOLDS, coreFor, currentRoute, partsFor, setRoute, withRoute } from "../../src/core/backend.js";
import { matmul, rowSqNorms } from "../../src/core/gemm.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { FftRepulsion } from "../../src/manifold/tsne-fft.js";
import { wasmCore } from "../../src/core/wasm/runtime.js";
import { maxAbsDiff, randn } from "../helpers.js";

test("route selection: size thresholds, unsupported cases, forced routes and thread counts", async (t) => {
  const core = wasmCore();
  if (!core) return t.skip("no WebAssembly core");
  assert.equal(currentRoute(), "auto");
  assert.equal(coreFor("gemm", { size: THRESHOLDS.gemm.wasmFrom - 1 }), null);
  assert.equal(coreFor("gemm", { size: THRESHOLDS.gemm.wasmFrom }), core);
  assert.equal(coreFor("gemm"), core);
  assert.equal(coreFor("gemm", { size: 1, route: "wasm" }), core);
  assert.equal(coreFor("gemm", { route: "ts" }), null);
  // a case the kernel does not handle stays in TypeScript even when WASM is asked for
  assert.equal(coreFor("umapEpoch", { supported: false, route: "wasm" }), null);
  withRoute("ts", () => {
    assert.equal(currentRoute(), "ts");
    for (const w of Object.keys(THRESHOLDS) as (keyof typeof THRESHOLDS)[]) assert.equal(coreFor(w), null, w);
    assert.equal(coreFor("gemm", { route: "wasm" }), core, "a call's own route wins over the process route");
  });
  assert.equal(currentRoute(), "auto");
  withRoute("wasm", () => assert.equal(coreFor("gemm", { size: 1 }), core));
  // an async body keeps the route until its promise settles
  const later = withRoute("ts", async () => {
    await new Promise((r) => setTimeout(r, 1));
    return coreFor("gemm");
  });
  assert.equal(currentRoute(), "ts");
  assert.equal(await later, null);
  assert.equal(currentRoute(), "auto");
  assert.throws(() => setRoute("gpu" as "ts"), /route must be "auto", "wasm" or "ts"/);
  assert.equal(partsFor(core, "umapEpoch", THRESHOLDS.umapEpoch.parallelFrom - 1), 1);
  assert.equal(partsFor(core, "umapEpoch", THRESHOLDS.umapEpoch.parallelFrom), core.threads);
  assert.equal(partsFor(core, "umapEpoch", 1e9, 1), 1);
  assert.equal(partsFor(core, "umapEpoch", 1e9, 1000), core.threads);
  for (const [w, th] of Object.entries(THRESHOLDS)) assert.ok(th.wasmFrom >= 0 && th.parallelFrom >= 0 && th.unit.length > 0, w);
});

test("forcing the TypeScript route gives what the WebAssembly route gives (matmul, row norms, kNN, FFT repulsion)", (t) => {
  if (!wasmCore()) return t.skip("no WebAssembly core");
  const A = randn(70, 45, 1, "float32");
  const B = randn(45, 60, 2, "float32");
  const X = randn(300, 12, 3, "float32");
  const Y = new Float64Array(2 * 400).map((_, i) => Math.sin(i * 0.37) * 20);
  const run = () => {
    const rep = new Float64Array(Y.length);
    const f = new FftRepulsion();
    const z = f.repulsion(Y, 400, rep);
    return { C: matmul(A, B), n: rowSqNorms(X), knn: exactKnn(X, 5), z, rep };
  };
  const w = run();
  const s = withRoute("ts", run);
  assert.ok(maxAbsDiff(w.C, s.C) < 1e-4, `matmul ${maxAbsDiff(w.C, s.C)}`);
  for (let i = 0; i < X.rows; i++) assert.ok(Math.abs(w.n[i]! - s.n[i]!) < 1e-3 * (1 + s.n[i]!));
  let same = 0;
  for (let t2 = 0; t2 < w.knn.indices.length; t2++) same += w.knn.indices[t2] === s.knn.indices[t2] ? 1 : 0;
  assert.ok(same / w.knn.indices.length > 0.99, `kNN agreement ${same / w.knn.indices.length}`);
  assert.ok(Math.abs(w.z - s.z) < 1e-9 * s.z, `Z ${w.z} vs ${s.z}`);
  let err = 0, norm = 0;
  for (let i = 0; i < w.rep.length; i++) {
    err += (w.rep[i]! - s.rep[i]!) ** 2;
    norm += s.rep[i]! ** 2;
  }
  assert.ok(Math.sqrt(err / norm) < 1e-9, `FFT repulsion ${Math.sqrt(err / norm)}`);
});

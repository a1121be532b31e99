import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Random } from "../../src/core/random.js";
import { readCsv } from "../../src/io/csv.js";
import { FFT_FROM, TSNE } from "../../src/manifold/tsne.js";
import { wasmCore } from "../../src/core/wasm/runtime.js";
import { FftRepulsion } from "../../src/manifold/tsne-fft.js";
import { exactRepulsion } from "../../src/manifold/tsne-gradient.js";
import { knnAccuracy, trustworthiness } from "../../src/metrics/quality.js";
import { PROJECT_DATA } from "../helpers.js";

/** n points in five Gaussian clusters spread over a square of side ~`span`. */
function clusters(n: number, span: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const Y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 5;
    Y[2 * i] = (c / 4 - 0.5) * span + rng.normal() * span * 0.05;
    Y[2 * i + 1] = ((c * 3) % 5 / 4 - 0.5) * span + rng.normal() * span * 0.05;
  }
  return Y;
}

// Error bounds measured for openTSNE's defaults (3 nodes per box, boxes of width <= 1): a compact map is nearly exact,
// a wide one (node spacing 1/3 against a kernel of width ~1) has ~0.1% error in Z and ~2% in the forces.
test("FFT-interpolated repulsion matches the exact sums on compact and wide maps", () => {
  for (const [n, span, zTol, fTol] of [[1500, 10, 1e-4, 2e-3], [8000, 120, 3e-3, 4e-2]] as const) {
    const Y = clusters(n, span, n);
    const ex = new Float64Array(2 * n);
    const zEx = exactRepulsion(Y, n, 2, ex);
    for (const backend of ["auto", "ts"] as const) {
      const f = new FftRepulsion({ backend });
      const ff = new Float64Array(2 * n);
      const z = f.repulsion(Y, n, ff);
      assert.ok(Math.abs(z - zEx) < zTol * zEx, `${backend} span ${span}: Z ${z} vs ${zEx}`);
      let err = 0, norm = 0;
      for (let t = 0; t < 2 * n; t++) {
        err += (ff[t]! - ex[t]!) ** 2;
        norm += ex[t]! ** 2;
      }
      assert.ok(Math.sqrt(err / norm) < fTol, `${backend} span ${span}: relative force error ${Math.sqrt(err / norm)}`);
      f.dispose();
    }
  }
});

test("maxBoxes caps the grid, and the error falls as the grid grows", () => {
  const n = 4000;
  const Y = clusters(n, 120, 3);
  const ex = new Float64Array(2 * n);
  const zEx = exactRepulsion(Y, n, 2, ex);
  const errors = [48, 96, Infinity].map((maxBoxes) => {
    const f = new FftRepulsion({ maxBoxes });
    const ff = new Float64Array(2 * n);
    const z = f.repulsion(Y, n, ff);
    assert.ok(f.lastBoxes <= maxBoxes, `${f.lastBoxes} boxes`);
    f.dispose();
    let err = 0, norm = 0;
    for (let t = 0; t < 2 * n; t++) {
      err += (ff[t]! - ex[t]!) ** 2;
      norm += ex[t]! ** 2;
    }
    return [Math.abs(z - zEx) / zEx, Math.sqrt(err / norm)] as const;
  });
  // measured: Z 7e-2 / 1e-2 / 2.5e-3 and forces 1.8 / 0.14 / 0.027 — dense clusters need boxes of width ~1
  assert.ok(errors[0]![0] > errors[1]![0] && errors[1]![0] > errors[2]![0], JSON.stringify(errors));
  assert.ok(errors[0]![1] > errors[1]![1] && errors[1]![1] > errors[2]![1], JSON.stringify(errors));
  assert.ok(errors[2]![0] < 3e-3 && errors[2]![1] < 4e-2);
});

test("the WASM and TypeScript grid convolutions agree, and grids are reused across calls", () => {
  const n = 3000;
  const a = new FftRepulsion({ backend: "auto" });
  const b = new FftRepulsion({ backend: "ts" });
  for (const span of [30, 80, 81]) {
    const Y = clusters(n, span, 7);
    const fa = new Float64Array(2 * n);
    const fb = new Float64Array(2 * n);
    const za = a.repulsion(Y, n, fa);
    const zb = b.repulsion(Y, n, fb);
    assert.ok(Math.abs(za - zb) < 1e-9 * zb);
    for (let t = 0; t < 2 * n; t++) assert.ok(Math.abs(fa[t]! - fb[t]!) < 1e-9 * (1 + Math.abs(fb[t]!)));
    assert.ok(a.lastBoxes >= span && a.lastBoxes >= 50);
  }
  a.dispose();
});

test("t-SNE with the FFT gradient keeps digits trustworthiness(10) >= 0.98 and 10-NN accuracy >= 0.95", async () => {
  const digits = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
  const Y = await new TSNE({ method: "fft", seed: 1 }).fitTransform(digits.X);
  const t = trustworthiness(digits.X, Y, 10);
  const acc = knnAccuracy(Y, digits.labels!, 10);
  assert.ok(t >= 0.98, `trustworthiness ${t}`);
  assert.ok(acc >= 0.95, `accuracy ${acc}`);
  assert.throws(() => new TSNE({ method: "fft", nComponents: 3 }), /FFT.*nComponents 2, got 3/);
  assert.equal(new TSNE().resolvedMethod(FFT_FROM), "fft");
  assert.equal(new TSNE().resolvedMethod(70000), wasmCore() ? "barnes-hut" : "fft");
  assert.equal(new TSNE().resolvedMethod(1797), "barnes-hut");
  assert.equal(new TSNE({ nComponents: 3 }).resolvedMethod(FFT_FROM), "barnes-hut");
});

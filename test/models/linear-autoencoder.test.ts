// The theorem of linear autoencoders (Baldi & Hornik 1989): with linear units and squared error, the k code units
// span the space of the first k principal components, in a basis that need not be orthogonal.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readCsv } from "../../src/io/csv.js";
import { readIdxImages } from "../../src/io/idx.js";
import { principalAngles } from "../../src/linalg/subspace.js";
import { Autoencoder } from "../../src/models/autoencoder.js";
import { loadModel } from "../../src/models/load.js";
import { LinearAutoencoder } from "../../src/models/linear-autoencoder.js";
import { PROJECT_DATA, maxAbsDiff, naiveMatmul, refuses, sharedData } from "../helpers.js";

const raw = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X;
const digits = new Matrix(raw.rows, raw.cols, Float32Array.from(raw.data, (v) => v / 16));

/** The encoder's rows projected onto the first m principal directions (rows of V): the part of the encoder the data sees. */
function onDataSpan(We: Matrix, V: Matrix): Matrix {
  const k = We.rows, d = We.cols, m = V.rows;
  const out = Matrix.zeros(d, k, "float64");
  for (let a = 0; a < k; a++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += We.get(a, i) * V.get(c, i);
      for (let i = 0; i < d; i++) out.data[i * k + a]! += s * V.get(c, i);
    }
  }
  return out;
}

/** PCA's reconstruction error with its first k components, mean squared error per element. */
function pcaError(X: Matrix, pca: PCA, k: number): number {
  const d = X.cols, mu = pca.mean, V = pca.components;
  let s = 0;
  const xc = new Float64Array(d), z = new Float64Array(k);
  for (let r = 0; r < X.rows; r++) {
    for (let i = 0; i < d; i++) xc[i] = X.data[r * d + i]! - mu[i]!;
    z.fill(0);
    for (let a = 0; a < k; a++) for (let i = 0; i < d; i++) z[a]! += V.get(a, i) * xc[i]!;
    for (let i = 0; i < d; i++) {
      let y = 0;
      for (let a = 0; a < k; a++) y += z[a]! * V.get(a, i);
      s += (xc[i]! - y) ** 2;
    }
  }
  return s / (X.rows * d);
}

/** Largest |cos| between two different columns of W, and the spread of the column norms (max / min). */
function nonOrthogonality(W: Matrix): { maxCos: number; normRatio: number } {
  const G = naiveMatmul(W, W, true, false);
  let maxCos = 0, lo = Infinity, hi = 0;
  for (let a = 0; a < G.rows; a++) {
    lo = Math.min(lo, Math.sqrt(G.get(a, a)));
    hi = Math.max(hi, Math.sqrt(G.get(a, a)));
    for (let b = 0; b < a; b++) maxCos = Math.max(maxCos, Math.abs(G.get(a, b)) / Math.sqrt(G.get(a, a) * G.get(b, b)));
  }
  return { maxCos, normRatio: hi / lo };
}

/**
 * Fits PCA (m components) and a linear autoencoder with code k on X and checks the theorem: the decoder's columns
 * and the encoder's rows (on the span of the data's first m principal directions, see below) span PCA's first k
 * components (every cosine of the principal angles above `floor`), a subspace shifted by one component does not,
 * and the autoencoder's loss is PCA's reconstruction error. Returns the model and the cosines.
 */
async function checkTheorem(X: Matrix, k: number, m: number, floor: number, options: object) {
  // exact PCA: the eigenvectors of the covariance matrix (d x d), the fastest exact solver for these shapes
  const pca = await new PCA({ nComponents: m, solver: "covariance-eig" }).fit(X);
  const top = pca.components.rowRange(0, k).transpose(); // [d, k]
  const ae = await new LinearAutoencoder({ code: k, ...options }).fit(X);
  const dec = principalAngles(ae.decoderWeight, top);
  // An encoder row's component along a direction in which the data has (almost) no variance gets (almost) no
  // gradient, so it keeps its random initial value: the theorem fixes the encoder only on the data's span, where it
  // is the decoder's pseudo-inverse. Its rows restricted to the first m principal directions span the same space.
  const enc = principalAngles(onDataSpan(ae.encoderWeight, pca.components), top);
  assert.ok(dec[k - 1]! > floor, `decoder: cosines of the principal angles to PCA's first ${k} components ${Array.from(dec)}`);
  assert.ok(enc[k - 1]! > floor, `encoder (on the data's first ${m} principal directions): cosines ${Array.from(enc)}`);
  // the check can fail: the span of components 2…k+1 is a subspace as close as can be without being it
  const shifted = pca.components.rowRange(1, k + 1).transpose();
  const off = principalAngles(ae.decoderWeight, shifted);
  assert.ok(off[k - 1]! < 0.1, `components 2..${k + 1}: smallest cosine ${off[k - 1]}`);
  // the loss (mean squared error per element) is PCA's reconstruction error with k components
  const pcaErr = pcaError(X, pca, k), aeErr = ae.reconstructionError(X);
  assert.ok(aeErr >= pcaErr * (1 - 1e-4) && aeErr < pcaErr * 1.005, `autoencoder ${aeErr}, PCA ${pcaErr}`);
  return { ae, dec, enc, aeErr, pcaErr };
}

test("LinearAutoencoder on the digits (code 5) spans PCA's first 5 components, its weights are not PCA's components", async () => {
  const { ae, dec, enc, aeErr, pcaErr } = await checkTheorem(digits, 5, 40, 0.999,
    { epochs: 30, batchSize: 16, learningRate: 0.02, lrSchedule: "cosine", seed: 0 });
  // the weights are a basis of that space, not an orthonormal one, and not PCA's components themselves
  // (here they come out nearly orthogonal: on Fashion-MNIST below they are far from it)
  const W = ae.decoderWeight;
  const { maxCos, normRatio } = nonOrthogonality(W);
  const pca = await new PCA({ nComponents: 5, solver: "full" }).fit(digits);
  for (let a = 0; a < 5; a++) {
    const col = new Matrix(64, 1, Float64Array.from({ length: 64 }, (_, i) => W.get(i, a)));
    const comp = new Matrix(64, 1, Float64Array.from({ length: 64 }, (_, i) => pca.components.get(a, i)));
    assert.ok(principalAngles(col, comp)[0]! < 0.99, `decoder column ${a} is PCA component ${a}`);
  }
  console.log(`digits, code 5: smallest cosine decoder ${dec[4]!.toFixed(6)}, encoder ${enc[4]!.toFixed(6)}; ` +
    `MSE ${aeErr.toExponential(4)} vs PCA ${pcaErr.toExponential(4)}; decoder columns: largest |cos| ${maxCos.toFixed(3)}, norm ratio ${normRatio.toFixed(2)}`);
});

test("LinearAutoencoder on 3000 Fashion-MNIST images (code 8) spans PCA's first 8 components with weights far from orthogonal", async () => {
  const { X: px } = readIdxImages(sharedData("fashion-mnist/train-images-idx3-ubyte.gz"), 3000);
  const X = new Matrix(px.rows, px.cols, Float32Array.from(px.data, (v) => v / 255));
  const { ae, dec, enc, aeErr, pcaErr } = await checkTheorem(X, 8, 50, 0.999,
    { epochs: 12, batchSize: 32, learningRate: 0.01, lrSchedule: "cosine", seed: 1 });
  // the theorem is about the span: the columns are neither orthogonal nor of equal length
  const { maxCos, normRatio } = nonOrthogonality(ae.decoderWeight);
  assert.ok(maxCos > 0.3 && normRatio > 1.3, `decoder columns: largest |cos| ${maxCos}, norm ratio ${normRatio}`);
  console.log(`Fashion-MNIST 3000, code 8: smallest cosine decoder ${dec[7]!.toFixed(6)}, encoder ${enc[7]!.toFixed(6)}; ` +
    `MSE ${aeErr.toExponential(4)} vs PCA ${pcaErr.toExponential(4)}; decoder columns: largest |cos| ${maxCos.toFixed(3)}, norm ratio ${normRatio.toFixed(2)}`);
});

test("a tied LinearAutoencoder spans the same space with orthonormal weights (W·Wᵀ = I at the optimum)", async () => {
  const { ae, dec } = await checkTheorem(digits, 5, 40, 0.999, { tied: true, epochs: 30, batchSize: 16, learningRate: 0.02, lrSchedule: "cosine", seed: 0 });
  const W = ae.encoderWeight; // [5, 64]
  const G = naiveMatmul(W, W, false, true);
  let e = 0;
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) e = Math.max(e, Math.abs(G.get(a, b) - (a === b ? 1 : 0)));
  assert.ok(e < 0.02, `max |W·Wᵀ − I| ${e}`);
  console.log(`tied, digits, code 5: smallest cosine ${dec[4]!.toFixed(6)}, max |W·Wᵀ − I| ${e.toExponential(2)}`);
});

test("LinearAutoencoder options: the architecture is pinned and other values are refused by name; save and load", async () => {
  const p = new LinearAutoencoder().getParams();
  assert.deepEqual([p.layers, p.activation, p.codeActivation, p.outputActivation, p.loss, p.tied, p.code], [[], "none", "none", "none", "mse", false, 32]);
  await refuses(() => new LinearAutoencoder({ layers: [16] as never }), /^layers must be \[\] \(a linear autoencoder has no hidden layers: d → code → d\), got \[16\]$/);
  await refuses(() => new LinearAutoencoder({ loss: "bce" as never }), /^loss must be "mse" \(a linear autoencoder minimises the squared error\), got "bce"$/);
  await refuses(() => new LinearAutoencoder({ activation: "relu" as never }), /^activation must be "none"/);
  await refuses(() => new LinearAutoencoder({ codeActivation: "tanh" as never }), /^codeActivation must be "none"/);
  await refuses(() => new LinearAutoencoder({ outputActivation: "sigmoid" as never }), /^outputActivation must be "none"/);
  await refuses(() => new LinearAutoencoder({ code: 0 }), /^code must be an integer >= 1, got 0$/);
  await refuses(() => new LinearAutoencoder().decoderWeight, /not fitted yet/);
  // any real values (no [0, 1] check: the loss is squared error)
  const X = new Matrix(200, 64, Float32Array.from(digits.data.subarray(0, 200 * 64), (v, t) => 16 * v - (t % 7)));
  const ae = await new LinearAutoencoder({ code: 3, epochs: 2, batchSize: 50 }).fit(X);
  assert.ok(ae instanceof Autoencoder);
  const back = loadModel(ae.toSafetensors());
  assert.ok(back instanceof LinearAutoencoder);
  assert.deepEqual(back.getParams(), { ...ae.getParams(), onProgress: undefined, signal: undefined });
  assert.equal(maxAbsDiff(back.transform(X), ae.transform(X)), 0);
  assert.equal(maxAbsDiff(back.reconstruct(X), ae.reconstruct(X)), 0);
  const j = LinearAutoencoder.fromJSON(JSON.parse(JSON.stringify(ae.toJSON())));
  assert.equal(maxAbsDiff(j.inverseTransform(ae.transform(X)), ae.reconstruct(X)), 0);
});

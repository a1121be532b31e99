import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readIdxImages } from "../../src/io/idx.js";
import { Autoencoder } from "../../src/models/autoencoder.js";
import { loadModel } from "../../src/models/load.js";
import { corrupt, parseCorruption, type Corruption } from "../../src/models/corruption.js";
import { DenoisingAutoencoder, denoise } from "../../src/models/denoising.js";
import { maxAbsDiff, refuses, sharedData } from "../helpers.js";

/** The first n images of a Fashion-MNIST file, scaled to [0, 1]. */
function fashion(file: string, n: number): Matrix {
  const { X } = readIdxImages(sharedData(`fashion-mnist/${file}`), n);
  return new Matrix(X.rows, X.cols, Float32Array.from(X.data, (v) => v / 255));
}

const train = fashion("train-images-idx3-ubyte.gz", 4000);
const testImages = fashion("t10k-images-idx3-ubyte.gz", 1000);

/** Mean over images of the per-image PSNR (peak 1) of `other` against `clean`, in dB. */
function psnr(clean: Matrix, other: Matrix): number {
  const d = clean.cols;
  let s = 0;
  for (let i = 0; i < clean.rows; i++) {
    let e = 0;
    for (let j = 0; j < d; j++) e += (clean.data[i * d + j]! - other.data[i * d + j]!) ** 2;
    s += 10 * Math.log10(1 / Math.max(e / d, 1e-12));
  }
  return s / clean.rows;
}

const CODE = 32;
const pca = await new PCA({ nComponents: CODE, solver: "covariance-eig" }).fit(train);
/** PCA projection (fitted on the clean training images): project the noisy images and reconstruct. */
const pcaProject = (X: Matrix): Matrix => pca.inverseTransform(pca.transform(X));

const small = train.rowRange(0, 300);

test("DenoisingAutoencoder beats PCA projection in PSNR on noisy Fashion-MNIST test images (Gaussian σ = 0.3, 50 % masking)", async (t) => {
  // 4000 training images, one hidden layer of 256, a linear code of 32 (PCA gets 32 components), a few epochs
  const common = { layers: [256], code: CODE, codeActivation: "none" as const, batchSize: 32, learningRate: 3e-3, lrSchedule: "cosine" as const, seed: 1 };
  const cases = [
    { noise: "gaussian", level: 0.3, epochs: 6, margin: 0.8 },
    { noise: "mask", level: 0.5, epochs: 4, margin: 3 },
  ] as const;
  for (const { noise, level, epochs, margin } of cases) {
    const dae = await new DenoisingAutoencoder({ ...common, noise, noiseLevel: level, epochs }).fit(train);
    assert.deepEqual(dae.corruption, parseCorruption(`${noise}:${level}`));
    const noisy = corrupt(testImages, dae.corruption, new Random(11));
    const pNoisy = psnr(testImages, noisy), pPca = psnr(testImages, pcaProject(noisy)), pDae = psnr(testImages, denoise(dae, noisy));
    t.diagnostic(`${noise} ${level}: PSNR of the noisy images ${pNoisy.toFixed(2)} dB, PCA-${CODE} projection ${pPca.toFixed(2)} dB, denoising AE ${pDae.toFixed(2)} dB`);
    assert.ok(pDae > pPca + margin, `${noise} ${level}: denoising AE ${pDae} dB vs PCA projection ${pPca} dB`);
    assert.ok(pDae > pNoisy + 3, `${noise} ${level}: the denoised images ${pDae} dB vs the noisy ones ${pNoisy} dB`);
    if (noise === "mask") {
      // the corruption in training is what does it: the same network trained on clean inputs does far worse on the
      // masked images
      const plain = await new Autoencoder({ ...common, epochs }).fit(train);
      const pPlain = psnr(testImages, plain.reconstruct(noisy));
      t.diagnostic(`mask 0.5: the same autoencoder trained on clean images ${pPlain.toFixed(2)} dB`);
      assert.ok(pDae > pPlain + 2, `denoising AE ${pDae} dB vs plain AE ${pPlain} dB on the masked images`);
    }
  }
});

test("DenoisingAutoencoder options: defaults, one-line errors, the corruption in effect, inputs in [0, 1]", async () => {
  const d = new DenoisingAutoencoder();
  const p = d.getParams();
  assert.equal(p.noise, "mask");
  assert.equal(p.noiseLevel, undefined);
  assert.equal(p.validationInput, "clean");
  assert.deepEqual(p.layers, [512, 128]);
  assert.equal(p.loss, "bce");
  assert.deepEqual(Object.keys(p).sort(), Object.keys(DenoisingAutoencoder.schema).sort());
  assert.deepEqual(d.corruption, { kind: "mask", rate: 0.3 });
  assert.deepEqual(new DenoisingAutoencoder({ noise: "gaussian" }).corruption, { kind: "gaussian", sigma: 0.3 });
  assert.deepEqual(new DenoisingAutoencoder({ noise: "saltPepper" }).corruption, { kind: "saltPepper", rate: 0.1 });
  assert.deepEqual(new DenoisingAutoencoder({ noise: "gaussian", noiseLevel: 1.5 }).corruption, { kind: "gaussian", sigma: 1.5 });
  await refuses(() => new DenoisingAutoencoder({ noise: "blur" as "mask" }), /^noise must be "gaussian", "mask" or "saltPepper", got "blur"$/);
  await refuses(() => new DenoisingAutoencoder({ noiseLevel: -0.1 }), /^noiseLevel must be a number >= 0, got -0.1$/);
  await refuses(() => new DenoisingAutoencoder({ noiseLevel: NaN }), /^noiseLevel must be a number >= 0, got NaN$/);
  await refuses(() => new DenoisingAutoencoder({ noise: "mask", noiseLevel: 1 }), /^noiseLevel must be a number in \[0, 1\) with noise "mask" \(the masking rate\), got 1$/);
  await refuses(() => new DenoisingAutoencoder({ noise: "saltPepper", noiseLevel: 2 }), /with noise "saltPepper" \(the salt-and-pepper rate\), got 2$/);
  await refuses(() => new DenoisingAutoencoder({ validationInput: "noisy" as "clean" }), /^validationInput must be "clean" or "corrupted", got "noisy"$/);
  await refuses(() => new DenoisingAutoencoder({ code: 0 }), /^code must be an integer >= 1, got 0$/);
  await refuses(() => new DenoisingAutoencoder({ noiseLvl: 0.2 } as never), /unknown option "noiseLvl" for DenoisingAutoencoder: did you mean "noiseLevel"\?/);
  await refuses(() => new DenoisingAutoencoder({ loss: "bce", outputActivation: "none" }), /outputActivation must be "sigmoid"/);
  await refuses(() => d.transform(small), /not fitted yet/);
  // the corruptions clip to (or set values to the ends of) [0, 1]: other inputs are refused, masking with MSE takes any
  const wide = new Matrix(2, 3, Float32Array.from([0, 0.5, 1, 0.2, 2, 0]));
  await refuses(() => new DenoisingAutoencoder({ noise: "gaussian", loss: "mse", layers: [], code: 2, epochs: 1 }).fit(wide), /^X\[1\]\[1\] is 2: noise "gaussian" clips to \[0, 1\], so the inputs must be in \[0, 1\]/);
  await refuses(() => new DenoisingAutoencoder({ noise: "saltPepper", loss: "mse", layers: [], code: 2, epochs: 1 }).fit(wide), /noise "saltPepper" sets values to the ends of \[0, 1\]/);
  await new DenoisingAutoencoder({ noise: "mask", loss: "mse", layers: [], code: 2, epochs: 1 }).fit(wide);
});

test("DenoisingAutoencoder trains on fresh corruption each step, validates on the same corruption each epoch; clean and denoising errors", async () => {
  const opts = { layers: [16], code: 4, batchSize: 60, epochs: 3, seed: 3 };
  // with no corruption the training is exactly the plain autoencoder's (same weights, batches and losses)
  const zero = await new DenoisingAutoencoder({ ...opts, noise: "mask", noiseLevel: 0 }).fit(small);
  const plain = await new Autoencoder(opts).fit(small);
  assert.deepEqual(zero.history.train, plain.history.train);
  assert.equal(maxAbsDiff(zero.reconstruct(small), plain.reconstruct(small)), 0);
  // with corruption the training loss is the denoising loss: higher than the plain one
  const dae = await new DenoisingAutoencoder({ ...opts, noise: "mask", noiseLevel: 0.5 }).fit(small);
  assert.ok(dae.history.train[0]! > plain.history.train[0]!);
  // a learning rate of (almost) zero keeps the weights: the epochs' training losses then differ only by the
  // corruption, which is drawn afresh (with batches that split the rows evenly, the same corruption would give the
  // same mean up to rounding), while the corrupted validation rows get the same corruption in every epoch. A linear
  // output with MSE makes the loss of the untrained network sensitive to its input.
  const frozen = (validationInput: "clean" | "corrupted") => new DenoisingAutoencoder({
    ...opts, noise: "saltPepper", noiseLevel: 0.2, loss: "mse", learningRate: 1e-30, validationFraction: 0.2, validationInput,
  }).fit(small);
  const still = await frozen("corrupted"), stillClean = await frozen("clean");
  const [t0, t1, t2] = still.history.train as [number, number, number];
  assert.ok(Math.abs(t1 - t0) > 1e-4 * t0 && Math.abs(t2 - t1) > 1e-4 * t0, `training losses ${still.history.train}: fresh noise each epoch`);
  const v = still.history.validation;
  assert.equal(v.length, 3);
  assert.ok(Math.abs(v[1]! - v[0]!) < 1e-9 * v[0]! && Math.abs(v[2]! - v[0]!) < 1e-9 * v[0]!, `validation losses ${v}: the same corruption each epoch`);
  const vc = stillClean.history.validation;
  assert.ok(Math.abs(v[0]! - vc[0]!) > 1e-3 * vc[0]!, `corrupted validation ${v[0]} vs clean ${vc[0]}`);
  assert.ok(Math.abs(vc[1]! - vc[0]!) < 1e-9 * vc[0]!);
  // reconstructionError is the clean loss (as Autoencoder's); denoisingError the loss from a corrupted copy
  const X = train.rowRange(1000, 1200);
  const clean = dae.reconstructionError(X);
  assert.ok(Math.abs(dae.denoisingError(X, { corruption: "mask:0" }) - clean) < 1e-6 * clean);
  assert.equal(still.reconstructionError(X), stillClean.reconstructionError(X), "validationInput does not change reconstructionError");
  const e1 = dae.denoisingError(X, { seed: 1 }), e1b = dae.denoisingError(X, { seed: 1 }), e2 = dae.denoisingError(X, { seed: 2 });
  assert.equal(e1, e1b);
  assert.notEqual(e1, e2);
  assert.ok(e1 > clean, `denoising error ${e1} vs clean ${clean}`);
  // the default corruption is the training one; a block needs the images' size
  assert.equal(dae.denoisingError(X, { seed: 5 }), dae.denoisingError(X, { corruption: { kind: "mask", rate: 0.5 }, seed: 5 }));
  assert.ok(dae.denoisingError(X, { corruption: parseCorruption("block:10", [28, 28]) }) > clean);
  await refuses(() => dae.denoisingError(X, { corruption: parseCorruption("block:3", [8, 8]) }), /a block for 8x8 images needs rows of 64 values, X has 784/);
  await refuses(() => dae.denoisingError(X, { corruption: "mask:2" }), /^denoisingError corruption "mask:2": the masking rate must be a number in \[0, 1\]/);
});

test("DenoisingAutoencoder: safetensors (loadModel) and JSON round trips keep the options and the denoiser", async () => {
  const dae = await new DenoisingAutoencoder({ layers: [16], code: 4, epochs: 2, batchSize: 50, noise: "gaussian", noiseLevel: 0.25, tied: true, seed: 4 }).fit(small);
  const X = corrupt(train.rowRange(2000, 2100), dae.corruption, new Random(1));
  const loaded = loadModel(dae.toSafetensors());
  assert.ok(loaded instanceof DenoisingAutoencoder);
  assert.equal(loaded.modelName, "DenoisingAutoencoder");
  assert.deepEqual(loaded.getParams(), { ...dae.getParams(), onProgress: undefined, signal: undefined });
  assert.deepEqual(loaded.corruption, { kind: "gaussian", sigma: 0.25 });
  assert.equal(maxAbsDiff(denoise(loaded, X), dae.reconstruct(X)), 0);
  assert.deepEqual(loaded.history.train, dae.history.train);
  assert.equal(loaded.denoisingError(X, { seed: 3 }), dae.denoisingError(X, { seed: 3 }));
  const json = DenoisingAutoencoder.fromJSON(JSON.parse(JSON.stringify(dae.toJSON())));
  assert.equal(maxAbsDiff(json.transform(X), dae.transform(X)), 0);
  assert.equal(json.noiseLevel, 0.25);
  // a plain Autoencoder's file is not a DenoisingAutoencoder's, and the other way round
  await refuses(() => Autoencoder.fromSafetensors(dae.toSafetensors()), /holds a "DenoisingAutoencoder", not a Autoencoder/);
  await refuses(() => DenoisingAutoencoder.fromJSON({ ...dae.toJSON(), type: "Autoencoder" }), /expected a saved DenoisingAutoencoder/);
});

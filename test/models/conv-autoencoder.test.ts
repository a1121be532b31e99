import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { serializeSafetensors } from "../../src/formats/safetensors.js";
import { readIdxImages } from "../../src/io/idx.js";
import { loadModel } from "../../src/models/load.js";
import { ConvAutoencoder, ConvAutoencoderNet, convAutoencoderShapes, type ConvAutoencoderSpec } from "../../src/models/conv-autoencoder.js";
import { ConvDecoder, ConvEncoder, convDecoderShapes, convEncoderShapes } from "../../src/models/conv-nets.js";
import { backward, noGrad, tidy } from "../../src/nn/autograd.js";
import { buildModule } from "../../src/nn/layers/index.js";
import { bceWithLogits, mseLoss, sigmoid } from "../../src/nn/ops/index.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { refuses, sharedData } from "../helpers.js";

/** The first n images of a Fashion-MNIST file, pixels / 255. */
function fashion(file: string, n: number): Matrix {
  const { X } = readIdxImages(sharedData(`fashion-mnist/${file}`), n);
  return new Matrix(X.rows, X.cols, Float32Array.from(X.data, (v) => v / 255));
}

const shapesOf = (m: { namedParameters(): [string, Tensor][] }): [string, number[]][] => m.namedParameters().map(([n, t]) => [n, t.shape.slice()]);

test("ConvEncoder and ConvDecoder: output shapes, odd sizes restored exactly, parameter names and shapes as declared", () => {
  const cases: { imageShape: [number, number, number]; channels: number[] }[] = [
    { imageShape: [1, 28, 28], channels: [8, 16] }, // 28 -> 14 -> 7
    { imageShape: [1, 8, 8], channels: [4, 6] }, // the digits: 8 -> 4 -> 2
    { imageShape: [3, 7, 5], channels: [2, 3] }, // odd: 7x5 -> 3x2 -> 1x1, and back through outputPadding
    { imageShape: [2, 9, 6], channels: [3] },
  ];
  for (const upsample of ["transposed", "nearest"] as const) {
    for (const c of cases) {
      tidy(() => {
        const enc = new ConvEncoder({ ...c, kernelSize: 3, outSize: 10 }, new Random(1));
        const dec = new ConvDecoder({ ...c, kernelSize: 3, inSize: 5, upsample }, new Random(1));
        assert.deepEqual(shapesOf(enc), convEncoderShapes(enc.spec_));
        assert.deepEqual(shapesOf(dec), convDecoderShapes(dec.spec_));
        const [ch, h, w] = c.imageShape;
        const x = Tensor.randn([3, ch, h, w], new Random(2));
        assert.deepEqual(enc.forward(x).shape, [3, 10]);
        // rows of c·h·w values give the same codes as the images
        assert.deepEqual(Array.from(enc.forward(x.view([3, ch * h * w])).data), Array.from(enc.forward(x).data));
        const z = Tensor.randn([3, 5], new Random(3));
        assert.deepEqual(dec.forward(z).shape, [3, ch, h, w], `${upsample} ${JSON.stringify(c)}`);
        assert.deepEqual(dec.forwardFlat(z).shape, [3, ch * h * w]);
        // rebuilt from its spec: same names and shapes (the weights load by name)
        const again = buildModule(dec.spec());
        assert.deepEqual(shapesOf(again), shapesOf(dec));
        again.dispose();
        enc.dispose();
        dec.dispose();
      });
    }
  }
  // PyTorch's names: nn.Sequential indices of conv, ReLU, pool (encoder) and deconv, ReLU (decoder)
  const names = convAutoencoderShapes({ imageShape: [1, 28, 28], channels: [16, 32], kernelSize: 3, code: 32, upsample: "transposed", codeActivation: "none" });
  assert.deepEqual(names, [
    ["encoder.conv.0.weight", [16, 1, 3, 3]], ["encoder.conv.0.bias", [16]], ["encoder.conv.3.weight", [32, 16, 3, 3]], ["encoder.conv.3.bias", [32]],
    ["encoder.fc.weight", [32, 32 * 7 * 7]], ["encoder.fc.bias", [32]],
    ["decoder.fc.weight", [32 * 7 * 7, 32]], ["decoder.fc.bias", [32 * 7 * 7]],
    ["decoder.deconv.0.weight", [32, 16, 2, 2]], ["decoder.deconv.0.bias", [16]], ["decoder.deconv.2.weight", [16, 16, 2, 2]], ["decoder.deconv.2.bias", [16]],
    ["decoder.deconv.4.weight", [1, 16, 3, 3]], ["decoder.deconv.4.bias", [1]],
  ]);
  // sizes that cannot be halved, even kernels, bad inputs: one line naming the value
  assert.throws(() => new ConvEncoder({ imageShape: [1, 3, 3], channels: [4, 4], kernelSize: 3, outSize: 2 }, null),
    /ConvEncoder: an image 3x3 cannot be halved 2 times by 2x2 pooling \(3x3 -> 1x1 -> 0x0\)/);
  assert.throws(() => new ConvDecoder({ imageShape: [1, 8, 8], channels: [4], kernelSize: 2, inSize: 2 }, null), /ConvDecoder: kernelSize must be an odd integer >= 1 .*got 2/);
  assert.throws(() => new ConvDecoder({ imageShape: [1, 8, 8], channels: [4], kernelSize: 3, inSize: 2, upsample: "bilinear" as "nearest" }, null),
    /ConvDecoder: upsample must be "transposed" or "nearest", got "bilinear"/);
  assert.throws(() => new ConvEncoder({ imageShape: [1, 8, 8], channels: [], kernelSize: 3, outSize: 2 }, null), /ConvEncoder: channels must be a non-empty array/);
  tidy(() => {
    const enc = new ConvEncoder({ imageShape: [1, 8, 8], channels: [2], kernelSize: 3, outSize: 2 }, null);
    assert.throws(() => enc.forward(Tensor.zeros([2, 63])), /ConvEncoder: the input \[2, 63\] must be images \[N, 1, 8, 8\] or rows \[N, 64\]/);
    enc.dispose();
  });
});

test("the conv autoencoder's loss gradients (every parameter, both upsamplings, bce and mse) match central differences in float64", () => {
  withEngineRoute("ts64", () => {
    for (const upsample of ["transposed", "nearest"] as const) {
      for (const loss of ["bce", "mse"] as const) {
        const rng = new Random(7);
        const spec: ConvAutoencoderSpec = { imageShape: [2, 5, 6], channels: [3, 2], kernelSize: 3, code: 3, upsample, codeActivation: "tanh" };
        const net = new ConvAutoencoderNet(spec, rng);
        // biases start at zero: where a ReLU's inputs are all zero, the pre-activation would sit exactly on the kink
        for (const [name, p] of net.namedParameters()) if (name.endsWith(".bias")) for (let i = 0; i < p.size; i++) p.data[i] = 0.2 * (rng.uniform() - 0.5);
        const x = Tensor.longLived([3, 60]);
        for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform();
        const f = (): Tensor => (loss === "bce" ? bceWithLogits(net.forward(x), x) : mseLoss(sigmoid(net.forward(x)), x));
        tidy(() => backward(f()));
        const value = (): number => tidy(() => noGrad(() => f().item()));
        let worst = 0, largest = 0, checked = 0;
        for (const [name, p] of net.namedParameters()) {
          const g = p.grad!.data;
          for (const v of g) largest = Math.max(largest, Math.abs(v));
          // every element of small tensors, a spread of 24 of each larger one
          const step = Math.max(1, Math.floor(p.size / 24));
          for (let i = 0; i < p.size; i += step) {
            const v = p.data[i]!;
            p.data[i] = v + 1e-6;
            const up = value();
            p.data[i] = v - 1e-6;
            const down = value();
            p.data[i] = v;
            const err = Math.abs((up - down) / 2e-6 - g[i]!);
            assert.ok(err < 1e-7, `${name}[${i}] (${upsample}, ${loss}): analytic ${g[i]}, numeric ${(up - down) / 2e-6}`);
            worst = Math.max(worst, err);
            checked++;
          }
        }
        assert.ok(largest > 1e-3 && worst < 1e-7 && checked > 100, `largest gradient ${largest}, worst error ${worst}, ${checked} checked`);
        net.dispose();
        x.dispose();
      }
    }
  });
});

test("ConvAutoencoder options: defaults, one-line errors naming the option, image shape against the columns", async () => {
  const ae = new ConvAutoencoder();
  const p = ae.getParams();
  assert.deepEqual(p.channels, [16, 32]);
  assert.equal(p.kernelSize, 3);
  assert.equal(p.code, 32);
  assert.equal(p.upsample, "transposed");
  assert.equal(p.loss, "bce");
  assert.equal(p.codeActivation, "none");
  assert.equal(p.imageShape, undefined);
  assert.equal(ae.outputActivation, "sigmoid");
  assert.equal(new ConvAutoencoder({ loss: "mse" }).outputActivation, "none");
  assert.deepEqual(Object.keys(p).sort(), Object.keys(ConvAutoencoder.schema).sort());
  await refuses(() => new ConvAutoencoder({ channels: [] }), /^channels must be a non-empty array of integers >= 1, got \[\]$/);
  await refuses(() => new ConvAutoencoder({ channels: [8, 0] }), /^channels must be a non-empty array of integers >= 1, got \[8,0\]$/);
  await refuses(() => new ConvAutoencoder({ imageShape: [28, 28] as never }), /^imageShape must be \[channels, height, width\]/);
  await refuses(() => new ConvAutoencoder({ kernelSize: 4 }), /kernelSize must be odd .*got 4/);
  await refuses(() => new ConvAutoencoder({ upsample: "bilinear" as "nearest" }), /^upsample must be "transposed" or "nearest", got "bilinear"$/);
  await refuses(() => new ConvAutoencoder({ loss: "bce", outputActivation: "none" }), /outputActivation must be "sigmoid"/);
  await refuses(() => new ConvAutoencoder({ imageShape: [1, 6, 6], channels: [4, 4, 4] }), /an image 6x6 cannot be halved 3 times by 2x2 pooling \(6x6 -> 3x3 -> 1x1 -> 0x0\)/);
  await refuses(() => new ConvAutoencoder({ chanels: [4] } as never), /unknown option "chanels" for ConvAutoencoder: did you mean "channels"\?/);
  await refuses(() => ae.transform(new Matrix(1, 4)), /not fitted yet/);
  // the columns against the image shape: both numbers named; an inferred shape needs a square number of columns
  const X = new Matrix(4, 50, new Float32Array(200).fill(0.5));
  await refuses(() => new ConvAutoencoder({ imageShape: [1, 7, 7], epochs: 1 }).fit(X), /X has 50 columns, but imageShape \[1, 7, 7\] needs 1·7·7 = 49/);
  await refuses(() => new ConvAutoencoder({ epochs: 1 }).fit(X), /X has 50 columns, not a square number: give imageShape \[channels, height, width\]/);
  await refuses(() => new ConvAutoencoder({ epochs: 1 }).fit(new Matrix(2, 4, Float32Array.of(0, 0.5, 1, 2, 0, 0, 0, 0))), /X\[0\]\[3\] is 2: loss "bce" needs values in \[0, 1\]/);
  // a 2-channel 5x5 image: the shape given, the fitted one reported; transform checks the columns
  const two = new Matrix(6, 50, Float32Array.from({ length: 300 }, (_, i) => (i % 7) / 7));
  const m = await new ConvAutoencoder({ imageShape: [2, 5, 5], channels: [3], code: 4, epochs: 1, batchSize: 3 }).fit(two);
  assert.deepEqual(m.imageShape, [2, 5, 5]);
  assert.deepEqual([m.transform(two).rows, m.transform(two).cols], [6, 4]);
  await refuses(() => m.transform(new Matrix(2, 49)), /49/);
  m.dispose();
});

test("ConvAutoencoder on Fashion-MNIST: two short epochs bring the test reconstruction error well below the mean image's", async () => {
  const train = fashion("train-images-idx3-ubyte.gz", 2000);
  const testX = fashion("t10k-images-idx3-ubyte.gz", 500);
  const ae = await new ConvAutoencoder({ channels: [8, 16], code: 32, epochs: 2, batchSize: 16, learningRate: 2e-3, seed: 1 }).fit(train);
  assert.deepEqual(ae.imageShape, [1, 28, 28]); // inferred from 784 columns
  const h = ae.history;
  assert.equal(h.train.length, 2);
  assert.ok(h.train[1]! < h.train[0]!, `training loss ${h.train}`);
  // mean squared error per pixel of the reconstructions, against predicting the training set's mean image
  const mean = new Float64Array(784);
  for (let i = 0; i < train.rows; i++) for (let j = 0; j < 784; j++) mean[j]! += train.data[i * 784 + j]! / train.rows;
  const R = ae.reconstruct(testX);
  let err = 0, base = 0;
  for (let i = 0; i < testX.rows; i++) {
    for (let j = 0; j < 784; j++) {
      const v = testX.data[i * 784 + j]!;
      err += (R.data[i * 784 + j]! - v) ** 2;
      base += (mean[j]! - v) ** 2;
    }
  }
  err /= testX.data.length;
  base /= testX.data.length;
  // measured: 0.0265 against 0.0877 (0.30 of it)
  assert.ok(err < 0.45 * base, `test MSE ${err.toFixed(4)} vs mean-image ${base.toFixed(4)}`);
  // codes and decoding agree with reconstruct; the BCE test error is what reconstructionError reports
  const Z = ae.transform(testX.rowRange(0, 20));
  assert.deepEqual([Z.rows, Z.cols], [20, 32]);
  const D = ae.inverseTransform(Z);
  let gap = 0;
  for (let k = 0; k < D.data.length; k++) gap = Math.max(gap, Math.abs(D.data[k]! - R.data[k]!));
  assert.ok(gap < 1e-5, `inverseTransform(transform) vs reconstruct: ${gap}`);
  const bce = ae.reconstructionError(testX);
  assert.ok(bce > 0 && bce < h.train[0]!, `test BCE ${bce}, first epoch ${h.train[0]}`);
  ae.dispose();
});

test("ConvAutoencoder save/load: safetensors and JSON round trips reconstruct the same; loading checks names and shapes", async () => {
  const X = fashion("t10k-images-idx3-ubyte.gz", 64);
  for (const upsample of ["transposed", "nearest"] as const) {
    const ae = await new ConvAutoencoder({ channels: [4, 4], code: 6, upsample, codeActivation: "relu", epochs: 1, batchSize: 32 }).fit(X);
    const want = ae.reconstruct(X);
    const bytes = ae.toSafetensors();
    const loaded = loadModel(bytes);
    assert.ok(loaded instanceof ConvAutoencoder);
    assert.deepEqual(Array.from(loaded.reconstruct(X).data), Array.from(want.data));
    assert.deepEqual(loaded.getParams().upsample, upsample);
    const fromJson = ConvAutoencoder.fromJSON(JSON.parse(JSON.stringify(ae.toJSON())));
    assert.deepEqual(Array.from(fromJson.transform(X).data), Array.from(ae.transform(X).data));
    // a weight of the wrong shape, a missing one, options that change the architecture
    const json = ae.toJSON();
    const w = json.weights["decoder.deconv.0.weight"] ?? json.weights["decoder.deconv.1.weight"]!;
    const name = upsample === "transposed" ? "decoder.deconv.0.weight" : "decoder.deconv.1.weight";
    await refuses(() => ConvAutoencoder.fromJSON({ ...json, weights: { ...json.weights, [name]: { ...w, shape: [4, 4, 3, 2] } } }),
      new RegExp(`weight "${name}" has shape \\[4, 4, 3, 2\\]`));
    const { ["encoder.fc.bias"]: _drop, ...missing } = json.weights;
    await refuses(() => ConvAutoencoder.fromJSON({ ...json, weights: missing }), /weight "encoder.fc.bias" \[6\] is missing/);
    await refuses(() => ConvAutoencoder.fromJSON({ ...json, options: { ...json.options, channels: [4, 8] } }), /weight "encoder.conv.3.weight" has shape \[4, 4, 3, 3\].*expected \[8, 4, 3, 3\]/);
    await refuses(() => ConvAutoencoder.fromJSON({ ...json, nFeatures: 700 }), /X has 700 columns, not a square number/);
    // a safetensors file with a damaged tensor shape
    const meta = JSON.stringify({ ...json, weights: undefined });
    const tensors = ae.network.namedParameters().map(([n, t]) => [n, n === "encoder.conv.0.weight" ? { shape: [4, 1, 9], data: t.data } : { shape: t.shape, data: t.data }] as [string, { shape: readonly number[]; data: ArrayLike<number> }]);
    await refuses(() => loadModel(serializeSafetensors(tensors, { latentkit: meta }), "m.safetensors"), /m.safetensors: weight "encoder.conv.0.weight" has shape \[4, 1, 9\]/);
    for (const m of [ae, loaded, fromJson]) m.dispose();
  }
});

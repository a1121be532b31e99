// CNNClassifier on real images (Fashion-MNIST, ../shared/data), CI-sized: a quality floor for a small net on a
// subset, and the random-label property of Zhang et al. (2017, "Understanding deep learning requires rethinking
// generalization"): the same kind of net fits randomly permuted labels perfectly while its test accuracy stays at
// chance, where with the true labels it generalises.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { CNNClassifier } from "../../src/models/cnn.js";
import { sharedData } from "../helpers.js";

/** The first n images of a Fashion-MNIST file, pixels / 255, and their labels. */
function fashion(split: "train" | "t10k", n: number): { X: Matrix; y: number[] } {
  const { X } = readIdxImages(sharedData(`fashion-mnist/${split}-images-idx3-ubyte.gz`), n);
  const y = Array.from(readIdxLabels(sharedData(`fashion-mnist/${split}-labels-idx1-ubyte.gz`), n));
  return { X: new Matrix(X.rows, X.cols, Float32Array.from(X.data, (v) => v / 255)), y };
}

const test2000 = fashion("t10k", 2000);

test("quality floor: a small conv net (batch norm, two poolings) on 8000 Fashion-MNIST images, 4 epochs, reaches >= 85% test accuracy", async () => {
  const train = fashion("train", 8000);
  const m = new CNNClassifier({ layers: "conv8,bn,relu,maxpool,conv16,bn,relu,maxpool,flatten,dense32,relu", epochs: 4, batchSize: 64, learningRate: 3e-3, seed: 1 });
  await m.fit(train.X, train.y);
  const accuracy = m.score(test2000.X, test2000.y);
  assert.ok(accuracy >= 0.85, `test accuracy ${accuracy} on 2000 images`);
  // the training loss fell every epoch
  const h = m.history.train;
  for (let e = 1; e < h.length; e++) assert.ok(h[e]! < h[e - 1]!, `training loss ${JSON.stringify(h)}`);
  m.dispose();
});

test("random labels: the net memorises 256 images with permuted labels (train accuracy ~100%) at chance on the test set (~10%)", async () => {
  const train = fashion("train", 256);
  const shuffled = train.y.slice();
  new Random(9).shuffle(shuffled);
  const agree = shuffled.filter((v, i) => v === train.y[i]).length / 256;
  assert.ok(agree < 0.2, `the permutation keeps ${agree} of the labels`);
  const o = { layers: "conv8,relu,maxpool,flatten,dense256,relu", epochs: 30, batchSize: 32, learningRate: 3e-3, seed: 1 };
  const random = await new CNNClassifier(o).fit(train.X, shuffled);
  const trainAccuracy = random.score(train.X, shuffled);
  const testAccuracy = random.score(test2000.X, test2000.y);
  assert.ok(trainAccuracy >= 0.98, `training accuracy on random labels ${trainAccuracy}`);
  // chance: the test classes are balanced, so any predictor independent of them scores 10% in expectation (sd 0.7 points)
  assert.ok(testAccuracy > 0.06 && testAccuracy < 0.14, `test accuracy with random labels ${testAccuracy}`);
  // the control: the same net, epochs and seed with the true labels generalises
  const real = await new CNNClassifier(o).fit(train.X, train.y);
  assert.ok(real.score(train.X, train.y) >= 0.98);
  const realTest = real.score(test2000.X, test2000.y);
  assert.ok(realTest > 0.7, `test accuracy with the true labels ${realTest}`);
  random.dispose();
  real.dispose();
});

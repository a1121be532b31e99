import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { PCA } from "../../src/decomposition/pca.js";
import { readIdxImages } from "../../src/io/idx.js";
import { knnRecall } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { knnGraph, nnDescent } from "../../src/neighbors/nndescent.js";
import { randn, sharedData } from "../helpers.js";

test("NN-descent reaches recall >= 0.95 at k=15 on Fashion-MNIST (5000 images, PCA 50)", async () => {
  const { X } = readIdxImages(sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), 5000);
  const Z = await new PCA({ nComponents: 50 }).fitTransform(X);
  const truth = exactKnn(Z, 15);
  const approx = nnDescent(Z, 15, { seed: 1 });
  const r = knnRecall(truth, approx);
  assert.ok(r >= 0.95, `recall ${r}`);
  // neighbour lists are sorted, self-free and carry true distances
  for (let i = 0; i < 5000; i += 97) {
    for (let t = 0; t < 15; t++) assert.notEqual(approx.indices[i * 15 + t], i);
    for (let t = 1; t < 15; t++) assert.ok(approx.distances[i * 15 + t]! >= approx.distances[i * 15 + t - 1]!);
  }
});

test("NN-descent: cosine metric, strategy choice, and errors", () => {
  const X = randn(600, 8, 3, "float32");
  const r = knnRecall(exactKnn(X, 10, { metric: "cosine" }), nnDescent(X, 10, { metric: "cosine" }));
  assert.ok(r >= 0.95, `${r}`);
  assert.equal(knnRecall(exactKnn(X, 5), knnGraph(X, 5, "auto", "euclidean", 0)), 1); // small n: exact
  assert.throws(() => nnDescent(X, 600), /k=600 neighbours requested, but only 599 other points exist/);
  assert.throws(() => nnDescent(X, 5, { sampleRate: 0 }), /sampleRate must be in \(0, 1\], got 0/);
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNpy } from "../../src/formats/npy.js";
import { loadModel } from "../../src/models/load.js";
import { latentGrid, normalQuantile } from "../../src/cli/family.js";
import { ProgressBar } from "../../src/cli/progress.js";
import { VAE_PROGRESS } from "../../src/cli/vae.js";
import { AUTOENCODER_PROGRESS } from "../../src/cli/neural.js";
import type { Progress } from "../../src/core/estimator.js";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { SparseAutoencoder, VAE } from "../../src/cli/models.js";

import { PROJECT_DATA, cliFails, runCli, scratchDir, sharedData } from "../helpers.js";

const digits = join(PROJECT_DATA, "digits.csv.gz");
const png = (path: string): void => assert.deepEqual(Array.from(readFileSync(path).subarray(1, 4)), [0x50, 0x4e, 0x47], path);

test("latentkit vae --json: −ELBO = reconstruction + KL per test image, an importance-sampled log-likelihood at least the ELBO, pictures and codes", () => {
  const dir = scratchDir();
  const files = ["samples.png", "strips.png", "plane.png", "rec.png"].map((f) => join(dir, f));
  const codes = join(dir, "mu.npy"), model = join(dir, "vae.safetensors");
  const r = runCli("vae", digits, "--label-column", "-1", "--limit", "800", "--test", digits, "--layers", "32", "--code", "2", "--epochs", "4",
    "--batch", "64", "--lr", "3e-3", "--iwae", "50", "--samples", files[0]!, "--interpolate", files[1]!, "--traversal", files[2]!,
    "--reconstructions", files[3]!, "--out", codes, "--save-model", model, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "vae");
  assert.equal(j.architecture, "64-32-2(μ, log σ²)-32-64");
  assert.equal(j.epochs, 4);
  assert.ok(j.samplesPerSecond > 0);
  // the test file is the training file, so the terms are of the same data as testNegElbo
  assert.ok(Math.abs(j.testNegElbo - (j.reconstruction + j.kl)) < 1e-3 * Math.abs(j.testNegElbo), JSON.stringify(j));
  assert.ok(j.kl > 0, `KL ${j.kl}`);
  // 64 pixels of Bernoulli cross-entropy: at most 64·ln 2 nats for a useless model; learnt, well below
  assert.ok(j.testNegElbo > 0 && j.testNegElbo < 64 * Math.LN2, `−ELBO ${j.testNegElbo}`);
  // IWAE: log p(x) ≥ E[ELBO]; with 50 samples the estimate sits above one sample's −ELBO (small slack for noise)
  assert.ok(j.testLogLikelihood > -j.testNegElbo - 0.5, `log p ${j.testLogLikelihood} vs −ELBO ${j.testNegElbo}`);
  assert.ok(j.lossHistory[3] < j.lossHistory[0], `loss ${j.lossHistory}`);
  assert.ok(Array.isArray(j.terms.kl) && j.terms.kl.length === 4);
  for (const f of files) png(f);
  const Z = parseNpy(readFileSync(codes));
  assert.deepEqual([Z.rows, Z.cols], [800, 2]);
  const m = loadModel(readFileSync(model), model);
  assert.equal(m.modelName, "VAE");
  assert.equal(m.codeSize, 2);
});

test("latentkit vae: human output on Fashion-MNIST IDX images, β and the Gaussian likelihood", () => {
  const r = runCli("vae", sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), "--limit", "300", "--layers", "32", "--code", "4",
    "--epochs", "1", "--beta", "2");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^VAE 784-32-4\(μ, log σ²\)-32-784 on .*: 300 samples, 1 epochs of batch 128/);
  assert.match(r.stdout, /\ntrain: −ELBO \d+\.\d\d nats\/image = reconstruction \d+\.\d\d \+ KL \d+\.\d\d\n/);
  const g = runCli("vae", digits, "--label-column", "-1", "--limit", "200", "--layers", "16", "--code", "2", "--epochs", "1",
    "--likelihood", "gaussian", "--json");
  assert.equal(g.status, 0, g.stderr);
  assert.equal(JSON.parse(g.stdout).likelihood, "gaussian");
  const conv = runCli("vae", digits, "--label-column", "-1", "--limit", "200", "--conv", "--channels", "4,8", "--code", "2", "--epochs", "1",
    "--save-model", join(scratchDir(), "conv-vae.safetensors"), "--json");
  assert.equal(conv.status, 0, conv.stderr);
  assert.equal(JSON.parse(conv.stdout).architecture, "conv VAE, code 2");
  const saved = loadModel(readFileSync(join(scratchDir(), "conv-vae.safetensors")));
  assert.deepEqual((saved.getParams() as unknown as { channels: number[]; architecture: string }).channels, [4, 8]);
});

test("latentkit vae: bad options exit 2 with one line, before any output", () => {
  const out = join(scratchDir(), "never.png");
  cliFails(["vae", digits, "--label-column", "-1", "--code", "5", "--traversal", out], /^latentkit: --traversal draws the latent plane: it needs --code 2, got --code 5\n$/, [out]);
  cliFails(["vae", digits, "--label-column", "-1", "--beta", "-1", "--samples", out], /^latentkit: --beta must be/, [out]);
  cliFails(["vae", digits, "--label-column", "-1", "--channels", "8"], /--channels is an option of --conv/);
  cliFails(["vae", digits, "--label-column", "-1", "--likelihood", "poisson"], /poisson/);
  cliFails(["vae", digits, "--label-column", "-1", "--scale", "none", "--epochs", "1"], /\[0, 1\]/);
});

test("the latent traversal grid lies on normal quantiles, symmetric about 0, z₂ decreasing down the rows", () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232306) < 1e-8);
  const Z = latentGrid(5);
  assert.deepEqual([Z.rows, Z.cols], [25, 2]);
  assert.ok(Math.abs(Z.get(0, 0) + Z.get(4, 0)) < 1e-6 && Z.get(0, 0) < 0, "z₁ runs left to right, symmetric");
  assert.ok(Z.get(0, 1) > 0 && Math.abs(Z.get(0, 1) + Z.get(20, 1)) < 1e-6, "z₂ runs top (positive) to bottom");
  assert.ok(Math.abs(Z.get(12, 0)) < 1e-7 && Math.abs(Z.get(12, 1)) < 1e-7, "the centre is 0");
});

test("the progress bars show the terms the models report: reconstruction and KL of a VAE, the sparsity penalty, samples/s", async () => {
  const rng = new Random(3);
  const X = new Matrix(64, 16, Float32Array.from({ length: 64 * 16 }, () => rng.uniform()));
  const last = async (fit: (onProgress: (p: Progress) => void) => Promise<unknown>): Promise<Progress> => {
    const seen: Progress[] = [];
    await fit((p) => seen.push(p));
    return seen[seen.length - 1]!;
  };
  const v = await last((onProgress) => new VAE({ layers: [8], code: 2, epochs: 1, batchSize: 32, onProgress }).fit(X));
  const line = new ProgressBar("vae", false, VAE_PROGRESS).line(v);
  assert.match(line, /^vae \[#+\] 2\/2 \d+\.\ds epoch 1\/1 loss \d+\.\d+ [\d,]+ samples\/s reconstruction \d+\.\d+ kl \d\.?\d*/);
  const s = await last((onProgress) => new SparseAutoencoder({ layers: [8], code: 4, epochs: 1, batchSize: 32, onProgress }).fit(X));
  assert.match(new ProgressBar("autoencoder sparse", false, AUTOENCODER_PROGRESS).line(s), / loss \S+ [\d,]+ samples\/s sparsity \d/);
});

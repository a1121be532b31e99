import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Random } from "../../src/core/random.js";
import { parseNpy } from "../../src/formats/npy.js";
import { readIdxImages } from "../../src/io/idx.js";
import { corrupt, parseCorruption, psnr } from "../../src/cli/models.js";

import { cliFails, runCli, scratchDir, scratchFile, sharedData } from "../helpers.js";

const train = sharedData("fashion-mnist/train-images-idx3-ubyte.gz");
const test10k = sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz");
const dir = scratchDir();
const dae = join(dir, "dae.safetensors"), dense = join(dir, "dense.safetensors");

// one denoising AE (Gaussian σ = 0.3) and one plain dense AE, trained on 1,500 training images, used by the tests below
const trained = [
  runCli("autoencoder", train, "--limit", "1500", "--kind", "denoising", "--noise", "gaussian:0.3", "--layers", "128", "--code", "32",
    "--epochs", "4", "--batch", "64", "--lr", "2e-3", "--save-model", dae),
  runCli("autoencoder", train, "--limit", "1500", "--layers", "128", "--code", "32", "--epochs", "2", "--batch", "64", "--save-model", dense),
];

test("latentkit denoise: a denoising AE raises the PSNR of noisy test images; psnrNoisy is that of the seeded corruption of the clean images", () => {
  for (const t of trained) assert.equal(t.status, 0, t.stderr);
  const grid = join(dir, "grid.png"), out = join(dir, "denoised.npy");
  const r = runCli("denoise", dae, test10k, "--limit", "300", "--noise", "gaussian:0.3", "--seed", "7", "--grid", grid, "--out", out, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.type, "DenoisingAutoencoder");
  assert.equal(j.nSamples, 300);
  assert.equal(j.scaling, "divide255");
  // the same corruption of the same clean images, computed here
  const clean = readIdxImages(test10k, 300).X;
  for (let i = 0; i < clean.data.length; i++) clean.data[i] = clean.data[i]! / 255;
  const noisy = corrupt(clean, parseCorruption("gaussian:0.3"), new Random(7));
  assert.ok(Math.abs(j.psnrNoisy - psnr(clean, noisy)) < 1e-9, `${j.psnrNoisy} vs ${psnr(clean, noisy)}`);
  assert.ok(j.psnrDenoised > j.psnrNoisy + 2, `denoised ${j.psnrDenoised} dB, noisy ${j.psnrNoisy} dB`);
  assert.ok(j.mseDenoised < j.mseNoisy);
  const D = parseNpy(readFileSync(out));
  assert.deepEqual([D.rows, D.cols], [300, 784]);
  assert.deepEqual(Array.from(readFileSync(grid).subarray(1, 4)), [0x50, 0x4e, 0x47]);
});

test("latentkit denoise works with any model file: a plain dense AE inpaints a missing block and reconstructs masked images", () => {
  for (const t of trained) assert.equal(t.status, 0, t.stderr);
  const block = runCli("denoise", dense, test10k, "--limit", "200", "--noise", "block:10", "--json");
  assert.equal(block.status, 0, block.stderr);
  const b = JSON.parse(block.stdout);
  assert.equal(b.type, "Autoencoder");
  // a block on the empty background changes nothing: those images are left out of the means
  assert.ok(b.nChanged > 100 && b.nChanged <= 200, `nChanged ${b.nChanged}`);
  assert.ok(Number.isFinite(b.psnrNoisy) && Number.isFinite(b.psnrDenoised), JSON.stringify(b));
  const human = runCli("denoise", dense, test10k, "--limit", "100", "--noise", "mask:0.5");
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /^denoise 100 images of .* with the Autoencoder of .*dense\.safetensors, corruption mask:0\.5: PSNR noisy \d+\.\d\d dB → denoised \d+\.\d\d dB/);
});

test("latentkit denoise: bad input exits 2 with one line, before any output", () => {
  for (const t of trained) assert.equal(t.status, 0, t.stderr);
  const out = join(dir, "never.npy");
  cliFails(["denoise", join(dir, "missing.safetensors"), test10k, "--noise", "gaussian:0.3", "--out", out], /cannot read .*missing\.safetensors/, [out]);
  cliFails(["denoise", dae, test10k, "--noise", "speckle:0.3", "--out", out], /speckle/, [out]);
  cliFails(["denoise", dae, test10k, "--out", out], /--noise/, [out]);
  const rows = Array.from({ length: 20 }, (_, i) => Array.from({ length: 10 }, (_, j) => ((i + j) % 5) / 5).join(","));
  const csv = scratchFile("ten-cols.csv", rows.join("\n") + "\n");
  cliFails(["denoise", dae, csv, "--noise", "gaussian:0.3"], /has 10 columns, but the model in .*dae\.safetensors takes 784/);
  cliFails(["denoise", csv, test10k, "--noise", "gaussian:0.3"], /ten-cols\.csv/);
  cliFails(["denoise", dae, csv, "--noise", "gaussian:0.3", "--out", csv], /overwrite the input/);
  assert.ok(!existsSync(out));
});

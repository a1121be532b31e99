import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNpy } from "../../src/formats/npy.js";
import { PCA } from "../../src/decomposition/pca.js";
import { loadDataset } from "../../src/io/dataset.js";
import { Autoencoder } from "../../src/models/autoencoder.js";
import { loadModel } from "../../src/models/load.js";
import { applyScaling, chooseScaling } from "../../src/cli/family.js";
import { PROJECT_DATA, cliFails, runCli, scratchDir, scratchFile, sharedData } from "../helpers.js";

const digits = join(PROJECT_DATA, "digits.csv.gz");
const tiny = ["--label-column", "-1", "--layers", "16", "--code", "4", "--epochs", "3", "--batch", "64", "--lr", "3e-3"];

test("latentkit autoencoder --json: a tiny run on the digits reports samples/s, train and test loss per pixel, seconds; writes codes, model and reconstructions", () => {
  const dir = scratchDir();
  const rec = join(dir, "rec.png"), codes = join(dir, "codes.npy"), model = join(dir, "ae.safetensors");
  const r = runCli("autoencoder", digits, ...tiny, "--limit", "600", "--test", digits, "--reconstructions", rec, "--out", codes,
    "--save-model", model, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "autoencoder");
  assert.equal(j.architecture, "64-16-4-16-64");
  assert.equal(j.scaling, "minmax", "digits' 0..16 are min-max scaled for BCE");
  assert.equal(j.nSamples, 600);
  assert.equal(j.epochs, 3);
  assert.ok(j.samplesPerSecond > 0 && j.seconds > 0, JSON.stringify(j));
  assert.ok(j.trainLoss > 0.1 && j.trainLoss < 0.6, `trainLoss ${j.trainLoss}`);
  assert.ok(Math.abs(j.testLoss - j.trainLoss) < 1e-6, "the test file is the training file here");
  assert.ok(j.lossHistory[2] < j.lossHistory[0]);
  assert.deepEqual(j.files.slice().sort(), [codes, model, rec].sort());
  const Z = parseNpy(readFileSync(codes));
  assert.deepEqual([Z.rows, Z.cols], [600, 4]);
  const png = readFileSync(rec);
  assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]);
  // the saved model loads and gives the codes written
  const ae = Autoencoder.fromSafetensors(readFileSync(model), model);
  assert.equal(ae.nFeatures, 64);
  assert.deepEqual(ae.getParams().layers, [16]);
});

test("latentkit autoencoder on Fashion-MNIST IDX images: pixels / 255, 28x28 reconstructions, no test loss without --test", () => {
  const rec = join(scratchDir(), "fashion.png");
  const r = runCli("autoencoder", sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), "--limit", "300", "--layers", "32", "--code", "8",
    "--epochs", "1", "--batch", "100", "--reconstructions", rec, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.scaling, "divide255");
  assert.equal(j.architecture, "784-32-8-32-784");
  assert.equal(j.testLoss, null);
  assert.ok(j.trainLoss > 0 && j.trainLoss < 0.8);
  assert.ok(existsSync(rec));
});

test("latentkit autoencoder: human output, mse, tied weights and data already in [0, 1]", () => {
  const rows = Array.from({ length: 120 }, (_, i) => Array.from({ length: 9 }, (_, j) => ((i * 7 + j * 3) % 10) / 10).join(","));
  const csv = scratchFile("unit.csv", rows.join("\n") + "\n");
  const r = runCli("autoencoder", csv, "--layers", "none", "--code", "2", "--loss", "mse", "--tied", "--epochs", "2", "--batch", "32");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^dense autoencoder 9-2-9 on .*unit\.csv: 120 samples, 2 epochs of batch 32/);
  assert.match(r.stdout, /loss \(mse, mean per element\): train \d/);
  assert.equal(r.stderr.includes("min-max"), false, "values in [0, 1] are used as they are");
});

test("latentkit autoencoder: bad options exit 2 with one clear line, before any output is written", () => {
  const out = join(scratchDir(), "never.npy");
  cliFails(["autoencoder", digits, ...tiny, "--code", "0", "--out", out], /^latentkit: --code must be an integer >= 1, got 0\n$/, [out]);
  cliFails(["autoencoder", digits, ...tiny, "--layers", "16,x"], /--layers must be hidden sizes separated by commas/);
  cliFails(["autoencoder", digits, ...tiny, "--lr", "-1"], /^latentkit: --lr must be a number > 0, got -1\n$/);
  cliFails(["autoencoder", digits, ...tiny, "--scale", "none", "--out", out], /loss "bce" needs values in \[0, 1\]/, [out]);
  cliFails(["autoencoder", digits, ...tiny, "--test", join(scratchDir(), "missing.csv")], /cannot read .*missing\.csv: no such file/);
  assert.equal(existsSync(out), false);
});

const small = ["--label-column", "-1", "--limit", "600", "--code", "4", "--epochs", "2", "--batch", "64", "--lr", "3e-3"];

test("latentkit autoencoder --kind: each kind trains its class, reports its own options and terms, and saves a model loadModel reads back", () => {
  const need: Record<string, string> = { sparse: "SparseAutoencoder", contractive: "ContractiveAutoencoder", conv: "ConvAutoencoder" };
  const dir = scratchDir();
  const cases: Array<[string, string[], string, (j: Record<string, unknown>) => void]> = [
    ["denoising", ["--layers", "16", "--noise", "mask:0.3"], "DenoisingAutoencoder", (j) => {
      assert.equal(j.noise, "mask");
      assert.equal(j.noiseLevel, 0.3);
    }],
    ["sparse", ["--layers", "16", "--sparsity", "kl", "--target", "0.1", "--sparsity-weight", "0.5"], "SparseAutoencoder", (j) => {
      assert.deepEqual([j.sparsity, j.target, j.sparsityWeight], ["kl", 0.1, 0.5]);
      const t = (j.terms as Record<string, number>).sparsity;
      assert.ok(typeof t === "number" && t >= 0, `sparsity term ${t}`);
    }],
    ["contractive", ["--layers", "16", "--contraction", "0.05"], "ContractiveAutoencoder", (j) => {
      assert.equal(j.contraction, 0.05);
      const t = (j.terms as Record<string, number>).contraction;
      assert.ok(typeof t === "number" && t > 0, `contraction term ${t}`);
    }],
    ["conv", ["--channels", "4,8"], "ConvAutoencoder", (j) => assert.match(String(j.architecture), /^conv 1x8x8 → 4,8 channels → 4/)],
  ];
  for (const [kind, extra, type, check] of cases) {
    const model = join(dir, `${kind}.safetensors`);
    const r = runCli("autoencoder", digits, ...small, "--kind", kind, ...extra, "--save-model", model, "--json");
    assert.equal(r.status, 0, `${kind}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.kind, kind);
    assert.equal(j.model, type);
    assert.equal(j.code, 4);
    assert.ok(j.trainLoss > 0 && Number.isFinite(j.trainLoss), `${kind} trainLoss ${j.trainLoss}`);
    check(j);
    const m = loadModel(readFileSync(model), model);
    assert.equal(m.modelName, type);
    assert.equal(m.codeSize, 4);
  }
});

test("latentkit autoencoder --kind linear: its squared error is never below PCA's with as many components (PCA is the optimal linear code)", async () => {
  const r = runCli("autoencoder", digits, "--label-column", "-1", "--limit", "600", "--kind", "linear", "--code", "5", "--epochs", "30",
    "--batch", "32", "--lr", "1e-2", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.model, "LinearAutoencoder");
  assert.equal(j.architecture, "64-5-64 (linear)");
  // the same min-max scaling as the command (digits are 0..16), then PCA's mean squared error per element
  const X = loadDataset(digits, { labelColumn: "-1", limit: 600 }).X;
  const S = applyScaling(X, chooseScaling(digits, X, "auto")).astype("float64");
  const pca = new PCA({ nComponents: 5, solver: "full" });
  await pca.fit(S);
  const pcaMse = pca.reconstructionError(S) / (S.rows * S.cols);
  assert.ok(j.trainLoss >= pcaMse * (1 - 1e-4), `linear AE ${j.trainLoss} below PCA ${pcaMse}`);
  assert.ok(j.trainLoss < pcaMse * 1.5, `linear AE ${j.trainLoss} far from PCA ${pcaMse} after 30 epochs`);
});

test("latentkit autoencoder: an option of another kind is refused with one line naming the kinds that take it", () => {
  const out = join(scratchDir(), "never2.npy");
  cliFails(["autoencoder", digits, ...small, "--noise", "gaussian:0.3", "--out", out], /^latentkit: --noise is an option of --kind denoising, not of --kind dense\n$/, [out]);
  cliFails(["autoencoder", digits, ...small, "--kind", "sparse", "--contraction", "0.1"], /--contraction is an option of --kind contractive, not of --kind sparse/);
  cliFails(["autoencoder", digits, ...small, "--kind", "conv", "--layers", "16"], /--layers is an option of --kind dense\|denoising\|sparse\|contractive, not of --kind conv/);
  cliFails(["autoencoder", digits, ...small, "--kind", "linear", "--loss", "bce"], /--loss is an option of .*not of --kind linear/);
  cliFails(["autoencoder", digits, ...small, "--channels", "8"], /--channels is an option of --kind conv, not of --kind dense/);
  cliFails(["autoencoder", digits, ...small, "--kind", "pca"], /--kind.*pca.*dense/);
  cliFails(["autoencoder", digits, ...small, "--kind", "denoising", "--noise", "block:10"], /--noise block:10: a denoising autoencoder trains with gaussian/);
  cliFails(["autoencoder", digits, ...small, "--kind", "denoising", "--noise", "gaussian:lots"], /gaussian:lots/);
  cliFails(["autoencoder", digits, ...small, "--kind", "sparse", "--target", "2"], /^latentkit: --target must be/);
  const rows = Array.from({ length: 40 }, (_, i) => Array.from({ length: 10 }, (_, j) => ((i + j) % 5) / 5).join(","));
  cliFails(["autoencoder", scratchFile("ten.csv", rows.join("\n") + "\n"), "--kind", "conv", "--epochs", "1"], /cannot tell the image shape of rows with 10 values: pass --image-shape/);
});

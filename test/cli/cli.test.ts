import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PCA } from "../../src/decomposition/pca.js";
import { CLI_MAIN, PROJECT_DATA, sharedData, runCli as run } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-cli-"));

test("latentkit pca --json prints explained variance and seconds, and writes every requested file", () => {
  const out = join(tmp, "z.tsv");
  const files = ["scatter.png", "pcs.svg", "rec.png", "spec.png", "model.json"].map((f) => join(tmp, f));
  const res = execFileSync(process.execPath, [CLI_MAIN, "pca", join(PROJECT_DATA, "digits.csv.gz"), "-k", "5", "--label-column", "-1",
    "--out", out, "--plot", files[0]!, "--components-grid", files[1]!, "--reconstructions", files[2]!,
    "--spectrum", files[3]!, "--save-model", files[4]!, "--json"], { encoding: "utf8" });
  const j = JSON.parse(res);
  assert.equal(j.explainedVarianceRatio.length, 5);
  assert.ok(Math.abs(j.explainedVarianceRatio[0] - 0.14890594) < 1e-5);
  assert.ok(typeof j.seconds === "number" && j.seconds >= 0);
  for (const f of [out, join(tmp, "z-metadata.tsv"), ...files]) assert.ok(existsSync(f), f);
  assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 1797);
  const saved = JSON.parse(readFileSync(files[4]!, "utf8"));
  assert.equal(PCA.fromJSON(saved).nComponents, 5);
});

test("latentkit pca reads IDX images with --variance and --standardize", () => {
  const res = run("pca", sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), "--limit", "1500", "--variance", "0.8", "--json");
  assert.equal(res.status, 0, res.stderr);
  const j = JSON.parse(res.stdout);
  assert.ok(j.cumulativeExplainedVariance >= 0.8);
  const wine = run("pca", sharedData("tabular/wine_data.csv"), "--label-column", "-1", "--standardize", "-k", "2", "--json");
  const w = JSON.parse(wine.stdout);
  // scikit-learn: PCA(2).fit(StandardScaler().fit_transform(wine)).explained_variance_ratio_ = [0.3620, 0.1921]
  assert.ok(Math.abs(w.explainedVarianceRatio[0] - 0.36199) < 1e-4 && Math.abs(w.explainedVarianceRatio[1] - 0.19208) < 1e-4);
});

test("latentkit info and svd work; bad input gives a one-line error and exit code 2", () => {
  const info = JSON.parse(run("info", join(PROJECT_DATA, "digits.csv.gz"), "--label-column", "-1", "--json").stdout);
  assert.equal(info.rows, 1797);
  assert.deepEqual(info.imageShape, [8, 8]);
  assert.equal(info.labels["3"], 183);
  const svd = JSON.parse(run("svd", join(PROJECT_DATA, "digits.csv.gz"), "-k", "3", "--label-column", "-1", "--json").stdout);
  assert.equal(svd.singularValues.length, 3);
  const bad = run("pca", join(PROJECT_DATA, "digits.csv.gz"), "-k", "100", "--label-column", "-1");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^latentkit: nComponents=100 must be <= min\(nSamples, nFeatures\) = min\(1797, 64\) = 64\n$/);
  const missing = run("pca", join(tmp, "nope.csv"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*nope\.csv: no such file/);
  const badLabel = run("pca", join(PROJECT_DATA, "digits.csv.gz"), "--label-column", "species");
  assert.match(badLabel.stderr, /unknown label column "species"/);
  const help = run("pca", "--help");
  assert.match(help.stdout, /Examples:/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_DATA, sharedData, runCli as run } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-maps-"));
const digits = join(PROJECT_DATA, "digits.csv.gz");

test("latentkit tsne --json reports seconds and trustworthiness, writes the map and a thumbnail plot", () => {
  const out = join(tmp, "t.tsv");
  const plot = join(tmp, "t.png");
  const r = run("tsne", sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), "--limit", "400", "--pca", "30",
    "--iterations", "400", "--out", out, "--plot", plot, "--thumbnails", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.seconds > 0);
  assert.ok(j.trustworthiness > 0.9 && j.trustworthiness <= 1, `${j.trustworthiness}`);
  assert.equal(j.trustworthinessK, 10);
  assert.ok(j.knnAccuracy > 0.6);
  assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 400);
  assert.ok(existsSync(plot) && existsSync(join(tmp, "t-metadata.tsv")));
});

test("latentkit umap, sammon and mds run on digits and report their objective", () => {
  const u = JSON.parse(run("umap", digits, "--label-column", "-1", "--limit", "400", "--epochs", "200", "--json").stdout);
  assert.ok(u.trustworthiness > 0.9 && u.a > 1.5);
  const s = JSON.parse(run("sammon", digits, "--label-column", "-1", "--limit", "300", "--iterations", "100", "--json").stdout);
  assert.ok(s.sammonStress > 0 && s.sammonStress < 0.2);
  const m = JSON.parse(run("mds", digits, "--label-column", "-1", "--limit", "300", "--dims", "3", "--json").stdout);
  assert.equal(m.dims, 3);
  assert.ok(m.stress > 0 && m.stress < 0.4);
});

test("map commands reject bad input with one line and exit code 2", () => {
  const r = run("tsne", digits, "--label-column", "-1", "--limit", "20");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^latentkit: perplexity=30 must be less than the number of samples n=20\n$/);
  const t = run("tsne", digits, "--label-column", "-1", "--dims", "4");
  assert.match(t.stderr, /Barnes-Hut t-SNE needs nComponents 2 or 3, got 4/);
  const p = run("umap", digits, "--label-column", "-1", "--pca", "100");
  assert.match(p.stderr, /--pca 100 must be in \[1, min\(rows, cols\) = 64\]/);
});

test("latentkit tsne --threads 1 and 2 write the same map; umap --deterministic does too", () => {
  const maps: string[] = [];
  for (const threads of ["1", "2"]) {
    const out = join(tmp, `tsne-${threads}.tsv`);
    // 1797 points: Barnes–Hut on both threads with 2
    const r = run("tsne", digits, "--label-column", "-1", "--iterations", "300", "--threads", threads, "--out", out, "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).threads, Number(threads));
    maps.push(readFileSync(out, "utf8"));
    const u = join(tmp, `umap-${threads}.tsv`);
    const ru = run("umap", digits, "--label-column", "-1", "--epochs", "100", "--deterministic", "--threads", threads, "--out", u, "--json");
    assert.equal(ru.status, 0, ru.stderr);
    maps.push(readFileSync(u, "utf8"));
  }
  assert.equal(maps[0], maps[2], "t-SNE with 1 and 2 threads");
  assert.equal(maps[1], maps[3], "deterministic UMAP with 1 and 2 threads");
  const bad = run("umap", digits, "--label-column", "-1", "--threads", "0");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--threads must be at least 1, got 0/);
});

// latentkit netmf and node-classify on small graphs: JSON output, vectors written by name and read back (word2vec
// text and Projector TSV), the same scores from both commands, the picture, and one-line errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedData, runCli as run } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-graph-eval-"));
const edges = (name: string): string => sharedData(`graphs/${name}.edges.tsv.gz`);
const labels = (name: string): string => sharedData(`graphs/${name}.labels.tsv.gz`);

test("latentkit netmf --json on football: seconds and F1 with --labels; node-classify of its vectors agrees", () => {
  const out = join(tmp, "football.vec"), plot = join(tmp, "football.png");
  const r = run("netmf", edges("football"), "--dim", "16", "--labels", labels("football"), "--out", out, "--plot", plot, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.seconds > 0 && j.nodes === 115 && j.edges === 613 && j.mode === "dense");
  assert.ok(j.microF1 > 0.75 && j.macroF1 > 0.6, r.stdout);
  assert.ok(j.microF1Std >= 0);
  // word2vec text: a header "115 16" and one row per node, by name
  const lines = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(lines[0], "115 16");
  assert.equal(lines.length, 116);
  assert.ok(existsSync(plot) && readFileSync(plot).subarray(1, 4).toString() === "PNG");
  const c = run("node-classify", out, labels("football"), "--json");
  assert.equal(c.status, 0, c.stderr);
  const k = JSON.parse(c.stdout);
  // the vectors are rounded in the text file; the same splits give (nearly) the same scores
  assert.ok(Math.abs(k.microF1 - j.microF1) < 0.02 && Math.abs(k.macroF1 - j.macroF1) < 0.03, `${c.stdout} vs ${r.stdout}`);
  assert.equal(k.classes, 12);
  assert.equal(k.multiLabel, false);
});

test("netmf with T 1 on adjnoun beats T 10; Projector TSV vectors with their metadata are read by name", () => {
  const out = join(tmp, "adj.tsv");
  const one = JSON.parse(run("netmf", edges("adjnoun"), "--dim", "16", "--window", "1", "--labels", labels("adjnoun"), "--out", out, "--json").stdout);
  const ten = JSON.parse(run("netmf", edges("adjnoun"), "--dim", "16", "--window", "10", "--labels", labels("adjnoun"), "--json").stdout);
  assert.ok(one.microF1 >= 0.75 && one.microF1 > ten.microF1 + 0.15, `${one.microF1} vs ${ten.microF1}`);
  assert.ok(existsSync(join(tmp, "adj-metadata.tsv")));
  const c = run("node-classify", out, labels("adjnoun"), "--repeats", "3", "--train-fraction", "0.7");
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /^node-classify: 112 labelled nodes, 2 classes, 70 % train, 3 splits: micro-F1 0\.\d{4} ± /);
});

test("node-classify --plot with --edges draws the map; multi-label files are recognised", () => {
  const vec = join(tmp, "karate.vec"), plot = join(tmp, "karate.svg");
  assert.equal(run("netmf", edges("karate"), "--dim", "8", "--out", vec).status, 0);
  const r = run("node-classify", vec, labels("karate"), "--plot", plot, "--edges", edges("karate"), "--json");
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(plot, "utf8"), /<line /);
  // a multi-label file over karate's nodes: node 0 has two labels
  const multi = join(tmp, "multi.tsv");
  writeFileSync(multi, "node\tlabel\n" + Array.from({ length: 34 }, (_, i) => `${i}\t${i % 3}`).join("\n") + "\n0\t1\n");
  const m = JSON.parse(run("node-classify", vec, multi, "--json").stdout);
  assert.equal(m.multiLabel, true);
  assert.equal(m.classes, 3);
});

test("bad input: one line, exit code 2", () => {
  const bad = join(tmp, "bad-labels.tsv");
  writeFileSync(bad, "node\tlabel\n0\ta\n999\tb\n");
  const r = run("netmf", edges("karate"), "--dim", "4", "--labels", bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^latentkit: .*bad-labels\.tsv line 3: node "999" is not a node of the graph \(34 nodes\)\n$/);
  const d = run("netmf", edges("karate"));
  assert.equal(d.status, 2);
  assert.match(d.stderr, /^latentkit: --dim must be at most the number of nodes \(34\), got 128\n$/);
  const f = run("node-classify", join(tmp, "none.vec"), labels("karate"));
  assert.equal(f.status, 2);
  assert.equal(f.stderr.trim().split("\n").length, 1);
  const t = run("netmf", edges("karate"), "--dim", "4", "--labels", labels("karate"), "--train-fraction", "1.5");
  assert.equal(t.status, 2);
  assert.match(t.stderr, /--train-fraction must be in \(0, 1\), got 1\.5/);
});

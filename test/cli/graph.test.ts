import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy } from "../../src/io/npy.js";
import { readWordVectors } from "../../src/io/word-vectors.js";
import { runCli as run, sharedData } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-graph-cli-"));
const KARATE = sharedData("graphs/karate.edges.tsv.gz");
const LABELS = sharedData("graphs/karate.labels.tsv.gz");

test("latentkit node2vec: karate to Projector TSV with the labels; --json has the timings and step counts", () => {
  const out = join(tmp, "karate.tsv");
  const r = run("node2vec", KARATE, "--p", "0.25", "--q", "4", "--dim", "16", "--walks", "5", "--epochs", "2", "--threads", "1", "--labels", LABELS, "--out", out, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual([j.command, j.nodes, j.edges, j.p, j.q, j.dim, j.format], ["node2vec", 34, 78, 0.25, 4, 16, "tsv"]);
  assert.equal(j.walkSteps, 34 * 5 * 79);
  for (const k of ["seconds", "stepsPerSecond", "walkSeconds", "trainSeconds", "peakRssMB"]) assert.ok(j[k] > 0, k);
  const rows = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(rows.length, 34);
  assert.equal(rows[0]!.split("\t").length, 16);
  const meta = readFileSync(join(tmp, "karate-metadata.tsv"), "utf8").trim().split("\n");
  assert.equal(meta[0], "node\tlabel");
  assert.equal(meta[1], "0\tMr. Hi");
  assert.equal(meta.length, 35);
});

test("latentkit deepwalk: string node names round-trip to word2vec text and NPY outputs; the same seed gives the same walks", () => {
  const edges = join(tmp, "names.tsv");
  writeFileSync(edges, "# friends\nann\tbob\nbob\tcy\ncy\tann\ndee\teve\neve\tfay\nfay\tdee\ncy\tdee\n");
  const vec = join(tmp, "names.txt");
  const r = run("deepwalk", edges, "--dim", "4", "--walk-length", "10", "--walks", "4", "--window", "3", "--out", vec, "--json");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readWordVectors(vec).words, ["ann", "bob", "cy", "dee", "eve", "fay"]);
  const npy = join(tmp, "names.npy");
  const r2 = run("deepwalk", edges, "--dim", "4", "--walk-length", "10", "--walks", "4", "--out", npy, "--threads", "1");
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, /deepwalk of .*: 6 nodes, 7 edges; 216 walk steps/);
  assert.equal(readNpy(npy).rows, 6);
  assert.equal(readFileSync(join(tmp, "names.names.tsv"), "utf8"), "ann\nbob\ncy\ndee\neve\nfay\n");
});

test("latentkit node2vec: bad input is one line and exit code 2", () => {
  const bad = (args: string[], re: RegExp): void => {
    const r = run(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  };
  bad(["node2vec", KARATE, "--p", "0"], /p must be a number > 0, got 0/);
  bad(["node2vec", KARATE, "--q", "-1"], /q must be a number > 0/);
  const empty = join(tmp, "empty.tsv");
  writeFileSync(empty, "# nothing\n");
  bad(["deepwalk", empty], /the graph is empty/);
  const neg = join(tmp, "neg.tsv");
  writeFileSync(neg, "a\tb\t1\nb\tc\t-1\n");
  bad(["deepwalk", neg, "--out", join(tmp, "neg.txt")], /neg\.tsv:2: the weight "-1" must be a number > 0/);
  assert.equal(existsSync(join(tmp, "neg.txt")), false);
  bad(["deepwalk", KARATE, "--format", "csv"], /--format/);
});

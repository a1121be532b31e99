import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedData, runCli as run } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-text-cli-"));
const GCIDE = sharedData("text/gcide-definitions.txt.gz");

test("latentkit lsa: documents, terms, a query and topics as JSON", () => {
  const out = join(tmp, "docs.tsv");
  const r = run("lsa", GCIDE, "--limit", "3000", "-k", "20", "--query", "a large sea fish", "--top", "3", "--topics", "2", "--out", out, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.documents, 3000);
  assert.equal(j.hits.length, 3);
  assert.ok(j.hits[0].score > 0.3 && /fish/i.test(j.hits[0].text), JSON.stringify(j.hits[0]));
  assert.equal(j.topics.length, 2);
  assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 3000);
});

test("latentkit word2vec, similar, analogy, embed-text, evaluate and word-map work together", () => {
  const vec = join(tmp, "v.bin");
  const r = run("word2vec", GCIDE, "--limit", "8000", "--epochs", "2", "--dim", "50", "--out", vec, "--binary", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.words > 1000 && j.wordsPerSecond > 0);
  const s = run("similar", vec, "red", "--top", "5", "--binary", "--json");
  assert.equal(s.status, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).similar.length, 5);
  const a = run("analogy", vec, "man", "king", "woman", "--binary", "--json");
  assert.equal(a.status, 0, a.stderr);
  assert.ok(JSON.parse(a.stdout).answers.length >= 1);
  const docs = join(tmp, "d.txt");
  writeFileSync(docs, "the red flower\nzzzz qqqq\n");
  const e = run("embed-text", vec, docs, "--binary", "--json");
  assert.equal(e.status, 0, e.stderr);
  const ej = JSON.parse(e.stdout);
  assert.equal(ej.vectors.length, 2);
  assert.equal(ej.withoutKnownWords, 1);
  const pairs = join(tmp, "p.tsv");
  writeFileSync(pairs, "red\tblue\t9\nred\tking\t1\nking\tqueen\t8\nhorse\tflower\t2\n");
  const ev = run("evaluate", vec, "--pairs", pairs, "--binary", "--json");
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).pairs.pairs, 4);
  const plot = join(tmp, "w.svg");
  const m = run("word-map", vec, "red", "blue", "king", "queen", "--binary", "--plot", plot);
  assert.equal(m.status, 0, m.stderr);
  assert.ok(readFileSync(plot, "utf8").includes("queen"));
  const bad = run("similar", vec, "qqqqzzzz", "--binary");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"qqqqzzzz" is not in the vocabulary/);
});

test("latentkit ppmi-svd writes word2vec text vectors", () => {
  const vec = join(tmp, "ppmi.txt");
  const r = run("ppmi-svd", GCIDE, "--limit", "5000", "--dim", "30", "--out", vec, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(readFileSync(vec, "utf8").split("\n")[0], `${j.words} 30`);
  assert.ok(existsSync(vec));
  const bad = run("ppmi-svd", join(tmp, "missing.txt"));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no such file/);
});

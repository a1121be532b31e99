import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNpy } from "../../src/formats/npy.js";
import { readMaybeGzip } from "../../src/io/files.js";
import { loadModel } from "../../src/models/load.js";
import "../../src/cli/models.js";
import { cliFails, runCli, scratchDir, scratchFile, sharedData } from "../helpers.js";

const train = sharedData("fashion-mnist/train-images-idx3-ubyte.gz");
const test10k = sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz");

/** The precision@k of a ranking in random order: the chance that a database item has the query's label, averaged over the queries. */
function chancePrecision(db: string[], queries: string[]): number {
  const count = new Map<string, number>();
  for (const l of db) count.set(l, (count.get(l) ?? 0) + 1);
  return queries.reduce((s, l) => s + (count.get(l) ?? 0) / db.length, 0) / queries.length;
}

test("latentkit hash on Fashion-MNIST images: balanced bits, precision@100 well above chance, a query by row, 0/1 codes and a model file", () => {
  const dir = scratchDir();
  const codes = join(dir, "codes.npy"), model = join(dir, "hash.safetensors");
  const r = runCli("hash", train, "--limit", "2000", "--test", test10k, "--queries", "300", "--bits", "16", "--layers", "128",
    "--epochs", "3", "--batch", "64", "--lr", "2e-3", "--query", "0", "--top", "5", "--out", codes, "--save-model", model, "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.input, "images");
  assert.equal(j.modelInput, "binary");
  assert.equal(j.scaling, "divide255");
  assert.equal(j.queries, 300);
  // ten balanced classes: a random ranking has precision 0.1
  assert.ok(j.precisionAt100 > 0.35, `precision@100 ${j.precisionAt100}`);
  assert.ok(j.precisionRadius2 === null || (j.precisionRadius2 >= 0 && j.precisionRadius2 <= 1));
  assert.ok(j.radius2EmptyFraction >= 0 && j.radius2EmptyFraction <= 1);
  assert.ok(j.queryMilliseconds > 0);
  assert.ok(j.bitBalance.min > 0.02 && j.bitBalance.max < 0.98, JSON.stringify(j.bitBalance));
  assert.equal(j.hits.length, 5);
  assert.ok(j.hits.every((h: { distance: number }, i: number, a: Array<{ distance: number }>) => i === 0 || a[i - 1]!.distance <= h.distance), "nearest first");
  const Z = parseNpy(readFileSync(codes));
  assert.deepEqual([Z.rows, Z.cols], [2000, 16]);
  assert.ok(Array.from(Z.data).every((v) => v === 0 || v === 1));
  assert.equal(loadModel(readFileSync(model), model).modelName, "SemanticHashing");
});

test("latentkit hash on documents: word counts of a TSV's text column, precision by section above chance, a text query", () => {
  const lines = readMaybeGzip(sharedData("text/debian-descriptions.tsv.gz")).toString("utf8").split("\n");
  const header = lines[0]!;
  const body = lines.slice(1).filter((l) => l.trim() !== "");
  // every 7th of the first 2,800 documents is a query
  const trainRows = body.slice(0, 2800).filter((_, i) => i % 7 !== 0), testRows = body.slice(0, 2800).filter((_, i) => i % 7 === 0);
  const trainFile = scratchFile("docs-train.tsv", [header, ...trainRows].join("\n") + "\n");
  const testFile = scratchFile("docs-test.tsv", [header, ...testRows].join("\n") + "\n");
  const r = runCli("hash", trainFile, "--test", testFile, "--text-column", "description", "--label-column", "section", "--vocabulary", "800",
    "--bits", "16", "--layers", "64", "--epochs", "4", "--batch", "64", "--lr", "2e-3", "--query", "a python library for parsing xml",
    "--top", "3", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.input, "documents");
  assert.equal(j.modelInput, "counts");
  assert.equal(j.nFeatures, 800);
  assert.equal(j.nSamples, trainRows.length);
  const chance = chancePrecision(trainRows.map((l) => l.split("\t")[0]!), testRows.map((l) => l.split("\t")[0]!));
  assert.ok(j.precisionAt100 > 1.3 * chance, `precision@100 ${j.precisionAt100}, chance ${chance}`);
  assert.equal(j.hits.length, 3);
  assert.ok(j.hits.every((h: { text?: string; label?: string }) => typeof h.text === "string" && typeof h.label === "string"));
  const human = runCli("hash", trainFile, "--text-column", "2", "--label-column", "0", "--limit", "600", "--vocabulary", "300", "--bits", "8",
    "--layers", "32", "--epochs", "1", "--query", "12");
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /^semantic hashing of .*docs-train\.tsv \(documents, 600 x 300\) into 8-bit codes/);
  assert.match(human.stdout, /precision needs labels and --test/);
  assert.match(human.stdout, /training items nearest to row 12/);
});

test("latentkit hash: bad input exits 2 with one line, before any output", () => {
  const out = join(scratchDir(), "never.npy");
  cliFails(["hash", test10k, "--limit", "100", "--query", "shoes", "--out", out], /a text query needs documents/, [out]);
  cliFails(["hash", test10k, "--limit", "100", "--query", "100"], /--query 100: .* has 100 rows \(0 to 99\)/);
  cliFails(["hash", test10k, "--bits", "0", "--out", out], /^latentkit: --bits must be/, [out]);
  cliFails(["hash", test10k, "--binarization", "sign"], /sign/);
  const tsv = scratchFile("docs.tsv", "label\ttext\na\tsome words here\nb\tother words there\n");
  cliFails(["hash", tsv, "--text-column", "body"], /--text-column "body": .*docs\.tsv has no such column \(its header: label, text\)/);
  cliFails(["hash", tsv, "--text-column", "text", "--label-column", "section"], /--label-column "section"/);
});

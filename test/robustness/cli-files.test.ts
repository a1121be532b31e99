// Issue 10, causes 1-3: file-system errors become one line naming the path (exit 2), gzip stream errors are caught
// in every text reader, every output option is checked before any work and outputs are committed atomically
// (nothing left behind by a failed or interrupted run, no temporary files).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { LatentkitError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import { OutputFiles, readDocuments, readMaybeGzip, saveFigure, TextCorpus, writeEmbedding, writeWordVectors, readWordVectors } from "../../src/node.js";
import { scatterFigure } from "../../src/plot/charts.js";
import { CLI_MAIN, PROJECT_DATA, runCli } from "../helpers.js";

const IRIS_ROWS = ["sepal_length,sepal_width,petal_length,petal_width,species"];
for (let i = 0; i < 60; i++) IRIS_ROWS.push(`${(5 + (i % 7) * 0.3).toFixed(1)},${(3 + (i % 5) * 0.2).toFixed(1)},${(1.4 + (i % 11) * 0.4).toFixed(1)},${(0.2 + (i % 3) * 0.6).toFixed(1)},${["a", "b", "c"][i % 3]}`);

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "latentkit-robust-"));
  writeFileSync(join(dir, "data.csv"), IRIS_ROWS.join("\n") + "\n");
  return dir;
}

/** Every entry under dir (recursively), hidden ones included: temporary files would show here. */
function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

/** Exit code 2 and exactly one line on stderr, "latentkit: ...", matching `pattern`, and no stack trace. */
function assertOneLineError(res: SpawnSyncReturns<string>, pattern: RegExp): void {
  assert.equal(res.status, 2, `exit ${res.status}: ${res.stderr}`);
  assert.match(res.stderr, /^latentkit: [^\n]+\n$/, `not one line: ${JSON.stringify(res.stderr)}`);
  assert.doesNotMatch(res.stderr, /\n\s+at |node:internal|Error:/);
  assert.match(res.stderr, pattern);
}

function cli(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd, encoding: "utf8", timeout: 60000 });
}

test("--out naming a directory, a path under a file, or a place under /proc: one line naming the path, nothing written", () => {
  const dir = workdir();
  mkdirSync(join(dir, "out"));
  writeFileSync(join(dir, "afile"), "x");
  const before = listAll(dir);
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", "out"), /^latentkit: cannot write out: it is a directory\n$/);
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", "out/"), /cannot write out\/: it is a directory/);
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", "afile/z.tsv"), /cannot write afile\/z\.tsv: .*afile.* not a directory|cannot write afile\/z\.tsv: a part of the path is a file/);
  // Node's recursive mkdir spins forever under /proc: the planner must not hang (the 60 s timeout would show it)
  const proc = cli(dir, "pca", "data.csv", "--out", "/proc/latentkit-nope/z.tsv");
  assert.notEqual(proc.signal, "SIGTERM", "timed out");
  assertOneLineError(proc, /cannot write \/proc\/latentkit-nope\/z\.tsv: /);
  assertOneLineError(cli(dir, "pca", "data.csv", "--save-model", "out", "--out", "z.tsv"), /cannot write out: it is a directory/);
  assert.deepEqual(listAll(dir), before);
});

test("a full device (/dev/full) fails with ENOSPC in words; the run's other outputs are not left behind", () => {
  const dir = workdir();
  writeFileSync(join(dir, "z.tsv"), "old contents\n");
  const res = cli(dir, "pca", "data.csv", "--label-column", "-1", "--out", "new/z.tsv", "--save-model", "/dev/full");
  assertOneLineError(res, /^latentkit: cannot write \/dev\/full: no space left on the device\n$/);
  // the directory made for new/z.tsv is removed again, and z.tsv keeps its old contents
  const res2 = cli(dir, "pca", "data.csv", "--label-column", "-1", "--out", "z.tsv", "--save-model", "/dev/full");
  assertOneLineError(res2, /no space left/);
  assert.equal(readFileSync(join(dir, "z.tsv"), "utf8"), "old contents\n");
  const res3 = cli(dir, "pca", "data.csv", "--label-column", "-1", "--out", "fresh/deeper/z.tsv", "--save-model", "/dev/full");
  assertOneLineError(res3, /no space left/);
  assert.deepEqual(listAll(dir), ["data.csv", "z.tsv"]);
});

test("inputs that cannot be read: a missing --labels file, a directory, a missing vectors file", () => {
  const dir = workdir();
  mkdirSync(join(dir, "adir"));
  assertOneLineError(cli(dir, "pca", "data.csv", "--label-column", "-1", "--labels", "labels.txt"), /^latentkit: cannot read labels\.txt: no such file\n$/);
  assertOneLineError(cli(dir, "pca", "adir"), /cannot read adir: it is a directory/);
  assertOneLineError(cli(dir, "lsa", "adir"), /cannot read adir: it is a directory/);
  assertOneLineError(cli(dir, "word2vec", "adir"), /cannot read adir: it is a directory/);
  assertOneLineError(cli(dir, "similar", "nope.txt", "king"), /cannot read nope\.txt: no such file/);
  assertOneLineError(cli(dir, "pca", "data.csv/x.csv"), /cannot read data\.csv\/x\.csv: /);
  // outputs are planned (temporary files, new directories) before the input is read: a missing input removes them
  assertOneLineError(cli(dir, "pca", "missing.csv", "--out", "new/deeper/z.tsv", "--plot", "new/p.png"), /cannot read missing\.csv: no such file/);
  // a line break in a file name is quoted, so the message stays one line
  assertOneLineError(cli(dir, "pca", "two\nlines.csv"), /cannot read "two\\nlines\.csv": no such file/);
  assert.deepEqual(listAll(dir), ["adir", "data.csv"]);
});

test("an output that is the input file, or two outputs on one file, is refused before any work", () => {
  const dir = workdir();
  const original = readFileSync(join(dir, "data.csv"), "utf8");
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", "data.csv"), /--out data\.csv is the input file: .*overwrite the input/);
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", "./sub/../data.csv"), /--out \.\/sub\/\.\.\/data\.csv is the input file data\.csv/);
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", join(dir, "data.csv")), /is the input file data\.csv/);
  writeFileSync(join(dir, "docs.txt"), "a cat sat\na dog ran\na cat ran\n");
  assertOneLineError(cli(dir, "lsa", "docs.txt", "-k", "1", "--out", "d.tsv", "--terms", "d.tsv"), /--terms d\.tsv is the same file as --out d\.tsv/);
  assertOneLineError(cli(dir, "lsa", "docs.txt", "-k", "1", "--out", "d.tsv", "--terms", "d-metadata.tsv"), /--terms d-metadata\.tsv is the same file as the labels file of --out d\.tsv/);
  assertOneLineError(cli(dir, "word2vec", "docs.txt", "--out", "docs.txt"), /--out docs\.txt is the input file/);
  assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), original);
  assert.deepEqual(listAll(dir), ["data.csv", "docs.txt"]);
});

test("every option is checked before any work: a bad picture format fails before the input is even read", () => {
  const dir = workdir();
  assertOneLineError(cli(dir, "pca", "data.csv", "--out", "z.tsv", "--plot", "p.bmp"), /cannot tell the picture format of p\.bmp: use \.png or \.svg/);
  // the input does not exist: the --plot format is still what is reported, so nothing was loaded or computed
  assertOneLineError(cli(dir, "tsne", "missing.csv", "--out", "z.tsv", "--plot", "p.bmp"), /p\.bmp/);
  assertOneLineError(cli(dir, "tsne", "data.csv", "--out", "z.xyz"), /cannot tell the output format of z\.xyz: use \.tsv, \.npy, \.csv or \.json/);
  assertOneLineError(cli(dir, "pca", "data.csv", "--components-grid", "g.png", "--image-shape", "3by3"), /--image-shape must look like HxW/);
  assertOneLineError(cli(dir, "pca", "data.csv", "--label-column", "-1", "--components-grid", "g.png", "--image-shape", "3x3"), /--image-shape 3x3 has 9 pixels, but rows have 4 values/);
  assertOneLineError(cli(dir, "svd", "data.csv", "-k", "1", "--plot", "p.png"), /--plot .* needs -k 2 or more/);
  assertOneLineError(cli(dir, "lsa", "nodocs.txt", "--plot", "p.jpg"), /p\.jpg/);
  assertOneLineError(cli(dir, "word-map", "novectors.txt", "a", "b", "c", "--plot", "w.gif"), /w\.gif/);
  assert.deepEqual(listAll(dir), ["data.csv"]);
});

test("odd names: spaces, unicode, a new nested directory; replacing a file keeps its mode and leaves no temporary files", () => {
  const dir = workdir();
  const res = cli(dir, "pca", "data.csv", "--label-column", "-1", "-k", "2", "--out", "résultats 1/ünï cödé z.tsv", "--plot", "résultats 1/p p.svg", "--json");
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout).files, ["résultats 1/ünï cödé z.tsv", "résultats 1/ünï cödé z-metadata.tsv", "résultats 1/p p.svg"]);
  assert.deepEqual(listAll(dir), ["data.csv", "résultats 1", "résultats 1/p p.svg", "résultats 1/ünï cödé z-metadata.tsv", "résultats 1/ünï cödé z.tsv"]);
  assert.equal(readFileSync(join(dir, "résultats 1/ünï cödé z.tsv"), "utf8").trim().split("\n").length, 60);
  // run again onto the same files: replaced in place, still no temporary files
  const again = cli(dir, "pca", "data.csv", "--label-column", "-1", "-k", "3", "--out", "résultats 1/ünï cödé z.tsv");
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(join(dir, "résultats 1/ünï cödé z.tsv"), "utf8").split("\n")[0]!.split("\t").length, 3);
  assert.equal(listAll(dir).filter((f) => f.endsWith(".tmp")).length, 0);
  // a device is written in place
  const dev = cli(dir, "word2vec", "data.csv", "--min-count", "1", "--dim", "4", "--epochs", "1", "--out", "/dev/null");
  assert.equal(dev.status, 0, dev.stderr);
});

/** A gzip corpus of random words large enough to stream in many chunks (about 300 kB compressed). */
function bigCorpus(): Buffer {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const words = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}${"abcdefgh"[i % 8]}`);
  const lines: string[] = [];
  for (let l = 0; l < 20000; l++) lines.push(Array.from({ length: 12 }, () => words[Math.floor(rnd() * words.length)]).join(" "));
  return gzipSync(Buffer.from(lines.join("\n") + "\n"));
}

test("word2vec, lsa, ppmi-svd and embed-text on a truncated or non-gzip .gz: one line, exit 2, no output", () => {
  const dir = workdir();
  const gz = bigCorpus();
  assert.ok(gz.length > 200000, `${gz.length}`);
  writeFileSync(join(dir, "truncated.txt.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
  writeFileSync(join(dir, "tail-cut.txt.gz"), gz.subarray(0, gz.length - 4));
  const garbage = Buffer.from(gz);
  for (let i = 10; i < 2000; i++) garbage[i] = (garbage[i]! * 7 + 13) & 0xff;
  writeFileSync(join(dir, "garbage.txt.gz"), garbage);
  writeFileSync(join(dir, "notgzip.txt.gz"), Buffer.from([0x1f, 0x8b, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7]));
  writeFileSync(join(dir, "vectors.txt"), "3 2\nw0a 1 0\nw1b 0 1\nw2c 1 1\n");
  const before = listAll(dir);
  for (const f of ["truncated.txt.gz", "tail-cut.txt.gz", "garbage.txt.gz", "notgzip.txt.gz"]) {
    const name = f.replace(/\./g, "\\.");
    const gzipError = new RegExp(`^latentkit: ${name}: corrupt gzip data \\(.+\\)\\n$`);
    assertOneLineError(cli(dir, "word2vec", f, "--dim", "4", "--epochs", "1", "--min-count", "1", "--threads", "1", "--out", "v.txt"), gzipError);
    assertOneLineError(cli(dir, "ppmi-svd", f, "--dim", "2", "--min-count", "1", "--out", "v.txt"), gzipError);
    assertOneLineError(cli(dir, "lsa", f, "-k", "2", "--out", "d.tsv"), gzipError);
    assertOneLineError(cli(dir, "embed-text", "vectors.txt", f, "--out", "e.npy"), gzipError);
  }
  assertOneLineError(cli(dir, "lsa", "tail-cut.txt.gz", "-k", "2"), /corrupt gzip data \(it ends early: a truncated file\?\)/);
  // a .gz name on plain text (or a renamed zip) is refused, not read as text: streamed corpora and whole-file readers
  writeFileSync(join(dir, "plain.txt.gz"), "the cat sat on the mat\n");
  writeFileSync(join(dir, "plain.csv.gz"), "a,b\n1,2\n3,4\n");
  const notGzip = (f: string): RegExp => new RegExp(`^latentkit: ${f.replace(/\./g, "\\.")}: not gzip data \\(it does not start with the gzip bytes 1f 8b\\); .+\\n$`);
  assertOneLineError(cli(dir, "word2vec", "plain.txt.gz", "--min-count", "1", "--out", "v.txt"), notGzip("plain.txt.gz"));
  assertOneLineError(cli(dir, "lsa", "plain.txt.gz", "-k", "2"), notGzip("plain.txt.gz"));
  assertOneLineError(cli(dir, "pca", "plain.csv.gz", "-k", "1", "--out", "z.tsv"), notGzip("plain.csv.gz"));
  rmSync(join(dir, "plain.txt.gz"));
  rmSync(join(dir, "plain.csv.gz"));
  // stopping early (--limit) before the damaged part: the streams are closed without a stray 'error' event
  const early = cli(dir, "word2vec", "truncated.txt.gz", "--limit", "200", "--dim", "4", "--epochs", "3", "--min-count", "1", "--threads", "1", "--json");
  assert.equal(early.status, 0, early.stderr);
  assert.equal(early.stderr, "");
  assert.deepEqual(listAll(dir), before);
});

test("Ctrl-C (SIGINT) and SIGTERM mid-run leave no output, no temporary file and no directory made for them", async () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const dir = workdir();
    const child = spawn(process.execPath, [CLI_MAIN, "tsne", join(PROJECT_DATA, "digits.csv.gz"), "--label-column", "-1", "--iterations", "5000",
      "--out", "maps/z.tsv", "--plot", "maps/z.png"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    // the outputs are planned first: their temporary files appear before the map is computed
    const t0 = Date.now();
    while (!(existsSync(join(dir, "maps")) && readdirSync(join(dir, "maps")).length === 2)) {
      assert.ok(Date.now() - t0 < 30000, "temporary files never appeared");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(readdirSync(join(dir, "maps")).every((f) => f.startsWith(".") && f.endsWith(".tmp")));
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    assert.equal(await exited, code, stderr);
    assert.match(stderr, /latentkit: (cancelled|terminated)/);
    assert.deepEqual(listAll(dir), ["data.csv"]);
  }
});

test("API: readers and writers throw LatentkitError naming the path; writers leave nothing on failure", async () => {
  const dir = workdir();
  mkdirSync(join(dir, "adir"));
  const Z = Matrix.zeros(3, 2);
  assert.throws(() => readMaybeGzip(join(dir, "adir")), (e) => e instanceof LatentkitError && /cannot read .*adir: it is a directory/.test(e.message));
  assert.throws(() => readMaybeGzip(join(dir, "nope")), (e) => e instanceof LatentkitError && /cannot read .*nope: no such file/.test(e.message));
  assert.throws(() => writeEmbedding(join(dir, "adir"), Z), LatentkitError);
  assert.throws(() => writeEmbedding(join(dir, "adir/x/y.tsv"), Z, ["a", "b"]), (e) => e instanceof LatentkitError && !/\n/.test(e.message));
  assert.throws(() => saveFigure("/dev/full", scatterFigure(Z)), (e) => e instanceof LatentkitError);
  assert.throws(() => saveFigure(join(dir, "data.csv", "p.png"), scatterFigure(Z)), (e) => e instanceof LatentkitError && /not a directory/.test(e.message));
  // writeEmbedding with labels writes two files: when the second cannot be written, the first is not left behind
  mkdirSync(join(dir, "z-metadata.tsv"));
  assert.throws(() => writeEmbedding(join(dir, "z.tsv"), Z, ["a", "b", "c"]), (e) => e instanceof LatentkitError && /z-metadata\.tsv: it is a directory/.test(e.message));
  assert.ok(!existsSync(join(dir, "z.tsv")));
  // a truncated gzip corpus rejects with a LatentkitError when streamed (readLines / TextCorpus) and read whole
  const gz = bigCorpus();
  writeFileSync(join(dir, "t.txt.gz"), gz.subarray(0, gz.length >> 1));
  await assert.rejects(() => readDocuments(join(dir, "t.txt.gz")), (e) => e instanceof LatentkitError && /t\.txt\.gz: corrupt gzip data/.test(e.message));
  await assert.rejects(async () => {
    for await (const _ of new TextCorpus(join(dir, "t.txt.gz"))) void _;
  }, LatentkitError);
  assert.throws(() => new TextCorpus(join(dir, "adir")), /it is a directory/);
  // word vectors round trip through the atomic writer
  const kv = readWordVectors((writeFileSync(join(dir, "v.txt"), "2 2\na 1 0\nb 0 1\n"), join(dir, "v.txt")));
  writeWordVectors(join(dir, "v2.txt.gz"), kv);
  assert.deepEqual(readWordVectors(join(dir, "v2.txt.gz")).words, ["a", "b"]);
  // a batch: nothing appears before commit; discard removes the temporary files and the directories made
  const batch = new OutputFiles();
  batch.write(join(dir, "new/a.txt"), "a");
  batch.write(join(dir, "new/b.txt"), ["b", Buffer.from("c")]);
  assert.ok(!existsSync(join(dir, "new/a.txt")));
  batch.discard();
  assert.ok(!existsSync(join(dir, "new")));
  const batch2 = new OutputFiles();
  batch2.write(join(dir, "new/a.txt"), "a");
  batch2.write(join(dir, "new/b.txt"), ["b", Buffer.from("c")]);
  assert.deepEqual(batch2.commit(), [join(dir, "new/a.txt"), join(dir, "new/b.txt")]);
  assert.equal(readFileSync(join(dir, "new/b.txt"), "utf8"), "bc");
  assert.deepEqual(listAll(join(dir, "new")), ["a.txt", "b.txt"]);
  assert.deepEqual(listAll(dir).filter((f) => f.endsWith(".tmp")), []);
});

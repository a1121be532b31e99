// Issue 10, cause 8: usage errors exit 2 with one line, enum options name the value and the choices,
// LATENTKIT_THREADS is checked, and the helper threads do not inherit the host's execArgv.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_MAIN, runCli } from "../helpers.js";

const INDEX = fileURLToPath(new URL("../../src/index.js", import.meta.url));

function assertOneLineError(res: SpawnSyncReturns<string>, pattern: RegExp): void {
  assert.equal(res.status, 2, `exit ${res.status}: ${res.stderr}`);
  assert.match(res.stderr, /^latentkit: [^\n]+\n$/, `not one line: ${JSON.stringify(res.stderr)}`);
  assert.doesNotMatch(res.stderr, /\n\s+at |node:internal/);
  assert.match(res.stderr, pattern);
  assert.equal(res.stdout, "");
}

const dir = mkdtempSync(join(tmpdir(), "latentkit-conv-"));
const csv = join(dir, "x.csv");
writeFileSync(csv, Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${(i * i) % 11}`).join("\n") + "\n");
const vectors = join(dir, "v.txt");
writeFileSync(vectors, "4 2\na 1 0\nb 0 1\nc 1 1\nd 1 -1\n");

test("parser usage errors exit 2 with one line: unknown command, unknown option, missing argument, bad choice", () => {
  assertOneLineError(runCli("bogus"), /^latentkit: unknown command 'bogus'/);
  assertOneLineError(runCli("pca", csv, "--bogus"), /unknown option '--bogus'.*latentkit pca --help/);
  assertOneLineError(runCli("pca", csv, "--outt", "z.tsv"), /unknown option '--outt'.*Did you mean --out\?/);
  assertOneLineError(runCli("pca"), /missing required argument 'file'/);
  assertOneLineError(runCli("pca", csv, "--out"), /option '--out <file>' argument missing/);
  assertOneLineError(runCli("svd", csv), /required option '-k, --components <n>' not specified/);
  assertOneLineError(runCli("pca", csv, "extra"), /too many arguments/);
  assertOneLineError(runCli("pca", csv, "-k", "abc"), /-k must be a non-negative integer, got "abc"/);
  // number options name what was typed, not the NaN it parses to
  assertOneLineError(runCli("tsne", csv, "--perplexity", "abc"), /^latentkit: --perplexity must be a number, got "abc"\n$/);
  assertOneLineError(runCli("umap", csv, "--min-dist", ""), /--min-dist must be a number, got ""/);
  assertOneLineError(runCli("pca", csv, "--variance", "0.9x"), /--variance must be a number, got "0\.9x"/);
  assertOneLineError(runCli("pca", csv, "-k", "2", "--variance", "0.9"), /give -k or --variance, not both/);
});

test("an unknown value of any enum option is named with the choices instead of silently replaced by the default", () => {
  const cases: Array<[string[], RegExp]> = [
    [["tsne", csv, "--init", "spectral"], /'--init <name>' argument 'spectral' is invalid\. Allowed choices are pca, random/],
    [["umap", csv, "--init", "pca"], /argument 'pca' is invalid\. Allowed choices are spectral, random/],
    [["tsne", csv, "--method", "fast"], /argument 'fast' is invalid\. Allowed choices are auto, fft, barnes-hut, exact/],
    [["pca", csv, "--solver", "arpack"], /argument 'arpack' is invalid\. Allowed choices are auto, full, randomized, covariance-eig/],
    [["svd", csv, "-k", "2", "--algorithm", "lanczos"], /'lanczos' is invalid\. Allowed choices are randomized, full/],
    [["analogy", vectors, "a", "b", "c", "--method", "cosmul"], /'cosmul' is invalid\. Allowed choices are add, mul/],
    [["embed-text", vectors, csv, "--method", "max"], /'max' is invalid\. Allowed choices are mean, principal/],
    [["word-map", vectors, "a", "b", "c", "--method", "umap"], /'umap' is invalid\. Allowed choices are pca, tsne/],
    [["word2vec", csv, "--negative-sharing", "none"], /'none' is invalid\. Allowed choices are window, pair/],
    [["ppmi-svd", csv, "--vectors", "u"], /'u' is invalid\. Allowed choices are w, c, w\+c/],
    [["evaluate", vectors, "--pairs", csv, "--method", "x"], /'x' is invalid\. Allowed choices are add, mul/],
  ];
  for (const [args, pattern] of cases) assertOneLineError(runCli(...args), pattern);
  // a valid choice still works
  const ok = runCli("tsne", csv, "--init", "random", "--iterations", "50", "--perplexity", "5", "--json");
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).nSamples, 40);
});

test("--help and --version exit 0 on stdout", () => {
  for (const args of [["--help"], ["pca", "--help"], ["tsne", "--help"], ["--version"]]) {
    const res = runCli(...args);
    assert.equal(res.status, 0, res.stderr);
    assert.ok(res.stdout.length > 0);
    assert.equal(res.stderr, "");
  }
  assert.match(runCli("tsne", "--help").stdout, /choices: "pca", "random"/);
});

test("LATENTKIT_THREADS=abc, 0 or -2 is an error naming the value (CLI and API), not silently ignored", () => {
  for (const v of ["abc", "0", "-2", "1.5"]) {
    const res = spawnSync(process.execPath, [CLI_MAIN, "pca", csv, "-k", "2", "--out", join(dir, "z.tsv")], {
      encoding: "utf8", env: { ...process.env, LATENTKIT_THREADS: v },
    });
    assertOneLineError(res, new RegExp(`LATENTKIT_THREADS must be a whole number of threads >= 1, got "${v.replace(".", "\\.")}"`));
    const api = spawnSync(process.execPath, ["--input-type=module", "-e",
      `import { initCore } from ${JSON.stringify(INDEX)};
       try { await initCore(); console.log("no error"); }
       catch (e) { console.log(e.name + ": " + e.message); }`], { encoding: "utf8", env: { ...process.env, LATENTKIT_THREADS: v } });
    assert.match(api.stdout, /^LatentkitError: LATENTKIT_THREADS must be a whole number/, api.stderr);
  }
  assert.deepEqual(readdirSync(dir).sort(), ["v.txt", "x.csv"]);
  const good = spawnSync(process.execPath, [CLI_MAIN, "pca", csv, "-k", "2", "--json"], { encoding: "utf8", env: { ...process.env, LATENTKIT_THREADS: "2" } });
  assert.equal(good.status, 0, good.stderr);
});

test("a script run with node --input-type=module -e runs t-SNE on helper threads (they do not inherit execArgv)", () => {
  const script = `import { Matrix, TSNE, kernelInfo } from ${JSON.stringify(INDEX)};
    const X = Matrix.zeros(400, 20);
    for (let i = 0; i < X.data.length; i++) X.data[i] = Math.sin(i * 7.13) + (i % 20 < 10 ? 0 : 3 * Math.floor(i / 2000));
    const Z = await new TSNE({ seed: 0, maxIter: 250, perplexity: 20 }).fitTransform(X);
    const info = kernelInfo();
    console.log(JSON.stringify({ rows: Z.rows, finite: Array.from(Z.data).every(Number.isFinite), helpers: info.helpers, threads: info.threads, helperError: info.helperError ?? null }));`;
  const res = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, LATENTKIT_THREADS: "2" } });
  assert.equal(res.status, 0, res.stderr);
  assert.doesNotMatch(res.stderr, /ERR_INPUT_TYPE_NOT_ALLOWED/);
  const out = JSON.parse(res.stdout.trim().split("\n").pop()!);
  assert.equal(out.rows, 400);
  assert.ok(out.finite);
  assert.equal(out.threads, 2);
  assert.equal(out.helperError, null);
});

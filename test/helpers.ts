import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LatentkitError } from "../src/core/errors.js";
import { fileURLToPath } from "node:url";
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";

/** ../shared/data beside the project root (this file is compiled to dist/test/helpers.js). */
export const SHARED_DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
/**
 * A file of ../shared/data (the real data sets some tests use), by its path inside that folder. When it is missing
 * the test file stops at once with one clear line on stderr (exit 1), instead of a stack trace from whichever
 * reader met it first at import.
 */
export function sharedData(relative: string): string {
  const path = join(SHARED_DATA, relative);
  if (!existsSync(path)) {
    process.stderr.write(`this test needs ${relative} from the shared data folder, which is missing: expected ${path} ` +
      "(the project's ../shared/data)\n");
    process.exit(1);
  }
  return path;
}

/** The project's own bundled data folder. */
export const PROJECT_DATA = fileURLToPath(new URL("../../data/", import.meta.url));

/** The built command line's entry point. */
export const CLI_MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

/** Runs the built `latentkit` command line with these arguments. */
export function runCli(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { encoding: "utf8" });
}

export function randn(rows: number, cols: number, seed = 1, dtype: "float32" | "float64" = "float64"): Matrix {
  const m = Matrix.zeros(rows, cols, dtype);
  new Random(seed).fillNormal(m.data);
  return m;
}

/** Product in float64 by the definition (reference for the fast routes). */
export function naiveMatmul(A: Matrix, B: Matrix, transA = false, transB = false): Matrix {
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const n = transB ? B.rows : B.cols;
  const C = Matrix.zeros(m, n, "float64");
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? A.get(p, i) : A.get(i, p)) * (transB ? B.get(j, p) : B.get(p, j));
      C.set(i, j, s);
    }
  return C;
}

export function maxAbsDiff(A: Matrix, B: Matrix): number {
  if (A.rows !== B.rows || A.cols !== B.cols) throw new Error(`shape ${A.rows}x${A.cols} vs ${B.rows}x${B.cols}`);
  let d = 0;
  for (let i = 0; i < A.data.length; i++) d = Math.max(d, Math.abs(A.data[i]! - B.data[i]!));
  return d;
}

/** max |QᵀQ − I| over the columns of Q. */
export function orthoError(Q: Matrix): number {
  const G = naiveMatmul(Q, Q, true, false);
  let e = 0;
  for (let i = 0; i < G.rows; i++) for (let j = 0; j < G.cols; j++) e = Math.max(e, Math.abs(G.get(i, j) - (i === j ? 1 : 0)));
  return e;
}

export function frob2(A: Matrix): number {
  let s = 0;
  for (let i = 0; i < A.data.length; i++) s += A.data[i]! ** 2;
  return s;
}

/** U·diag(S)·Vt in float64. */
export function reconstruct(U: Matrix, S: ArrayLike<number>, Vt: Matrix, k = S.length): Matrix {
  const out = Matrix.zeros(U.rows, Vt.cols, "float64");
  for (let i = 0; i < U.rows; i++)
    for (let r = 0; r < k; r++) {
      const u = U.get(i, r) * S[r]!;
      for (let j = 0; j < Vt.cols; j++) out.data[i * Vt.cols + j]! += u * Vt.get(r, j);
    }
  return out;
}

/** Low-rank plus noise: (m x r)·(r x n) with singular values decaying from 100, plus N(0, noise²). */
export function lowRankPlusNoise(m: number, n: number, rank: number, noise: number, seed = 3): Matrix {
  const rng = new Random(seed);
  const L = Matrix.zeros(m, rank, "float64");
  const R = Matrix.zeros(rank, n, "float64");
  rng.fillNormal(L.data);
  rng.fillNormal(R.data);
  for (let r = 0; r < rank; r++) {
    const s = 100 * Math.pow(0.8, r) / Math.sqrt(m * n);
    for (let j = 0; j < n; j++) R.data[r * n + j]! *= s * Math.sqrt(m * n) / Math.sqrt(n);
  }
  const X = naiveMatmul(L, R);
  for (let i = 0; i < X.data.length; i++) X.data[i]! += noise * rng.normal();
  return X;
}

let scratch: string | undefined;

/** A scratch folder for this test process (made on first use). */
export function scratchDir(): string {
  return (scratch ??= mkdtempSync(join(tmpdir(), "latentkit-test-")));
}

/** Writes a file in the scratch folder and returns its path. */
export function scratchFile(name: string, content: string | Uint8Array): string {
  const p = join(scratchDir(), name);
  writeFileSync(p, content);
  return p;
}

/**
 * Runs the CLI expecting a usage or data error: exit code 2, exactly one line on stderr ("latentkit: ..."), matching
 * `message`, and none of the `outputs` left behind. Returns stderr.
 */
export function cliFails(args: string[], message: RegExp, outputs: string[] = []): string {
  const r = runCli(...args);
  assert.equal(r.status, 2, `exit ${r.status} for ${args.join(" ")}; stderr: ${r.stderr}`);
  assert.match(r.stderr, /^latentkit: [^\n]+\n$/, `not one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, message);
  for (const o of outputs) assert.ok(!existsSync(o), `${o} was left behind`);
  return r.stderr;
}

/** Asserts that `f` throws (or rejects with) a LatentkitError whose message matches. */
export async function refuses(f: () => unknown, message: RegExp): Promise<void> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof LatentkitError, `expected a LatentkitError matching ${message}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.match(err.message, message);
}

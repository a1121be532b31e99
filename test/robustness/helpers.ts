// Shared pieces of the robustness tests: a scratch folder, small files, and the CLI-failure check every cause uses.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LatentkitError } from "../../src/core/errors.js";
import { runCli } from "../helpers.js";

export const tmp = mkdtempSync(join(tmpdir(), "latentkit-robust-"));

/** Writes a scratch file and returns its path. */
export function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/**
 * Runs the CLI expecting a usage/data error: exit code 2, exactly one line on stderr, prefixed "latentkit: ", matching
 * `message`, and none of the `outputs` left behind.
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

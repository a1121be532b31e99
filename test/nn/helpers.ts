// Shared helpers of the neural engine's tests (test/nn/*.test.ts): PyTorch fixtures, differences, random arrays, routes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Random } from "../../src/core/random.js";
import { parseSafetensors, type SafeTensor, type SafetensorsFile } from "../../src/formats/safetensors.js";
import { tidy } from "../../src/nn/autograd.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import type { Tensor } from "../../src/nn/tensor.js";

/** test/fixtures/nn/ (this file is compiled to dist/test/nn/helpers.js). */
export const NN_FIXTURES = fileURLToPath(new URL("../../../test/fixtures/nn/", import.meta.url));

const files = new Map<string, SafetensorsFile>();

/** A committed fixture file of test/fixtures/nn/ ("conv.safetensors"), parsed once per test file. */
export function fixtureFile(file: string): SafetensorsFile {
  let f = files.get(file);
  if (!f) {
    f = parseSafetensors(readFileSync(NN_FIXTURES + file), file);
    files.set(file, f);
  }
  return f;
}

/** One tensor of a fixture file; fails with the file, the name and what the file has when the tensor is missing. */
export function fixture(file: string, name: string): SafeTensor {
  const f = fixtureFile(file);
  const t = f.tensors.get(name);
  if (!t) {
    const names = [...f.tensors.keys()];
    assert.fail(`fixture tensor "${name}" is missing from test/fixtures/nn/${file} (it has ${names.length}: ` +
      `${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""}); regenerate it with its make_*.py and /usr/bin/python3`);
  }
  return t;
}

/** The largest absolute difference |a[i] - b[i]| (the lengths must agree). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The largest difference relative to the reference b: |a[i] - b[i]| / max(floor, |b[i]|) (the lengths must agree).
 * Identical values (the same infinity included) differ by 0; with `nanEqual`, so do two NaNs (otherwise a NaN makes the
 * result NaN, which fails any `< tol`).
 */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1, nanEqual = false): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Object.is(x, y) || (nanEqual && Number.isNaN(x) && Number.isNaN(y))) continue;
    m = Math.max(m, Math.abs(x - y) / Math.max(floor, Math.abs(y)));
  }
  return m;
}

/** The largest absolute difference over the larger of 1 and the reference's largest magnitude (float32 sums over many terms). */
export function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  return maxAbsDiff(a, b) / scale;
}

const rngOf = (r: Random | number): Random => (typeof r === "number" ? new Random(r) : r);

/** n normal draws `mean + scale·N(0, 1)`, from a generator (which advances) or a fresh one of that seed. */
export function randomArray(n: number, rng: Random | number, scale = 1, mean = 0): number[] {
  const r = rngOf(rng);
  return Array.from({ length: n }, () => r.normal() * scale + mean);
}

/** n uniform draws in [lo, hi), optionally kept away from 0 by `gap` (redrawn until |v| ≥ gap). */
export function uniformArray(n: number, rng: Random | number, lo = 0, hi = 1, gap = 0): number[] {
  const r = rngOf(rng);
  return Array.from({ length: n }, () => {
    for (;;) {
      const v = lo + (hi - lo) * r.uniform();
      if (Math.abs(v) >= gap) return v;
    }
  });
}

/** What a body computes on a route, copied out of its scope. */
export function onRoute(route: "wasm" | "ts" | "ts64", body: () => Tensor | Tensor[]): Float32Array[] {
  return withEngineRoute(route, () => tidy(() => {
    const r = body();
    return (Array.isArray(r) ? r : [r]).map((t) => t.toFloat32Array());
  }));
}

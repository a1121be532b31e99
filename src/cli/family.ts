// What the commands of the autoencoder family share (`autoencoder`, `vae`, `denoise`, `hash`): the scaling of the
// inputs to [0, 1], the --threads option, one-line errors that name the flag instead of the option, the rows drawn
// in pictures, and which options a command line gave (to refuse an option on a kind that does not take it).
import type { Command } from "commander";
import { fail, LatentkitError } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { setThreads } from "../core/wasm/runtime.js";
import { isIdxPath } from "../io/dataset.js";
import { labelOrder } from "../plot/charts.js";

/** How the data were scaled before training (the test data get the same map). */
export interface Scaling {
  kind: "divide255" | "minmax" | "none";
  /** x ↦ (x − offset) / range. */
  offset: number;
  range: number;
}

/**
 * The scaling of the inputs: IDX images (uint8 pixels) are divided by 255; other data are used as they are when
 * every value lies in [0, 1], else min-max scaled to [0, 1] over all values (one minimum and maximum, so images keep
 * their contrast), with a note on stderr. `--scale none` leaves the data alone.
 */
export function chooseScaling(file: string, X: Matrix, mode: "auto" | "none"): Scaling {
  if (mode === "none") return { kind: "none", offset: 0, range: 1 };
  if (isIdxPath(file)) return { kind: "divide255", offset: 0, range: 255 };
  let lo = Infinity, hi = -Infinity;
  for (const v of X.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return { kind: "none", offset: 0, range: 1 };
  return { kind: "minmax", offset: lo, range: hi > lo ? hi - lo : 1 };
}

/** The scaled copy of X (clipped to [0, 1] unless the scaling is "none": test data may fall outside the training range). */
export function applyScaling(X: Matrix, s: Scaling): Matrix {
  if (s.kind === "none") return X.dtype === "float32" ? X : X.astype("float32");
  const out = Matrix.zeros(X.rows, X.cols, "float32");
  const src = X.data, dst = out.data;
  const inv = 1 / s.range;
  for (let i = 0; i < src.length; i++) dst[i] = Math.min(1, Math.max(0, (src[i]! - s.offset) * inv));
  return out;
}

/** The note a command prints (unless --json) when it min-max scales its input. */
export function noteScaling(file: string, s: Scaling, quiet: boolean | undefined): void {
  if (s.kind !== "minmax" || quiet) return;
  process.stderr.write(`latentkit: note: ${file} has values in [${s.offset}, ${s.offset + s.range}]: ` +
    "min-max scaled to [0, 1] over all values (--scale none to keep them)\n");
}

/** --threads: the compute core's thread count for this run. */
export function applyThreads(threads: number | undefined): void {
  if (threads === undefined) return;
  if (threads < 1) fail(`--threads must be at least 1, got ${threads}`);
  process.env.LATENTKIT_THREADS = String(threads);
  setThreads(threads);
}

/**
 * Runs `make` (an estimator's constructor) and turns a message about an option ("noiseLevel must be …") into one
 * about the flag that set it ("--noise level must be …"), by the table option → flag.
 */
export function withFlags<T>(flagOf: Record<string, string>, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof LatentkitError) {
      // the schema's messages start with the option's name, maybe after the class's ("VAE: beta must be …")
      const m = /^(?:\w+(?:\.\w+)?: )?(\w+) must be/.exec(e.message);
      if (m && flagOf[m[1]!]) fail(flagOf[m[1]!] + e.message.slice(m.index + m[0].length - " must be".length));
    }
    throw e;
  }
}

/** The options the command line gave explicitly (not defaults), by their camelCase names. */
export function givenOptions(cmd: Command): Set<string> {
  const out = new Set<string>();
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) === "cli") out.add(key);
  }
  return out;
}

/** Up to `max` sample rows: the first of each label, else the first rows. */
export function sampleRows(n: number, labels?: string[], max = 10): number[] {
  if (!labels) return Array.from({ length: Math.min(max, n) }, (_, i) => i);
  const firstOf = new Map<string, number>();
  labels.forEach((l, i) => {
    if (!firstOf.has(l)) firstOf.set(l, i);
  });
  const rows = labelOrder(labels).slice(0, max).map((l) => firstOf.get(l)!);
  // fewer classes than pictures: fill with the next rows
  for (let i = 0; rows.length < Math.min(max, n) && i < n; i++) if (!rows.includes(i)) rows.push(i);
  return rows;
}

/**
 * The rows a corruption changed (at least one value differs): a missing block that falls on an empty background
 * leaves its image as it was, with an infinite PSNR, so the PSNRs of a corruption are means over the changed images.
 */
export function changedRows(clean: Matrix, noisy: Matrix): number[] {
  const d = clean.cols;
  const out: number[] = [];
  for (let i = 0; i < clean.rows; i++) {
    for (let j = i * d; j < (i + 1) * d; j++) {
      if (clean.data[j] !== noisy.data[j]) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

/** The rows of several matrices of the same width stacked into one (for image grids). */
export function stackRows(parts: readonly Matrix[]): Matrix {
  const cols = parts[0]!.cols;
  const out = Matrix.zeros(parts.reduce((s, p) => s + p.rows, 0), cols, "float32");
  let at = 0;
  for (const p of parts) {
    if (p.cols !== cols) fail(`stackRows: a part has ${p.cols} columns, expected ${cols}`);
    out.data.set(p.dtype === "float32" ? p.data : Float32Array.from(p.data), at);
    at += p.rows * cols;
  }
  return out;
}

/**
 * The inverse of the standard normal distribution function (Acklam's rational approximation, relative error below
 * 1.2e-9): the quantiles a latent traversal grid is laid on, as in Kingma & Welling's figure of a 2-D latent space.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) fail(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    const x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    return p < lo ? x : -x;
  }
  const q = p - 0.5, r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** An n×n grid of 2-D latent points at the normal quantiles (i + 0.5)/n: row-major, top row = largest z₂. */
export function latentGrid(n: number): Matrix {
  const q = Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
  const Z = Matrix.zeros(n * n, 2, "float32");
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      Z.data[(r * n + c) * 2] = q[c]!;
      Z.data[(r * n + c) * 2 + 1] = q[n - 1 - r]!;
    }
  }
  return Z;
}

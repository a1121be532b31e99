// Reconstruction quality: mean squared error and peak signal-to-noise ratio between clean images (one per row)
// and reconstructions, denoised or inpainted versions of them.
//
// PSNR of one image x against x̂, with pixel values in [0, peak]:  10·log10(peak² / MSE(x, x̂))  dB, MSE the mean
// over its pixels. Over a set of images there are two conventions, and they differ (by Jensen's inequality the
// first is the larger, as log is concave):
// * `psnr`: the mean over images of each image's PSNR — the usual figure in image-denoising papers (the numbers
//   of issue 12's benchmark are this one);
// * `psnrOfMean`: the PSNR of the mean MSE over all pixels, 10·log10(peak² / MSE(A, B)) — what one gets from a
//   single overall error, as deep-learning code often reports.
// An image reproduced exactly has MSE 0 and an infinite PSNR: `psnr` then is Infinity (the mean of terms one of
// which is infinite), as is `psnrOfMean` for identical sets.
import { fail } from "../core/errors.js";
import { toMatrix, type MatrixLike } from "../core/matrix.js";

function pair(A: MatrixLike, B: MatrixLike, names: [string, string]) {
  const a = toMatrix(A, names[0], "float64");
  const b = toMatrix(B, names[1], "float64");
  if (a.rows !== b.rows || a.cols !== b.cols) {
    fail(`${names[0]} is ${a.rows}x${a.cols} but ${names[1]} is ${b.rows}x${b.cols}: expected the same shape`);
  }
  return { a, b };
}

function checkPeak(peak: number): void {
  if (typeof peak !== "number" || !(peak > 0) || !Number.isFinite(peak)) fail(`peak must be a finite number > 0, got ${String(peak)}`);
}

/** Per-row mean squared error. */
export function rowMeanSquaredErrors(A: MatrixLike, B: MatrixLike): Float64Array {
  const { a, b } = pair(A, B, ["A", "B"]);
  const out = new Float64Array(a.rows);
  const c = a.cols;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = i * c; j < (i + 1) * c; j++) {
      const d = a.data[j]! - b.data[j]!;
      s += d * d;
    }
    out[i] = s / c;
  }
  return out;
}

/** Mean squared error over every entry: Σ (a − b)² / (rows·cols). */
export function meanSquaredError(A: MatrixLike, B: MatrixLike): number {
  const per = rowMeanSquaredErrors(A, B);
  let s = 0;
  for (const v of per) s += v;
  return s / per.length;
}

/**
 * Mean over rows of each row's PSNR in dB, 10·log10(peak² / MSE_row) (pixel values in [0, peak]; default peak 1).
 * A row reproduced exactly counts as 120 dB (its MSE floored at 1e-12·peak²), so the mean stays finite.
 */
export function psnr(clean: MatrixLike, other: MatrixLike, peak = 1): number {
  checkPeak(peak);
  const per = rowMeanSquaredErrors(clean, other);
  let s = 0;
  const floor = 1e-12 * peak * peak;
  for (const v of per) s += 10 * Math.log10((peak * peak) / Math.max(v, floor));
  return s / per.length;
}

/** PSNR in dB of the mean squared error over all entries: 10·log10(peak² / MSE(clean, other)). */
export function psnrOfMean(clean: MatrixLike, other: MatrixLike, peak = 1): number {
  checkPeak(peak);
  return 10 * Math.log10((peak * peak) / meanSquaredError(clean, other));
}

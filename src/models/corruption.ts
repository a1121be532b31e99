// Corruption processes for denoising autoencoders and denoising/inpainting experiments, all drawn from a seeded
// Random so a run is reproducible:
// - Gaussian noise: x + σ·ε, ε ~ N(0, 1), then clipped to [0, 1] (the range of pixels / 255);
// - masking noise: each input independently set to 0 with probability `rate` (Vincent, Larochelle, Bengio & Manzagol,
//   "Extracting and composing robust features with denoising autoencoders", ICML 2008: the "destroyed" inputs);
// - salt-and-pepper: each input independently, with probability `rate`, set to 0 or to 1 (half each), as in
//   Vincent et al., "Stacked denoising autoencoders", JMLR 2010, section 4.2;
// - a missing block (inpainting): a size×size square at a uniformly random position inside each image set to 0, in
//   every channel; rows are flattened images of shape [h, w] or [c, h, w] (channel-major, as ConvAutoencoder's).
// `corrupt` returns a new matrix; `corruptInto` writes a corrupted copy of rows into a given array (or corrupts them
// in place), which is what training uses on its batch tensors. The text form ("gaussian:0.3", "mask:0.5",
// "salt-pepper:0.2", "block:10") is what the CLI's --noise takes: `parseCorruption` reads it, `formatCorruption`
// writes it.
import { describeValue, fail } from "../core/errors.js";
import { Matrix, toMatrix, type FloatArray, type MatrixLike } from "../core/matrix.js";
import { Random } from "../core/random.js";

/** A corruption process. `imageShape` of a block: [h, w] or [c, h, w]. */
export type Corruption =
  | { kind: "gaussian"; sigma: number }
  | { kind: "mask"; rate: number }
  | { kind: "saltPepper"; rate: number }
  | { kind: "block"; size: number; imageShape: [number, number] | [number, number, number] };

const FORMS = `"gaussian:σ", "mask:rate", "salt-pepper:rate" or "block:size"`;

function isShape(s: unknown): s is [number, number] | [number, number, number] {
  return Array.isArray(s) && (s.length === 2 || s.length === 3) && s.every((v) => Number.isSafeInteger(v) && v >= 1);
}

/** The [h, w] of an image shape [h, w] or [c, h, w], and its number of values. */
function planeOf(shape: readonly number[]): { c: number; h: number; w: number } {
  return shape.length === 3 ? { c: shape[0]!, h: shape[1]!, w: shape[2]! } : { c: 1, h: shape[0]!, w: shape[1]! };
}

/**
 * Checks a corruption given as an object (σ ≥ 0 finite, a rate in [0, 1], a block size from 1 to the image's
 * smaller side); `what` names it in the message. Returns it.
 */
export function checkCorruption(c: Corruption, what = "corruption"): Corruption {
  if (!c || typeof c !== "object") fail(`${what} must be a corruption object (kind ${FORMS}), got ${describeValue(c)}`);
  switch (c.kind) {
    case "gaussian":
      if (!(typeof c.sigma === "number" && Number.isFinite(c.sigma) && c.sigma >= 0)) fail(`${what}: the Gaussian noise's sigma must be a number >= 0, got ${describeValue(c.sigma)}`);
      return c;
    case "mask":
    case "saltPepper":
      if (!(typeof c.rate === "number" && c.rate >= 0 && c.rate <= 1)) fail(`${what}: the ${c.kind} rate must be a number in [0, 1], got ${describeValue(c.rate)}`);
      return c;
    case "block": {
      if (!isShape(c.imageShape)) fail(`${what}: a block needs the image shape [h, w] or [c, h, w] (integers >= 1), got ${describeValue(c.imageShape)}`);
      const { h, w } = planeOf(c.imageShape);
      if (!(Number.isSafeInteger(c.size) && c.size >= 1 && c.size <= Math.min(h, w))) {
        fail(`${what}: the block size must be an integer from 1 to ${Math.min(h, w)} (the ${h}x${w} image's smaller side), got ${describeValue(c.size)}`);
      }
      return c;
    }
    default:
      fail(`${what}: unknown kind ${describeValue((c as { kind: unknown }).kind)}: expected "gaussian", "mask", "saltPepper" or "block"`);
  }
}

/**
 * Reads a corruption from its text form: "gaussian:0.3" (σ), "mask:0.5" (rate), "salt-pepper:0.2" (rate; also
 * "saltPepper:0.2"), "block:10" (a 10×10 block; needs `imageShape`, [h, w] or [c, h, w]). `what` names the text in
 * messages (e.g. "--noise").
 */
export function parseCorruption(text: string, imageShape?: readonly number[], what = "corruption"): Corruption {
  if (typeof text !== "string") fail(`${what} must be a string such as "gaussian:0.3" (${FORMS}), got ${describeValue(text)}`);
  const m = /^\s*([A-Za-z_-]+)\s*:\s*(\S+)\s*$/.exec(text);
  if (!m) fail(`${what} ${describeValue(text)} is not of the form ${FORMS}, e.g. "gaussian:0.3" or "mask:0.5"`);
  const kind = m[1]!.toLowerCase();
  const arg = m[2]!;
  const value = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(arg) ? Number(arg) : NaN;
  const rate = (k: "mask" | "saltPepper", name: string): Corruption => {
    if (!(value >= 0 && value <= 1)) fail(`${what} ${describeValue(text)}: the ${name} rate must be a number in [0, 1] after "${m[1]}:", e.g. "${m[1]}:0.5"`);
    return { kind: k, rate: value };
  };
  switch (kind) {
    case "gaussian":
      if (!(value >= 0 && Number.isFinite(value))) fail(`${what} ${describeValue(text)}: sigma must be a number >= 0 after "gaussian:", e.g. "gaussian:0.3"`);
      return { kind: "gaussian", sigma: value };
    case "mask":
      return rate("mask", "masking");
    case "salt-pepper":
    case "saltpepper":
    case "salt_pepper":
      return rate("saltPepper", "salt-and-pepper");
    case "block": {
      if (!(Number.isSafeInteger(value) && value >= 1)) fail(`${what} ${describeValue(text)}: the block size must be an integer >= 1 after "block:", e.g. "block:10"`);
      if (imageShape === undefined) fail(`${what} ${describeValue(text)}: a missing block needs the image shape (e.g. 28x28)`);
      if (!isShape(imageShape)) fail(`${what} ${describeValue(text)}: the image shape must be [h, w] or [c, h, w] (integers >= 1), got ${describeValue(imageShape)}`);
      return checkCorruption({ kind: "block", size: value, imageShape: imageShape.slice() as [number, number] }, `${what} ${describeValue(text)}`);
    }
    default:
      fail(`${what} ${describeValue(text)}: unknown corruption ${describeValue(m[1])}: expected ${FORMS}`);
  }
}

/** The text form of a corruption ("gaussian:0.3", "mask:0.5", "salt-pepper:0.2", "block:10"). */
export function formatCorruption(c: Corruption): string {
  switch (c.kind) {
    case "gaussian": return `gaussian:${c.sigma}`;
    case "mask": return `mask:${c.rate}`;
    case "saltPepper": return `salt-pepper:${c.rate}`;
    case "block": return `block:${c.size}`;
  }
}

/**
 * Writes a corrupted copy of `src` (rows of `cols` values, row-major) into `dst` (same length; may be `src` itself,
 * to corrupt in place), drawing from `rng`. Allocates nothing: training corrupts its batch tensors with it. The
 * corruption is assumed checked (checkCorruption); the block's image size must equal `cols`.
 */
export function corruptInto(src: FloatArray, dst: FloatArray, cols: number, c: Corruption, rng: Random): void {
  const n = src.length;
  if (dst.length !== n) fail(`corruptInto: the output has ${dst.length} values, the input ${n}`);
  switch (c.kind) {
    case "gaussian": {
      const s = c.sigma;
      for (let k = 0; k < n; k++) {
        const v = src[k]! + s * rng.normal();
        dst[k] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
      return;
    }
    case "mask": {
      const r = c.rate;
      for (let k = 0; k < n; k++) dst[k] = rng.uniform() < r ? 0 : src[k]!;
      return;
    }
    case "saltPepper": {
      // one draw u per input: u < rate corrupts it, and given that, u < rate/2 (probability one half) makes it 0
      const r = c.rate, half = c.rate / 2;
      for (let k = 0; k < n; k++) {
        const u = rng.uniform();
        dst[k] = u < r ? (u < half ? 0 : 1) : src[k]!;
      }
      return;
    }
    case "block": {
      const { c: ch, h, w } = planeOf(c.imageShape);
      if (ch * h * w !== cols) fail(`a block corruption for ${c.imageShape.join("x")} images needs rows of ${ch * h * w} values, got ${cols}`);
      const size = c.size;
      if (dst !== src) dst.set(src);
      const rows = cols > 0 ? n / cols : 0;
      for (let i = 0; i < rows; i++) {
        // the top-left corner, uniform over the h−size+1 × w−size+1 positions that keep the block inside the image
        const y0 = rng.int(h - size + 1), x0 = rng.int(w - size + 1);
        for (let q = 0; q < ch; q++) {
          const base = i * cols + q * h * w;
          for (let y = y0; y < y0 + size; y++) dst.fill(0, base + y * w + x0, base + y * w + x0 + size);
        }
      }
      return;
    }
  }
}

/** A corrupted copy of X (a new matrix of X's dtype; X is unchanged), drawn from `rng`. */
export function corrupt(X: MatrixLike, c: Corruption, rng: Random): Matrix {
  const M = X instanceof Matrix ? X : toMatrix(X, "X");
  checkCorruption(c);
  if (!(rng instanceof Random)) fail(`corrupt: rng must be a Random (e.g. new Random(seed)), got ${describeValue(rng)}`);
  const out = Matrix.zeros(M.rows, M.cols, M.dtype);
  corruptInto(M.data, out.data, M.cols, c, rng);
  return out;
}

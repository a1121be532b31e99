// Data augmentation for images, drawn fresh for every sample of every batch: a random shift of up to `shift` pixels
// in each direction (what torchvision's RandomCrop(size, padding=shift) does: the image moves, the border fills with
// zeros), a horizontal flip with probability ½, and a rotation by a uniform angle in ±`rotate` degrees about the
// centre (bilinear, zeros outside). Rows are flattened channel-major images; every channel of a sample moves alike.
// warpImage is one image's transform with given parameters (what the tests check); augmentImages draws them.
import { fail } from "../core/errors.js";
import type { Random } from "../core/random.js";

export interface AugmentOptions {
  /** Largest shift in pixels, each axis (0: none). */
  shift: number;
  /** Horizontal flips with probability ½. */
  flip: boolean;
  /** Largest rotation in degrees (0: none). */
  rotate: number;
}

/** Whether the options change anything. */
export function augments(o: AugmentOptions): boolean {
  return o.shift > 0 || o.flip || o.rotate > 0;
}

/** One image's transform: a shift by (dy, dx) pixels, a horizontal flip, a rotation by `angle` degrees. */
export interface Warp {
  dy: number;
  dx: number;
  flip: boolean;
  /** Degrees; positive turns the image clockwise as displayed (rows going down). */
  angle: number;
}

/**
 * Writes augmented copies of `n` images of [c, h, w] from src into dst (both n·c·h·w floats; they may not overlap),
 * each with its own warp drawn from `rng`: dy, dx uniform integers in [−shift, shift], a flip with probability ½, an
 * angle uniform in [−rotate, rotate] degrees.
 */
export function augmentImages(src: Float32Array, dst: Float32Array, n: number, shape: readonly [number, number, number], o: AugmentOptions, rng: Random): void {
  const [c, h, w] = shape;
  const size = c * h * w;
  if (src.length < n * size || dst.length < n * size) fail(`augmentImages: ${n} images of ${c}x${h}x${w} need ${n * size} values`);
  for (let i = 0; i < n; i++) {
    const dy = o.shift > 0 ? rng.int(2 * o.shift + 1) - o.shift : 0;
    const dx = o.shift > 0 ? rng.int(2 * o.shift + 1) - o.shift : 0;
    const flip = o.flip && rng.uniform() < 0.5;
    const angle = o.rotate > 0 ? (rng.uniform() * 2 - 1) * o.rotate : 0;
    warpImage(src, dst, i * size, shape, { dy, dx, flip, angle });
  }
}

/**
 * One image of [c, h, w] at offset `at` of src, warped into the same place of dst: the output pixel (y, x) is the
 * input at the inverse of "flip, then rotate about the centre, then shift" applied to (y, x); bilinear between pixels,
 * zero outside the image. Without rotation it is an exact copy of moved pixels.
 */
export function warpImage(src: Float32Array, dst: Float32Array, offset: number, shape: readonly [number, number, number], warp: Warp): void {
  const [c, h, w] = shape;
  const plane = h * w;
  const { dy, dx, flip } = warp;
  const angle = (warp.angle * Math.PI) / 180;
  if (angle === 0) {
    // integer shifts and flips: a copy with zeros where the image moved away
    for (let ch = 0; ch < c; ch++) {
      const off = offset + ch * plane;
      for (let y = 0; y < h; y++) {
        const sy = y - dy;
        const row = off + y * w;
        if (sy < 0 || sy >= h) {
          dst.fill(0, row, row + w);
          continue;
        }
        for (let x = 0; x < w; x++) {
          let sx = x - dx;
          if (sx < 0 || sx >= w) {
            dst[row + x] = 0;
            continue;
          }
          if (flip) sx = w - 1 - sx;
          dst[row + x] = src[off + sy * w + sx]!;
        }
      }
    }
    return;
  }
  const cy = (h - 1) / 2, cx = (w - 1) / 2;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // undo the shift, then the rotation, then the flip (of the source column)
      const ux = x - dx - cx, uy = y - dy - cy;
      const ry = cos * uy - sin * ux + cy;
      let rx = sin * uy + cos * ux + cx;
      if (flip) rx = w - 1 - rx;
      const y0 = Math.floor(ry), x0 = Math.floor(rx);
      const fy = ry - y0, fx = rx - x0;
      for (let ch = 0; ch < c; ch++) {
        const off = offset + ch * plane;
        const px = (yy: number, xx: number): number => (yy >= 0 && yy < h && xx >= 0 && xx < w ? src[off + yy * w + xx]! : 0);
        dst[off + y * w + x] = (1 - fy) * ((1 - fx) * px(y0, x0) + fx * px(y0, x0 + 1)) + fy * ((1 - fx) * px(y0 + 1, x0) + fx * px(y0 + 1, x0 + 1));
      }
    }
  }
}

// Labelled rows of images: a label at the left of each row, an optional caption under each image, and per row its
// own colour map and scaling (one grey scale shared by the row's images, or each image scaled to its own range). For
// pictures that put different kinds of images side by side: a unit's top-9 data images row by row, the images
// maximising the units of several layers (a row per layer), images above their saliency maps. imageGridFigure
// (charts.ts) is the plain grid of same-kind images; imageRowsFigure one grey scale for every row.
import { fail } from "../core/errors.js";
import type { Figure } from "./charts.js";
import { diverging, gray, type RGB } from "./colors.js";

/** "hot" ramp for magnitudes (saliency): black → red → yellow → white. */
export function heat(t: number): RGB {
  const x = Math.min(1, Math.max(0, t));
  return [255 * Math.min(1, 3 * x), 255 * Math.min(1, Math.max(0, 3 * x - 1)), 255 * Math.max(0, 3 * x - 2)];
}

export interface LabelledRow {
  /** Text at the left of the row. */
  label: string;
  /** The row's images, h·w values each (row-major). */
  images: ArrayLike<number>[];
  /** A caption under each image (shown when given; "" for none). */
  captions?: string[];
  /** "gray" (default), "heat" (magnitudes from 0) or "diverging" (signed, 0 white). */
  colormap?: "gray" | "heat" | "diverging";
  /**
   * "row" (default): one scale for the row's images, from `range` or their min and max; "each": each image scaled to
   * its own min and max ("heat": 0 to its max; "diverging": ±its max |value|).
   */
  scale?: "row" | "each";
  /** The row's value range with scale "row" (default: the row's min and max); values outside are clipped. */
  range?: [number, number];
  /** Invert the grey scale (dark ink on white, e.g. clothing). */
  invert?: boolean;
}

export interface LabelledRowsOptions {
  title?: string;
  /** Captions above the columns. */
  columnLabels?: string[];
  /** Pixel width of each image (default: 3x upscaling, 40 to 84 px). */
  cell?: number;
}

/** Rows of images, each with its label at the left, captions under the images and its own colour map and scaling. */
export function labelledRowsFigure(rows: LabelledRow[], shape: [number, number], opts: LabelledRowsOptions = {}): Figure {
  const [h, w] = shape;
  if (!Array.isArray(rows) || rows.length === 0) fail("labelledRowsFigure needs at least one row of images");
  rows.forEach((r, i) => {
    if (!r || !Array.isArray(r.images)) fail(`row ${i} needs an array of images`);
    r.images.forEach((img, j) => {
      if (img.length !== h * w) fail(`image shape ${h}x${w} has ${h * w} pixels, but image ${j} of row ${i} ("${r.label}") has ${img.length} values`);
    });
    if (r.captions && r.captions.length !== r.images.length) fail(`row ${i} ("${r.label}") has ${r.captions.length} captions for ${r.images.length} images`);
  });
  const ncols = Math.max(1, ...rows.map((r) => r.images.length));
  const cell = opts.cell ?? Math.max(40, Math.min(84, w * 3));
  const cellH = Math.round((cell * h) / w);
  const gap = 5;
  const capH = rows.some((r) => r.captions?.some((c) => c !== "")) ? 13 : 0;
  const labelW = 16 + 12 * Math.max(...rows.map((r) => r.label.length)); // the bitmap font: 12 px a character at size 11, 6 at size 8
  const top = (opts.title ? 32 : 6) + (opts.columnLabels ? 14 : 0);
  const width = Math.max(labelW + ncols * (cell + gap) + gap, opts.title ? opts.title.length * 12 + 24 : 0);
  const rowH = cellH + capH + gap;
  const height = top + rows.length * rowH + gap;
  return {
    width, height,
    draw(s) {
      if (opts.title) s.text(width / 2, 16, opts.title, { size: 12, anchor: "middle", bold: true });
      opts.columnLabels?.forEach((c, j) => {
        if (j < ncols) s.text(labelW + gap + j * (cell + gap) + cell / 2, top - 8, c, { size: 9, anchor: "middle" });
      });
      rows.forEach((r, ri) => {
        const y = top + ri * rowH;
        s.text(labelW - 6, y + cellH / 2, r.label, { size: 11, anchor: "end" });
        const cmap = r.colormap ?? "gray";
        let lo = Infinity, hi = -Infinity;
        if (r.range) [lo, hi] = r.range;
        else for (const img of r.images) for (let k = 0; k < img.length; k++) { lo = Math.min(lo, img[k]!); hi = Math.max(hi, img[k]!); }
        r.images.forEach((img, j) => {
          let a = lo, b = hi;
          if ((r.scale ?? "row") === "each") {
            a = Infinity; b = -Infinity;
            for (let k = 0; k < img.length; k++) { a = Math.min(a, img[k]!); b = Math.max(b, img[k]!); }
          }
          let vals: Float64Array;
          let color: (t: number) => RGB;
          if (cmap === "diverging") {
            const m = Math.max(Math.abs(a), Math.abs(b));
            vals = Float64Array.from(img, (v) => (m > 0 ? v / m : 0));
            color = diverging;
          } else if (cmap === "heat") {
            const m = (r.scale ?? "row") === "each" ? b : hi;
            vals = Float64Array.from(img, (v) => (m > 0 ? v / m : 0));
            color = heat;
          } else {
            vals = Float64Array.from(img, (v) => (b > a ? (v - a) / (b - a) : 0.5));
            color = r.invert ? (t) => gray(1 - t) : gray;
          }
          const x = labelW + gap + j * (cell + gap);
          s.image(x, y, cell, cellH, vals, w, h, color);
          s.rect(x, y, cell, cellH, null, [200, 200, 200]);
          const cap = r.captions?.[j];
          const fit = Math.max(2, Math.floor((cell + gap - 2) / 6));
          if (cap) s.text(x + cell / 2, y + cellH + 8, cap.length > fit ? cap.slice(0, fit - 1) + "." : cap, { size: 8, anchor: "middle" });
        });
      });
    },
  };
}

// The figures latentkit draws: labelled 2-D scatter plots, image grids (components as images, reconstructions),
// rows of images with a label each (noisy / denoised / clean, interpolation strips), line charts with a legend
// (error against code size, training curves; linear or log axes) and the singular-value / explained-variance spectrum. Each draws on a Surface, so PNG and SVG share the code.
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { CATEGORICAL, diverging, gray, type RGB } from "./colors.js";
import { storedDeflate, type AsyncDeflate, type Deflate } from "./png.js";
import { RasterSurface, SvgSurface, type Surface } from "./surface.js";

export type Figure = { width: number; height: number; draw: (s: Surface) => void };

/** Draws a figure on an RGBA raster (its `pixels` can go straight into a canvas ImageData). */
export function rasterize(fig: Figure): RasterSurface {
  const s = new RasterSurface(fig.width, fig.height);
  fig.draw(s);
  return s;
}

/**
 * Renders a figure as SVG text or PNG bytes. PNG needs a zlib-format `deflate` (see plot/png.ts): with a synchronous
 * one (Node's zlib.deflateSync, storedDeflate) the bytes come back, with an asynchronous one
 * (deflateWithCompressionStream in a browser) a promise of them. For SVG, `deflate` (synchronous, default stored)
 * compresses embedded images. In Node, render and saveFigure from "latentkit/node" pass zlib.
 */
export function render(fig: Figure, format: "svg", deflate?: Deflate): string;
export function render(fig: Figure, format: "png", deflate: Deflate): Uint8Array;
export function render(fig: Figure, format: "png", deflate: AsyncDeflate): Promise<Uint8Array>;
export function render(fig: Figure, format: "png" | "svg", deflate?: Deflate | AsyncDeflate): string | Uint8Array | Promise<Uint8Array>;
export function render(fig: Figure, format: "png" | "svg", deflate?: Deflate | AsyncDeflate): string | Uint8Array | Promise<Uint8Array> {
  if (format === "svg") {
    const s = new SvgSurface(fig.width, fig.height, undefined, (deflate as Deflate | undefined) ?? storedDeflate);
    fig.draw(s);
    return s.toSVG();
  }
  if (format !== "png") fail(`unknown picture format ${JSON.stringify(format)}: use "png" or "svg"`);
  if (!deflate) {
    fail('render(figure, "png") needs a deflate function: zlib.deflateSync in Node (or render from "latentkit/node"), ' +
      "deflateWithCompressionStream in a browser");
  }
  return rasterize(fig).toPNG(deflate);
}

/** The picture format of a path by its extension (.png or .svg). */
export function figureFormatFor(path: string): "png" | "svg" {
  const m = /\.(png|svg)$/i.exec(path);
  if (!m) fail(`cannot tell the picture format of ${path}: use .png or .svg`);
  return m[1]!.toLowerCase() as "png" | "svg";
}

const AXIS: RGB = [90, 90, 90];
const GRID: RGB = [232, 232, 232];

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // the round step nearest to the raw one (on a log scale)
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).reduce((a, b) => (Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a));
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)) || 0);
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

interface Frame {
  x0: number; y0: number; w: number; h: number;
  sx: (v: number) => number; sy: (v: number) => number;
}

/** A tick: its position in axis coordinates and its text. */
interface Tick { at: number; text: string }

function axes(s: Surface, x: number, y: number, w: number, h: number, xr: [number, number], yr: [number, number],
  labels: { x?: string; y?: string; title?: string }, ticks: { x?: Tick[]; y?: Tick[] } = {}): Frame {
  const sx = (v: number): number => x + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * w;
  const sy = (v: number): number => y + h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * h;
  const linear = (lo: number, hi: number): Tick[] => niceTicks(lo, hi).map((t) => ({ at: t, text: fmtTick(t) }));
  for (const { at: t, text } of ticks.x ?? linear(xr[0], xr[1])) {
    s.line(sx(t), y, sx(t), y + h, GRID);
    s.line(sx(t), y + h, sx(t), y + h + 4, AXIS);
    s.text(sx(t), y + h + 14, text, { size: 10, anchor: "middle", color: AXIS });
  }
  for (const { at: t, text } of ticks.y ?? linear(yr[0], yr[1])) {
    s.line(x, sy(t), x + w, sy(t), GRID);
    s.line(x - 4, sy(t), x, sy(t), AXIS);
    s.text(x - 7, sy(t), text, { size: 10, anchor: "end", color: AXIS });
  }
  s.rect(x, y, w, h, null, AXIS);
  if (labels.x) s.text(x + w / 2, y + h + 32, labels.x, { size: 11, anchor: "middle" });
  if (labels.y) s.text(x - 46, y + h / 2, labels.y, { size: 11, anchor: "middle", vertical: true });
  // centred over the plot, but moved right where a long title would start left of the figure (~13 px a character)
  if (labels.title) s.text(Math.max(x + w / 2, (labels.title.length * 13) / 2 + 4), y - 16, labels.title, { size: 13, anchor: "middle", bold: true });
  return { x0: x, y0: y, w, h, sx, sy };
}

function padRange(lo: number, hi: number): [number, number] {
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const p = (hi - lo) * 0.04;
  return [lo - p, hi + p];
}

/** Sorted distinct labels: numerically when all are numbers. */
export function labelOrder(labels: string[]): string[] {
  const uniq = [...new Set(labels)];
  const numeric = uniq.every((u) => u.trim() !== "" && Number.isFinite(Number(u)));
  return numeric ? uniq.sort((a, b) => Number(a) - Number(b)) : uniq.sort();
}

export interface ScatterOptions {
  labels?: string[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Point radius in pixels (default by n). */
  pointSize?: number;
  /** A text label drawn beside each point (e.g. words). */
  pointLabels?: string[];
  /** Lines drawn faintly under the points, from point u[k] to point v[k] (a graph's edges). */
  edges?: { u: ArrayLike<number>; v: ArrayLike<number>; color?: [number, number, number] };
  /** Draw these images (one row each, of `imageShape`) at a sample of the points instead of dots only. */
  thumbnails?: { images: Matrix; imageShape: [number, number]; count?: number; size?: number };
}

/** Scatter plot of the first two columns of Z, coloured by label, with a legend. */
export function scatterFigure(Z: Matrix, opts: ScatterOptions = {}): Figure {
  if (Z.cols < 2) fail(`a scatter plot needs 2 columns, the embedding has ${Z.cols}`);
  if (opts.labels && opts.labels.length !== Z.rows) fail(`${opts.labels.length} labels for ${Z.rows} points`);
  const n = Z.rows;
  const classes = opts.labels ? labelOrder(opts.labels) : [];
  const legend = classes.length > 0;
  const width = opts.width ?? (legend ? 900 : 760);
  const height = opts.height ?? 680;
  return {
    width, height,
    draw(s) {
      let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
      for (let i = 0; i < n; i++) {
        xlo = Math.min(xlo, Z.get(i, 0)); xhi = Math.max(xhi, Z.get(i, 0));
        ylo = Math.min(ylo, Z.get(i, 1)); yhi = Math.max(yhi, Z.get(i, 1));
      }
      const plotW = width - 80 - (legend ? 170 : 30);
      const f = axes(s, 70, 44, plotW, height - 100, padRange(xlo, xhi), padRange(ylo, yhi),
        { x: opts.xLabel ?? "component 1", y: opts.yLabel ?? "component 2", title: opts.title });
      const index = new Map(classes.map((c, i) => [c, i]));
      const r = opts.pointSize ?? (n < 300 ? 4 : n < 3000 ? 2.8 : n < 20000 ? 1.8 : 1.2);
      const alpha = n < 3000 ? 0.85 : 0.6;
      const order = new Random(0).shuffle(Array.from({ length: n }, (_, i) => i));
      const E = opts.edges;
      if (E) {
        const c = E.color ?? [214, 214, 214];
        for (let k = 0; k < E.u.length; k++) {
          const a = E.u[k]!, b = E.v[k]!;
          s.line(f.sx(Z.get(a, 0)), f.sy(Z.get(a, 1)), f.sx(Z.get(b, 0)), f.sy(Z.get(b, 1)), c, 0.6);
        }
      }
      for (const i of order) {
        const ci = opts.labels ? index.get(opts.labels[i]!)! : 0;
        s.circle(f.sx(Z.get(i, 0)), f.sy(Z.get(i, 1)), r, CATEGORICAL[ci % CATEGORICAL.length]!, alpha);
      }
      if (opts.pointLabels) {
        opts.pointLabels.forEach((t, i) => {
          if (i < n) s.text(f.sx(Z.get(i, 0)) + r + 3, f.sy(Z.get(i, 1)), t, { size: 11 });
        });
      }
      const th = opts.thumbnails;
      if (th) {
        // a sample of images at their points, each framed in its class colour, skipping overlaps
        const [h, w] = th.imageShape;
        const size = th.size ?? 26;
        const taken: Array<[number, number]> = [];
        let lo = Infinity, hi = -Infinity;
        for (const v of th.images.data) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        for (const i of order.slice(0, Math.min(n, (th.count ?? 400) * 4))) {
          if (taken.length >= (th.count ?? 400)) break;
          const x = f.sx(Z.get(i, 0)) - size / 2, y = f.sy(Z.get(i, 1)) - size / 2;
          if (taken.some(([a, b]) => Math.abs(a - x) < size && Math.abs(b - y) < size)) continue;
          taken.push([x, y]);
          const ci = opts.labels ? index.get(opts.labels[i]!)! : 0;
          const vals = Float64Array.from(th.images.row(i), (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
          s.rect(x - 1, y - 1, size + 2, size + 2, CATEGORICAL[ci % CATEGORICAL.length]!);
          s.image(x, y, size, size * (h / w), vals, w, h, (t) => gray(1 - t));
        }
      }
      if (legend) {
        const lx = 70 + plotW + 22;
        const shown = classes.slice(0, 24);
        shown.forEach((c, i) => {
          const ly = 56 + i * 20;
          s.circle(lx + 6, ly, 5, CATEGORICAL[i % CATEGORICAL.length]!);
          s.text(lx + 18, ly, c.length > 18 ? c.slice(0, 17) + "." : c, { size: 10 });
        });
        if (classes.length > shown.length) s.text(lx, 56 + shown.length * 20, `+${classes.length - shown.length} more`, { size: 10 });
      }
    },
  };
}

export interface ImageGridOptions {
  /** Columns of the grid (default: up to 10). */
  ncols?: number;
  /** Caption under each image. */
  captions?: string[];
  title?: string;
  /** "gray" for pixel intensities (shared scale), "diverging" for signed images such as components (own scale each). */
  colormap?: "gray" | "diverging";
  /** A colour map per image, overriding `colormap`. */
  colormaps?: Array<"gray" | "diverging">;
  /** Grey-scale range (default: the data's min and max); values outside are clipped. */
  range?: [number, number];
  /** Invert the grey scale (dark ink on white, e.g. digits and clothing). */
  invert?: boolean;
  /** Pixel size of each cell (default: 8x upscaling for small images, at least 64 px). */
  cell?: number;
}

/** A grid of images, one per row of X (each of size h x w). */
export function imageGridFigure(X: Matrix, shape: [number, number], opts: ImageGridOptions = {}): Figure {
  const [h, w] = shape;
  if (h * w !== X.cols) fail(`image shape ${h}x${w} has ${h * w} pixels, but rows have ${X.cols} values`);
  const n = X.rows;
  const ncols = Math.max(1, Math.min(opts.ncols ?? 10, n));
  const nrows = Math.ceil(n / ncols);
  const cell = opts.cell ?? Math.max(64, Math.min(112, w * 4));
  const cellH = Math.round((cell * h) / w);
  const capH = opts.captions ? 18 : 4;
  const top = opts.title ? 36 : 8;
  const gap = 6;
  const gridW = ncols * (cell + gap) + gap;
  const width = Math.max(gridW, opts.title ? opts.title.length * 12 + 24 : 0);
  const left = Math.round((width - gridW) / 2);
  const height = top + nrows * (cellH + capH + gap) + gap;
  const cmap = opts.colormap ?? "gray";
  let lo = Infinity, hi = -Infinity;
  if (opts.range) [lo, hi] = opts.range;
  else {
    for (const v of X.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return {
    width, height,
    draw(s) {
      if (opts.title) s.text(width / 2, 18, opts.title, { size: 13, anchor: "middle", bold: true });
      for (let i = 0; i < n; i++) {
        const r = Math.floor(i / ncols), c = i % ncols;
        const x = left + gap + c * (cell + gap), y = top + r * (cellH + capH + gap);
        const row = X.row(i);
        let vals: Float64Array;
        let color: (t: number) => RGB;
        if ((opts.colormaps?.[i] ?? cmap) === "diverging") {
          let m = 0;
          for (const v of row) m = Math.max(m, Math.abs(v));
          vals = Float64Array.from(row, (v) => (m > 0 ? v / m : 0));
          color = diverging;
        } else {
          vals = Float64Array.from(row, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
          color = opts.invert ? (t) => gray(1 - t) : gray;
        }
        s.image(x, y, cell, cellH, vals, w, h, color);
        s.rect(x, y, cell, cellH, null, [200, 200, 200]);
        const cap = opts.captions?.[i];
        if (cap) s.text(x + cell / 2, y + cellH + 10, cap, { size: 9, anchor: "middle" });
      }
    },
  };
}

/** Reconstructions: one row per sample, one column per rank, the original last. */
export function reconstructionFigure(originals: Matrix, byRank: Matrix[], ranks: number[], shape: [number, number],
  opts: { title?: string; invert?: boolean } = {}): Figure {
  const s = originals.rows;
  const cols = ranks.length + 1;
  const cells = Matrix.zeros(s * cols, originals.cols);
  const captions: string[] = [];
  for (let i = 0; i < s; i++) {
    for (let c = 0; c < ranks.length; c++) {
      cells.data.set(byRank[c]!.row(i), (i * cols + c) * originals.cols);
      captions.push(`k=${ranks[c]}`);
    }
    cells.data.set(originals.row(i), (i * cols + ranks.length) * originals.cols);
    captions.push("original");
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of originals.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return imageGridFigure(cells, shape, { ncols: cols, captions, title: opts.title, invert: opts.invert, cell: 72, range: [lo, hi] });
}

/** Two panels: the singular values, and the cumulative explained-variance ratio. */
export function spectrumFigure(singularValues: ArrayLike<number>, explainedVarianceRatio: ArrayLike<number>,
  opts: { title?: string } = {}): Figure {
  const k = singularValues.length;
  const width = 1000, height = 420;
  return {
    width, height,
    draw(s) {
      if (opts.title) s.text(width / 2, 16, opts.title, { size: 13, anchor: "middle", bold: true });
      const pw = 380, ph = 290;
      let smax = 0;
      for (let i = 0; i < k; i++) smax = Math.max(smax, singularValues[i]!);
      const a = axes(s, 80, 60, pw, ph, [0.5, k + 0.5], [0, smax * 1.05], { x: "component", y: "singular value", title: "singular values" });
      const bw = Math.max(1, (pw / k) * 0.7);
      for (let i = 0; i < k; i++) {
        const x = a.sx(i + 1);
        s.rect(x - bw / 2, a.sy(singularValues[i]!), bw, a.sy(0) - a.sy(singularValues[i]!), CATEGORICAL[0]!);
      }
      const b = axes(s, 80 + pw + 110, 60, pw, ph, [0.5, k + 0.5], [0, 1], { x: "components kept", y: "cumulative explained variance", title: "explained variance" });
      let cum = 0;
      let px = 0, py = 0;
      for (let i = 0; i < k; i++) {
        cum += explainedVarianceRatio[i]!;
        const x = b.sx(i + 1), y = b.sy(Math.min(1, cum));
        if (i > 0) s.line(px, py, x, y, CATEGORICAL[1]!, 2);
        s.circle(x, y, k > 60 ? 1.5 : 3, CATEGORICAL[1]!);
        px = x;
        py = y;
      }
      s.text(b.x0 + b.w - 6, b.sy(Math.min(1, cum)) + 14, `${(100 * cum).toFixed(1)}% with ${k}`, { size: 10, anchor: "end" });
    },
  };
}

/** One line of a line chart: its legend name and its points (x[i], y[i]), drawn in the given order. */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic x axis (every x must be > 0). */
  logX?: boolean;
  /** Logarithmic y axis (every y must be > 0). */
  logY?: boolean;
  width?: number;
  height?: number;
  /** Marker radius in pixels (default 3.5; 0: lines only). */
  markerSize?: number;
}

/** Ticks of a log10 axis over [lo, hi] (in log10 units): powers of ten, with 2× and 5× where there are few decades. */
function logTicks(lo: number, hi: number): Tick[] {
  const within = (mult: number[]): Tick[] => {
    const out: Tick[] = [];
    for (let e = Math.floor(lo) - 1; e <= Math.ceil(hi); e++) {
      for (const m of mult) {
        const t = e + Math.log10(m);
        if (t >= lo - 1e-9 && t <= hi + 1e-9) out.push({ at: t, text: fmtTick(Number((m * 10 ** e).toPrecision(6))) });
      }
    }
    return out;
  };
  let out = within(hi - lo < 1.5 ? [1, 2, 5] : [1]);
  if (out.length < 3) out = within([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (out.length > 12) out = within([1, 2, 5]);
  // a range inside one step of the ticks above: round values on the log scale instead
  return out.length >= 2 ? out : niceTicks(lo, hi).map((t) => ({ at: t, text: fmtTick(Number((10 ** t).toPrecision(3))) }));
}

/**
 * Line chart: one line with markers per series, in the categorical colours, a legend of the series' names at the
 * right; linear or logarithmic axes (`logX`, `logY`). For "error against code size" and loss curves.
 */
export function lineChartFigure(series: LineSeries[], opts: LineChartOptions = {}): Figure {
  if (!Array.isArray(series) || series.length === 0) fail("a line chart needs at least one series");
  const tx = opts.logX ? Math.log10 : (v: number): number => v;
  const ty = opts.logY ? Math.log10 : (v: number): number => v;
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  series.forEach((sr, k) => {
    if (!sr || typeof sr.name !== "string") fail(`series ${k} needs a name (a string)`);
    if (!sr.x || !sr.y || sr.x.length !== sr.y.length) fail(`series "${sr.name}" has ${sr.x?.length} x values but ${sr.y?.length} y values`);
    for (let i = 0; i < sr.x.length; i++) {
      const x = sr.x[i]!, y = sr.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) fail(`series "${sr.name}" point ${i} is (${x}, ${y}): expected finite numbers`);
      if (opts.logX && !(x > 0)) fail(`series "${sr.name}" has x = ${x} at point ${i}: a log x axis needs x > 0`);
      if (opts.logY && !(y > 0)) fail(`series "${sr.name}" has y = ${y} at point ${i}: a log y axis needs y > 0`);
      xlo = Math.min(xlo, tx(x)); xhi = Math.max(xhi, tx(x));
      ylo = Math.min(ylo, ty(y)); yhi = Math.max(yhi, ty(y));
    }
  });
  if (!(xhi >= xlo)) fail("a line chart needs at least one point");
  const legendW = Math.min(220, 40 + 6 * Math.max(...series.map((sr) => Math.min(28, sr.name.length))));
  const width = opts.width ?? 620 + legendW;
  const height = opts.height ?? 460;
  const marker = opts.markerSize ?? 3.5;
  return {
    width, height,
    draw(s) {
      const plotW = width - 80 - legendW - 10;
      const xr = padRange(xlo, xhi), yr = padRange(ylo, yhi);
      const f = axes(s, 70, 44, plotW, height - 100, xr, yr, { x: opts.xLabel, y: opts.yLabel, title: opts.title }, {
        ...(opts.logX ? { x: logTicks(xr[0], xr[1]) } : {}),
        ...(opts.logY ? { y: logTicks(yr[0], yr[1]) } : {}),
      });
      series.forEach((sr, k) => {
        const color = CATEGORICAL[k % CATEGORICAL.length]!;
        let px = 0, py = 0;
        for (let i = 0; i < sr.x.length; i++) {
          const x = f.sx(tx(sr.x[i]!)), y = f.sy(ty(sr.y[i]!));
          if (i > 0) s.line(px, py, x, y, color, 2);
          px = x;
          py = y;
        }
        if (marker > 0) for (let i = 0; i < sr.x.length; i++) s.circle(f.sx(tx(sr.x[i]!)), f.sy(ty(sr.y[i]!)), marker, color);
      });
      const lx = 70 + plotW + 20;
      series.forEach((sr, k) => {
        const color = CATEGORICAL[k % CATEGORICAL.length]!;
        const ly = 56 + k * 20;
        s.line(lx, ly, lx + 20, ly, color, 2);
        if (marker > 0) s.circle(lx + 10, ly, marker, color);
        s.text(lx + 28, ly, sr.name.length > 28 ? sr.name.slice(0, 27) + "." : sr.name, { size: 10 });
      });
    },
  };
}

export interface ImageRowsOptions {
  title?: string;
  /** Captions above the columns (e.g. interpolation steps). */
  columnLabels?: string[];
  /** Grey-scale range shared by every image (default: the min and max over all rows); values outside are clipped. */
  range?: [number, number];
  /** Invert the grey scale (dark ink on white). */
  invert?: boolean;
  /** Pixel width of each image (default: 4x upscaling, 56 to 96 px). */
  cell?: number;
}

/**
 * Rows of images with a label at the left of each row: rows[r] holds one image per matrix row (of shape h×w);
 * e.g. "noisy / denoised / clean" for the same images, or a latent interpolation strip per row. Rows may have
 * different numbers of images. One grey scale for all, so that rows compare.
 */
export function imageRowsFigure(rows: Matrix[], rowLabels: string[], shape: [number, number], opts: ImageRowsOptions = {}): Figure {
  const [h, w] = shape;
  if (!Array.isArray(rows) || rows.length === 0) fail("imageRowsFigure needs at least one row of images");
  if (!Array.isArray(rowLabels) || rowLabels.length !== rows.length) fail(`${rowLabels?.length} row labels for ${rows.length} rows of images`);
  rows.forEach((m, r) => {
    if (!(m instanceof Matrix)) fail(`row ${r} ("${rowLabels[r]}") must be a Matrix of images, one per row`);
    if (m.cols !== h * w) fail(`image shape ${h}x${w} has ${h * w} pixels, but row ${r} ("${rowLabels[r]}") has images of ${m.cols} values`);
  });
  const ncols = Math.max(...rows.map((m) => m.rows));
  const cell = opts.cell ?? Math.max(56, Math.min(96, w * 4));
  const cellH = Math.round((cell * h) / w);
  const gap = 6;
  const labelW = 18 + 12 * Math.max(...rowLabels.map((l) => l.length)); // 12 px per character at size 11
  const top = (opts.title ? 36 : 8) + (opts.columnLabels ? 16 : 0);
  const width = Math.max(labelW + ncols * (cell + gap) + gap, opts.title ? opts.title.length * 12 + 24 : 0);
  const height = top + rows.length * (cellH + gap) + gap;
  let lo = Infinity, hi = -Infinity;
  if (opts.range) [lo, hi] = opts.range;
  else {
    for (const m of rows) {
      for (const v of m.data) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  const color = opts.invert ? (t: number): RGB => gray(1 - t) : gray;
  return {
    width, height,
    draw(s) {
      if (opts.title) s.text(width / 2, 18, opts.title, { size: 13, anchor: "middle", bold: true });
      opts.columnLabels?.forEach((c, j) => {
        if (j < ncols) s.text(labelW + gap + j * (cell + gap) + cell / 2, top - 9, c, { size: 9, anchor: "middle" });
      });
      rows.forEach((m, r) => {
        const y = top + r * (cellH + gap);
        s.text(labelW - 8, y + cellH / 2, rowLabels[r]!, { size: 11, anchor: "end" });
        for (let j = 0; j < m.rows; j++) {
          const x = labelW + gap + j * (cell + gap);
          const vals = Float64Array.from(m.row(j), (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
          s.image(x, y, cell, cellH, vals, w, h, color);
          s.rect(x, y, cell, cellH, null, [200, 200, 200]);
        }
      });
    },
  };
}

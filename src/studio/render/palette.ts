// Colours for the studio's points (pure, no DOM): a categorical palette for any number of categories and a
// continuous viridis-like scale for numeric columns, each giving n × 4 RGBA bytes for a Column and the legend that
// goes with it. Colour distances are measured in OKLab (Björn Ottosson's perceptual space).
import { LatentkitError } from "../../core/errors.js";
import type { Column } from "../types.js";

export type RGBA = [number, number, number, number];

/** The colour of missing values (NaN) and of points greyed out by a selection. */
export const NAN_GREY: RGBA = [184, 184, 184, 255];

/**
 * Tableau 10 and its light companions, without their two greys (grey means "missing" or "not selected" here):
 * 18 colours, the strong ones first.
 */
export const BASE: readonly RGBA[] = [
  [31, 119, 180, 255], [255, 127, 14, 255], [44, 160, 44, 255], [214, 39, 40, 255], [148, 103, 189, 255],
  [140, 86, 75, 255], [227, 119, 194, 255], [188, 189, 34, 255], [23, 190, 207, 255],
  [174, 199, 232, 255], [255, 187, 120, 255], [152, 223, 138, 255], [255, 152, 150, 255], [197, 176, 213, 255],
  [196, 156, 148, 255], [247, 182, 210, 255], [219, 219, 141, 255], [158, 218, 229, 255],
];

function linear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** sRGB bytes → OKLab [L, a, b] (L in 0…1). */
export function oklab(r: number, g: number, b: number): [number, number, number] {
  const lr = linear(r), lg = linear(g), lb = linear(b);
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

/** Euclidean distance of two colours in OKLab (a just-noticeable difference is about 0.02). */
export function colorDistance(a: readonly number[], b: readonly number[]): number {
  const p = oklab(a[0]!, a[1]!, a[2]!), q = oklab(b[0]!, b[1]!, b[2]!);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

// The pool the palette grows from past the base: sRGB colours on a 16-level grid that are neither too dark, too
// light (the background) nor too grey (missing values), in OKLab.
let pool: { rgb: Uint8Array; lab: Float64Array } | null = null;
function candidatePool(): { rgb: Uint8Array; lab: Float64Array } {
  if (pool) return pool;
  const rgb: number[] = [], lab: number[] = [];
  for (let r = 0; r < 256; r += 17) {
    for (let g = 0; g < 256; g += 17) {
      for (let b = 0; b < 256; b += 17) {
        const [L, A, B] = oklab(r, g, b);
        if (L < 0.4 || L > 0.88 || Math.hypot(A, B) < 0.06) continue;
        rgb.push(r, g, b);
        lab.push(L, A, B);
      }
    }
  }
  pool = { rgb: Uint8Array.from(rgb), lab: Float64Array.from(lab) };
  return pool;
}

const paletteCache: RGBA[] = [...BASE.map((c) => [...c] as RGBA)];

/**
 * k distinct colours. The first 18 are Tableau's; each further colour is the one of the candidate pool farthest (in
 * OKLab) from every colour already chosen and from the missing-value grey, so the palette stays as distinct as the
 * gamut allows for any k (past the pool of about 3,000 colours they repeat).
 */
export function categoricalColors(k: number): RGBA[] {
  if (!Number.isInteger(k) || k < 0) throw new LatentkitError(`number of categories must be a non-negative integer, got ${k} (src/studio/render/palette.ts)`);
  if (k > paletteCache.length) {
    const { rgb, lab } = candidatePool();
    const m = rgb.length / 3;
    if (paletteCache.length < m + BASE.length) {
      // min distance of each candidate to the chosen colours (recomputed from the cache: cheap, and keeps this pure)
      const minD = new Float64Array(m).fill(Infinity);
      const update = (c: readonly number[]): void => {
        const [L, A, B] = oklab(c[0]!, c[1]!, c[2]!);
        for (let j = 0; j < m; j++) {
          const d = (lab[3 * j]! - L) ** 2 + (lab[3 * j + 1]! - A) ** 2 + (lab[3 * j + 2]! - B) ** 2;
          if (d < minD[j]!) minD[j] = d;
        }
      };
      update(NAN_GREY);
      update([255, 255, 255]);
      for (const c of paletteCache) update(c);
      while (paletteCache.length < k && paletteCache.length < m + BASE.length) {
        let best = -1, bestD = -1;
        for (let j = 0; j < m; j++) if (minD[j]! > bestD) { bestD = minD[j]!; best = j; }
        if (bestD <= 0) break;
        const c: RGBA = [rgb[3 * best]!, rgb[3 * best + 1]!, rgb[3 * best + 2]!, 255];
        paletteCache.push(c);
        update(c);
      }
    }
  }
  const out: RGBA[] = [];
  for (let i = 0; i < k; i++) out.push([...paletteCache[i % paletteCache.length]!] as RGBA);
  return out;
}

// Viridis (matplotlib), 11 evenly spaced stops; interpolated linearly in sRGB (monotone in lightness).
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54], [0x48, 0x24, 0x75], [0x41, 0x44, 0x87], [0x35, 0x5f, 0x8d], [0x2a, 0x78, 0x8e], [0x21, 0x91, 0x8c],
  [0x22, 0xa8, 0x84], [0x44, 0xbf, 0x70], [0x7a, 0xd1, 0x51], [0xbd, 0xdf, 0x26], [0xfd, 0xe7, 0x25],
];

/** The continuous scale at t in [0, 1] (clamped): dark purple → blue → green → yellow. */
export function viridis(t: number): RGBA {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  const a = VIRIDIS[i]!, b = VIRIDIS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f), 255];
}

export function css(c: readonly number[]): string {
  return "#" + [c[0]!, c[1]!, c[2]!].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
}

export interface LegendEntry {
  label: string;
  color: RGBA;
  /** "#rrggbb" */
  css: string;
  count: number;
}

export interface CategoricalLegend {
  kind: "categorical";
  column: string;
  /** One entry per category, in the palette's order. */
  entries: LegendEntry[];
}

export interface GradientLegend {
  kind: "gradient";
  column: string;
  min: number;
  max: number;
  /** Colour stops for a CSS linear-gradient, t in [0, 1]. */
  stops: { t: number; color: RGBA; css: string }[];
  /** Round values between min and max and where they sit (t in [0, 1]). */
  ticks: { value: number; t: number; label: string }[];
  nanCount: number;
  nanColor: RGBA;
}

export type Legend = CategoricalLegend | GradientLegend;

export interface Coloring<L extends Legend = Legend> {
  /** n × 4 RGBA bytes, for PointRenderer.setColors. */
  rgba: Uint8Array;
  legend: L;
}

/** Natural order: numbers numerically (and before text), text by localeCompare with numeric collation. */
function naturalCompare(a: string, b: string): number {
  const x = a.trim() === "" ? NaN : Number(a), y = b.trim() === "" ? NaN : Number(b);
  const nx = Number.isFinite(x), ny = Number.isFinite(y);
  if (nx && ny) return x - y || (a < b ? -1 : a > b ? 1 : 0);
  if (nx !== ny) return nx ? -1 : 1;
  return a.localeCompare(b, undefined, { numeric: true });
}

function categoriesOf(column: Column): { categories: string[]; codes: Int32Array } {
  if (column.categories && column.codes) return { categories: column.categories, codes: column.codes };
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = new Int32Array(column.values.length);
  column.values.forEach((v, i) => {
    let c = index.get(v);
    if (c === undefined) {
      c = categories.length;
      index.set(v, c);
      categories.push(v);
    }
    codes[i] = c;
  });
  return { categories, codes };
}

/**
 * Colours a categorical column: each category gets a palette colour. `order` decides which category gets which
 * colour (and the legend's order): "natural" (default: numbers numerically, then text), "frequency" (the most
 * frequent first, so they get the strongest colours) or "first" (first seen).
 */
export function colorByCategory(column: Column, opts: { order?: "natural" | "frequency" | "first"; alpha?: number } = {}): Coloring<CategoricalLegend> {
  const { categories, codes } = categoriesOf(column);
  const n = codes.length;
  const k = categories.length;
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (c < 0 || c >= k) throw new LatentkitError(`column ${JSON.stringify(column.name)}: code ${c} of point ${i} is not a category index (0…${k - 1}) (src/studio/render/palette.ts)`);
    counts[c]!++;
  }
  const order = [...Array(k).keys()];
  const how = opts.order ?? "natural";
  if (how === "natural") order.sort((a, b) => naturalCompare(categories[a]!, categories[b]!));
  else if (how === "frequency") order.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const colors = categoricalColors(k);
  const alpha = Math.round(255 * Math.min(1, Math.max(0, opts.alpha ?? 1)));
  const byCode: RGBA[] = new Array(k);
  order.forEach((code, rank) => (byCode[code] = [colors[rank]![0], colors[rank]![1], colors[rank]![2], alpha]));
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) rgba.set(byCode[codes[i]!]!, i * 4);
  return {
    rgba,
    legend: {
      kind: "categorical",
      column: column.name,
      entries: order.map((code) => ({ label: categories[code]!, color: byCode[code]!, css: css(byCode[code]!), count: counts[code]! })),
    },
  };
}

/** About `count` round values spanning [min, max] (steps of 1, 2 or 5 × a power of ten). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

function numbersOf(column: Column): Float64Array {
  if (column.numbers) return column.numbers;
  return Float64Array.from(column.values, (v) => (v.trim() === "" ? NaN : Number(v)));
}

/**
 * Colours a numeric column on the continuous scale: min → dark purple, max → yellow (min and max default to the
 * column's finite range), NaN → grey.
 */
export function colorByNumber(column: Column, opts: { min?: number; max?: number; alpha?: number } = {}): Coloring<GradientLegend> {
  const x = numbersOf(column);
  const n = x.length;
  let lo = Infinity, hi = -Infinity, nanCount = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) { nanCount++; continue; }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const min = opts.min ?? (lo <= hi ? lo : 0), max = opts.max ?? (lo <= hi ? hi : 1);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new LatentkitError(`colour scale of column ${JSON.stringify(column.name)}: min ${min} and max ${max} must be finite with min <= max (src/studio/render/palette.ts)`);
  }
  const alpha = Math.round(255 * Math.min(1, Math.max(0, opts.alpha ?? 1)));
  // a 256-entry table: one look-up per point
  const lut = new Uint8Array(256 * 4);
  for (let j = 0; j < 256; j++) lut.set(viridis(j / 255), j * 4);
  const span = max - min;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) {
      rgba[i * 4] = NAN_GREY[0]; rgba[i * 4 + 1] = NAN_GREY[1]; rgba[i * 4 + 2] = NAN_GREY[2]; rgba[i * 4 + 3] = alpha;
      continue;
    }
    const t = span > 0 ? (v - min) / span : 0.5;
    const j = 4 * Math.round(255 * (t < 0 ? 0 : t > 1 ? 1 : t));
    rgba[i * 4] = lut[j]!; rgba[i * 4 + 1] = lut[j + 1]!; rgba[i * 4 + 2] = lut[j + 2]!; rgba[i * 4 + 3] = alpha;
  }
  const stops = VIRIDIS.map((_, s) => {
    const t = s / (VIRIDIS.length - 1);
    const c = viridis(t);
    return { t, color: c, css: css(c) };
  });
  const ticks = niceTicks(min, max).map((value) => ({ value, t: span > 0 ? (value - min) / span : 0.5, label: formatTick(value) }));
  return { rgba, legend: { kind: "gradient", column: column.name, min, max, stops, ticks, nanCount, nanColor: [...NAN_GREY] as RGBA } };
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

/** Colours by a column of either kind. */
export function colorBy(column: Column, opts: { order?: "natural" | "frequency" | "first"; min?: number; max?: number; alpha?: number } = {}): Coloring {
  return column.kind === "numeric" ? colorByNumber(column, opts) : colorByCategory(column, opts);
}

/** One colour for every point (no column to colour by). */
export function uniformColors(n: number, color: readonly number[] = BASE[0]!): Uint8Array {
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) rgba.set([color[0]!, color[1]!, color[2]!, color[3] ?? 255], i * 4);
  return rgba;
}

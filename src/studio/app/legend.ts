// Colour by a column: each point's RGBA from the palette (categorical) or the colour scale (numeric), the legend
// model (every class with its colour and count, or a gradient with its range), class centroids for the map's labels,
// and the legend's view (click an entry to select that class; shift adds).
import type { Column, Coords } from "../types.js";
import { paletteColorBy, uniformColors } from "./peers.js";
import { el, fill, fmtNumber } from "./dom.js";

export interface LegendEntry {
  value: string;
  /** Index into the column's categories. */
  code: number;
  /** CSS colour. */
  colour: string;
  count: number;
}

export type LegendModel =
  | { kind: "categorical"; column: string; entries: LegendEntry[] }
  | { kind: "numeric"; column: string; min: number; max: number; gradient: string; missing: number; ticks: { value: number; t: number; label: string }[] }
  | { kind: "none" };

/** RGBA bytes for n points coloured by a column (none: one colour), and its legend (the renderer's palette). */
export function colourBy(n: number, column: Column | undefined): { rgba: Uint8Array; legend: LegendModel } {
  if (!column) return { rgba: uniformColors(n), legend: { kind: "none" } };
  const c = paletteColorBy(column);
  if (c.legend.kind === "gradient") {
    const g = c.legend;
    return {
      rgba: c.rgba,
      legend: {
        kind: "numeric", column: column.name, min: g.min, max: g.max, missing: g.nanCount, ticks: g.ticks,
        gradient: `linear-gradient(to right, ${g.stops.map((s) => `${s.css} ${(100 * s.t).toFixed(1)}%`).join(", ")})`,
      },
    };
  }
  const { categories } = categoriesOf(column);
  const index = new Map(categories.map((v, i) => [v, i]));
  const entries = c.legend.entries.map((e) => ({ value: e.label, code: index.get(e.label) ?? -1, colour: e.css, count: e.count }));
  return { rgba: c.rgba, legend: { kind: "categorical", column: column.name, entries } };
}

/** A column's categories and codes (a numeric column without them: its distinct values in first-seen order). */
export function categoriesOf(column: Column): { categories: string[]; codes: Int32Array } {
  if (column.categories && column.codes) return { categories: column.categories, codes: column.codes };
  const index = new Map<string, number>();
  const codes = new Int32Array(column.values.length);
  column.values.forEach((v, i) => {
    let c = index.get(v);
    if (c === undefined) index.set(v, (c = index.size));
    codes[i] = c;
  });
  return { categories: [...index.keys()], codes };
}

/** Centroid (mean position) of each class that has points, for text labels on the map. */
export function classCentroids(coords: Coords, codes: Int32Array, categories: string[], visible?: Uint8Array | null):
  { text: string; position: [number, number, number] }[] {
  const d = coords.dims;
  const sum = new Float64Array(categories.length * 3);
  const cnt = new Int32Array(categories.length);
  for (let i = 0; i < codes.length; i++) {
    if (visible && !visible[i]) continue;
    const c = codes[i]!;
    cnt[c]!++;
    for (let j = 0; j < d; j++) sum[3 * c + j]! += coords.values[d * i + j]!;
  }
  const out: { text: string; position: [number, number, number] }[] = [];
  categories.forEach((text, c) => {
    if (cnt[c]! > 0) out.push({ text, position: [sum[3 * c]! / cnt[c]!, sum[3 * c + 1]! / cnt[c]!, d === 3 ? sum[3 * c + 2]! / cnt[c]! : 0] });
  });
  return out;
}

/** The legend's view. `onPick(code, add)` is called when an entry is clicked. */
export class LegendView {
  readonly root = el("div", { class: "legend-view", id: "legend" });
  /** Entries shown at most (a column of 70,000 words lists its most frequent values). */
  static readonly MAX_ENTRIES = 200;

  constructor(private readonly onPick: (code: number, add: boolean) => void) {}

  render(model: LegendModel, selectedCodes: Set<number> = new Set()): void {
    if (model.kind === "none") {
      fill(this.root, el("p", { class: "empty" }, "One colour (no column chosen)."));
      return;
    }
    if (model.kind === "numeric") {
      fill(this.root,
        el("div", { class: "gradient", style: `background: ${model.gradient}` }),
        el("div", { class: "gradient-ticks" }, ...model.ticks.map((t) => el("span", { style: `left: ${(100 * t.t).toFixed(1)}%` }, t.label))),
        el("div", { class: "hint" }, `${model.column}: ${fmtNumber(model.min)} … ${fmtNumber(model.max)}`),
        model.missing > 0 ? el("p", { class: "hint" }, `${model.missing} points without a value (grey)`) : null);
      return;
    }
    const sorted = model.entries.length > LegendView.MAX_ENTRIES ? [...model.entries].sort((a, b) => b.count - a.count) : model.entries;
    const shown = sorted.slice(0, LegendView.MAX_ENTRIES);
    const list = el("ul", { class: "legend", role: "list" });
    for (const e of shown) {
      list.append(el("li", {
        class: selectedCodes.has(e.code) ? "selected" : undefined, "data-code": e.code, title: `select the ${e.count} points of ${e.value} (shift adds)`,
        onclick: (ev: Event) => this.onPick(e.code, (ev as MouseEvent).shiftKey),
      }, el("span", { class: "swatch", style: `background: ${e.colour}` }), el("span", { class: "value" }, e.value || "(empty)"),
      el("span", { class: "n" }, fmtNumber(e.count))));
    }
    fill(this.root, list, model.entries.length > shown.length ? el("p", { class: "hint" }, `${model.entries.length - shown.length} more values not listed (the ${shown.length} most frequent are)`) : null);
  }
}

// The left panel's data and colour sections: what is loaded (and opening other files in the static build), the map's
// export, and colour by any column with its legend.
import { append, el, fill, fmtNumber, row, section } from "./dom.js";
import { LegendView } from "./legend.js";
import { categoriesOf } from "./legend.js";
import type { Studio } from "./studio.js";

export class DataPanel {
  readonly root: HTMLElement;

  constructor(studio: Studio, opts: { onOpen?: () => void; exportMap: (format: "tsv" | "npy" | "json") => void; threads?: string }) {
    const s = section("Data", "data-panel");
    this.root = s.root;
    const d = studio.data;
    append(s.body,
      el("dl", { class: "kv", id: "data-summary" },
        el("dt", {}, "file"), el("dd", {}, d.name),
        el("dt", {}, "points"), el("dd", { class: "metric" }, fmtNumber(d.n)),
        el("dt", {}, "dimensions"), el("dd", { class: "metric" }, fmtNumber(d.dim)),
        el("dt", {}, "columns"), el("dd", {}, d.columns.map((c) => `${c.name} (${c.kind})`).join(", ") || "none"),
        d.images ? el("dt", {}, "images") : null, d.images ? el("dd", {}, `${d.images.width}×${d.images.height}`) : null,
        opts.threads ? el("dt", {}, "compute") : null, opts.threads ? el("dd", { id: "compute-info" }, opts.threads) : null),
      el("div", { class: "row" }, el("span", { class: "muted" }, "Export map"),
        ...(["tsv", "npy", "json"] as const).map((f) => el("button", { type: "button", "data-export-map": f, title: `download the current map as ${f.toUpperCase()}`, onclick: () => opts.exportMap(f) }, f.toUpperCase()))),
      opts.onOpen ? el("div", { class: "row" }, el("button", { type: "button", id: "open-files", onclick: opts.onOpen }, "Open other files…")) : null);
  }
}

export class ColourPanel {
  readonly root: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly legend: LegendView;

  constructor(private readonly studio: Studio) {
    const s = section("Colour", "colour-panel");
    this.root = s.root;
    this.select = el("select", { id: "colour-column" }, el("option", { value: "-1" }, "(one colour)"),
      ...studio.data.columns.map((c, i) => el("option", { value: i }, `${c.name} · ${c.kind === "numeric" ? "numeric" : `${categoriesOf(c).categories.length} values`}`)));
    this.select.value = String(studio.colorColumn);
    this.select.addEventListener("change", () => studio.setColour(Number(this.select.value)));
    this.legend = new LegendView((code, add) => studio.selectClass(code, add));
    s.body.append(row("By", this.select), this.legend.root);
    studio.on("colour", () => this.render());
    studio.on("selection", () => this.render());
    this.render();
  }

  private render(): void {
    const s = this.studio;
    this.select.value = String(s.colorColumn);
    // legend entries whose every point is selected show as selected
    const selected = new Set<number>();
    const col = s.data.columns[s.colorColumn];
    if (s.selection && col && s.legend.kind === "categorical") {
      const { codes } = categoriesOf(col);
      const all = new Int32Array(s.legend.entries.length);
      for (let i = 0; i < codes.length; i++) if (s.selection[i]) all[codes[i]!]!++;
      for (const e of s.legend.entries) if (e.count > 0 && all[e.code] === e.count) selected.add(e.code);
    }
    this.legend.render(s.legend, selected);
  }
}

/** Status line in the top bar. */
export function setStatus(text: string, error = false): void {
  const e = document.getElementById("status");
  if (!e) return;
  e.textContent = text;
  e.className = error ? "status error" : "status";
}

export { fill };

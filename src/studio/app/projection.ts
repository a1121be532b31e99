// The projections panel: PCA (explained variance), t-SNE (perplexity, Run/Stop, progress), UMAP (neighbours,
// min-dist), custom axes from four queries, the file's own coordinates, and the 2-D / 3-D switch.
import type { Projection } from "../types.js";
import { el, fill, fmtNumber, row, section, segmented } from "./dom.js";
import type { ProjectionParams, Studio } from "./studio.js";

const NAMES: Record<Projection, string> = { pca: "PCA", tsne: "t-SNE", umap: "UMAP", custom: "Custom", file: "File" };

export class ProjectionPanel {
  readonly root: HTMLElement;
  private tab: Projection;
  private readonly bodies = new Map<Projection, HTMLElement>();
  private readonly tabButtons = new Map<Projection, HTMLButtonElement>();
  private readonly dims;
  private readonly runButton = el("button", { type: "button", class: "primary", id: "run-projection" }, "Run");
  private readonly stopButton = el("button", { type: "button", id: "stop-projection", disabled: true }, "Stop");
  private readonly explained = el("div", { class: "explained", id: "explained" });
  private readonly info = el("p", { class: "hint", id: "projection-info" });
  private readonly inputs: Record<string, HTMLInputElement> = {};

  constructor(private readonly studio: Studio) {
    const s = section("Projection", "projection-panel");
    this.root = s.root;
    this.tab = studio.projection;
    const names: Projection[] = ["pca", "tsne", "umap", "custom"];
    if (studio.data.coords) names.push("file");
    const tabs = el("div", { class: "tabs", role: "tablist" });
    for (const n of names) {
      const b = el("button", { type: "button", role: "tab", "data-projection": n, onclick: () => this.select(n) }, NAMES[n]);
      this.tabButtons.set(n, b);
      tabs.append(b);
    }
    const p = studio.params;
    const num = (key: keyof ProjectionParams | string, value: number, attrs: Record<string, string | number>): HTMLInputElement => {
      const input = el("input", { type: "number", id: `param-${key}`, value, ...attrs });
      this.inputs[key] = input;
      return input;
    };
    const text = (key: string, value: string, placeholder: string): HTMLInputElement => {
      const input = el("input", { type: "text", id: `custom-${key}`, value, placeholder });
      this.inputs[key] = input;
      return input;
    };
    this.bodies.set("pca", el("div", {}, el("p", { class: "hint" }, "Exact PCA of every point."), this.explained));
    this.bodies.set("tsne", el("div", {},
      row("Perplexity", num("perplexity", p.perplexity, { min: 1, max: 500, step: 1 })),
      row("Seed", num("seed", p.seed, { min: 0, step: 1 })),
      el("p", { class: "hint" }, "On every point, in a worker; the map updates while it runs.")));
    this.bodies.set("umap", el("div", {},
      row("Neighbours", num("nNeighbors", p.nNeighbors, { min: 2, max: 200, step: 1 })),
      row("Min-dist", num("minDist", p.minDist, { min: 0, max: 1, step: 0.05 })),
      row("Seed", num("umapSeed", p.seed, { min: 0, step: 1 }))));
    const columnSelect = el("select", { id: "custom-column" }, ...studio.data.columns.map((c) => el("option", { value: c.name }, c.name)));
    columnSelect.value = p.custom.column;
    const regex = el("input", { type: "checkbox", id: "custom-regex", checked: p.custom.regex });
    this.inputs.customRegex = regex;
    this.customColumn = columnSelect;
    this.bodies.set("custom", el("div", {},
      el("p", { class: "hint" }, "Each axis runs from the mean of the points one query matches to the mean of the other's (y: PCA when empty)."),
      row("Column", columnSelect), row(null, el("label", {}, regex, " regex")),
      row("X left", text("xLeft", p.custom.xLeft, "query")), row("X right", text("xRight", p.custom.xRight, "query")),
      row("Y down", text("yDown", p.custom.yDown, "optional")), row("Y up", text("yUp", p.custom.yUp, "optional"))));
    if (studio.data.coords) this.bodies.set("file", el("div", {}, el("p", { class: "hint" }, `The file's own ${studio.data.coords.dims}-D coordinates.`)));
    this.dims = segmented<"2" | "3">([{ value: "2", label: "2-D" }, { value: "3", label: "3-D" }], String(studio.coords.dims) as "2" | "3",
      (v) => void studio.setDims(Number(v) as 2 | 3).catch(() => undefined));
    this.dims.root.id = "dims";
    this.runButton.addEventListener("click", () => void this.run());
    this.stopButton.addEventListener("click", () => studio.stop());
    s.body.append(tabs, ...[...this.bodies.values()], row("View", this.dims.root), el("div", { class: "row" }, this.runButton, this.stopButton), this.info);
    this.select(this.tab);
    studio.on("projection", () => this.refresh());
    studio.on("progress", () => this.refresh());
    this.refresh();
  }

  private readonly customColumn: HTMLSelectElement;

  private select(n: Projection): void {
    this.tab = n;
    for (const [name, b] of this.tabButtons) b.setAttribute("aria-selected", String(name === n));
    for (const [name, body] of this.bodies) body.hidden = name !== n;
  }

  /** The parameters typed in the panel. */
  params(): Partial<ProjectionParams> {
    const v = (k: string, d: number): number => {
      const x = Number(this.inputs[k]?.value);
      return Number.isFinite(x) ? x : d;
    };
    const p = this.studio.params;
    const t = (k: string): string => this.inputs[k]?.value.trim() ?? "";
    return {
      perplexity: v("perplexity", p.perplexity), seed: this.tab === "umap" ? v("umapSeed", p.seed) : v("seed", p.seed),
      nNeighbors: v("nNeighbors", p.nNeighbors), minDist: v("minDist", p.minDist),
      custom: { column: this.customColumn.value, regex: this.inputs.customRegex!.checked, xLeft: t("xLeft"), xRight: t("xRight"), yDown: t("yDown"), yUp: t("yUp") },
    };
  }

  private async run(): Promise<void> {
    const dims = this.tab === "custom" ? 2 : this.tab === "file" ? this.studio.data.coords!.dims : this.studio.params.dims;
    await this.studio.runProjection(this.tab, { ...this.params(), dims }).catch(() => undefined);
  }

  /** Shows the panel's values for the current state (after a URL restore too). */
  refresh(): void {
    const s = this.studio;
    const p = s.params;
    const set = (k: string, v: number | string): void => { if (this.inputs[k] && document.activeElement !== this.inputs[k]) this.inputs[k]!.value = String(v); };
    set("perplexity", p.perplexity); set("seed", p.seed); set("umapSeed", p.seed); set("nNeighbors", p.nNeighbors); set("minDist", p.minDist);
    set("xLeft", p.custom.xLeft); set("xRight", p.custom.xRight); set("yDown", p.custom.yDown); set("yUp", p.custom.yUp);
    this.customColumn.value = p.custom.column;
    this.inputs.customRegex!.checked = p.custom.regex;
    this.dims.set(String(s.coords.dims) as "2" | "3");
    const running = s.progress !== null;
    this.runButton.disabled = running;
    this.stopButton.disabled = !running;
    if (!running && this.tab !== s.projection && document.activeElement?.closest?.("#projection-panel") === null) this.select(s.projection);
    if (s.explained && s.projection === "pca") {
      const total = s.explained.reduce((a, b) => a + b, 0);
      fill(this.explained,
        el("dl", { class: "kv" }, ...s.explained.flatMap((r, j) => [el("dt", {}, `PC${j + 1}`), el("dd", { class: "metric" }, `${(100 * r).toFixed(1)} %`)]),
          el("dt", {}, "total"), el("dd", { class: "metric" }, `${(100 * total).toFixed(1)} % of the variance`)),
        el("div", { class: "bars" }, ...s.explained.map((r) => el("span", { style: `height: ${Math.max(2, 100 * r / s.explained![0]!)}%`, title: `${(100 * r).toFixed(1)} %` }))));
    } else fill(this.explained, el("p", { class: "hint" }, "Run PCA to see the explained variance."));
    const what = `${NAMES[s.projection]} ${s.coords.dims}-D`;
    this.info.textContent = running
      ? `${NAMES[s.progress!.name]}: ${s.progress!.stage}${s.progress!.total ? ` ${s.progress!.step}/${s.progress!.total}` : ""}${"kl" in s.progress!.metrics ? `, KL ${fmtNumber(s.progress!.metrics.kl!)}` : ""}`
      : `Showing ${what}${s.stopped ? " (stopped before the end)" : ""}.`;
  }
}

/** The progress bar over the map while a projection runs. */
export class ProgressView {
  constructor(private readonly root: HTMLElement, studio: Studio) {
    const bar = root.querySelector<HTMLElement>(".bar")!;
    const label = root.querySelector<HTMLElement>(".label")!;
    studio.on("progress", () => {
      const p = studio.progress;
      root.hidden = p === null;
      if (!p) return;
      bar.style.width = p.total > 0 ? `${(100 * p.step) / p.total}%` : "5%";
      label.textContent = `${NAMES[p.name]} — ${p.stage}${p.total ? ` (${p.step} of ${p.total})` : ""}`;
    });
  }
}

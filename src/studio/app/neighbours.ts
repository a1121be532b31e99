// The inspector: the clicked point's metadata and image, and its k nearest neighbours (cosine or euclidean, in the
// original space or in the map), listed with their distances and highlighted on the map.
import { el, fill, fmtNumber, row, section, segmented } from "./dom.js";
import type { Metric, Space, Studio } from "./studio.js";
import { thumbnail } from "./thumbnail.js";
import { pointFields } from "./tooltip.js";

export class InspectorPanel {
  readonly root: HTMLElement;
  private readonly point = el("div", { id: "point" });
  private readonly list = el("ol", { class: "list", id: "neighbours" });
  private readonly note = el("p", { class: "hint", id: "neighbours-note" });
  private readonly k: HTMLInputElement;
  private readonly metric;
  private readonly space;
  private readonly neighbourSection: HTMLElement;

  constructor(private readonly studio: Studio) {
    const s = section("Point", "inspector");
    this.root = el("div", {}, s.root);
    s.body.append(this.point);
    const n = section("Nearest neighbours", "neighbour-panel");
    this.neighbourSection = n.root;
    const d = studio.neighbourDefaults;
    this.k = el("input", { type: "number", id: "neighbours-k", min: 1, max: 100, step: 1, value: d.k,
      onchange: () => this.again() });
    this.metric = segmented<Metric>([{ value: "euclidean", label: "euclidean" }, { value: "cosine", label: "cosine" }], d.metric,
      (v) => { this.metric.set(v); this.again({ metric: v }); });
    this.space = segmented<Space>([{ value: "original", label: "original", title: `the ${studio.data.dim}-D vectors` }, { value: "map", label: "map", title: "the map's coordinates" }], d.space,
      (v) => { this.space.set(v); this.again({ space: v }); });
    n.body.append(row("k", this.k), row("Distance", this.metric.root), row("Space", this.space.root), this.note, this.list);
    this.root.append(n.root);
    studio.on("focus", () => this.render());
    this.render();
  }

  private again(opts: Partial<{ metric: Metric; space: Space }> = {}): void {
    const k = Math.max(1, Math.min(100, Math.round(Number(this.k.value) || 10)));
    this.studio.neighbourDefaults = { ...this.studio.neighbourDefaults, k, ...opts };
    if (this.studio.focus) void this.studio.inspect(this.studio.focus.index);
  }

  private render(): void {
    const s = this.studio;
    const f = s.focus;
    const d = s.neighbourDefaults;
    if (document.activeElement !== this.k) this.k.value = String(d.k);
    this.metric.set(d.metric);
    this.space.set(d.space);
    if (!f) {
      fill(this.point, el("p", { class: "empty" }, "Hover a point to see it; click it for its neighbours."));
      fill(this.list);
      this.note.textContent = "";
      return;
    }
    fill(this.point,
      s.data.images ? thumbnail(s.data.images, f.index, 112) : null,
      el("dl", { class: "kv" }, ...pointFields(s, f.index, 20).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      el("div", { class: "row" }, el("button", { type: "button", id: "clear-point", onclick: () => void s.inspect(-1) }, "Close"),
        el("button", { type: "button", onclick: () => s.selectIndices([f.index, ...(f.result?.indices ?? [])], false) }, "Select with neighbours")));
    if (f.error) {
      this.note.textContent = f.error;
      this.note.className = "error";
      fill(this.list);
      return;
    }
    this.note.className = "hint";
    if (!f.result) {
      this.note.textContent = "Searching…";
      fill(this.list);
      return;
    }
    this.note.textContent = `${f.result.indices.length} nearest of point ${f.index}, ${f.metric} distance in the ${f.space === "map" ? "map" : `original ${s.data.dim}-D space`}`;
    const label = s.data.columns[s.colorColumn];
    fill(this.list, ...Array.from(f.result.indices, (j, r) => el("li", { "data-index": j, title: `inspect point ${j}`, onclick: () => void s.inspect(j) },
      el("span", { class: "rank" }, r + 1),
      s.data.images ? thumbnail(s.data.images, j, 24) : null,
      el("span", { class: "swatch", style: `width:10px;height:10px;border-radius:50%;flex:none;background:rgb(${s.colours[4 * j]},${s.colours[4 * j + 1]},${s.colours[4 * j + 2]})` }),
      el("span", { class: "what" }, `#${j}${label ? ` ${label.values[j]}` : ""}`),
      el("span", { class: "dist" }, fmtNumber(f.result!.distances[r]!)))));
  }
}

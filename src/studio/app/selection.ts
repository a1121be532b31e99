// Selection: the map's tools (navigate, lasso, box; shift adds), "isolate selection" / "show all", clear, and the
// selection panel (count, its classes, export).
import { el, fill, fmtNumber, section, segmented } from "./dom.js";
import { categoriesOf } from "./legend.js";
import type { Studio } from "./studio.js";

export type Tool = "navigate" | "lasso" | "box";

export class Toolbar {
  private readonly tools;
  private readonly isolate = el("button", { type: "button", id: "isolate", disabled: true, title: "show only the selected points" }, "Isolate selection");
  private readonly clear = el("button", { type: "button", id: "clear-selection", disabled: true }, "Clear");
  tool: Tool = "navigate";

  constructor(root: HTMLElement, private readonly studio: Studio) {
    this.tools = segmented<Tool>([
      { value: "navigate", label: "Move", title: "drag to pan (3-D: orbit), wheel to zoom (N)" },
      { value: "lasso", label: "Lasso", title: "draw around points to select them; shift adds (L)" },
      { value: "box", label: "Box", title: "drag a box to select points; shift adds (B)" },
    ], "navigate", (t) => this.setTool(t));
    this.tools.root.id = "tools";
    this.isolate.addEventListener("click", () => studio.setIsolate(!studio.isolate));
    this.clear.addEventListener("click", () => studio.setSelection(null));
    fill(root, this.tools.root, this.isolate, this.clear);
    studio.on("selection", () => this.refresh());
    this.refresh();
  }

  setTool(t: Tool): void {
    this.tool = t;
    this.tools.set(t);
    this.studio.renderer.setTool(t);
  }

  private refresh(): void {
    const s = this.studio;
    this.isolate.disabled = !s.selection;
    this.isolate.textContent = s.isolate ? "Show all" : "Isolate selection";
    this.clear.disabled = !s.selection;
  }
}

export class SelectionPanel {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly count: HTMLElement;

  constructor(private readonly studio: Studio, private readonly exportSelection: (format: "tsv" | "npy" | "json") => void) {
    const s = section("Selection", "selection-panel");
    this.root = s.root;
    this.body = s.body;
    this.count = s.count;
    studio.on("selection", () => this.render());
    studio.on("colour", () => this.render());
    this.render();
  }

  private render(): void {
    const s = this.studio;
    this.count.textContent = s.selection ? `${fmtNumber(s.selectedCount)} of ${fmtNumber(s.data.n)}` : "";
    this.count.id = "selection-count";
    if (!s.selection) {
      fill(this.body, el("p", { class: "empty" }, "Nothing selected. Use the lasso or the box (shift adds), click a legend entry, or select search matches."));
      return;
    }
    // the selection's classes in the colour column
    const col = s.data.columns[s.colorColumn];
    let classes: HTMLElement | null = null;
    if (col && col.kind === "categorical") {
      const { categories, codes } = categoriesOf(col);
      const counts = new Map<number, number>();
      for (let i = 0; i < s.selection.length; i++) if (s.selection[i]) counts.set(codes[i]!, (counts.get(codes[i]!) ?? 0) + 1);
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8);
      classes = el("dl", { class: "kv" }, ...top.flatMap(([c, k]) => [el("dt", {}, categories[c] ?? ""), el("dd", { class: "metric" }, `${fmtNumber(k)} (${((100 * k) / s.selectedCount).toFixed(0)} %)`)]));
    }
    fill(this.body,
      classes,
      el("div", { class: "row" },
        el("button", { type: "button", onclick: () => s.setIsolate(!s.isolate) }, s.isolate ? "Show all" : "Isolate"),
        el("button", { type: "button", onclick: () => s.setSelection(null) }, "Clear")),
      el("div", { class: "row" }, el("span", { class: "muted" }, "Export"),
        ...(["tsv", "npy", "json"] as const).map((f) => el("button", { type: "button", "data-export-selection": f, onclick: () => this.exportSelection(f) }, f.toUpperCase()))));
  }
}

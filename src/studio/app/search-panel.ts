// The search panel: a query over a chosen column (substring or regex), the matches highlighted on the map, their
// count, and a button that selects them.
import { el, fmtNumber, row, section } from "./dom.js";
import type { Studio } from "./studio.js";

export class SearchPanel {
  readonly root: HTMLElement;
  private readonly input = el("input", { type: "text", id: "search-query", placeholder: "substring or /regex/", autocomplete: "off" });
  private readonly column: HTMLSelectElement;
  private readonly regex = el("input", { type: "checkbox", id: "search-regex" });
  private readonly result = el("span", { id: "search-count", class: "muted" });
  private readonly select = el("button", { type: "button", id: "search-select", disabled: true }, "Select matches");
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly studio: Studio) {
    const s = section("Search", "search-panel");
    this.root = s.root;
    const cols = studio.data.columns;
    this.column = el("select", { id: "search-column" }, ...cols.map((c) => el("option", { value: c.name }, c.name)));
    const def = cols[studio.colorColumn] ?? cols[0];
    if (def) this.column.value = def.name;
    const go = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), 150);
    };
    this.input.addEventListener("input", go);
    this.input.addEventListener("keydown", (e) => { if (e.key === "Enter") { clearTimeout(this.timer); this.run(); } });
    this.column.addEventListener("change", () => this.run());
    this.regex.addEventListener("change", () => this.run());
    this.select.addEventListener("click", (e) => {
      if (studio.search) studio.selectIndices(studio.search.hits, e.shiftKey);
    });
    s.body.append(cols.length ? row(null, this.input) : el("p", { class: "empty" }, "The data has no metadata columns."),
      row("Column", this.column), row(null, el("label", {}, this.regex, " regular expression")),
      el("div", { class: "row" }, this.result, el("span", { style: "flex:1" }), this.select));
    studio.on("search", () => this.render());
    this.render();
  }

  private run(): void {
    if (!this.column.value) return;
    this.studio.runSearch(this.input.value, this.column.value, this.regex.checked);
  }

  private render(): void {
    const q = this.studio.search;
    if (q && document.activeElement !== this.input) {
      this.input.value = q.query;
      this.column.value = q.column;
      this.regex.checked = q.regex;
    }
    if (!q) {
      this.result.textContent = "";
      this.select.disabled = true;
      return;
    }
    this.result.className = q.error ? "error" : "muted";
    this.result.textContent = q.error ?? `${fmtNumber(q.hits.length)} match${q.hits.length === 1 ? "" : "es"}`;
    this.select.disabled = q.hits.length === 0;
  }
}

// Small DOM helpers for the studio's panels: elements from a tag, attributes and children; sections with a title.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/** An element: `el("button", { class: "primary", onclick: fn }, "Run")`. Attributes starting with "on" are listeners. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (k === "value" && "value" in e) (e as HTMLInputElement).value = String(v);
    else if (k === "checked" && "checked" in e) (e as HTMLInputElement).checked = Boolean(v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  append(e, ...children);
  return e;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(typeof c === "number" ? String(c) : c);
  }
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A panel section: a titled block, with an optional count in its title. Returns the section and its body. */
export function section(title: string, id: string): { root: HTMLElement; body: HTMLElement; count: HTMLElement } {
  const count = el("span", { class: "count" });
  const body = el("div", { class: "section-body" });
  const root = el("section", { class: "section", id }, el("h2", {}, title, count), body);
  return { root, body, count };
}

/** The element with this id, or an error naming it (the page's skeleton is static/index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`studio: the page has no element #${id} (static/index.html)`);
  return e as T;
}

/** A labelled row: <div class=row><label>text</label>control…</div>. */
export function row(label: string | null, ...controls: Child[]): HTMLDivElement {
  return el("div", { class: "row" }, label === null ? null : el("label", {}, label), ...controls);
}

/** A segmented control: one pressed button of several. */
export function segmented<T extends string>(options: { value: T; label: string; title?: string }[], current: T,
  onChange: (v: T) => void): { root: HTMLElement; set(v: T): void } {
  const buttons = options.map((o) => el("button", { type: "button", title: o.title, "data-value": o.value,
    "aria-pressed": String(o.value === current), onclick: () => onChange(o.value) }, o.label));
  const root = el("div", { class: "segmented" }, ...buttons);
  return {
    root,
    set(v: T) { for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.value === v)); },
  };
}

/** A number for display: 3 significant digits, or an integer with thin-space thousands. */
export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** A CSS colour from RGBA bytes at offset 4·i. */
export function cssColour(rgba: Uint8Array, i: number): string {
  return `rgb(${rgba[4 * i]},${rgba[4 * i + 1]},${rgba[4 * i + 2]})`;
}

// Hover: a tooltip beside the point with its metadata (and its image when the data has images).
import { el, fill } from "./dom.js";
import type { Studio } from "./studio.js";
import { thumbnail } from "./thumbnail.js";

/** The metadata of point i as label/value pairs (at most `max` columns). */
export function pointFields(studio: Studio, i: number, max = 12): [string, string][] {
  const out: [string, string][] = [["#", String(i)]];
  for (const c of studio.data.columns.slice(0, max)) out.push([c.name, c.values[i] ?? ""]);
  return out;
}

export class Tooltip {
  /** The point the tooltip shows (-1: hidden). */
  current = -1;

  constructor(private readonly root: HTMLElement, private readonly stage: HTMLElement, private readonly studio: Studio) {}

  show(i: number, x: number, y: number): void {
    if (i < 0) {
      this.hide();
      return;
    }
    if (i !== this.current) {
      const s = this.studio;
      fill(this.root,
        s.data.images ? thumbnail(s.data.images, i, 72) : null,
        el("dl", { class: "kv" }, ...pointFields(s, i, 8).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v.length > 80 ? v.slice(0, 77) + "…" : v)])));
      this.current = i;
    }
    this.root.hidden = false;
    // beside the cursor, kept inside the map
    const r = this.stage.getBoundingClientRect();
    const w = this.root.offsetWidth, h = this.root.offsetHeight;
    const left = x + 14 + w > r.width ? Math.max(0, x - 14 - w) : x + 14;
    const top = y + 14 + h > r.height ? Math.max(0, y - 14 - h) : y + 14;
    this.root.style.left = `${left}px`;
    this.root.style.top = `${top}px`;
  }

  hide(): void {
    this.root.hidden = true;
    this.current = -1;
  }
}

// The map's quality, shown with it: trustworthiness and kNN recall against the original space (on a sample, in the
// compute worker), recomputed when a projection finishes.
import { el, fill, section } from "./dom.js";
import type { Studio } from "./studio.js";

export class QualityView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor(private readonly studio: Studio, private readonly badge: HTMLElement) {
    const s = section("Map quality", "quality");
    this.root = s.root;
    this.body = s.body;
    studio.on("quality", () => this.render());
    this.render();
  }

  private render(): void {
    const q = this.studio.quality;
    if (q.pending) {
      fill(this.body, el("p", { class: "hint" }, "Measuring…"));
      this.badge.textContent = "quality: measuring…";
      this.badge.hidden = false;
      return;
    }
    if (q.error) {
      fill(this.body, el("p", { class: "error" }, q.error));
      this.badge.hidden = true;
      return;
    }
    if (q.trustworthiness === undefined) {
      fill(this.body, el("p", { class: "hint" }, "Not measured yet."));
      this.badge.hidden = true;
      return;
    }
    const t = q.trustworthiness.toFixed(3);
    const r = (q.knnRecall ?? NaN).toFixed(3);
    fill(this.body,
      el("dl", { class: "kv" },
        el("dt", {}, "trustworthiness"), el("dd", { class: "metric", id: "quality-trust" }, t),
        el("dt", {}, `kNN recall`), el("dd", { class: "metric", id: "quality-recall" }, r)),
      el("p", { class: "hint" }, `k = ${q.k} on ${q.sample} sampled points. Trustworthiness: how few of a point's map neighbours are strangers in the original space (1 = none); recall: the share of its ${q.k} original neighbours that stay its map neighbours.`));
    this.badge.textContent = `trustworthiness ${t} · kNN recall ${r}`;
    this.badge.title = `k = ${q.k}, on ${q.sample} points`;
    this.badge.hidden = false;
  }
}

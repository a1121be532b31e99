// A confusion matrix as a picture: rows are the true classes, columns the predicted ones; each cell is shaded by the
// fraction of its row (white 0 → dark blue 1) and shows its count, so the diagonal is the per-class recall and the
// off-diagonal cells are the confusions (e.g. Fashion-MNIST's shirt / T-shirt / pullover / coat).
import { fail } from "../core/errors.js";
import type { Figure } from "./charts.js";
import type { RGB } from "./colors.js";

export interface ConfusionOptions {
  title?: string;
  /** Cell side in pixels (default 44). */
  cell?: number;
}

const shade = (t: number): RGB => [Math.round(255 - t * (255 - 20)), Math.round(255 - t * (255 - 70)), Math.round(255 - t * (255 - 150))];

/** `counts[i][j]`: how many images of class i were predicted as class j; `classes` names the rows and columns. */
export function confusionFigure(counts: readonly (readonly number[])[], classes: readonly string[], opts: ConfusionOptions = {}): Figure {
  const K = classes.length;
  if (K < 1 || counts.length !== K || counts.some((r) => r.length !== K)) fail(`a confusion matrix of ${K} classes needs ${K}×${K} counts`);
  const cell = opts.cell ?? 44;
  const label = (s: string): string => (s.length > 14 ? s.slice(0, 13) + "." : s);
  const left = 24 + 7 * Math.max(...classes.map((c) => label(c).length)) + 10;
  const top = 60;
  const bottom = 24 + 7 * Math.max(...classes.map((c) => label(c).length)) + 10;
  const width = left + K * cell + 30, height = top + K * cell + bottom;
  return {
    width, height,
    draw(s) {
      if (opts.title) s.text(width / 2, 22, opts.title, { size: 12, anchor: "middle", bold: true });
      s.text(left + (K * cell) / 2, top - 14, "predicted", { size: 10, anchor: "middle" });
      s.text(10, top + (K * cell) / 2, "true", { size: 10, anchor: "middle", vertical: true });
      for (let i = 0; i < K; i++) {
        const row = counts[i]!;
        const total = row.reduce((a, b) => a + b, 0);
        for (let j = 0; j < K; j++) {
          const t = total > 0 ? row[j]! / total : 0;
          const x = left + j * cell, y = top + i * cell;
          s.rect(x, y, cell, cell, shade(t), [200, 200, 200]);
          if (row[j]! > 0) s.text(x + cell / 2, y + cell / 2, String(row[j]), { size: 9, anchor: "middle", color: t > 0.5 ? [255, 255, 255] : [30, 30, 30] });
        }
        s.text(left - 6, top + i * cell + cell / 2, label(classes[i]!), { size: 10, anchor: "end" });
        s.text(left + i * cell + cell / 2, top + K * cell + 6, label(classes[i]!), { size: 10, anchor: "end", vertical: true });
      }
    },
  };
}

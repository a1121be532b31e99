// Writing embeddings: TensorFlow Embedding Projector TSV (vectors + metadata), .npy, CSV and JSON.
import { writeFileSync } from "node:fs";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { encodeNpy } from "./npy.js";

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(7).replace(/\.?0+(e|$)/, "$1");
}

export function matrixToTsv(Z: Matrix, delimiter = "\t"): string {
  const lines: string[] = [];
  for (let i = 0; i < Z.rows; i++) lines.push(Array.from(Z.row(i), fmt).join(delimiter));
  return lines.join("\n") + "\n";
}

function clean(s: string): string {
  return s.replace(/[\t\r\n]+/g, " ");
}

/**
 * Projector metadata: one column without a header, or several with a header row (the projector's convention).
 */
export function metadataTsv(columns: Record<string, string[]>): string {
  const names = Object.keys(columns);
  if (names.length === 0) return "";
  const n = columns[names[0]!]!.length;
  const lines: string[] = names.length > 1 ? [names.map(clean).join("\t")] : [];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => clean(columns[k]![i] ?? "")).join("\t"));
  return lines.join("\n") + "\n";
}

/** The metadata file written beside vectors written to `path` (z.tsv → z-metadata.tsv). */
export function metadataPathFor(path: string): string {
  return path.replace(/(\.[^./]+)?$/, "-metadata.tsv");
}

/**
 * Writes an embedding by extension: .tsv (projector vectors, with `-metadata.tsv` beside it when labels are given),
 * .npy, .csv (label as the last column), .json ({embedding, labels}). Returns the files written.
 */
export function writeEmbedding(path: string, Z: Matrix, labels?: string[]): string[] {
  if (labels && labels.length !== Z.rows) fail(`${labels.length} labels for ${Z.rows} embedded rows`);
  if (/\.npy$/i.test(path)) {
    writeFileSync(path, encodeNpy(Z));
    return [path];
  }
  if (/\.json$/i.test(path)) {
    writeFileSync(path, JSON.stringify({ embedding: Z.toArray(), ...(labels ? { labels } : {}) }));
    return [path];
  }
  if (/\.csv$/i.test(path)) {
    const lines = [Array.from({ length: Z.cols }, (_, j) => `z${j + 1}`).concat(labels ? ["label"] : []).join(",")];
    for (let i = 0; i < Z.rows; i++) {
      const row = Array.from(Z.row(i), fmt);
      if (labels) row.push(JSON.stringify(labels[i]));
      lines.push(row.join(","));
    }
    writeFileSync(path, lines.join("\n") + "\n");
    return [path];
  }
  if (!/\.(tsv|txt)$/i.test(path)) fail(`cannot tell the output format of ${path}: use .tsv, .npy, .csv or .json`);
  writeFileSync(path, matrixToTsv(Z));
  if (!labels) return [path];
  const meta = metadataPathFor(path);
  writeFileSync(meta, metadataTsv({ label: labels }));
  return [path, meta];
}

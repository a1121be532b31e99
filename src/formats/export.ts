// Embeddings as file contents: TensorFlow Embedding Projector TSV (vectors + metadata), .npy, CSV and JSON (writing
// them to files is writeEmbedding in io/export.ts).
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

export type EmbeddingFormat = "tsv" | "npy" | "csv" | "json";

/** The format writeEmbedding uses for a path, by its extension (.txt is TSV). */
export function embeddingFormatFor(path: string): EmbeddingFormat {
  const m = /\.(tsv|txt|npy|csv|json)$/i.exec(path);
  if (!m) fail(`cannot tell the output format of ${path}: use .tsv, .npy, .csv or .json`);
  const ext = m[1]!.toLowerCase();
  return ext === "txt" ? "tsv" : (ext as EmbeddingFormat);
}

/**
 * An embedding's file contents: projector vectors (.tsv; its labels go in metadataTsv's file), .npy bytes, CSV with
 * the label as the last column, or JSON ({embedding, labels}).
 */
export function encodeEmbedding(Z: Matrix, format: EmbeddingFormat, labels?: string[]): string | Uint8Array {
  if (labels && labels.length !== Z.rows) fail(`${labels.length} labels for ${Z.rows} embedded rows`);
  if (format === "npy") return encodeNpy(Z);
  if (format === "json") return JSON.stringify({ embedding: Z.toArray(), ...(labels ? { labels } : {}) });
  if (format === "csv") {
    const lines = [Array.from({ length: Z.cols }, (_, j) => `z${j + 1}`).concat(labels ? ["label"] : []).join(",")];
    for (let i = 0; i < Z.rows; i++) {
      const row = Array.from(Z.row(i), fmt);
      if (labels) row.push(JSON.stringify(labels[i]));
      lines.push(row.join(","));
    }
    return lines.join("\n") + "\n";
  }
  if (format !== "tsv") fail(`unknown embedding format ${JSON.stringify(format)}: use "tsv", "npy", "csv" or "json"`);
  return matrixToTsv(Z);
}

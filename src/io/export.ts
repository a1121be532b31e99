// Writing embeddings to files (their contents come from formats/export.ts, re-exported here).
import { writeFileSync } from "node:fs";
import type { Matrix } from "../core/matrix.js";
import { embeddingFormatFor, encodeEmbedding, matrixToTsv, metadataPathFor, metadataTsv } from "../formats/export.js";

export { embeddingFormatFor, encodeEmbedding, matrixToTsv, metadataPathFor, metadataTsv };

/**
 * Writes an embedding by extension: .tsv (projector vectors, with `-metadata.tsv` beside it when labels are given),
 * .npy, .csv (label as the last column), .json ({embedding, labels}). Returns the files written.
 */
export function writeEmbedding(path: string, Z: Matrix, labels?: string[]): string[] {
  const format = embeddingFormatFor(path);
  writeFileSync(path, encodeEmbedding(Z, format, labels));
  if (format !== "tsv" || !labels) return [path];
  const meta = metadataPathFor(path);
  writeFileSync(meta, metadataTsv({ label: labels }));
  return [path, meta];
}

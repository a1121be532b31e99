// Writing embeddings to files (their contents come from formats/export.ts, re-exported here).
import { writeOutputs, type OutputFiles } from "./fs.js";
import type { Matrix } from "../core/matrix.js";
import { embeddingFormatFor, encodeEmbedding, matrixToTsv, metadataPathFor, metadataTsv } from "../formats/export.js";

export { embeddingFormatFor, encodeEmbedding, matrixToTsv, metadataPathFor, metadataTsv };

/**
 * Writes an embedding by extension: .tsv (projector vectors, with `-metadata.tsv` beside it when labels are given),
 * .npy, .csv (label as the last column), .json ({embedding, labels}). Returns the files written. Both files are
 * written to temporary files and renamed into place together; with `outputs`, they are staged there instead and
 * appear when that batch is committed.
 */
export function writeEmbedding(path: string, Z: Matrix, labels?: string[], outputs?: OutputFiles): string[] {
  const format = embeddingFormatFor(path);
  const data = encodeEmbedding(Z, format, labels);
  const files = format === "tsv" && labels ? [path, metadataPathFor(path)] : [path];
  writeOutputs(outputs, (out) => {
    out.write(path, data);
    if (files.length > 1) out.write(files[1]!, metadataTsv({ label: labels! }));
  });
  return files;
}

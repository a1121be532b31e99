// Graph files: an edge-list reader (TSV, CSV or space-separated; `#` and `%` comment lines; an optional weight
// column; plain or gzip) that builds a Graph, and writers for node vectors keyed by node name: word2vec text format,
// TensorFlow Embedding Projector TSV (vectors + a metadata file with the names and labels), NPY (+ a names file).
//
// Node names are kept as the strings the file writes ("007" stays "007"), mapped to ids 0..n−1 in order of first
// appearance (Graph), and written back by name, so nothing depends on the ids being 0..n−1 in the file.
import type { Matrix } from "../core/matrix.js";
import { describeValue, fail } from "../core/errors.js";
import type { Graph, GraphOptions, NodeName } from "../graph/graph.js";
import { parseEdgeList } from "../formats/edge-list.js";
import { KeyedVectors } from "../text/keyed-vectors.js";
import { metadataTsv } from "../formats/export.js";
import { encodeNpy } from "../formats/npy.js";
import { formatFloat32, wordVectorPieces } from "../formats/word-vectors.js";
import { readMaybeGzip } from "./files.js";
import { writeOutputs, type OutputFiles } from "./fs.js";

export { parseEdgeList };

export interface EdgeListOptions extends Omit<GraphOptions, "source"> {
  /**
   * Read the third column as the edge weight: true (every line must have one), false (ignore extra columns), or
   * undefined (default): weighted when the first edge line has a third column.
   */
  weighted?: boolean;
  /** Column separator: "\t", ",", " " (any run of spaces and tabs), or undefined to tell from the first edge line. */
  delimiter?: string;
}

/** Reads an edge list `u v [w]` per line into a Graph (see the file header); errors name the file and line. */
export function readEdgeList(path: string, options: EdgeListOptions = {}): Graph {
  const { weighted, delimiter, ...graphOptions } = options;
  if (weighted !== undefined && typeof weighted !== "boolean") fail(`readEdgeList: weighted must be true or false, got ${describeValue(weighted)}`);
  if (delimiter !== undefined && (typeof delimiter !== "string" || delimiter.length === 0)) fail(`readEdgeList: delimiter must be a non-empty string, got ${describeValue(delimiter)}`);
  const text = readMaybeGzip(path).toString("utf8");
  return parseEdgeList(text, path, weighted, delimiter, graphOptions);
}

export type NodeVectorFormat = "word2vec" | "tsv" | "npy";

export interface NodeVectorWriteOptions {
  /** A label per node id (string or number; "" or undefined: none), written to the Projector metadata. */
  labels?: ArrayLike<string | number | undefined | null>;
  /** Stage the files in this batch (they appear when it is committed) instead of writing them at once. */
  outputs?: OutputFiles;
}

/** The names file written beside NPY vectors (v.npy → v.names.tsv) and the metadata beside TSV ones (v.tsv → v-metadata.tsv). */
export function nodeVectorCompanion(path: string, format: NodeVectorFormat): string | null {
  if (format === "npy") return path.replace(/(\.[^./]+)?$/, ".names.tsv");
  if (format === "tsv") return path.replace(/(\.[^./]+)?$/, "-metadata.tsv");
  return null;
}

/**
 * Writes node vectors (row i = node i) by node name: "word2vec" (text: a header `n dim`, then `name v1 … vd` per
 * node; names with spaces are refused there), "tsv" (Projector vectors, and `-metadata.tsv` with a node column and,
 * given labels, a label column), "npy" (the float32 matrix, and `.names.tsv` with one name per row). Returns the
 * files written.
 */
export function writeNodeVectors(path: string, names: readonly NodeName[], vectors: Matrix, format: NodeVectorFormat, options: NodeVectorWriteOptions = {}): string[] {
  if (names.length !== vectors.rows) fail(`writeNodeVectors: ${names.length} node names for ${vectors.rows} vector rows`);
  const labels = options.labels;
  if (labels && labels.length !== names.length) fail(`writeNodeVectors: ${labels.length} labels for ${names.length} nodes`);
  const strNames = names.map(String);
  const files = [path];
  const companion = nodeVectorCompanion(path, format);
  if (format === "word2vec") {
    for (const s of strNames) if (/[\s]/.test(s)) fail(`writeNodeVectors: node name ${describeValue(s)} has white space, which the word2vec text format cannot hold: use --format tsv or npy`);
    const kv = new KeyedVectors(strNames, vectors.astype("float32"));
    writeOutputs(options.outputs, (out) => out.write(path, wordVectorPieces(kv, "word2vec")));
    return files;
  }
  if (format !== "tsv" && format !== "npy") fail(`writeNodeVectors: format must be "word2vec", "tsv" or "npy", got ${describeValue(format)}`);
  files.push(companion!);
  const labelCol = labels ? Array.from({ length: names.length }, (_, i) => (labels[i] === undefined || labels[i] === null ? "" : String(labels[i]))) : null;
  writeOutputs(options.outputs, (out) => {
    if (format === "npy") {
      out.write(path, encodeNpy(vectors.astype("float32")));
      out.write(companion!, metadataTsv(labelCol ? { node: strNames, label: labelCol } : { node: strNames }));
    } else {
      out.write(path, tsvPieces(vectors));
      out.write(companion!, metadataTsv(labelCol ? { node: strNames, label: labelCol } : { node: strNames }));
    }
  });
  return files;
}

/** Projector TSV rows in pieces of about a megabyte (float32 values written as the shortest round-tripping text). */
function* tsvPieces(Z: Matrix): Iterable<string> {
  let buf: string[] = [];
  let size = 0;
  for (let i = 0; i < Z.rows; i++) {
    const row = Z.row(i);
    const cells = new Array<string>(row.length);
    for (let j = 0; j < row.length; j++) cells[j] = formatFloat32(row[j]!);
    const line = cells.join("\t") + "\n";
    buf.push(line);
    size += line.length;
    if (size > 1 << 20) {
      yield buf.join("");
      buf = [];
      size = 0;
    }
  }
  if (buf.length) yield buf.join("");
}

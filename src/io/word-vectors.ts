// Word-vector files, plain or gzipped (the formats themselves are formats/word-vectors.ts, re-exported here).
import { gzipSync } from "node:zlib";
import { concatBytes } from "../core/bytes.js";
import type { KeyedVectors } from "../text/keyed-vectors.js";
import {
  encodeWordVectors, formatFloat32, parseWordVectors, wordVectorPieces, type WordVectorFormat,
} from "../formats/word-vectors.js";
import { readMaybeGzip } from "./files.js";
import { writeOutputs, type OutputFiles } from "./fs.js";

export { encodeWordVectors, formatFloat32, parseWordVectors, wordVectorPieces, type WordVectorFormat };

/** Reads word vectors; the format is guessed from the file when not given ("binary" must be said). */
export function readWordVectors(path: string, format?: WordVectorFormat): KeyedVectors {
  return parseWordVectors(readMaybeGzip(path), format, path);
}

/**
 * Writes word vectors in the given format (default word2vec text) in pieces of about 1 MiB; ".gz" paths are
 * compressed whole at the end. The file is written to a temporary file and renamed into place (or staged in
 * `outputs`, appearing when that batch is committed).
 */
export function writeWordVectors(path: string, kv: KeyedVectors, format: WordVectorFormat = "word2vec", outputs?: OutputFiles): void {
  const pieces = wordVectorPieces(kv, format);
  const data = path.endsWith(".gz") ? gzipSync(concatBytes([...pieces])) : pieces;
  writeOutputs(outputs, (out) => out.write(path, data));
}

// Word-vector files: the word2vec text format ("V D" header, then "word v1 … vD" lines), the word2vec binary
// format (same header, then "word " followed by D little-endian float32 and a newline), and GloVe's .txt (no
// header). Text values are written in the shortest form that reads back to the same float32, so writing what was
// read reproduces a file byte for byte. This module parses and encodes bytes; files are io/word-vectors.ts.
import { concatBytes } from "../core/bytes.js";
import { excerpt, fail } from "../core/errors.js";
import { FLOAT32_MAX, FLOAT32_RANGE, Matrix } from "../core/matrix.js";
import { KeyedVectors } from "../text/keyed-vectors.js";

export type WordVectorFormat = "word2vec" | "word2vec-binary" | "glove";

/** Shortest decimal that reads back as the same float32. */
export function formatFloat32(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f) || !Number.isFinite(f)) return String(f);
  if (Object.is(f, -0)) return "-0";
  // the fewest significant digits that read back as f: a binary search over 1..9 (nine always do, and a precision
  // that reads back keeps doing so with more digits), three or four tries instead of up to nine
  let lo = 1, hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(f.toPrecision(lo)));
}

/**
 * Parses word vectors from a file's bytes (or its text); the format is guessed when not given ("binary" must be said).
 * `path` names the input in error messages.
 */
export function parseWordVectors(input: Uint8Array | string, format?: WordVectorFormat, path = "word vectors"): KeyedVectors {
  if (format === "word2vec-binary") {
    if (typeof input === "string") fail(`${path}: the word2vec binary format is read from bytes, not from a string`);
    return parseBinary(input, path);
  }
  let text = typeof input === "string" ? input : new TextDecoder().decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark is not part of the header
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) fail(`${path}: the file is empty`);
  const head = lines[0]!.trim().split(/\s+/);
  const hasHeader = head.length === 2 && /^\d+$/.test(head[0]!) && /^\d+$/.test(head[1]!);
  if (format === "word2vec" && !hasHeader) fail(`${path}: expected a word2vec header "<words> <dimensions>", got ${JSON.stringify(lines[0]!.slice(0, 40))}`);
  if (format === "glove" && hasHeader) fail(`${path}: looks like word2vec text (it has a "${lines[0]}" header), not GloVe`);
  const body = hasHeader ? lines.slice(1) : lines;
  const dim = hasHeader ? Number(head[1]) : body[0]!.trim().split(/\s+/).length - 1;
  if (hasHeader && body.length !== Number(head[0])) fail(`${path}: header says ${head[0]} words, the file has ${body.length}`);
  if (!(dim >= 1)) fail(`${path}: no vector values on the first line`);
  const words: string[] = [];
  const seen = new Map<string, number>();
  const data = new Float32Array(body.length * dim);
  body.forEach((line, r) => {
    const lineNo = r + (hasHeader ? 2 : 1);
    const parts = line.trimEnd().split(/[ \t]+/);
    if (parts.length !== dim + 1) fail(`${path}: line ${lineNo} has ${parts.length - 1} values, expected ${dim}`);
    const first = seen.get(parts[0]!);
    if (first !== undefined) fail(`${path}: line ${lineNo}: the word ${excerpt(parts[0]!, 40)} already has a vector (line ${first}): words must be distinct`);
    seen.set(parts[0]!, lineNo);
    words.push(parts[0]!);
    for (let c = 0; c < dim; c++) {
      const cell = parts[c + 1]!;
      const v = readValue(cell);
      if (v === undefined) fail(`${path}: line ${lineNo}: ${excerpt(cell, 40)} is not a number`);
      if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) nonFinite(path, `line ${lineNo}`, parts[0]!, c, cell);
      data[r * dim + c] = v;
    }
  });
  return new KeyedVectors(words, new Matrix(body.length, dim, data));
}

/** A text value as a number: decimal notation, or the spellings of NaN and the infinities that C, numpy and gensim write. */
function readValue(cell: string): number | undefined {
  const v = Number(cell);
  if (!Number.isNaN(v) && cell.trim() !== "") return v;
  const t = cell.toLowerCase().replace(/^\+/, "");
  if (t === "nan" || t === "-nan") return NaN;
  if (t === "inf" || t === "infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  return undefined;
}

/**
 * Word vectors must be finite: a NaN or infinite coordinate leaves the word without neighbours (every similarity is
 * NaN) and spoils every average it enters, so such a file is rejected, naming the word.
 */
function nonFinite(path: string, where: string, word: string, c: number, value: string): never {
  const kind = /nan/i.test(value) ? "NaN" : Number.isFinite(Number(value)) ? `${value} (${FLOAT32_RANGE})` : "infinite";
  return fail(`${path}: ${where}: the vector of ${excerpt(word, 40)} has a non-finite value at dimension ${c + 1}: ${kind}; ` +
    "word vectors must be finite numbers (remove or retrain that word)");
}

function parseBinary(buf: Uint8Array, path: string): KeyedVectors {
  const utf8 = new TextDecoder();
  const nl = buf.indexOf(0x0a);
  if (nl < 0) fail(`${path}: no header line`);
  const head = utf8.decode(buf.subarray(0, nl)).trim().split(/\s+/);
  if (head.length !== 2 || !/^\d+$/.test(head[0]!) || !/^\d+$/.test(head[1]!)) fail(`${path}: expected a word2vec header "<words> <dimensions>"`);
  const n = Number(head[0]);
  const dim = Number(head[1]);
  if (!(dim >= 1)) fail(`${path}: the header says ${dim} dimensions: expected at least 1`);
  // each entry is at least a one-byte word, a space and 4·dim bytes
  const need = n * (2 + 4 * dim);
  const asText = " Is it a text-format file? Then read it without the binary option.";
  if (buf.length - nl - 1 < need) {
    fail(`${path}: the header says ${n} words of ${dim} dimensions, which needs at least ${need} bytes of vectors, ` +
      `but the file has ${buf.length - nl - 1}.${asText}`);
  }
  const words: string[] = [];
  const seen = new Map<string, number>();
  const data = new Float32Array(n * dim);
  let p = nl + 1;
  for (let r = 0; r < n; r++) {
    while (p < buf.length && buf[p] === 0x0a) p++; // the newline after the previous vector
    const sp = buf.indexOf(0x20, p);
    if (sp < 0 || sp + 1 + 4 * dim > buf.length) fail(`${path}: the file ends in vector ${r + 1} of ${n}.${r === 0 ? asText : ""}`);
    if (r === 0 && dim >= 2 && looksLikeText(buf.subarray(sp + 1, sp + 1 + 4 * dim))) {
      fail(`${path}: the first vector's bytes are decimal text (${excerpt(utf8.decode(buf.subarray(sp + 1, sp + 1 + Math.min(4 * dim, 32))), 32)}), not binary float32.${asText}`);
    }
    const word = utf8.decode(buf.subarray(p, sp));
    if (seen.has(word)) fail(`${path}: vector ${r + 1}: the word ${excerpt(word, 40)} already has a vector (vector ${seen.get(word)! + 1}): words must be distinct`);
    seen.set(word, r);
    words.push(word);
    const v = new DataView(buf.buffer, buf.byteOffset + sp + 1, 4 * dim);
    for (let c = 0; c < dim; c++) {
      const x = v.getFloat32(4 * c, true);
      if (!Number.isFinite(x)) nonFinite(path, `vector ${r + 1}`, word, c, String(x));
      data[r * dim + c] = x;
    }
    p = sp + 1 + 4 * dim;
  }
  while (p < buf.length && (buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x20)) p++;
  if (p < buf.length) {
    fail(`${path}: ${buf.length - p} bytes follow the last of the ${n} vectors the header announces: the header or the vector size is wrong.${asText}`);
  }
  return new KeyedVectors(words, new Matrix(n, dim, data));
}

/** Whether bytes are all characters of decimal numbers written as text (digits, signs, points, exponents, spaces). */
function looksLikeText(b: Uint8Array): boolean {
  let digits = 0;
  for (const c of b) {
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c !== 0x20 && c !== 0x2e && c !== 0x2d && c !== 0x2b && c !== 0x65 && c !== 0x45 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return digits > 0;
}

/**
 * The bytes of a word-vector file in the given format (default word2vec text), as pieces of about `pieceBytes` bytes
 * so that large models are never held as one string. Checks the words and the format before the first piece.
 */
export function wordVectorPieces(kv: KeyedVectors, format: WordVectorFormat = "word2vec", pieceBytes = 1 << 20): Iterable<Uint8Array> {
  for (const w of kv.words) if (!w || /[\s]/.test(w)) fail(`cannot write word ${JSON.stringify(w)}: words must be non-empty and without whitespace`);
  if (format !== "word2vec" && format !== "glove" && format !== "word2vec-binary") {
    fail(`format must be "word2vec", "word2vec-binary" or "glove", got ${JSON.stringify(format)}`);
  }
  return pieces(kv, format, pieceBytes);
}

function* pieces(kv: KeyedVectors, format: WordVectorFormat, pieceBytes: number): Generator<Uint8Array> {
  const n = kv.size;
  const dim = kv.dim;
  const V = kv.vectors.data;
  const utf8 = new TextEncoder();
  let pending: Uint8Array[] = [];
  let size = 0;
  const add = (b: Uint8Array): void => {
    pending.push(b);
    size += b.length;
  };
  const take = (): Uint8Array => {
    const out = concatBytes(pending, size);
    pending = [];
    size = 0;
    return out;
  };
  if (format !== "glove") add(utf8.encode(`${n} ${dim}\n`));
  for (let r = 0; r < n; r++) {
    if (format === "word2vec-binary") {
      add(utf8.encode(`${kv.words[r]} `));
      const vec = new Uint8Array(4 * dim + 1);
      const dv = new DataView(vec.buffer);
      for (let c = 0; c < dim; c++) dv.setFloat32(4 * c, V[r * dim + c]!, true);
      vec[4 * dim] = 0x0a;
      add(vec);
    } else {
      let line = kv.words[r]!;
      for (let c = 0; c < dim; c++) line += " " + formatFloat32(V[r * dim + c]!);
      add(utf8.encode(line + "\n"));
    }
    if (size >= pieceBytes) yield take();
  }
  if (size > 0) yield take();
}

/** A whole word-vector file's bytes in the given format (default word2vec text). */
export function encodeWordVectors(kv: KeyedVectors, format: WordVectorFormat = "word2vec"): Uint8Array {
  return concatBytes([...wordVectorPieces(kv, format)]);
}

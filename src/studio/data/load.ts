// Files (names and bytes, as a page gets them from a drop, a file picker or the studio server) into StudioData.
// Browser-safe: no node: imports; gzip is undone with DecompressionStream (global in browsers and in Node >= 18).
//
// What is recognised (each optionally gzipped: a ".gz" name or the gzip magic bytes):
//   - Embedding-Projector TSV: a vectors TSV (numbers only, no header) and an optional metadata TSV (a header row
//     when it has 2+ columns; a single column has no header, as TensorFlow's projector writes it).
//   - .npy (2-D float32/float64, or integers) and an optional metadata TSV.
//   - CSV (or a lone TSV with a header / text columns): numeric columns are the vectors, see labelRule below.
//   - word2vec text, GloVe text, word2vec binary (the word becomes a "word" column) and an optional metadata TSV.
//   - IDX image files with their label files, paired by name (train-images-idx3-ubyte ↔ train-labels-idx1-ubyte);
//     several pairs are concatenated with a "split" column; Fashion-MNIST's labels get their class names.
import { concatBytes } from "../../core/bytes.js";
import { excerpt, fail } from "../../core/errors.js";
import { FLOAT32_MAX, FLOAT32_RANGE } from "../../core/matrix.js";
import { isNumericCell, parseCsv } from "../../formats/csv.js";
import { FASHION_MNIST_CLASSES } from "../../formats/dataset.js";
import { parseIdx } from "../../formats/idx.js";
import { parseNpy } from "../../formats/npy.js";
import { parseWordVectors } from "../../formats/word-vectors.js";
// csv-parse/sync in Node; its browser build in bundles (package.json "imports"), as formats/csv.ts uses it
import { parse } from "#csv-parse";
import type { Column, Images, StudioData } from "../types.js";

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export interface LoadOptions {
  /**
   * The label column (colour at load): a column name or index of the CSV / metadata (negative counts from the end);
   * null: none. Default: see labelRule.
   */
  labelColumn?: string | number | null;
  /**
   * Images from numeric rows: undefined = guess for CSV tables (a perfect-square column count >= 16 of non-negative
   * integers gives square images, scaled so that the largest value is 255), true = guess for every format, false =
   * never, [height, width] = this shape. IDX image files always keep their images.
   */
  images?: boolean | [number, number];
  /** Class names for integer IDX labels (default: Fashion-MNIST's when the files look like Fashion-MNIST). */
  classNames?: string[];
  /** Refuse a file that decompresses to more than this many bytes (default 2 GiB). */
  maxBytes?: number;
}

/**
 * How the label column is chosen when `labelColumn` is not given (CSV and tables; the metadata TSV likewise):
 * 1. a column named label, labels, class, target or category (any case), or y when there is no column x;
 * 2. else the last column that is not numeric;
 * 3. else (every column numeric) the last column, when all its values are integers with few distinct values
 *    (at most 50, and at most half the rows): the digits CSV's last column;
 * 4. else none (colorColumn -1).
 * In a metadata TSV with no named column and no text column, a single column is the label; otherwise none.
 */
export const labelRule = "a column named label/labels/class/target/y/category, else the last non-numeric column, else the last column when it holds few distinct integers";

const LABEL_NAMES = /^(label|labels|class|target|y|category)$/i;

/** The column named as a label: label, labels, class, target, category (in that order), else y when there is no x. */
function namedLabel(names: string[]): number {
  for (const want of ["label", "labels", "class", "target", "category"]) {
    const j = names.findIndex((s) => s.trim().toLowerCase() === want);
    if (j >= 0) return j;
  }
  return names.some((s) => s.trim().toLowerCase() === "x") ? -1 : names.findIndex((s) => s.trim().toLowerCase() === "y");
}
/** A column with more distinct numbers than this is numeric even when it is the label column. */
const MAX_CATEGORIES = 50;
const MISSING = /^(|NA|N\/A|n\/a|NaN|nan|NULL|null|None|#N\/A|\?|-)$/;

/** File names the studio reads (optionally .gz): the CLI server lists only these. */
export function isDataFileName(name: string): boolean {
  const n = name.replace(/\.gz$/i, "");
  return /\.(tsv|tab|csv|npy|txt|vec|w2v|bin|idx\d?)$/i.test(n) || /-ubyte$/i.test(n);
}

const KNOWN = ".tsv, .tab, .csv, .npy, .txt/.vec/.w2v (word2vec or GloVe text), .bin (word2vec binary), IDX (*-idx3-ubyte, *-idx1-ubyte, .idx), each optionally .gz";

type Kind = "tsv" | "csv" | "npy" | "words" | "words-binary" | "idx";

interface Prepared {
  /** The name as given. */
  name: string;
  /** Without a trailing .gz. */
  base: string;
  bytes: Uint8Array;
  kind: Kind;
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

async function gunzip(bytes: Uint8Array, name: string, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    const input = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    const reader = input.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        fail(`${name}: decompresses to more than ${maxBytes} bytes: too large to load in the studio`);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof Error && e.name === "LatentkitError") throw e;
    fail(`${name}: not valid gzip data (${e instanceof Error ? e.message : String(e)}); is the file truncated?`);
  }
  return parts.length === 1 ? parts[0]! : concatBytes(parts, total);
}

/** Whether bytes are not text: a NUL byte or invalid UTF-8 in the first 64 KiB. Returns the reason or undefined. */
function binaryReason(b: Uint8Array): string | undefined {
  const head = b.subarray(0, Math.min(b.length, 65536));
  const nul = head.indexOf(0);
  if (nul >= 0) return `a NUL byte at offset ${nul}`;
  // cut a multi-byte character the 64 KiB boundary may split
  let end = head.length;
  if (end < b.length) while (end > 0 && end > head.length - 4 && (head[end - 1]! & 0xc0) === 0x80) end--;
  if (end < b.length && end > 0 && head[end - 1]! >= 0xc0) end--;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, end));
  } catch {
    return "bytes that are not UTF-8 text";
  }
  return undefined;
}

function firstLine(b: Uint8Array): string {
  const nl = b.indexOf(0x0a);
  return new TextDecoder().decode(b.subarray(0, nl < 0 ? Math.min(b.length, 4096) : Math.min(nl, 4096))).replace(/\r$/, "");
}

function looksLikeIdx(b: Uint8Array): boolean {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0) return false;
  const size = ({ 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 } as Record<number, number>)[b[2]!];
  const dims = b[3]!;
  if (!size || dims < 1 || dims > 4 || b.length < 4 + 4 * dims) return false;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let n = 1;
  for (let d = 0; d < dims; d++) n *= dv.getUint32(4 + 4 * d, false);
  return b.length === 4 + 4 * dims + n * size;
}

function isNpy(b: Uint8Array): boolean {
  return b.length >= 6 && b[0] === 0x93 && b[1] === 0x4e && b[2] === 0x55 && b[3] === 0x4d && b[4] === 0x50 && b[5] === 0x59;
}

/** The kind of a file, by its name and its (decompressed) content; a clear error for anything else. */
function classify(name: string, base: string, b: Uint8Array): Kind {
  if (b.length === 0) fail(`${name} is empty (0 bytes${name !== base ? " after decompression" : ""}): expected a data file (${KNOWN})`);
  const ext = /\.([A-Za-z0-9]+)$/.exec(base)?.[1]?.toLowerCase() ?? "";
  const idxName = /-ubyte$/i.test(base) || /^idx\d?$/.test(ext);
  if (ext === "npy" || isNpy(b)) {
    if (!isNpy(b)) fail(`${name}: not an .npy file (it does not start with the magic bytes \\x93NUMPY)`);
    return "npy";
  }
  if (idxName || looksLikeIdx(b)) {
    if (!looksLikeIdx(b)) {
      fail(`${name}: not a valid IDX file: expected a header 00 00 TT DD (type TT, DD dimensions) and exactly the bytes its ` +
        `shape needs (${b.length} bytes found)`);
    }
    return "idx";
  }
  const text = ["tsv", "tab", "csv", "txt", "vec", "w2v"].includes(ext);
  if (ext === "bin" || (text && ext !== "csv" && ext !== "tsv" && ext !== "tab")) {
    // word vectors: a "words dims" header followed by binary vectors is the binary format, whatever the name
    const head = firstLine(b).trim();
    const w2vHeader = /^\d+\s+\d+$/.test(head);
    if (w2vHeader && binaryReason(b.subarray(b.indexOf(0x0a) + 1)) !== undefined) return "words-binary";
    if (ext === "bin") {
      if (!w2vHeader) fail(`${name}: expected the word2vec binary format (a "<words> <dimensions>" header line), got ${excerpt(head, 40)}`);
      return "words";
    }
  }
  if (!text) {
    fail(`${name}: unknown kind of file${ext ? ` (.${ext})` : " (no extension)"}: the studio reads ${KNOWN}`);
  }
  const why = binaryReason(b);
  if (why) fail(`${name}: binary data (${why}) in a file named as text: expected ${ext === "csv" ? "CSV" : ext === "txt" || ext === "vec" || ext === "w2v" ? "word2vec/GloVe text" : "TSV"} text`);
  if (ext === "csv") return "csv";
  if (ext === "tsv" || ext === "tab") return "tsv";
  return "words";
}

/** Reads files into one data set. Errors name the file and what was expected. */
export async function loadFiles(files: InputFile[], opts: LoadOptions = {}): Promise<StudioData> {
  if (files.length === 0) fail("no files given: expected a data file (" + KNOWN + ")");
  const maxBytes = opts.maxBytes ?? 2 ** 31;
  const prepared: Prepared[] = [];
  for (const f of files) {
    if (!(f.bytes instanceof Uint8Array)) fail(`${f.name}: expected the file's bytes as a Uint8Array`);
    const gzName = /\.gz$/i.test(f.name);
    const base = f.name.replace(/\.gz$/i, "");
    // a server or browser may already have undone the gzip: then the bytes are used as they are
    const bytes = isGzip(f.bytes) ? await gunzip(f.bytes, f.name, maxBytes) : f.bytes;
    if (gzName && f.bytes.length === 0) fail(`${f.name} is empty (0 bytes): expected gzip data`);
    prepared.push({ name: f.name, base, bytes, kind: classify(f.name, base, bytes) });
  }
  const idx = prepared.filter((p) => p.kind === "idx");
  const tsv = prepared.filter((p) => p.kind === "tsv");
  const others = prepared.filter((p) => p.kind !== "idx" && p.kind !== "tsv");
  const title = files.map((f) => f.name).join(" + ");

  if (idx.length) {
    if (others.length || tsv.length) {
      fail(`IDX files cannot be combined with other data files (${[...others, ...tsv].map((p) => p.name).join(", ")}): load one data set at a time`);
    }
    return finish(loadIdx(idx, opts), title, opts);
  }
  // the TSV files: a vectors file (all numbers) and a metadata file
  let vectorsTsv: Prepared | undefined;
  const metaTsv: Prepared[] = [];
  for (const t of tsv) {
    const line = firstLine(t.bytes);
    // numbers (an empty cell is a missing number, refused by the vectors reader with its line)
    const numeric = line.split("\t").every((c) => c.trim() === "" || isNumericCell(c)) && line.split("\t").some((c) => isNumericCell(c));
    if (!/meta|label/i.test(t.base) && numeric && line.trim() !== "") {
      if (vectorsTsv) {
        // two all-numeric TSVs: the one with one column is the metadata (numeric labels)
        const a = firstLine(vectorsTsv.bytes).split("\t").length, b = line.split("\t").length;
        if (a > 1 && b === 1) metaTsv.push(t);
        else if (b > 1 && a === 1) {
          metaTsv.push(vectorsTsv);
          vectorsTsv = t;
        } else fail(`two vectors TSV files (${vectorsTsv.name}, ${t.name}): give one vectors file and at most one metadata file`);
      } else vectorsTsv = t;
    } else metaTsv.push(t);
  }
  if (others.length > 1) fail(`several data sets given (${others.map((p) => p.name).join(", ")}): load one at a time (plus an optional metadata TSV)`);
  if (others.length === 1 && vectorsTsv) fail(`several data sets given (${others[0]!.name}, ${vectorsTsv.name}): load one at a time (plus an optional metadata TSV)`);
  if (metaTsv.length > 1) fail(`several metadata TSV files (${metaTsv.map((p) => p.name).join(", ")}): give at most one`);
  const meta = metaTsv[0];
  let d: Partial2;
  const primary = others[0] ?? vectorsTsv;
  if (!primary) {
    // a lone TSV with text columns or a header: a table, read as a CSV is
    if (!meta) fail("no data file given");
    const t = loadTable(meta, opts);
    return finish(t, title, opts);
  }
  if (primary.kind === "csv") {
    if (meta) fail(`${meta.name}: a metadata TSV goes with a vectors TSV, .npy or word-vector file, not with the CSV ${primary.name} (its columns are in the CSV)`);
    return finish(loadTable(primary, opts), title, opts);
  }
  if (primary.kind === "tsv") d = loadVectorsTsv(primary);
  else if (primary.kind === "npy") d = loadNpy(primary);
  else d = loadWords(primary);
  if (meta) {
    const m = loadMetadata(meta, d.n, primary.name, opts);
    const before = d.columns.length;
    d.columns.push(...m.columns);
    d.colorColumn = m.label >= 0 ? before + m.label : -1;
  }
  // vectors files (TSV, .npy, word vectors) get images only when asked
  return finish(d, title, { ...opts, images: opts.images ?? false });
}

type Partial2 = Omit<StudioData, "name" | "colorColumn"> & { colorColumn?: number };

/** Adds the name, coordinates (dim 2 or 3) and guessed images (opts.images) to a loaded set. */
function finish(d: Partial2, name: string, opts: LoadOptions): StudioData {
  const out: StudioData = { name, n: d.n, dim: d.dim, vectors: d.vectors, columns: d.columns, colorColumn: d.colorColumn ?? -1 };
  if (d.images) out.images = d.images;
  if (d.dim === 2 || d.dim === 3) out.coords = { dims: d.dim, values: d.vectors };
  if (!out.images && opts.images !== false) {
    const img = imagesFromVectors(d.vectors, d.n, d.dim, opts.images, name);
    if (img) out.images = img;
  }
  return out;
}

/** Square (or given-shape) images from non-negative integer rows, scaled so that the largest value is 255. */
function imagesFromVectors(v: Float32Array, n: number, dim: number, shape: true | [number, number] | undefined, name: string): Images | undefined {
  let h: number, w: number;
  if (Array.isArray(shape)) {
    [h, w] = shape;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0) || h * w !== dim) {
      fail(`${name}: image shape ${h}x${w} has ${h * w} pixels, but the rows have ${dim} values`);
    }
  } else {
    const r = Math.round(Math.sqrt(dim));
    if (dim < 16 || r * r !== dim) return undefined;
    h = w = r;
  }
  let max = 0;
  for (let k = 0; k < v.length; k++) {
    const x = v[k]!;
    if (x < 0 || x !== Math.floor(x)) {
      if (Array.isArray(shape)) fail(`${name}: images need non-negative integer values; row ${Math.floor(k / dim)} has ${x}`);
      return undefined;
    }
    if (x > max) max = x;
  }
  const pixels = new Uint8Array(n * dim);
  const s = max > 0 ? 255 / max : 0;
  for (let k = 0; k < v.length; k++) pixels[k] = Math.round(v[k]! * s);
  return { width: w, height: h, pixels };
}

// ---------------------------------------------------------------------------------------------------------------
// Columns

/** A column from raw strings: numeric when every value is a number (or missing) and it is not the label column, or
 * when it is the label column and has more than 50 distinct numbers; else categorical. */
export function makeColumn(name: string, values: string[], isLabel: boolean): Column {
  let allNumbers = true, any = false;
  const distinct = new Set<string>();
  for (const s of values) {
    const t = s.trim();
    if (MISSING.test(t)) continue;
    if (!isNumericCell(t)) {
      allNumbers = false;
      break;
    }
    any = true;
    if (distinct.size <= MAX_CATEGORIES) distinct.add(t);
  }
  if (allNumbers && any && (!isLabel || distinct.size > MAX_CATEGORIES)) {
    const numbers = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const t = values[i]!.trim();
      numbers[i] = MISSING.test(t) ? NaN : Number(t);
    }
    return { name, kind: "numeric", values, numbers };
  }
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = values[i]!;
    let c = index.get(s);
    if (c === undefined) {
      c = categories.length;
      index.set(s, c);
      categories.push(s);
    }
    codes[i] = c;
  }
  return { name, kind: "categorical", values, categories, codes };
}

function resolveColumn(c: string | number, names: string[], source: string): number {
  if (typeof c === "number" || /^-?\d+$/.test(c)) {
    const i = Number(c);
    const j = i < 0 ? names.length + i : i;
    if (!Number.isInteger(j) || j < 0 || j >= names.length) fail(`label column ${JSON.stringify(c)} is out of range: ${source} has ${names.length} columns`);
    return j;
  }
  const j = names.indexOf(c);
  if (j < 0) fail(`unknown label column ${JSON.stringify(c)}: ${source} has columns ${names.map((x) => JSON.stringify(x)).join(", ")}`);
  return j;
}

// ---------------------------------------------------------------------------------------------------------------
// Numeric TSV (the projector's vectors file): parsed from the bytes, no per-line strings

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Parses the projector's vectors TSV: numbers only, tab-separated, one row a line, no header. */
export function parseVectorsTsv(b: Uint8Array, source: string): { n: number; dim: number; data: Float32Array } {
  let lines = 0;
  for (let p = b.indexOf(0x0a); p >= 0; p = b.indexOf(0x0a, p + 1)) lines++;
  if (b.length && b[b.length - 1] !== 0x0a) lines++;
  let dim = -1;
  let data = new Float32Array(0);
  let row = 0, col = 0, lineNo = 1;
  const len = b.length;
  let i = 0;
  const bad = (start: number, end: number, why: string): never => {
    const cell = new TextDecoder().decode(b.subarray(start, Math.min(end, start + 60)));
    return fail(`${source}: line ${lineNo}, column ${col + 1}: ${excerpt(cell, 40)} ${why}: a vectors TSV holds numbers only (no header); ` +
      "text columns belong in the metadata TSV");
  };
  while (i < len) {
    // one line
    let c = b[i]!;
    if (c === 0x0a || (c === 0x0d && b[i + 1] === 0x0a)) {
      // an empty line: skipped
      i += c === 0x0d ? 2 : 1;
      lineNo++;
      continue;
    }
    col = 0;
    for (;;) {
      // one cell: [spaces] [sign] digits [. digits] [e [sign] digits] [spaces]
      let p = i;
      while (p < len && b[p] === 0x20) p++;
      const start = p;
      let neg = false;
      if (b[p] === 0x2d || b[p] === 0x2b) {
        neg = b[p] === 0x2d;
        p++;
      }
      let m = 0, digits = 0, frac = 0, sig = 0;
      while (p < len && (c = b[p]!) >= 0x30 && c <= 0x39) {
        if (sig < 15) {
          m = m * 10 + (c - 0x30);
          if (m > 0) sig++;
        } else frac--;
        digits++;
        p++;
      }
      if (b[p] === 0x2e) {
        p++;
        while (p < len && (c = b[p]!) >= 0x30 && c <= 0x39) {
          if (sig < 15) {
            m = m * 10 + (c - 0x30);
            frac++;
            if (m > 0) sig++;
          }
          digits++;
          p++;
        }
      }
      let exp = 0, fast = digits > 0;
      if (fast && (b[p] === 0x65 || b[p] === 0x45)) {
        p++;
        let eneg = false;
        if (b[p] === 0x2d || b[p] === 0x2b) {
          eneg = b[p] === 0x2d;
          p++;
        }
        let ed = 0;
        while (p < len && (c = b[p]!) >= 0x30 && c <= 0x39 && ed < 6) {
          exp = exp * 10 + (c - 0x30);
          ed++;
          p++;
        }
        if (ed === 0) fast = false;
        if (eneg) exp = -exp;
      }
      const numEnd = p;
      while (p < len && b[p] === 0x20) p++;
      c = p < len ? b[p]! : 0x0a;
      const endOfCell = c === 0x09 || c === 0x0a || c === 0x0d;
      let v: number;
      if (fast && endOfCell) {
        const scale = frac - exp;
        // exact when the mantissa and the power of ten are exact doubles: one correctly rounded operation
        if (sig >= 15 || scale > 22 || scale < -22) v = slow(start, numEnd); // the sign included
        else {
          v = scale === 0 ? m : scale > 0 ? m / POW10[scale]! : m * POW10[-scale]!;
          if (neg) v = -v;
        }
      } else {
        let q = p;
        while (q < len && b[q] !== 0x09 && b[q] !== 0x0a && b[q] !== 0x0d) q++;
        if (start === q || (start === numEnd && !endOfCell && b[start] === 0x09)) bad(start, q, "is an empty cell");
        v = slow(start, q);
        if (Number.isNaN(v)) {
          const cell = new TextDecoder().decode(b.subarray(start, Math.min(q, start + 20))).trim();
          bad(start, q, /^[+-]?(nan|inf|infinity)$/i.test(cell) ? "is not a finite number (NaN or infinite)" : "is not a number");
        }
        p = q;
        c = p < len ? b[p]! : 0x0a;
      }
      if (start === p || (numEnd === start && endOfCell)) bad(start, p, "is an empty cell");
      if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) bad(start, p, `is not a finite number (${Number.isFinite(v) ? FLOAT32_RANGE : "NaN or infinite"})`);
      if (dim < 0) {
        // the first row sets the width; then the rows are known to be at most `lines`
        if (col >= data.length) {
          const grown = new Float32Array(Math.max(16, data.length * 2));
          grown.set(data);
          data = grown;
        }
        data[col] = v;
      } else {
        if (col >= dim) {
          fail(`${source}: ragged rows: line ${lineNo} has more than ${dim} values (the first row has ${dim})`);
        }
        data[row * dim + col] = v;
      }
      col++;
      if (c === 0x09) {
        i = p + 1;
        continue;
      }
      // end of line
      i = c === 0x0d ? p + (b[p + 1] === 0x0a ? 2 : 1) : p + 1;
      if (c === 0x0d && b[p + 1] !== 0x0a) bad(start, p + 1, "ends in a lone carriage return");
      break;
    }
    if (dim < 0) {
      dim = col;
      const first = data.subarray(0, dim);
      data = new Float32Array(lines * dim);
      data.set(first);
    } else if (col !== dim) {
      fail(`${source}: ragged rows: line ${lineNo} has ${col} values, the first row has ${dim}`);
    }
    row++;
    lineNo++;
  }
  if (row === 0) fail(`${source} has no rows of numbers: expected a vectors TSV (numbers, tab-separated, one point a line)`);
  return { n: row, dim, data: row * dim === data.length ? data : data.slice(0, row * dim) };

  function slow(s: number, e: number): number {
    let str = "";
    for (let k = s; k < e; k++) str += String.fromCharCode(b[k]!);
    str = str.trim();
    return isNumericCell(str) ? Number(str) : NaN;
  }
}

function loadVectorsTsv(p: Prepared) {
  const { n, dim, data } = parseVectorsTsv(p.bytes, p.name);
  return { n, dim, vectors: data, columns: [] as Column[] };
}

// ---------------------------------------------------------------------------------------------------------------
// Metadata TSV

function splitLines(text: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith("\r")) lines[i] = lines[i]!.slice(0, -1);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The projector's metadata: a header when it has 2+ columns; one column without a header. */
function loadMetadata(p: Prepared, n: number, vectorsName: string, opts: LoadOptions): { columns: Column[]; label: number } {
  const lines = splitLines(new TextDecoder().decode(p.bytes));
  if (lines.length === 0) fail(`${p.name} is empty: expected metadata, one line per point (${n} points in ${vectorsName})`);
  const width = lines[0]!.split("\t").length;
  let names: string[];
  let body: string[];
  if (width === 1) {
    // a single column has no header (TensorFlow's convention), unless there is exactly one line too many and the first
    // line names a label
    const headed = lines.length === n + 1 && LABEL_NAMES.test(lines[0]!.trim());
    names = [headed ? lines[0]!.trim() : "label"];
    body = headed ? lines.slice(1) : lines;
  } else {
    names = lines[0]!.split("\t").map((s, j) => s.trim() || `column ${j + 1}`);
    body = lines.slice(1);
  }
  if (body.length !== n) {
    fail(`${p.name} has ${body.length} rows of metadata${width > 1 ? " (after its header)" : ""} but ${vectorsName} has ${n} points: ` +
      "the counts must match (one metadata row per vector)");
  }
  const cols: string[][] = names.map(() => new Array<string>(n));
  for (let i = 0; i < n; i++) {
    const cells = width === 1 ? [body[i]!] : body[i]!.split("\t");
    if (cells.length !== width) fail(`${p.name}: ragged rows: line ${i + (width > 1 ? 2 : 1)} has ${cells.length} fields, the header has ${width}`);
    for (let j = 0; j < width; j++) cols[j]![i] = cells[j]!;
  }
  let label: number;
  if (opts.labelColumn === null) label = -1;
  else if (opts.labelColumn !== undefined) label = resolveColumn(opts.labelColumn, names, p.name);
  else {
    label = namedLabel(names);
    if (label < 0 && width === 1) label = 0;
    if (label < 0) {
      for (let j = width - 1; j >= 0 && label < 0; j--) if (cols[j]!.some((s) => !MISSING.test(s.trim()) && !isNumericCell(s))) label = j;
    }
  }
  return { columns: names.map((s, j) => makeColumn(s, cols[j]!, j === label)), label };
}

// ---------------------------------------------------------------------------------------------------------------
// CSV (and a TSV table): numeric columns are the vectors

function loadTable(p: Prepared, opts: LoadOptions): Partial2 {
  let text = new TextDecoder().decode(p.bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") fail(`${p.name} is empty: expected CSV rows`);
  // a first pass over the cells' kinds (numbers or text) decides the label and metadata columns
  const probe = parseCsvProbe(text, p.base);
  const { names, numeric, hasHeader, delimiter, sklearn } = probe;
  let label = -1;
  if (opts.labelColumn === null) label = -1;
  else if (opts.labelColumn !== undefined) label = resolveColumn(opts.labelColumn, names, p.name);
  else if (hasHeader) label = namedLabel(names);
  else if (sklearn) label = names.length - 1;
  if (label < 0 && opts.labelColumn === undefined) {
    for (let j = names.length - 1; j >= 0; j--) if (!numeric[j]) {
      label = j;
      break;
    }
  }
  const metadata = names.map((_, j) => j).filter((j) => !numeric[j] && j !== label);
  const t = parseCsv(text, {
    header: sklearn ? "auto" : hasHeader,
    delimiter,
    ...(label >= 0 ? { labelColumn: label } : {}),
    ...(metadata.length ? { metadataColumns: metadata } : {}),
  }, p.name);
  let X = t.X;
  let labelName = t.labelName;
  let labels = t.labels;
  const columns: Column[] = [];
  if (labels === undefined && opts.labelColumn === undefined && X.cols >= 2) {
    // every column numeric: the last one is the label when it holds few distinct integers
    const d = X.cols, n = X.rows;
    const distinct = new Set<number>();
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const v = X.data[i * d + d - 1]!;
      if (!Number.isInteger(v)) ok = false;
      else if (distinct.add(v).size > Math.min(MAX_CATEGORIES, n / 2)) ok = false;
    }
    if (ok) {
      labels = Array.from({ length: n }, (_, i) => String(X.data[i * d + d - 1]));
      labelName = t.featureNames[d - 1]!;
      const V = new Float32Array(n * (d - 1));
      for (let i = 0; i < n; i++) V.set(X.data.subarray(i * d, i * d + d - 1), i * (d - 1));
      X = { rows: n, cols: d - 1, data: V } as typeof X;
    }
  }
  if (X.cols === 0) fail(`${p.name}: no numeric columns to use as vectors`);
  // metadata columns in file order, then the label
  for (const [name, values] of Object.entries(t.metadata ?? {})) columns.push(makeColumn(name, values, false));
  let colorColumn = -1;
  if (labels) {
    colorColumn = columns.length;
    columns.push(makeColumn(hasHeader && labelName ? labelName : "label", labels, true));
  }
  return { n: X.rows, dim: X.cols, vectors: X.data as Float32Array, columns, colorColumn };
}

/** The delimiter, the header and which columns hold numbers only, from the first 2,000 rows (csv-parse, as parseCsv). */
function parseCsvProbe(text: string, source: string): { names: string[]; numeric: boolean[]; hasHeader: boolean; delimiter: string; sklearn: boolean } {
  const nl = text.indexOf("\n");
  const first = text.slice(0, nl >= 0 ? nl : text.length);
  const delimiter = /\.(tsv|tab)$/i.test(source) || (first.includes("\t") && !first.includes(",")) ? "\t"
    : first.includes(";") && !first.includes(",") ? ";" : ",";
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true, trim: true, to: 2001 }) as string[][];
  } catch (e) {
    fail(`${source}: cannot parse as delimited text: ${(e as Error).message}`);
  }
  if (rows.length === 0) fail(`${source} is empty: no rows of data`);
  const h = rows[0]!;
  // scikit-learn's bundled CSVs start with "n_samples,n_features,class names...": parseCsv maps the labels to the names
  const sklearn = h.length >= 3 && /^\d+$/.test(h[0]!) && /^\d+$/.test(h[1]!) && h.slice(2).some((c) => !isNumericCell(c)) &&
    rows[1] !== undefined && Number(h[1]) === rows[1].length - 1 &&
    (rows.length < 2001 ? Number(h[0]) === rows.length - 1 : Number(h[0]) >= 2000); // n_samples: the rows that follow
  if (sklearn) rows = rows.slice(1);
  // a header: text above a column of numbers, or a first row of text only ("1,2,cat" starts a header-less file whose
  // last column is text)
  const r0 = rows[0]!;
  const textAboveNumbers = r0.some((c, j) => c !== "" && !isNumericCell(c) && rows.length > 1 &&
    rows.slice(1).every((r) => isNumericCell(r[j] ?? "")));
  const hasHeader = !sklearn && r0.some((c) => c !== "" && !isNumericCell(c)) &&
    (textAboveNumbers || rows.length === 1 || r0.every((c) => !isNumericCell(c)));
  let width = rows[0]!.length;
  // a delimiter at the end of every line adds an empty last column, which parseCsv drops
  if (width > 1 && (!hasHeader || rows[0]![width - 1] === "") && rows.every((r) => (r[width - 1] ?? "") === "")) width--;
  const names = hasHeader ? rows[0]!.slice(0, width) : Array.from({ length: width }, (_, j) => `column ${j}`);
  const numeric = names.map(() => true);
  for (let i = hasHeader ? 1 : 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let j = 0; j < width; j++) if (numeric[j] && !isNumericCell(r[j] ?? "")) numeric[j] = false;
  }
  return { names, numeric, hasHeader, delimiter, sklearn };
}

// ---------------------------------------------------------------------------------------------------------------
// .npy and word vectors

function loadNpy(p: Prepared) {
  const m = parseNpy(p.bytes, p.name);
  if (m.rows === 0 || m.cols === 0) fail(`${p.name} is empty (shape ${m.rows}x${m.cols}): expected a 2-D array of points`);
  const data = m.data instanceof Float32Array ? m.data : Float32Array.from(m.data);
  checkVectors(data, m.cols, p.name);
  return { n: m.rows, dim: m.cols, vectors: data, columns: [] as Column[] };
}

function checkVectors(v: Float32Array, dim: number, source: string): void {
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k]!)) {
      const i = Math.floor(k / dim);
      fail(`${source}: row ${i}, column ${k - i * dim} is ${v[k]}: vectors must be finite numbers (no NaN or Infinity)`);
    }
  }
}

function loadWords(p: Prepared) {
  const kv = parseWordVectors(p.bytes, p.kind === "words-binary" ? "word2vec-binary" : undefined, p.name);
  if (kv.size === 0) fail(`${p.name} has no words`);
  const words = kv.words.slice();
  return { n: kv.size, dim: kv.dim, vectors: kv.vectors.data as Float32Array, columns: [makeColumn("word", words, false)] };
}

// ---------------------------------------------------------------------------------------------------------------
// IDX images and labels

/** An IDX file's role and its pair key: "train-images-idx3-ubyte" → images of "train"; "train-labels-idx1-ubyte" → labels. */
function idxRole(base: string): { role: "images" | "labels" | "unknown"; key: string; split: string } {
  const file = base.replace(/^.*[\\/]/, "");
  const m = /^(.*?)[-_.]?(images?|labels?)(?=[-_.]|$)(.*)$/i.exec(file);
  if (!m) return { role: "unknown", key: file, split: file.replace(/[-_.]?idx\d.*$/i, "") || file };
  const role = /^image/i.test(m[2]!) ? "images" : "labels";
  const rest = m[3]!.replace(/idx\d/i, "idx");
  return { role, key: `${m[1]!.toLowerCase()}|${rest.toLowerCase()}`, split: m[1]!.replace(/[-_.]+$/, "") || (role === "images" ? "images" : "labels") };
}

function loadIdx(files: Prepared[], opts: LoadOptions): Partial2 {
  interface Part { split: string; images: Prepared; labels?: Prepared }
  const byKey = new Map<string, Part>();
  const labelFiles: { p: Prepared; key: string }[] = [];
  for (const p of files) {
    const arr = parseIdx(p.bytes, p.name);
    const r = idxRole(p.base);
    const role = r.role === "unknown" ? (arr.shape.length === 1 ? "labels" : "images") : r.role;
    if (role === "images") {
      if (arr.shape.length < 2) fail(`${p.name}: named as an IDX image file but it holds shape ${arr.shape.join("x")} (labels?): expected n x height x width`);
      if (byKey.has(r.key)) fail(`${p.name} and ${byKey.get(r.key)!.images.name} are both image files of the same split`);
      byKey.set(r.key, { split: r.split, images: p });
    } else {
      if (arr.shape.length !== 1) fail(`${p.name}: named as an IDX label file but it holds shape ${arr.shape.join("x")}: expected one label per image`);
      labelFiles.push({ p, key: r.key });
    }
  }
  for (const { p, key } of labelFiles) {
    const part = byKey.get(key) ?? (byKey.size === 1 && labelFiles.length === 1 ? [...byKey.values()][0] : undefined);
    if (!part) {
      fail(`${p.name}: an IDX label file without its image file (expected ${p.base.replace(/labels?/i, "images").replace(/idx1/i, "idx3")} ` +
        "among the files)");
    }
    if (part.labels) fail(`${p.name} and ${part.labels.name} are both label files of ${part.images.name}`);
    part.labels = p;
  }
  const parts = [...byKey.values()];
  // train before test, otherwise as given
  parts.sort((a, b) => Number(!/^train/i.test(a.split)) - Number(!/^train/i.test(b.split)));
  const arrays = parts.map((part) => {
    const im = parseIdx(part.images.bytes, part.images.name);
    const lb = part.labels ? parseIdx(part.labels.bytes, part.labels.name) : undefined;
    if (lb && lb.shape[0] !== im.shape[0]) {
      fail(`${part.labels!.name} has ${lb.shape[0]} labels but ${part.images.name} has ${im.shape[0]} images: the counts must match`);
    }
    return { part, im, lb };
  });
  const first = arrays[0]!.im;
  const h = first.shape.length === 3 ? first.shape[1]! : 1;
  const w = first.shape.length === 3 ? first.shape[2]! : first.shape.slice(1).reduce((a, b) => a * b, 1);
  const dim = first.shape.slice(1).reduce((a, b) => a * b, 1);
  for (const a of arrays) {
    const d = a.im.shape.slice(1).reduce((x, y) => x * y, 1);
    if (d !== dim) fail(`${a.part.images.name} has images of ${a.im.shape.slice(1).join("x")}, ${arrays[0]!.part.images.name} of ${first.shape.slice(1).join("x")}: they cannot be combined`);
  }
  const n = arrays.reduce((s, a) => s + a.im.shape[0]!, 0);
  if (n === 0) fail(`${arrays[0]!.part.images.name} holds no images`);
  const bytes = arrays.every((a) => a.im.data instanceof Uint8Array);
  const vectors = new Float32Array(n * dim);
  const pixels = bytes ? new Uint8Array(n * dim) : undefined;
  let o = 0;
  for (const a of arrays) {
    const src = a.im.data;
    const len = a.im.shape[0]! * dim;
    if (pixels) {
      pixels.set(src as Uint8Array, o);
      const inv = 1 / 255;
      for (let k = 0; k < len; k++) vectors[o + k] = src[k]! * inv;
    } else {
      for (let k = 0; k < len; k++) vectors[o + k] = src[k]!;
      checkVectors(vectors.subarray(o, o + len), dim, a.part.images.name);
    }
    o += len;
  }
  const columns: Column[] = [];
  let colorColumn = -1;
  if (arrays.some((a) => a.lb)) {
    const unlabelled = arrays.filter((a) => !a.lb);
    if (unlabelled.length) fail(`${unlabelled[0]!.part.images.name} has no label file while the other image files have one: give its labels too`);
    let maxLabel = 0, minLabel = Infinity;
    for (const a of arrays) for (const v of a.lb!.data) {
      maxLabel = Math.max(maxLabel, v);
      minLabel = Math.min(minLabel, v);
    }
    const names = opts.classNames ?? (looksLikeFashion(files, h, w, minLabel, maxLabel, pixels) ? FASHION_MNIST_CLASSES : undefined);
    if (names && (minLabel < 0 || maxLabel >= names.length)) fail(`labels run from ${minLabel} to ${maxLabel}, but ${names.length} class names were given`);
    const values = new Array<string>(n);
    let i = 0;
    for (const a of arrays) for (const v of a.lb!.data) values[i++] = names ? names[v]! : String(v);
    colorColumn = 0;
    columns.push(makeColumn("label", values, true));
  }
  if (arrays.length > 1) {
    const values = new Array<string>(n);
    let i = 0;
    for (const a of arrays) for (let k = 0; k < a.im.shape[0]!; k++) values[i++] = a.part.split;
    columns.push(makeColumn("split", values, false));
  }
  const out: Partial2 = { n, dim, vectors, columns, colorColumn };
  if (pixels) out.images = { width: w, height: h, pixels };
  return out;
}

/**
 * Fashion-MNIST rather than MNIST digits (same shapes): a name saying so, or 28x28 images labelled 0..9 whose mean
 * pixel (first 1,000 images) is above 50 (Fashion-MNIST's is about 73, MNIST's about 33).
 */
function looksLikeFashion(files: Prepared[], h: number, w: number, min: number, max: number, pixels: Uint8Array | undefined): boolean {
  if (files.some((f) => /fashion/i.test(f.name))) return true;
  if (h !== 28 || w !== 28 || min < 0 || max > 9 || !pixels) return false;
  const m = Math.min(pixels.length, 1000 * 784);
  let s = 0;
  for (let k = 0; k < m; k++) s += pixels[k]!;
  return s / m > 50;
}

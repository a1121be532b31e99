// Word-vector files: the word2vec text format ("V D" header, then "word v1 … vD" lines), the word2vec binary
// format (same header, then "word " followed by D little-endian float32 and a newline), and GloVe's .txt (no
// header). Text values are written in the shortest form that reads back to the same float32, so writing what was
// read reproduces a file byte for byte.
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { KeyedVectors } from "../text/keyed-vectors.js";
import { readMaybeGzip } from "./files.js";

export type WordVectorFormat = "word2vec" | "word2vec-binary" | "glove";

/**
 * Writes a file in pieces of about 1 MiB (a .gz path is compressed whole at the end), so that large models are never
 * held as one string.
 */
class ChunkedWriter {
  private readonly fd: number | null;
  private readonly held: Buffer[] = [];
  private pending: Array<string | Buffer> = [];
  private size = 0;

  constructor(private readonly path: string) {
    this.fd = path.endsWith(".gz") ? null : openSync(path, "w");
  }

  write(piece: string | Buffer): void {
    this.pending.push(piece);
    this.size += piece.length;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    const buf = Buffer.concat(this.pending.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));
    this.pending = [];
    this.size = 0;
    if (this.fd === null) this.held.push(buf);
    else writeSync(this.fd, buf);
  }

  close(): void {
    this.flush();
    if (this.fd === null) writeFileSync(this.path, gzipSync(Buffer.concat(this.held)));
    else closeSync(this.fd);
  }
}

/** Shortest decimal that reads back as the same float32. */
export function formatFloat32(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f) || !Number.isFinite(f)) return String(f);
  if (Object.is(f, -0)) return "-0";
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

/** Reads word vectors; the format is guessed from the file when not given ("binary" must be said). */
export function readWordVectors(path: string, format?: WordVectorFormat): KeyedVectors {
  const buf = readMaybeGzip(path);
  if (format === "word2vec-binary") return readBinary(buf, path);
  const text = buf.toString("utf8");
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
  const data = new Float32Array(body.length * dim);
  body.forEach((line, r) => {
    const parts = line.trimEnd().split(" ");
    if (parts.length !== dim + 1) fail(`${path}: line ${r + (hasHeader ? 2 : 1)} has ${parts.length - 1} values, expected ${dim}`);
    words.push(parts[0]!);
    for (let c = 0; c < dim; c++) {
      const v = Number(parts[c + 1]);
      if (Number.isNaN(v) && parts[c + 1] !== "NaN") fail(`${path}: line ${r + (hasHeader ? 2 : 1)}: ${JSON.stringify(parts[c + 1])} is not a number`);
      data[r * dim + c] = v;
    }
  });
  return new KeyedVectors(words, new Matrix(body.length, dim, data));
}

function readBinary(buf: Buffer, path: string): KeyedVectors {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) fail(`${path}: no header line`);
  const head = buf.subarray(0, nl).toString("utf8").trim().split(/\s+/);
  if (head.length !== 2 || !/^\d+$/.test(head[0]!) || !/^\d+$/.test(head[1]!)) fail(`${path}: expected a word2vec header "<words> <dimensions>"`);
  const n = Number(head[0]);
  const dim = Number(head[1]);
  const words: string[] = [];
  const data = new Float32Array(n * dim);
  let p = nl + 1;
  for (let r = 0; r < n; r++) {
    while (p < buf.length && buf[p] === 0x0a) p++; // the newline after the previous vector
    const sp = buf.indexOf(0x20, p);
    if (sp < 0 || sp + 1 + 4 * dim > buf.length) fail(`${path}: the file ends in vector ${r + 1} of ${n}`);
    words.push(buf.subarray(p, sp).toString("utf8"));
    const v = new DataView(buf.buffer, buf.byteOffset + sp + 1, 4 * dim);
    for (let c = 0; c < dim; c++) data[r * dim + c] = v.getFloat32(4 * c, true);
    p = sp + 1 + 4 * dim;
  }
  return new KeyedVectors(words, new Matrix(n, dim, data));
}

/** Writes word vectors in the given format (default word2vec text); ".gz" paths are compressed. */
export function writeWordVectors(path: string, kv: KeyedVectors, format: WordVectorFormat = "word2vec"): void {
  const n = kv.size;
  const dim = kv.dim;
  const V = kv.vectors.data;
  for (const w of kv.words) if (!w || /[\s]/.test(w)) fail(`cannot write word ${JSON.stringify(w)}: words must be non-empty and without whitespace`);
  if (format !== "word2vec" && format !== "glove" && format !== "word2vec-binary") {
    fail(`format must be "word2vec", "word2vec-binary" or "glove", got ${JSON.stringify(format)}`);
  }
  const out = new ChunkedWriter(path);
  try {
    if (format !== "glove") out.write(`${n} ${dim}\n`);
    for (let r = 0; r < n; r++) {
      if (format === "word2vec-binary") {
        const vec = Buffer.alloc(4 * dim + 1);
        for (let c = 0; c < dim; c++) vec.writeFloatLE(V[r * dim + c]!, 4 * c);
        vec[4 * dim] = 0x0a;
        out.write(`${kv.words[r]} `);
        out.write(vec);
      } else {
        let line = kv.words[r]!;
        for (let c = 0; c < dim; c++) line += " " + formatFloat32(V[r * dim + c]!);
        out.write(line + "\n");
      }
    }
  } finally {
    out.close();
  }
}

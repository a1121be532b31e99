// Streaming text input: one document per line, plain or gzip (by the .gz suffix or the gzip magic bytes), read in
// chunks so a corpus larger than memory can be passed over as often as needed.
import { createReadStream, existsSync, openSync, readSync, closeSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { fail } from "../core/errors.js";
import { Tokenizer, type TokenizerOptions } from "./tokenize.js";

function isGzip(path: string): boolean {
  if (path.endsWith(".gz")) return true;
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The lines of a text file (UTF-8, plain or gzip), streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  if (!existsSync(path)) fail(`no such file: ${path}`);
  const raw = createReadStream(path);
  const input = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

/** All lines of a file (one document per line), empty lines dropped. */
export async function readDocuments(path: string): Promise<string[]> {
  const docs: string[] = [];
  for await (const line of readLines(path)) if (line.trim()) docs.push(line);
  return docs;
}

/** A corpus on disk: every iteration streams the file again and yields each line's tokens. */
export class TextCorpus implements AsyncIterable<string[]> {
  readonly tokenizer: Tokenizer;
  constructor(readonly path: string, tokenizer: Tokenizer | TokenizerOptions = {}, readonly maxDocuments = Infinity) {
    if (!existsSync(path)) fail(`no such file: ${path}`);
    this.tokenizer = tokenizer instanceof Tokenizer ? tokenizer : new Tokenizer(tokenizer);
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<string[]> {
    let n = 0;
    for await (const line of readLines(this.path)) {
      if (n >= this.maxDocuments) break;
      n++;
      yield this.tokenizer.tokenize(line);
    }
  }
}

/** Sentences (token lists) from memory or from a corpus, uniformly. */
export type Sentences = Iterable<readonly string[]> | AsyncIterable<readonly string[]>;

export async function* iterate(s: Sentences): AsyncGenerator<readonly string[]> {
  if (Symbol.asyncIterator in s) {
    for await (const x of s as AsyncIterable<readonly string[]>) yield x;
  } else {
    for (const x of s as Iterable<readonly string[]>) yield x;
  }
}

// Streaming text input: one document per line, plain or gzip (by the gzip magic bytes), read in chunks so a corpus
// larger than memory can be passed over as often as needed.
import { createInterface } from "node:readline";
import { Tokenizer, type TokenizerOptions } from "../text/tokenize.js";
import { checkReadable, streamMaybeGzip } from "./files.js";

/** The lines of a text file (UTF-8, plain or gzip), streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  checkReadable(path);
  yield* streamMaybeGzip(path, (input) => createInterface({ input, crlfDelay: Infinity }));
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
    checkReadable(path);
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

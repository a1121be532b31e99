// The one way latentkit reads a file in Node: plain or gzip (told by the gzip magic bytes; a .gz name without them
// is refused), whole or streamed, with the same messages for a missing file (io/fs.ts turns every system error into one line naming the
// path) and for corrupt or truncated gzip data.
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { LatentkitError } from "../core/errors.js";
import { closeSync } from "node:fs";
import { fileError, isSystemError, openForReading, readFileBytes, readHead, readStream } from "./fs.js";

/** Whether bytes start with the gzip magic number 1f 8b. */
export function isGzipData(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isZlibError(e: unknown): boolean {
  return typeof (e as { errno?: unknown }).errno === "number" && /^Z_/.test(String((e as { code?: unknown }).code));
}

function corruptGzip(path: string, e: unknown): LatentkitError {
  const msg = (e as Error).message;
  if (/unexpected end of file/i.test(msg)) return new LatentkitError(`${path}: corrupt gzip data (it ends early: a truncated file?)`);
  return new LatentkitError(`${path}: corrupt gzip data (${msg})`);
}

/**
 * A file named *.gz that does not start with the gzip bytes is refused rather than read as plain text (a renamed zip,
 * bzip2 or binary file would otherwise become garbage tokens or rows); other files pass through.
 */
function notGzipNamed<T extends Uint8Array>(path: string, head: T): T {
  if (/\.gz$/i.test(path)) {
    const what = head.length === 0 ? "it is empty" : "it does not start with the gzip bytes 1f 8b";
    throw new LatentkitError(`${path}: not gzip data (${what}); if it is plain text, drop the .gz from its name`);
  }
  return head;
}

/** Reads a file, gunzipping when it starts with the gzip magic bytes; a clear error when it cannot be read. */
export function readMaybeGzip(path: string): Buffer {
  const buf = readFileBytes(path);
  if (!isGzipData(buf)) return notGzipNamed(path, buf);
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw corruptGzip(path, e);
  }
}

/** Fails as readMaybeGzip does when `path` cannot be read (missing, a directory, no permission). */
export function checkReadable(path: string): void {
  closeSync(openForReading(path));
}

/**
 * Streams a file's bytes, gunzipped as readMaybeGzip would; `each` consumes the stream and its errors (a corrupt or
 * truncated gzip stream, a read error mid-file) come back with readMaybeGzip's messages.
 */
export async function* streamMaybeGzip<T>(path: string, each: (input: Readable) => AsyncIterable<T>): AsyncGenerator<T> {
  const head = readHead(path, 2);
  const gzip = isGzipData(head);
  if (!gzip) notGzipNamed(path, head);
  const raw = readStream(path);
  const input = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (e) => input.destroy(e));
  try {
    yield* each(input);
  } catch (e) {
    if (gzip && isZlibError(e)) throw corruptGzip(path, e);
    if (isSystemError(e)) throw fileError("read", path, e);
    throw e;
  } finally {
    // an error emitted after the consumer has stopped listening must not escape as an unhandled 'error' event
    const ignore = (): void => {};
    raw.on("error", ignore);
    input.on("error", ignore);
    input.destroy();
    raw.destroy();
  }
}

// The one way latentkit reads a file in Node: plain or gzip (told by the gzip magic bytes, not the name), whole or
// streamed, with the same messages for a missing file and for corrupt gzip data.
import { closeSync, createReadStream, openSync, readFileSync, readSync } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { fail } from "../core/errors.js";

/** Whether bytes start with the gzip magic number 1f 8b. */
export function isGzipData(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function cannotRead(path: string, e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code;
  fail(code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
}

function corruptGzip(path: string, e: unknown): never {
  fail(`${path}: corrupt gzip data (${(e as Error).message})`);
}

/** Reads a file, gunzipping when it starts with the gzip magic bytes; a clear error when it is missing. */
export function readMaybeGzip(path: string): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    cannotRead(path, e);
  }
  if (!isGzipData(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    corruptGzip(path, e);
  }
}

/** Fails as readMaybeGzip does when `path` cannot be read. */
export function checkReadable(path: string): void {
  try {
    closeSync(openSync(path, "r"));
  } catch (e) {
    cannotRead(path, e);
  }
}

/**
 * Streams a file's bytes, gunzipped as readMaybeGzip would; `each` consumes the stream and its errors (a corrupt gzip
 * stream included) come back with readMaybeGzip's messages.
 */
export async function* streamMaybeGzip<T>(path: string, each: (input: Readable) => AsyncIterable<T>): AsyncGenerator<T> {
  const head = Buffer.alloc(2);
  let got = 0;
  try {
    const fd = openSync(path, "r");
    try {
      got = readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    cannotRead(path, e);
  }
  const raw = createReadStream(path);
  const gzip = isGzipData(head.subarray(0, got));
  const input = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (e) => input.destroy(e));
  try {
    yield* each(input);
  } catch (e) {
    if (gzip && typeof (e as { errno?: unknown }).errno === "number" && /^Z_/.test(String((e as { code?: unknown }).code))) corruptGzip(path, e);
    throw e;
  } finally {
    input.destroy();
    raw.destroy();
  }
}

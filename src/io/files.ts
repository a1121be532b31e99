import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fail } from "../core/errors.js";

/** Reads a file, gunzipping when it starts with the gzip magic bytes; a clear error when it is missing. */
export function readMaybeGzip(path: string): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf);
    } catch (e) {
      fail(`${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return buf;
}

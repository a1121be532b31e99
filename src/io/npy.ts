// NumPy .npy files (the format itself is formats/npy.ts, re-exported here).
import { writeFileSync } from "node:fs";
import type { Matrix } from "../core/matrix.js";
import { encodeNpy, parseNpy } from "../formats/npy.js";
import { readMaybeGzip } from "./files.js";

export { encodeNpy, parseNpy };

export function readNpy(path: string): Matrix {
  return parseNpy(readMaybeGzip(path), path);
}

export function writeNpy(path: string, m: Matrix): void {
  writeFileSync(path, encodeNpy(m));
}

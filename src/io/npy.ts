// NumPy .npy files (the format itself is formats/npy.ts, re-exported here).
import type { Matrix } from "../core/matrix.js";
import { encodeNpy, parseNpy } from "../formats/npy.js";
import { readMaybeGzip } from "./files.js";
import { writeOutputs, type OutputFiles } from "./fs.js";

export { encodeNpy, parseNpy };

export function readNpy(path: string): Matrix {
  return parseNpy(readMaybeGzip(path), path);
}

/** Writes a .npy file atomically (or stages it in `outputs`). */
export function writeNpy(path: string, m: Matrix, outputs?: OutputFiles): void {
  const data = encodeNpy(m);
  writeOutputs(outputs, (out) => out.write(path, data));
}

// IDX files (the MNIST / Fashion-MNIST format), plain or gzipped (the format itself is formats/idx.ts).
import { idxImages, idxLabels, parseIdx, type IdxArray, type IdxImages } from "../formats/idx.js";
import { readMaybeGzip } from "./files.js";

export { idxImages, idxLabels, parseIdx, type IdxArray, type IdxImages };

export function readIdx(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

/** Images (n x h x w, or n x d) as an n x (h·w) matrix; `limit` keeps the first rows only. */
export function readIdxImages(path: string, limit?: number): IdxImages {
  return idxImages(readIdx(path), limit, path);
}

export function readIdxLabels(path: string, limit?: number): Int32Array {
  return idxLabels(readIdx(path), limit, path);
}

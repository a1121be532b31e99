// One loader for every input format the CLI accepts: CSV/TSV (optionally gzipped), .npy, IDX images, JSON.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { fail } from "../core/errors.js";
import { checkFinite, checkFloat32Range, toMatrix } from "../core/matrix.js";
import { FASHION_MNIST_CLASSES, type Dataset } from "../formats/dataset.js";
import { readCsv, type CsvOptions } from "./csv.js";
import { readMaybeGzip } from "./files.js";
import { readIdxImages, readIdxLabels } from "./idx.js";
import { readNpy } from "./npy.js";

export { FASHION_MNIST_CLASSES, type Dataset };

export interface LoadOptions extends CsvOptions {
  /** Keep only the first `limit` rows. */
  limit?: number;
  /** A separate labels file (IDX labels, or one label per line). */
  labelsPath?: string;
}

export function isIdxPath(path: string): boolean {
  return /idx\d-ubyte(\.gz)?$|\.idx\d?(\.gz)?$/i.test(path);
}

export function loadDataset(path: string, opts: LoadOptions = {}): Dataset {
  let ds: Dataset;
  // integer data (IDX bytes) cannot hold NaN, infinities or values beyond float32: its check is skipped
  let integer = false;
  if (/\.npy$/i.test(path)) {
    ds = { X: readNpy(path) };
  } else if (isIdxPath(path)) {
    const { X, imageShape, integer: ints } = readIdxImages(path, opts.limit);
    ds = { X, imageShape };
    integer = ints;
    const guess = opts.labelsPath ?? path.replace(/images-idx3/, "labels-idx1");
    if (guess !== path && existsSync(guess)) {
      const fashion = /fashion/i.test(path);
      ds.labels = Array.from(readIdxLabels(guess, opts.limit), (v) => (fashion ? FASHION_MNIST_CLASSES[v] ?? String(v) : String(v)));
    }
  } else if (/\.json$/i.test(path)) {
    const text = readMaybeGzip(path).toString("utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      fail(`${path}: not valid JSON (${(e as Error).message})`);
    }
    const obj = json as { X?: number[][]; data?: number[][]; labels?: unknown[] };
    const rows = Array.isArray(json) ? (json as number[][]) : obj.X ?? obj.data;
    if (!rows) fail(`${path}: expected an array of rows or an object with "X" (and optional "labels")`);
    ds = { X: toMatrix(rows, basename(path)) };
    if (!Array.isArray(json) && Array.isArray(obj.labels)) ds.labels = obj.labels.map(String);
  } else {
    const t = readCsv(path, opts);
    ds = { X: t.X, featureNames: t.featureNames };
    if (t.labels) ds.labels = t.labels;
  }
  if (opts.labelsPath && !isIdxPath(path)) {
    const lines = readMaybeGzip(opts.labelsPath).toString("utf8").split(/\r?\n/).filter((l) => l !== "");
    ds.labels = lines;
  }
  if (opts.limit !== undefined && ds.X.rows > opts.limit) {
    ds.X = ds.X.rowRange(0, opts.limit);
    if (ds.labels) ds.labels = ds.labels.slice(0, opts.limit);
  }
  if (ds.labels && ds.labels.length !== ds.X.rows) {
    fail(`${path}: ${ds.labels.length} labels for ${ds.X.rows} rows`);
  }
  if (ds.X.rows === 0 || ds.X.cols === 0) fail(`${path} is empty: no rows or no feature columns`);
  // every format's values are checked here, with the file's name (CSV and JSON check them as they are read)
  if (!integer) {
    checkFinite(ds.X, path);
    checkFloat32Range(ds.X, path);
  }
  return ds;
}

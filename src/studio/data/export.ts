// The map and the selection as files: TSV (coordinates + metadata columns, with a header), .npy (the coordinates)
// and JSON ({ projection, dims, n, coords or indices, columns }); parseExport reads back what these write.
// Browser-safe (the page makes a Blob of the result).
import { excerpt, fail } from "../../core/errors.js";
import { Matrix } from "../../core/matrix.js";
import { encodeNpy, parseNpy } from "../../formats/npy.js";
import { formatFloat32 } from "../../formats/word-vectors.js";
import type { Coords, Projection, StudioData } from "../types.js";

export type ExportFormat = "tsv" | "npy" | "json";

export interface ExportInput {
  /** The metadata columns come from here (data.columns, each of length data.n). */
  data: Pick<StudioData, "n" | "columns" | "name">;
  /** The map (n points). */
  coords: Coords;
  /** What made the map (written into the JSON). */
  projection: Projection | string;
  /** The points to export (a selection), in this order; all points when absent. */
  indices?: ArrayLike<number>;
}

export interface ParsedExport {
  projection?: string;
  dims: 2 | 3;
  /** Points in the file. */
  n: number;
  /** n × dims; absent for a JSON file of indices only. */
  coords?: Float32Array;
  /** The points' indices in the data set, when the file says them (JSON). */
  indices?: Int32Array;
  columns: { name: string; values: string[] }[];
}

const AXES = ["x", "y", "z"];

function clean(s: string): string {
  return s.replace(/[\t\r\n]+/g, " ");
}

/** The exported points' indices, checked against n. */
function pointIndices(x: ExportInput): Int32Array {
  const n = x.data.n;
  if (x.coords.values.length !== n * x.coords.dims) fail(`export: the map has ${x.coords.values.length / x.coords.dims} points, the data ${n}`);
  if (!x.indices) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(x.indices.length);
  for (let k = 0; k < out.length; k++) {
    const i = x.indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) fail(`export: point index ${i} is out of range (the data has ${n} points)`);
    out[k] = i;
  }
  return out;
}

/** Header names: x, y[, z], then the columns (a column named x, y or z gets " (metadata)" added). */
function headerNames(dims: number, columns: { name: string }[]): string[] {
  const axes = AXES.slice(0, dims);
  // x, y and z are reserved (a column "z" after a 2-D map would read back as a third axis)
  const used = new Set(AXES);
  return [...axes, ...columns.map((c) => {
    let name = clean(c.name) || "column";
    while (used.has(name)) name += " (metadata)";
    used.add(name);
    return name;
  })];
}

/** TSV: a header (x, y[, z], metadata column names), then one line per exported point. */
export function exportTsv(x: ExportInput): string {
  const idx = pointIndices(x);
  const dims = x.coords.dims;
  const v = x.coords.values;
  const cols = x.data.columns;
  const lines = [headerNames(dims, cols).join("\t")];
  for (const i of idx) {
    const cells: string[] = [];
    for (let d = 0; d < dims; d++) cells.push(formatFloat32(v[i * dims + d]!));
    for (const c of cols) cells.push(clean(c.values[i] ?? ""));
    lines.push(cells.join("\t"));
  }
  return lines.join("\n") + "\n";
}

/** .npy: the exported points' coordinates, float32, shape (points, dims). */
export function exportNpy(x: ExportInput): Uint8Array {
  const idx = pointIndices(x);
  const dims = x.coords.dims;
  const out = new Float32Array(idx.length * dims);
  for (let k = 0; k < idx.length; k++) for (let d = 0; d < dims; d++) out[k * dims + d] = x.coords.values[idx[k]! * dims + d]!;
  return encodeNpy(new Matrix(idx.length, dims, out));
}

/**
 * JSON: { projection, dims, n, coords: [[x, y(, z)], …], indices?: […] (a selection), columns: [{ name, values }] }.
 * With `indicesOnly` the coordinates are left out (a selection as indices).
 */
export function exportJson(x: ExportInput, opts: { indicesOnly?: boolean } = {}): string {
  const idx = pointIndices(x);
  const dims = x.coords.dims;
  const obj: Record<string, unknown> = { projection: String(x.projection), dims, n: idx.length };
  if (!opts.indicesOnly) {
    // the shortest decimal that reads back as the same float32
    obj.coords = Array.from(idx, (i) => Array.from({ length: dims }, (_, d) => Number(formatFloat32(x.coords.values[i * dims + d]!))));
  }
  if (x.indices || opts.indicesOnly) obj.indices = Array.from(idx);
  obj.columns = x.data.columns.map((c) => ({ name: c.name, values: Array.from(idx, (i) => c.values[i] ?? "") }));
  return JSON.stringify(obj);
}

export function exportMap(x: ExportInput, format: ExportFormat): string | Uint8Array {
  if (format === "tsv") return exportTsv(x);
  if (format === "npy") return exportNpy(x);
  if (format === "json") return exportJson(x);
  return fail(`export format must be "tsv", "npy" or "json", got ${JSON.stringify(format)}`);
}

/** A file name for an export: "digits-tsne-2d.tsv", "digits-tsne-2d-selection.json". */
export function exportFileName(dataName: string, projection: string, dims: number, format: ExportFormat, selection = false): string {
  const base = (dataName.split(/\s*\+\s*/)[0] ?? "map").replace(/^.*[\\/]/, "").replace(/(\.gz)?$/i, "").replace(/\.[A-Za-z0-9]+$/, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-") || "map";
  return `${base}-${projection.replace(/[^A-Za-z0-9]+/g, "")}-${dims}d${selection ? "-selection" : ""}.${format}`;
}

/** Reads back a file exportTsv, exportNpy or exportJson wrote (the format from the content when not given). */
export function parseExport(content: string | Uint8Array, format?: ExportFormat, source = "export"): ParsedExport {
  if (format === undefined) {
    if (typeof content !== "string" && content.length >= 6 && content[0] === 0x93 && content[1] === 0x4e) format = "npy";
    else {
      const text = typeof content === "string" ? content : new TextDecoder().decode(content.subarray(0, 16));
      format = text.trimStart().startsWith("{") ? "json" : "tsv";
    }
  }
  if (format === "npy") {
    if (typeof content === "string") fail(`${source}: .npy is read from bytes, not from a string`);
    const m = parseNpy(content, source);
    if (m.cols !== 2 && m.cols !== 3) fail(`${source}: expected coordinates of 2 or 3 columns, found ${m.cols}`);
    return { dims: m.cols, n: m.rows, coords: m.data instanceof Float32Array ? m.data : Float32Array.from(m.data), columns: [] };
  }
  const text = typeof content === "string" ? content : new TextDecoder().decode(content);
  if (format === "json") return parseJsonExport(text, source);
  if (format !== "tsv") fail(`export format must be "tsv", "npy" or "json", got ${JSON.stringify(format)}`);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) fail(`${source} is empty: expected a header line`);
  const header = lines[0]!.split("\t");
  if (header[0] !== "x" || header[1] !== "y") fail(`${source}: expected a header starting x<TAB>y, got ${excerpt(lines[0]!, 40)}`);
  const dims: 2 | 3 = header[2] === "z" ? 3 : 2;
  const n = lines.length - 1;
  const coords = new Float32Array(n * dims);
  const columns = header.slice(dims).map((name) => ({ name, values: new Array<string>(n) }));
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1]!.split("\t");
    if (cells.length !== header.length) fail(`${source}: line ${i + 2} has ${cells.length} fields, the header ${header.length}`);
    for (let d = 0; d < dims; d++) {
      const v = Number(cells[d]);
      if (cells[d]!.trim() === "" || !Number.isFinite(v)) fail(`${source}: line ${i + 2}: ${excerpt(cells[d]!, 20)} is not a coordinate`);
      coords[i * dims + d] = v;
    }
    for (let j = 0; j < columns.length; j++) columns[j]!.values[i] = cells[dims + j]!;
  }
  return { dims, n, coords, columns };
}

function parseJsonExport(text: string, source: string): ParsedExport {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    fail(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (j === null || typeof j !== "object" || Array.isArray(j)) fail(`${source}: expected a JSON object with dims, n and coords or indices`);
  const o = j as Record<string, unknown>;
  const dims = o.dims;
  if (dims !== 2 && dims !== 3) fail(`${source}: "dims" must be 2 or 3`);
  const n = o.n;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) fail(`${source}: "n" must be a non-negative integer`);
  const out: ParsedExport = { dims, n, columns: [] };
  if (typeof o.projection === "string") out.projection = o.projection;
  if (o.coords !== undefined) {
    if (!Array.isArray(o.coords) || o.coords.length !== n) fail(`${source}: "coords" must be an array of ${n} points`);
    const c = new Float32Array(n * dims);
    o.coords.forEach((p: unknown, i) => {
      if (!Array.isArray(p) || p.length !== dims || !p.every((v) => typeof v === "number" && Number.isFinite(v))) {
        fail(`${source}: coords[${i}] must be ${dims} finite numbers`);
      }
      for (let d = 0; d < dims; d++) c[i * dims + d] = p[d] as number;
    });
    out.coords = c;
  }
  if (o.indices !== undefined) {
    if (!Array.isArray(o.indices) || o.indices.length !== n || !o.indices.every((v) => Number.isInteger(v) && v >= 0 && v <= 0x7fffffff)) {
      fail(`${source}: "indices" must be ${n} non-negative integers`);
    }
    out.indices = Int32Array.from(o.indices as number[]);
  }
  if (!out.coords && !out.indices) fail(`${source}: expected "coords" or "indices"`);
  if (o.columns !== undefined) {
    if (!Array.isArray(o.columns)) fail(`${source}: "columns" must be an array of { name, values }`);
    for (const c of o.columns as unknown[]) {
      const col = c as { name?: unknown; values?: unknown };
      if (typeof col?.name !== "string" || !Array.isArray(col.values) || col.values.length !== n || !col.values.every((v) => typeof v === "string")) {
        fail(`${source}: each column must be { name, values } with ${n} strings`);
      }
      out.columns.push({ name: col.name, values: col.values as string[] });
    }
  }
  return out;
}

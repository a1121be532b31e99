// The studio's exports of the map and the selection (TSV, .npy, JSON) and their parser: round trips on the digits set.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNpy } from "../../src/formats/npy.js";
import { loadFiles } from "../../src/studio/data/load.js";
import { exportFileName, exportJson, exportMap, exportNpy, exportTsv, parseExport } from "../../src/studio/data/export.js";
import type { Coords, StudioData } from "../../src/studio/types.js";
import { Random } from "../../src/core/random.js";
import { PROJECT_DATA } from "../helpers.js";

const digits: StudioData = await loadFiles([{ name: "digits.csv.gz", bytes: new Uint8Array(readFileSync(join(PROJECT_DATA, "digits.csv.gz"))) }]);

function map(n: number, dims: 2 | 3, seed = 1): Coords {
  const values = new Float32Array(n * dims);
  new Random(seed).fillNormal(values);
  for (let k = 0; k < values.length; k += 5) values[k] = values[k]! * 1e-6;
  return { dims, values };
}

test("TSV: header x, y, then the metadata columns; every coordinate reads back to the same float32", () => {
  const coords = map(digits.n, 2);
  const tsv = exportTsv({ data: digits, coords, projection: "tsne" });
  const lines = tsv.trimEnd().split("\n");
  assert.equal(lines.length, digits.n + 1);
  assert.equal(lines[0], "x\ty\tlabel");
  const back = parseExport(tsv);
  assert.equal(back.dims, 2);
  assert.equal(back.n, digits.n);
  assert.deepEqual(back.coords, coords.values);
  assert.deepEqual(back.columns, [{ name: "label", values: digits.columns[0]!.values }]);
});

test("the selection, in 3-D: only the chosen points, in the given order, in every format", () => {
  const coords = map(digits.n, 3, 2);
  const sel = [5, 0, 1796, 42];
  const x = { data: digits, coords, projection: "umap", indices: sel };
  const expected = Float32Array.from(sel.flatMap((i) => [0, 1, 2].map((d) => coords.values[i * 3 + d]!)));
  const tsv = parseExport(exportTsv(x));
  assert.equal(tsv.dims, 3);
  assert.deepEqual(tsv.coords, expected);
  assert.deepEqual(tsv.columns[0]!.values, sel.map((i) => digits.columns[0]!.values[i]));
  const npyBytes = exportNpy(x);
  const m = parseNpy(npyBytes);
  assert.deepEqual([m.rows, m.cols], [4, 3]);
  const npy = parseExport(npyBytes);
  assert.deepEqual(npy.coords, expected);
  const json = parseExport(exportJson(x));
  assert.equal(json.projection, "umap");
  assert.deepEqual(json.coords, expected);
  assert.deepEqual(Array.from(json.indices!), sel);
  assert.deepEqual(json.columns[0]!.values, tsv.columns[0]!.values);
  const only = parseExport(exportJson(x, { indicesOnly: true }));
  assert.equal(only.coords, undefined);
  assert.deepEqual(Array.from(only.indices!), sel);
  assert.equal(exportMap(x, "tsv"), exportTsv(x));
});

test("values with tabs and newlines are cleaned; a metadata column named like an axis is renamed", () => {
  const data = {
    n: 2, name: "t.tsv",
    columns: [{ name: "x", kind: "categorical" as const, values: ["a\tb", "c\nd"] }, { name: "z", kind: "categorical" as const, values: ["1", "2"] }],
  };
  const tsv = exportTsv({ data, coords: { dims: 2, values: new Float32Array([1, 2, 3, 4]) }, projection: "file" });
  assert.equal(tsv, "x\ty\tx (metadata)\tz (metadata)\n1\t2\ta b\t1\n3\t4\tc d\t2\n");
  const back = parseExport(tsv);
  assert.deepEqual(back.columns.map((c) => c.name), ["x (metadata)", "z (metadata)"]);
  const json = parseExport(exportJson({ data, coords: { dims: 2, values: new Float32Array([1, 2, 3, 4]) }, projection: "file" }));
  assert.deepEqual(json.columns[0]!.values, ["a\tb", "c\nd"], "JSON keeps values as they are");
});

test("export errors: indices out of range, a map of the wrong size; parser errors on foreign files", () => {
  const coords = map(digits.n, 2);
  assert.throws(() => exportTsv({ data: digits, coords, projection: "pca", indices: [digits.n] }), /point index 1797 is out of range \(the data has 1797 points\)/);
  assert.throws(() => exportNpy({ data: digits, coords: map(10, 2), projection: "pca" }), /the map has 10 points, the data 1797/);
  assert.throws(() => parseExport("a\tb\n1\t2\n"), /expected a header starting x<TAB>y/);
  assert.throws(() => parseExport("x\ty\n1\tfoo\n"), /line 2: "foo" is not a coordinate/);
  assert.throws(() => parseExport("{\"dims\": 4, \"n\": 0}"), /"dims" must be 2 or 3/);
  assert.throws(() => parseExport("{\"dims\": 2, \"n\": 1, \"coords\": [[1, null]]}"), /coords\[0\] must be 2 finite numbers/);
  assert.throws(() => parseExport("{\"dims\": 2, \"n\": 1}"), /expected "coords" or "indices"/);
  assert.throws(() => parseExport("{oops"), /not valid JSON/);
});

test("export file names", () => {
  assert.equal(exportFileName("digits.csv.gz", "tsne", 2, "tsv"), "digits-tsne-2d.tsv");
  assert.equal(exportFileName("t10k-images-idx3-ubyte.gz + t10k-labels-idx1-ubyte.gz", "umap", 3, "json", true), "t10k-images-idx3-ubyte-umap-3d-selection.json");
  assert.equal(exportFileName("", "pca", 2, "npy"), "map-pca-2d.npy");
});

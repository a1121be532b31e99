import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Matrix } from "../../src/core/matrix.js";
import { parseCsv, readCsv } from "../../src/io/csv.js";
import { loadDataset } from "../../src/io/dataset.js";
import { writeEmbedding } from "../../src/io/export.js";
import { parseIdx, readIdxImages, readIdxLabels } from "../../src/io/idx.js";
import { encodeNpy, parseNpy } from "../../src/io/npy.js";
import { sharedData } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "latentkit-io-"));

test("CSV: header detection, label by name or negative index, metadata columns", () => {
  const t = parseCsv("id,a,b,species\nx1,1,2,cat\nx2,3,4.5e1,dog\n", { labelColumn: "species", metadataColumns: ["id"] });
  assert.deepEqual(t.featureNames, ["a", "b"]);
  assert.deepEqual(t.X.toArray(), [[1, 2], [3, 45]]);
  assert.deepEqual(t.labels, ["cat", "dog"]);
  assert.deepEqual(t.metadata, { id: ["x1", "x2"] });
  const noHeader = parseCsv("1,2,0\n3,4,1\n", { labelColumn: -1 });
  assert.deepEqual(noHeader.X.toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(noHeader.labels, ["0", "1"]);
  const tsv = parseCsv("a\tb\n1\t2\n", {}, "x.tsv");
  assert.deepEqual(tsv.X.toArray(), [[1, 2]]);
});

test("CSV: scikit-learn bundle header is recognised and class indices become names (iris)", () => {
  const t = readCsv(sharedData("tabular/iris.csv"), { labelColumn: -1 });
  assert.equal(t.X.rows, 150);
  assert.equal(t.X.cols, 4);
  assert.deepEqual([...new Set(t.labels)], ["setosa", "versicolor", "virginica"]);
});

test("CSV: clear errors for bad cells, ragged rows, unknown label column, empty file", () => {
  assert.throws(() => parseCsv("a,b\n1,2\n3,x\n", {}, "f.csv"), /f\.csv: line 3, column "b": "x" is not a finite number/);
  assert.throws(() => parseCsv("1,2\n3\n", {}, "f.csv"), /ragged rows: line 2 has 1 fields, expected 2/);
  assert.throws(() => parseCsv("a,b\n1,2\n", { labelColumn: "c" }, "f.csv"), /unknown label column "c": f\.csv has columns "a", "b"/);
  assert.throws(() => parseCsv("1,2\n", { labelColumn: 5 }, "f.csv"), /label column 5 is out of range: f\.csv has 2 columns/);
  assert.throws(() => parseCsv("", {}, "f.csv"), /f\.csv is empty/);
  assert.throws(() => parseCsv("a,b\n", {}, "f.csv"), /header but no rows/);
  assert.throws(() => parseCsv("a,b\n1,NaN\n", {}, "f.csv"), /"NaN" is not a finite number/);
  assert.throws(() => readCsv(join(tmp, "missing.csv")), /cannot read .*missing\.csv: no such file/);
});

test("NPY: float32 and float64 round-trip byte for byte; header is 64-byte aligned", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const m = Matrix.fromArray([[1.5, -2], [3, 4e-7], [5, 6]], dtype);
    const bytes = encodeNpy(m);
    const back = parseNpy(bytes);
    assert.equal(back.dtype, dtype);
    assert.deepEqual(back.toArray(), m.toArray());
    assert.equal((bytes.length - m.data.byteLength) % 64, 0);
    assert.deepEqual(encodeNpy(back), bytes);
  }
  assert.throws(() => parseNpy(Buffer.from("not numpy at all")), /not an \.npy file/);
});

test("NPY: reads integer and Fortran-ordered arrays written by NumPy", () => {
  const header = "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }";
  const pad = header + " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head.writeUInt16LE(pad.length, 8);
  const data = Buffer.from(new Int32Array([1, 4, 2, 5, 3, 6]).buffer);
  const m = parseNpy(Buffer.concat([head, Buffer.from(pad, "latin1"), data]));
  assert.deepEqual(m.toArray(), [[1, 2, 3], [4, 5, 6]]);
});

test("IDX: Fashion-MNIST images and labels; wrong magic number is named", () => {
  const { X, imageShape } = readIdxImages(sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), 100);
  assert.deepEqual(imageShape, [28, 28]);
  assert.equal(X.rows, 100);
  assert.equal(X.cols, 784);
  let max = 0;
  for (const v of X.data) max = Math.max(max, v);
  assert.ok(max > 200 && max <= 255);
  const y = readIdxLabels(sharedData("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
  assert.equal(y.length, 10000);
  assert.equal(y[0], 9); // the first test image is an ankle boot
  assert.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), "x.idx"), /wrong IDX magic number 0x1f8b0800/);
  const ds = loadDataset(sharedData("fashion-mnist/t10k-images-idx3-ubyte.gz"), { limit: 10 });
  assert.equal(ds.labels?.[0], "Ankle boot");
});

test("loadDataset reads gzipped CSV, JSON and NPY; writeEmbedding writes projector TSV with metadata", () => {
  const gz = join(tmp, "small.csv.gz");
  writeFileSync(gz, gzipSync("x,y,label\n1,2,a\n3,4,b\n"));
  const ds = loadDataset(gz, { labelColumn: "label" });
  assert.deepEqual(ds.labels, ["a", "b"]);
  const js = join(tmp, "d.json");
  writeFileSync(js, JSON.stringify({ X: [[1, 2], [3, 4]], labels: [0, 1] }));
  assert.deepEqual(loadDataset(js).labels, ["0", "1"]);
  const files = writeEmbedding(join(tmp, "z.tsv"), Matrix.fromArray([[0.5, 1], [2, 3.25]]), ["a\tx", "b"]);
  assert.deepEqual(files.map((f) => f.slice(tmp.length + 1)), ["z.tsv", "z-metadata.tsv"]);
  assert.equal(readFileSync(files[0]!, "utf8"), "0.5\t1\n2\t3.25\n");
  assert.equal(readFileSync(files[1]!, "utf8"), "a x\nb\n");
  const npy = join(tmp, "z.npy");
  writeEmbedding(npy, Matrix.fromArray([[1, 2]]));
  assert.deepEqual(loadDataset(npy).X.toArray(), [[1, 2]]);
  assert.throws(() => writeEmbedding(join(tmp, "z.xyz"), Matrix.fromArray([[1]])), /cannot tell the output format/);
});

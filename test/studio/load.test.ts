// The studio's file loader on real data (the bundled digits CSV, Fashion-MNIST's IDX files) and on files written
// here in every other format (projector TSV, .npy, word2vec/GloVe text and binary, gzipped), and on hostile input.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { Matrix } from "../../src/core/matrix.js";
import { Random } from "../../src/core/random.js";
import { FASHION_MNIST_CLASSES } from "../../src/formats/dataset.js";
import { parseIdx } from "../../src/formats/idx.js";
import { encodeNpy } from "../../src/formats/npy.js";
import { encodeWordVectors, formatFloat32 } from "../../src/formats/word-vectors.js";
import { readCsv } from "../../src/io/csv.js";
import { isDataFileName, loadFiles, makeColumn, parseVectorsTsv, type InputFile } from "../../src/studio/data/load.js";
import { KeyedVectors } from "../../src/text/keyed-vectors.js";
import { PROJECT_DATA, sharedData } from "../helpers.js";

const enc = new TextEncoder();
const file = (name: string, content: string | Uint8Array): InputFile => ({ name, bytes: typeof content === "string" ? enc.encode(content) : content });
const read = (path: string, name = path.replace(/^.*\//, "")): InputFile => ({ name, bytes: new Uint8Array(readFileSync(path)) });
const FASHION = "fashion-mnist/";

async function rejects(files: InputFile[], re: RegExp, opts = {}): Promise<void> {
  const t0 = performance.now();
  await assert.rejects(loadFiles(files, opts), (e: Error) => {
    assert.equal(e.name, "LatentkitError", e.stack);
    assert.match(e.message, re);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return true;
  });
  assert.ok(performance.now() - t0 < 2000, "a hostile file is refused at once");
}

test("digits CSV (gzipped, no header, label last): 1797 x 64 vectors, the label column, 8x8 images scaled to 0..255", async () => {
  const d = await loadFiles([read(join(PROJECT_DATA, "digits.csv.gz"))]);
  const t = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 });
  assert.equal(d.n, 1797);
  assert.equal(d.dim, 64);
  assert.deepEqual(Array.from(d.vectors), Array.from(t.X.data));
  assert.equal(d.columns.length, 1);
  const label = d.columns[d.colorColumn]!;
  assert.equal(label.name, "label");
  assert.equal(label.kind, "categorical");
  assert.deepEqual(label.values, t.labels);
  assert.deepEqual([...label.categories!].sort(), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  for (let i = 0; i < d.n; i++) assert.equal(label.categories![label.codes![i]!], t.labels![i]);
  assert.equal(d.coords, undefined);
  assert.ok(d.images);
  assert.equal(d.images.width, 8);
  assert.equal(d.images.height, 8);
  let max = 0;
  for (const v of t.X.data) max = Math.max(max, v);
  assert.equal(max, 16);
  for (let k = 0; k < t.X.data.length; k += 97) assert.equal(d.images.pixels[k], Math.round(t.X.data[k]! * 255 / 16));
  // images can be turned off; a wrong shape is refused
  assert.equal((await loadFiles([read(join(PROJECT_DATA, "digits.csv.gz"))], { images: false })).images, undefined);
  const shaped = await loadFiles([read(join(PROJECT_DATA, "digits.csv.gz"))], { images: [4, 16] });
  assert.deepEqual([shaped.images!.height, shaped.images!.width], [4, 16]);
  await rejects([read(join(PROJECT_DATA, "digits.csv.gz"))], /digits\.csv\.gz: image shape 5x5 has 25 pixels, but the rows have 64 values/, { images: [5, 5] });
  // the uncompressed bytes under the plain name load the same
  const plain = await loadFiles([file("digits.csv", gunzipSync(readFileSync(join(PROJECT_DATA, "digits.csv.gz"))))]);
  assert.deepEqual(Array.from(plain.vectors), Array.from(d.vectors));
  assert.equal(plain.name, "digits.csv");
});

test("Fashion-MNIST t10k IDX pair: 10,000 x 784 pixels / 255, class names, images kept as bytes", async () => {
  const images = read(sharedData(FASHION + "t10k-images-idx3-ubyte.gz"));
  const labels = read(sharedData(FASHION + "t10k-labels-idx1-ubyte.gz"));
  const d = await loadFiles([labels, images]);
  const raw = parseIdx(gunzipSync(images.bytes));
  const y = parseIdx(gunzipSync(labels.bytes)).data;
  assert.equal(d.n, 10000);
  assert.equal(d.dim, 784);
  assert.equal(d.images!.width, 28);
  assert.equal(d.images!.height, 28);
  assert.deepEqual(d.images!.pixels, raw.data);
  for (let k = 0; k < raw.data.length; k += 1013) assert.equal(d.vectors[k], Math.fround(raw.data[k]! / 255));
  assert.equal(d.columns.length, 1, "one pair: no split column");
  const label = d.columns[d.colorColumn]!;
  assert.equal(label.name, "label");
  assert.equal(label.kind, "categorical");
  for (let i = 0; i < d.n; i += 37) assert.equal(label.values[i], FASHION_MNIST_CLASSES[y[i]!]);
  assert.deepEqual([...label.categories!].sort(), [...FASHION_MNIST_CLASSES].sort());
  // plain (not gzipped) bytes, and class names given
  const named = await loadFiles([file("t10k-images-idx3-ubyte", gunzipSync(images.bytes)), file("t10k-labels-idx1-ubyte", gunzipSync(labels.bytes))],
    { classNames: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] });
  assert.equal(named.columns[0]!.values[0], "abcdefghij"[y[0]!]);
  // an images file alone: no label column
  const alone = await loadFiles([images]);
  assert.equal(alone.colorColumn, -1);
  assert.equal(alone.columns.length, 0);
});

test("Fashion-MNIST train + t10k: 70,000 points in a few seconds, train first, a split column", async () => {
  const names = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"];
  const files = names.map((n) => read(sharedData(FASHION + n)));
  const t0 = performance.now();
  const d = await loadFiles(files);
  const seconds = (performance.now() - t0) / 1000;
  assert.ok(seconds < 10, `70,000 x 784 loaded in ${seconds.toFixed(1)} s`);
  assert.equal(d.n, 70000);
  assert.equal(d.vectors.length, 70000 * 784);
  assert.equal(d.images!.pixels.length, 70000 * 784);
  const split = d.columns.find((c) => c.name === "split")!;
  assert.equal(split.kind, "categorical");
  assert.deepEqual(split.categories, ["train", "t10k"]);
  assert.equal(split.values[59999], "train");
  assert.equal(split.values[60000], "t10k");
  const test10k = parseIdx(gunzipSync(files[0]!.bytes));
  assert.deepEqual(d.images!.pixels.subarray(60000 * 784), test10k.data);
  assert.equal(d.columns[d.colorColumn]!.name, "label");
});

test("MNIST-like dark images (not Fashion-MNIST) keep integer labels; IDX errors name the files", async () => {
  const n = 20;
  const img = new Uint8Array(16 + n * 784);
  img.set([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28]);
  for (let k = 16; k < img.length; k += 7) img[k] = 200; // mean ~ 29
  const lab = new Uint8Array(8 + n);
  lab.set([0, 0, 8, 1, 0, 0, 0, n]);
  for (let i = 0; i < n; i++) lab[8 + i] = i % 10;
  const d = await loadFiles([file("train-images-idx3-ubyte", img), file("train-labels-idx1-ubyte", lab)]);
  assert.deepEqual(d.columns[0]!.values.slice(0, 3), ["0", "1", "2"]);
  await rejects([file("train-images-idx3-ubyte", img), file("train-labels-idx1-ubyte", lab.subarray(0, 8 + n - 1).slice())],
    /train-labels-idx1-ubyte: not a valid IDX file/);
  const short = new Uint8Array(8 + n - 1);
  short.set([0, 0, 8, 1, 0, 0, 0, n - 1]);
  await rejects([file("train-images-idx3-ubyte", img), file("train-labels-idx1-ubyte", short)],
    /train-labels-idx1-ubyte has 19 labels but train-images-idx3-ubyte has 20 images/);
  await rejects([file("t10k-labels-idx1-ubyte", lab)], /t10k-labels-idx1-ubyte: an IDX label file without its image file \(expected t10k-images-idx3-ubyte/);
  await rejects([file("train-images-idx3-ubyte", img.subarray(0, 100))], /train-images-idx3-ubyte: not a valid IDX file/);
});

/** Random vectors written as the projector's TSV (shortest float32 text), with the float32 values they read back as. */
function vectorsTsv(n: number, dim: number, seed = 1): { text: string; values: Float32Array } {
  const values = new Float32Array(n * dim);
  new Random(seed).fillNormal(values);
  for (let k = 0; k < values.length; k += 11) values[k] = values[k]! * 1e-7; // some exponents
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(Array.from(values.subarray(i * dim, (i + 1) * dim), formatFloat32).join("\t"));
  return { text: lines.join("\n") + "\n", values };
}

test("projector TSV: vectors + metadata with a header; numeric and categorical columns; the label column colours", async () => {
  const { text, values } = vectorsTsv(120, 5);
  const rows = ["name\tlabel\tscore\tyear"];
  for (let i = 0; i < 120; i++) rows.push(`p${i}\t${["cat", "dog", "fish"][i % 3]}\t${(i * 0.37).toFixed(2)}\t${2000 + (i % 4)}`);
  const d = await loadFiles([file("vectors.tsv", text), file("metadata.tsv", rows.join("\n") + "\n")]);
  assert.equal(d.n, 120);
  assert.equal(d.dim, 5);
  assert.deepEqual(d.vectors, values);
  assert.deepEqual(d.columns.map((c) => [c.name, c.kind]), [["name", "categorical"], ["label", "categorical"], ["score", "numeric"], ["year", "numeric"]]);
  assert.equal(d.colorColumn, 1);
  assert.deepEqual(d.columns[1]!.categories, ["cat", "dog", "fish"]);
  assert.deepEqual(Array.from(d.columns[1]!.codes!.subarray(0, 4)), [0, 1, 2, 0]);
  assert.equal(d.columns[2]!.numbers![10], 3.7);
  assert.equal(d.columns[3]!.numbers![1], 2001);
  assert.equal(d.coords, undefined);
  assert.equal(d.images, undefined, "vectors of floats get no images");
  // a single metadata column has no header (TensorFlow's convention), and is the label
  const one = await loadFiles([file("vectors.tsv", text), file("metadata.tsv", Array.from({ length: 120 }, (_, i) => `c${i % 4}`).join("\n"))]);
  assert.equal(one.columns.length, 1);
  assert.equal(one.columns[0]!.values[0], "c0");
  assert.equal(one.colorColumn, 0);
  // row counts must match: both counts and both names
  await rejects([file("vectors.tsv", text), file("metadata.tsv", rows.slice(0, 101).join("\n"))],
    /metadata\.tsv has 100 rows of metadata \(after its header\) but vectors\.tsv has 120 points/);
  // gzipped, Windows line ends
  const gz = await loadFiles([file("v.tsv.gz", gzipSync(text.replace(/\n/g, "\r\n"))), file("meta.tsv.gz", gzipSync(rows.join("\r\n")))]);
  assert.deepEqual(gz.vectors, values);
  assert.equal(gz.columns[0]!.values[119], "p119");
});

test("a label column with many distinct numbers is numeric; a label column of few numbers is categorical", () => {
  const many = Array.from({ length: 100 }, (_, i) => String(i / 10));
  assert.equal(makeColumn("label", many, true).kind, "numeric");
  assert.equal(makeColumn("label", many.slice(0, 50), true).kind, "categorical");
  assert.equal(makeColumn("year", many.slice(0, 10), false).kind, "numeric");
  const withMissing = makeColumn("v", ["1", "", "NA", "2.5"], false);
  assert.equal(withMissing.kind, "numeric");
  assert.ok(Number.isNaN(withMissing.numbers![1]!) && Number.isNaN(withMissing.numbers![2]!));
  assert.equal(makeColumn("v", ["1", "b"], false).kind, "categorical");
});

test("the vectors TSV reader's fast number path equals Number() then float32 on every kind of decimal", () => {
  const cells = ["0", "-0", "+1", "1.", ".5", "-.25", "3.14159265358979323846", "1e-7", "-2.5E+3", "123456789012345678", "0.000001234",
    "1e-40", "9.999999e37", "  7  ", "0.1", "0.30000000000000004", "4.9406564584124654e-324", "17", "1234567.8901234567"];
  const r = new Random(3);
  for (let i = 0; i < 300; i++) cells.push((r.normal() * 10 ** Math.floor(r.uniform() * 20 - 10)).toPrecision(1 + Math.floor(r.uniform() * 17)));
  const text = cells.map((c, i) => `${c}\t${i}`).join("\n");
  const { n, dim, data } = parseVectorsTsv(enc.encode(text), "x.tsv");
  assert.equal(n, cells.length);
  assert.equal(dim, 2);
  cells.forEach((c, i) => assert.ok(Object.is(data[2 * i], Math.fround(Number(c))), `${c}: ${data[2 * i]} vs ${Math.fround(Number(c))}`));
});

test("2-D and 3-D vectors are the file's own coordinates", async () => {
  const d2 = await loadFiles([file("map.tsv", "1\t2\n3\t4\n5\t6\n")]);
  assert.deepEqual(d2.coords, { dims: 2, values: new Float32Array([1, 2, 3, 4, 5, 6]) });
  const d3 = await loadFiles([file("map.npy", encodeNpy(new Matrix(2, 3, new Float64Array([1, 2, 3, 4, 5, 6]))))]);
  assert.equal(d3.coords!.dims, 3);
  assert.deepEqual(d3.coords!.values, new Float32Array([1, 2, 3, 4, 5, 6]));
});

test(".npy (float32 and float64) with a metadata TSV", async () => {
  const X = new Float32Array(40 * 7);
  new Random(5).fillNormal(X);
  const meta = Array.from({ length: 40 }, (_, i) => `${i % 2 ? "odd" : "even"}\tn${i}`);
  const d = await loadFiles([file("emb.npy", encodeNpy(new Matrix(40, 7, X))), file("emb-metadata.tsv", ["parity\tid", ...meta].join("\n"))]);
  assert.equal(d.n, 40);
  assert.equal(d.dim, 7);
  assert.deepEqual(d.vectors, X);
  assert.deepEqual(d.columns.map((c) => c.name), ["parity", "id"]);
  assert.equal(d.colorColumn, 1, "no named label column: the last text column");
  const d64 = await loadFiles([file("emb.npy.gz", gzipSync(encodeNpy(new Matrix(40, 7, Float64Array.from(X)))))], { labelColumn: null });
  assert.deepEqual(d64.vectors, X);
  assert.equal(d64.colorColumn, -1);
  const bad = Float64Array.from(X);
  bad[17] = Infinity;
  await rejects([file("emb.npy", encodeNpy(new Matrix(40, 7, bad)))], /emb\.npy: row 2, column 3 is Infinity: vectors must be finite/);
  await rejects([file("emb.npy", enc.encode("not numpy"))], /emb\.npy: not an \.npy file/);
});

test("word2vec text, GloVe text and word2vec binary: the word becomes a column", async () => {
  const words = ["king", "queen", "man", "woman", "apple"];
  const V = new Float32Array(words.length * 4);
  new Random(9).fillNormal(V);
  const kv = new KeyedVectors(words, new Matrix(words.length, 4, V));
  for (const [name, format] of [["w.txt", "word2vec"], ["glove.6B.4d.txt", "glove"], ["w.vec.gz", "word2vec"], ["w.bin", "word2vec-binary"], ["binary-named.txt", "word2vec-binary"]] as const) {
    let bytes = encodeWordVectors(kv, format);
    if (name.endsWith(".gz")) bytes = gzipSync(bytes);
    const d = await loadFiles([file(name, bytes)]);
    assert.equal(d.n, 5, name);
    assert.equal(d.dim, 4);
    assert.deepEqual(d.vectors, V, name);
    assert.equal(d.columns[0]!.name, "word");
    assert.deepEqual(d.columns[0]!.values, words);
    assert.equal(d.colorColumn, -1);
  }
  const withMeta = await loadFiles([file("w.txt", encodeWordVectors(kv)), file("labels.tsv", "royal\nroyal\nperson\nperson\nfruit\n")]);
  assert.deepEqual(withMeta.columns.map((c) => c.name), ["word", "label"]);
  assert.equal(withMeta.colorColumn, 1);
  await rejects([file("w.txt", "5 4\nking 1 2 3\n")], /w\.txt: header says 5 words, the file has 1/);
});

test("CSV tables: a text label column, a named label column, the label option, scikit-learn's iris header", async () => {
  const csv = "sepal,petal,name,species\n1,2,a,s\n3,4,b,t\n5,6,c,s\n";
  const d = await loadFiles([file("t.csv", csv)]);
  assert.equal(d.dim, 2);
  assert.deepEqual(Array.from(d.vectors), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(d.columns.map((c) => [c.name, c.kind]), [["name", "categorical"], ["species", "categorical"]]);
  assert.equal(d.columns[d.colorColumn]!.name, "species");
  const named = await loadFiles([file("t.csv", "x,y,class\n1,2,3\n3,4,5\n5,6,3\n")]);
  assert.equal(named.columns[named.colorColumn]!.name, "class");
  assert.equal(named.dim, 2);
  assert.deepEqual(named.coords!.values, new Float32Array([1, 2, 3, 4, 5, 6]));
  const opt = await loadFiles([file("t.csv", csv)], { labelColumn: "name" });
  assert.equal(opt.columns[opt.colorColumn]!.name, "name");
  await rejects([file("t.csv", csv)], /unknown label column "nope": t\.csv has columns/, { labelColumn: "nope" });
  // no header, a text label last: the first row is data
  const bare = await loadFiles([file("b.csv", "1,2,cat\n3,4,dog\n5,6,cat\n")]);
  assert.equal(bare.n, 3);
  assert.deepEqual(bare.columns[bare.colorColumn]!.values, ["cat", "dog", "cat"]);
  // every column numeric, the last of many distinct values: no label
  const floats = await loadFiles([file("f.csv", "1.5,2.25\n3.5,4.75\n5.5,6.125\n")]);
  assert.equal(floats.colorColumn, -1);
  assert.equal(floats.dim, 2);
  const iris = await loadFiles([read(sharedData("tabular/iris.csv"))]);
  assert.equal(iris.n, 150);
  assert.equal(iris.dim, 4);
  assert.deepEqual([...iris.columns[iris.colorColumn]!.categories!].sort(), ["setosa", "versicolor", "virginica"]);
  // a TSV with a header and a text column, alone, is a table too
  const table = await loadFiles([file("table.tsv", "a\tb\tkind\n1\t2\tx\n3\t4\ty\n")]);
  assert.equal(table.dim, 2);
  assert.equal(table.columns[table.colorColumn]!.name, "kind");
});

test("hostile input: one clear error each, at once", async () => {
  const { text } = vectorsTsv(10, 3);
  await rejects([file("v.tsv", new Uint8Array(0))], /v\.tsv is empty \(0 bytes\)/);
  await rejects([file("v.tsv.gz", gzipSync(new Uint8Array(0)))], /v\.tsv\.gz is empty \(0 bytes after decompression\)/);
  await rejects([file("v.tsv", "1\t2\t3\n4\t5\n")], /v\.tsv: ragged rows: line 2 has 2 values, the first row has 3/);
  await rejects([file("v.tsv", "1\t2\n4\t5\t6\n")], /v\.tsv: ragged rows: line 2 has more than 2 values/);
  await rejects([file("v.tsv", "1\t2\n4\tNaN\n")], /v\.tsv: line 2, column 2: "NaN" is not a finite number/);
  await rejects([file("v.tsv", "1\t2\n4\t-inf\n")], /v\.tsv: line 2, column 2: "-inf" is not a finite number/);
  await rejects([file("v.tsv", "1\t2\n4\t1e39\n")], /v\.tsv: line 2, column 2: "1e39" is not a finite number \(outside the float32 range/);
  await rejects([file("v.tsv", "1\t\t3\n")], /v\.tsv: line 1, column 2: "" is an empty cell/);
  await rejects([file("v.tsv", text), file("meta.tsv", "a\nb\n")], /meta\.tsv has 2 rows of metadata but v\.tsv has 10 points/);
  await rejects([file("data.xlsx", "PK\x03\x04")], /data\.xlsx: unknown kind of file \(\.xlsx\): the studio reads/);
  await rejects([file("README", "hello")], /README: unknown kind of file \(no extension\)/);
  await rejects([file("v.csv", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))], /v\.csv: binary data \(a NUL byte at offset 8\) in a file named as text: expected CSV text/);
  await rejects([file("v.tsv", Uint8Array.from([0xff, 0xfe, 0x41, 0x42]))], /v\.tsv: binary data \(bytes that are not UTF-8 text\)/);
  await rejects([file("v.tsv.gz", gzipSync(enc.encode(text)).subarray(0, 30))], /v\.tsv\.gz: not valid gzip data/);
  await rejects([file("v.tsv.gz", Uint8Array.from([0x1f, 0x8b, 9, 9, 9, 9, 9, 9, 9, 9]))], /v\.tsv\.gz: not valid gzip data/);
  await rejects([file("v.tsv.gz", gzipSync(enc.encode(text)))], /decompresses to more than 100 bytes/, { maxBytes: 100 });
  await rejects([], /no files given/);
  await rejects([file("a.csv", "1,2\n"), file("b.npy", encodeNpy(new Matrix(1, 2, new Float32Array(2))))], /several data sets given \(a\.csv, b\.npy\)/);
  await rejects([file("v.tsv", text), file("w.tsv", text)], /two vectors TSV files \(v\.tsv, w\.tsv\)/);
  await rejects([file("t.csv", "a,b\n1,2\n3\n")], /t\.csv: ragged rows: line 3 has 1 fields, expected 2/);
  await rejects([file("t.csv", "a,b\n")], /t\.csv has a header but no rows of data/);
  await rejects([file("w.bin", "hello world\n")], /w\.bin: expected the word2vec binary format/);
});

test("isDataFileName: the names the server lists", () => {
  for (const n of ["v.tsv", "x.TSV.gz", "d.csv.gz", "e.npy", "w.txt", "w.vec", "w.bin", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte", "a.idx3"]) {
    assert.ok(isDataFileName(n), n);
  }
  for (const n of ["package.json", "a.gz", "index.html", "x.xlsx", "npy"]) assert.ok(!isDataFileName(n), n);
});

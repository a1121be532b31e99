// Issue 10, causes 4, 5, 7 and 9: values the readers and estimators are given (float32 range, extreme scales,
// non-finite word vectors, data arguments of the wrong type, duplicate points, malformed headers).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Matrix, toMatrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { parseCsv } from "../../src/formats/csv.js";
import { encodeNpy, parseNpy } from "../../src/formats/npy.js";
import { parseWordVectors } from "../../src/formats/word-vectors.js";
import { loadDataset } from "../../src/io/dataset.js";
import { MDS } from "../../src/manifold/mds.js";
import { Sammon } from "../../src/manifold/sammon.js";
import { TSNE } from "../../src/manifold/tsne.js";
import { UMAP } from "../../src/manifold/umap.js";
import { trustworthiness } from "../../src/metrics/quality.js";
import { exactKnn } from "../../src/neighbors/knn.js";
import { sammonStress, stress } from "../../src/metrics/stress.js";
import { KeyedVectors } from "../../src/text/keyed-vectors.js";
import { Word2Vec } from "../../src/text/word2vec.js";
import { cliFails, PROJECT_DATA, refuses, runCli, scratchDir, scratchFile } from "../helpers.js";

const digits = loadDataset(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X.rowRange(0, 300);
const scaled = (s: number): Matrix => {
  const m = digits.clone();
  for (let i = 0; i < m.data.length; i++) m.data[i]! *= s;
  return m;
};

// --- cause 4: the float32 range --------------------------------------------------------------------------------

test("a CSV, JSON or .npy value beyond float32 is named with its file, place and the float32 range", async () => {
  await refuses(() => parseCsv("a,b\n1,2\n1e39,3\n", {}, "big.csv"),
    /^big\.csv: line 3, column "a": 1e39 is outside the float32 range \(magnitudes up to 3\.4028235e38\)/);
  await refuses(() => parseCsv("a,b\n1,-4e38\n", {}, "neg.csv"), /^neg\.csv: line 2, column "b": -4e38 is outside the float32 range/);
  // the largest float32 itself is fine
  assert.equal(parseCsv("a\n3.4028234e38\n").X.data[0], Math.fround(3.4028234e38));
  await refuses(() => toMatrix([[1, 2], [3, 1e39]]), /^X\[1\]\[1\] is 1e\+39: outside the float32 range/);
  const f8 = Matrix.fromArray([[1, 2], [1e300, 4]], "float64");
  await refuses(() => parseNpy(encodeNpy(f8), "f8.npy"), /^f8\.npy: value at row 1, column 0 is 1e\+300: outside the float32 range/);
  await refuses(() => toMatrix(f8, "Z"), /^Z\[1\]\[0\] is 1e\+300: outside the float32 range/);
  const json = scratchFile("big.json", JSON.stringify([[1, 2], [3, 1e39]]));
  await refuses(() => loadDataset(json), /big\.json\[1\]\[1\] is 1e\+39: outside the float32 range/);
  const z = join(scratchDir(), "never.tsv");
  cliFails(["pca", scratchFile("big.csv", "a,b\n1,2\n1e39,3\n4,5\n"), "--out", z], /big\.csv: line 3, column "a": 1e39 is outside the float32 range/, [z]);
  cliFails(["info", scratchFile("nan.npy", encodeNpy(new Matrix(2, 2, Float64Array.from([1, NaN, 2, 3]))))], /nan\.npy\[0\]\[1\] is NaN: expected finite numbers/);
});

test("PCA is scale-equivariant at 1e25 and 1e-30 (no overflow of the covariance route, no underflow)", async () => {
  for (const solver of ["covariance-eig", "full"] as const) {
    const ref = await new PCA({ nComponents: 3, solver }).fit(digits);
    for (const s of [1e25, 1e-30]) {
      const p = await new PCA({ nComponents: 3, solver }).fit(scaled(s));
      for (let c = 0; c < 3; c++) {
        const rel = Math.abs(p.singularValues[c]! / s - ref.singularValues[c]!) / ref.singularValues[c]!;
        assert.ok(rel < 1e-5, `${solver} x${s}: singular value ${c} is ${p.singularValues[c]}, expected ${ref.singularValues[c]! * s}`);
        assert.ok(Math.abs(p.explainedVarianceRatio[c]! - ref.explainedVarianceRatio[c]!) < 1e-6);
      }
      const Z = p.transform(scaled(s));
      const Z0 = ref.transform(digits);
      for (let t = 0; t < Z.data.length; t++) assert.ok(Math.abs(Z.data[t]! / s - Z0.data[t]!) < 1e-3 * (1 + Math.abs(Z0.data[t]!)), `projection ${t}`);
      const back = p.inverseTransform(Z);
      assert.ok(back.data.every(Number.isFinite));
    }
  }
});

test("t-SNE and UMAP give the same quality on digits x1e25 and x1e-30 as on the digits", async () => {
  const tsne = async (X: Matrix): Promise<number> => trustworthiness(digits, await new TSNE({ maxIter: 300, seed: 0 }).fitTransform(X), 5);
  const umap = async (X: Matrix): Promise<number> => trustworthiness(digits, await new UMAP({ nEpochs: 100, seed: 0 }).fitTransform(X), 5);
  const t0 = await tsne(digits);
  const u0 = await umap(digits);
  assert.ok(t0 > 0.95 && u0 > 0.95, `${t0} ${u0}`);
  for (const s of [1e25, 1e-30]) {
    const t = await tsne(scaled(s));
    const u = await umap(scaled(s));
    assert.ok(Math.abs(t - t0) < 0.01, `t-SNE x${s}: trustworthiness ${t} vs ${t0}`);
    assert.ok(Math.abs(u - u0) < 0.02, `UMAP x${s}: trustworthiness ${u} vs ${u0}`);
  }
});

test("kNN search, MDS and Sammon are scale-equivariant at 1e25 and 1e-30", async () => {
  const X = digits.rowRange(0, 60);
  const g0 = exactKnn(X, 5);
  const m0 = new MDS({ maxIter: 50 });
  const Y0 = await m0.fitTransform(X);
  const s0 = new Sammon({ maxIter: 50 });
  const Z0 = await s0.fitTransform(X);
  for (const s of [1e25, 1e-30]) {
    const Xs = scaled(s).rowRange(0, 60);
    const g = exactKnn(Xs, 5);
    // the same neighbours (digits have tied distances, which the rounding of X·s may order differently)
    let same = 0;
    for (let i = 0; i < 60; i++) {
      const a = new Set(g0.indices.subarray(i * 5, i * 5 + 5));
      for (const j of g.indices.subarray(i * 5, i * 5 + 5)) if (a.has(j)) same++;
    }
    assert.ok(same >= 0.9 * 300, `kNN x${s}: ${same} of 300 neighbours agree`);
    for (let t = 0; t < g.distances.length; t++) assert.ok(Math.abs(g.distances[t]! / s - g0.distances[t]!) < 1e-4 * g0.distances[t]!);
    const m = new MDS({ maxIter: 50 });
    const Y = await m.fitTransform(Xs);
    assert.ok(Math.abs(m.stress - m0.stress) < 1e-6, `MDS x${s}: stress ${m.stress} vs ${m0.stress}`);
    for (let t = 0; t < Y.data.length; t++) assert.ok(Math.abs(Y.data[t]! / s - Y0.data[t]!) < 1e-3 * (1 + Math.abs(Y0.data[t]!)));
    const sm = new Sammon({ maxIter: 50 });
    const Z = await sm.fitTransform(Xs);
    // the same map up to the rounding of X·s (iterative, so a little apart)
    assert.ok(Math.abs(sm.stress - s0.stress) < 0.01 * s0.stress, `Sammon x${s}: stress ${sm.stress} vs ${s0.stress}`);
    // the map's size (root mean square distance to its centre; rotations and reflections do not change it)
    const spread = (M: Matrix, f: number): number => {
      const c = [0, 0];
      for (let i = 0; i < M.rows; i++) for (let a = 0; a < 2; a++) c[a]! += (M.get(i, a) * f) / M.rows;
      let ss = 0;
      for (let i = 0; i < M.rows; i++) for (let a = 0; a < 2; a++) ss += (M.get(i, a) * f - c[a]!) ** 2;
      return Math.sqrt(ss / M.rows);
    };
    assert.ok(Z.data.every(Number.isFinite) && Math.abs(spread(Z, 1 / s) / spread(Z0, 1) - 1) < 0.05);
  }
});

test("a projection that float32 cannot hold is an error, not Infinity", async () => {
  const X = Matrix.fromArray([[3e38, -3e38, 3e38], [-3e38, 3e38, -3e38], [3e38, 3e38, -3e38], [-3e38, -3e38, 3e38]]);
  const p = await new PCA({ nComponents: 1, solver: "full" }).fit(X);
  assert.ok(p.singularValues.every(Number.isFinite));
  await refuses(() => p.transform(X), /^PCA\.transform: projection \[0\]\[0\] is -?\d.*e\+38, outside the float32 range/);
});

// --- cause 5: word-vector files ----------------------------------------------------------------------------------

test("word-vector text: inf, -inf and nan are read, and a non-finite vector is rejected naming the word and line", async () => {
  await refuses(() => parseWordVectors("3 2\nking 0.1 0.2\nqueen inf 0.3\nman 0 0\n", undefined, "v.txt"),
    /^v\.txt: line 3: the vector of "queen" has a non-finite value at dimension 1: infinite; word vectors must be finite/);
  await refuses(() => parseWordVectors("king 0.1 -inf\n", undefined, "g.txt"), /^g\.txt: line 1: the vector of "king" has a non-finite value at dimension 2: infinite/);
  await refuses(() => parseWordVectors("2 2\nking 0.1 0.2\nman nan 0\n", undefined, "n.txt"), /line 3: the vector of "man" has a non-finite value at dimension 1: NaN/);
  await refuses(() => parseWordVectors("1 2\nking 0.1 1e39\n", undefined, "r.txt"), /line 2: the vector of "king" .* 1e39 \(outside the float32 range/);
  // "abc" is still not a number
  await refuses(() => parseWordVectors("1 2\nking 0.1 abc\n", undefined, "a.txt"), /^a\.txt: line 2: "abc" is not a number/);
  // Windows line endings and runs of spaces are fine
  const kv = parseWordVectors("2 2\r\nking  0.5 0.25\r\nqueen 0.5 0.5\r\n");
  assert.deepEqual([...kv.words], ["king", "queen"]);
  assert.deepEqual(Array.from(kv.get("king")), [0.5, 0.25]);
  // a byte-order mark before the header, and a word given twice
  assert.equal(parseWordVectors("\ufeff1 2\nking 1 2\n").size, 1);
  await refuses(() => parseWordVectors("3 1\nking 1\nqueen 2\nking 3\n", undefined, "d.txt"),
    /^d\.txt: line 4: the word "king" already has a vector \(line 2\): words must be distinct$/);
  const p = scratchFile("nan.vec", "2 2\nking 0.1 0.2\nqueen nan 0\n");
  cliFails(["similar", p, "king"], /nan\.vec: line 3: the vector of "queen" has a non-finite value/);
});

test("word2vec binary: a text file, a short file and trailing bytes are named, not read as garbage vectors", async () => {
  const text = new TextEncoder().encode("2 3\nking 0.1 0.2 0.3\nqueen 0.4 0.5 0.6\n");
  await refuses(() => parseWordVectors(text, "word2vec-binary", "t.vec"),
    /^t\.vec: the first vector's bytes are decimal text .* not binary float32\. Is it a text-format file\?/);
  const enc = new TextEncoder();
  const vec = (w: string, v: number[]): Uint8Array => {
    const b = new Uint8Array(w.length + 1 + 4 * v.length);
    b.set(enc.encode(w + " "));
    const dv = new DataView(b.buffer);
    v.forEach((x, i) => dv.setFloat32(w.length + 1 + 4 * i, x, true));
    return b;
  };
  const cat = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) (out.set(p, o), (o += p.length));
    return out;
  };
  const good = cat(enc.encode("2 2\n"), vec("king", [1, 2]), enc.encode("\n"), vec("queen", [3, 4]), enc.encode("\n"));
  assert.deepEqual(Array.from(parseWordVectors(good, "word2vec-binary").get("queen")), [3, 4]);
  await refuses(() => parseWordVectors(cat(enc.encode("5 2\n"), vec("king", [1, 2])), "word2vec-binary", "s.bin"),
    /^s\.bin: the header says 5 words of 2 dimensions, which needs at least 50 bytes of vectors, but the file has 13/);
  await refuses(() => parseWordVectors(cat(enc.encode("1 2\n"), vec("king", [1, 2]), vec("queen", [3, 4])), "word2vec-binary", "x.bin"),
    /^x\.bin: 14 bytes follow the last of the 1 vectors the header announces/);
  await refuses(() => parseWordVectors(cat(enc.encode("1 2\n"), vec("king", [1, NaN])), "word2vec-binary", "n.bin"),
    /^n\.bin: vector 1: the vector of "king" has a non-finite value at dimension 2: NaN/);
  cliFails(["similar", scratchFile("text.vec", text), "king", "--binary"], /text\.vec: the first vector's bytes are decimal text/);
});

// --- cause 7: data arguments -------------------------------------------------------------------------------------

test("data of the wrong type is a LatentkitError naming what was given and what is expected", async () => {
  await refuses(() => new PCA().fit(42 as never), /^X must be a Matrix or an array of rows \(arrays of numbers\), got 42$/);
  await refuses(() => new PCA().fit("abc" as never), /^X must be a Matrix or an array of rows \(arrays of numbers\), got "abc"$/);
  await refuses(() => new TSNE().fit([1, 2, 3] as never), /^X is a flat array of numbers: expected an array of rows/);
  await refuses(() => new UMAP().fit([[1, 2], "ab"] as never), /^X has ragged rows|X\[1\]\[0\] is "a", expected a number/);
  await refuses(() => new PCA().fit([[1, 2], [3, "4"]] as never), /^X\[1\]\[1\] is "4", expected a number$/);
  await refuses(() => new Matrix(2, 2, [1, 2, 3, 4] as never), /^matrix data must be a Float32Array or a Float64Array, got \[1,2,3,4\]: build a matrix from nested arrays with Matrix\.fromArray/);
  await refuses(() => new Word2Vec().fit("a string" as never), /^sentences must be a list of token lists, got a string "a string"/);
  await refuses(() => new MDS().fit(null as never), /^X must be a Matrix or an array of rows/);
  // a NaN in a t-SNE start is named as such (it read as a divergence blamed on the learning rate)
  const init = new Matrix(6, 2, Float32Array.from([1, 2, NaN, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  await refuses(() => new TSNE({ init, perplexity: 1 }).fit([[1, 2], [3, 4], [5, 6], [7, 9], [1, 0], [2, 2]]), /^init\[1\]\[0\] is NaN: expected finite numbers/);
  // word vectors built in code are checked as files are
  await refuses(() => new KeyedVectors(["a", "b"], init.rowRange(0, 2)), /^the vector of "b" \(row 1\) has NaN at dimension 1: word vectors must be finite$/);
});

// --- cause 9: messages about internals, duplicate points, headers ------------------------------------------------

test("t-SNE's perplexity and the CLI's --quality-sample are checked under their own names", async () => {
  await refuses(() => new TSNE({ perplexity: 1e-9 }).fit(digits.rowRange(0, 50)),
    /^perplexity=1e-9 is too small: t-SNE uses ⌊3·perplexity⌋ nearest neighbours, so perplexity must be at least 1\/3/);
  const csv = join(PROJECT_DATA, "digits.csv.gz");
  const out = join(scratchDir(), "q.tsv");
  cliFails(["tsne", csv, "--label-column", "-1", "--limit", "60", "--perplexity", "1e-9", "--out", out], /perplexity=1e-9 is too small/, [out]);
  cliFails(["umap", csv, "--label-column", "-1", "--limit", "60", "--quality-sample", "1", "--out", out], /^latentkit: --quality-sample must be at least 3/, [out]);
  // t-SNE on data so large that float32 distances overflowed (CSR value ... is NaN) now maps it
  const huge = digits.rowRange(0, 60).clone();
  for (let i = 0; i < huge.data.length; i++) huge.data[i]! *= 2e37;
  const Z = await new TSNE({ perplexity: 10, maxIter: 250 }).fitTransform(huge);
  assert.ok(Z.data.every(Number.isFinite));
});

test("t-SNE, UMAP, MDS and Sammon handle duplicated and all-identical points", async () => {
  const same = new Matrix(20, 3, new Float32Array(60).fill(2));
  for (const est of [new TSNE({ perplexity: 5, maxIter: 100 }), new UMAP({ nNeighbors: 5, nEpochs: 30 })]) {
    const Z = await est.fitTransform(same);
    assert.ok(Z.data.every(Number.isFinite), est.constructor.name);
  }
  const mds = new MDS();
  const Zm = await mds.fitTransform(same);
  assert.equal(mds.stress, 0);
  assert.ok(Zm.data.every((v) => v === 0));
  const sam = new Sammon();
  await sam.fit(same);
  assert.equal(sam.stress, 0);
  // rows repeated three times: t-SNE (PCA init) works and keeps the copies together; Sammon maps the copies onto one spot
  const base = digits.rowRange(0, 40);
  const rep = new Matrix(120, 64, new Float32Array(120 * 64));
  for (let i = 0; i < 120; i++) rep.data.set(base.row(i % 40), i * 64);
  const Zt = await new TSNE({ perplexity: 10, maxIter: 1000 }).fitTransform(rep);
  // each point's copies lie much nearer to it than the other points do, on average
  const d = (i: number, j: number): number => Math.hypot(Zt.get(i, 0) - Zt.get(j, 0), Zt.get(i, 1) - Zt.get(j, 1));
  let copies = 0, others = 0;
  for (let i = 0; i < 40; i++) {
    copies += (d(i, i + 40) + d(i, i + 80)) / 2 / 40;
    for (let j = 0; j < 40; j++) if (j !== i) others += d(i, j) / (40 * 39);
  }
  assert.ok(copies < others / 20, `copies ${copies} apart, other points ${others}`);
  const s2 = new Sammon({ maxIter: 200 });
  const Zs = await s2.fitTransform(rep);
  for (let i = 40; i < 120; i++) assert.deepEqual(Array.from(Zs.row(i)), Array.from(Zs.row(i % 40)));
  assert.ok(Number.isFinite(s2.stress) && s2.stress < 0.2, `stress ${s2.stress}`);
  const m2 = new MDS({ maxIter: 100 });
  await m2.fit(rep);
  assert.ok(Number.isFinite(m2.stress) && m2.stress < 0.5, `stress ${m2.stress}`);
  // the stress figures on coincident points
  const D0 = new Matrix(3, 3, new Float64Array(9));
  assert.equal(stress(D0, [[0, 0], [0, 0], [0, 0]]), 0);
  assert.equal(sammonStress(D0, [[0, 0], [0, 0], [0, 0]]), 0);
});

test("a malformed .npy header is shown as a short escaped excerpt; a negative shape names the file", async () => {
  const npy = (header: Uint8Array | string, data = new Uint8Array(16)): Uint8Array => {
    const h = typeof header === "string" ? new TextEncoder().encode(header) : header;
    const out = new Uint8Array(10 + h.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(out.buffer).setUint16(8, h.length, true);
    out.set(h, 10);
    out.set(data, 10 + h.length);
    return out;
  };
  const binary = Uint8Array.from({ length: 700 }, (_, i) => 128 + (i % 120));
  const err = await (async () => {
    try {
      parseNpy(npy(binary), "b.npy");
    } catch (e) {
      return (e as Error).message;
    }
    return "";
  })();
  assert.match(err, /^b\.npy: malformed \.npy header \(expected a dict with 'descr' and 'shape'\): "\\x80\\x81/);
  assert.ok(err.length < 500, `${err.length} characters`);
  assert.ok(/^[\x20-\x7e]*$/.test(err), "the message holds only printable ASCII");
  await refuses(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-40, -4), }"), "neg.npy"),
    /^neg\.npy: malformed \.npy header: shape \(-40, -4\) must list non-negative integers$/);
  await refuses(() => parseNpy(npy("{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }"), "u.npy"), /^u\.npy: unsupported dtype "<U4"/);
  const r = runCli("info", scratchFile("bad.npy", npy(binary)));
  assert.equal(r.status, 2);
  assert.ok(/^[\x20-\x7e\n]*$/.test(r.stderr) && r.stderr.split("\n").length === 2, r.stderr);
});

test("a CSV's UTF-8 byte-order mark, Windows line endings, quoted numbers and thousands separators", async () => {
  const t = parseCsv("\ufeffx,y\r\n\"1\",2\r\n3,\"4.5\"\r\n\r\n");
  assert.deepEqual(t.featureNames, ["x", "y"]);
  assert.deepEqual(Array.from(t.X.data), [1, 2, 3, 4.5]);
  const info = runCli("info", scratchFile("bom.csv", "\ufeffx,y\n1,2\n3,4\n"), "--json");
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual(JSON.parse(info.stdout).featureNames, ["x", "y"]);
  await refuses(() => parseCsv("a,b\n\"1,234\",2\n", {}, "t.csv"), /^t\.csv: line 2, column "a": "1,234" is not a finite number \(it looks like a number with thousands separators/);
});

test("messy CSVs: semicolons, a trailing delimiter, missing values, values float32 turns into 0", async () => {
  const semi = parseCsv("a;b\n1.5;2\n3;4\n");
  assert.deepEqual(semi.featureNames, ["a", "b"]);
  assert.deepEqual(Array.from(semi.X.data), [1.5, 2, 3, 4]);
  await refuses(() => parseCsv("a;b\n1,5;2\n", {}, "eu.csv"), /^eu\.csv: line 2, column "a": "1,5" is not a finite number \(a decimal comma\?/);
  await refuses(() => parseCsv("a|b\n1|2\n3|4\n", {}, "p.csv"), /^p\.csv: .*is the delimiter something other than ","\?|^p\.csv: line 2, column "a\|b"/);
  const trail = parseCsv("a,b,\n1,2,\n3,4,\n");
  assert.deepEqual(trail.featureNames, ["a", "b"]);
  assert.equal(trail.X.cols, 2);
  await refuses(() => parseCsv("a,b\n1,2\n,\n", {}, "e.csv"), /^e\.csv: line 3, column "a": an empty cell is not a finite number \(a missing value\?\)/);
  await refuses(() => parseCsv("a,b\n1,NA\n", {}, "na.csv"), /^na\.csv: line 2, column "b": "NA" is not a finite number \(a missing value\?\)/);
  await refuses(() => parseCsv("a\n1\n1e-50\n", {}, "t.csv"), /^t\.csv: line 3, column "a": 1e-50 is too small for float32/);
  await refuses(() => toMatrix([[1e-50]]), /^X\[0\]\[0\] is 1e-50: too small for float32/);
  // subnormal float32 values are still values
  assert.ok(parseCsv("a\n1e-40\n").X.data[0]! > 0);
  cliFails(["info", scratchFile("na.csv", "a,b\n1,2\n3,NA\n")], /na\.csv: line 3, column "b": "NA" is not a finite number \(a missing value\?\)/);
});

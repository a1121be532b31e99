import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { LatentkitError } from "../../src/core/errors.js";
import { Matrix } from "../../src/core/matrix.js";
import { readEdgeList, writeNodeVectors } from "../../src/io/graph.js";
import { readNpy } from "../../src/io/npy.js";
import { readWordVectors } from "../../src/io/word-vectors.js";
import { sharedData } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "latentkit-graph-"));
const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const EDGES = "# a comment\n% another comment\n\nalice\tbob\t2.5\nbob\tcarol\t1\r\ncarol\t007\t0.25\n007\talice\t4\n";

test("edge lists: string names (\"007\" stays a string), comments, CRLF, weights, .gz, CSV and space separators", () => {
  const g = readEdgeList(file("e.tsv", EDGES));
  assert.deepEqual(g.names, ["alice", "bob", "carol", "007"]);
  assert.equal(g.nEdges, 4);
  assert.equal(g.weighted, true);
  assert.ok(Math.abs(g.neighborWeights(g.idOf("carol"))[Array.from(g.neighbors(g.idOf("carol"))).indexOf(g.idOf("007"))]! - 0.25) < 1e-7);
  assert.equal(g.hasEdge(g.idOf("bob"), g.idOf("alice")), true); // undirected by default
  const gz = readEdgeList(file("e.tsv.gz", gzipSync(EDGES)));
  assert.deepEqual(gz.names, g.names);
  assert.deepEqual(gz.indices, g.indices);
  assert.deepEqual(gz.weights, g.weights);
  const csv = readEdgeList(file("e.csv", EDGES.replace(/\t/g, ",")));
  assert.deepEqual(csv.weights, g.weights);
  const spaces = readEdgeList(file("e.txt", EDGES.replace(/\t/g, "   ")));
  assert.deepEqual(spaces.weights, g.weights);
  // weights ignored on request; directed on request
  const plain = readEdgeList(file("e2.tsv", EDGES), { weighted: false, directed: true });
  assert.equal(plain.weighted, false);
  assert.equal(plain.hasEdge(plain.idOf("bob"), plain.idOf("alice")), false);
  // two columns: unweighted
  assert.equal(readEdgeList(file("e3.tsv", "1 2\n2 3\n")).weighted, false);
});

test("bad input is one line naming the file and line: empty graph, negative or missing weight, a malformed line", () => {
  const refuse = (text: string, re: RegExp, opts = {}): void => {
    const p = file(`bad${Math.random().toString(36).slice(2)}.tsv`, text);
    assert.throws(() => readEdgeList(p, opts), (e: Error) => e instanceof LatentkitError && re.test(e.message) && e.message.includes(p) && !e.message.includes("\n"), re.source);
  };
  refuse("# only a comment\n\n", /the graph is empty: no edge lines \(2 lines/);
  refuse("", /the graph is empty/);
  refuse("a\tb\t1\nb\tc\t-2\n", /:2: the weight "-2" must be a number > 0 \(edge "b" – "c"\)/);
  refuse("a\tb\t1\nb\tc\tx\n", /:2: the weight "x" must be a number > 0/);
  refuse("a\tb\t1\nb\tc\t0\n", /:2: the weight "0" must be a number > 0/);
  refuse("# header\na\tb\nc\n", /:3: expected a source and a target columns, got "c"/);
  refuse("a\tb\t1\nb\tc\n", /:2: expected source, target and weight columns, got "b\\tc"/);
  refuse("a b\n", /:1: expected source, target and weight columns/, { weighted: true });
  assert.throws(() => readEdgeList(join(dir, "missing.tsv")), /cannot read .*missing\.tsv: no such file/);
});

test("node vectors by name: word2vec text, Projector TSV + metadata (names, labels), NPY + names; the names round-trip", () => {
  const g = readEdgeList(file("v.tsv", EDGES));
  const V = new Matrix(4, 3, Float32Array.from({ length: 12 }, (_, i) => (i - 5) / 7));
  const w2v = join(dir, "vectors.txt");
  assert.deepEqual(writeNodeVectors(w2v, g.names, V, "word2vec"), [w2v]);
  const kv = readWordVectors(w2v);
  assert.deepEqual(kv.words, ["alice", "bob", "carol", "007"]);
  assert.deepEqual(Array.from(kv.vectors.data), Array.from(V.data));
  const tsv = join(dir, "vectors.tsv");
  const files = writeNodeVectors(tsv, g.names, V, "tsv", { labels: ["x", "y", undefined, 3] });
  assert.deepEqual(files, [tsv, join(dir, "vectors-metadata.tsv")]);
  const rows = readFileSync(tsv, "utf8").trim().split("\n").map((l) => l.split("\t").map(Number));
  assert.deepEqual(rows.flat().map(Math.fround), Array.from(V.data));
  assert.equal(readFileSync(files[1]!, "utf8"), "node\tlabel\nalice\tx\nbob\ty\ncarol\t\n007\t3\n");
  const npy = join(dir, "vectors.npy");
  const nf = writeNodeVectors(npy, g.names, V, "npy");
  assert.deepEqual(nf, [npy, join(dir, "vectors.names.tsv")]);
  assert.deepEqual(Array.from(readNpy(npy).data), Array.from(V.data));
  assert.equal(readFileSync(nf[1]!, "utf8"), "alice\nbob\ncarol\n007\n");
  assert.throws(() => writeNodeVectors(w2v, ["a b", "c", "d", "e"], V, "word2vec"), /node name "a b" has white space/);
  assert.throws(() => writeNodeVectors(w2v, ["a", "b"], V, "tsv"), /2 node names for 4 vector rows/);
});

test("the shared graphs read as their README describes", () => {
  const karate = readEdgeList(sharedData("graphs/karate.edges.tsv.gz"));
  assert.deepEqual([karate.nNodes, karate.nEdges, karate.weighted], [34, 78, false]);
  const wiki = readEdgeList(sharedData("graphs/wikipedia.edges.tsv.gz"));
  assert.equal(wiki.weighted, true);
  assert.equal(wiki.nNodes, 4777);
});

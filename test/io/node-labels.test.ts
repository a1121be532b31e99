// readNodeLabels: single- and multi-label files (the shared data's format), node names matched to graph ids, nodes
// without labels left out of `labelled`, and one-line errors for unknown nodes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Graph } from "../../src/graph/graph.js";
import { readEdgeList } from "../../src/io/graph.js";
import { labelStrings, parseNodeLabels, readNodeLabels } from "../../src/io/node-labels.js";
import { sharedData } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "latentkit-labels-"));
const path = (name: string, text: string, gz = false): string => {
  const p = join(dir, name);
  writeFileSync(p, gz ? gzipSync(text) : text);
  return p;
};
// node names that are not 0..n-1 and not in file order: ids follow the graph
const g = Graph.fromEdges({ source: ["b", "c", "d", "x"], target: ["c", "d", "b", "b"] });

test("single-label file: classes sorted, rows by graph id, unlabelled nodes left out", () => {
  const L = readNodeLabels(path("single.tsv", "node\tlabel\nd\tred\nb\tblue\nc\tred\n"), g);
  assert.deepEqual(L.classes, ["blue", "red"]);
  assert.equal(L.multiLabel, false);
  // ids: b 0, c 1, d 2, x 3 (x has no label)
  assert.deepEqual(Array.from(L.labelled), [0, 1, 2]);
  assert.deepEqual(Array.from(L.Y), [1, 0, 0, 1, 0, 1, 0, 0]);
  assert.deepEqual(labelStrings(L), ["blue", "red", "red", ""]);
});

test("multi-label file (one row per pair, .gz): detected, numeric classes sorted as numbers", () => {
  const G = Graph.fromEdges({ source: [5, 7, 9], target: [7, 9, 11] });
  const L = readNodeLabels(path("multi.tsv.gz", "node\tlabel\t(multi-label)\n7\t10\n7\t2\n9\t2\n5\t10\n", true), G);
  assert.deepEqual(L.classes, [2, 10]);
  assert.equal(L.multiLabel, true);
  assert.deepEqual(Array.from(L.labelled), [0, 1, 2]);
  // ids 5 → 0, 7 → 1, 9 → 2, 11 → 3
  assert.deepEqual(Array.from(L.Y), [0, 1, 1, 1, 1, 0, 0, 0]);
});

test("the shared data: BlogCatalog is multi-label with 38 classes; karate single-label with 2", () => {
  const kg = readEdgeList(sharedData("graphs/karate.edges.tsv.gz"));
  const kl = readNodeLabels(sharedData("graphs/karate.labels.tsv.gz"), kg);
  assert.equal(kl.multiLabel, false);
  assert.deepEqual(kl.classes, ["Mr. Hi", "Officer"]);
  assert.equal(kl.labelled.length, 34);
  const pg = readEdgeList(sharedData("graphs/ppi.edges.tsv.gz"));
  const pl = readNodeLabels(sharedData("graphs/ppi.labels.tsv.gz"), pg);
  assert.equal(pl.multiLabel, true);
  assert.equal(pl.classes.length, 50);
  let pairs = 0;
  for (const v of pl.Y) pairs += v;
  assert.equal(pairs, 6592);
});

test("a node the graph does not have: one line naming the node and the file (or skipped on request)", () => {
  const p = path("unknown.tsv", "node\tlabel\nb\t1\nzebra\t2\n");
  assert.throws(() => readNodeLabels(p, g), (e: Error) => {
    assert.match(e.message, /unknown\.tsv line 3: node "zebra" is not a node of the graph \(4 nodes\)/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
  const L = readNodeLabels(p, g, { unknown: "skip" });
  assert.equal(L.skipped, 1);
  assert.deepEqual(Array.from(L.labelled), [0]);
  assert.throws(() => parseNodeLabels("node\tlabel\nb\n", g, "bad.tsv"), /bad\.tsv line 2: expected node<TAB>label/);
  assert.throws(() => parseNodeLabels("node\tlabel\n", g, "empty.tsv"), /empty\.tsv: no label rows/);
});

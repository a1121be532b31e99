// Node label files for node classification (the node2vec benchmark protocol): a header line, then one row per
// (node, label) pair, `node<TAB>label[<TAB>name]` (a third column, a display name, is read and ignored). A node
// listed with two or more distinct labels makes the file multi-label (BlogCatalog, PPI, Wikipedia); a node listed
// once per label with one label each is single-label (karate, football, polblogs). `.gz` files are read as they are.
//
// Nodes are matched to the graph by name (Graph.idOf: "7" in the file names node 7 of a numeric edge list), so the
// rows of Y follow the graph's node ids whatever order the file has. A node the graph does not have is an error
// naming the node, the file and the line (or, with { unknown: "skip" }, counted in `skipped`); nodes of the graph
// that the file never names have no label and are left out of `labelled` (the evaluation uses only `labelled`).
import { describeValue, fail } from "../core/errors.js";
import type { NodeLabels as GraphNodeLabels } from "../graph/evaluate.js";
import type { Graph } from "../graph/graph.js";
import { readMaybeGzip } from "./files.js";
import { shownPath } from "./fs.js";

/**
 * classes: the distinct labels, sorted (numerically when every label is a number; then they are numbers);
 * multiLabel: whether some node has two or more labels; Y: n × classes.length, row-major, row = node id, 1 where the
 * node has the label; labelled: ids of the nodes with at least one label, ascending.
 */
export interface NodeLabels extends GraphNodeLabels {
  /** Rows naming nodes the graph does not have (only with unknown "skip"; 0 otherwise). */
  skipped: number;
}

export interface ReadNodeLabelsOptions {
  /** What a row naming a node the graph does not have does: "error" (default) or "skip" (counted in `skipped`). */
  unknown?: "error" | "skip";
}

/** Parses label rows (the text of a label file; `source` names it in errors). */
export function parseNodeLabels(text: string, graph: Graph, source = "the labels", options: ReadNodeLabelsOptions = {}): NodeLabels {
  const unknown = options.unknown ?? "error";
  if (unknown !== "error" && unknown !== "skip") fail(`readNodeLabels: unknown must be "error" or "skip", got ${describeValue(unknown)}`);
  const lines = text.split(/\r?\n/);
  const nodeOf: number[] = [];
  const labelOf: string[] = [];
  let skipped = 0;
  for (let ln = 1; ln < lines.length; ln++) {
    // line 1 is the header
    const line = lines[ln]!;
    if (line.trim() === "" || line.startsWith("#")) continue;
    const f = line.split("\t");
    if (f.length < 2 || f[1]!.trim() === "") fail(`${source} line ${ln + 1}: expected node<TAB>label[<TAB>name], got ${describeValue(line.length > 60 ? line.slice(0, 60) + "…" : line)}`);
    const name = f[0]!.trim();
    const id = lookup(graph, name);
    if (id < 0) {
      if (unknown === "skip") {
        skipped++;
        continue;
      }
      fail(`${source} line ${ln + 1}: node ${describeValue(name)} is not a node of the graph (${graph.nNodes} nodes)`);
    }
    nodeOf.push(id);
    labelOf.push(f[1]!.trim());
  }
  if (nodeOf.length === 0) fail(`${source}: no label rows after the header line${skipped ? ` (${skipped} rows name nodes the graph does not have)` : ""}`);
  const uniq = [...new Set(labelOf)];
  const numeric = uniq.every((u) => Number.isFinite(Number(u)));
  const classes: (string | number)[] = numeric ? uniq.map(Number).sort((a, b) => a - b) : uniq.sort();
  const index = new Map<string, number>(classes.map((c, k) => [String(c), k]));
  if (numeric) for (const u of uniq) index.set(u, classes.indexOf(Number(u)));
  const n = graph.nNodes, C = classes.length;
  const Y = new Uint8Array(n * C);
  for (let r = 0; r < nodeOf.length; r++) Y[nodeOf[r]! * C + index.get(labelOf[r]!)!] = 1;
  let multiLabel = false;
  const labelled: number[] = [];
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let k = 0; k < C; k++) c += Y[i * C + k]!;
    if (c > 0) labelled.push(i);
    if (c > 1) multiLabel = true;
  }
  return { classes, multiLabel, Y, labelled: Int32Array.from(labelled), skipped };
}

/** The id of a node named in a file, or −1 (numbers written as "07" or "7.0" match node 7 of a numeric graph). */
function lookup(graph: Graph, name: string): number {
  if (graph.hasNode(name)) return graph.idOf(name);
  const x = Number(name);
  if (name !== "" && Number.isFinite(x) && graph.hasNode(x)) return graph.idOf(x);
  return -1;
}

/** Reads a node label file (plain or .gz) for the nodes of `graph`; see the header comment for the format. */
export function readNodeLabels(path: string, graph: Graph, options: ReadNodeLabelsOptions = {}): NodeLabels {
  return parseNodeLabels(readMaybeGzip(path).toString("utf8"), graph, shownPath(path), options);
}

/** Each node's labels as strings (multi-label: joined by "|"); "" for nodes without a label (for plots and metadata). */
export function labelStrings(labels: NodeLabels): string[] {
  const C = labels.classes.length;
  const n = labels.Y.length / C;
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    for (let k = 0; k < C; k++) if (labels.Y[i * C + k]) parts.push(String(labels.classes[k]));
    out[i] = parts.join("|");
  }
  return out;
}

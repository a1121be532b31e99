// A minimal edge-list reader (u<TAB or space>v[<sep>weight] lines, "#"/"%" comments, .gz) for the NetMF command and
// tests until src/io/graph.ts (readEdgeList, owned by the random-walk work) is on main; then callers switch to it.
import { fail } from "../core/errors.js";
import { Graph, type GraphOptions, type NodeName } from "../graph/graph.js";
import { readMaybeGzip } from "./files.js";
import { shownPath } from "./fs.js";

/** Reads an edge list into a Graph (numeric names become numbers; a third column is the weight). */
export function readEdgesLite(path: string, options: GraphOptions & { weighted?: boolean } = {}): Graph {
  const text = readMaybeGzip(path).toString("utf8");
  const src: NodeName[] = [], dst: NodeName[] = [], w: number[] = [];
  const name = (s: string): NodeName => (/^-?\d+$/.test(s) ? Number(s) : s);
  const lines = text.split(/\r?\n/);
  let weighted = options.weighted;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("%")) continue;
    const f = line.split(/[\t ,]+/);
    if (f.length < 2) fail(`${shownPath(path)} line ${ln + 1}: expected u<TAB>v[<TAB>weight], got "${line.slice(0, 60)}"`);
    weighted ??= f.length >= 3;
    src.push(name(f[0]!));
    dst.push(name(f[1]!));
    if (weighted) {
      const x = Number(f[2]);
      if (f.length < 3 || !Number.isFinite(x)) fail(`${shownPath(path)} line ${ln + 1}: the weight ${JSON.stringify(f[2] ?? "")} is not a number`);
      w.push(x);
    }
  }
  return Graph.fromEdges({ source: src, target: dst, ...(weighted ? { weight: w } : {}) }, { source: shownPath(path), ...options });
}

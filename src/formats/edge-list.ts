// Edge-list text to a Graph (browser-safe; readEdgeList in src/io/graph.ts reads the file, plain or gzip): one edge
// `u v [w]` per line, separated by tabs, commas or spaces (told from the first edge line unless given), `#` and `%`
// comment lines and blank lines skipped. Node names stay the strings the text writes. Errors name the source and
// the line.
import { describeValue, fail } from "../core/errors.js";
import { Graph, type GraphOptions } from "../graph/graph.js";

/** Parses edge-list text (readEdgeList without the file); `source` names it in errors. */
export function parseEdgeList(text: string, source: string, weighted?: boolean, delimiter?: string, graphOptions: Omit<GraphOptions, "source"> = {}): Graph {
  const src: string[] = [], dst: string[] = [];
  const wts: number[] = [];
  let split: ((line: string) => string[]) | null = null;
  let useWeights = weighted;
  let lineNo = 0;
  let start = 0;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = len;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const t = line.trim();
    if (t === "" || t[0] === "#" || t[0] === "%") continue;
    if (!split) split = splitterFor(delimiter ?? (line.includes("\t") ? "\t" : line.includes(",") ? "," : " "));
    const cols = split(line);
    if (useWeights === undefined) useWeights = cols.length >= 3 && cols[2]!.trim() !== "";
    const need = useWeights ? 3 : 2;
    if (cols.length < need || cols[0]!.trim() === "" || cols[1]!.trim() === "") {
      fail(`${source}:${lineNo}: expected ${useWeights ? "source, target and weight" : "a source and a target"} column${useWeights ? "s" : "s"}, got ${describeValue(line)}`);
    }
    src.push(cols[0]!.trim());
    dst.push(cols[1]!.trim());
    if (useWeights) {
      const cell = cols[2]!.trim();
      const w = cell === "" ? NaN : Number(cell);
      if (!(Number.isFinite(w) && w > 0)) fail(`${source}:${lineNo}: the weight ${describeValue(cell)} must be a number > 0 (edge ${describeValue(cols[0]!.trim())} – ${describeValue(cols[1]!.trim())})`);
      wts.push(w);
    }
  }
  if (src.length === 0 && !(graphOptions.nodes && graphOptions.nodes.length > 0)) {
    fail(`${source}: the graph is empty: no edge lines (${lineNo} lines of comments or blanks)`);
  }
  return Graph.fromEdges({ source: src, target: dst, ...(useWeights ? { weight: wts } : {}) }, { ...graphOptions, source });
}

function splitterFor(d: string): (line: string) => string[] {
  if (d === " ") return (line) => line.trim().split(/[ \t]+/);
  return (line) => line.split(d);
}


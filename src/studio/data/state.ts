// The studio's view state in the URL hash, so that a view can be shared: projection and its parameters, dims, the
// colour column, the camera, the search, the custom axes' queries, the selection (run-length, capped), whether the
// selection is isolated, and the neighbours' focus point.
// decode never throws: a malformed or hostile hash gives the fields that are valid, and drops the others.
//
// The keys, in the order encode writes them (values URL-encoded):
//   p       projection: pca | tsne | umap | custom | file
//   perp, nn, md, seed, pcad   t-SNE perplexity; UMAP neighbours, min-dist; seed; PCA dimensions before the map
//   d       2 | 3
//   c       colour column (name)
//   cam     camera: mode,cx,cy,cz,zoom,yaw,pitch
//   q, qc, qr=1                search query, its column, regex
//   cc, cr=1, xl, xr, yd, yu   custom axes: the queries' column, regex, and the queries x left / x right / y down /
//                              y up (TF Projector's custom tab; without yd and yu, y is PCA's first axis orthogonal to x)
//   sel     selection: runs of indices in base 36 (encodeSelection)
//   iso=1   only the selection is shown ("Isolate selection")
//   f, k, m, sp                the inspected point; its neighbours' k, metric (cosine | euclidean), space (original | map)
// Older hashes wrote the custom axes as JSON in cx ({"column","regex","left","right"}) and cy ({"down","up"}); decode
// still reads them.
import type { CameraState, Projection } from "../types.js";

export interface ProjectionParams {
  perplexity?: number;
  nNeighbors?: number;
  minDist?: number;
  seed?: number;
  pcaDims?: number;
}

export interface ViewState {
  projection?: Projection;
  params?: ProjectionParams;
  dims?: 2 | 3;
  /** The colour column, by name. */
  color?: string;
  camera?: CameraState;
  search?: { query: string; column?: string; regex?: boolean };
  /** Custom axes: the queries, over one column, of the x axis (left, right) and optionally the y axis (down, up). */
  custom?: CustomAxesState;
  /** Selected point indices, ascending and distinct. */
  selection?: Int32Array;
  /** Only the selection is shown ("Isolate selection"). */
  isolate?: boolean;
  /** The point whose neighbours are shown. */
  focus?: number;
  neighbours?: { k?: number; metric?: "cosine" | "euclidean"; space?: "original" | "map" };
}

/** The custom axes' queries (as TF Projector's custom tab): x from the points xLeft matches to those xRight matches. */
export interface CustomAxesState {
  /** The column the queries search (by name; default: the app's label column). */
  column?: string;
  /** The queries are regular expressions (else substrings). */
  regex?: boolean;
  xLeft: string;
  xRight: string;
  /** Both or neither: without them y is the first principal axis orthogonal to x. */
  yDown?: string;
  yUp?: string;
}

export interface DecodeOptions {
  /** Points in the data set: indices (selection, focus) must be below it. */
  n?: number;
  /** Column names of the data set: a colour or search column not among them is dropped. */
  columns?: readonly string[];
}

export interface EncodeOptions {
  /** A selection whose encoding is longer than this many characters is left out of the hash (default 20,000). */
  maxSelectionChars?: number;
}

/** The most points a decoded selection may hold when the data size is not known. */
export const MAX_SELECTION = 10_000_000;
const MAX_TEXT = 1000;
const PROJECTIONS: readonly Projection[] = ["pca", "tsne", "umap", "custom", "file"];

/** Selection as runs of ascending indices in base 36: "0-a.f.1c-1k" (0..10, 15, 48..56). */
export function encodeSelection(indices: ArrayLike<number>): string {
  // negative or fractional entries are not points: left out
  const sorted = Int32Array.from(Array.prototype.filter.call(indices, (i: number) => Number.isInteger(i) && i >= 0 && i <= 0x7fffffff) as number[]).sort();
  const runs: string[] = [];
  let k = 0;
  while (k < sorted.length) {
    const a = sorted[k]!;
    let b = a;
    k++;
    while (k < sorted.length && sorted[k]! <= b + 1) b = Math.max(b, sorted[k++]!);
    runs.push(a === b ? a.toString(36) : `${a.toString(36)}-${b.toString(36)}`);
  }
  return runs.join(".");
}

/** Reads encodeSelection's runs; undefined when malformed or when they name more than `max` points or any index >= n. */
export function decodeSelection(s: string, n = Infinity, max = MAX_SELECTION): Int32Array | undefined {
  if (s === "") return new Int32Array(0);
  if (!/^[0-9a-z]{1,7}(-[0-9a-z]{1,7})?(\.[0-9a-z]{1,7}(-[0-9a-z]{1,7})?)*$/.test(s)) return undefined;
  const limit = Math.min(max, n);
  const runs: [number, number][] = [];
  let total = 0;
  for (const tok of s.split(".")) {
    const [x, y] = tok.split("-");
    const a = parseInt(x!, 36);
    const b = y === undefined ? a : parseInt(y, 36);
    if (!(a <= b) || b >= n || b > 0x7fffffff) return undefined;
    total += b - a + 1;
    if (total > limit) return undefined;
    runs.push([a, b]);
  }
  const out = new Int32Array(total);
  let o = 0;
  for (const [a, b] of runs) for (let i = a; i <= b; i++) out[o++] = i;
  out.sort();
  // distinct (runs may overlap in a hand-made hash)
  let w = 0;
  for (let r = 0; r < out.length; r++) if (r === 0 || out[r] !== out[w - 1]) out[w++] = out[r]!;
  return w === out.length ? out : out.slice(0, w);
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
}

/** The state as a hash (without the leading "#"): key=value pairs, URL-encoded, in a fixed order. */
export function encode(state: ViewState, opts: EncodeOptions = {}): string {
  const q = new URLSearchParams();
  if (state.projection) q.set("p", state.projection);
  const pr = state.params ?? {};
  if (pr.perplexity !== undefined) q.set("perp", num(pr.perplexity));
  if (pr.nNeighbors !== undefined) q.set("nn", num(pr.nNeighbors));
  if (pr.minDist !== undefined) q.set("md", num(pr.minDist));
  if (pr.seed !== undefined) q.set("seed", num(pr.seed));
  if (pr.pcaDims !== undefined) q.set("pcad", num(pr.pcaDims));
  if (state.dims) q.set("d", String(state.dims));
  if (state.color !== undefined) q.set("c", state.color);
  const c = state.camera;
  if (c) q.set("cam", [c.mode, ...c.center, c.zoom, c.yaw, c.pitch].map((v) => (typeof v === "number" ? num(v) : v)).join(","));
  if (state.search) {
    q.set("q", state.search.query);
    if (state.search.column !== undefined) q.set("qc", state.search.column);
    if (state.search.regex) q.set("qr", "1");
  }
  const cu = state.custom;
  if (cu) {
    if (cu.column !== undefined) q.set("cc", cu.column);
    if (cu.regex) q.set("cr", "1");
    q.set("xl", cu.xLeft);
    q.set("xr", cu.xRight);
    if (cu.yDown !== undefined) q.set("yd", cu.yDown);
    if (cu.yUp !== undefined) q.set("yu", cu.yUp);
  }
  if (state.selection) {
    const s = encodeSelection(state.selection);
    if (s.length <= (opts.maxSelectionChars ?? 20_000)) {
      q.set("sel", s);
      if (state.isolate) q.set("iso", "1");
    }
  }
  if (state.focus !== undefined) q.set("f", String(state.focus));
  const nb = state.neighbours;
  if (nb?.k !== undefined) q.set("k", String(nb.k));
  if (nb?.metric) q.set("m", nb.metric);
  if (nb?.space) q.set("sp", nb.space);
  return q.toString();
}

/** A number in [min, max] (an integer when `int`), or undefined. */
function readNumber(s: string | null, min: number, max: number, int = false): number | undefined {
  if (s === null || s.length > 32 || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) return undefined;
  return v;
}

function readText(s: string | null): string | undefined {
  return s === null || s.length > MAX_TEXT ? undefined : s;
}

/** A JSON object of an older hash's cx / cy, or undefined. */
function readJsonObject(s: string | undefined): Record<string, unknown> | undefined {
  if (s === undefined || !s.startsWith("{")) return undefined;
  try {
    const o = JSON.parse(s) as unknown;
    return o !== null && typeof o === "object" && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The custom axes of xl/xr (yd/yu, cc, cr), or of an older hash's JSON in cx/cy; needs both x queries. */
function readCustom(q: URLSearchParams): CustomAxesState | undefined {
  let xLeft = readText(q.get("xl")), xRight = readText(q.get("xr"));
  let yDown = readText(q.get("yd")), yUp = readText(q.get("yu"));
  let column = readText(q.get("cc"));
  let regex = q.get("cr") === "1";
  if (xLeft === undefined && xRight === undefined) {
    const x = readJsonObject(readText(q.get("cx")));
    if (!x) return undefined;
    const str = (o: Record<string, unknown> | undefined, k: string): string | undefined =>
      o && typeof o[k] === "string" && (o[k] as string).length <= MAX_TEXT ? (o[k] as string) : undefined;
    const y = readJsonObject(readText(q.get("cy")));
    xLeft = str(x, "left");
    xRight = str(x, "right");
    yDown = str(y, "down");
    yUp = str(y, "up");
    column = str(x, "column");
    regex = x.regex === true;
  }
  if (xLeft === undefined || xRight === undefined) return undefined;
  const c: CustomAxesState = { xLeft, xRight };
  if (column !== undefined && column !== "") c.column = column;
  if (regex) c.regex = true;
  // the y queries come as a pair (an empty pair is no y axis)
  if (yDown !== undefined && yUp !== undefined && (yDown !== "" || yUp !== "")) {
    c.yDown = yDown;
    c.yUp = yUp;
  }
  return c;
}

/** The state a hash describes ("#" optional); fields that are missing, malformed or out of range are left out. */
export function decode(hash: string, opts: DecodeOptions = {}): ViewState {
  const state: ViewState = {};
  if (typeof hash !== "string" || hash.length > 200_000) return state;
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(hash.replace(/^#/, ""));
  } catch {
    return state;
  }
  const n = opts.n !== undefined && Number.isInteger(opts.n) && opts.n >= 0 ? opts.n : Infinity;
  const knownColumn = (s: string | undefined): s is string => s !== undefined && (!opts.columns || opts.columns.includes(s));
  const p = q.get("p");
  if (p !== null && (PROJECTIONS as readonly string[]).includes(p)) state.projection = p as Projection;
  const params: ProjectionParams = {};
  const perp = readNumber(q.get("perp"), 1, 10_000);
  if (perp !== undefined) params.perplexity = perp;
  const nn = readNumber(q.get("nn"), 2, 10_000, true);
  if (nn !== undefined) params.nNeighbors = nn;
  const md = readNumber(q.get("md"), 0, 100);
  if (md !== undefined) params.minDist = md;
  const seed = readNumber(q.get("seed"), 0, 2 ** 32 - 1, true);
  if (seed !== undefined) params.seed = seed;
  const pcad = readNumber(q.get("pcad"), 0, 100_000, true);
  if (pcad !== undefined) params.pcaDims = pcad;
  if (Object.keys(params).length) state.params = params;
  const d = q.get("d");
  if (d === "2" || d === "3") state.dims = Number(d) as 2 | 3;
  const color = readText(q.get("c"));
  if (knownColumn(color)) state.color = color;
  const cam = q.get("cam");
  if (cam !== null && cam.length < 400) {
    const parts = cam.split(",");
    if (parts.length === 7 && (parts[0] === "2d" || parts[0] === "3d")) {
      const v = parts.slice(1).map((s) => readNumber(s, -1e12, 1e12));
      if (v.every((x) => x !== undefined) && v[3]! > 0) {
        state.camera = { mode: parts[0], center: [v[0]!, v[1]!, v[2]!], zoom: v[3]!, yaw: v[4]!, pitch: v[5]! };
      }
    }
  }
  const query = readText(q.get("q"));
  if (query !== undefined) {
    const search: NonNullable<ViewState["search"]> = { query };
    const col = readText(q.get("qc"));
    if (knownColumn(col)) search.column = col;
    if (q.get("qr") === "1") {
      try {
        new RegExp(query);
        search.regex = true;
      } catch {
        // not a valid regular expression: searched as a substring
      }
    }
    state.search = search;
  }
  const custom = readCustom(q);
  if (custom) {
    if (custom.column !== undefined && !knownColumn(custom.column)) delete custom.column;
    state.custom = custom;
  }
  const sel = q.get("sel");
  if (sel !== null && sel.length <= 1_000_000) {
    const s = decodeSelection(sel, n);
    if (s) {
      state.selection = s;
      if (q.get("iso") === "1" && s.length > 0) state.isolate = true;
    }
  }
  const f = readNumber(q.get("f"), 0, Math.min(n - 1, 0x7fffffff), true);
  if (f !== undefined) state.focus = f;
  const nb: NonNullable<ViewState["neighbours"]> = {};
  const k = readNumber(q.get("k"), 1, 1000, true);
  if (k !== undefined) nb.k = k;
  const m = q.get("m");
  if (m === "cosine" || m === "euclidean") nb.metric = m;
  const sp = q.get("sp");
  if (sp === "original" || sp === "map") nb.space = sp;
  if (Object.keys(nb).length) state.neighbours = nb;
  return state;
}

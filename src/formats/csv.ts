// Delimited text (CSV/TSV) into a numeric matrix plus optional label and metadata columns (from a string: reading
// a file, gzipped or not, is readCsv in io/csv.ts).
// csv-parse/sync in Node; in browser bundles its build with a Buffer stand-in (package.json "imports")
import { parse } from "#csv-parse";
import { describeValue, excerpt, fail } from "../core/errors.js";
import { float32Issue, Matrix } from "../core/matrix.js";

export interface CsvOptions {
  /** Field delimiter; default: tab for .tsv/.tab files or when the first line has tabs but no commas, else comma. */
  delimiter?: string;
  /** Whether the first row is a header; "auto" (default): yes when it has a non-numeric cell. */
  header?: boolean | "auto";
  /** Column holding labels: a header name or an index (negative counts from the end, -1 = last). */
  labelColumn?: string | number;
  /** Further non-numeric columns kept as metadata (names or indices). */
  metadataColumns?: Array<string | number>;
}

export interface Table {
  X: Matrix;
  /** Names of the feature columns. */
  featureNames: string[];
  /** The label column's values as strings, when a label column was chosen. */
  labels?: string[];
  /** Label column name. */
  labelName?: string;
  /** Metadata columns by name. */
  metadata?: Record<string, string[]>;
}

/** How missing values are commonly written (pandas' default NA strings, R's NA, Weka's ?). */
const MISSING = /^(NA|N\/A|n\/a|NaN|nan|NULL|null|None|#N\/A|\?|-)$/;

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isNumericCell(s: string): boolean {
  return NUMERIC.test(s.trim());
}

/** Parses CSV/TSV text. `source` names the input in error messages. */
export function parseCsv(text: string, opts: CsvOptions = {}, source = "input"): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark (Excel's "CSV UTF-8") is not data
  const firstLine = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
  const delimiter = opts.delimiter ?? (/\.(tsv|tab)(\.gz)?$/i.test(source) || (firstLine.includes("\t") && !firstLine.includes(",")) ? "\t"
    // semicolons and no commas on the first line: the "CSV" of locales with a decimal comma
    : firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",");
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    fail(`${source}: cannot parse as delimited text: ${(e as Error).message}`);
  }
  if (rows.length === 0) fail(`${source} is empty: no rows of data`);

  // scikit-learn's bundled CSVs start with "n_samples,n_features,class names...": skip it, keep the class names.
  let classNames: string[] | undefined;
  const h = rows[0]!;
  if (opts.header === undefined || opts.header === "auto") {
    if (h.length >= 3 && h.slice(2).some((c) => !isNumericCell(c)) && /^\d+$/.test(h[0]!) && /^\d+$/.test(h[1]!) && Number(h[0]) === rows.length - 1 &&
      rows[1] && Number(h[1]) === rows[1].length - 1) {
      classNames = h.slice(2);
      rows = rows.slice(1);
    }
  }
  let header: string[] | undefined;
  const hasHeader = classNames ? false : opts.header === "auto" || opts.header === undefined
    ? rows[0]!.some((c) => c !== "" && !isNumericCell(c))
    : opts.header;
  if (hasHeader) {
    header = rows[0]!;
    rows = rows.slice(1);
  }
  if (rows.length === 0) fail(`${source} has a header but no rows of data`);
  let width = header ? header.length : rows[0]!.length;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.length !== width) {
      const line = i + 1 + (header ? 1 : 0) + (classNames ? 1 : 0);
      fail(`${source}: ragged rows: line ${line} has ${rows[i]!.length} fields, expected ${width}` +
        (width === 1 && opts.delimiter === undefined ? ` (is the delimiter something other than ${JSON.stringify(delimiter)}? give it with the delimiter option)` : ""));
    }
  }
  // a delimiter at the end of every line (as some spreadsheets write) adds an unnamed, empty last column: drop it
  if (width > 1 && (!header || header[width - 1] === "") && rows.every((r) => r[width - 1] === "")) {
    width--;
    if (header) header = header.slice(0, width);
    rows = rows.map((r) => r.slice(0, width));
  }
  const names = header ?? Array.from({ length: width }, (_, j) => `column ${j}`);
  const resolve = (c: string | number, what: string): number => {
    if (typeof c === "number" || /^-?\d+$/.test(String(c))) {
      const idx = Number(c);
      const j = idx < 0 ? width + idx : idx;
      if (!Number.isInteger(j) || j < 0 || j >= width) fail(`${what} ${describeValue(c)} is out of range: ${source} has ${width} columns`);
      return j;
    }
    const j = names.indexOf(c);
    if (j < 0) fail(`unknown ${what} ${describeValue(c)}: ${source} has columns ${names.map((n) => JSON.stringify(n)).join(", ")}`);
    return j;
  };
  const labelIdx = opts.labelColumn !== undefined ? resolve(opts.labelColumn, "label column") : -1;
  const metaIdx = (opts.metadataColumns ?? []).map((c) => resolve(c, "metadata column"));
  const skip = new Set([labelIdx, ...metaIdx]);
  const featIdx = Array.from({ length: width }, (_, j) => j).filter((j) => !skip.has(j));
  if (featIdx.length === 0) fail(`${source}: no feature columns left after removing the label and metadata columns`);
  const X = Matrix.zeros(rows.length, featIdx.length, "float32");
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let t = 0; t < featIdx.length; t++) {
      const cell = r[featIdx[t]!]!;
      const v = isNumericCell(cell) ? Number(cell) : NaN;
      const issue = Number.isFinite(v) ? float32Issue(v) : "not a finite number";
      if (issue) {
        const line = i + 1 + (header ? 1 : 0) + (classNames ? 1 : 0);
        const where = `${source}: line ${line}, column ${JSON.stringify(names[featIdx[t]!])}`;
        if (isNumericCell(cell)) fail(`${where}: ${cell.trim()} is ${issue}`);
        const c = cell.trim();
        if (c === "" || MISSING.test(c)) {
          fail(`${where}: ${c === "" ? "an empty cell" : excerpt(c, 20)} is not a finite number (a missing value?): features must all be numbers; fill or drop the rows with missing values`);
        }
        const hint = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(c)
          ? " (it looks like a number with thousands separators: remove the commas)"
          : /^[+-]?\d+,\d+$/.test(c) ? " (a decimal comma? write decimals with a point)" : "";
        fail(`${where}: ${excerpt(cell, 40)} is not a finite number${hint} ` +
          `(choose it as --label-column or a metadata column if it is not a feature)`);
      }
      X.data[i * featIdx.length + t] = v;
    }
  }
  const table: Table = { X, featureNames: featIdx.map((j) => names[j]!) };
  if (labelIdx >= 0) {
    table.labelName = names[labelIdx];
    table.labels = rows.map((r) => {
      const v = r[labelIdx]!;
      return classNames && /^\d+$/.test(v) && classNames[Number(v)] !== undefined ? classNames[Number(v)]! : v;
    });
  }
  if (metaIdx.length) {
    table.metadata = {};
    for (const j of metaIdx) table.metadata[names[j]!] = rows.map((r) => r[j]!);
  }
  return table;
}

// CSV/TSV files, plain or gzipped (the parser is formats/csv.ts, re-exported here).
import { isNumericCell, parseCsv, type CsvOptions, type Table } from "../formats/csv.js";
import { readMaybeGzip } from "./files.js";

export { isNumericCell, parseCsv, type CsvOptions, type Table };

export function readCsv(path: string, opts: CsvOptions = {}): Table {
  return parseCsv(readMaybeGzip(path).toString("utf8"), opts, path);
}

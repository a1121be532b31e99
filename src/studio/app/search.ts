// Search over a metadata column: substring (case-insensitive) or a regular expression; the panel that runs it,
// shows the count, and selects the matches.
import { LatentkitError } from "../../core/errors.js";

/**
 * Indices of the values that match: a case-insensitive substring, or (regex) a case-insensitive regular
 * expression tested anywhere in the value. An empty query matches nothing. A bad expression is a LatentkitError.
 */
export function searchValues(values: readonly string[], query: string, regex = false): Int32Array {
  if (query === "") return new Int32Array(0);
  const hits: number[] = [];
  if (regex) {
    let re: RegExp;
    try {
      re = new RegExp(query, "i");
    } catch (e) {
      throw new LatentkitError(`search: /${query}/ is not a regular expression (${(e as Error).message})`);
    }
    for (let i = 0; i < values.length; i++) if (re.test(values[i]!)) hits.push(i);
  } else {
    const q = query.toLowerCase();
    for (let i = 0; i < values.length; i++) if (values[i]!.toLowerCase().includes(q)) hits.push(i);
  }
  return Int32Array.from(hits);
}

/** A mask of n with 1 at the given indices. */
export function maskOf(n: number, indices: ArrayLike<number>): Uint8Array {
  const m = new Uint8Array(n);
  for (let j = 0; j < indices.length; j++) m[indices[j]!] = 1;
  return m;
}

/** The indices where a mask is set. */
export function indicesOf(mask: Uint8Array): Int32Array {
  let c = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) c++;
  const out = new Int32Array(c);
  for (let i = 0, j = 0; i < mask.length; i++) if (mask[i]) out[j++] = i;
  return out;
}

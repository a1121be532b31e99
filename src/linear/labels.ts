// Class labels of supervised estimators (LogisticRegression, KNeighborsClassifier): the sorted distinct labels
// (`classes`, as scikit-learn's `classes_` = np.unique(y): numbers in numeric order, strings in code-point order) and
// each sample's index into them.
import { describeValue, fail } from "../core/errors.js";

export type Label = string | number;

export interface EncodedLabels {
  /** The distinct labels, sorted. */
  classes: Label[];
  /** The class index of each sample. */
  index: Int32Array;
}

/** Checks y (one finite number or one string per sample, not both kinds) and encodes it. */
export function encodeLabels(y: ArrayLike<Label> | undefined, n: number, owner: string): EncodedLabels {
  if (y === undefined || y === null || typeof y !== "object" || typeof (y as ArrayLike<Label>).length !== "number") {
    fail(`${owner}.fit needs labels y (one per row of X), got ${describeValue(y)}`);
  }
  if (y.length !== n) fail(`y has ${y.length} labels, but X has ${n} rows`);
  let kind: "string" | "number" | undefined;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const k = typeof v;
    if ((k !== "string" && k !== "number") || (k === "number" && !Number.isFinite(v))) {
      fail(`y[${i}] is ${describeValue(v)}: labels must be strings or finite numbers`);
    }
    if (kind === undefined) kind = k as "string" | "number";
    else if (k !== kind) fail(`y mixes numbers and strings (y[0] is ${describeValue(y[0])}, y[${i}] is ${describeValue(v)}): use one kind of label`);
  }
  const uniq = [...new Set(Array.from(y))];
  const classes = kind === "number"
    ? (uniq as number[]).sort((a, b) => a - b)
    : (uniq as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = at.get(y[i]!)!;
  return { classes, index };
}

/** Saved classes: an array of strings or finite numbers, distinct and sorted as encodeLabels sorts them. */
export function classesFromJSON(v: unknown, name: string): Label[] {
  if (!Array.isArray(v) || v.length === 0) fail(`${name}: expected a non-empty array of labels in the saved model, got ${describeValue(v)}`);
  const kind = typeof v[0];
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if ((typeof x !== "string" && typeof x !== "number") || typeof x !== kind || (typeof x === "number" && !Number.isFinite(x))) {
      fail(`${name}[${i}] is ${describeValue(x)}: expected labels of one kind (strings or finite numbers) in the saved model`);
    }
    if (i > 0 && !(v[i - 1] < x)) fail(`${name}: the saved labels are not distinct and sorted (at ${i})`);
  }
  return v as Label[];
}

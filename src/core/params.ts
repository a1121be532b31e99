// Declarative parameter schemas (in the spirit of scikit-learn's `_parameter_constraints`): every estimator declares
// each of its options once, as data — what a valid value is, its default, a one-line doc, whether it is saved — and
// the schema supplies the defaults, the validation (one clear message naming the option and the value), getParams()
// and the (de)serialisation of the parameters in toJSON()/fromJSON().
import { describeValue, fail } from "./errors.js";
import { Matrix } from "./matrix.js";
import { matrixFromJSON, matrixToJSON, type MatrixJSON } from "./estimator.js";

export type ParamKind =
  | "int" | "number" | "boolean" | "enum" | "string" | "matrix" | "function" | "signal" | "object" | "union" | "custom";

/** One option: its kind, what it accepts, its default, a one-line doc and whether toJSON saves it. */
export interface ParamSpec<T = unknown> {
  readonly kind: ParamKind;
  /** What a valid value is, as read after "must be": `an integer >= 1`, `"auto" or "full"`, `a number > 0`. */
  readonly expected: string;
  /** One line for the docs and the CLI. */
  readonly doc: string;
  /** The value when the option is not given; absent: the option stays undefined (no default, or one computed in fit). */
  readonly default?: T;
  /** Saved by toJSON and restored by fromJSON (false for callbacks and signals). */
  readonly serialise: boolean;
  /** Validates a given (not undefined) value and returns it as stored; throws a LatentkitError naming `path`. */
  check(value: unknown, path: string): T;
  /** The value as JSON (default: itself). */
  encode?(value: T): unknown;
  /** The value from JSON (default: itself); validated by `check` afterwards. */
  decode?(json: unknown, path: string): unknown;
}

/** The schema of an options interface O: one spec for every option, checked by the compiler (missing or extra keys fail). */
export type Schema<O> = { readonly [K in keyof Required<O>]-?: ParamSpec<Exclude<O[K], undefined>> };

/** Any schema, for code that walks schemas without knowing the estimator. */
export type AnySchema = Readonly<Record<string, ParamSpec<any>>>;

/** Keys of a schema whose spec carries a default. */
export type Defaulted<S> = { [K in keyof S]: S[K] extends { readonly default: unknown } ? K : never }[keyof S];

/**
 * The resolved parameters of an estimator: the options O with the defaulted ones (by the schema S) required. This is
 * what `estimator.options` and `getParams()` are.
 */
export type ParamsOf<O, S> = Readonly<
  { [K in keyof O as K extends Defaulted<S> ? K : never]-?: Exclude<O[K], undefined> } &
  { [K in keyof O as K extends Defaulted<S> ? never : K]?: O[K] }
>;

type Def<T, D> = [D] extends [undefined] ? ParamSpec<T> : ParamSpec<T> & { readonly default: T };

function fmt(n: number): string {
  return String(n);
}

function mustBe(path: string, expected: string, value: unknown): never {
  return fail(`${path} must be ${expected}, got ${describeValue(value)}`);
}

function spec<T, D>(kind: ParamKind, expected: string, doc: string, test: (v: unknown) => boolean,
  o: { default?: D; normalise?: (v: T) => T } & Partial<Pick<ParamSpec<T>, "serialise" | "encode" | "decode">> = {}): Def<T, D> {
  const s: ParamSpec<T> = {
    kind, expected, doc, serialise: o.serialise ?? true,
    check(v: unknown, path: string): T {
      if (!test(v)) mustBe(path, expected, v);
      return o.normalise ? o.normalise(v as T) : (v as T);
    },
    ...(o.default !== undefined ? { default: o.default as unknown as T } : {}),
    ...(o.encode ? { encode: o.encode } : {}),
    ...(o.decode ? { decode: o.decode } : {}),
  };
  return s as Def<T, D>;
}

function rangeText(noun: string, o: { min?: number; max?: number; gt?: number; lt?: number }): string {
  const lo = o.gt !== undefined ? { v: o.gt, open: true } : o.min !== undefined ? { v: o.min, open: false } : null;
  const hi = o.lt !== undefined ? { v: o.lt, open: true } : o.max !== undefined ? { v: o.max, open: false } : null;
  if (lo && hi) return `${noun} in ${lo.open ? "(" : "["}${fmt(lo.v)}, ${fmt(hi.v)}${hi.open ? ")" : "]"}`;
  if (lo) return `${noun} ${lo.open ? ">" : ">="} ${fmt(lo.v)}`;
  if (hi) return `${noun} ${hi.open ? "<" : "<="} ${fmt(hi.v)}`;
  return noun;
}

function inRange(v: number, o: { min?: number; max?: number; gt?: number; lt?: number }): boolean {
  return (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max) &&
    (o.gt === undefined || v > o.gt) && (o.lt === undefined || v < o.lt);
}

interface Range {
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive lower bound. */
  gt?: number;
  /** Exclusive upper bound. */
  lt?: number;
}

/** An integer (a JavaScript number with no fraction), optionally bounded. */
export function int<D extends number | undefined = undefined>(doc: string, o: Range & { default?: D } = {}): Def<number, D> {
  return spec("int", rangeText("an integer", o), doc, (v) => typeof v === "number" && Number.isInteger(v) && inRange(v, o), o);
}

/** A finite number, optionally bounded. */
export function num<D extends number | undefined = undefined>(doc: string, o: Range & { default?: D } = {}): Def<number, D> {
  return spec("number", rangeText("a number", o), doc, (v) => typeof v === "number" && Number.isFinite(v) && inRange(v, o), o);
}

export function bool<D extends boolean | undefined = undefined>(doc: string, o: { default?: D } = {}): Def<boolean, D> {
  return spec("boolean", "true or false", doc, (v) => typeof v === "boolean", o);
}

/** `"a", "b" or "c"` */
export function listChoices(values: readonly unknown[]): string {
  const q = values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v)));
  return q.length <= 1 ? (q[0] ?? "nothing") : `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
}

/** One of a fixed list of values (strings, or null). */
export function choice<const V extends string | null, D extends V | undefined = undefined>(values: readonly V[], doc: string, o: { default?: D } = {}): Def<V, D> {
  return spec("enum", listChoices(values), doc, (v) => (values as readonly unknown[]).includes(v), o);
}

export function str<D extends string | undefined = undefined>(doc: string, o: { default?: D } = {}): Def<string, D> {
  return spec("string", "a string", doc, (v) => typeof v === "string", o);
}

/** A Matrix (saved as {rows, cols, dtype, data}). */
export function matrix(doc: string): ParamSpec<Matrix> {
  return spec<Matrix, undefined>("matrix", "a Matrix", doc, (v) => v instanceof Matrix, {
    encode: (m) => matrixToJSON(m),
    decode: (j, path) => (j instanceof Matrix ? j : matrixFromJSON(j as MatrixJSON, path)),
  });
}

/** A callback: validated, never saved. */
export function func<F extends (...args: never[]) => unknown>(doc: string): ParamSpec<F> {
  return spec<F, undefined>("function", "a function", doc, (v) => typeof v === "function", { serialise: false });
}

/** An AbortSignal that stops long work: never saved. */
export function signal(doc = "stops the work when aborted (the promise rejects with CancelledError)"): ParamSpec<AbortSignal> {
  return spec<AbortSignal, undefined>("signal", "an AbortSignal", doc,
    (v) => typeof AbortSignal !== "undefined" ? v instanceof AbortSignal : typeof (v as { aborted?: unknown })?.aborted === "boolean",
    { serialise: false });
}

/** A value that passes a test of its own (tuples, iterables…), with `expected` saying what passes. */
export function custom<T>(expected: string, doc: string, test: (v: unknown) => boolean, o: CustomOptions<T> & { default: T }): ParamSpec<T> & { readonly default: T };
export function custom<T>(expected: string, doc: string, test: (v: unknown) => boolean, o?: CustomOptions<T>): ParamSpec<T>;
export function custom<T>(expected: string, doc: string, test: (v: unknown) => boolean, o: CustomOptions<T> = {}): ParamSpec<T> {
  return spec<T, T | undefined>("custom", expected, doc, test, o);
}

interface CustomOptions<T> {
  default?: T;
  /** The stored form of an accepted value (e.g. a Set of words kept as a sorted list). */
  normalise?: (v: T) => T;
  encode?: (v: T) => unknown;
  decode?: (j: unknown, path: string) => unknown;
}

/** A nested options object with a schema of its own (unknown keys rejected, `path.key` in messages). */
export function object<O>(schema: Schema<O>, doc: string): ParamSpec<O> {
  const s = schema as unknown as AnySchema;
  return {
    kind: "object", expected: `an object with options ${listChoices(Object.keys(s))}`, doc, serialise: true,
    check(v: unknown, path: string): O {
      if (v === null || typeof v !== "object" || Array.isArray(v)) mustBe(path, "an object", v);
      return validateGiven(s, v as Record<string, unknown>, path, `${path}.`) as O;
    },
    encode: (v) => encodeParams(s, v as Record<string, unknown>),
    decode: (j, path) => decodeParams(s, j, path),
  };
}

/** Any of several specs (the first that accepts the value is used to check, save and load it). */
export function anyOf<T>(specs: ReadonlyArray<ParamSpec<any>>, doc: string, o: { default: T }): ParamSpec<T> & { readonly default: T };
export function anyOf<T>(specs: ReadonlyArray<ParamSpec<any>>, doc: string, o?: { default?: undefined }): ParamSpec<T>;
export function anyOf<T>(specs: ReadonlyArray<ParamSpec<any>>, doc: string, o: { default?: T } = {}): ParamSpec<T> {
  const expected = specs.map((p) => p.expected).join(" or ");
  const accepts = (p: ParamSpec<any>, v: unknown): boolean => {
    try {
      p.check(v, "");
      return true;
    } catch {
      return false;
    }
  };
  const s: ParamSpec<T> = {
    kind: "union", expected, doc, serialise: specs.every((p) => p.serialise),
    check(v: unknown, path: string): T {
      const p = specs.find((q) => accepts(q, v));
      if (!p) mustBe(path, expected, v);
      return p.check(v, path) as T;
    },
    encode(v: T): unknown {
      const p = specs.find((q) => accepts(q, v));
      return p?.encode ? p.encode(v) : v;
    },
    decode(j: unknown, path: string): unknown {
      if (specs.some((q) => accepts(q, j))) return j;
      for (const q of specs) {
        if (!q.decode) continue;
        try {
          const v = q.decode(j, path);
          if (accepts(q, v)) return v;
        } catch {
          // not this member's JSON form
        }
      }
      return j;
    },
    ...(o.default !== undefined ? { default: o.default } : {}),
  };
  return s;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const A = a.toLowerCase(), B = b.toLowerCase();
  let prev = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (A[i - 1] === B[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[B.length]!;
}

/** The known name closest to `name`, when it is close enough to be a likely typo. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function rejectUnknown(schema: AnySchema, given: Record<string, unknown>, path: string): void {
  for (const key of Object.keys(given)) {
    if (Object.prototype.hasOwnProperty.call(schema, key)) continue;
    const known = Object.keys(schema);
    const near = nearestName(key, known);
    fail(`unknown option ${JSON.stringify(key)} for ${path}${near ? `: did you mean ${JSON.stringify(near)}?` : ""} ` +
      `(options: ${known.join(", ")})`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Matrix);
}

/** The given (not undefined) options, validated; no defaults filled in. Messages name `prefix + key`. */
function validateGiven(schema: AnySchema, given: Record<string, unknown>, owner: string, prefix = ""): Record<string, unknown> {
  rejectUnknown(schema, given, owner);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(given)) {
    if (v !== undefined) out[key] = schema[key]!.check(v, prefix + key);
  }
  return out;
}

/**
 * Validates an estimator's options against its schema and returns every parameter: the given values, the defaults
 * for the others (undefined where the schema has none). `owner` names the estimator in the unknown-option message;
 * `check` runs cross-field rules (e.g. Barnes–Hut needs nComponents 2 or 3) on the resolved parameters.
 */
export function resolveParams<O, S extends AnySchema>(schema: S, options: O | undefined, owner: string,
  check?: (p: ParamsOf<O, S>) => void): ParamsOf<O, S> {
  if (options !== undefined && !isPlainObject(options)) fail(`${owner} options must be an object, got ${describeValue(options)}`);
  const given = validateGiven(schema, (options ?? {}) as Record<string, unknown>, owner);
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(schema)) out[key] = key in given ? given[key] : p.default;
  const params = out as ParamsOf<O, S>;
  check?.(params);
  return params;
}

/** The saved form of the parameters: every serialisable one that is set, each through its spec's encode. */
export function encodeParams(schema: AnySchema, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(schema)) {
    const v = params[key];
    if (!p.serialise || v === undefined) continue;
    out[key] = p.encode ? p.encode(v) : v;
  }
  return out;
}

/** Options from their saved form (each through its spec's decode); the constructor then validates them. */
export function decodeParams(schema: AnySchema, json: unknown, path: string): Record<string, unknown> {
  if (json === undefined || json === null) return {};
  if (!isPlainObject(json)) fail(`${path}: expected an object of saved options, got ${describeValue(json)}`);
  rejectUnknown(schema, json, path);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(json)) {
    const p = schema[key]!;
    if (!p.serialise) fail(`${path}: option ${JSON.stringify(key)} cannot be saved, so a saved model cannot hold it`);
    out[key] = p.decode && v !== null ? p.decode(v, `${path}.${key}`) : v;
  }
  return out;
}

/** A shallow copy of the resolved parameters (what getParams() returns). */
export function copyParams<P extends object>(params: P): P {
  return { ...params };
}

import { describeValue, fail } from "./errors.js";

export type FloatArray = Float32Array | Float64Array;
export type DType = "float32" | "float64";

/**
 * A dense row-major matrix over a Float32Array (the default) or a Float64Array. `data` may be a view into a
 * larger buffer; element (i, j) is data[i * cols + j].
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: FloatArray;

  constructor(rows: number, cols: number, data?: FloatArray) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      fail(`matrix shape must be non-negative integers, got ${describeValue(rows)}x${describeValue(cols)}`);
    }
    if (data !== undefined && !(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      fail(`matrix data must be a Float32Array or a Float64Array, got ${describeValue(data)}: build a matrix from nested arrays with Matrix.fromArray(rows)`);
    }
    const d = data ?? new Float32Array(rows * cols);
    if (d.length !== rows * cols) fail(`matrix data has ${d.length} values, expected ${rows}x${cols} = ${rows * cols}`);
    this.rows = rows;
    this.cols = cols;
    this.data = d;
  }

  static zeros(rows: number, cols: number, dtype: DType = "float32"): Matrix {
    return new Matrix(rows, cols, dtype === "float64" ? new Float64Array(rows * cols) : new Float32Array(rows * cols));
  }

  static identity(n: number, dtype: DType = "float64"): Matrix {
    const m = Matrix.zeros(n, n, dtype);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /** Builds a matrix from nested arrays, validating shape and values (see {@link toMatrix}). */
  static fromArray(rows: ArrayLike<ArrayLike<number>>, dtype: DType = "float32"): Matrix {
    return toMatrix(rows, "input", dtype);
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? "float64" : "float32";
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** Row i as a view (no copy). */
  row(i: number): FloatArray {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** Rows [start, end) as a matrix view sharing this matrix's storage. */
  rowRange(start: number, end: number): Matrix {
    return new Matrix(end - start, this.cols, this.data.subarray(start * this.cols, end * this.cols));
  }

  /** Column j as a new Float64Array. */
  column(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j]!;
    return out;
  }

  /** A new matrix holding the listed rows, in that order. */
  selectRows(indices: ArrayLike<number>): Matrix {
    const out = Matrix.zeros(indices.length, this.cols, this.dtype);
    for (let r = 0; r < indices.length; r++) out.data.set(this.row(indices[r]!), r * this.cols);
    return out;
  }

  /** A new matrix holding columns [start, end). */
  colRange(start: number, end: number): Matrix {
    const w = end - start;
    const out = Matrix.zeros(this.rows, w, this.dtype);
    for (let i = 0; i < this.rows; i++) out.data.set(this.data.subarray(i * this.cols + start, i * this.cols + end), i * w);
    return out;
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  astype(dtype: DType): Matrix {
    if (dtype === this.dtype) return this.clone();
    return new Matrix(this.rows, this.cols, dtype === "float64" ? Float64Array.from(this.data) : Float32Array.from(this.data));
  }

  transpose(): Matrix {
    const { rows, cols, data } = this;
    const out = Matrix.zeros(cols, rows, this.dtype);
    const o = out.data;
    const B = 32;
    for (let i0 = 0; i0 < rows; i0 += B) {
      const i1 = Math.min(rows, i0 + B);
      for (let j0 = 0; j0 < cols; j0 += B) {
        const j1 = Math.min(cols, j0 + B);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) o[j * rows + i] = data[i * cols + j]!;
      }
    }
    return out;
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}

/** What estimators accept as data: a Matrix or nested numeric arrays. */
export type MatrixLike = Matrix | ArrayLike<ArrayLike<number>>;

/**
 * Converts and validates input: rejects empty input, ragged rows and non-finite values with a message naming the
 * position and value. A Matrix of the right dtype is returned as is (after the finiteness check).
 */
export function toMatrix(x: MatrixLike, name = "X", dtype: DType = "float32", opts: { checkFinite?: boolean } = {}): Matrix {
  let m: Matrix;
  if (x instanceof Matrix) {
    if (x.dtype === "float64" && dtype === "float32") checkFloat32Range(x, name);
    m = x.dtype === dtype ? x : x.astype(dtype);
  } else {
    if (x == null || typeof x !== "object" || typeof (x as ArrayLike<unknown>).length !== "number") {
      fail(`${name} must be a Matrix or an array of rows (arrays of numbers), got ${describeValue(x)}`);
    }
    const rows = x.length;
    if (rows === 0) fail(`${name} is empty: expected at least one row`);
    const first = x[0];
    if (typeof first === "number") {
      fail(`${name} is a flat array of numbers: expected an array of rows, one per sample (e.g. [[1, 2], [3, 4]]; a single sample is [[...]])`);
    }
    if (first == null || typeof first !== "object" || typeof first.length !== "number") {
      fail(`${name} row 0 is ${describeValue(first)}: expected an array of numbers`);
    }
    const cols = first.length;
    m = Matrix.zeros(rows, cols, dtype);
    for (let i = 0; i < rows; i++) {
      const r = x[i];
      if (r == null || r.length !== cols) {
        fail(`${name} has ragged rows: row ${i} has ${r == null ? "no" : r.length} values, row 0 has ${cols}`);
      }
      for (let j = 0; j < cols; j++) {
        const v = r[j];
        if (typeof v !== "number") fail(`${name}[${i}][${j}] is ${describeValue(v)}, expected a number`);
        const issue = dtype === "float32" && Number.isFinite(v) ? float32Issue(v) : undefined;
        if (issue) fail(`${name}[${i}][${j}] is ${v}: ${issue}`);
        m.data[i * cols + j] = v;
      }
    }
  }
  if (m.rows === 0 || m.cols === 0) fail(`${name} is empty (${m.rows}x${m.cols}): expected at least one row and one column`);
  if (opts.checkFinite ?? true) checkFinite(m, name);
  return m;
}

/** Throws naming the first NaN or infinite entry. */
export function checkFinite(m: Matrix, name = "X"): void {
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    if (!Number.isFinite(v)) {
      const i = Math.floor(k / m.cols);
      fail(`${name}[${i}][${k - i * m.cols}] is ${describeValue(v)}: expected finite numbers (no NaN or Infinity)`);
    }
  }
}

/** The largest finite float32 (about 3.4028235e38). */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** What a value beyond the float32 range is told. */
export const FLOAT32_RANGE = "outside the float32 range (magnitudes up to 3.4028235e38); rescale the data";

/** What a value too small for float32 is told (it would become 0). */
export const FLOAT32_TINY = "too small for float32 (nonzero magnitudes below 1.4e-45 become 0); rescale the data";

/**
 * Why a finite number cannot be stored as float32: it would become ±Infinity (FLOAT32_RANGE), or 0 although it is
 * not 0 (FLOAT32_TINY); undefined when it can.
 */
export function float32Issue(v: number): string | undefined {
  const a = Math.abs(v);
  if (a > FLOAT32_MAX) return FLOAT32_RANGE;
  if (a > 0 && Math.fround(a) === 0) return FLOAT32_TINY;
  return undefined;
}

/** Throws naming the first finite entry of a float64 matrix that float32 cannot hold (it would become Infinity or 0). */
export function checkFloat32Range(m: Matrix, name = "X"): void {
  if (m.dtype === "float32") return;
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    const issue = Number.isFinite(v) ? float32Issue(v) : undefined;
    if (issue) {
      const i = Math.floor(k / m.cols);
      fail(`${name}[${i}][${k - i * m.cols}] is ${v}: ${issue}`);
    }
  }
}

/** Largest |entry| (NaN entries are skipped). */
export function maxAbs(m: Matrix): number {
  let a = 0;
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    const v = Math.abs(d[k]!);
    if (v > a) a = v;
  }
  return a;
}

/**
 * A power of two s that brings data of extreme magnitude (largest |entry| outside [2^-20, 2^20]) to a largest |entry|
 * in [0.5, 1), so that squares, sums of squares and squared distances neither overflow nor underflow float32; 1 for
 * data already in that range (and for all-zero data). Multiplying by a power of two is exact, so results computed on
 * X·s and scaled back (or, for scale-free methods such as t-SNE and UMAP, not scaled at all) equal those on X.
 */
export function safeScale(...ms: Matrix[]): number {
  return safeScaleFor(Math.max(...ms.map(maxAbs)));
}

/** {@link safeScale} from the largest |entry|, where a kernel found it. */
export function safeScaleFor(a: number): number {
  if (!(a > 0) || !Number.isFinite(a) || (a >= 2 ** -20 && a <= 2 ** 20)) return 1;
  return 2 ** -(Math.floor(Math.log2(a)) + 1);
}

/** X·s as a new matrix of X's dtype (X itself when s is 1). */
export function scaleBy(m: Matrix, s: number): Matrix {
  if (s === 1) return m;
  const out = Matrix.zeros(m.rows, m.cols, m.dtype);
  for (let k = 0; k < m.data.length; k++) out.data[k] = m.data[k]! * s;
  return out;
}

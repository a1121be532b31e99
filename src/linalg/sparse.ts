// Compressed sparse row matrices, with the products the truncated SVD needs.
import { describeValue, fail } from "../core/errors.js";
import { Matrix, type FloatArray } from "../core/matrix.js";
import { sq } from "../core/numeric.js";

export class CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows+1 offsets into indices/data. */
  readonly indptr: Int32Array;
  /** Column index of each stored value, sorted within a row. */
  readonly indices: Int32Array;
  readonly data: Float64Array;

  constructor(rows: number, cols: number, indptr: Int32Array, indices: Int32Array, data: Float64Array) {
    if (indptr.length !== rows + 1) fail(`CSR indptr has length ${indptr.length}, expected rows+1 = ${rows + 1}`);
    if (indices.length !== data.length) fail(`CSR indices (${indices.length}) and data (${data.length}) differ in length`);
    if (indptr[0] !== 0 || indptr[rows] !== data.length) fail(`CSR indptr must run from 0 to nnz = ${data.length}`);
    for (let i = 0; i < rows; i++) {
      if (indptr[i + 1]! < indptr[i]!) fail(`CSR indptr decreases at row ${i}`);
    }
    for (let k = 0; k < indices.length; k++) {
      const j = indices[k]!;
      if (j < 0 || j >= cols) fail(`CSR column index ${j} at position ${k} is outside [0, ${cols})`);
      if (!Number.isFinite(data[k]!)) fail(`CSR value at position ${k} is ${describeValue(data[k])}: expected a finite number`);
    }
    this.rows = rows;
    this.cols = cols;
    this.indptr = indptr;
    this.indices = indices;
    this.data = data;
  }

  get nnz(): number {
    return this.data.length;
  }

  /** Builds from (row, col, value) triplets; duplicates are summed. */
  static fromTriplets(rows: number, cols: number, r: ArrayLike<number>, c: ArrayLike<number>, v: ArrayLike<number>): CsrMatrix {
    const n = r.length;
    if (c.length !== n || v.length !== n) fail("CSR triplets: row, column and value arrays differ in length");
    const counts = new Int32Array(rows + 1);
    for (let k = 0; k < n; k++) {
      const i = r[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= rows) fail(`CSR triplet ${k}: row ${describeValue(i)} is outside [0, ${rows})`);
      const j = c[k]!;
      if (!Number.isInteger(j) || j < 0 || j >= cols) fail(`CSR triplet ${k}: column ${describeValue(j)} is outside [0, ${cols})`);
      counts[i + 1]!++;
    }
    for (let i = 0; i < rows; i++) counts[i + 1]! += counts[i]!;
    // two stable counting sorts, by column and then by row, leave each row's columns ascending in O(nnz + rows + cols)
    const colPos = new Int32Array(cols + 1);
    for (let k = 0; k < n; k++) colPos[c[k]! + 1]!++;
    for (let j = 0; j < cols; j++) colPos[j + 1]! += colPos[j]!;
    const byCol = new Int32Array(n);
    for (let k = 0; k < n; k++) byCol[colPos[c[k]!]!++] = k;
    const pos = counts.slice(0, rows);
    const order = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      const k = byCol[t]!;
      order[pos[r[k]!]!++] = k;
    }
    // merge duplicates (summed in their input order)
    const outPtr = new Int32Array(rows + 1);
    const outIdx = new Int32Array(n);
    const outVal = new Float64Array(n);
    let m = 0;
    for (let i = 0; i < rows; i++) {
      let last = -1;
      for (let p = counts[i]!, e = counts[i + 1]!; p < e; p++) {
        const k = order[p]!;
        const j = c[k]!;
        if (j === last) outVal[m - 1]! += v[k]!;
        else {
          outIdx[m] = j;
          outVal[m++] = v[k]!;
          last = j;
        }
      }
      outPtr[i + 1] = m;
    }
    return new CsrMatrix(rows, cols, outPtr, outIdx.slice(0, m), outVal.slice(0, m));
  }

  static fromDense(A: Matrix): CsrMatrix {
    const ptr = new Int32Array(A.rows + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < A.cols; j++) {
        const v = A.data[i * A.cols + j]!;
        if (v !== 0) {
          idx.push(j);
          val.push(v);
        }
      }
      ptr[i + 1] = idx.length;
    }
    return new CsrMatrix(A.rows, A.cols, ptr, Int32Array.from(idx), Float64Array.from(val));
  }

  toDense(dtype: "float32" | "float64" = "float64"): Matrix {
    const out = Matrix.zeros(this.rows, this.cols, dtype);
    for (let i = 0; i < this.rows; i++) {
      for (let p = this.indptr[i]!; p < this.indptr[i + 1]!; p++) out.data[i * this.cols + this.indices[p]!] = this.data[p]!;
    }
    return out;
  }

  /** A·B for dense B (cols x k); result rows x k with B's dtype. */
  matmul(B: Matrix): Matrix {
    if (B.rows !== this.cols) fail(`CSR matmul: ${this.rows}x${this.cols} times ${B.rows}x${B.cols}`);
    const k = B.cols;
    const C = Matrix.zeros(this.rows, k, B.dtype);
    const c = C.data;
    const b = B.data;
    for (let i = 0; i < this.rows; i++) {
      const ci = i * k;
      for (let p = this.indptr[i]!; p < this.indptr[i + 1]!; p++) {
        const v = this.data[p]!;
        const bj = this.indices[p]! * k;
        for (let t = 0; t < k; t++) c[ci + t]! += v * b[bj + t]!;
      }
    }
    return C;
  }

  /** Aᵀ·B for dense B (rows x k); result cols x k with B's dtype. */
  tmatmul(B: Matrix): Matrix {
    if (B.rows !== this.rows) fail(`CSR tmatmul: (${this.rows}x${this.cols})ᵀ times ${B.rows}x${B.cols}`);
    const k = B.cols;
    const C = Matrix.zeros(this.cols, k, B.dtype);
    const c: FloatArray = C.data;
    const b = B.data;
    for (let i = 0; i < this.rows; i++) {
      const bi = i * k;
      for (let p = this.indptr[i]!; p < this.indptr[i + 1]!; p++) {
        const v = this.data[p]!;
        const cj = this.indices[p]! * k;
        for (let t = 0; t < k; t++) c[cj + t]! += v * b[bi + t]!;
      }
    }
    return C;
  }

  /** The transpose, as CSR (columns sorted within each row). */
  transpose(): CsrMatrix {
    const cnt = new Int32Array(this.cols + 1);
    for (let p = 0; p < this.nnz; p++) cnt[this.indices[p]! + 1]!++;
    for (let j = 0; j < this.cols; j++) cnt[j + 1]! += cnt[j]!;
    const fill = cnt.slice(0, this.cols);
    const idx = new Int32Array(this.nnz);
    const val = new Float64Array(this.nnz);
    for (let i = 0; i < this.rows; i++) {
      for (let p = this.indptr[i]!; p < this.indptr[i + 1]!; p++) {
        const q = fill[this.indices[p]!]!++;
        idx[q] = i;
        val[q] = this.data[p]!;
      }
    }
    return new CsrMatrix(this.cols, this.rows, cnt, idx, val);
  }

  /** Sum of squares of all stored values (‖A‖²_F). */
  frobeniusSq(): number {
    let s = 0;
    for (let k = 0; k < this.data.length; k++) s += sq(this.data[k]!);
    return s;
  }
}

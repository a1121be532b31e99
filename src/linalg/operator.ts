// Linear operators: what the randomized SVD needs to know of a matrix (its products), so that dense matrices,
// sparse matrices and implicitly centred data share one solver.
import { matmul, withPinnedAsync } from "../core/gemm.js";
import { Matrix } from "../core/matrix.js";
import { CsrMatrix } from "./sparse.js";

export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** A·B (B is cols x k). */
  matmul(B: Matrix): Matrix;
  /** Aᵀ·B (B is rows x k). */
  tmatmul(B: Matrix): Matrix;
  /** ‖A‖²_F. */
  frobeniusSq(): number;
  /** Runs body with any resources (WASM-resident copies) held for repeated products. */
  hold<T>(body: () => Promise<T>): Promise<T>;
}

export class DenseOperator implements LinearOperator {
  constructor(readonly A: Matrix) {}
  get rows(): number {
    return this.A.rows;
  }
  get cols(): number {
    return this.A.cols;
  }
  matmul(B: Matrix): Matrix {
    return matmul(this.A, B.dtype === this.A.dtype ? B : B.astype(this.A.dtype));
  }
  tmatmul(B: Matrix): Matrix {
    return matmul(this.A, B.dtype === this.A.dtype ? B : B.astype(this.A.dtype), { transA: true });
  }
  frobeniusSq(): number {
    let s = 0;
    const d = this.A.data;
    for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
    return s;
  }
  hold<T>(body: () => Promise<T>): Promise<T> {
    return withPinnedAsync(this.A, body);
  }
}

export class SparseOperator implements LinearOperator {
  constructor(readonly A: CsrMatrix) {}
  get rows(): number {
    return this.A.rows;
  }
  get cols(): number {
    return this.A.cols;
  }
  matmul(B: Matrix): Matrix {
    return this.A.matmul(B);
  }
  tmatmul(B: Matrix): Matrix {
    return this.A.tmatmul(B);
  }
  frobeniusSq(): number {
    return this.A.frobeniusSq();
  }
  hold<T>(body: () => Promise<T>): Promise<T> {
    return body();
  }
}

export function asOperator(A: Matrix | CsrMatrix | LinearOperator): LinearOperator {
  if (A instanceof Matrix) return new DenseOperator(A);
  if (A instanceof CsrMatrix) return new SparseOperator(A);
  return A;
}

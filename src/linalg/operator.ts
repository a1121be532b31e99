// Linear operators: what the randomized SVD needs to know of a matrix (its products), so that dense matrices,
// sparse matrices and implicitly centred data share one solver.
import { matmul, withPinnedAsync } from "../core/gemm.js";
import { Matrix } from "../core/matrix.js";
import { CSR_B, CSR_C, CSR_DATA, CSR_INDICES, CSR_INDPTR, CSR_K, CSR_ROWS } from "../../assembly/abi.js";
import { coreFor, partsFor } from "../core/backend.js";
import { WasmArena, type WasmCore } from "../core/wasm/runtime.js";
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
  // while held: copies of A and Aᵀ (indptr, indices, f32 data) in the WASM core
  private resident: { core: WasmCore; a: number[]; at: number[] } | null = null;
  constructor(readonly A: CsrMatrix) {}
  get rows(): number {
    return this.A.rows;
  }
  get cols(): number {
    return this.A.cols;
  }
  /** float32 products run in the WASM core while held (split over its threads); float64 ones in TypeScript. */
  matmul(B: Matrix): Matrix {
    if (this.resident && B.dtype === "float32") return this.wasmProduct(this.resident.a, this.A.rows, B);
    return this.A.matmul(B);
  }
  tmatmul(B: Matrix): Matrix {
    if (this.resident && B.dtype === "float32") return this.wasmProduct(this.resident.at, this.A.cols, B);
    return this.A.tmatmul(B);
  }
  frobeniusSq(): number {
    return this.A.frobeniusSq();
  }
  async hold<T>(body: () => Promise<T>): Promise<T> {
    const core = coreFor("csrProduct");
    if (!core || this.resident) return body();
    const arena = new WasmArena(core);
    const place = (M: CsrMatrix): number[] => [arena.put(M.indptr), arena.put(M.indices), arena.put(Float32Array.from(M.data))];
    this.resident = { core, a: place(this.A), at: place(this.A.transpose()) };
    try {
      return await body();
    } finally {
      arena.release();
      this.resident = null;
    }
  }
  private wasmProduct(csr: number[], rows: number, B: Matrix): Matrix {
    const core = this.resident!.core;
    const k = B.cols;
    const arena = new WasmArena(core);
    try {
      const bp = arena.put(B.data as Float32Array);
      const cp = arena.alloc(4 * rows * k);
      const p = core.callBlock().set(CSR_INDPTR, csr[0]!).set(CSR_INDICES, csr[1]!).set(CSR_DATA, csr[2]!).set(CSR_B, bp)
        .set(CSR_C, cp).set(CSR_K, k).set(CSR_ROWS, rows);
      core.run("csrMatmulPart", p.ptr, partsFor(core, "csrProduct", rows * k));
      return new Matrix(rows, k, core.f32().slice(cp >> 2, (cp >> 2) + rows * k));
    } finally {
      arena.release();
    }
  }
}

export function asOperator(A: Matrix | CsrMatrix | LinearOperator): LinearOperator {
  if (A instanceof Matrix) return new DenseOperator(A);
  if (A instanceof CsrMatrix) return new SparseOperator(A);
  return A;
}

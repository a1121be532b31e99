// Spectral layout of a weighted graph: the leading eigenvectors of the normalised adjacency D^(-1/2) W D^(-1/2)
// (the smallest of the normalised Laplacian), by block subspace iteration on (I + D^(-1/2) W D^(-1/2)) / 2 and a
// Rayleigh–Ritz step solved with our symmetric eigensolver.
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { eigh } from "../linalg/eigh.js";
import { orthonormalize } from "../linalg/orthonormalize.js";
import { SparseOperator } from "../linalg/operator.js";
import { CsrMatrix } from "../linalg/sparse.js";

/** n x dims layout from the eigenvectors 2..dims+1 (the first is the trivial one ∝ √degree); null if degenerate. */
export async function spectralLayout(W: CsrMatrix, dims: number, seed: number, maxIterations = 150): Promise<Matrix | null> {
  const n = W.rows;
  const l = Math.min(n, dims + 1 + 8);
  // an initialisation needs the leading subspace only roughly: spend about 1e8 multiply-adds, 30 rounds at least
  // (UMAP on 5000 Fashion-MNIST points: trustworthiness 0.9862-0.9867 with 87 rounds, 0.9865-0.9867 with 150)
  const iterations = Math.max(30, Math.min(maxIterations, Math.floor(1e8 / Math.max(1, W.nnz * l))));
  if (n <= dims + 1) return null;
  const invSqrtDeg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let p = W.indptr[i]!; p < W.indptr[i + 1]!; p++) d += W.data[p]!;
    invSqrtDeg[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  // A = (I + D^-1/2 W D^-1/2) / 2 as CSR; float32 blocks so the products run in the compute core (an initialisation
  // needs no more precision)
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(i);
    cols.push(i);
    vals.push(0.5);
    for (let p = W.indptr[i]!; p < W.indptr[i + 1]!; p++) {
      rows.push(i);
      cols.push(W.indices[p]!);
      vals.push(0.5 * invSqrtDeg[i]! * W.data[p]! * invSqrtDeg[W.indices[p]!]!);
    }
  }
  const op = new SparseOperator(CsrMatrix.fromTriplets(n, n, rows, cols, vals));
  const rng = new Random(seed);
  const Q = await op.hold(async () => {
    // Cholesky QR each round (two small GEMMs; Householder where it breaks down), accurate QR at the end
    let Q = orthonormalize(new Matrix(n, l, Float32Array.from({ length: n * l }, () => rng.normal())), false);
    for (let it = 0; it < iterations; it++) Q = orthonormalize(op.matmul(Q), it === iterations - 1);
    return Q.astype("float64");
  });
  const apply = (X: Float64Array): Float64Array => op.A.matmul(new Matrix(n, l, X)).data as Float64Array;
  // Rayleigh–Ritz: T = Qᵀ A Q
  const AQ = apply(Q.data as Float64Array);
  const T = Matrix.zeros(l, l, "float64");
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < l; a++) {
      const q = Q.data[i * l + a]!;
      for (let b = 0; b < l; b++) T.data[a * l + b]! += q * AQ[i * l + b]!;
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) T.data[a * l + b] = T.data[b * l + a] = (T.data[a * l + b]! + T.data[b * l + a]!) / 2;
  const { vectors } = eigh(T);
  const out = Matrix.zeros(n, dims, "float64");
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dims; c++) {
      let s = 0;
      for (let a = 0; a < l; a++) s += Q.data[i * l + a]! * vectors.data[a * l + c + 1]!;
      out.data[i * dims + c] = s;
    }
  }
  for (const v of out.data) if (!Number.isFinite(v)) return null;
  return out;
}

// Principal component analysis: centre the data, then a truncated SVD (exact, randomized, or through the
// eigen-decomposition of the covariance matrix).
import { describeValue, fail, throwIfAborted } from "../core/errors.js";
import {
  centered, checkFeatures, checkOutput, checkSaved, columnMeansChecked, fitted, matrixFromJSON, matrixToJSON,
  numberFromJSON, numbersFromJSON, sumSquares,
  type InvertibleTransformer, type MatrixJSON, type Progress,
} from "../core/estimator.js";
import { anyOf, choice, custom, bool, decodeParams, encodeParams, func, int, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { gram, matmul, withResidentMatrix, withResidentMatrixSync } from "../core/gemm.js";
import { checkFinite, FLOAT32_MAX, FLOAT32_RANGE, Matrix, safeScale, safeScaleFor, scaleBy, toMatrix, type MatrixLike } from "../core/matrix.js";
import { centerRows, columnStats } from "../core/columns.js";
import { eigh } from "../linalg/eigh.js";
import { randomizedSVD } from "../linalg/randomized.js";
import { svd, svdFlip } from "../linalg/svd.js";
import { sq } from "../core/numeric.js";
import type { StandardScalerJSON } from "../preprocessing/scaler.js";

export type PCASolver = "auto" | "full" | "randomized" | "covariance-eig";

export interface PCAOptions {
  /**
   * Components to keep: an integer in [1, min(nSamples, nFeatures)], or a fraction in (0, 1) of the variance to
   * explain (the smallest number of components that reaches it). Default: min(nSamples, nFeatures).
   */
  nComponents?: number;
  /**
   * "full": exact SVD of the centred data; "covariance-eig": eigen-decomposition of XᵀX (fast for nSamples ≫
   * nFeatures); "randomized": Halko et al.; "auto": scikit-learn 1.2's rule (randomized when the data are larger
   * than 500x500 and k < 0.8·min(n, d)), then covariance-eig when nFeatures ≤ 1000 and nSamples ≥ 10·nFeatures, else
   * full. Randomized comes first because it needs only the Gram matrix and a few small products where covariance-eig
   * needs the full O(d³) eigendecomposition of XᵀX (2.8 s at d = 784), for the same leading components to ~1e-6.
   */
  solver?: PCASolver;
  /** Scale the projections to unit variance (default false). */
  whiten?: boolean;
  /** Seed for the randomized solver (default 0). */
  seed?: number;
  /** Randomized solver: power iterations ("auto" as scikit-learn). */
  nIter?: number | "auto";
  /** Randomized solver: oversampling (default 10). */
  nOversamples?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export const PCA_PARAMS = {
  nComponents: custom<number>("a positive integer or a fraction in (0, 1)",
    "components to keep, or the fraction of the variance to explain (default min(nSamples, nFeatures))",
    (v) => typeof v === "number" && v > 0 && (Number.isInteger(v) || v < 1)),
  solver: choice(["auto", "full", "randomized", "covariance-eig"], "SVD route (auto: scikit-learn's rule)", { default: "auto" }),
  whiten: bool("scale the projections to unit variance", { default: false }),
  seed: int("seed of the randomized solver", { default: 0 }),
  nIter: anyOf<number | "auto">([int("", { min: 0 }), choice(["auto"], "")], "randomized solver: power iterations (auto: 7 when k < 0.1·min(n, d), else 4)", { default: "auto" }),
  nOversamples: int("randomized solver: extra random directions beyond k", { min: 0, default: 10 }),
  onProgress: func<(p: Progress) => void>("called after each step of the randomized solver"),
  signal: signal(),
} satisfies Schema<PCAOptions>;

export type PCAParams = ParamsOf<PCAOptions, typeof PCA_PARAMS>;

export interface PCAJSON {
  type: "PCA";
  version: 1;
  options: Record<string, unknown>;
  nSamples: number;
  solverUsed: Exclude<PCASolver, "auto">;
  mean: number[];
  components: MatrixJSON;
  singularValues: number[];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  noiseVariance: number;
  /**
   * Files saved by `latentkit pca --standardize --save-model` also hold the scaling applied before the PCA
   * (StandardScaler.fromJSON(json.scaler)); PCA.fromJSON ignores it.
   */
  scaler?: StandardScalerJSON;
}

function requireVariance(total: number): number {
  if (!(total > 0)) fail("X has zero variance: every feature is constant, so there are no principal components");
  return total;
}

/**
 * ‖Xc‖² − ‖Z‖²: the reconstruction error of data whose centred sum of squares is totalSS and whose projections (not
 * whitened) are Z, the components being orthonormal; undefined where the residual is under 0.1 % of totalSS and the
 * difference would lose digits (then compute it element by element).
 */
export function residualFromProjections(totalSS: number, Z: Matrix): number | undefined {
  let kept = 0;
  for (let t = 0; t < Z.data.length; t++) kept += Z.data[t]! * Z.data[t]!;
  return totalSS - kept > 1e-3 * totalSS ? totalSS - kept : undefined;
}

export class PCA implements InvertibleTransformer<MatrixLike, Matrix, PCAParams> {
  static readonly schema = PCA_PARAMS;
  readonly options: PCAParams;
  private mean_?: Float64Array;
  private components_?: Matrix;
  private singularValues_?: Float64Array;
  private explainedVariance_?: Float64Array;
  private explainedVarianceRatio_?: Float64Array;
  private noiseVariance_?: number;
  private nSamples_?: number;
  private solverUsed_?: Exclude<PCASolver, "auto">;

  constructor(options: PCAOptions = {}) {
    this.options = resolveParams(PCA_PARAMS, options, "PCA", ({ nComponents, solver }) => {
      if (solver === "randomized" && nComponents !== undefined && nComponents < 1) {
        fail(`nComponents=${nComponents} (a variance fraction) needs the full spectrum: use solver "full" or "covariance-eig"`);
      }
    });
  }

  getParams(): PCAParams {
    return { ...this.options };
  }

  /** Principal axes, one per row (k x nFeatures, unit norm, sign fixed so the largest entry is positive). */
  get components(): Matrix {
    return fitted(this.components_, "PCA");
  }
  get mean(): Float64Array {
    return fitted(this.mean_, "PCA");
  }
  get singularValues(): Float64Array {
    return fitted(this.singularValues_, "PCA");
  }
  /** Variance along each component: σ²/(n−1). */
  get explainedVariance(): Float64Array {
    return fitted(this.explainedVariance_, "PCA");
  }
  /** Fraction of the total variance along each component. */
  get explainedVarianceRatio(): Float64Array {
    return fitted(this.explainedVarianceRatio_, "PCA");
  }
  /** The training data's total variance (the sum of its features' variances): explainedVariance / explainedVarianceRatio. */
  get totalVariance(): number {
    return this.explainedVariance[0]! / this.explainedVarianceRatio[0]!;
  }
  /** Mean variance of the discarded directions (probabilistic PCA's noise estimate). */
  get noiseVariance(): number {
    return fitted(this.noiseVariance_, "PCA");
  }
  get nComponents(): number {
    return this.components.rows;
  }
  get nFeatures(): number {
    return this.components.cols;
  }
  get nSamples(): number {
    return fitted(this.nSamples_, "PCA");
  }
  /** The solver "auto" chose (or the one asked for). */
  get solverUsed(): Exclude<PCASolver, "auto"> {
    return fitted(this.solverUsed_, "PCA");
  }

  async fit(X: MatrixLike): Promise<this> {
    await this.fitInternal(X, false);
    return this;
  }

  /**
   * Fits; with `project`, also returns the training data's projections, computed while the centred data are still
   * resident in WASM memory (one more product, no second centring or copy).
   */
  private async fitInternal(X: MatrixLike, project: boolean): Promise<Matrix | undefined> {
    const M0 = toMatrix(X, "X", "float32", { checkFinite: false }); // checked through the column means below
    const n = M0.rows;
    const d = M0.cols;
    if (n < 2) fail(`PCA needs at least 2 samples, got ${n}`);
    const r = Math.min(n, d);
    const want = this.options.nComponents;
    if (want !== undefined && want >= 1 && want > r) {
      fail(`nComponents=${want} must be <= min(nSamples, nFeatures) = min(${n}, ${d}) = ${r}`);
    }
    const solver = this.chooseSolver(n, d, want);
    throwIfAborted(this.options.signal);
    if (solver === "full") {
      // data of extreme magnitude (near 1e20-1e38, or 1e-30) would overflow or underflow the float32 products: fit on
      // the data times a power of two (exact), then scale the mean and the spectrum back
      const mean0 = columnMeansChecked(M0);
      const scale = safeScale(M0);
      const M = scaleBy(M0, scale);
      const mean = scale === 1 ? mean0 : columnMeansChecked(M);
      const Xc = centered(M, mean, "float64");
      const total = requireVariance(sumSquares(Xc));
      const res = svd(Xc, { computeU: false });
      this.finish(n, mean, total, res.S, res.Vt, solver, scale);
      return project ? this.transform(M0) : undefined;
    }
    // copy the data into WASM memory once: the column statistics, the centring (in place) and every product then
    // run there, with no further copy
    return withResidentMatrix(n, d, async (Xc) => {
      Xc.data.set(M0.data);
      const stats = columnStats(Xc);
      for (let j = 0; j < d; j++) if (!Number.isFinite(stats.mean[j]!)) checkFinite(M0, "X");
      const scale = safeScaleFor(stats.maxAbs);
      let mean = stats.mean;
      if (scale !== 1) {
        for (let i = 0; i < Xc.data.length; i++) Xc.data[i]! *= scale;
        mean = columnStats(Xc).mean;
      }
      const total = requireVariance(centerRows(Xc, mean, Xc));
      const { S, V } = await this.decompose(Xc, solver, r);
      this.finish(n, mean, total, S, V, solver, scale);
      return project ? this.project(matmul(Xc, this.components, { transB: true }), 1 / scale, "PCA.fitTransform") : undefined;
    });
  }

  private async decompose(Xc: Matrix, solver: "randomized" | "covariance-eig", r: number): Promise<{ S: Float64Array; V: Matrix }> {
    const want = this.options.nComponents;
    const kFixed = want === undefined ? r : want >= 1 ? want : r;
    let S: Float64Array;
    let V: Matrix; // k x d
    if (solver === "randomized") {
      const res = await randomizedSVD(Xc, kFixed, {
        seed: this.options.seed ?? 0, nIter: this.options.nIter, nOversamples: this.options.nOversamples,
        onProgress: this.options.onProgress, signal: this.options.signal, computeU: false,
      });
      S = res.S;
      V = res.Vt;
    } else {
      const G = gram(Xc);
      const { values, vectors } = eigh(G.astype("float64"));
      S = Float64Array.from(values, (v) => Math.sqrt(Math.max(v, 0)));
      V = vectors.transpose();
      svdFlip(Matrix.zeros(0, 0), V);
    }
    throwIfAborted(this.options.signal);
    return { S, V };
  }

  /** Stores the fitted state from the spectrum (S, V) of the centred data. */
  private finish(n: number, mean: Float64Array, total: number, S: Float64Array, V: Matrix, solver: Exclude<PCASolver, "auto">, scale: number): void {
    const r = Math.min(n, mean.length);
    const want = this.options.nComponents;
    const kFixed = want === undefined ? r : want >= 1 ? want : r;
    const ev = Float64Array.from(S, (s) => (s * s) / (n - 1));
    const totalVar = total / (n - 1);
    let k = Math.min(kFixed, S.length);
    if (want !== undefined && want < 1) {
      // as scikit-learn (searchsorted side="right", its issue #15669): the smallest k whose cumulative ratio strictly
      // exceeds the fraction, so a fraction equal to a cumulative ratio keeps one more component
      let cum = 0;
      k = S.length;
      for (let i = 0; i < S.length; i++) {
        cum += ev[i]! / totalVar;
        if (cum > want) {
          k = i + 1;
          break;
        }
      }
    }
    const components = V.rowRange(0, k).astype("float32");
    checkOutput(components, "PCA");
    this.mean_ = Float64Array.from(mean, (v) => v / scale);
    this.components_ = components;
    this.singularValues_ = Float64Array.from(S.subarray(0, k), (v) => v / scale);
    this.explainedVariance_ = Float64Array.from(ev.subarray(0, k), (v) => v / scale / scale);
    this.explainedVarianceRatio_ = Float64Array.from(ev.subarray(0, k), (v) => v / totalVar);
    let kept = 0;
    for (let i = 0; i < k; i++) kept += ev[i]!;
    this.noiseVariance_ = k < r ? Math.max(0, (totalVar - kept) / (r - k)) / scale / scale : 0;
    this.nSamples_ = n;
    this.solverUsed_ = solver;
  }

  private chooseSolver(n: number, d: number, want: number | undefined): Exclude<PCASolver, "auto"> {
    const s = this.options.solver;
    if (s !== "auto") return s;
    const r = Math.min(n, d);
    if (Math.max(n, d) > 500 && want !== undefined && want >= 1 && want < 0.8 * r) return "randomized";
    if (d <= 1000 && n >= 10 * d) return "covariance-eig";
    return "full";
  }

  /** Projections onto the components: (X − mean)·Vᵀ, divided by √explainedVariance when whitening. */
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    checkFeatures(M, this.nFeatures, "PCA");
    // centre in float64 and project at a safe scale (a power of two), so that data of extreme magnitude neither
    // overflows nor underflows the float32 product
    const scale = safeScale(M);
    const Xc = scale === 1 ? centered(M, this.mean, "float32") : scaleBy(centered(M, this.mean, "float64"), scale).astype("float32");
    return this.project(matmul(Xc, this.components, { transB: true }), 1 / scale, "PCA.transform");
  }

  /** Projections P = Xc·Vᵀ (of data scaled by 1/unscale) to the output: unscaled, whitened when asked, range-checked. */
  private project(Z: Matrix, unscale: number, what: string): Matrix {
    const k = Z.cols;
    const s = Float64Array.from(this.explainedVariance, (v) => (this.options.whiten ? 1 / Math.sqrt(v > 0 ? v : 1) : 1) * unscale);
    const out = Matrix.zeros(Z.rows, k, "float32");
    for (let i = 0; i < Z.rows; i++) {
      for (let j = 0; j < k; j++) {
        const v = Z.data[i * k + j]! * s[j]!;
        if (Math.abs(v) > FLOAT32_MAX) fail(`${what}: projection [${i}][${j}] is ${v}, ${FLOAT32_RANGE}`);
        out.data[i * k + j] = v;
      }
    }
    return checkOutput(out, what);
  }

  async fitTransform(X: MatrixLike): Promise<Matrix> {
    return (await this.fitInternal(X, true))!;
  }

  /** Maps projections back to the input space: Z·V + mean (undoing whitening first). */
  inverseTransform(Z: MatrixLike): Matrix {
    const M = toMatrix(Z, "Z");
    if (M.cols !== this.nComponents) fail(`Z has ${M.cols} columns, but this PCA has ${this.nComponents} components`);
    const Zu = M.astype("float32");
    if (this.options.whiten) {
      const k = Zu.cols;
      const s = Float64Array.from(this.explainedVariance, (v) => Math.sqrt(v));
      for (let i = 0; i < Zu.rows; i++) for (let j = 0; j < k; j++) Zu.data[i * k + j]! *= s[j]!;
    }
    const Xr = matmul(Zu, this.components);
    const d = Xr.cols;
    for (let i = 0; i < Xr.rows; i++) for (let j = 0; j < d; j++) Xr.data[i * d + j]! += this.mean[j]!;
    return checkOutput(Xr, "PCA.inverseTransform");
  }

  /**
   * ‖X − inverseTransform(transform(X))‖²_F: on the training data, the sum of the discarded σᵢ². Computed as
   * ‖Xc‖² − ‖Xc·Vᵀ‖² (one product, the components being orthonormal), or element by element where the residual is
   * under 0.1 % of ‖Xc‖² and that difference would lose digits. `projections`: X's projections as transform or
   * fitTransform gave them (unwhitened), to skip the product: then only ‖Xc‖² is computed, in one pass over X.
   */
  reconstructionError(X: MatrixLike, projections?: Matrix): number {
    // with projections, X is checked through its sum of squares below (a NaN or an infinity makes it non-finite)
    const viaProjections = projections !== undefined && !this.options.whiten;
    const M = toMatrix(X, "X", "float32", { checkFinite: !viaProjections });
    checkFeatures(M, this.nFeatures, "PCA");
    if (projections !== undefined && viaProjections) {
      if (projections.rows !== M.rows || projections.cols !== this.nComponents) {
        fail(`PCA.reconstructionError: projections of shape ${projections.rows}x${projections.cols}, expected ${M.rows}x${this.nComponents}`);
      }
      const d = M.cols, mean = this.mean, x = M.data;
      // four running sums, so that the additions do not wait on each other
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      const d4 = d - (d % 4);
      for (let i = 0, o = 0; i < M.rows; i++, o += d) {
        let j = 0;
        for (; j < d4; j += 4) {
          const a = x[o + j]! - mean[j]!, b = x[o + j + 1]! - mean[j + 1]!;
          const c = x[o + j + 2]! - mean[j + 2]!, e = x[o + j + 3]! - mean[j + 3]!;
          t0 += a * a; t1 += b * b; t2 += c * c; t3 += e * e;
        }
        for (; j < d; j++) t0 += sq(x[o + j]! - mean[j]!);
      }
      const total = t0 + t1 + t2 + t3;
      if (!Number.isFinite(total)) checkFinite(M, "X");
      const err = residualFromProjections(total, projections);
      if (err !== undefined) return err;
    }
    if (!this.options.whiten) {
      const F = M.dtype === "float32" ? M : M.astype("float32");
      let scale = 1;
      const err = withResidentMatrixSync(M.rows, M.cols, (Xc) => {
        Xc.data.set(F.data);
        scale = safeScaleFor(columnStats(Xc).maxAbs);
        if (scale !== 1) for (let i = 0; i < Xc.data.length; i++) Xc.data[i]! *= scale;
        const total = centerRows(Xc, Float64Array.from(this.mean, (v) => v * scale), Xc);
        return residualFromProjections(total, matmul(Xc, this.components, { transB: true }));
      });
      if (err !== undefined) return err / scale / scale;
    }
    const R = this.inverseTransform(this.transform(M));
    let s = 0;
    for (let i = 0; i < M.data.length; i++) s += sq(M.data[i]! - R.data[i]!);
    return s;
  }

  toJSON(): PCAJSON {
    return {
      type: "PCA",
      version: 1,
      options: encodeParams(PCA_PARAMS, this.options),
      nSamples: this.nSamples,
      solverUsed: this.solverUsed,
      mean: Array.from(this.mean),
      components: matrixToJSON(this.components),
      singularValues: Array.from(this.singularValues),
      explainedVariance: Array.from(this.explainedVariance),
      explainedVarianceRatio: Array.from(this.explainedVarianceRatio),
      noiseVariance: this.noiseVariance,
    };
  }

  /**
   * Loads a saved PCA (checked: finite numbers, and lengths that agree with the components' shape). A file saved by
   * the CLI's `pca --standardize --save-model` also holds the scaler applied before the PCA as `scaler`
   * (StandardScaler.fromJSON(json.scaler)); PCA.fromJSON loads the PCA part.
   */
  static fromJSON(json: PCAJSON): PCA {
    checkSaved(json, "PCA");
    const p = new PCA(decodeParams(PCA_PARAMS, json.options, "PCA"));
    const C = matrixFromJSON(json.components, "PCA.components");
    const k = C.rows;
    if (k < 1) fail("PCA.components: no components in the saved model");
    const asked = p.options.nComponents;
    if (asked !== undefined && asked >= 1 && asked !== k) {
      fail(`PCA: options.nComponents is ${asked} but PCA.components has ${k} rows in the saved model`);
    }
    p.components_ = C;
    p.mean_ = numbersFromJSON(json.mean, "PCA.mean", { length: C.cols, lengthOf: "one per column of the components" });
    const per = { length: k, lengthOf: `one per component: components has ${k} rows` };
    p.singularValues_ = numbersFromJSON(json.singularValues, "PCA.singularValues", { ...per, min: 0 });
    p.explainedVariance_ = numbersFromJSON(json.explainedVariance, "PCA.explainedVariance", { ...per, min: 0 });
    p.explainedVarianceRatio_ = numbersFromJSON(json.explainedVarianceRatio, "PCA.explainedVarianceRatio", { ...per, min: 0 });
    p.noiseVariance_ = numberFromJSON(json.noiseVariance, "PCA.noiseVariance", { min: 0 });
    p.nSamples_ = numberFromJSON(json.nSamples, "PCA.nSamples", { min: 2, integer: true });
    if (!["full", "randomized", "covariance-eig"].includes(json.solverUsed)) {
      fail(`PCA.solverUsed is ${describeValue(json.solverUsed)}: expected "full", "randomized" or "covariance-eig" in the saved model`);
    }
    p.solverUsed_ = json.solverUsed;
    return p;
  }
}

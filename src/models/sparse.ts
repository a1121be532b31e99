// A sparse autoencoder: a dense autoencoder whose loss adds a penalty that keeps most code units inactive for most
// inputs, so that each unit learns a feature that few inputs have. Two penalties:
//   "kl": the codes go through a sigmoid, and the mean activation of each code unit over the batch, ρ̂_j = mean_n h_nj,
//         is pulled towards a small target ρ by the Kullback–Leibler divergence between Bernoulli(ρ) and
//         Bernoulli(ρ̂_j): β·Σ_j [ρ log(ρ/ρ̂_j) + (1−ρ) log((1−ρ)/(1−ρ̂_j))] (Ng, "Sparse autoencoder", CS294A lecture
//         notes, 2011; the target-activation idea is from Lee, Ekanadham & Ng 2008, "Sparse deep belief net model
//         for visual area V2").
//   "l1": β·mean_{n,j} |h_nj|, the mean absolute code (Ranzato et al. 2007 style sparse codes), any code activation.
// The penalty is composed from the engine's differentiable ops (mean, log, abs as relu(h) + relu(−h)), so autodiff
// gives its gradient. The batch loss is reconstruction + penalty, and both are kept per epoch in the training
// history as the terms "reconstruction" and "sparsity" (the penalty with its weight β, so the two add up to the loss).
import { describeValue, fail } from "../core/errors.js";
import type { InvertibleTransformer } from "../core/estimator.js";
import { toMatrix, type Matrix, type MatrixLike } from "../core/matrix.js";
import { choice, num, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import { noGrad, tidy } from "../nn/autograd.js";
import { add, addScalar, log, mean, mulScalar, neg, relu, sum } from "../nn/ops/index.js";
import { Tensor } from "../nn/tensor.js";
import { AUTOENCODER_PARAMS, Autoencoder, type AutoencoderOptions } from "./autoencoder.js";
import { registerModel, type BatchLoss } from "./base.js";

export type SparsityPenalty = "kl" | "l1";

export interface SparseAutoencoderOptions extends AutoencoderOptions {
  /** "kl": KL divergence of each code unit's mean activation from the target (sigmoid codes); "l1": mean |code|. Default "kl". */
  sparsity?: SparsityPenalty;
  /** The target mean activation ρ of each code unit (kl). Default 0.05. */
  target?: number;
  /** The weight β of the penalty. Default 0.1 (kl), the same for l1. */
  sparsityWeight?: number;
}

export const SPARSE_AUTOENCODER_PARAMS = {
  ...AUTOENCODER_PARAMS,
  codeActivation: choice(["relu", "leakyRelu", "gelu", "tanh", "sigmoid", "none"], "activation of the code layer (sigmoid: required by sparsity \"kl\")", { default: "sigmoid" }),
  sparsity: choice(["kl", "l1"], "the sparsity penalty: KL divergence of each code unit's mean activation from the target, or the mean |code|", { default: "kl" }),
  target: num("the target mean activation ρ of each code unit (sparsity kl)", { gt: 0, lt: 1, default: 0.05 }),
  sparsityWeight: num("the weight β of the sparsity penalty", { min: 0, default: 0.1 }),
} satisfies Schema<SparseAutoencoderOptions>;

export type SparseAutoencoderParams = ParamsOf<SparseAutoencoderOptions, typeof SPARSE_AUTOENCODER_PARAMS>;

/** Mean activations are kept in [ε, 1 − ε] inside the logs (a saturated sigmoid can give exactly 0 or 1 in float32). */
const EPS = 1e-6;

/**
 * Σ_j KL(ρ ‖ ρ̂_j) with ρ̂_j the mean of column j of h ([N, k], values in (0, 1)) over the rows: a scalar, with
 * its gradient through the engine's ops. ρ̂ is mapped to ε + (1 − 2ε)·ρ̂ (ε = 1e-6) before the logs.
 */
export function klSparsity(h: Tensor, rho: number): Tensor {
  if (!(rho > 0 && rho < 1)) fail(`klSparsity: the target must be in (0, 1), got ${describeValue(rho)}`);
  if (h.rank !== 2) fail(`klSparsity: expected codes [rows, units], got a tensor of rank ${h.rank}`);
  const k = h.shape[1]!;
  const rhoHat = addScalar(mulScalar(mean(h, 0), 1 - 2 * EPS), EPS); // [k]
  // KL = ρ log ρ + (1−ρ) log(1−ρ) − ρ log ρ̂ − (1−ρ) log(1−ρ̂), summed over the k units
  const constant = k * (rho * Math.log(rho) + (1 - rho) * Math.log(1 - rho));
  const cross = add(mulScalar(log(rhoHat), rho), mulScalar(log(addScalar(neg(rhoHat), 1)), 1 - rho));
  return addScalar(neg(sum(cross)), constant);
}

/** mean_{n,j} |h_nj| (|h| as relu(h) + relu(−h)): a scalar, with its gradient through the engine's ops. */
export function l1Sparsity(h: Tensor): Tensor {
  return mean(add(relu(h), relu(neg(h))));
}

export class SparseAutoencoder<P extends SparseAutoencoderParams = SparseAutoencoderParams> extends Autoencoder<P>
  implements InvertibleTransformer<MatrixLike, Matrix, P> {
  static override readonly schema: AnySchema = SPARSE_AUTOENCODER_PARAMS;
  static override readonly modelName: string = "SparseAutoencoder";
  static override readonly modelVersion: number = 1;

  constructor(options: SparseAutoencoderOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: P): void {
    super.checkOptions(p);
    if (p.sparsity === "kl" && p.codeActivation !== "sigmoid") {
      fail(`sparsity "kl" compares each code unit's mean activation with the target ${p.target}, which needs codes in (0, 1): codeActivation must be "sigmoid", got ${describeValue(p.codeActivation)} (or use sparsity "l1")`);
    }
  }

  /** The weighted penalty β·(Σ_j KL(ρ‖ρ̂_j) or mean |h|) of a batch of codes. */
  protected penaltyOf(h: Tensor): Tensor {
    const o = this.options;
    return mulScalar(o.sparsity === "kl" ? klSparsity(h, o.target) : l1Sparsity(h), o.sparsityWeight);
  }

  /** Reconstruction loss plus the weighted sparsity penalty, with both as named terms. */
  protected override batchLoss(x: Tensor, _training: boolean): BatchLoss {
    const net = this.net_!;
    const h = net.encode(x);
    const reconstruction = this.reconstructionLoss(net.decode(h), x);
    const sparsity = this.penaltyOf(h);
    return { loss: add(reconstruction, sparsity), terms: { reconstruction: reconstruction.item(), sparsity: sparsity.item() } };
  }

  /**
   * The weighted sparsity penalty of X's codes with all of X's rows as one batch (the KL penalty depends on the batch:
   * training sees it per mini-batch).
   */
  sparsityPenalty(X: MatrixLike): number {
    const M = this.input(X);
    return tidy(() => noGrad(() => this.penaltyOf(this.encodeBatch(Tensor.from(M.data, [M.rows, M.cols]))).item()));
  }

  /** The mean activation of each code unit over X's rows (ρ̂ of the KL penalty). */
  meanActivation(X: MatrixLike): Float64Array {
    const Z = this.transform(toMatrix(X, "X", "float32"));
    const k = Z.cols, out = new Float64Array(k);
    for (let i = 0; i < Z.rows; i++) for (let j = 0; j < k; j++) out[j]! += Z.data[i * k + j]!;
    for (let j = 0; j < k; j++) out[j]! /= Z.rows;
    return out;
  }
}

registerModel(SparseAutoencoder);

// A contractive autoencoder (Rifai, Vincent, Muller, Glorot & Bengio 2011, "Contractive auto-encoders: explicit
// invariance during feature extraction"): a dense autoencoder with sigmoid encoder units whose loss adds
// λ·‖J_f(x)‖_F², the squared Frobenius norm of the Jacobian of the encoder f at each training input (mean over the
// batch), so that the code changes little when the input moves: the code is locally invariant in the directions the
// data does not vary in, and follows it along the data's manifold.
//
// The norm is computed exactly. For one sigmoid layer h = σ(Wx + b) the Jacobian is diag(h ⊙ (1 − h))·W, so
//   ‖J‖² = Σ_j (h_j(1 − h_j))² Σ_i W_ji²                                             (Rifai et al., eq. 8)
// which costs one pass over the codes. A deeper encoder (layers l = 1…L, h_l = σ(W_l h_{l−1} + b_l), s_l = h_l(1−h_l))
// has J = S_L W_L ⋯ S_1 W_1 with S_l = diag(s_l), and ‖J‖² = tr(J Jᵀ) through the recursion
//   M_1 = S_1 (W_1 W_1ᵀ) S_1,   M_l = S_l W_l M_{l−1} W_lᵀ S_l,   ‖J‖² = tr(M_L) = Σ_j s_Lj² (W_L M_{L−1} W_Lᵀ)_jj
// over matrices of the hidden sizes per input (never of the input size d): memory rows × widest × max(widest, code),
// which checkOptions bounds. Both are composed from the engine's differentiable ops (linear, matmul, mul, transpose,
// reshape, sum), so autodiff gives the penalty's exact gradient. Every encoder layer must therefore be a sigmoid.
import { describeValue, fail } from "../core/errors.js";
import type { InvertibleTransformer } from "../core/estimator.js";
import type { Matrix, MatrixLike } from "../core/matrix.js";
import { choice, custom, num, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import { noGrad, tidy } from "../nn/autograd.js";
import { add, addScalar, linear, matmul, mean, mul, mulScalar, neg, reshape, square, sum, transpose } from "../nn/ops/index.js";
import { Tensor } from "../nn/tensor.js";
import { AUTOENCODER_PARAMS, Autoencoder, type AutoencoderOptions } from "./autoencoder.js";
import { CHUNK, registerModel, type BatchLoss } from "./base.js";

export interface ContractiveAutoencoderOptions extends AutoencoderOptions {
  /** The weight λ of the penalty on the encoder Jacobian's squared Frobenius norm. Default 0.01. */
  contraction?: number;
}

/** Most floats the deep penalty's per-input matrices may take at once: rows × widest hidden layer × max(widest, code). */
export const CONTRACTIVE_MAX_FLOATS = 2 ** 25;

export const CONTRACTIVE_AUTOENCODER_PARAMS = {
  ...AUTOENCODER_PARAMS,
  layers: custom<number[]>("an array of integers >= 1 (may be empty)", "hidden layer sizes of the encoder, from the input inwards (default none: one sigmoid layer, as Rifai et al.)",
    (v) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 1),
    { default: Object.freeze([]) as unknown as number[], normalise: (v) => v.slice() }),
  activation: choice(["sigmoid"], "activation of the hidden layers (sigmoid: the Jacobian's norm is computed exactly for sigmoid layers)", { default: "sigmoid" }),
  codeActivation: choice(["sigmoid"], "activation of the code layer (sigmoid: the Jacobian's norm is computed exactly for sigmoid layers)", { default: "sigmoid" }),
  contraction: num("the weight λ of the penalty on the encoder Jacobian's squared Frobenius norm", { min: 0, default: 0.01 }),
} satisfies Schema<ContractiveAutoencoderOptions>;

export type ContractiveAutoencoderParams = ParamsOf<ContractiveAutoencoderOptions, typeof CONTRACTIVE_AUTOENCODER_PARAMS>;

/**
 * The codes of x ([N, d]) through sigmoid encoder layers (weights [out, in], biases [out]) and the squared Frobenius
 * norm of the encoder's Jacobian at each row ([N]), exactly, as differentiable tensors (see the header).
 */
export function sigmoidEncoderJacobian(x: Tensor, weights: readonly Tensor[], biases: readonly Tensor[]): { codes: Tensor; norm: Tensor } {
  const L = weights.length;
  if (L < 1 || biases.length !== L) fail(`sigmoidEncoderJacobian: expected as many biases as weights (at least one), got ${L} and ${biases.length}`);
  const n = x.shape[0]!;
  const hs: Tensor[] = [];
  let h = x;
  for (let l = 0; l < L; l++) hs.push(h = linear(h, weights[l]!, biases[l]!, "sigmoid"));
  const slope = (t: Tensor): Tensor => mul(t, addScalar(neg(t), 1)); // σ' = σ(1 − σ)
  const W0 = weights[0]!;
  if (L === 1) {
    // Σ_j s_j² Σ_i W_ji²
    const rowNorms = sum(square(W0), 1); // [k]
    return { codes: h, norm: sum(mul(square(slope(hs[0]!)), rowNorms), 1) };
  }
  const n1 = W0.shape[0]!;
  const s1 = slope(hs[0]!);
  // M_1 = S_1 (W_1 W_1ᵀ) S_1, per row: [N, n1, n1]
  let M = mul(mul(reshape(s1, [n, n1, 1]), reshape(matmul(W0, W0, { transB: true }), [1, n1, n1])), reshape(s1, [n, 1, n1]));
  let norm: Tensor | null = null;
  for (let l = 1; l < L; l++) {
    const W = weights[l]!;
    const [out, inn] = W.shape as [number, number];
    // P = M_{l−1} W_lᵀ per row: [N, in, out]
    const P = reshape(matmul(reshape(M, [n * inn, inn]), W, { transB: true }), [n, inn, out]);
    const s = slope(hs[l]!);
    if (l < L - 1) {
      // W_l M_{l−1} W_lᵀ = (M_{l−1} W_lᵀ)ᵀ W_lᵀ (M symmetric), then S_l · S_l
      const Q = reshape(matmul(reshape(transpose(P, [0, 2, 1]), [n * out, inn]), W, { transB: true }), [n, out, out]);
      M = mul(mul(reshape(s, [n, out, 1]), Q), reshape(s, [n, 1, out]));
    } else {
      // only the diagonal of the last one: (W_L M W_Lᵀ)_jj = Σ_a P[a, j] W_L[j, a]
      const diag = sum(mul(P, reshape(transpose(W), [1, inn, out])), 1); // [N, out]
      norm = sum(mul(square(s), diag), 1);
    }
  }
  return { codes: h, norm: norm! };
}

export class ContractiveAutoencoder<P extends ContractiveAutoencoderParams = ContractiveAutoencoderParams> extends Autoencoder<P>
  implements InvertibleTransformer<MatrixLike, Matrix, P> {
  static override readonly schema: AnySchema = CONTRACTIVE_AUTOENCODER_PARAMS;
  static override readonly modelName: string = "ContractiveAutoencoder";
  static override readonly modelVersion: number = 1;

  constructor(options: ContractiveAutoencoderOptions = {}) {
    super(options);
  }

  protected override checkOptions(p: P): void {
    super.checkOptions(p);
    if (p.layers.length > 0) {
      // the matrices are [rows, hidden, hidden] and, for the last layer, [rows, hidden, code]; rows: a training batch
      // or a chunk of reconstructionError / jacobianNorm
      const widest = Math.max(...p.layers), rows = Math.max(p.batchSize, CHUNK);
      const floats = rows * widest * Math.max(widest, p.code);
      if (floats > CONTRACTIVE_MAX_FLOATS) {
        fail(`layers ${describeValue(p.layers)}: the exact Jacobian norm of a deep encoder takes rows × widest hidden layer × max(widest, code) = ` +
          `${rows} × ${widest} × ${Math.max(widest, p.code)} floats per batch, more than ${CONTRACTIVE_MAX_FLOATS}; use narrower hidden layers (or none: one sigmoid layer)`);
      }
    }
  }

  /** Codes and per-row squared Jacobian norms of a batch. */
  protected jacobianOf(x: Tensor): { codes: Tensor; norm: Tensor } {
    const net = this.net_!;
    return sigmoidEncoderJacobian(x, net.encW, net.encB);
  }

  /** Reconstruction loss plus λ·mean ‖J‖_F², with both as named terms ("reconstruction", "contraction"). */
  protected override batchLoss(x: Tensor, _training: boolean): BatchLoss {
    const { codes, norm } = this.jacobianOf(x);
    const reconstruction = this.reconstructionLoss(this.net_!.decode(codes), x);
    const contraction = mulScalar(mean(norm), this.options.contraction);
    return { loss: add(reconstruction, contraction), terms: { reconstruction: reconstruction.item(), contraction: contraction.item() } };
  }

  /** The squared Frobenius norm of the encoder's Jacobian at each row of X. */
  jacobianNorms(X: MatrixLike): Float64Array {
    const M = this.input(X);
    const out = new Float64Array(M.rows);
    const d = M.cols;
    for (let s = 0; s < M.rows; s += CHUNK) {
      const e = Math.min(M.rows, s + CHUNK);
      tidy(() => noGrad(() => out.set(this.jacobianOf(Tensor.from(M.data.subarray(s * d, e * d), [e - s, d])).norm.data, s)));
    }
    return out;
  }

  /** The mean over X's rows of the squared Frobenius norm of the encoder's Jacobian (the penalty without λ). */
  jacobianNorm(X: MatrixLike): number {
    const v = this.jacobianNorms(X);
    return v.reduce((a, b) => a + b, 0) / v.length;
  }
}

registerModel(ContractiveAutoencoder);

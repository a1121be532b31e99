// A linear autoencoder: x → W₁x + b₁ (the code, k units) → W₂h + b₂, no activation anywhere, trained on the mean
// squared error. Its optimum is known in closed form (Baldi & Hornik 1989, "Neural networks and principal component
// analysis: learning from examples without local minima"; Bourlard & Kamp 1988): every minimum of the squared error
// is global and there the decoder's columns (and the encoder's rows) span the same k-dimensional space as the first k
// principal components of the (centred) data, with the biases taking the mean. The weights themselves are any basis
// of that space: they need not be orthogonal, nor PCA's components (W₂ ↦ W₂A, W₁ ↦ A⁻¹W₁ for any invertible A leaves
// the loss unchanged). With tied weights (W₂ = W₁ᵀ) the optimum is W₁ᵀ with orthonormal columns spanning the same space.
// test/models/linear-autoencoder.test.ts checks the theorem against PCA with principal angles (src/linalg/subspace.ts).
//
// It is an Autoencoder with the architecture pinned (layers [], activations "none", loss "mse"): those options are in
// its schema (its options and saved file have an Autoencoder's fields, and all of the Autoencoder's code applies),
// but any other value is refused by name.
import type { Matrix, MatrixLike } from "../core/matrix.js";
import type { InvertibleTransformer } from "../core/estimator.js";
import { bool, custom, int, type AnySchema, type ParamsOf, type Schema } from "../core/params.js";
import { Autoencoder, type AutoencoderOptions } from "./autoencoder.js";
import { TRAINING_PARAMS, registerModel, type TrainingOptions } from "./base.js";

/** The options of a LinearAutoencoder: the code size, tied weights and the training options. */
export interface LinearAutoencoderOptions extends TrainingOptions {
  /** Size of the code (k: the dimension of the principal subspace it learns). Default 32. */
  code?: number;
  /** The decoder uses the encoder's weights transposed (own biases). Default false. */
  tied?: boolean;
  /** Fixed: no hidden layers. */
  layers?: [];
  /** Fixed: linear units. */
  activation?: "none";
  /** Fixed: linear codes. */
  codeActivation?: "none";
  /** Fixed: linear output. */
  outputActivation?: "none";
  /** Fixed: squared error. */
  loss?: "mse";
}

/** An option that a linear autoencoder fixes: only `value` passes, and the message says why. */
function pinned<T>(value: T, why: string) {
  return custom<T>(`${JSON.stringify(value)} (${why})`, `fixed to ${JSON.stringify(value)}: ${why}`,
    (v) => JSON.stringify(v) === JSON.stringify(value), { default: (Array.isArray(value) ? Object.freeze(value) : value) as T, normalise: (v) => (Array.isArray(v) ? (v.slice() as T) : v) });
}

export const LINEAR_AUTOENCODER_PARAMS = {
  layers: pinned<number[]>([], "a linear autoencoder has no hidden layers: d → code → d"),
  code: int("size of the code: the dimension of the principal subspace it learns", { min: 1, default: 32 }),
  activation: pinned<"none">("none", "a linear autoencoder has linear units"),
  codeActivation: pinned<"none">("none", "a linear autoencoder has linear codes"),
  outputActivation: pinned<"none">("none", "a linear autoencoder has a linear output"),
  loss: pinned<"mse">("mse", "a linear autoencoder minimises the squared error"),
  tied: bool("the decoder uses the encoder's weights transposed", { default: false }),
  ...TRAINING_PARAMS,
} satisfies Schema<AutoencoderOptions>;

export type LinearAutoencoderParams = ParamsOf<AutoencoderOptions, typeof LINEAR_AUTOENCODER_PARAMS>;

export class LinearAutoencoder extends Autoencoder<LinearAutoencoderParams>
  implements InvertibleTransformer<MatrixLike, Matrix, LinearAutoencoderParams> {
  static override readonly schema: AnySchema = LINEAR_AUTOENCODER_PARAMS;
  static override readonly modelName: string = "LinearAutoencoder";
  static override readonly modelVersion: number = 1;

  constructor(options: LinearAutoencoderOptions = {}) {
    super(options);
  }

  /** The decoder's weight [d, code]: its columns span the learned subspace. */
  get decoderWeight(): Matrix {
    const w = this.weights;
    return this.options.tied ? w.get("encoder.0.weight")!.transpose() : w.get("decoder.0.weight")!;
  }

  /** The encoder's weight [code, d]: its rows span the learned subspace too. */
  get encoderWeight(): Matrix {
    return this.weights.get("encoder.0.weight")!;
  }
}

registerModel(LinearAutoencoder);

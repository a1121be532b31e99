// latentkit public API: everything here runs in a browser as in Node (no `node:` import is reachable from this
// entry). Reading and writing files, gzip, saveFigure and the zlib-compressed `render` are in "latentkit/node"
// (src/node.ts), which also re-exports all of this.
export { Matrix, toMatrix, checkFinite, type MatrixLike, type FloatArray, type DType } from "./core/matrix.js";
export { Random } from "./core/random.js";
export { LatentkitError, CancelledError } from "./core/errors.js";
export type {
  Estimator, Transformer, InvertibleTransformer, Embedder, InductiveEmbedder, WordEmbedder, EstimatorClass, SavedModel,
  Labels,
} from "./core/estimator.js";
/** The parameter-schema builders and helpers (params.int, params.resolveParams, …), for estimators of your own. */
export * as params from "./core/params.js";
export type { ParamSpec, ParamKind, Schema, AnySchema, ParamsOf } from "./core/params.js";
export { matmul, pairwiseSqDistances, rowSqNorms, withPinned, type MatmulOptions } from "./core/gemm.js";
export {
  setThreads, wasmCore, wasmCoreError, initCore, kernelInfo, type CoreInfo, type InitCoreOptions,
} from "./core/wasm/runtime.js";
export { THRESHOLDS, currentRoute, setRoute, type Route, type Work } from "./core/backend.js";

export { qr, qrR, type QRResult } from "./linalg/qr.js";
export { eigh, type EighResult } from "./linalg/eigh.js";
export { svd, svdFlip, type SVDResult, type SVDOptions } from "./linalg/svd.js";
export { randomizedSVD, type RandomizedSVDOptions, type Progress } from "./linalg/randomized.js";
export { orthonormalize } from "./linalg/orthonormalize.js";
export { CsrMatrix } from "./linalg/sparse.js";
export { DenseOperator, SparseOperator, asOperator, type LinearOperator } from "./linalg/operator.js";

export { PCA, type PCAOptions, type PCASolver, type PCAJSON } from "./decomposition/pca.js";
export { TruncatedSVD, type TruncatedSVDOptions, type TruncatedSVDJSON } from "./decomposition/truncated-svd.js";
export { lowRankApproximation, type LowRankApproximation, type LowRankOptions } from "./decomposition/low-rank.js";
export { StandardScaler, type StandardScalerOptions, type StandardScalerJSON } from "./preprocessing/scaler.js";

export { parseCsv, type CsvOptions, type Table } from "./formats/csv.js";
export { parseNpy, encodeNpy } from "./formats/npy.js";
export { parseIdx, idxImages, idxLabels, type IdxArray, type IdxImages } from "./formats/idx.js";
export { FASHION_MNIST_CLASSES, type Dataset } from "./formats/dataset.js";
export { matrixToTsv, metadataTsv, encodeEmbedding, embeddingFormatFor, type EmbeddingFormat } from "./formats/export.js";

export {
  render, rasterize, scatterFigure, imageGridFigure, reconstructionFigure, spectrumFigure, lineChartFigure, imageRowsFigure,
  type Figure, type LineSeries, type LineChartOptions, type ImageRowsOptions,
} from "./plot/charts.js";
export { encodePNG, storedDeflate, deflateWithCompressionStream, type Deflate, type AsyncDeflate } from "./plot/png.js";

export { exactKnn, normalizeRows, type KnnGraph, type KnnOptions, type Metric } from "./neighbors/knn.js";
export { trustworthiness, continuity, knnRecall, knnAccuracy } from "./metrics/quality.js";
export { meanSquaredError, rowMeanSquaredErrors, psnr, psnrOfMean } from "./metrics/reconstruction.js";

/** Probes of representations: linear and nearest-neighbour classifiers, the L-BFGS minimiser. */
export {
  LogisticRegression, type LogisticRegressionOptions, type LogisticRegressionParams, type LogisticRegressionJSON,
} from "./linear/logistic.js";
export { KNeighborsClassifier, type KNeighborsClassifierOptions, type KNeighborsClassifierJSON } from "./neighbors/classifier.js";
export { minimizeLbfgs, type Objective, type LbfgsOptions, type LbfgsResult } from "./linalg/lbfgs.js";
export { stress, sammonStress, distanceMatrix } from "./metrics/stress.js";
export { TSNE, type TSNEOptions, type TSNEProgress, type TSNEJSON } from "./manifold/tsne.js";
export { UMAP, type UMAPOptions, type UMAPProgress, type UMAPJSON } from "./manifold/umap.js";
export { MDS, classicalMDS, type MDSOptions, type MDSProgress, type MDSJSON } from "./manifold/mds.js";
export { Sammon, type SammonOptions, type SammonProgress, type SammonJSON } from "./manifold/sammon.js";
export { calibratePerplexity, jointProbabilities } from "./manifold/affinity.js";
export { nnDescent, knnGraph, type NNDescentOptions } from "./neighbors/nndescent.js";
export { FFTPlan, isFftSize, nextFftSize } from "./core/fft.js";
export { FftRepulsion, type FftRepulsionOptions } from "./manifold/tsne-fft.js";
export type { TSNEMethod, TSNETransformOptions } from "./manifold/tsne.js";

export { Tokenizer, ENGLISH_STOP_WORDS, type TokenizerOptions } from "./text/tokenize.js";
export type { Sentences } from "./text/sentences.js";
export { Vocabulary, type VocabularyOptions, type VocabularyJSON } from "./text/vocabulary.js";
export { CountVectorizer, TfidfVectorizer, type CountVectorizerOptions, type TfidfVectorizerOptions } from "./text/vectorizers.js";
export { LSA, type LSAOptions, type LSAJSON, type Hit } from "./text/lsa.js";
export {
  CooccurrenceEmbedding, cooccurrenceCounts, ppmi, type CooccurrenceEmbeddingOptions, type CooccurrenceOptions, type PpmiOptions,
} from "./text/cooccurrence.js";
export { Word2Vec, type Word2VecOptions, type Word2VecProgress, type Word2VecJSON, type Word2VecStats } from "./text/word2vec.js";
/** Graphs and node embeddings: the CSR graph, random walks (DeepWalk, node2vec), the walk estimators. */
export { Graph, type GraphOptions, type EdgeList, type NodeName } from "./graph/graph.js";
export { parseEdgeList } from "./formats/edge-list.js";
export { randomWalks, aliasTables, type WalkOptions, type WalkResult, type AliasTables } from "./graph/walks.js";
export {
  DeepWalk, Node2Vec, type DeepWalkOptions, type Node2VecOptions, type DeepWalkParams, type Node2VecParams,
  type WalkEmbeddingStats, type WalkEmbeddingJSON,
} from "./graph/node2vec.js";
export { KeyedVectors, removeCommonComponents, type WordScore, type DocumentVectorOptions } from "./text/keyed-vectors.js";
export { parseWordVectors, encodeWordVectors, formatFloat32, type WordVectorFormat } from "./formats/word-vectors.js";
export {
  evaluateWordPairsText, evaluateAnalogiesText, spearman, pearson, ranks,
  type WordPairsOptions, type WordPairsResult, type AnalogiesOptions, type AnalogiesResult,
} from "./text/evaluate.js";

/** The neural engine: tensors, autodiff, ops, layers, initialisers, optimisers, schedules (nn.Tensor, nn.ops.linear, …). */
export * as nn from "./nn/index.js";
export { Tensor } from "./nn/tensor.js";
export { Module, type ModuleSpec } from "./nn/module.js";
export {
  Sequential, Residual, Linear, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Dropout, buildModule,
} from "./nn/layers/index.js";
export { SGD, Adam, AdamW, type Optimizer } from "./nn/optim/index.js";

/** Neural estimators on the engine (src/nn): a dense autoencoder, trained by the shared loop (src/nn/train.ts). */
export { Autoencoder, type AutoencoderOptions, type AutoencoderParams, type AutoencoderJSON, type AutoencoderLoss } from "./models/autoencoder.js";
export { AutoencoderBase, TRAINING_PARAMS, type TrainingOptions, type ModelJSON } from "./models/base.js";
export { loadModel, modelFromJSON } from "./models/load.js";
// the denoising autoencoder and the corruption processes (Gaussian, masking, salt-and-pepper, missing block)
export {
  DenoisingAutoencoder, denoise, DEFAULT_NOISE_LEVEL, type DenoisingAutoencoderOptions, type DenoisingAutoencoderParams, type DenoisingNoise,
} from "./models/denoising.js";
export { corrupt, corruptInto, parseCorruption, formatCorruption, checkCorruption, type Corruption } from "./models/corruption.js";
export { LinearAutoencoder, type LinearAutoencoderOptions, type LinearAutoencoderParams } from "./models/linear-autoencoder.js";
export { SparseAutoencoder, klSparsity, l1Sparsity, type SparseAutoencoderOptions, type SparseAutoencoderParams, type SparsityPenalty } from "./models/sparse.js";
export { ContractiveAutoencoder, sigmoidEncoderJacobian, type ContractiveAutoencoderOptions, type ContractiveAutoencoderParams } from "./models/contractive.js";
export { principalAngles, principalAnglesRadians } from "./linalg/subspace.js";
export { ConvAutoencoder, type ConvAutoencoderOptions, type ConvAutoencoderParams, type ConvAutoencoderJSON } from "./models/conv-autoencoder.js";
export { ConvEncoder, ConvDecoder, type ConvUpsample, type ConvEncoderSpec, type ConvDecoderSpec } from "./models/conv-nets.js";
/** Convolutional classifiers as feature learners: a layer-token language with lenet/resnet presets, augmentation. */
export {
  CNNClassifier, CNN_CLASSIFIER_PARAMS, type CNNClassifierOptions, type CNNClassifierParams, type CNNClassifierJSON, type CNNClassifierHeaderJSON,
} from "./models/cnn.js";
export {
  planLayers, presetLayers, layerTokens, checkLayerTokens, planTensors, buildLayers, forwardMacs, GlobalAvgPool,
  type CNNPreset, type PresetSwitches, type LayerKind, type LayerPlan,
} from "./models/cnn-layers.js";
export { augmentImages, warpImage, augments, type AugmentOptions, type Warp } from "./models/augment.js";
/** Adversarial examples against a CNNClassifier: FGSM, L∞ PGD (targeted or not), accuracy under attack. */
export { fgsm, pgd, robustAccuracy, inputGradient, type AttackOptions, type PGDOptions } from "./models/adversarial.js";
/** The variational autoencoder (dense or convolutional; Bernoulli or Gaussian decoder; β; importance-sampled log-likelihood). */
export {
  VAE, VAENet, type VAEOptions, type VAEParams, type VAEJSON, type VAELikelihood, type VAEArchitecture, type VAENetSpec, type ElboResult,
  type LogLikelihoodOptions,
} from "./models/vae.js";
/** Semantic hashing: binary codes from an autoencoder, random-hyperplane LSH and median-thresholded codes; Hamming search and retrieval metrics. */
export {
  SemanticHashing, straightThroughBinary, type SemanticHashingOptions, type SemanticHashingParams, type HashingInput, type Binarization,
} from "./models/semantic-hashing.js";
export {
  HammingIndex, RandomHyperplaneLSH, packBits, unpackBits, selectCodes, bitBalance, popcount32, hammingDistance, wordsPerCode,
  medianThresholds, medianThresholdCodes,
  type BinaryCodes, type HammingHits, type HammingBatchHits, type HammingBalls, type HammingQuery, type RandomHyperplaneLSHOptions,
  type RandomHyperplaneLSHJSON,
} from "./neighbors/hamming.js";
export { precisionAtK, precisionWithinRadius, type PrecisionAtKOptions, type RadiusPrecision } from "./metrics/retrieval.js";
export { fitLoop, BatchBuffer, type FitLoopOptions, type LossHistory, type EarlyStopping, type Validation } from "./nn/train.js";
// node embeddings (issue 14): NetMF and the evaluation protocols
export { NetMF, NETMF_PARAMS, deepWalkMatrixDense, normalizedAdjacency, windowFilter, type NetMFOptions, type NetMFParams, type NetMFJSON } from "./graph/netmf.js";
export {
  nodeClassification, linkPrediction, f1Scores, rocAuc, type NodeLabels, type NodeClassificationOptions, type NodeClassificationResult,
  type LinkPredictionOptions, type LinkPredictionResult,
} from "./graph/evaluate.js";
export { topEigenpairs, type TopEigenOptions, type TopEigenResult } from "./linalg/top-eigen.js";
/** Understanding a CNNClassifier's layers: first-layer filters, top-activating images, activation maximisation, saliency. */
export {
  filterImages, topActivating, topActivatingUnits, activations, unitActivations, maximizeActivation, maximizeActivations, saliency,
  type FilterImages, type MaximizeOptions, type Maximized, type UnitScore,
} from "./models/visualize.js";
export { labelledRowsFigure, heat, type LabelledRow, type LabelledRowsOptions } from "./plot/grids.js";
export { FeatureExtractor, fineTune, resizeImages, type FineTuneOptions } from "./models/transfer.js";

// latentkit public API.
export { Matrix, toMatrix, checkFinite, type MatrixLike, type FloatArray, type DType } from "./core/matrix.js";
export { Random } from "./core/random.js";
export { LatentkitError, CancelledError } from "./core/errors.js";
export { matmul, pairwiseSqDistances, rowSqNorms, withPinned, type MatmulOptions } from "./core/gemm.js";
export { kernelInfo, setThreads, wasmCore, wasmCoreError } from "./core/wasm/runtime.js";
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

export { parseCsv, readCsv, type CsvOptions, type Table } from "./io/csv.js";
export { parseNpy, encodeNpy, readNpy, writeNpy } from "./io/npy.js";
export { parseIdx, readIdx, readIdxImages, readIdxLabels, type IdxArray, type IdxImages } from "./io/idx.js";
export { loadDataset, FASHION_MNIST_CLASSES, type Dataset, type LoadOptions } from "./io/dataset.js";
export { writeEmbedding, matrixToTsv, metadataTsv } from "./io/export.js";

export {
  render, saveFigure, scatterFigure, imageGridFigure, reconstructionFigure, spectrumFigure, type Figure,
} from "./plot/charts.js";

export { exactKnn, normalizeRows, type KnnGraph, type KnnOptions, type Metric } from "./neighbors/knn.js";
export { trustworthiness, continuity, knnRecall, knnAccuracy } from "./metrics/quality.js";
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
export { TextCorpus, readLines, readDocuments, type Sentences } from "./text/corpus.js";
export { Vocabulary, type VocabularyOptions, type VocabularyJSON } from "./text/vocabulary.js";
export { CountVectorizer, TfidfVectorizer, type CountVectorizerOptions, type TfidfVectorizerOptions } from "./text/vectorizers.js";
export { LSA, type LSAOptions, type LSAJSON, type Hit } from "./text/lsa.js";
export {
  CooccurrenceEmbedding, cooccurrenceCounts, ppmi, type CooccurrenceEmbeddingOptions, type CooccurrenceOptions, type PpmiOptions,
} from "./text/cooccurrence.js";
export { Word2Vec, type Word2VecOptions, type Word2VecProgress } from "./text/word2vec.js";
export { KeyedVectors, removeCommonComponents, type WordScore, type DocumentVectorOptions } from "./text/keyed-vectors.js";
export { readWordVectors, writeWordVectors, formatFloat32, type WordVectorFormat } from "./io/word-vectors.js";
export { evaluateWordPairs, evaluateAnalogies, spearman, pearson, ranks, type WordPairsResult, type AnalogiesResult } from "./text/evaluate.js";

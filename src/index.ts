// latentkit public API.
export { Matrix, toMatrix, checkFinite, type MatrixLike, type FloatArray, type DType } from "./core/matrix.js";
export { Random } from "./core/random.js";
export { LatentkitError, CancelledError } from "./core/errors.js";
export { matmul, pairwiseSqDistances, rowSqNorms, withPinned, type MatmulOptions } from "./core/gemm.js";
export { setThreads, wasmCore } from "./core/wasm/runtime.js";

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

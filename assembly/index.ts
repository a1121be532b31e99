// latentkit compute core: WebAssembly SIMD kernels (AssemblyScript), one module per concern, exported from here.
// scripts/build-wasm.mjs compiles this entry (twice: plain SIMD, and with relaxed SIMD's fused multiply-add).
//
// Every function works on raw pointers into the (shared) linear memory; the JS side owns allocation.

// The parallel kernels all have the shape xxxPart(params, part, parts): `params` is the offset of the job's parameter
// block (its slots are in assembly/abi.ts), and part `part` of `parts` does its share. The build lists them (and the
// other exports, with their AssemblyScript signatures) in src/core/wasm/kernel-exports.ts; a job names its kernel.

export { zero } from "./common";
export { packB, gemmPart } from "./gemm";
export { rowSqNormsPart, knnSelectPart, sqDistF64Part } from "./distances";
export { colStatsPart, centerPart } from "./columns";
export { fftColumnsPart, fftRowsPart } from "./fft";
export { tsneAttractRowsPart, bhGroupBuild, bhGroupPart, tsneGradPart, bhQueryPart } from "./tsne";
export { csrMatmulPart } from "./sparse";
export { w2vTrainPart, w2vScratchBytes } from "./word2vec";
export { umapEpochPart } from "./umap";
export { walksPart } from "./walks";
export { nnAxpy, nnScale, nnSumSq } from "./nn/blas1";
export { nnUnary, nnUnaryGrad, nnUnaryPart, nnUnaryGradPart, nnBinary, nnTranspose2d } from "./nn/elementwise";
export { nnSumMid, nnSumOuterInner, nnMaxMid, nnMaxScatter } from "./nn/reduce";
export { nnBiasAct, nnActBwd, nnBiasActPart, nnActBwdPart, nnColSums } from "./nn/linear";
export { nnBnStats, nnChannelAffine, nnBnBwdSums, nnBnBwdDx } from "./nn/norm";
export { nnDropout } from "./nn/dropout";
export { nnSoftmax, nnSoftmaxBwd, nnCrossEntropyFwd, nnCrossEntropyBwd, nnBceFwdPart, nnBceBwdPart, nnMseFwd, nnMseBwd, nnKlFwd, nnKlBwd } from "./nn/loss";
export { nnAdamPart, nnSgdPart, nnClamp } from "./nn/optim";
export { nnIm2colPart, nnCol2imColsPart, nnBiasNchwPart, nnNchwToCnhwPart } from "./nn/conv";
export { nnMaxPoolPart, nnMaxPoolBackPart, nnAvgPoolPart, nnAvgPoolBackPart } from "./nn/pool";

// latentkit compute core: WebAssembly SIMD kernels (AssemblyScript), one module per concern, exported from here.
// scripts/build-wasm.mjs compiles this entry (twice: plain SIMD, and with relaxed SIMD's fused multiply-add).
//
// Every function works on raw pointers into the (shared) linear memory; the JS side owns allocation.

export { zero } from "./common";
export { packB, gemmRows } from "./gemm";
export { rowSqNorms, knnSelect, sqDistF64 } from "./distances";
export { fftColumns, fftRows } from "./fft";
export { tsneAttractSymPart, bhGroupBuild, bhGroupPart, tsneGradPart } from "./tsne";
export { csrMatmul } from "./sparse";
export { w2vTrainPart } from "./word2vec";
export { umapEpochPart } from "./umap";

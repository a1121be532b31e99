// latentkit for Node ("latentkit/node"): everything of the main entry, plus reading and writing files (plain or
// gzipped), streamed text corpora, and figures rendered with zlib and saved to disk. The CLI's I/O comes from here.
export * from "./index.js";
export { render, saveFigure, zlibDeflate } from "./io/figures.js";
export { readMaybeGzip, isGzipData } from "./io/files.js";
export { OutputFiles, writeFileAtomic, type FileData } from "./io/fs.js";
export { readCsv } from "./io/csv.js";
export { readNpy, writeNpy } from "./io/npy.js";
export { readSafetensors, writeSafetensors, readModule, writeModule, readStateDict } from "./io/safetensors.js";
export { readIdx, readIdxImages, readIdxLabels } from "./io/idx.js";
export { loadDataset, type LoadOptions } from "./io/dataset.js";
export { writeEmbedding } from "./io/export.js";
export { readEdgeList, writeNodeVectors, type EdgeListOptions, type NodeVectorFormat, type NodeVectorWriteOptions } from "./io/graph.js";
export { TextCorpus, readLines, readDocuments } from "./io/corpus.js";
export { readWordVectors, writeWordVectors } from "./io/word-vectors.js";
export { evaluateWordPairs, evaluateAnalogies } from "./io/evaluate.js";
export { readNodeLabels, parseNodeLabels, labelStrings, type ReadNodeLabelsOptions } from "./io/node-labels.js";

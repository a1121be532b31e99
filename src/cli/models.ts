// What the commands of the autoencoder family and bench/autoencoders take from the modules of issue 12 (the models,
// the corruptions, the reconstruction metrics, the probes and two charts), imported in this one place. Loading it
// registers every model class for loadModel (latentkit denoise reads a file saved by any of them).

export { Autoencoder } from "../models/autoencoder.js";
export { DenoisingAutoencoder } from "../models/denoising.js";
export { corrupt, parseCorruption } from "../models/corruption.js";
export { SemanticHashing } from "../models/semantic-hashing.js";
export { LinearAutoencoder } from "../models/linear-autoencoder.js";
export { SparseAutoencoder } from "../models/sparse.js";
export { ContractiveAutoencoder } from "../models/contractive.js";
export { ConvAutoencoder } from "../models/conv-autoencoder.js";
export { meanSquaredError, psnr } from "../metrics/reconstruction.js";
export { LogisticRegression } from "../linear/logistic.js";
export { KNeighborsClassifier } from "../neighbors/classifier.js";
export { imageRowsFigure, lineChartFigure } from "../plot/charts.js";

export { VAE } from "../models/vae.js";

// The models of the autoencoder family the commands and bench/autoencoders use, imported in this one place: loading
// it registers every class for loadModel (latentkit denoise reads a file saved by any of them).
export { Autoencoder } from "../models/autoencoder.js";
export { LinearAutoencoder } from "../models/linear-autoencoder.js";
export { DenoisingAutoencoder } from "../models/denoising.js";
export { SparseAutoencoder } from "../models/sparse.js";
export { ContractiveAutoencoder } from "../models/contractive.js";
export { ConvAutoencoder } from "../models/conv-autoencoder.js";
export { VAE } from "../models/vae.js";
export { SemanticHashing } from "../models/semantic-hashing.js";

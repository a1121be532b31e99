// Every model of the autoencoder family, loaded for its registerModel side effect: loadModel (latentkit denoise)
// then reads a file saved by any of them.
import "../models/autoencoder.js";
import "../models/linear-autoencoder.js";
import "../models/denoising.js";
import "../models/sparse.js";
import "../models/contractive.js";
import "../models/conv-autoencoder.js";
import "../models/vae.js";
import "../models/semantic-hashing.js";

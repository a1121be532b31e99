// Loading any model of the autoencoder family from its file, whichever classes the caller has imported: this module
// imports every model (each registers its class with base.ts's registry as it loads), so `loadModel` knows them all.
import { loadRegisteredModel, registeredModelFromJSON, type AutoencoderBase, type ModelJSON } from "./base.js";
import "./autoencoder.js";
import "./linear-autoencoder.js";
import "./denoising.js";
import "./sparse.js";
import "./contractive.js";
import "./conv-autoencoder.js";
import "./vae.js";
import "./semantic-hashing.js";

/** Loads any model of the family from the bytes of its safetensors file (the CLI's --save-model), by its saved type. */
export function loadModel(bytes: Uint8Array, source = "safetensors data"): AutoencoderBase {
  return loadRegisteredModel(bytes, source);
}

/** Loads any model of the family from its toJSON() form. */
export function modelFromJSON(json: ModelJSON): AutoencoderBase {
  return registeredModelFromJSON(json);
}

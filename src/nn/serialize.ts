// Modules saved and loaded as safetensors: the weights under PyTorch's state_dict names ("0.weight", "encoder.1.bias",
// "1.running_mean"), float32, and the architecture (the module's spec() as JSON) in the header's __metadata__ under
// "latentkit.architecture", so that a file is both a latentkit model and a state_dict PyTorch can load. Weights-only
// files (written by PyTorch: no architecture) load into a module built by the caller with loadStateDict.
// Browser-safe (bytes in, bytes out); the file side is src/io/safetensors.ts.
import { excerpt, fail } from "../core/errors.js";
import { parseSafetensors, serializeSafetensors, type SafetensorsFile } from "../formats/safetensors.js";
import { buildModule } from "./layers/index.js";
import type { Module, ModuleSpec } from "./module.js";

/** The __metadata__ key that holds the architecture. */
export const ARCHITECTURE_KEY = "latentkit.architecture";

/** Options of {@link loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Refuse tensors of the file the module does not have (default true). PyTorch's BatchNorm counter
   * "<name>.num_batches_tracked" is always accepted and ignored when the module has no such buffer.
   */
  strict?: boolean;
}

/**
 * The module's parameters and buffers as safetensors bytes (float32, state_dict names, in registration order) with
 * its architecture in the metadata, plus `extraMetadata` (string values; it may not replace the architecture).
 */
export function saveModule(module: Module, extraMetadata: Record<string, string> = {}): Uint8Array {
  if (ARCHITECTURE_KEY in extraMetadata) fail(`saveModule: the metadata key "${ARCHITECTURE_KEY}" is the module's own architecture`);
  for (const [k, v] of Object.entries(extraMetadata)) {
    if (typeof v !== "string") fail(`saveModule: metadata "${k}" must be a string (safetensors metadata maps strings to strings), got ${typeof v}`);
  }
  const spec = module.spec();
  const metadata = { format: "pt", ...extraMetadata, [ARCHITECTURE_KEY]: JSON.stringify(spec) };
  const tensors: [string, { shape: readonly number[]; data: ArrayLike<number> }][] = [];
  for (const [name, t] of module.stateDict()) tensors.push([name, { shape: t.shape, data: t.data }]);
  return serializeSafetensors(tensors, metadata);
}

/** The architecture stored in a file saved by {@link saveModule}, or null (a weights-only file). */
export function architectureOf(file: SafetensorsFile, source = "safetensors data"): ModuleSpec | null {
  const text = file.metadata[ARCHITECTURE_KEY];
  if (text === undefined) return null;
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    fail(`${source}: the architecture in __metadata__["${ARCHITECTURE_KEY}"] is not JSON (${(e as Error).message}): ${excerpt(text)}`);
  }
  if (typeof spec !== "object" || spec === null || typeof (spec as { type?: unknown }).type !== "string") {
    fail(`${source}: the architecture in __metadata__["${ARCHITECTURE_KEY}"] must be an object with a "type", got ${excerpt(text)}`);
  }
  return spec as ModuleSpec;
}

/**
 * A module rebuilt from safetensors bytes written by {@link saveModule}: its architecture from the metadata, then its
 * weights (every tensor present, of the right shape, and no other). `source` names the file in messages.
 */
export function loadModule(bytes: Uint8Array | SafetensorsFile, source = "safetensors data"): Module {
  const file = bytes instanceof Uint8Array ? parseSafetensors(bytes, source) : bytes;
  const spec = architectureOf(file, source);
  if (!spec) {
    if (file.metadata.latentkit !== undefined) {
      fail(`${source}: a saved latentkit estimator (__metadata__["latentkit"]), not a module: load it with its estimator's fromSafetensors (Autoencoder.fromSafetensors)`);
    }
    fail(`${source}: no architecture in the file (__metadata__["${ARCHITECTURE_KEY}"]): a weights-only file, such as a PyTorch state_dict; build the module and load its weights with loadStateDict`);
  }
  let module: Module;
  try {
    module = buildModule(spec);
  } catch (e) {
    fail(`${source}: cannot build the saved architecture: ${(e as Error).message}`);
  }
  try {
    loadStateDict(module, file, source);
  } catch (e) {
    module.dispose();
    throw e;
  }
  return module;
}

/**
 * Copies the weights of safetensors bytes (or a parsed file) into `module`'s parameters and buffers, by state_dict
 * name: PyTorch-written files (torch.save of a state_dict converted to safetensors, or safetensors.torch.save_file)
 * load as they are. Every tensor of the module must be in the file with its shape; a tensor of the file the module
 * does not have is an error unless `strict` is false. Nothing is copied when a check fails (the checks are
 * Module.loadStateDict's; messages begin with `source`).
 */
export function loadStateDict(module: Module, bytes: Uint8Array | SafetensorsFile, source = "safetensors data",
  opts: LoadStateDictOptions = {}): void {
  const file = bytes instanceof Uint8Array ? parseSafetensors(bytes, source) : bytes;
  module.loadStateDict(file.tensors, { strict: opts.strict ?? true, requireAll: true, source });
}

// safetensors files: tensors, and neural modules saved with their architecture (the formats are
// formats/safetensors.ts and nn/serialize.ts, re-exported here).
import { parseSafetensors, serializeSafetensors, type SafeTensor, type SafetensorsFile } from "../formats/safetensors.js";
import type { Module } from "../nn/module.js";
import { loadModule, loadStateDict, saveModule, type LoadStateDictOptions } from "../nn/serialize.js";
import { readFileBytes, writeOutputs, type OutputFiles } from "./fs.js";

export { loadModule, loadStateDict, parseSafetensors, saveModule, serializeSafetensors, type SafeTensor, type SafetensorsFile };

/** Reads a safetensors file (not through the gzip reader: a header length can begin with gzip's magic bytes). */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileBytes(path), path);
}

/** Writes float32 tensors (and string metadata) as a safetensors file, atomically (or stages it in `outputs`). */
export function writeSafetensors(path: string, tensors: Iterable<[string, { shape: readonly number[]; data: ArrayLike<number> }]>,
  metadata: Record<string, string> = {}, outputs?: OutputFiles): void {
  const data = serializeSafetensors(tensors, metadata);
  writeOutputs(outputs, (out) => out.write(path, data));
}

/** Saves a module (weights and architecture) as a safetensors file, atomically (or stages it in `outputs`). */
export function writeModule(path: string, module: Module, extraMetadata: Record<string, string> = {}, outputs?: OutputFiles): void {
  const data = saveModule(module, extraMetadata);
  writeOutputs(outputs, (out) => out.write(path, data));
}

/** A module rebuilt from a file written by {@link writeModule}; messages name the path. */
export function readModule(path: string): Module {
  return loadModule(readSafetensors(path), path);
}

/** Loads a weights-only safetensors file (a PyTorch state_dict) into `module`; messages name the path. */
export function readStateDict(module: Module, path: string, opts?: LoadStateDictOptions): void {
  loadStateDict(module, readSafetensors(path), path, opts);
}

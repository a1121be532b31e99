// Every command's outputs are checked before any work and written together at the end: planOutputs validates each
// output option (the format its extension names, that it is not an input or another output, that its directory can
// be made and written) and returns the batch the command stages its files in; commit() renames them into place.
import { fail } from "../core/errors.js";
import { embeddingFormatFor, metadataPathFor } from "../formats/export.js";
import { OutputFiles, sameFile } from "../io/fs.js";
import { figureFormatFor } from "../plot/charts.js";
import { resolve } from "node:path";
import { statSync } from "node:fs";

/** What an output option writes: an embedding (.tsv/.npy/.csv/.json), a picture (.png/.svg), JSON, word vectors. */
export type OutputKind = "embedding" | "figure" | "json" | "vectors";

/** [option, path (undefined when the option is not given), kind]. */
export type OutputSpec = readonly [option: string, path: string | undefined, kind: OutputKind];

/**
 * Checks every output option before the command does any work and reserves its temporary file: the format (by
 * extension), that no output is an input file or another output, that the path is not a directory and its
 * directory can be created and written. Fails with one line naming the option and the path.
 */
export function planOutputs(specs: readonly OutputSpec[], inputs: readonly (string | undefined)[] = []): OutputFiles {
  const given = specs.filter((s): s is readonly [string, string, OutputKind] => s[1] !== undefined);
  const claimed = new Map<string, string>();
  const claim = (option: string, path: string, what: string): void => {
    const key = resolve(path);
    const other = claimed.get(key);
    if (other !== undefined) fail(`${option} ${path} is the same file as ${other}: give each output its own name`);
    claimed.set(key, what);
    for (const input of inputs) {
      if (input !== undefined && (resolve(input) === key || sameFile(input, path))) {
        const which = input === path ? "the input file" : `the input file ${input}`;
        fail(`${option} ${path} is ${which}: writing it would overwrite the input; choose another name`);
      }
    }
  };
  for (const [option, path, kind] of given) {
    if (path === "") fail(`${option} needs a file name, got ""`);
    if (/[/\\]$/.test(path) || isDirectory(path)) fail(`cannot write ${path}: it is a directory`);
    if (kind === "embedding") {
      embeddingFormatFor(path);
      claim(option, path, `${option} ${path}`);
      if (embeddingFormatFor(path) === "tsv") claim(option, metadataPathFor(path), `the labels file of ${option} ${path}`);
    } else {
      if (kind === "figure") figureFormatFor(path);
      claim(option, path, `${option} ${path}`);
    }
  }
  const out = new OutputFiles();
  try {
    for (const [, path] of given) out.plan(path);
  } catch (e) {
    out.discard();
    throw e;
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

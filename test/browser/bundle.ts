// Bundles the built main entry for the browser with esbuild, as a web app would: the library and its helper Web
// Worker script as two entries of one output folder (runtime.ts finds the worker beside the bundle).
import { build, type BuildResult, type Metafile } from "esbuild";
import { fileURLToPath } from "node:url";

/** The project root (this file is compiled to dist/test/browser/bundle.js). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const ENTRIES = {
  index: `${ROOT}dist/src/index.js`,
  "web-worker": `${ROOT}dist/src/core/wasm/web-worker.js`,
};

export interface Bundle {
  /** Output files by name (index.js, web-worker.js). */
  files: Map<string, string>;
  metafile: Metafile;
}

/** Bundles `entries` for platform "browser" as ESM; rejects with esbuild's errors (a `node:` import is one). */
export async function bundleForBrowser(entries: Record<string, string> = ENTRIES): Promise<Bundle> {
  const r: BuildResult<{ write: false; metafile: true }> = await build({
    entryPoints: entries,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    outdir: "/bundle",
    logLevel: "silent",
  });
  const files = new Map<string, string>();
  for (const f of r.outputFiles) files.set(f.path.replace(/^\/bundle\//, ""), f.text);
  return { files, metafile: r.metafile };
}

/** Every `node:` (or bare Node built-in) import esbuild saw, as "importer -> path". */
export function nodeImports(metafile: Metafile): string[] {
  const out: string[] = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) if (imp.path.startsWith("node:") || imp.external) out.push(`${file} -> ${imp.path}`);
  }
  for (const file of Object.keys(metafile.inputs)) if (file.startsWith("node:")) out.push(file);
  return out;
}

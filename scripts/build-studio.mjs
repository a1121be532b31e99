// The studio's static build: bundles the compiled page, its compute worker and the compute core's helper thread
// (from dist/, after tsc) for the browser with esbuild, and copies src/studio/static/* beside them, into dist/studio/.
// Any node: import reachable from an entry fails the build (exit 1, one line). `npm run build:studio`.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = join(ROOT, "dist/studio");
const STATIC = join(ROOT, "src/studio/static");
const ENTRIES = {
  studio: "dist/src/studio/app/main.js",
  "compute-worker": "dist/src/studio/compute/worker.js",
  "web-worker": "dist/src/core/wasm/web-worker.js",
};

function die(message) {
  process.stderr.write(`build-studio: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
}

const entryPoints = {};
for (const [name, path] of Object.entries(ENTRIES)) {
  if (existsSync(join(ROOT, path))) entryPoints[name] = join(ROOT, path);
  else process.stderr.write(`build-studio: skipping ${name}.js: ${path} does not exist yet (run tsc first, or it is not written yet)\n`);
}
if (Object.keys(entryPoints).length === 0) die("none of the entries exist: run tsc -p tsconfig.json first");

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

let result;
try {
  result = await build({
    entryPoints,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: false,
    metafile: true,
    outdir: OUT,
    logLevel: "silent",
  });
} catch (e) {
  const first = e.errors?.[0];
  if (first) {
    const where = first.location ? `${first.location.file}:${first.location.line}: ` : "";
    const node = /"(node:[^"]+|fs|path|os|url|child_process|worker_threads|zlib|crypto)"/.exec(first.text);
    die(node ? `${where}a Node import (${node[1]}) is reachable from the studio's browser code: ${first.text}` : `${where}${first.text}`);
  }
  die(e.message ?? String(e));
}
// esbuild refuses unresolvable node: imports on platform "browser"; an import marked external would slip through
for (const [file, input] of Object.entries(result.metafile.inputs)) {
  for (const imp of input.imports) if (imp.path.startsWith("node:") || imp.external) die(`${file} imports ${imp.path}: a Node import is reachable from the studio's browser code`);
}

const copied = [];
if (existsSync(STATIC)) {
  for (const name of readdirSync(STATIC)) {
    const src = join(STATIC, name);
    if (!statSync(src).isFile()) continue;
    copyFileSync(src, join(OUT, name));
    copied.push(name);
  }
}
for (const want of ["index.html", "studio.css"]) {
  if (!copied.includes(want)) process.stderr.write(`build-studio: skipping ${want}: src/studio/static/${want} does not exist yet\n`);
}
const sizes = Object.entries(result.metafile.outputs).map(([f, o]) => `${f.replace(/^.*\//, "")} ${(o.bytes / 1024).toFixed(0)} KiB`);
process.stdout.write(`build-studio: dist/studio/: ${[...sizes, ...copied].join(", ")}\n`);

import { Command } from "commander";
import { fail } from "../core/errors.js";
import { kernelInfo } from "../core/wasm/runtime.js";
import { labelOrder } from "../plot/charts.js";
import { imageShapeFor, loadInput, type InputOptions } from "./common.js";

export function infoCommand(): Command {
  const cmd = new Command("info")
    .description("describe a data file: shape, value range, missing structure, labels (and which compute core runs here)")
    .argument("<file>", "input data")
    .option("--label-column <name|index>", "column holding labels (name, or index; -1 = last)")
    .option("--labels <file>", "labels from a separate file")
    .option("--delimiter <char>", "field delimiter")
    .option("--json", "print one JSON object to stdout");
  cmd.action((file: string, o: InputOptions & { json?: boolean }) => {
    const t0 = performance.now();
    const ds = loadInput(file, o);
    const { X } = ds;
    let min = Infinity, max = -Infinity, sum = 0, zeros = 0;
    let constant = 0;
    for (const v of X.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      if (v === 0) zeros++;
    }
    for (let j = 0; j < X.cols; j++) {
      let same = true;
      for (let i = 1; i < X.rows && same; i++) same = X.data[i * X.cols + j] === X.data[j];
      if (same) constant++;
    }
    // the readers reject NaN, infinities and values beyond float32, so these are finite; never print null for them
    if (![min, max, sum].every(Number.isFinite)) fail(`${file}: the statistics of the values are not finite (min ${min}, max ${max}, sum ${sum})`);
    const counts: Record<string, number> = {};
    for (const l of ds.labels ?? []) counts[l] = (counts[l] ?? 0) + 1;
    const shape = imageShapeFor(ds, undefined, false);
    const info = {
      file, rows: X.rows, cols: X.cols, min, max, mean: sum / X.data.length, zeroFraction: zeros / X.data.length,
      constantColumns: constant, ...(ds.featureNames ? { featureNames: ds.featureNames } : {}),
      ...(shape ? { imageShape: shape } : {}),
      ...(ds.labels ? { labels: Object.fromEntries(labelOrder(ds.labels).map((l) => [l, counts[l]!])) } : {}),
      seconds: (performance.now() - t0) / 1000,
      // the WebAssembly kernels in use, or "none" with the reason they failed to load (TypeScript routes then)
      computeCore: kernelInfo(),
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(info) + "\n");
      return;
    }
    console.log(`${file}: ${X.rows} rows x ${X.cols} numeric columns`);
    console.log(`values in [${min}, ${max}], mean ${info.mean.toPrecision(5)}, ${(100 * info.zeroFraction).toFixed(1)}% zeros, ${constant} constant column(s)`);
    if (ds.featureNames) console.log(`features: ${ds.featureNames.slice(0, 12).join(", ")}${ds.featureNames.length > 12 ? ", ..." : ""}`);
    if (shape) console.log(`rows look like ${shape[0]}x${shape[1]} images`);
    if (ds.labels) console.log(`labels: ${labelOrder(ds.labels).map((l) => `${l} (${counts[l]})`).join(", ")}`);
    const c = info.computeCore;
    console.log(c.variant === "none" ? `compute core: TypeScript (WebAssembly not in use: ${c.reason})`
      : `compute core: WebAssembly ${c.variant}, ${c.threads} thread(s)`);
  });
  return cmd;
}

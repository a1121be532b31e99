// `latentkit hash`: semantic hashing (Salakhutdinov & Hinton 2009) of images or documents into b-bit binary codes,
// with Hamming search. Images (IDX, CSV, NPY; pixels scaled to [0, 1]) train a SemanticHashing model on binary
// inputs; documents (a TSV with a header, `--text-column` naming the text and `--label-column` the label, or a .txt
// file of one document per line) become word counts over the most frequent words (CountVectorizer) and train it on
// counts (softmax output, multinomial loss). With labels and a test file the test items query the training items:
// precision of the 100 nearest by Hamming ranking, precision within Hamming radius 2 (a "hash lookup"), and the time
// of one Hamming ranking over all the codes.
import { Command } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { readMaybeGzip } from "../io/files.js";
import { precisionAtK, precisionWithinRadius } from "../metrics/retrieval.js";
import { bitBalance, HammingIndex, selectCodes, unpackBits, wordsPerCode, type BinaryCodes } from "../neighbors/hamming.js";
import { engineRoute } from "../nn/storage.js";
import { writeEmbedding } from "../io/export.js";
import { CountVectorizer } from "../text/vectorizers.js";
import { choice, loadInput, parseIntOption, parseNumber, type InputOptions } from "./common.js";
import { applyScaling, applyThreads, chooseScaling, noteScaling, withFlags } from "./family.js";
import { familyInputOptions, parseSizes } from "./neural.js";
import { SemanticHashing } from "./models.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

interface HashCliOptions extends InputOptions {
  bits: number;
  layers?: number[];
  input?: "binary" | "real" | "counts";
  binarization: "noise" | "straight-through";
  noiseStd?: number;
  textColumn?: string;
  vocabulary: number;
  minDf: number;
  batch: number;
  epochs: number;
  lr: number;
  seed: number;
  scale: "auto" | "none";
  test?: string;
  queries: number;
  query?: string;
  top: number;
  saveModel?: string;
  out?: string;
  threads?: number;
  json?: boolean;
}

/** A table of documents: their texts and labels. */
export interface Documents {
  texts: string[];
  labels?: string[];
}

/** The column of a header by name, or by index (negative from the end). */
function columnOf(header: string[], spec: string, flag: string, path: string): number {
  const byName = header.indexOf(spec);
  if (byName >= 0) return byName;
  if (/^-?\d+$/.test(spec)) {
    const i = Number(spec) < 0 ? header.length + Number(spec) : Number(spec);
    if (i >= 0 && i < header.length) return i;
  }
  fail(`${flag} ${JSON.stringify(spec)}: ${path} has no such column (its header: ${header.join(", ")})`);
}

/**
 * Documents from a TSV file with a header row (`textColumn` and `labelColumn` by name or index; tabs separate the
 * fields, so texts hold no tabs), or from a .txt file of one document per line (labels from `labelsPath`).
 */
export function readDocumentTable(path: string, textColumn: string | undefined, labelColumn?: string, labelsPath?: string, limit?: number): Documents {
  const lines = readMaybeGzip(path).toString("utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  let docs: Documents;
  if (/\.txt(\.gz)?$/i.test(path) && textColumn === undefined) {
    docs = { texts: lines };
  } else {
    if (textColumn === undefined) fail(`${path}: say which column holds the text with --text-column <name|index>`);
    if (lines.length < 2) fail(`${path}: expected a header line and at least one document`);
    const header = lines[0]!.split("\t");
    const t = columnOf(header, textColumn, "--text-column", path);
    const l = labelColumn !== undefined ? columnOf(header, labelColumn, "--label-column", path) : -1;
    const texts: string[] = [], labels: string[] = [];
    for (let i = 1; i < lines.length; i++) {
      const f = lines[i]!.split("\t");
      if (f.length !== header.length) fail(`${path} line ${i + 1}: ${f.length} fields, but the header has ${header.length}`);
      texts.push(f[t]!);
      if (l >= 0) labels.push(f[l]!);
    }
    docs = l >= 0 ? { texts, labels } : { texts };
  }
  if (labelsPath !== undefined) {
    docs.labels = readMaybeGzip(labelsPath).toString("utf8").split(/\r?\n/).filter((x) => x !== "");
  }
  if (limit !== undefined) {
    docs.texts = docs.texts.slice(0, limit);
    if (docs.labels) docs.labels = docs.labels.slice(0, limit);
  }
  if (docs.texts.length === 0) fail(`${path} has no documents`);
  if (docs.labels && docs.labels.length !== docs.texts.length) fail(`${path}: ${docs.labels.length} labels for ${docs.texts.length} documents`);
  return docs;
}

/** Word counts of documents as a dense float32 matrix (the model's input). */
export function countMatrix(vectorizer: CountVectorizer, texts: readonly string[]): Matrix {
  return vectorizer.transform(texts).toDense("float32");
}

/** The mean milliseconds of one Hamming ranking (top k) of each query over the whole index. */
export function queryMilliseconds(index: HammingIndex, queries: BinaryCodes, k: number): number {
  const W = wordsPerCode(queries.bits);
  const n = Math.min(queries.n, 1000);
  const t0 = performance.now();
  for (let q = 0; q < n; q++) index.search(queries.words.subarray(q * W, (q + 1) * W), k);
  return (performance.now() - t0) / n;
}

const FLAG_OF: Record<string, string> = {
  bits: "--bits", layers: "--layers", input: "--input", binarization: "--binarization", noiseStd: "--noise-std", batchSize: "--batch",
  epochs: "--epochs", learningRate: "--lr", seed: "--seed",
};

export function hashCommand(): Command {
  const cmd = new Command("hash")
    .description("semantic hashing: b-bit binary codes of images or documents from an autoencoder, with Hamming search")
    .argument("<file>", "images (CSV/TSV[.gz], .npy, IDX) or documents (a TSV with --text-column, or .txt: one per line)")
    .option("--bits <n>", "bits of the codes", parseIntOption("--bits"), 32)
    .option("--layers <sizes>", "hidden layer sizes of the encoder (default 512,256)", parseSizes("--layers", "512,256", true))
    .addOption(choice("--input <kind>", "binary (values in [0, 1], the default for images) | real | counts (word counts, the default for documents)", ["binary", "real", "counts"]))
    .addOption(choice("--binarization <how>", "noise (Gaussian noise before the code sigmoid) | straight-through", ["noise", "straight-through"], "noise"))
    .option("--noise-std <s>", "std of the code noise of --binarization noise (default 4)", parseNumber("--noise-std"))
    .option("--text-column <name|index>", "documents: the column holding the text (a TSV with a header)")
    .option("--vocabulary <n>", "documents: the most frequent words kept (English stop words dropped)", parseIntOption("--vocabulary"), 2000)
    .option("--min-df <n>", "documents: drop words in fewer documents", parseNumber("--min-df"), 2)
    .option("--batch <n>", "mini-batch size", parseIntOption("--batch"), 128)
    .option("--epochs <n>", "passes over the training data", parseIntOption("--epochs"), 10)
    .option("--lr <rate>", "learning rate (Adam)", parseNumber("--lr"), 1e-3)
    .option("--seed <n>", "random seed (weights, batch order, code noise)", parseIntOption("--seed"), 0)
    .addOption(choice("--scale <mode>", "images: auto (IDX pixels / 255, other data min-max scaled to [0, 1] when outside it) | none", ["auto", "none"], "auto"))
    .option("--test <file>", "test items (same format): with labels, they query the training items for precisionAt100 and precisionRadius2")
    .option("--queries <n>", "use at most this many test items as queries", parseIntOption("--queries"), 1000)
    .option("--query <row|text>", "print the training items nearest to this one: a row index (of the test file if given), or a text (documents)")
    .option("--top <n>", "how many items --query prints", parseIntOption("--top"), 10)
    .option("--save-model <file>", "save the model as safetensors (loadModel reads it)")
    .option("--out <file>", "write the training items' codes as 0/1 columns: .npy, .tsv (+ -metadata.tsv), .csv or .json")
    .option("--json", "print one JSON object with the results to stdout");
  familyInputOptions(cmd);
  cmd.addHelpText("after", `
Examples:
  latentkit hash ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz --test ../shared/data/fashion-mnist/t10k-images-idx3-ubyte.gz --bits 64 --epochs 5 --json
  latentkit hash ../shared/data/text/debian-descriptions.tsv.gz --text-column description --label-column section --bits 32 --epochs 10 --query "a python library for parsing xml"`);
  cmd.action(async (file: string, o: HashCliOptions) => {
    const t0 = performance.now();
    applyThreads(o.threads);
    const documents = o.textColumn !== undefined || /\.txt(\.gz)?$/i.test(file);
    const input = o.input ?? (documents ? "counts" : "binary");
    const bar = new ProgressBar("hash", undefined, ["loss", "samplesPerSecond"]);
    const model = withFlags(FLAG_OF, () => new SemanticHashing({
      bits: o.bits, ...(o.layers ? { layers: o.layers } : {}), input, binarization: o.binarization === "straight-through" ? "straightThrough" : "noise",
      ...(o.noiseStd !== undefined ? { noiseStd: o.noiseStd } : {}), batchSize: o.batch, epochs: o.epochs, learningRate: o.lr, seed: o.seed,
      onProgress: bar.update,
    }));
    if (documents && o.vocabulary < 1) fail(`--vocabulary must be at least 1, got ${o.vocabulary}`);
    const outputs = planOutputs([["--out", o.out, "embedding"], ["--save-model", o.saveModel, "json"]], [file, o.labels, o.test]);
    try {
      // the training and test items as model inputs, with labels and (documents) texts
      let X: Matrix, Xtest: Matrix | undefined, labels: string[] | undefined, testLabels: string[] | undefined;
      let texts: string[] | undefined, testTexts: string[] | undefined;
      let vectorizer: CountVectorizer | undefined;
      let scalingKind = "none";
      if (documents) {
        const docs = readDocumentTable(file, o.textColumn, o.labelColumn, o.labels, o.limit);
        const test = o.test !== undefined ? readDocumentTable(o.test, o.textColumn, o.labelColumn, undefined, o.limit) : undefined;
        vectorizer = new CountVectorizer({ maxFeatures: o.vocabulary, minDf: o.minDf, stopWords: "english" });
        await vectorizer.fit(docs.texts);
        X = countMatrix(vectorizer, docs.texts);
        Xtest = test ? countMatrix(vectorizer, test.texts) : undefined;
        ({ texts } = docs);
        labels = docs.labels;
        testTexts = test?.texts;
        testLabels = test?.labels;
      } else {
        const ds = loadInput(file, o);
        const testDs = o.test !== undefined ? loadInput(o.test, { ...o, labels: undefined }) : undefined;
        if (testDs && testDs.X.cols !== ds.X.cols) fail(`--test ${o.test} has ${testDs.X.cols} columns, but ${file} has ${ds.X.cols}`);
        const scaling = input === "binary" ? chooseScaling(file, ds.X, o.scale) : { kind: "none" as const, offset: 0, range: 1 };
        scalingKind = scaling.kind;
        noteScaling(file, scaling, o.json);
        X = applyScaling(ds.X, scaling);
        Xtest = testDs ? applyScaling(testDs.X, scaling) : undefined;
        labels = ds.labels;
        testLabels = testDs?.labels;
      }
      // the query, checked before training
      let queryRow: number | undefined;
      if (o.query !== undefined) {
        if (/^\d+$/.test(o.query)) {
          queryRow = Number(o.query);
          const n = (Xtest ?? X).rows;
          if (queryRow >= n) fail(`--query ${o.query}: ${o.test !== undefined ? "the test file" : file} has ${n} rows (0 to ${n - 1})`);
        } else if (!documents) {
          fail(`--query ${JSON.stringify(o.query)}: give a row index (a text query needs documents and --text-column)`);
        }
      }
      const tLoad = performance.now();
      await model.fit(X);
      bar.done();
      const h = model.history;
      const codes = model.codes(X);
      const index = new HammingIndex(codes);
      const balance = Array.from(bitBalance(codes));
      const testCodes = Xtest ? model.codes(Xtest) : undefined;
      let precisionAt100: number | null = null, precisionRadius2: number | null = null, radius2Empty: number | null = null;
      let radius2CountingEmpty: number | null = null, nQueries = 0;
      if (testCodes && labels && testLabels) {
        nQueries = Math.min(o.queries, testCodes.n);
        const q = selectCodes(testCodes, Array.from({ length: nQueries }, (_, i) => i));
        const ql = testLabels.slice(0, nQueries);
        precisionAt100 = precisionAtK(index, q, labels, ql, Math.min(100, codes.n), { ties: "average" });
        const r2 = precisionWithinRadius(index, q, labels, ql, 2);
        precisionRadius2 = Number.isNaN(r2.precision) ? null : r2.precision;
        radius2Empty = r2.emptyFraction;
        radius2CountingEmpty = r2.precisionCountingEmpty;
      }
      const qms = queryMilliseconds(index, testCodes ?? codes, Math.min(100, codes.n));
      // --query: the nearest training items
      let hits: Array<{ index: number; distance: number; label?: string; text?: string }> | undefined;
      if (o.query !== undefined) {
        const W = wordsPerCode(o.bits);
        let qw: Uint32Array;
        if (queryRow !== undefined) {
          const src = testCodes ?? codes;
          qw = src.words.slice(queryRow * W, (queryRow + 1) * W);
        } else {
          qw = model.codes(countMatrix(vectorizer!, [o.query])).words;
        }
        const found = index.search(qw, Math.min(o.top + (testCodes || queryRow === undefined ? 0 : 1), codes.n));
        hits = Array.from(found.indices, (i, k) => ({
          index: i, distance: found.distances[k]!, ...(labels ? { label: labels[i]! } : {}), ...(texts ? { text: texts[i]! } : {}),
        })).filter((x) => testCodes || queryRow === undefined || x.index !== queryRow).slice(0, o.top);
      }
      if (o.out) writeEmbedding(o.out, unpackBits(codes), labels, outputs);
      if (o.saveModel) outputs.write(o.saveModel, model.toSafetensors());
      const written = outputs.commit();
      const result = {
        command: "hash", file, ...(o.test !== undefined ? { test: o.test } : {}), input: documents ? "documents" : "images", modelInput: input,
        nSamples: X.rows, nFeatures: X.cols, nTest: Xtest?.rows ?? 0, bits: o.bits, layers: model.getParams().layers,
        binarization: o.binarization, batchSize: o.batch, epochs: h.train.length, learningRate: o.lr, scaling: scalingKind, route: engineRoute(),
        samplesPerSecond: h.samplesPerSecond, trainLoss: model.reconstructionError(X), lossHistory: h.train,
        bitBalance: { min: Math.min(...balance), max: Math.max(...balance) },
        queries: nQueries, precisionAt100, precisionRadius2, radius2EmptyFraction: radius2Empty, precisionRadius2CountingEmpty: radius2CountingEmpty,
        queryMilliseconds: qms,
        ...(hits ? { query: o.query, hits } : {}),
        seconds: h.seconds, loadSeconds: (tLoad - t0) / 1000, files: written,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      console.log(`semantic hashing of ${file} (${result.input}, ${X.rows} x ${X.cols}) into ${o.bits}-bit codes: ${result.epochs} epochs, ` +
        `${h.seconds.toFixed(2)} s, ${Math.round(h.samplesPerSecond).toLocaleString("en")} samples/s`);
      console.log(`bits on for ${(100 * result.bitBalance.min).toFixed(0)}–${(100 * result.bitBalance.max).toFixed(0)} % of the items; ` +
        `a Hamming ranking of ${codes.n} codes takes ${qms.toFixed(3)} ms`);
      if (precisionAt100 !== null) {
        console.log(`${nQueries} test queries: precision@100 ${precisionAt100.toFixed(4)}, within radius 2 ` +
          `${precisionRadius2 === null ? "– (every ball empty)" : precisionRadius2.toFixed(4)} (${(100 * radius2Empty!).toFixed(1)} % of the balls empty)`);
      } else {
        console.log(`(precision needs labels and --test: the test items query the training items)`);
      }
      if (hits) {
        console.log(`training items nearest to ${queryRow !== undefined ? `row ${queryRow}${testTexts ? `: ${testTexts[queryRow]!.slice(0, 80)}` : ""}` : JSON.stringify(o.query)}:`);
        for (const x of hits) {
          const what = x.text !== undefined ? (x.text.length > 90 ? x.text.slice(0, 87) + "..." : x.text) : `row ${x.index}`;
          console.log(`  d=${String(x.distance).padStart(2)}  ${x.label !== undefined ? `[${x.label}] ` : ""}${what}`);
        }
      }
      for (const f of written) console.log(`wrote ${f}`);
    } catch (e) {
      outputs.discard();
      throw e;
    }
  });
  return cmd;
}

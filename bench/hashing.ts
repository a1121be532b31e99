// Semantic hashing against its baselines on real retrieval tasks (issue 12's hashing job). Not a test.
// Images: Fashion-MNIST, database = the training images' codes, queries = the test images' codes, relevant = same
// class. Documents: the Debian package descriptions (bag of words over the 2000 most frequent non-stop words),
// a random split into queries and database, relevant = same archive section. For each code size: precision@100
// (Hamming ranking; the items tied at the cut distance count by their expected share, as if in random order) and precision within Hamming radius 2 (with the fraction of empty balls), for
//   SemanticHashing (noise, and straight-through), random-hyperplane LSH on the same inputs, and PCA (images) or LSA
//   (tf-idf + truncated SVD, documents) codes thresholded at the training medians;
// and the time of one exact Hamming search over all database codes (top 100, and the radius-2 ball).
//   npm run build && node dist/bench/hashing.js [--bits 32,64] [--train 60000] [--epochs 20] [--doc-epochs 30]
//   [--only images|documents] [--methods sh,st,lsh,median]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Matrix } from "../src/core/matrix.js";
import { Random } from "../src/core/random.js";
import { PCA } from "../src/decomposition/pca.js";
import { TruncatedSVD } from "../src/decomposition/truncated-svd.js";
import { readIdxImages, readIdxLabels } from "../src/io/idx.js";
import { precisionAtK, precisionWithinRadius } from "../src/metrics/retrieval.js";
import { SemanticHashing, type SemanticHashingOptions } from "../src/models/semantic-hashing.js";
import { HammingIndex, RandomHyperplaneLSH, bitBalance, medianThresholdCodes, medianThresholds, wordsPerCode, type BinaryCodes } from "../src/neighbors/hamming.js";
import { CountVectorizer, TfidfVectorizer } from "../src/text/vectorizers.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const data = join(root, "../shared/data");
const bitsList = arg("--bits", "32,64").split(",").map(Number);
const only = arg("--only", "");
const methods = new Set(arg("--methods", "sh,st,lsh,median").split(","));

interface Row { task: string; bits: number; method: string; p100: number; r2: number; r2empty: number; balance: [number, number]; seconds: number }
const rows: Row[] = [];

function evaluate(task: string, bits: number, method: string, db: BinaryCodes, q: BinaryCodes, ydb: ArrayLike<string | number>, yq: ArrayLike<string | number>, seconds: number): void {
  const index = new HammingIndex(db);
  const p100 = precisionAtK(index, q, ydb, yq, 100, { ties: "average" });
  const r2 = precisionWithinRadius(index, q, ydb, yq, 2);
  const b = bitBalance(db);
  const row: Row = { task, bits, method, p100, r2: r2.precision, r2empty: r2.emptyFraction, balance: [Math.min(...b), Math.max(...b)], seconds };
  rows.push(row);
  console.log(JSON.stringify(row));
}

/** Mean milliseconds of one query's top-100 search and radius-2 ball over all the database codes. */
function queryTime(db: BinaryCodes, q: BinaryCodes): { top100: number; radius2: number } {
  const index = new HammingIndex(db);
  const W = wordsPerCode(db.bits);
  const n = Math.min(q.n, 2000);
  const time = (f: (w: Uint32Array) => unknown): number => {
    for (let i = 0; i < 50; i++) f(q.words.subarray(i * W, i * W + W)); // warm up
    let best = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) f(q.words.subarray(i * W, i * W + W));
      best = Math.min(best, (performance.now() - t0) / n);
    }
    return best;
  };
  return { top100: time((w) => index.search(w, 100)), radius2: time((w) => index.withinRadius(w, 2)) };
}

async function trainCodes(X: Matrix, Q: Matrix, opts: SemanticHashingOptions): Promise<{ db: BinaryCodes; q: BinaryCodes; seconds: number }> {
  const t0 = performance.now();
  const sh = await new SemanticHashing(opts).fit(X);
  const seconds = (performance.now() - t0) / 1000;
  console.error(`  ${JSON.stringify({ ...opts, onProgress: undefined })}: loss ${sh.history.train.map((v) => v.toPrecision(4)).join(" ")}`);
  return { db: sh.codes(X), q: sh.codes(Q), seconds };
}

const times: string[] = [];

if (only !== "documents") {
  const nTrain = Number(arg("--train", "60000"));
  const scale = (m: Matrix): Matrix => new Matrix(m.rows, m.cols, Float32Array.from(m.data, (v) => v / 255));
  const fm = join(data, "fashion-mnist");
  const X = scale(readIdxImages(join(fm, "train-images-idx3-ubyte.gz"), nTrain).X);
  const y = readIdxLabels(join(fm, "train-labels-idx1-ubyte.gz"), nTrain);
  const Q = scale(readIdxImages(join(fm, "t10k-images-idx3-ubyte.gz")).X);
  const yq = readIdxLabels(join(fm, "t10k-labels-idx1-ubyte.gz"));
  const task = `Fashion-MNIST (${X.rows} database, ${Q.rows} queries)`;
  const epochs = Number(arg("--epochs", "20"));
  for (const bits of bitsList) {
    const base = { bits, layers: [512, 256], epochs, batchSize: 128, learningRate: 1e-3, lrSchedule: "cosine" as const, seed: 1 };
    if (methods.has("sh")) {
      const r = await trainCodes(X, Q, base);
      evaluate(task, bits, "SemanticHashing (noise)", r.db, r.q, y, yq, r.seconds);
      const t = queryTime(r.db, r.q);
      times.push(`| Fashion-MNIST | ${X.rows} | ${bits} | ${t.top100.toFixed(3)} | ${t.radius2.toFixed(3)} |`);
    }
    if (methods.has("st")) {
      const r = await trainCodes(X, Q, { ...base, binarization: "straightThrough" });
      evaluate(task, bits, "SemanticHashing (straight-through)", r.db, r.q, y, yq, r.seconds);
    }
    if (methods.has("lsh")) {
      const t0 = performance.now();
      const lsh = await new RandomHyperplaneLSH({ bits, seed: 1 }).fit(X);
      evaluate(task, bits, "random-hyperplane LSH", lsh.codes(X), lsh.codes(Q), y, yq, (performance.now() - t0) / 1000);
    }
    if (methods.has("median")) {
      const t0 = performance.now();
      const pca = await new PCA({ nComponents: bits, seed: 1 }).fit(X);
      const Z = pca.transform(X);
      const t = medianThresholds(Z);
      evaluate(task, bits, "PCA, median thresholds", medianThresholdCodes(Z, t), medianThresholdCodes(pca.transform(Q), t), y, yq, (performance.now() - t0) / 1000);
    }
  }
}

if (only !== "images") {
  const lines = gunzipSync(readFileSync(join(data, "text/debian-descriptions.tsv.gz"))).toString("utf8").split("\n").slice(1).filter((l) => l.length > 0);
  const recs = lines.map((l) => l.split("\t"));
  const perm = new Random(7).shuffle(Int32Array.from(recs.keys()));
  const nq = 2000;
  const qI = perm.subarray(0, nq), dbI = perm.subarray(nq);
  const docs = (I: Int32Array): string[] => Array.from(I, (i) => recs[i]![2]!);
  const labels = (I: Int32Array): string[] => Array.from(I, (i) => recs[i]![0]!);
  const vocab = { stopWords: "english" as const, minLength: 2, maxFeatures: 2000 };
  const cv = await new CountVectorizer(vocab).fit(docs(dbI));
  const X = cv.transform(docs(dbI)).toDense("float32"), Q = cv.transform(docs(qI)).toDense("float32");
  const y = labels(dbI), yq = labels(qI);
  const task = `Debian descriptions (${X.rows} database, ${Q.rows} queries, ${X.cols} words)`;
  const epochs = Number(arg("--doc-epochs", "30"));
  for (const bits of bitsList) {
    const base = { bits, input: "counts" as const, layers: [512, 256], epochs, batchSize: 128, learningRate: 1e-3, lrSchedule: "cosine" as const, seed: 1 };
    if (methods.has("sh")) {
      const r = await trainCodes(X, Q, base);
      evaluate(task, bits, "SemanticHashing (noise)", r.db, r.q, y, yq, r.seconds);
      const t = queryTime(r.db, r.q);
      times.push(`| Debian descriptions | ${X.rows} | ${bits} | ${t.top100.toFixed(3)} | ${t.radius2.toFixed(3)} |`);
    }
    if (methods.has("st")) {
      const r = await trainCodes(X, Q, { ...base, binarization: "straightThrough" });
      evaluate(task, bits, "SemanticHashing (straight-through)", r.db, r.q, y, yq, r.seconds);
    }
    if (methods.has("lsh")) {
      // on the counts and on log(1 + counts) (what the encoder reads): the better one is reported
      const t0 = performance.now();
      const lsh = await new RandomHyperplaneLSH({ bits, seed: 1 }).fit(X);
      evaluate(task, bits, "random-hyperplane LSH (counts)", lsh.codes(X), lsh.codes(Q), y, yq, (performance.now() - t0) / 1000);
      const tf = await new TfidfVectorizer(vocab).fit(docs(dbI));
      const Tx = tf.transform(docs(dbI)).toDense("float32"), Tq = tf.transform(docs(qI)).toDense("float32");
      const lt = await new RandomHyperplaneLSH({ bits, seed: 1 }).fit(Tx);
      evaluate(task, bits, "random-hyperplane LSH (tf-idf)", lt.codes(Tx), lt.codes(Tq), y, yq, (performance.now() - t0) / 1000);
    }
    if (methods.has("median")) {
      const t0 = performance.now();
      const tf = await new TfidfVectorizer(vocab).fit(docs(dbI));
      const Tx = tf.transform(docs(dbI)), Tq = tf.transform(docs(qI));
      const svd = await new TruncatedSVD({ nComponents: bits, seed: 1 }).fit(Tx);
      const Z = svd.transform(Tx);
      const t = medianThresholds(Z);
      evaluate(task, bits, "LSA (tf-idf + SVD), median thresholds", medianThresholdCodes(Z, t), medianThresholdCodes(svd.transform(Tq), t), y, yq, (performance.now() - t0) / 1000);
    }
  }
}

console.log("\n| task | bits | method | precision@100 | precision within radius 2 | empty balls | bits on (min–max) | fit s |");
console.log("|---|---:|---|---:|---:|---:|---|---:|");
for (const r of rows) {
  console.log(`| ${r.task} | ${r.bits} | ${r.method} | ${r.p100.toFixed(3)} | ${r.r2.toFixed(3)} | ${(100 * r.r2empty).toFixed(1)} % | ${r.balance.map((v) => v.toFixed(2)).join("–")} | ${r.seconds.toFixed(1)} |`);
}
if (times.length) {
  console.log("\n| data | database codes | bits | top-100 search ms/query | radius-2 ball ms/query |");
  console.log("|---|---:|---:|---:|---:|");
  for (const t of times) console.log(t);
}

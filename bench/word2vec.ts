// word2vec on the GCIDE corpus (4 M words): latentkit against gensim's Word2Vec (Debian python3-gensim) with the same
// hyper-parameters and the same tokens, each streaming the same pre-tokenised file in its own process. Prints wall
// time, training words per second, peak memory and quality figures computed the same way for both: recall@10 and MRR
// on bench/data/related-pairs.tsv, and 3CosAdd accuracy on bench/data/analogies.txt (3311 questions in the
// questions-words.txt format, 11 sections of at most 300, written for this corpus's 19th-century English: capitals,
// family, adverbs, opposites, comparatives, superlatives, participles, nationalities, past tenses, plurals, verb
// forms). Not a test.
//   npm run build && node dist/bench/word2vec.js [--lines 116562] [--epochs 5] [--threads 2] [--cbow] [--seeds 1,2,3]
//   [--gensim-seeds 1,2,3] [--no-gensim] [--pair (negatives per pair, as gensim, instead of shared per window)]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readWordVectors } from "../src/io/word-vectors.js";
import { TextCorpus } from "../src/io/corpus.js";
import { evaluateAnalogies } from "../src/io/evaluate.js";
import type { KeyedVectors } from "../src/text/keyed-vectors.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const root = fileURLToPath(new URL("../../", import.meta.url));
const lines = Number(arg("--lines", "1000000"));
const epochs = Number(arg("--epochs", "5"));
const threads = Number(arg("--threads", "2"));
const sg = process.argv.includes("--cbow") ? 0 : 1;
const seeds = arg("--seeds", "1").split(",").map(Number);
const gensimSeeds = arg("--gensim-seeds", "1").split(",").map(Number);
const skipGensim = process.argv.includes("--no-gensim");
const sharing = process.argv.includes("--pair") ? "pair" : "window";
const [dim, window, negative, minCount] = [100, 5, 5, 5];
const tmp = mkdtempSync(join(tmpdir(), "latentkit-w2v-"));

// the same tokens for both: our tokenizer, written one sentence per line
const sentences: string[][] = [];
for await (const s of new TextCorpus(join(root, "../shared/data/text/gcide-definitions.txt.gz"), {}, lines)) if (s.length) sentences.push(s);
const corpusFile = join(tmp, "corpus.txt");
writeFileSync(corpusFile, sentences.map((s) => s.join(" ")).join("\n") + "\n");
const words = sentences.reduce((a, s) => a + s.length, 0);
console.log(`GCIDE: ${sentences.length} lines, ${words} tokens; skip-gram=${sg} dim ${dim} window ${window} negative ${negative} min-count ${minCount} epochs ${epochs} threads ${threads}`);

const pairs = readFileSync(join(root, "bench/data/related-pairs.tsv"), "utf8").split("\n")
  .filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t") as [string, string]);
// recall@10 and the mean reciprocal rank of the partner among all words (smoother than recall@10)
function quality(kv: KeyedVectors): { recallAt10: number; mrr: number; covered: number; analogies: number; questions: number } {
  const a = evaluateAnalogies(kv, join(root, "bench/data/analogies.txt"));
  return { ...pairQuality(kv), analogies: a.accuracy, questions: a.total };
}

function pairQuality(kv: KeyedVectors): { recallAt10: number; mrr: number; covered: number } {
  let hit = 0;
  let rr = 0;
  let total = 0;
  for (const [a, b] of pairs) {
    if (!kv.has(a) || !kv.has(b)) continue;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      total++;
      const sxy = kv.similarity(x, y);
      let rank = 1;
      const U = kv.unitVectors;
      const xi = kv.indexOf(x);
      for (let w = 0; w < kv.size; w++) {
        if (w === xi) continue;
        let s = 0;
        for (let c = 0; c < kv.dim; c++) s += U.data[xi * kv.dim + c]! * U.data[w * kv.dim + c]!;
        if (s > sxy) rank++;
      }
      if (rank <= 10) hit++;
      rr += 1 / rank;
    }
  }
  return { recallAt10: total ? hit / total : 0, mrr: total ? rr / total : 0, covered: total / 2 };
}

interface Row {
  name: string; seconds: number; trainSeconds: number; wordsPerSecond: number; peakRssMB: number; recallAt10: number; mrr: number;
  covered: number; analogies: number; questions: number;
}
const rows: Row[] = [];

// each model trains in its own process, so that the peak memory is its own
for (const seed of seeds) {
  const out = join(tmp, "latentkit.txt");
  const r = spawnSync(process.execPath, [join(root, "dist/bench/word2vec-run.js"), corpusFile, out, String(dim), String(window), String(negative), String(minCount), String(epochs), String(threads), String(sg), String(seed), sharing], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    console.log(`latentkit failed: ${r.stderr.trim().split("\n").slice(-1)[0]}`);
    continue;
  }
  const g = JSON.parse(r.stdout.trim().split("\n").pop()!) as { seconds: number; trainSeconds: number; wordsPerSecond: number; peakRssMB: number };
  rows.push({ name: `latentkit${sharing === "pair" ? " (per-pair negatives)" : ""}${seeds.length > 1 ? ` (seed ${seed})` : ""}`, ...g, ...quality(readWordVectors(out)) });
}
const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import gensim"]).status === 0);
if (skipGensim) {
  // latentkit only
} else if (!python) console.log("gensim not found (apt-get install python3-gensim)");
else {
  for (const seed of gensimSeeds) {
    const out = join(tmp, "gensim.txt");
    const r = spawnSync(python, [join(root, "bench/word2vec_gensim.py"), corpusFile, out, String(dim), String(window), String(negative), String(minCount), String(epochs), String(threads), String(sg), String(seed)], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) console.log(`gensim failed: ${r.stderr.trim().split("\n").slice(-1)[0]}`);
    else {
      const g = JSON.parse(r.stdout.trim().split("\n").pop()!) as { version: string; seconds: number; trainSeconds: number; wordsPerSecond: number; peakRssMB: number };
      rows.push({ name: `gensim ${g.version}${gensimSeeds.length > 1 ? ` (seed ${seed})` : ""}`, seconds: g.seconds, trainSeconds: g.trainSeconds, wordsPerSecond: g.wordsPerSecond, peakRssMB: g.peakRssMB, ...quality(readWordVectors(out)) });
    }
  }
}
console.log("\n| model | wall s | train s | words/s | peak RSS MB | recall@10 | MRR (pairs) | analogies (questions) |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.name} | ${r.seconds.toFixed(1)} | ${r.trainSeconds.toFixed(1)} | ${Math.round(r.wordsPerSecond).toLocaleString("en")} | ${r.peakRssMB.toFixed(0)} | ${r.recallAt10.toFixed(3)} | ${r.mrr.toFixed(3)} (${r.covered}) | ${r.analogies.toFixed(3)} (${r.questions}) |`);
}
const mean = (rs: Row[], f: (r: Row) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length;
const ours = rows.filter((r) => r.name.startsWith("latentkit"));
const theirs = rows.filter((r) => r.name.startsWith("gensim"));
if (ours.length && theirs.length) {
  console.log(`\nmeans over seeds, latentkit / gensim: words/s ${(mean(ours, (r) => r.wordsPerSecond) / mean(theirs, (r) => r.wordsPerSecond)).toFixed(2)}, ` +
    `MRR ${(mean(ours, (r) => r.mrr) / mean(theirs, (r) => r.mrr)).toFixed(3)}, analogies ${(mean(ours, (r) => r.analogies) / mean(theirs, (r) => r.analogies)).toFixed(3)}`);
}

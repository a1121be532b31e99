// latentkit side of bench/word2vec, in its own process so that its peak memory is the training's alone: trains
// Word2Vec streaming a pre-tokenised corpus file (one sentence per line) and writes the vectors in word2vec text format.
//   node dist/bench/word2vec-run.js CORPUS OUT_VECTORS DIM WINDOW NEGATIVE MIN_COUNT EPOCHS THREADS SG SEED SHARING
// Prints one JSON object: seconds (vocabulary, encoding and training), trainSeconds, wordsPerSecond, peakRssMB.
import { writeWordVectors } from "../src/io/word-vectors.js";
import { TextCorpus } from "../src/io/corpus.js";
import { Word2Vec } from "../src/text/word2vec.js";

const [corpus, out, dim, window, negative, minCount, epochs, threads, sg, seed, sharing] = process.argv.slice(2) as string[];
const t0 = performance.now();
const w2v = await new Word2Vec({
  dim: Number(dim), window: Number(window), negative: Number(negative), minCount: Number(minCount), epochs: Number(epochs),
  threads: Number(threads), model: sg === "1" ? "skipgram" : "cbow", seed: Number(seed),
  negativeSharing: sharing === "pair" ? "pair" : "window",
}).fit(new TextCorpus(corpus!));
const seconds = (performance.now() - t0) / 1000;
writeWordVectors(out!, w2v.vectors);
process.stdout.write(JSON.stringify({
  seconds, trainSeconds: w2v.stats.seconds, wordsPerSecond: w2v.stats.wordsPerSecond,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
}) + "\n");
process.exit(0);

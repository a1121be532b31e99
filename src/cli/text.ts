// Text commands: LSA over documents, PPMI-SVD word vectors, and the uses of word vectors (similar words, analogies,
// document vectors, a labelled word map).
import { Command } from "commander";
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { PCA } from "../decomposition/pca.js";
import { TextCorpus, readDocuments, readLines } from "../io/corpus.js";
import { evaluateAnalogies, evaluateWordPairs } from "../io/evaluate.js";
import { saveFigure } from "../io/figures.js";
import { writeEmbedding } from "../io/export.js";
import { readWordVectors, writeWordVectors } from "../io/word-vectors.js";
import { TSNE } from "../manifold/tsne.js";
import { scatterFigure } from "../plot/charts.js";
import { CooccurrenceEmbedding } from "../text/cooccurrence.js";
import type { KeyedVectors } from "../text/keyed-vectors.js";
import { LSA } from "../text/lsa.js";
import { Tokenizer } from "../text/tokenize.js";
import { Word2Vec } from "../text/word2vec.js";
import { choice, parseIntOption, parseNumber } from "./common.js";
import { planOutputs } from "./outputs.js";
import { ProgressBar } from "./progress.js";

function loadVectors(path: string, binary?: boolean): KeyedVectors {
  return readWordVectors(path, binary ? "word2vec-binary" : undefined);
}

const vectorsHelp = "word vectors: word2vec text (default), word2vec binary (--binary) or GloVe .txt[.gz]";

export function lsaCommand(): Command {
  return new Command("lsa")
    .description("latent semantic analysis: tf-idf of documents (one per line) and a truncated SVD")
    .argument("<docs>", "documents, one per line (.txt or .txt.gz)")
    .option("-k, --components <n>", "latent dimensions", parseIntOption("-k"), 100)
    .option("--limit <n>", "use only the first n documents", parseIntOption("--limit"))
    .option("--min-df <n>", "drop terms in fewer documents (count >= 1 or fraction < 1)", parseNumber("--min-df"), 2)
    .option("--max-df <f>", "drop terms in more documents (fraction <= 1 or count)", parseNumber("--max-df"), 0.5)
    .option("--ngrams <n>", "largest n-gram (1 or 2)", parseIntOption("--ngrams"), 1)
    .option("--sublinear", "use 1 + log(tf)")
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 0)
    .option("--out <file>", "document vectors (.tsv with -metadata.tsv, .npy, .csv, .json)")
    .option("--terms <file>", "term vectors V·Σ as .tsv (with the terms in -metadata.tsv)")
    .option("--query <text>", "print the documents most similar to this text")
    .option("--top <n>", "how many documents / topic terms to print", parseIntOption("--top"), 10)
    .option("--topics <n>", "print the top terms of the first n latent dimensions", parseIntOption("--topics"), 0)
    .option("--plot <file>", "documents on the first two latent dimensions (.png or .svg)")
    .option("--save-model <file>", "save the fitted LSA as JSON")
    .option("--json", "print one JSON object with the results")
    .addHelpText("after", `
Example:
  latentkit lsa ../shared/data/text/gcide-definitions.txt.gz --limit 20000 -k 100 --query "a large sea fish" --topics 5`)
    .action(async (file: string, o: { components: number; limit?: number; minDf: number; maxDf: number; ngrams: number; sublinear?: boolean; seed: number; out?: string; terms?: string; query?: string; top: number; topics: number; plot?: string; saveModel?: string; json?: boolean }) => {
      const t0 = performance.now();
      const outputs = planOutputs([["--out", o.out, "embedding"], ["--terms", o.terms, "embedding"], ["--plot", o.plot, "figure"], ["--save-model", o.saveModel, "json"]], [file]);
      let docs = await readDocuments(file);
      if (o.limit !== undefined) docs = docs.slice(0, o.limit);
      if (docs.length === 0) fail(`${file} has no documents (non-empty lines)`);
      const bar = new ProgressBar("lsa");
      const lsa = new LSA({
        nComponents: o.components, seed: o.seed, onProgress: bar.update,
        vectorizer: { minDf: o.minDf, maxDf: o.maxDf, ngramRange: [1, o.ngrams], sublinearTf: o.sublinear === true, stopWords: "english" },
      });
      const Z = await lsa.fitTransform(docs);
      bar.done();
      const seconds = (performance.now() - t0) / 1000;
      const snippet = (i: number): string => (docs[i]!.length > 90 ? docs[i]!.slice(0, 87) + "..." : docs[i]!);
      if (o.out) writeEmbedding(o.out, Z, o.out.endsWith(".tsv") ? docs.map((d) => d.slice(0, 200)) : undefined, outputs);
      if (o.terms) writeEmbedding(o.terms, lsa.termVectors, [...lsa.terms], outputs);
      if (o.plot) saveFigure(o.plot, scatterFigure(Z, { title: `LSA of ${docs.length} documents`, xLabel: "latent 1", yLabel: "latent 2" }), outputs);
      if (o.saveModel) outputs.write(o.saveModel, JSON.stringify(lsa.toJSON()));
      outputs.commit();
      const hits = o.query ? lsa.search(o.query, o.top) : [];
      const topics = Array.from({ length: Math.min(o.topics, o.components) }, (_, c) => lsa.topTerms(c, o.top));
      if (o.json) {
        console.log(JSON.stringify({
          command: "lsa", file, documents: docs.length, terms: lsa.terms.length, components: o.components, seconds,
          singularValues: Array.from(lsa.singularValues),
          ...(o.query ? { query: o.query, hits: hits.map((h) => ({ ...h, text: docs[h.index] })) } : {}),
          ...(topics.length ? { topics } : {}),
        }));
        return;
      }
      console.log(`lsa of ${file}: ${docs.length} documents x ${lsa.terms.length} terms -> ${o.components} dimensions in ${seconds.toFixed(2)} s`);
      topics.forEach((t, c) => console.log(`  topic ${c + 1}: ${t.map((x) => x.term).join(", ")}`));
      if (o.query) {
        console.log(`documents most similar to ${JSON.stringify(o.query)}:`);
        for (const h of hits) console.log(`  ${h.score.toFixed(3)}  #${h.index}  ${snippet(h.index)}`);
      }
    });
}

/** A command that learns word vectors from a corpus: the options ppmi-svd and word2vec share. */
function vectorCommand(name: string, description: string, windowHelp: string): Command {
  return new Command(name)
    .description(description)
    .argument("<corpus>", "text, one sentence or document per line (.txt or .txt.gz)")
    .option("--dim <n>", "vector dimensions", parseIntOption("--dim"), 100)
    .option("--window <n>", windowHelp, parseIntOption("--window"), 5)
    .option("--min-count <n>", "ignore rarer words", parseIntOption("--min-count"), 5)
    .option("--max-vocab <n>", "keep at most this many words", parseIntOption("--max-vocab"))
    .option("--limit <n>", "read only the first n lines", parseIntOption("--limit"))
    .option("--out <file>", "write the vectors (word2vec text; .gz compresses)")
    .option("--binary", "write the word2vec binary format")
    .option("--json", "print one JSON object with the results");
}

export function ppmiSvdCommand(): Command {
  return vectorCommand("ppmi-svd", "word vectors from window co-occurrences: positive PMI (context smoothing α) factorised by SVD",
    "context words on each side")
    .option("--alpha <a>", "context-distribution smoothing exponent", parseNumber("--alpha"), 0.75)
    .option("--shift <k>", "subtract log k from PMI", parseNumber("--shift"), 1)
    .option("--eig <p>", "eigenvalue weighting: vectors U·Σ^p", parseNumber("--eig"), 0.5)
    .option("--harmonic", "weight a context at distance d by 1/d")
    .addOption(choice("--vectors <which>", "w (word), c (context) or w+c", ["w", "c", "w+c"], "w"))
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 0)
    .action(async (file: string, o: { dim: number; window: number; minCount: number; maxVocab?: number; alpha: number; shift: number; eig: number; harmonic?: boolean; vectors: string; limit?: number; seed: number; out?: string; binary?: boolean; json?: boolean }) => {
      const outputs = planOutputs([["--out", o.out, "vectors"]], [file]);
      const t0 = performance.now();
      const bar = new ProgressBar("ppmi-svd");
      const corpus = new TextCorpus(file, {}, o.limit ?? Infinity);
      const emb = await new CooccurrenceEmbedding({
        dim: o.dim, window: o.window, minCount: o.minCount, ...(o.maxVocab ? { maxVocabulary: o.maxVocab } : {}),
        alpha: o.alpha, shift: o.shift, eigenWeight: o.eig, weighting: o.harmonic ? "harmonic" : "uniform", seed: o.seed,
        onProgress: bar.update,
      }).fit(corpus);
      bar.done();
      const kv = emb.vectors(o.vectors as "w" | "c" | "w+c");
      if (o.out) writeWordVectors(o.out, kv, o.binary ? "word2vec-binary" : "word2vec", outputs);
      outputs.commit();
      const seconds = (performance.now() - t0) / 1000;
      const summary = { command: "ppmi-svd", file, words: kv.size, tokens: emb.vocabulary.totalTokens, dim: kv.dim, ppmiNonZeros: emb.ppmiMatrix.nnz, seconds, ...(o.out ? { out: o.out } : {}) };
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(`ppmi-svd of ${file}: ${summary.tokens} tokens, ${kv.size} words x ${kv.dim} dimensions (${summary.ppmiNonZeros} positive PMI cells) in ${seconds.toFixed(2)} s${o.out ? ` -> ${o.out}` : ""}`);
    });
}

export function similarCommand(): Command {
  return new Command("similar")
    .description("the words nearest to a word (cosine similarity)")
    .argument("<vectors>", vectorsHelp)
    .argument("<word>", "the word")
    .option("--top <n>", "how many", parseIntOption("--top"), 10)
    .option("--binary", "the vectors file is word2vec binary")
    .option("--json", "print JSON")
    .action((file: string, word: string, o: { top: number; binary?: boolean; json?: boolean }) => {
      const kv = loadVectors(file, o.binary);
      const res = kv.mostSimilar(word, [], o.top);
      if (o.json) console.log(JSON.stringify({ command: "similar", word, similar: res }));
      else for (const r of res) console.log(`${r.score.toFixed(4)}  ${r.word}`);
    });
}

export function analogyCommand(): Command {
  return new Command("analogy")
    .description("a is to b as c is to ?  (3CosAdd, or 3CosMul with --method mul)")
    .argument("<vectors>", vectorsHelp)
    .argument("<a>").argument("<b>").argument("<c>")
    .option("--top <n>", "how many answers", parseIntOption("--top"), 5)
    .addOption(choice("--method <m>", "add (3CosAdd) or mul (3CosMul)", ["add", "mul"], "add"))
    .option("--binary", "the vectors file is word2vec binary")
    .option("--json", "print JSON")
    .action((file: string, a: string, b: string, c: string, o: { top: number; method: string; binary?: boolean; json?: boolean }) => {
      if (o.method !== "add" && o.method !== "mul") fail(`--method must be add or mul, got ${JSON.stringify(o.method)}`);
      const kv = loadVectors(file, o.binary);
      const res = kv.analogy(a, b, c, { method: o.method, topn: o.top });
      if (o.json) console.log(JSON.stringify({ command: "analogy", a, b, c, method: o.method, answers: res }));
      else {
        console.log(`${a} : ${b} :: ${c} : ?`);
        for (const r of res) console.log(`${r.score.toFixed(4)}  ${r.word}`);
      }
    });
}

export function embedTextCommand(): Command {
  return new Command("embed-text")
    .description("document vectors from word vectors (mean, or principal direction; optional common-component removal)")
    .argument("<vectors>", vectorsHelp)
    .argument("<docs>", "documents, one per line (.txt or .txt.gz)")
    .addOption(choice("--method <m>", "mean or principal", ["mean", "principal"], "mean"))
    .option("--remove-common <k>", "remove the top k common components", parseIntOption("--remove-common"), 0)
    .option("--limit <n>", "only the first n documents", parseIntOption("--limit"))
    .option("--out <file>", "document vectors (.tsv with -metadata.tsv, .npy, .csv, .json)")
    .option("--binary", "the vectors file is word2vec binary")
    .option("--json", "print JSON (with the vectors when there is no --out)")
    .action(async (file: string, docsFile: string, o: { method: string; removeCommon: number; limit?: number; out?: string; binary?: boolean; json?: boolean }) => {
      const outputs = planOutputs([["--out", o.out, "embedding"]], [file, docsFile]);
      const kv = loadVectors(file, o.binary);
      const tok = new Tokenizer();
      const docs: string[] = [];
      for await (const line of readLines(docsFile)) {
        if (o.limit !== undefined && docs.length >= o.limit) break;
        if (line.trim()) docs.push(line);
      }
      const D = kv.documentVectors(docs.map((d) => tok.tokenize(d)), { method: o.method as "mean" | "principal", removeComponents: o.removeCommon });
      const empty = docs.filter((d) => tok.tokenize(d).every((w) => !kv.has(w))).length;
      if (o.out) writeEmbedding(o.out, D, o.out.endsWith(".tsv") ? docs.map((d) => d.slice(0, 200)) : undefined, outputs);
      outputs.commit();
      if (o.json) console.log(JSON.stringify({ command: "embed-text", documents: docs.length, dim: D.cols, withoutKnownWords: empty, ...(o.out ? { out: o.out } : { vectors: Array.from({ length: D.rows }, (_, i) => Array.from(D.row(i))) }) }));
      else console.log(`embed-text: ${docs.length} documents -> ${D.cols}-d vectors (${empty} without known words)${o.out ? ` -> ${o.out}` : ""}`);
    });
}

export function wordMapCommand(): Command {
  return new Command("word-map")
    .description("draw chosen words in 2-D (PCA of their vectors, or t-SNE) with their labels")
    .argument("<vectors>", vectorsHelp)
    .argument("<words...>", "the words (or use --top)")
    .option("--top <n>", "also draw the n most frequent words (the first n in the file)", parseIntOption("--top"), 0)
    .addOption(choice("--method <m>", "pca or tsne", ["pca", "tsne"], "pca"))
    .option("--plot <file>", "output picture (.png or .svg)", "words.png")
    .option("--binary", "the vectors file is word2vec binary")
    .action(async (file: string, words: string[], o: { top: number; method: string; plot: string; binary?: boolean }) => {
      const outputs = planOutputs([["--plot", o.plot, "figure"]], [file]);
      const kv = loadVectors(file, o.binary);
      const chosen = [...new Set([...kv.words.slice(0, o.top), ...words.filter((w) => w !== "-")])];
      const missing = chosen.filter((w) => !kv.has(w));
      if (missing.length) fail(`not in the vocabulary: ${missing.join(", ")}`);
      if (chosen.length < 3) fail(`a word map needs at least 3 words, got ${chosen.length}`);
      const X = new Matrix(chosen.length, kv.dim, new Float32Array(chosen.length * kv.dim));
      chosen.forEach((w, i) => X.data.set(kv.unitVectors.row(kv.indexOf(w)), i * kv.dim));
      let Z: Matrix;
      if (o.method === "pca") Z = await new PCA({ nComponents: 2 }).fitTransform(X);
      else if (o.method === "tsne") Z = await new TSNE({ perplexity: Math.max(1, Math.min(30, (chosen.length - 1) / 3)), seed: 0, init: "random" }).fitTransform(X);
      else fail(`--method must be pca or tsne, got ${JSON.stringify(o.method)}`);
      saveFigure(o.plot, scatterFigure(Z, { pointLabels: chosen, title: `${chosen.length} words (${o.method})`, xLabel: `${o.method} 1`, yLabel: `${o.method} 2` }), outputs);
      outputs.commit();
      console.log(`word-map: ${chosen.length} words -> ${o.plot}`);
    });
}


export function word2vecCommand(): Command {
  return vectorCommand("word2vec", "word2vec word vectors: skip-gram (default) or CBOW with negative sampling, multi-threaded",
    "maximum context distance")
    .option("--negative <n>", "negative samples", parseIntOption("--negative"), 5)
    .option("--epochs <n>", "passes over the corpus", parseIntOption("--epochs"), 5)
    .option("--sample <t>", "subsampling threshold of frequent words (0 = off)", parseNumber("--sample"), 1e-3)
    .option("--alpha <a>", "initial learning rate (default 0.025 skip-gram, 0.05 CBOW)", parseNumber("--alpha"))
    .option("--threads <n>", "training threads (1 = deterministic)", parseIntOption("--threads"))
    .option("--cbow", "train CBOW instead of skip-gram")
    .addOption(choice("--negative-sharing <m>", "skip-gram negatives: window (shared per centre word, faster) or pair (as gensim)", ["window", "pair"], "window"))
    .option("--seed <n>", "random seed", parseIntOption("--seed"), 1)
    .addHelpText("after", `
Example:
  latentkit word2vec ../shared/data/text/gcide-definitions.txt.gz --dim 100 --epochs 5 --threads 2 --out vectors.txt
  latentkit similar vectors.txt king`)
    .action(async (file: string, o: { dim: number; window: number; negative: number; epochs: number; minCount: number; maxVocab?: number; sample: number; alpha?: number; threads?: number; cbow?: boolean; negativeSharing: string; limit?: number; seed: number; out?: string; binary?: boolean; json?: boolean }) => {
      const t0 = performance.now();
      const outputs = planOutputs([["--out", o.out, "vectors"]], [file]);
      const corpus = new TextCorpus(file, {}, o.limit ?? Infinity);
      const bar = new ProgressBar("word2vec", undefined, ["wordsPerSecond", "alpha"]);
      const w2v = new Word2Vec({
        dim: o.dim, window: o.window, negative: o.negative, epochs: o.epochs, minCount: o.minCount, sample: o.sample,
        model: o.cbow ? "cbow" : "skipgram", seed: o.seed, negativeSharing: o.negativeSharing as "window" | "pair",
        ...(o.maxVocab ? { maxVocabulary: o.maxVocab } : {}), ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
        ...(o.threads !== undefined ? { threads: o.threads } : {}),
        onProgress: bar.update,
      });
      await w2v.fit(corpus);
      bar.done();
      if (o.out) writeWordVectors(o.out, w2v.vectors, o.binary ? "word2vec-binary" : "word2vec", outputs);
      outputs.commit();
      const seconds = (performance.now() - t0) / 1000;
      const st = w2v.stats;
      const summary = { command: "word2vec", file, model: o.cbow ? "cbow" : "skipgram", words: w2v.vocabulary.size, tokens: w2v.vocabulary.totalTokens, dim: o.dim, epochs: o.epochs, seconds, trainSeconds: st.seconds, wordsPerSecond: st.wordsPerSecond, ...(o.out ? { out: o.out } : {}) };
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(`word2vec of ${file}: ${summary.tokens} tokens, ${summary.words} words x ${o.dim}, ${o.epochs} epochs in ${seconds.toFixed(1)} s (${Math.round(st.wordsPerSecond).toLocaleString("en")} words/s)${o.out ? ` -> ${o.out}` : ""}`);
    });
}

export function evaluateCommand(): Command {
  return new Command("evaluate")
    .description("intrinsic quality of word vectors: Spearman ρ on scored word pairs, analogy accuracy")
    .argument("<vectors>", vectorsHelp)
    .option("--pairs <file>", "TSV of word1, word2, score (e.g. WordSim-353, SimLex-999)")
    .option("--analogies <file>", "questions-words.txt format (': section' lines, then 'a b c d')")
    .addOption(choice("--method <m>", "analogy method: add (3CosAdd) or mul (3CosMul)", ["add", "mul"], "add"))
    .option("--restrict <n>", "answer analogies among the n most frequent words", parseIntOption("--restrict"), 300000)
    .option("--binary", "the vectors file is word2vec binary")
    .option("--json", "print JSON")
    .action((file: string, o: { pairs?: string; analogies?: string; method: string; restrict: number; binary?: boolean; json?: boolean }) => {
      if (!o.pairs && !o.analogies) fail("give --pairs and/or --analogies");
      if (o.method !== "add" && o.method !== "mul") fail(`--method must be add or mul, got ${JSON.stringify(o.method)}`);
      const kv = loadVectors(file, o.binary);
      const pairs = o.pairs ? evaluateWordPairs(kv, o.pairs) : undefined;
      const analogies = o.analogies ? evaluateAnalogies(kv, o.analogies, { method: o.method, restrictVocab: o.restrict }) : undefined;
      if (o.json) {
        console.log(JSON.stringify({ command: "evaluate", ...(pairs ? { pairs } : {}), ...(analogies ? { analogies } : {}) }));
        return;
      }
      if (pairs) console.log(`word pairs: Spearman ${pairs.spearman.toFixed(4)}, Pearson ${pairs.pearson.toFixed(4)} on ${pairs.pairs} pairs (${pairs.skipped} with unknown words)`);
      if (analogies) {
        console.log(`analogies: ${analogies.correct}/${analogies.total} = ${(100 * analogies.accuracy).toFixed(2)} % (${analogies.skipped} with unknown words)`);
        for (const s of analogies.sections) console.log(`  ${s.name}: ${s.correct}/${s.total}`);
      }
    });
}

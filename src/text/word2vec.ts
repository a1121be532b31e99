// word2vec (Mikolov et al. 2013): skip-gram or CBOW with negative sampling, frequent-word subsampling, a unigram^0.75
// noise table and a linearly decaying learning rate, as word2vec.c and gensim. The training loop runs in the WASM
// core; with threads > 1 the participants train disjoint parts of each chunk at once, updating the shared weights
// without locks (Hogwild). threads = 1 with a seed is fully deterministic. Where the core is unavailable (or the
// TypeScript route is forced, backend.ts) the same loop runs in TypeScript (word2vec-train.ts) on one thread.
import { Pacer, fail, throwIfAborted } from "../core/errors.js";
import { checkSaved, fitted, matrixFromJSON, matrixToJSON, type MatrixJSON, type Progress, type WordEmbedder } from "../core/estimator.js";
import { Matrix } from "../core/matrix.js";
import { choice, decodeParams, encodeParams, func, int, num, resolveParams, signal, type ParamsOf, type Schema } from "../core/params.js";
import { Random } from "../core/random.js";
import {
  W2V_ALPHA0, W2V_ALPHA1, W2V_CBOW, W2V_COUNTS, W2V_DIM, W2V_EXP, W2V_IDS, W2V_KEEP, W2V_NEGATIVE, W2V_SCRATCH,
  W2V_SCRATCH_BYTES, W2V_SEED, W2V_SENT_END, W2V_SHARED, W2V_SLOTS, W2V_SYN0, W2V_SYN1, W2V_T0, W2V_T1, W2V_TABLE,
  W2V_TABLE_SIZE, W2V_WINDOW,
} from "../../assembly/abi.js";
import { coreFor, partsFor } from "../core/backend.js";
import { ParamBlock, WasmArena, type WasmCore } from "../core/wasm/runtime.js";
import type { Sentences } from "./sentences.js";
import { KeyedVectors } from "./keyed-vectors.js";
import { sigmoidTable, w2vTrainTs, type W2vJob } from "./word2vec-train.js";
import { checkSentences, Vocabulary, type VocabularyJSON } from "./vocabulary.js";

/**
 * word2vec's progress: stage "epoch e/E", step = corpus tokens processed so far (all epochs) of total; metrics:
 * epoch, epochs, progress (fraction done, in [0, 1]), words, wordsPerSecond (raw corpus words, as gensim's "raw
 * words") and alpha (the current learning rate).
 */
export type Word2VecProgress = Progress;

export interface Word2VecOptions {
  /** Vector dimensions (default 100). */
  dim?: number;
  /** Maximum context distance (default 5; each centre word draws its own reduced window, as word2vec.c). */
  window?: number;
  /** Negative samples per positive (default 5). */
  negative?: number;
  /** "skipgram" (default) or "cbow". */
  model?: "skipgram" | "cbow";
  minCount?: number;
  maxVocabulary?: number;
  /** Subsampling threshold t for frequent words (default 1e-3; 0 = off). */
  sample?: number;
  epochs?: number;
  /** Initial learning rate (default 0.025 for skip-gram, 0.05 for CBOW), decaying linearly to minAlpha. */
  alpha?: number;
  minAlpha?: number;
  /**
   * Skip-gram negatives: "window" (default) draws them once per centre word and shares them across its context
   * window (Ji et al. 2016; 2–3x faster, as the output rows stay in cache), "pair" draws them for every
   * (context, centre) pair as word2vec.c and gensim do.
   */
  negativeSharing?: "window" | "pair";
  /** Worker threads (default: all the compute core has). 1 = deterministic for a seed. */
  threads?: number;
  seed?: number;
  onProgress?: (p: Word2VecProgress) => void;
  signal?: AbortSignal;
}

export const WORD2VEC_PARAMS = {
  dim: int("vector dimensions", { min: 1, default: 100 }),
  window: int("maximum context distance (each centre word draws its own reduced window)", { min: 1, default: 5 }),
  negative: int("negative samples per positive", { min: 1, default: 5 }),
  model: choice(["skipgram", "cbow"], "skip-gram or CBOW", { default: "skipgram" }),
  minCount: int("drop words seen fewer times", { min: 1, default: 5 }),
  maxVocabulary: int("keep at most this many of the most frequent words", { min: 1 }),
  sample: num("subsampling threshold t for frequent words (0 = off)", { min: 0, default: 1e-3 }),
  epochs: int("passes over the corpus", { min: 1, default: 5 }),
  alpha: num("initial learning rate (default 0.025 for skip-gram, 0.05 for CBOW)", { gt: 0 }),
  minAlpha: num("final learning rate of the linear decay", { min: 0, default: 1e-4 }),
  negativeSharing: choice(["window", "pair"], "skip-gram negatives drawn once per centre word (window) or per pair", { default: "window" }),
  threads: int("worker threads (default: all the compute core has; 1 = deterministic for a seed)", { min: 1 }),
  seed: int("random seed", { default: 1 }),
  onProgress: func<(p: Progress) => void>("called after each chunk: step = tokens done, metrics epoch, alpha, wordsPerSecond…"),
  signal: signal(),
} satisfies Schema<Word2VecOptions>;

export type Word2VecParams = ParamsOf<Word2VecOptions, typeof WORD2VEC_PARAMS>;

export interface Word2VecStats {
  seconds: number;
  words: number;
  trainedWords: number;
  wordsPerSecond: number;
}

export interface Word2VecJSON {
  type: "Word2Vec";
  version: 1;
  options: Record<string, unknown>;
  vocabulary: VocabularyJSON;
  words: MatrixJSON;
  /** The output vectors; absent in files saved with { includeContext: false }. */
  contexts?: MatrixJSON;
  stats: Word2VecStats;
}

/** Longest sentence the kernel trains as one (longer lines are split, as gensim's 10000-token limit). */
const MAX_SENTENCE = 10000;
/** Tokens per job handed to the core between progress reports. */
const CHUNK = 1 << 17;
const TABLE_SIZE = 1e7;

export class Word2Vec implements WordEmbedder<Sentences, Word2VecParams> {
  static readonly schema = WORD2VEC_PARAMS;
  readonly options: Word2VecParams;
  private vocab_?: Vocabulary;
  private syn0_?: Matrix;
  private syn1_?: Matrix;
  private stats_?: Word2VecStats;

  constructor(options: Word2VecOptions = {}) {
    this.options = resolveParams(WORD2VEC_PARAMS, options, "Word2Vec");
  }

  getParams(): Word2VecParams {
    return { ...this.options };
  }

  get vocabulary(): Vocabulary {
    return fitted(this.vocab_, "Word2Vec");
  }
  /** Input (word) vectors, vocabulary x dim. */
  get wordMatrix(): Matrix {
    return fitted(this.syn0_, "Word2Vec");
  }
  /** Output (context) vectors of negative sampling. */
  get contextMatrix(): Matrix {
    if (this.syn0_ && !this.syn1_) fail("this Word2Vec was loaded without its context vectors (saved with includeContext: false)");
    return fitted(this.syn1_, "Word2Vec");
  }
  /** The word vectors as KeyedVectors. */
  get vectors(): KeyedVectors {
    return new KeyedVectors(this.vocabulary.words, this.wordMatrix, this.vocabulary.counts);
  }
  /** Timing of the last fit: seconds, raw words processed, words trained after subsampling, words per second. */
  get stats(): Word2VecStats {
    return fitted(this.stats_, "Word2Vec");
  }

  async fit(sentences: Sentences): Promise<this> {
    checkSentences(sentences);
    const o = this.options;
    const vocab = await Vocabulary.build(sentences, { minCount: o.minCount, ...(o.maxVocabulary ? { maxSize: o.maxVocabulary } : {}) });
    const { ids, starts } = await vocab.encode(sentences);
    if (ids.length < 2) fail(`the corpus has ${ids.length} tokens in the vocabulary: nothing to train on`);
    await this.train(vocab, ids, starts);
    return this;
  }

  /** Trains on an already encoded corpus (ids into `vocab`, sentence start offsets). */
  async train(vocab: Vocabulary, ids: Int32Array, starts: Int32Array): Promise<this> {
    throwIfAborted(this.options.signal);
    const core = coreFor("word2vec");
    const o = this.options;
    const V = vocab.size;
    const d = o.dim;
    const n = ids.length;
    const cbow = o.model === "cbow";
    const alpha0 = o.alpha ?? (cbow ? 0.05 : 0.025);
    const parts = core ? partsFor(core, "word2vec", n, o.threads) : 1;

    // sentence ends per token, splitting sentences longer than MAX_SENTENCE
    const sentEnd = new Int32Array(n);
    for (let s = 0; s + 1 < starts.length; s++) {
      for (let a = starts[s]!; a < starts[s + 1]!; a += MAX_SENTENCE) {
        const e = Math.min(starts[s + 1]!, a + MAX_SENTENCE);
        sentEnd.fill(e, a, e);
      }
    }
    // subsampling keep-probabilities (word2vec.c / gensim): (√(f/(t·N)) + 1)·(t·N)/f, scaled to 2^24
    const keep = new Uint32Array(V);
    const total = vocab.counts.reduce((a, b) => a + b, 0);
    for (let w = 0; w < V; w++) {
      const f = vocab.counts[w]!;
      const tn = o.sample * total;
      const p = o.sample > 0 ? (Math.sqrt(f / tn) + 1) * (tn / f) : 1;
      keep[w] = Math.min(1 << 24, Math.round(Math.min(1, p) * (1 << 24)));
    }
    // noise distribution: unigram^0.75 table
    const table = new Int32Array(Math.min(TABLE_SIZE, Math.max(1e5, 100 * V)));
    let pow = 0;
    for (let w = 0; w < V; w++) pow += vocab.counts[w]! ** 0.75;
    let w = 0;
    let cum = vocab.counts[0]! ** 0.75 / pow;
    for (let a = 0; a < table.length; a++) {
      table[a] = w;
      if ((a + 1) / table.length > cum && w < V - 1) {
        w++;
        cum += vocab.counts[w]! ** 0.75 / pow;
      }
    }
    // weights: syn0 uniform in [−0.5/d, 0.5/d), syn1 zero (word2vec.c)
    const rng = new Random(o.seed);
    const syn0 = new Float32Array(V * d);
    for (let t = 0; t < syn0.length; t++) syn0[t] = (rng.nextUint32() / 4294967296 - 0.5) / d;
    const job: W2vJob = {
      ids, sentEnd, keep, syn0, syn1: new Float32Array(V * d), dim: d, window: o.window, negative: o.negative, table,
      expTable: sigmoidTable(), cbow, shared: o.negativeSharing === "window",
    };
    let maxSent = 1;
    for (let s = 0; s + 1 < starts.length; s++) maxSent = Math.max(maxSent, Math.min(MAX_SENTENCE, starts[s + 1]! - starts[s]!));

    const route = core ? new WasmTrainer(core, job, parts, maxSent) : null;
    try {
      const t0 = performance.now();
      const totalWork = n * o.epochs;
      const alphaAt = (pos: number): number => Math.max(o.minAlpha, alpha0 - (alpha0 - o.minAlpha) * (pos / totalWork));
      let done = 0;
      let trained = 0;
      const pacer = new Pacer(o.signal, "word2vec training");
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        for (let a = 0; a < n; a += CHUNK * parts) {
          const b = Math.min(n, a + CHUNK * parts);
          const a0 = alphaAt(done);
          const a1 = alphaAt(done + (b - a));
          const seed = (o.seed * 1000003 + epoch * 65537 + Math.floor(a / CHUNK)) | 0;
          // one participant: the kernel's seed for part 0 is seed·7919
          trained += route ? route.run(a, b, a0, a1, seed) : w2vTrainTs(job, a, b, a0, a1, Math.imul(seed, 7919));
          done += b - a;
          if (o.onProgress) {
            const secs = (performance.now() - t0) / 1000;
            const wordsPerSecond = done / Math.max(secs, 1e-9);
            o.onProgress({
              stage: `epoch ${epoch + 1}/${o.epochs}`, step: done, total: totalWork,
              metrics: { epoch: epoch + 1, epochs: o.epochs, progress: done / totalWork, words: done, wordsPerSecond, alpha: a1 },
            });
          }
          await pacer.tick();
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      route?.collect();
      this.syn0_ = new Matrix(V, d, job.syn0);
      this.syn1_ = new Matrix(V, d, job.syn1);
      this.vocab_ = vocab;
      this.stats_ = { seconds, words: done, trainedWords: trained, wordsPerSecond: done / Math.max(seconds, 1e-9) };
      for (let t = 0; t < this.syn0_.data.length; t++) {
        if (!Number.isFinite(this.syn0_.data[t]!)) fail(`training diverged (non-finite weights): lower alpha (${alpha0})`);
      }
    } finally {
      route?.dispose();
    }
    return this;
  }

  /** The parameters, vocabulary, word vectors, context vectors (unless includeContext is false) and fit statistics. */
  toJSON(opts: { includeContext?: boolean } = {}): Word2VecJSON {
    return {
      type: "Word2Vec", version: 1, options: encodeParams(WORD2VEC_PARAMS, this.options),
      vocabulary: this.vocabulary.toJSON(), words: matrixToJSON(this.wordMatrix),
      ...(opts.includeContext !== false ? { contexts: matrixToJSON(this.contextMatrix) } : {}),
      stats: { ...this.stats },
    };
  }

  static fromJSON(json: Word2VecJSON): Word2Vec {
    checkSaved(json, "Word2Vec");
    const w = new Word2Vec(decodeParams(WORD2VEC_PARAMS, json.options, "Word2Vec"));
    const vocab = Vocabulary.fromJSON(json.vocabulary);
    const W = matrixFromJSON(json.words, "Word2Vec.words");
    if (W.rows !== vocab.size || W.cols !== w.options.dim) {
      fail(`Word2Vec: the saved word vectors are ${W.rows}x${W.cols}, expected ${vocab.size}x${w.options.dim} (vocabulary x dim)`);
    }
    w.vocab_ = vocab;
    w.syn0_ = W.astype("float32");
    if (json.contexts) {
      const C = matrixFromJSON(json.contexts, "Word2Vec.contexts");
      if (C.rows !== W.rows || C.cols !== W.cols) fail(`Word2Vec: the saved context vectors are ${C.rows}x${C.cols}, expected ${W.rows}x${W.cols}`);
      w.syn1_ = C.astype("float32");
    }
    w.stats_ = { ...json.stats };
    return w;
  }
}

/** The WASM route: the corpus, tables and weights copied into the core once, then one parallel job per chunk. */
class WasmTrainer {
  private readonly arena: WasmArena;
  private readonly params: ParamBlock;
  private readonly pSyn0: number;
  private readonly pSyn1: number;
  private readonly pCounts: number;

  constructor(private readonly core: WasmCore, private readonly job: W2vJob, private readonly parts: number, maxSentence: number) {
    const a = (this.arena = new WasmArena(core));
    try {
      const scratchBytes = core.kernels.w2vScratchBytes(job.dim, job.window, job.negative, maxSentence);
      this.pSyn0 = a.put(job.syn0);
      this.pSyn1 = a.put(job.syn1);
      this.pCounts = a.alloc(4 * parts);
      this.params = new ParamBlock(core.memory, a.alloc(4 * W2V_SLOTS), W2V_SLOTS)
        .set(W2V_IDS, a.put(job.ids)).set(W2V_SENT_END, a.put(job.sentEnd)).set(W2V_KEEP, a.put(job.keep))
        .set(W2V_SYN0, this.pSyn0).set(W2V_SYN1, this.pSyn1).set(W2V_DIM, job.dim).set(W2V_WINDOW, job.window)
        .set(W2V_NEGATIVE, job.negative).set(W2V_TABLE, a.put(job.table)).set(W2V_TABLE_SIZE, job.table.length)
        .set(W2V_EXP, a.put(job.expTable)).set(W2V_CBOW, job.cbow ? 1 : 0).set(W2V_SCRATCH, a.alloc(scratchBytes * parts))
        .set(W2V_SCRATCH_BYTES, scratchBytes).set(W2V_COUNTS, this.pCounts).set(W2V_SHARED, job.shared ? 1 : 0);
    } catch (e) {
      a.release();
      throw e;
    }
  }

  /** Trains tokens [t0, t1) split over the parts; returns the tokens trained. */
  run(t0: number, t1: number, a0: number, a1: number, seed: number): number {
    this.params.set(W2V_T0, t0).set(W2V_T1, t1).setF32(W2V_ALPHA0, a0).setF32(W2V_ALPHA1, a1).set(W2V_SEED, seed);
    // only the parts that ran wrote their counts (fewer than asked when the helper pool is smaller or not up)
    const ran = this.core.run("w2vTrainPart", this.params.ptr, this.parts);
    const counts = new Int32Array(this.core.memory.buffer, this.pCounts, ran);
    let trained = 0;
    for (let p = 0; p < ran; p++) trained += counts[p]!;
    return trained;
  }

  /** Copies the trained weights back into the job's arrays. */
  collect(): void {
    const V = this.job.syn0.length;
    this.job.syn0.set(new Float32Array(this.core.memory.buffer, this.pSyn0, V));
    this.job.syn1.set(new Float32Array(this.core.memory.buffer, this.pSyn1, V));
  }

  dispose(): void {
    this.arena.release();
  }
}

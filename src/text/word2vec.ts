// word2vec (Mikolov et al. 2013): skip-gram or CBOW with negative sampling, frequent-word subsampling, a unigram^0.75
// noise table and a linearly decaying learning rate, as word2vec.c and gensim. The training loop runs in the WASM
// core; with threads > 1 the participants train disjoint parts of each chunk at once, updating the shared weights
// without locks (Hogwild). threads = 1 with a seed is fully deterministic.
import { Pacer, describeValue, fail, requireInt, throwIfAborted } from "../core/errors.js";
import { fitted } from "../core/estimator.js";
import { Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { OP_W2V } from "../core/wasm/jobs.js";
import { WasmArena, wasmCore } from "../core/wasm/runtime.js";
import type { Sentences } from "./corpus.js";
import { KeyedVectors } from "./keyed-vectors.js";
import { Vocabulary } from "./vocabulary.js";

export interface Word2VecProgress {
  epoch: number;
  epochs: number;
  /** Fraction of all training done, in [0, 1]. */
  progress: number;
  /** Corpus tokens processed so far (all epochs). */
  words: number;
  /** Tokens per second so far (raw corpus words, as gensim's "raw words"). */
  wordsPerSecond: number;
  /** Current learning rate. */
  alpha: number;
}

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

/** Longest sentence the kernel trains as one (longer lines are split, as gensim's 10000-token limit). */
const MAX_SENTENCE = 10000;
/** Tokens per job handed to the core between progress reports. */
const CHUNK = 1 << 17;
const TABLE_SIZE = 1e7;

export class Word2Vec {
  readonly options: Readonly<Required<Omit<Word2VecOptions, "onProgress" | "signal" | "maxVocabulary" | "threads" | "alpha">>> &
    Pick<Word2VecOptions, "onProgress" | "signal" | "maxVocabulary" | "threads" | "alpha">;
  private vocab_?: Vocabulary;
  private syn0_?: Matrix;
  private syn1_?: Matrix;
  private stats_?: { seconds: number; words: number; trainedWords: number; wordsPerSecond: number };

  constructor(options: Word2VecOptions = {}) {
    const model = options.model ?? "skipgram";
    if (model !== "skipgram" && model !== "cbow") fail(`model must be "skipgram" or "cbow", got ${describeValue(model)}`);
    this.options = {
      dim: requireInt("dim", options.dim ?? 100, 1),
      window: requireInt("window", options.window ?? 5, 1),
      negative: requireInt("negative", options.negative ?? 5, 1),
      model,
      minCount: requireInt("minCount", options.minCount ?? 5, 1),
      sample: options.sample ?? 1e-3,
      negativeSharing: options.negativeSharing ?? "window",
      epochs: requireInt("epochs", options.epochs ?? 5, 1),
      minAlpha: options.minAlpha ?? 1e-4,
      seed: options.seed ?? 1,
      ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
      ...(options.maxVocabulary !== undefined ? { maxVocabulary: requireInt("maxVocabulary", options.maxVocabulary, 1) } : {}),
      ...(options.threads !== undefined ? { threads: requireInt("threads", options.threads, 1) } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    if (this.options.negativeSharing !== "window" && this.options.negativeSharing !== "pair") {
      fail(`negativeSharing must be "window" or "pair", got ${describeValue(options.negativeSharing)}`);
    }
    if (!(this.options.sample >= 0)) fail(`sample must be >= 0, got ${describeValue(options.sample)}`);
    if (options.alpha !== undefined && !(options.alpha > 0)) fail(`alpha must be positive, got ${describeValue(options.alpha)}`);
    if (!(this.options.minAlpha >= 0)) fail(`minAlpha must be >= 0, got ${describeValue(options.minAlpha)}`);
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
    return fitted(this.syn1_, "Word2Vec");
  }
  /** The word vectors as KeyedVectors. */
  get vectors(): KeyedVectors {
    return new KeyedVectors(this.vocabulary.words, this.wordMatrix, this.vocabulary.counts);
  }
  /** Timing of the last fit: seconds, raw words processed, words trained after subsampling, words per second. */
  get stats(): { seconds: number; words: number; trainedWords: number; wordsPerSecond: number } {
    return fitted(this.stats_, "Word2Vec");
  }

  async fit(sentences: Sentences): Promise<this> {
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
    const core = wasmCore();
    if (!core) fail("Word2Vec needs the WebAssembly core (WebAssembly SIMD with shared memory), which is unavailable here");
    const o = this.options;
    const V = vocab.size;
    const d = o.dim;
    const n = ids.length;
    const cbow = o.model === "cbow";
    const alpha0 = o.alpha ?? (cbow ? 0.05 : 0.025);
    const parts = Math.max(1, Math.min(o.threads ?? core.threads, core.threads));

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
    const expTable = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) {
      const x = Math.exp(((i / 1000) * 2 - 1) * 6);
      expTable[i] = x / (x + 1);
    }
    // weights: syn0 uniform in [−0.5/d, 0.5/d), syn1 zero (word2vec.c)
    const rng = new Random(o.seed);
    const syn0 = new Float32Array(V * d);
    for (let t = 0; t < syn0.length; t++) syn0[t] = (rng.nextUint32() / 4294967296 - 0.5) / d;

    let maxSent = 1;
    for (let s = 0; s + 1 < starts.length; s++) maxSent = Math.max(maxSent, Math.min(MAX_SENTENCE, starts[s + 1]! - starts[s]!));
    // see w2vTrain's scratch layout in assembly/word2vec.ts
    const w2 = 2 * o.window;
    const scratchBytes = Math.ceil((4 * d * (2 + w2) + 4 * w2 * (o.negative + 1) + 4 * w2 + 4 * (o.negative + 1) + 4 * maxSent + 64) / 64) * 64;
    const arena = new WasmArena(core);
    try {
      const pIds = arena.put(ids), pEnd = arena.put(sentEnd), pKeep = arena.put(keep), pSyn0 = arena.put(syn0);
      const pSyn1 = arena.alloc(4 * V * d), pTable = arena.put(table), pExp = arena.put(expTable);
      const pScratch = arena.alloc(scratchBytes * parts), pCounts = arena.alloc(4 * parts), pParams = arena.alloc(4 * 24);
      const buf = (): ArrayBufferLike => core.memory.buffer;
      new Float32Array(buf(), pSyn1, V * d).fill(0);

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
          const P = new Int32Array(buf(), pParams, 21);
          P.set([pIds, pEnd, a, b, pKeep, pSyn0, pSyn1, d, o.window, o.negative, pTable, table.length, pExp, 0, 0,
            cbow ? 1 : 0, (o.seed * 1000003 + epoch * 65537 + Math.floor(a / CHUNK)) | 0, pScratch, scratchBytes, pCounts,
            o.negativeSharing === "window" ? 1 : 0]);
          const F = new Float32Array(buf(), pParams, 20);
          F[13] = a0;
          F[14] = a1;
          core.run(OP_W2V, [pParams], parts);
          const counts = new Int32Array(buf(), pCounts, parts);
          for (let p = 0; p < parts; p++) trained += counts[p]!;
          done += b - a;
          if (o.onProgress) {
            const secs = (performance.now() - t0) / 1000;
            o.onProgress({ epoch: epoch + 1, epochs: o.epochs, progress: done / totalWork, words: done, wordsPerSecond: done / Math.max(secs, 1e-9), alpha: a1 });
          }
          await pacer.tick();
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      this.syn0_ = new Matrix(V, d, new Float32Array(buf(), pSyn0, V * d).slice());
      this.syn1_ = new Matrix(V, d, new Float32Array(buf(), pSyn1, V * d).slice());
      this.vocab_ = vocab;
      this.stats_ = { seconds, words: done, trainedWords: trained, wordsPerSecond: done / Math.max(seconds, 1e-9) };
      for (let t = 0; t < this.syn0_.data.length; t++) {
        if (!Number.isFinite(this.syn0_.data[t]!)) fail(`training diverged (non-finite weights): lower alpha (${alpha0})`);
      }
    } finally {
      arena.release();
    }
    return this;
  }
}


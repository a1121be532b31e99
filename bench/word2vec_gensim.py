"""gensim side of bench/word2vec: trains Word2Vec on a pre-tokenised corpus (one sentence per line, tokens separated
by spaces), writes the vectors in word2vec text format and prints one JSON object with the timings.

usage: python3 bench/word2vec_gensim.py CORPUS OUT_VECTORS DIM WINDOW NEGATIVE MIN_COUNT EPOCHS THREADS SG [SEED]
"""
import json, resource, sys, time
import gensim
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

corpus, out, dim, window, neg, min_count, epochs, threads, sg = sys.argv[1:10]
seed = int(sys.argv[10]) if len(sys.argv) > 10 else 1
t0 = time.perf_counter()
model = Word2Vec(vector_size=int(dim), window=int(window), negative=int(neg), hs=0, min_count=int(min_count),
                 epochs=int(epochs), workers=int(threads), sg=int(sg), seed=seed)
model.build_vocab(LineSentence(corpus))
t1 = time.perf_counter()
model.train(LineSentence(corpus), total_examples=model.corpus_count, epochs=model.epochs)
t2 = time.perf_counter()
raw = model.corpus_total_words * int(epochs)
model.wv.save_word2vec_format(out)
print(json.dumps({"version": gensim.__version__, "seconds": t2 - t0, "trainSeconds": t2 - t1, "words": raw,
                  "wordsPerSecond": raw / (t2 - t1), "vocabulary": len(model.wv),
                  "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))

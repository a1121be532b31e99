// Sentences (token lists) from memory or streamed from a corpus (TextCorpus, in io/corpus.ts), iterated uniformly.

/** Sentences (token lists) from memory or from a corpus, uniformly. */
export type Sentences = Iterable<readonly string[]> | AsyncIterable<readonly string[]>;

export async function* iterate(s: Sentences): AsyncGenerator<readonly string[]> {
  if (Symbol.asyncIterator in s) {
    for await (const x of s as AsyncIterable<readonly string[]>) yield x;
  } else {
    for (const x of s as Iterable<readonly string[]>) yield x;
  }
}

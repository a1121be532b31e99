/** x², as a product: `x ** 2` compiles to a pow call in V8, several times slower in hot loops. */
export function sq(x: number): number {
  return x * x;
}

/**
 * Sorts the first `len` (key, id) pairs ascending by key, ties by id, in place (heapsort: no allocation, no
 * comparator calls; for the short neighbour lists of kNN rows).
 */
export function sortPairs(key: Float64Array | Float32Array, id: Int32Array, len: number): void {
  const after = (a: number, b: number): boolean => key[a]! > key[b]! || (key[a] === key[b] && id[a]! > id[b]!);
  const sift = (root: number, end: number): void => {
    for (;;) {
      let c = 2 * root + 1;
      if (c >= end) return;
      if (c + 1 < end && after(c + 1, c)) c++;
      if (!after(c, root)) return;
      const k = key[root]!;
      key[root] = key[c]!;
      key[c] = k;
      const t = id[root]!;
      id[root] = id[c]!;
      id[c] = t;
      root = c;
    }
  };
  for (let r = (len >> 1) - 1; r >= 0; r--) sift(r, len);
  for (let end = len - 1; end > 0; end--) {
    const k = key[0]!;
    key[0] = key[end]!;
    key[end] = k;
    const t = id[0]!;
    id[0] = id[end]!;
    id[end] = t;
    sift(0, end);
  }
}

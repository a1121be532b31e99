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

/**
 * Indices of the k largest scores, best first (ties by the smaller index), skipping NaN and the indices `skip`
 * rejects. A bounded heap: O(n log k).
 */
export function topK(scores: ArrayLike<number>, k: number, skip?: (i: number) => boolean): number[] {
  const heap: number[] = []; // min-heap: the worst kept score on top
  const worse = (a: number, b: number): boolean => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  if (k <= 0) return heap;
  for (let t = 0; t < scores.length; t++) {
    if (Number.isNaN(scores[t]) || skip?.(t)) continue;
    if (heap.length < k) {
      heap.push(t);
      let c = heap.length - 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c]!, heap[p]!)) break;
        [heap[c], heap[p]] = [heap[p]!, heap[c]!];
        c = p;
      }
    } else if (worse(heap[0]!, t)) {
      heap[0] = t;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        const r = l + 1;
        let m = c;
        if (l < k && worse(heap[l]!, heap[m]!)) m = l;
        if (r < k && worse(heap[r]!, heap[m]!)) m = r;
        if (m === c) break;
        [heap[c], heap[m]] = [heap[m]!, heap[c]!];
        c = m;
      }
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

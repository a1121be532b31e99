// Retrieval quality of binary codes, as the semantic hashing literature reports it: queries (codes of a test set)
// against a database (codes of the training set), an item relevant to a query when it has the query's label.
//
// - precision@k (Hamming ranking): for each query, the fraction of its k nearest database items (by Hamming distance)
//   that are relevant, averaged over the queries — the "precision of the top k returned" of e.g. Salakhutdinov &
//   Hinton (2009) and the learning-to-hash surveys (Wang et al., "Learning to hash for indexing big data", 2016).
//   Hamming distances tie often (a 32-bit code has 33 distances for thousands of items), so how the k-th place is
//   filled matters: `ties: "index"` (default) takes the tied items in database order, exactly what
//   HammingIndex.search returns; `ties: "average"` gives the expectation over a uniformly random order of the tied
//   items (the items strictly nearer all count; the m places left at the cut distance D count m·(relevant at D)/(all
//   at D)) — independent of the database order.
// - precision within Hamming radius r ("hash lookup"): for each query, the fraction of the items in its Hamming ball of
//   radius r that are relevant. Queries whose ball is empty have no precision: `precision` is the mean over the
//   queries with a non-empty ball (as Salakhutdinov & Hinton report it), `emptyFraction` the fraction of queries with
//   an empty ball, and `precisionCountingEmpty` the mean with empty balls counted as precision 0 (the convention of
//   e.g. Liu et al., "Supervised hashing with kernels", 2012), so a method cannot look good by returning nothing.
import { describeValue, fail } from "../core/errors.js";
import { HammingIndex, checkCodes, type BinaryCodes } from "../neighbors/hamming.js";

export type Labels = ArrayLike<string | number>;

function checkLabels(labels: Labels, n: number, what: string): void {
  if (!labels || typeof labels.length !== "number") fail(`${what} must be an array of labels, got ${describeValue(labels)}`);
  if (labels.length !== n) fail(`${what} has ${labels.length} labels, expected ${n} (one per code)`);
}

function setup(database: HammingIndex | BinaryCodes, queries: BinaryCodes, databaseLabels: Labels, queryLabels: Labels): HammingIndex {
  const index = database instanceof HammingIndex ? database : new HammingIndex(database);
  checkCodes(queries, "queries");
  index.checkQueryCodes(queries);
  if (queries.n < 1) fail(`the retrieval metrics need at least one query, got 0`);
  checkLabels(databaseLabels, index.size, "databaseLabels");
  checkLabels(queryLabels, queries.n, "queryLabels");
  return index;
}

export interface PrecisionAtKOptions {
  /** How the items tied at the k-th distance are taken: "index" (database order) or "average" (expected). Default "index". */
  ties?: "index" | "average";
}

/**
 * Mean over the queries of the fraction of the k nearest database codes (Hamming ranking) whose label is the
 * query's. `database`: an index over the database codes, or the codes.
 */
export function precisionAtK(database: HammingIndex | BinaryCodes, queries: BinaryCodes, databaseLabels: Labels, queryLabels: Labels,
  k: number, options: PrecisionAtKOptions = {}): number {
  const index = setup(database, queries, databaseLabels, queryLabels);
  if (!Number.isInteger(k) || k < 1 || k > index.size) fail(`precisionAtK: k must be an integer in [1, ${index.size}] (the database size), got ${describeValue(k)}`);
  const ties = options.ties ?? "index";
  if (ties !== "index" && ties !== "average") fail(`precisionAtK: ties must be "index" or "average", got ${describeValue(ties)}`);
  let sum = 0;
  if (ties === "index") {
    const hits = index.searchBatch(queries, k);
    for (let q = 0; q < queries.n; q++) {
      let rel = 0;
      const label = queryLabels[q];
      for (let p = q * k; p < (q + 1) * k; p++) if (databaseLabels[hits.indices[p]!] === label) rel++;
      sum += rel / k;
    }
  } else {
    for (let q = 0; q < queries.n; q++) {
      const { total, relevant } = index.distanceHistogram(queries, q, databaseLabels, queryLabels[q]);
      let taken = 0, rel = 0;
      for (let d = 0; d < total.length && taken < k; d++) {
        const m = Math.min(total[d]!, k - taken);
        rel += m === total[d]! ? relevant[d]! : (m * relevant[d]!) / total[d]!;
        taken += m;
      }
      sum += rel / k;
    }
  }
  return sum / queries.n;
}

export interface RadiusPrecision {
  /** Mean precision over the queries with at least one database item within the radius (NaN when there are none). */
  precision: number;
  /** Mean precision over all queries, an empty ball counting as 0. */
  precisionCountingEmpty: number;
  /** Fraction of the queries whose Hamming ball is empty. */
  emptyFraction: number;
  /** Mean number of database items in a query's ball. */
  meanRetrieved: number;
}

/** Precision of the items within Hamming distance r of each query (hash lookup), see the file's header for the means. */
export function precisionWithinRadius(database: HammingIndex | BinaryCodes, queries: BinaryCodes, databaseLabels: Labels, queryLabels: Labels,
  r: number): RadiusPrecision {
  const index = setup(database, queries, databaseLabels, queryLabels);
  if (!Number.isInteger(r) || r < 0) fail(`precisionWithinRadius: the radius must be an integer >= 0, got ${describeValue(r)}`);
  let sum = 0, nonEmpty = 0, retrieved = 0;
  for (let q = 0; q < queries.n; q++) {
    const { total, relevant } = index.distanceHistogram(queries, q, databaseLabels, queryLabels[q]);
    let all = 0, rel = 0;
    for (let d = 0; d <= Math.min(r, total.length - 1); d++) {
      all += total[d]!;
      rel += relevant[d]!;
    }
    retrieved += all;
    if (all > 0) {
      nonEmpty++;
      sum += rel / all;
    }
  }
  return {
    precision: nonEmpty > 0 ? sum / nonEmpty : NaN,
    precisionCountingEmpty: sum / queries.n,
    emptyFraction: 1 - nonEmpty / queries.n,
    meanRetrieved: retrieved / queries.n,
  };
}

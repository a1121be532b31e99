# The Python anchor of bench/graph.ts (issue 14): DeepWalk and node2vec as a careful Python user would run them on
# this machine, and NetMF with SciPy. Debian's python3-numba, python3-gensim, python3-sklearn, python3-scipy, under
# /usr/bin/python3 (a version manager's python3 on PATH may lack them).
#
# * Walks: hand-written in numba, `threads` threads (prange over chunks of walks). Uniform walks for DeepWalk (to a
#   neighbour drawn in proportion to the edge weight: a binary search in the row's cumulative weights), second-order
#   node2vec walks with return p and in-out q: rows of degree <= OTF_MAX_DEGREE are sampled exactly on the fly (every
#   neighbour's weight times alpha, then a draw from the sums: PecanPy's SparseOTF), larger rows by rejection
#   sampling (KnightKing): propose from the first-order distribution, accept with alpha/M, M = max(1, 1/q), with the
#   return arc's excess mass w(cur, prev)·(1/p − M) drawn directly when 1/p > M. "x is a neighbour of prev" is a
#   binary search in prev's sorted row. Memory is the CSR graph plus one cumulative weight per arc: no per-edge alias
#   tables (which need memory ∝ Σ deg²). Each walk has its own splitmix64 stream seeded by (seed, walk index), so the
#   walks do not depend on the thread count. Every round starts one walk at every node, in an order shuffled per
#   round; walk_length counts the nodes of a walk, the start included. JIT compilation is done on a tiny graph
#   before the clock starts.
# * Training: gensim 4 Word2Vec skip-gram (sg 1, dim 128, window 10, negative 5, min_count 0, workers = threads, 1
#   epoch, gensim's defaults otherwise: alpha 0.025, sample 1e-3), on the walks as lists of node-name strings.
# * NetMF (T 10, rank 256, b 1, 128-d): bench/graph_netmf_scipy.py's netmf (eigsh + dense truncated log + svds).
# * Evaluation: graph_netmf_scipy.classify — scikit-learn one-vs-rest LogisticRegression with top-k prediction (each
#   test node gets its k highest-scoring labels, k its true label count; the node2vec paper's protocol), micro- and
#   macro-F1 at 50 % training labels over `repeats` random splits (mean and population sd); single-label sets a
#   multinomial LogisticRegression.
#
# Before numpy is imported, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from this process's environment (the
# project's rule for fair numpy timing; bench/graph.ts also spawns this script without them).
#
#   /usr/bin/python3 bench/graph_python.py [--graphs blogcatalog,ppi,wikipedia,polblogs] [--methods deepwalk,node2vec,netmf]
#       [--p 4 --q 0.25] [--repeats 5] [--threads 2] [--walk-length 80] [--walks 10] [--dim 128] [--rank 256]
#       [--seed 0] [--data DIR] [--quick]
# prints one JSON line per (graph, method): microF1, macroF1, microF1Std, macroF1Std, walkSeconds, trainSeconds,
# totalSeconds (read + walks + corpus + training, or read + NetMF; JIT compilation and the evaluation excluded),
# peakMB (getrusage max RSS of the run's own process), walkSteps, stepsPerSecond, versions, BLAS (threadpoolctl).
# A method is "deepwalk", "node2vec" (with --p, --q) or "node2vec:P:Q"; with several (graph, method) pairs each
# runs in a child process of its own so that peakMB is that run's.
import os

for _k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_k, None)

import argparse, json, resource, subprocess, sys, time

sys.dont_write_bytecode = True  # no bench/__pycache__ from importing graph_netmf_scipy
# numba caches the compiled walker here (not in bench/__pycache__)
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "latentkit-numba-cache"))
import numpy as np
import numba
from numba import njit, prange

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_netmf_scipy import classify, netmf, read_graph, read_labels  # noqa: E402

OTF_MAX_DEGREE = 16
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "..", "..", "shared", "data", "graphs")


def blas_info():
    from threadpoolctl import threadpool_info
    return [{k: d.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer", "architecture")}
            for d in threadpool_info() if d.get("user_api") == "blas"]


# ---------------------------------------------------------------------------------------------------- the walker

G = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
S30, S27, S31, S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
INV53 = 1.0 / 9007199254740992.0


@njit(inline="always", cache=True)
def rand(s):
    # splitmix64: the next state and a double in [0, 1)
    s = s + G
    z = s
    z = (z ^ (z >> S30)) * M1
    z = (z ^ (z >> S27)) * M2
    z = z ^ (z >> S31)
    return s, float(z >> S11) * INV53



@njit(inline="always", cache=True)
def find(indptr, indices, a, x):
    # position of x in a's sorted row, or -1
    lo = indptr[a]
    hi = indptr[a + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        v = indices[mid]
        if v < x:
            lo = mid + 1
        elif v > x:
            hi = mid
        else:
            return mid
    return -1



@njit(inline="always", cache=True)
def first_order(indptr, indices, cumw, weighted, cur, u):
    lo = indptr[cur]
    hi = indptr[cur + 1]
    if not weighted:
        j = lo + int(u * (hi - lo))
        if j >= hi:
            j = hi - 1
        return indices[j]
    # the first position whose cumulative weight exceeds u * the row's total
    t = u * cumw[hi - 1]
    end = hi - 1
    while lo < end:
        mid = (lo + end) >> 1
        if cumw[mid] > t:
            end = mid
        else:
            lo = mid + 1
    return indices[lo]



@njit(parallel=True, cache=True)
def walk_kernel(indptr, indices, cumw, weighted, starts, walk_length, p, q, second_order, seed, n_chunks):
    n_walks = starts.shape[0]
    out = np.full((n_walks, walk_length), -1, dtype=np.int32)
    steps = np.zeros(n_chunks, dtype=np.int64)
    inv_p = 1.0 / p
    inv_q = 1.0 / q
    big_m = max(1.0, inv_q)  # the rejection envelope (the return arc's excess over it is drawn directly)
    excess = inv_p - big_m if inv_p > big_m else 0.0
    base = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + np.uint64(0x2545F4914F6CDD1D)
    per = (n_walks + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        buf = np.empty(OTF_MAX_DEGREE, dtype=np.float64)
        count = 0
        for i in range(c * per, min(n_walks, (c + 1) * per)):
            s = base ^ (np.uint64(i) * G)
            s, _ = rand(s)
            cur = starts[i]
            out[i, 0] = cur
            prev = -1
            for k in range(1, walk_length):
                lo = indptr[cur]
                hi = indptr[cur + 1]
                deg = hi - lo
                if deg == 0:
                    break
                if prev < 0 or not second_order:
                    s, u = rand(s)
                    nxt = first_order(indptr, indices, cumw, weighted, cur, u)
                elif deg <= OTF_MAX_DEGREE:
                    # exact: alpha(x) * w(cur, x) for the whole row, then a draw from the sums
                    total = 0.0
                    for j in range(deg):
                        x = indices[lo + j]
                        w = (cumw[lo + j] - (cumw[lo + j - 1] if j > 0 else 0.0)) if weighted else 1.0
                        if x == prev:
                            a = inv_p
                        elif find(indptr, indices, prev, x) >= 0:
                            a = 1.0
                        else:
                            a = inv_q
                        total += a * w
                        buf[j] = total
                    s, u = rand(s)
                    t = u * total
                    j = 0
                    while j < deg - 1 and buf[j] <= t:
                        j += 1
                    nxt = indices[lo + j]
                else:
                    # rejection sampling from the first-order proposal, the return arc's excess drawn directly
                    row_w = cumw[hi - 1] if weighted else float(deg)
                    ex = 0.0
                    if excess > 0.0:
                        jp = find(indptr, indices, cur, prev)
                        if jp >= 0:
                            wp = (cumw[jp] - (cumw[jp - 1] if jp > lo else 0.0)) if weighted else 1.0
                            ex = wp * excess
                    env = big_m * row_w
                    while True:
                        s, u = rand(s)
                        if u * (env + ex) < ex:
                            nxt = prev
                            break
                        s, u = rand(s)
                        x = first_order(indptr, indices, cumw, weighted, cur, u)
                        if x == prev:
                            a = min(inv_p, big_m)
                        elif find(indptr, indices, prev, x) >= 0:
                            a = 1.0
                        else:
                            a = inv_q
                        s, u = rand(s)
                        if u * big_m < a:
                            nxt = x
                            break
                out[i, k] = nxt
                prev = cur
                cur = nxt
                count += 1
        steps[c] = count
    return out, steps.sum()


def run_walks(walker, A, n_rounds, walk_length, p, q, seed, threads):
    n = A.shape[0]
    indptr = A.indptr.astype(np.int64)
    indices = A.indices.astype(np.int32)
    weighted = not np.all(A.data == 1.0)
    # per row cumulative weights (only read for weighted graphs)
    cumw = np.empty(0, dtype=np.float64)
    if weighted:
        cumw = np.cumsum(A.data.astype(np.float64))
        row_start = np.repeat(np.concatenate(([0.0], cumw))[indptr[:-1]], np.diff(indptr))
        cumw = cumw - row_start
    rng = np.random.default_rng(seed)
    starts = np.concatenate([rng.permutation(n).astype(np.int32) for _ in range(n_rounds)])
    second = not (p == 1.0 and q == 1.0)
    return walker(indptr, indices, cumw if weighted else np.zeros(1), weighted, starts, walk_length, float(p), float(q), second,
                  int(seed), max(threads * 16, 1))


def warm_up(walker, threads):
    # compiles the kernel for both graph kinds (unweighted and weighted) before any clock starts
    import scipy.sparse as sp
    u = np.array([0, 0, 1, 2, 3, 3]); v = np.array([1, 2, 2, 3, 4, 5])
    for w in (np.ones(6), np.arange(1.0, 7.0)):
        A = sp.coo_matrix((w, (u, v)), shape=(6, 6)).tocsr()
        A = A.maximum(A.T).tocsr()
        A.sort_indices()
        for p, q in ((1.0, 1.0), (4.0, 0.25)):
            run_walks(walker, A, 2, 10, p, q, 0, threads)


def check_walker(threads):
    """--check: the walker's second-order transitions against node2vec's exact probabilities on a small graph with
    a hub (degree 24 > OTF_MAX_DEGREE, so both samplers run), unweighted and weighted, (p, q) = (0.25, 4) and (4, 0.25):
    the total variation between the observed and exact next-node distribution, pooled over the (prev, cur) contexts
    weighted by their counts, must stay below 0.01; the same counts against swapped p and q must exceed it."""
    import scipy.sparse as sp
    walker = walk_kernel
    numba.set_num_threads(threads)
    rng = np.random.default_rng(5)
    hub_leaves = np.arange(1, 25)
    u = list(np.zeros(24, dtype=int)) + list(hub_leaves[:-1]) + [1, 3, 5, 7, 25, 26, 27]
    v = list(hub_leaves) + list(hub_leaves[1:]) + [25, 25, 26, 26, 26, 27, 1]
    ok = True
    for weighted in (False, True):
        w = rng.uniform(0.5, 3.0, len(u)) if weighted else np.ones(len(u))
        A = sp.coo_matrix((w, (u, v)), shape=(28, 28)).tocsr()
        A = A.maximum(A.T).tocsr()
        A.sort_indices()
        D = A.toarray()
        for p, q in ((0.25, 4.0), (4.0, 0.25)):
            W, _ = run_walks(walker, A, 4000, 20, p, q, 1, threads)
            counts = {}
            for row in W:
                for a, b, c in zip(row[:-2], row[1:-1], row[2:]):
                    counts.setdefault((a, b), np.zeros(28))[c] += 1

            def tv(pp, qq):
                num = den = 0.0
                for (a, b), cnt in counts.items():
                    alpha = np.where(np.arange(28) == a, 1 / pp, np.where(D[a] > 0, 1.0, 1 / qq))
                    exact = D[b] * alpha
                    exact /= exact.sum()
                    num += cnt.sum() * 0.5 * np.abs(cnt / cnt.sum() - exact).sum()
                    den += cnt.sum()
                return num / den
            good, swapped = tv(p, q), tv(q, p)
            passed = good < 0.01 < swapped
            ok &= passed
            print(f"check: {'weighted' if weighted else 'unweighted'} p {p} q {q}: total variation {good:.4f} (swapped p, q: {swapped:.4f}) {'ok' if passed else 'FAILED'}")
    return ok


# ---------------------------------------------------------------------------------------------------- one run

def run_one(graph, method, a):
    t0 = time.time()
    names, A = read_graph(os.path.join(a.data, f"{graph}.edges.tsv.gz"))
    Y, classes, multi = read_labels(os.path.join(a.data, f"{graph}.labels.tsv.gz"), names)
    n = len(names)
    read_s = time.time() - t0
    dim = min(a.dim, n - 2)
    rec = {"graph": graph, "method": method, "nodes": int(n), "edges": int(A.nnz // 2), "classes": len(classes),
           "multiLabel": multi, "dim": dim, "threads": a.threads, "readSeconds": read_s}
    import scipy, sklearn
    rec["versions"] = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}
    if method == "netmf":
        rank = min(a.rank, n - 2)
        t1 = time.time()
        E = netmf(A, T=10, b=1.0, h=rank, dim=min(dim, rank))
        fit = time.time() - t1
        rec.update({"rank": rank, "walkSeconds": None, "trainSeconds": fit, "totalSeconds": read_s + fit, "walkSteps": None, "stepsPerSecond": None})
    else:
        if method == "deepwalk":
            p = q = 1.0
        elif method == "node2vec":
            p, q = a.p, a.q
        else:
            _, p, q = method.split(":")
            p, q = float(p), float(q)
        import gensim
        from gensim.models import Word2Vec
        walker = walk_kernel
        numba.set_num_threads(a.threads)
        rec["versions"].update({"numba": numba.__version__, "gensim": gensim.__version__, "numbaThreadingLayer": None})
        tc = time.time()
        warm_up(walker, a.threads)
        rec["versions"]["numbaThreadingLayer"] = numba.threading_layer()
        rec["compileSeconds"] = time.time() - tc
        t1 = time.time()
        W, steps = run_walks(walker, A, a.walks, a.walk_length, p, q, a.seed, a.threads)
        walk_s = time.time() - t1
        t2 = time.time()
        tokens = np.array([str(x) for x in names], dtype=object)
        full = W[:, -1] >= 0
        sentences = tokens[W[full]].tolist()
        sentences += [tokens[r[r >= 0]].tolist() for r in W[~full]]
        del W
        corpus_s = time.time() - t2
        t3 = time.time()
        model = Word2Vec(sentences, vector_size=dim, window=10, negative=5, min_count=0, workers=a.threads, epochs=1, sg=1, sample=a.sample, seed=a.seed)
        train_s = time.time() - t3
        del sentences
        E = np.zeros((n, dim), dtype=np.float32)
        for i, s in enumerate(tokens):
            if s in model.wv.key_to_index:
                E[i] = model.wv[s]
        rec.update({"p": p, "q": q, "walkLength": a.walk_length, "sample": a.sample, "walksPerNode": a.walks, "walkSteps": int(steps),
                    "walkSeconds": walk_s, "stepsPerSecond": steps / walk_s, "corpusSeconds": corpus_s, "trainSeconds": train_s,
                    "totalSeconds": read_s + walk_s + corpus_s + train_s})
    rec["peakMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t4 = time.time()
    mi, ma = classify(np.asarray(E, dtype=np.float64), Y, a.repeats, multi=multi, seed=a.seed)
    rec.update({"microF1": float(np.mean(mi)), "macroF1": float(np.mean(ma)), "microF1Std": float(np.std(mi)), "macroF1Std": float(np.std(ma)),
                "repeats": a.repeats, "evalSeconds": time.time() - t4, "blas": blas_info(), "load": os.getloadavg()[0]})
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--graphs", default="blogcatalog,ppi,wikipedia,polblogs")
    ap.add_argument("--methods", default="deepwalk,node2vec,netmf")
    ap.add_argument("--p", type=float, default=4.0)
    ap.add_argument("--q", type=float, default=0.25)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--walks", type=int, default=10)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--rank", type=int, default=256)
    ap.add_argument("--sample", type=float, default=1e-3, help="gensim's subsampling threshold (its default 1e-3; 0 = off)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--quick", action="store_true", help="karate and football, 2 repeats (a check that it runs)")
    ap.add_argument("--check", action="store_true", help="check the walker against exact transition probabilities, then exit")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.check:
        sys.exit(0 if check_walker(a.threads) else 1)
    if a.quick:
        if a.graphs == ap.get_default("graphs"):
            a.graphs = "karate,football"
        a.repeats = min(a.repeats, 2)
    pairs = [(g, m) for g in a.graphs.split(",") for m in a.methods.split(",")]
    if len(pairs) == 1 or a.one:
        print(json.dumps(run_one(pairs[0][0], pairs[0][1], a)), flush=True)
        return
    base = [x for x in sys.argv[1:] if x != "--quick"]
    for g, m in pairs:
        argv = [sys.executable, os.path.abspath(__file__), *base, "--graphs", g, "--methods", m, "--repeats", str(a.repeats), "--one"]
        r = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print(json.dumps({"graph": g, "method": m, "error": f"exit {r.returncode}"}), flush=True)
        else:
            print(r.stdout.strip().split("\n")[-1], flush=True)


if __name__ == "__main__":
    main()

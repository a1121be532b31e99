# NetMF (Qiu et al. 2018, their Algorithm 2) with SciPy, the peer of bench/graph-netmf.ts: eigsh (ARPACK) for the 256
# largest eigenpairs of D^-1/2 A D^-1/2, the filtered eigenvalues, the dense truncated-log matrix and svds for 128
# dimensions, then scikit-learn's one-vs-rest logistic regression with top-k prediction (the node2vec protocol) at
# 50 % labels. Self-loops are dropped as latentkit's Graph does; nodes are those named by the edges.
#   python3 graph_netmf_scipy.py EDGES LABELS REPEATS  -> one JSON line
# Also a module: bench/graph_python.py (the node-embedding anchor) imports read_graph, read_labels, netmf and
# classify from here, so both benches run the same NetMF and the same evaluation. Importers that care about the BLAS
# environment (OPENBLAS_* variables) must set it before importing this module, which imports numpy.
import json, resource, sys, time
import numpy as np, scipy, scipy.sparse as sp, scipy.sparse.linalg as sla
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.metrics import f1_score


def read_graph(edges_path):
    """Edge list `u v [w]` (integer node names, `#` comments, .gz) -> (names, A): the sorted node names and the
    symmetric CSR adjacency (float64, self-loops dropped, a repeated edge keeps its largest weight, sorted rows)."""
    e = np.loadtxt(edges_path, comments="#", ndmin=2)
    names, inv = np.unique(e[:, :2].astype(np.int64), return_inverse=True)
    u, v = inv.reshape(-1, 2).T
    w = e[:, 2] if e.shape[1] > 2 else np.ones(len(e))
    keep = u != v
    n = len(names)
    A = sp.coo_matrix((w[keep], (u[keep], v[keep])), shape=(n, n)).tocsr()
    A = A.maximum(A.T).tocsr()  # undirected; a repeated edge keeps its largest weight
    A.sort_indices()
    return names, A


def read_labels(labels_path, names):
    """Label file (a header line, then `node<TAB>label[<TAB>name]`, one row per pair) -> (Y, classes, multi): Y is
    n x classes 0/1 with rows following `names`; rows naming a node the graph lacks are skipped; classes are sorted
    (numerically when every label is an integer); multi = some node has two or more labels."""
    import gzip
    opener = gzip.open if str(labels_path).endswith(".gz") else open
    with opener(labels_path, "rt", encoding="utf8") as f:
        rows = [line.rstrip("\r\n").split("\t") for line in f.readlines()[1:] if line.strip()]
    index = {int(x): i for i, x in enumerate(names)}
    pairs = [(index[int(r[0])], r[1]) for r in rows if r[0].lstrip("-").isdigit() and int(r[0]) in index]
    labels = [p[1] for p in pairs]
    if all(l.lstrip("-").isdigit() for l in labels):
        labels = [int(l) for l in labels]
    classes = sorted(set(labels))
    ci = {c: i for i, c in enumerate(classes)}
    Y = np.zeros((len(names), len(classes)), dtype=np.int64)
    for (node, _), l in zip(pairs, labels):
        Y[node, ci[l]] = 1
    return Y, classes, bool((Y.sum(1) > 1).any())


def netmf(A, T=10, b=1.0, h=256, dim=128):
    """NetMF's Algorithm 2 on the symmetric adjacency A: the node embedding (n x dim)."""
    vol = A.sum()
    d = np.asarray(A.sum(1)).ravel()
    dr = np.where(d > 0, 1 / np.sqrt(np.maximum(d, 1e-300)), 0)
    N = sp.diags(dr) @ A @ sp.diags(dr)
    lam, U = sla.eigsh(N, h, which="LA")
    f = np.maximum(np.array([sum(l ** r for r in range(1, T + 1)) / T for l in lam]), 0)
    X = (dr[:, None] * U) * np.sqrt(f)
    M = X @ X.T * (vol / b)
    np.log(np.maximum(M, 1), out=M)
    uu, s, _ = sla.svds(M, dim, return_singular_vectors="u")
    return uu * np.sqrt(s)


def classify(E, Y, repeats, multi=True, train_fraction=0.5, seed=0, max_iter=100):
    """Node classification over `repeats` random splits of the labelled nodes -> (microF1 list, macroF1 list).
    Multi-label: one-vs-rest logistic regression, each test node given its k highest-scoring labels, k = its true
    label count (the node2vec protocol), F1 on indicator matrices (macro over every class, zero_division 0).
    Single-label: multinomial logistic regression, argmax, F1 on label arrays (macro over the classes present)."""
    rng = np.random.default_rng(seed)
    idx = np.where(Y.sum(1) > 0)[0]
    mi, ma = [], []
    for r in range(repeats):
        p = rng.permutation(idx)
        tr, te = p[: round(train_fraction * len(p))], p[round(train_fraction * len(p)):]
        if multi:
            clf = OneVsRestClassifier(LogisticRegression(max_iter=max_iter)).fit(E[tr], Y[tr])
            P = clf.decision_function(E[te])
            k = Y[te].sum(1)
            pred = np.zeros_like(Y[te])
            for i in range(len(te)):
                pred[i, np.argsort(-P[i], kind="stable")[: k[i]]] = 1
            truth = Y[te]
        else:
            clf = LogisticRegression(max_iter=max_iter).fit(E[tr], Y[tr].argmax(1))
            pred, truth = clf.predict(E[te]), Y[te].argmax(1)
        mi.append(f1_score(truth, pred, average="micro"))
        ma.append(f1_score(truth, pred, average="macro", zero_division=0))
    return mi, ma


if __name__ == "__main__":
    edges_path, labels_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = time.time()
    names, A = read_graph(edges_path)
    n = len(names)
    Y, _, multi = read_labels(labels_path, names)
    t1 = time.time()
    E = netmf(A, T=10, b=1.0, h=256, dim=128)
    t2 = time.time()
    mi, ma = classify(E, Y, repeats, multi=multi)
    print(json.dumps({"version": scipy.__version__, "nodes": int(n), "edges": int(A.nnz // 2), "read": t1 - t0, "fit": t2 - t1, "seconds": t2 - t0,
                      "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "microF1": float(np.mean(mi)), "macroF1": float(np.mean(ma)),
                      "microF1Std": float(np.std(mi)), "macroF1Std": float(np.std(ma))}))

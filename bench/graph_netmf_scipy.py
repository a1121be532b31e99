# NetMF (Qiu et al. 2018, their Algorithm 2) with SciPy, the peer of bench/graph-netmf.ts: eigsh (ARPACK) for the 256
# largest eigenpairs of D^-1/2 A D^-1/2, the filtered eigenvalues, the dense truncated-log matrix and svds for 128
# dimensions, then scikit-learn's one-vs-rest logistic regression with top-k prediction (the node2vec protocol) at
# 50 % labels. Self-loops are dropped as latentkit's Graph does; nodes are those named by the edges.
#   python3 graph_netmf_scipy.py EDGES LABELS REPEATS  -> one JSON line
import json, resource, sys, time
import numpy as np, scipy, scipy.sparse as sp, scipy.sparse.linalg as sla
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.metrics import f1_score

edges_path, labels_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.time()
e = np.loadtxt(edges_path, comments="#")
names, inv = np.unique(e[:, :2].astype(np.int64), return_inverse=True)
u, v = inv.reshape(-1, 2).T
w = e[:, 2] if e.shape[1] > 2 else np.ones(len(e))
keep = u != v
n = len(names)
A = sp.coo_matrix((w[keep], (u[keep], v[keep])), shape=(n, n)).tocsr()
A = A.maximum(A.T)  # undirected; a repeated edge keeps its largest weight
lab = np.loadtxt(labels_path, skiprows=1, dtype=np.int64, usecols=(0, 1))
classes = np.unique(lab[:, 1])
Y = np.zeros((n, len(classes)), dtype=np.int64)
Y[np.searchsorted(names, lab[:, 0]), np.searchsorted(classes, lab[:, 1])] = 1
t1 = time.time()
T, b, h, dim = 10, 1.0, 256, 128
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
E = uu * np.sqrt(s)
t2 = time.time()
rng = np.random.default_rng(0)
idx = np.where(Y.sum(1) > 0)[0]
mi, ma = [], []
for r in range(repeats):
    p = rng.permutation(idx)
    tr, te = p[: round(0.5 * len(p))], p[round(0.5 * len(p)):]
    clf = OneVsRestClassifier(LogisticRegression(max_iter=100)).fit(E[tr], Y[tr])
    P = clf.decision_function(E[te])
    k = Y[te].sum(1)
    pred = np.zeros_like(Y[te])
    for i in range(len(te)):
        pred[i, np.argsort(-P[i], kind="stable")[: k[i]]] = 1
    mi.append(f1_score(Y[te], pred, average="micro"))
    ma.append(f1_score(Y[te], pred, average="macro", zero_division=0))
print(json.dumps({"version": scipy.__version__, "nodes": int(n), "edges": int(A.nnz // 2), "read": t1 - t0, "fit": t2 - t1, "seconds": t2 - t0,
                  "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "microF1": float(np.mean(mi)), "macroF1": float(np.mean(ma)),
                  "microF1Std": float(np.std(mi)), "macroF1Std": float(np.std(ma))}))

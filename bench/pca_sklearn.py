"""scikit-learn side of bench/pca: PCA fit times on Fashion-MNIST train, printed as one JSON object.

usage: python3 bench/pca_sklearn.py IMAGES_IDX_GZ ROWS K
"""
import gzip, json, sys, time
import numpy as np
import sklearn
from sklearn.decomposition import PCA

path, rows, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with gzip.open(path, "rb") as f:
    raw = f.read()
n, h, w = (int.from_bytes(raw[o:o + 4], "big") for o in (4, 8, 12))
X = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, h * w)[:rows].astype(np.float32)
try:
    from threadpoolctl import threadpool_info
    blas = [{k: i.get(k) for k in ("internal_api", "architecture", "num_threads", "version")} for i in threadpool_info()]
except ImportError:
    blas = "threadpoolctl not installed"
out = {"version": sklearn.__version__, "rows": int(X.shape[0]), "blas": blas, "results": []}
solvers = ["randomized", "full"]
if tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 5):
    solvers.append("covariance_eigh")
for solver in solvers:
    best = None
    for rep in range(2):
        t0 = time.perf_counter()
        p = PCA(n_components=k, svd_solver=solver, random_state=0).fit(X)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    out["results"].append({"solver": solver, "seconds": best, "evrSum": float(p.explained_variance_ratio_.sum())})
print(json.dumps(out))

"""Python side of bench/maps: scikit-learn's TSNE (Barnes-Hut) or umap-learn's UMAP on an .npy file.

usage: python3 bench/maps_sklearn.py INPUT.npy OUTPUT.npy [DIMS (2)] [--method tsne|umap] [--n-jobs N] [--warm]

UMAP is run without a random_state (umap-learn then uses all threads).

Prints one JSON line: the fit time in seconds, the library's version and the BLAS threadpoolctl reports (bench/maps
runs it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, so that numpy picks its best OpenBLAS kernel). --warm
fits once on 2000 points first, so that umap-learn's numba compilation is not timed.
"""
import json, sys, time
import numpy as np

args = sys.argv[1:]
def opt(name, default):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default
method = opt("--method", "tsne")
n_jobs = opt("--n-jobs", None)
warm = "--warm" in args
if warm:
    args.remove("--warm")
X = np.load(args[0])
dims = int(args[2]) if len(args) > 2 else 2
if method == "umap":
    import umap
    version = "umap-learn " + umap.__version__
    # no random_state: with one, umap-learn runs its optimisation on one thread; without, on all of them (its
    # fastest setting, the one to beat)
    make = lambda: umap.UMAP(n_components=dims, n_neighbors=15, min_dist=0.1,
                             **({"n_jobs": int(n_jobs)} if n_jobs else {}))
else:
    import sklearn
    from sklearn.manifold import TSNE
    version = "scikit-learn " + sklearn.__version__
    make = lambda: TSNE(n_components=dims, perplexity=30, init="pca", learning_rate="auto", random_state=0,
                        **({"n_jobs": int(n_jobs)} if n_jobs else {}))
if warm:
    make().fit_transform(X[:2000])
t0 = time.perf_counter()
Z = make().fit_transform(X)
seconds = time.perf_counter() - t0
np.save(args[1], Z.astype(np.float32))
try:
    from threadpoolctl import threadpool_info
    blas = ", ".join(f"{i['internal_api']} {i.get('architecture') or ''} {i['num_threads']} threads".replace("  ", " ")
                     for i in threadpool_info())
except ImportError:
    blas = "threadpoolctl not installed"
print(json.dumps({"seconds": seconds, "version": version, "blas": blas}))

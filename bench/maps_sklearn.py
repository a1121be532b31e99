"""scikit-learn side of bench/maps: TSNE (Barnes-Hut, default parameters) on an .npy file.

usage: python3 bench/maps_sklearn.py INPUT.npy OUTPUT.npy [DIMS (2)]
"""
import json, sys, time
import numpy as np
import sklearn
from sklearn.manifold import TSNE

X = np.load(sys.argv[1])
t0 = time.perf_counter()
dims = int(sys.argv[3]) if len(sys.argv) > 3 else 2
Z = TSNE(n_components=dims, perplexity=30, init="pca", learning_rate="auto", random_state=0).fit_transform(X)
seconds = time.perf_counter() - t0
np.save(sys.argv[2], Z.astype(np.float32))
print(json.dumps({"seconds": seconds, "version": sklearn.__version__}))

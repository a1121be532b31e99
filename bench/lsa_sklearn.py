"""scikit-learn side of bench/lsa: TfidfVectorizer + TruncatedSVD(100) on documents one per line, as JSON.

usage: python3 bench/lsa_sklearn.py DOCS K MIN_DF MAX_DF
"""
import json, sys, time
import sklearn
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

path, k, min_df, max_df = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
with open(path, encoding="utf8") as f:
    docs = [l for l in f.read().split("\n") if l.strip()]
best = None
for rep in range(2):
    t0 = time.perf_counter()
    X = TfidfVectorizer(min_df=min_df, max_df=max_df, stop_words="english").fit_transform(docs)
    t1 = time.perf_counter()
    svd = TruncatedSVD(n_components=k, n_iter=5, random_state=0)
    Z = svd.fit_transform(X)
    t2 = time.perf_counter()
    r = {"tfidf": t1 - t0, "svd": t2 - t1, "seconds": t2 - t0}
    if best is None or r["seconds"] < best["seconds"]:
        best = r
print(json.dumps({"version": sklearn.__version__, "documents": X.shape[0], "terms": X.shape[1], "nnz": int(X.nnz),
                  "sigma": [float(s) for s in svd.singular_values_[:5]], **best}))

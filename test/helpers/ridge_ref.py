"""Independent ridge CV reference for test/encoding/encoding-ridge.test.ts.

Direct float64 solves of (ZᵀZ + αI) W = Zᵀ(Y − ȳ) per fold and α, with Z the
training-centred (optionally z-scored) design, scored on held-out rows by
Pearson r and R² (held-out mean in the denominator). Reads X.npy, Y.npy,
fold.npy (test-fold index per row) and cfg.json from the folder given as
argv[1]; writes cv_r_all.npy, cv_r2_all.npy, best.npy, weights.npy, intercept.npy.
"""
import json
import sys

import numpy as np

d = sys.argv[1]
X = np.load(d + "/X.npy").astype(np.float64)
Y = np.load(d + "/Y.npy").astype(np.float64)
fold = np.load(d + "/fold.npy")
cfg = json.load(open(d + "/cfg.json"))
alphas = cfg["alphas"]
std = cfg["standardize"]
n, p = X.shape
v = Y.shape[1]
K = int(fold.max()) + 1


def stats(Xtr):
    mu = Xtr.mean(0)
    sd = Xtr.std(0) if std else np.ones(p)
    sd[sd == 0] = 1
    return mu, sd


def pearson_cols(a, b):
    a = a - a.mean(0)
    b = b - b.mean(0)
    den = np.sqrt((a * a).sum(0) * (b * b).sum(0))
    return np.where(den > 0, (a * b).sum(0) / np.where(den > 0, den, 1), 0.0)


R = np.zeros((len(alphas), v))
R2 = np.zeros((len(alphas), v))
for f in range(K):
    te = fold == f
    tr = ~te
    mu, sd = stats(X[tr])
    Ztr = (X[tr] - mu) / sd
    Zte = (X[te] - mu) / sd
    ym = Y[tr].mean(0)
    for ai, a in enumerate(alphas):
        W = np.linalg.solve(Ztr.T @ Ztr + a * np.eye(p), Ztr.T @ (Y[tr] - ym))
        P = Zte @ W + ym
        yt = Y[te]
        R[ai] += pearson_cols(P, yt) / K
        R2[ai] += (1 - ((yt - P) ** 2).sum(0) / ((yt - yt.mean(0)) ** 2).sum(0)) / K
best = (R2 if cfg.get("select_by", "r2") == "r2" else R).argmax(0)
mu, sd = stats(X)
Z = (X - mu) / sd
ym = Y.mean(0)
W = np.zeros((p, v))
for k in range(v):
    a = alphas[best[k]]
    W[:, k] = np.linalg.solve(Z.T @ Z + a * np.eye(p), Z.T @ (Y[:, k] - ym[k])) / sd
b = ym - mu @ W
np.save(d + "/cv_r_all.npy", R)
np.save(d + "/cv_r2_all.npy", R2)
np.save(d + "/best.npy", best.astype(np.int32))
np.save(d + "/weights.npy", W)
np.save(d + "/intercept.npy", b)

"""numpy reference for scripts/bench/ridge.ts: the same ridge CV in float32.

SVD-based, as himalaya's solve_ridge_cv_svd: per fold one thin SVD of the
training design (centred by the training mean), UᵀY once per target batch,
then one prediction per α by a diagonal rescale; held-out Pearson r and R²
per target and α averaged over K contiguous folds; α chosen by mean R²
(brainalign's default); refit on all samples only at
the α values some target picked. Prints one JSON line with wall time and peak
RSS, and writes best_alpha_ref.npy / cv_r_ref.npy for the agreement check.
Usage: ridge_ref.py DIR K BATCH ALPHA1,ALPHA2,...
"""
import json
import resource
import sys
import time

import numpy as np

d, K, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
alphas = np.array([float(a) for a in sys.argv[4].split(",")], dtype=np.float32)
X = np.load(d + "/X.npy")
Y = np.load(d + "/Y.npy")
n, p = X.shape
v = Y.shape[1]
t0 = time.time()
ru0 = resource.getrusage(resource.RUSAGE_SELF)

bounds = [(f * n) // K for f in range(K + 1)]
r_sum = np.zeros((len(alphas), v), dtype=np.float64)
r2_sum = np.zeros((len(alphas), v), dtype=np.float64)
for f in range(K):
    te = np.zeros(n, bool)
    te[bounds[f]:bounds[f + 1]] = True
    tr = ~te
    mu = X[tr].mean(0)
    Xtr = X[tr] - mu
    Xte = X[te] - mu
    U, s, Vt = np.linalg.svd(Xtr, full_matrices=False)
    XteV = Xte @ Vt.T
    for c0 in range(0, v, batch):
        Ytr = Y[tr, c0:c0 + batch]
        Yte = Y[te, c0:c0 + batch]
        ym = Ytr.mean(0)
        UTY = U.T @ (Ytr - ym)
        yc = Yte - Yte.mean(0)
        yss = (yc * yc).sum(0)
        yn = np.sqrt(yss)
        yres = Yte - ym
        for ai, a in enumerate(alphas):
            pred = (XteV * (s / (s * s + a))) @ UTY
            pc = pred - pred.mean(0)
            den = np.sqrt((pc * pc).sum(0)) * yn
            r = np.where(den > 0, (pc * yc).sum(0) / np.where(den > 0, den, 1), 0)
            r_sum[ai, c0:c0 + batch] += r
            res = yres - pred
            r2_sum[ai, c0:c0 + batch] += np.where(yss > 0, 1 - (res * res).sum(0) / np.where(yss > 0, yss, 1), 0)
cv_r_all = r_sum / K
best = (r2_sum / K).argmax(0)

# refit at the picked α values only
mu = X.mean(0)
Xc = X - mu
U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
W = np.empty((p, v), dtype=np.float32)
for c0 in range(0, v, batch):
    Yb = Y[:, c0:c0 + batch]
    UTY = U.T @ (Yb - Yb.mean(0))
    bb = best[c0:c0 + batch]
    for ai in np.unique(bb):
        sel = np.nonzero(bb == ai)[0]
        W[:, c0 + sel] = Vt.T @ ((s / (s * s + alphas[ai]))[:, None] * UTY[:, sel])
elapsed = time.time() - t0
np.save(d + "/best_alpha_ref.npy", alphas[best].astype(np.float32))
np.save(d + "/cv_r_ref.npy", cv_r_all[best, np.arange(v)].astype(np.float32))
np.save(d + "/weights_ref_sample.npy", W[:, :: max(1, v // 100)].copy())
ru = resource.getrusage(resource.RUSAGE_SELF)
cpu = (ru.ru_utime - ru0.ru_utime) + (ru.ru_stime - ru0.ru_stime)
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))

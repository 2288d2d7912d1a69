"""A replica of the NH2015 / B2021 files in the form aud_dnn (Tuckute et al.
2023) reads them, with a planted ground truth, for test/nh2015-*.test.ts.

argv: ROOT JSON. JSON: {"voxels": per-participant voxel count, "subjects":
[subj_idx, ...], "b2021": bool, "seed": int}. Writes under ROOT:

  neural/NH2015/neural_stim_meta.npy       records (filename S, id i8); row[0] = '<id>.wav'
  neural/NH2015/voxel_features_array.npy   float64 165 × V × 3, NaN where a voxel lacks a scan
  neural/NH2015/voxel_features_meta.npy    records subj_idx, voxel_id, n_reps, hemi (bytes), x_ras, y_ras
  neural/NH2015comp/components.mat         R 165 × 6, stim_names 1 × 165 cell (shuffled order),
                                           component_names 6 × 1 cell, category_labels 1 × 165 cell
  neural/NH2015/165_natural_sounds/*.wav   2-s sounds, 20 kHz int16
  neural/B2021/voxel_responses.mat         vals 192 × V × 3, subj, hemi (1 = rh), x_ras, y_ras, rel   (b2021)
  neural/B2021/stim_info_v4.mat            stim_info struct with stim_names 192 × 1 cell          (b2021)

Each sound is a sum of tones in 8 bands with log-uniform amplitudes a[s, b];
a planted voxel responds w_v · log a[s, :] + noise per scan (so any feature
that carries band energy in dB predicts it), a noise voxel responds with
noise only. Prints JSON: the sound ids, log a, the planted mask per voxel
(in meta order), and which voxels have 3 scans.
"""
import json
import os
import sys

import numpy as np
import scipy.io
import scipy.io.wavfile

root = sys.argv[1]
cfg = json.loads(sys.argv[2])
rng = np.random.default_rng(cfg.get("seed", 0))
N, SR, DUR, B = 165, 20000, 2.0, 8
labels = ["alarm_clock", "applause", "breathing", "frog_croaking", "dog_drinking", "dishes_clanking",
          "basketball_dribbling", "water_dripping", "chimes_in_the_wind", "keys_jingling", "wind",
          "camera_snapping_photos", "walking_on_gravel", "boiling_water", "cymbal_crash", "hammering"]
ids = [f"stim{k + 1}_{labels[k % len(labels)]}" for k in range(N)]
ids[4], ids[6] = "stim5_alarm_clock", "stim7_applause"
cats = [["Music", "EnglishSpeech", "Animal", "Environmental"][k % 4] for k in range(N)]

nh = os.path.join(root, "neural", "NH2015")
os.makedirs(os.path.join(nh, "165_natural_sounds"), exist_ok=True)
freqs = 200.0 * 2.0 ** (np.arange(B) * 0.6)  # 200 Hz … 3.5 kHz, about one per 0.6 octave
loga = rng.uniform(np.log(0.03), np.log(1.0), size=(N, B))
t = np.arange(int(SR * DUR)) / SR
for s in range(N):
    x = sum(np.exp(loga[s, b]) * np.sin(2 * np.pi * freqs[b] * t + rng.uniform(0, 2 * np.pi)) for b in range(B))
    x = 0.9 * x / np.max(np.abs(x)) * (np.exp(loga[s]).sum() / B)
    scipy.io.wavfile.write(os.path.join(nh, "165_natural_sounds", ids[s] + ".wav"), SR, (x * 32767).astype(np.int16))

meta_dtype = [("filename", "S64"), ("id", "<i8")]
np.save(os.path.join(nh, "neural_stim_meta.npy"), np.array([(f"{i}.wav".encode(), k) for k, i in enumerate(ids)], dtype=meta_dtype))

centred = loga - loga.mean(axis=0)
subjects = cfg["subjects"]
V = cfg["voxels"]
rows, data, planted, complete = [], [], [], []
vid = 0
for sj in subjects:
    for v in range(V):
        is_planted = v < V // 2
        w = rng.normal(size=B) if is_planted else np.zeros(B)
        clean = centred @ w
        scale = np.std(clean) if is_planted else 1.0
        reps = np.stack([clean + 0.5 * scale * rng.normal(size=N) for _ in range(3)], axis=1)
        n_reps = 3
        if v == V - 1:  # one voxel per participant measured in 2 scans only: aud_dnn drops it
            reps[:, 2] = np.nan
            n_reps = 2
        data.append(reps)
        rows.append((sj, vid, n_reps, b"rh" if v % 2 else b"lh", int(rng.integers(-60, 60)), int(rng.integers(-40, 40))))
        planted.append(bool(is_planted))
        complete.append(n_reps == 3)
        vid += 1
arr = np.stack(data, axis=1).astype(np.float64)  # N × V_all × 3
np.save(os.path.join(nh, "voxel_features_array.npy"), arr)
vmeta = [("subj_idx", "<i8"), ("voxel_id", "<i8"), ("n_reps", "<i8"), ("hemi", "S2"), ("x_ras", "<i8"), ("y_ras", "<i8")]
np.save(os.path.join(nh, "voxel_features_meta.npy"), np.array(rows, dtype=vmeta))

comp_dir = os.path.join(root, "neural", "NH2015comp")
os.makedirs(comp_dir, exist_ok=True)
wc = rng.normal(size=(B, 6))
R = centred @ wc + 0.1 * rng.normal(size=(N, 6))
order = rng.permutation(N)  # components.mat lists the sounds in its own order
names = ["low-frequency", "high-frequency", "pitch", "spectrotemporal modulation", "speech", "music"]
stim_cell = np.empty((1, N), dtype=object)
cat_cell = np.empty((1, N), dtype=object)
for j, s in enumerate(order):
    stim_cell[0, j] = ids[s]
    cat_cell[0, j] = cats[s]
name_cell = np.empty((6, 1), dtype=object)
for c in range(6):
    name_cell[c, 0] = names[c]
scipy.io.savemat(os.path.join(comp_dir, "components.mat"), {"R": R[order], "stim_names": stim_cell, "component_names": name_cell, "category_labels": cat_cell})

if cfg.get("b2021"):
    b = os.path.join(root, "neural", "B2021")
    os.makedirs(b, exist_ok=True)
    extra = 27
    vals = np.concatenate([arr, rng.normal(size=(extra, arr.shape[1], 3))], axis=0)
    subj = np.array([r[0] for r in rows], dtype=np.float64)[:, None]
    hemi = np.array([1.0 if r[3] == b"rh" else 2.0 for r in rows])[:, None]
    scipy.io.savemat(os.path.join(b, "voxel_responses.mat"), {
        "vals": vals, "subj": subj, "hemi": hemi,
        "x_ras": np.array([r[4] for r in rows], dtype=np.float64)[:, None],
        "y_ras": np.array([r[5] for r in rows], dtype=np.float64)[:, None],
        "rel": rng.uniform(0, 100, size=(len(rows), 1)),
    })
    names_all = ids + [f"stim{N + k + 1}_extra" for k in range(extra)]
    sn = np.empty((N + extra, 1), dtype=object)
    for k, nm in enumerate(names_all):
        sn[k, 0] = nm
    scipy.io.savemat(os.path.join(b, "stim_info_v4.mat"), {"stim_info": {"stim_names": sn, "cat_assignment_idx": np.arange(1, N + extra + 1)[:, None]}})

print(json.dumps({"ids": ids, "loga": loga.tolist(), "planted": planted, "complete": complete, "subjects": subjects, "components": (R).tolist()}))

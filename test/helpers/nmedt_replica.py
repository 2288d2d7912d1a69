"""Write a small NMED-T replica with NMED-T's file and variable names.

usage: python3 nmedt_replica.py ROOT [--full]

Cleaned files (125 Hz, electrodes x time x participants, already
average-referenced as the real ones are):
  ROOT/song21_Imputed.mat  scipy.io.savemat, zlib-compressed (v7)
  ROOT/song22_Imputed.mat  h5py in MATLAB's v7.3 layout, participants listed
                           in subs22 in a shuffled order
  ROOT/song23_Imputed.mat  scipy.io.savemat, uncompressed (v5)
with data<N>[e, t, k] = signal(N, participant id of column k, e, t), the
formula below (brainalign's test recomputes it), fs = 125, subs<N> ids.
Raw files (1000 Hz, channels x time, NetStation DIN_1 cell 4 x events:
code, latency ms, label, 1-based sample):
  ROOT/raw/01_1_raw.mat    scipy, songs 21 and 23 plus a non-song DIN1
  ROOT/raw/01_2_raw.mat    h5py v7.3, song 22
with X[0, t] = t (0-based sample index) and every other channel 0, so a
segment's first sample tells where it was cut.
With --full: all ten songs 21-30 (song 22 in v7.3, the others zlib v7),
lasting 20 + (N - 21) / 2 s, and the stimuli a make run needs:
ROOT/stimuli/nmedt/song<N>.wav (22050 Hz tone complexes, 2 s longer than the EEG)
and ROOT/stimuli/stimuli.tsv (stim_id, path).
Prints JSON: {durations: {song: s}, raw_onsets: {file: {song: onset s}}}.
"""
import json
import os
import sys

import numpy as np
import scipy.io as sio

from mat_h5 import write_v73

root = sys.argv[1]
os.makedirs(f'{root}/raw', exist_ok=True)
FS = 125
N_EL = 8
PARTS = [1, 2, 3, 4]
FULL = '--full' in sys.argv[2:]
DUR = {n: 20 + (n - 21) / 2 for n in range(21, 31)} if FULL else {21: 20.0, 22: 18.0, 23: 22.0}


def signal(song, pid, nt):
    t = np.arange(nt) / FS
    e = np.arange(N_EL)[:, None]
    x = np.sin(2 * np.pi * (1 + pid / 10) * t[None, :] + e) * (song - 20) + 0.5 * np.sin(2 * np.pi * 40 * t[None, :] + 0.3 * e) + 0.1 * e * np.cos(2 * np.pi * 3 * t[None, :])
    return x - x.mean(axis=0, keepdims=True)  # average reference, as NMED-T's cleaned data


for song, dur in DUR.items():
    nt = int(dur * FS)
    order = [2, 1, 4, 3] if song == 22 else PARTS
    data = np.stack([signal(song, p, nt) for p in order], axis=2)
    subs = np.empty((1, len(order)), dtype=object)
    subs[0, :] = [f'P{p:02d}' for p in order]
    V = {f'data{song}': data, 'fs': np.array([[float(FS)]]), f'subs{song}': subs}
    f = f'{root}/song{song}_Imputed.mat'
    if song == 22:
        write_v73(f, V)
    else:
        sio.savemat(f, V, do_compression=(FULL or song == 21))

if FULL:
    from scipy.io import wavfile
    os.makedirs(f'{root}/stimuli/nmedt', exist_ok=True)
    rows = ['stim_id\tpath']
    for song, dur in DUR.items():
        sr = 22050
        t = np.arange(int((dur + 2) * sr)) / sr
        f0 = 110 * 2 ** ((song - 21) / 12)
        beat = 0.5 * (1 + np.sign(np.sin(2 * np.pi * (1.5 + (song - 21) / 10) * t)))
        x = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 5)) * (0.3 + 0.7 * beat)
        wavfile.write(f'{root}/stimuli/nmedt/song{song}.wav', sr, (0.2 * x / np.abs(x).max() * 32767).astype(np.int16))
        rows.append(f'song{song}\tstimuli/nmedt/song{song}.wav')
    with open(f'{root}/stimuli/stimuli.tsv', 'w') as fh:
        fh.write('\n'.join(rows) + '\n')


def din(events):
    c = np.empty((4, len(events)), dtype=object)
    for j, (code, sample) in enumerate(events):
        c[0, j] = code
        c[1, j] = np.array([[float(sample - 1)]])
        c[2, j] = 'din'
        c[3, j] = np.array([[float(sample)]])
    return c


RAW_FS = 1000
raw = {
    '01_1_raw.mat': (60000, [('DIN1', 500), ('DIN21', 2001), ('DIN23', 30001)]),
    '01_2_raw.mat': (25000, [('DIN22', 1501)]),
}
onsets = {}
for name, (nt, events) in raw.items():
    X = np.zeros((6, nt))
    X[0, :] = np.arange(nt)
    V = {'X': X, 'DIN_1': din(events)}
    if name.endswith('2_raw.mat'):
        write_v73(f'{root}/raw/{name}', V)
    else:
        sio.savemat(f'{root}/raw/{name}', V, do_compression=True)
    onsets[name] = {code.replace('DIN', 'song'): (s - 1) / RAW_FS for code, s in events if code != 'DIN1'}

print(json.dumps({'durations': {f'song{k}': v for k, v in DUR.items()}, 'raw_onsets': onsets}))

"""Write MATLAB replicas with other projects' writers and print what they hold.

usage: python3 mat_replicas.py OUTDIR

Writes OUTDIR/v5.mat and OUTDIR/v5z.mat (scipy.io.savemat, plain and
zlib-compressed), OUTDIR/v73.mat (h5py, laid out as MATLAB v7.3 writes it:
512-byte user block, MATLAB_class attributes, transposed arrays, cells as
object references into #refs#) and OUTDIR/be.mat (a big-endian Level 5 file
written field by field with struct, then read back by scipy.io.loadmat so
its expected values come from scipy, not from this writer). Prints one JSON
document: variable name -> canonical value, the same shape brainalign's test
builds from its reader (numeric: shape + row-major values; char: rows; cell:
shape + elements in column-major order; struct: shape + fields + elements).
"""
import json
import struct
import sys

import numpy as np
import scipy.io as sio

out = sys.argv[1]
rng = np.random.default_rng(2017)

# NMED-T's cleaned-file names at a small size: electrodes x time x participants.
data21 = rng.standard_normal((6, 50, 3))
subs21 = np.empty((1, 3), dtype=object)
subs21[0, :] = ['P01', 'P02', 'P03']
cell_mixed = np.empty((2, 1), dtype=object)
cell_mixed[0, 0] = np.array([[1.0, 2.0, 3.0]])
cell_mixed[1, 0] = 'text in a cell'
struct_arr = np.empty((1, 2), dtype=[('a', 'O'), ('b', 'O')])
struct_arr[0, 0] = (np.array([[1.5]]), 'first')
struct_arr[0, 1] = (np.array([[2.5, 3.5]]), 'second')

V = {
    'data21': data21,
    'fs': np.array([[125.0]]),
    'subs21': subs21,
    'i8': np.array([[-128, -1, 0, 127]], dtype=np.int8),
    'u8': np.array([[0, 1, 255]], dtype=np.uint8),
    'i16': np.array([[-32768, 7], [12, 32767]], dtype=np.int16),
    'u16': np.array([[0, 65535]], dtype=np.uint16),
    'i32': np.array([[-2**31, 2**31 - 1]], dtype=np.int32),
    'u32': np.array([[0, 2**32 - 1]], dtype=np.uint32),
    'i64': np.array([[-2**40, 3]], dtype=np.int64),
    'u64': np.array([[2**40, 5]], dtype=np.uint64),
    'sgl': rng.standard_normal((2, 3)).astype(np.float32),
    'nd': np.arange(24, dtype=np.int16).reshape(2, 3, 4),
    'lg': np.array([[True, False, True], [False, False, True]]),
    'txt': np.array(['hello NMED-T']),
    'chm': np.array(['ab', 'cd', 'ef']),
    'cplx': np.array([[1 + 2j, -3.5 - 0.5j]]),
    'cel': cell_mixed,
    'st': {'fs': np.array([[125.0]]), 'name': np.array(['song21']), 'subs': subs21},
    'sa': struct_arr,
    'empty': np.zeros((0, 0)),
}


def canon(v):
    if isinstance(v, dict):
        return {'kind': 'struct', 'shape': [1, 1], 'fields': list(v.keys()), 'elements': [{k: canon(x) for k, x in v.items()}]}
    if isinstance(v, str):
        return {'kind': 'char', 'rows': [v]}
    v = np.asarray(v)
    if v.dtype.names:
        els = [{f: canon(e[f]) for f in v.dtype.names} for e in v.ravel(order='F')]
        return {'kind': 'struct', 'shape': list(v.shape), 'fields': list(v.dtype.names), 'elements': els}
    if v.dtype == object:
        return {'kind': 'cell', 'shape': list(v.shape), 'cells': [canon(e) for e in v.ravel(order='F')]}
    if v.dtype.kind == 'U':
        return {'kind': 'char', 'rows': [str(s) for s in v.ravel()]}
    out = {'kind': 'numeric', 'shape': list(v.shape), 'values': [float(x) for x in np.real(v).ravel(order='C')]}
    if np.iscomplexobj(v):
        out['imag'] = [float(x) for x in np.imag(v).ravel(order='C')]
    cls = {'float64': 'double', 'float32': 'single', 'bool': 'logical', 'complex128': 'double'}.get(v.dtype.name, v.dtype.name)
    out['class'] = cls
    return out


sio.savemat(f'{out}/v5.mat', V, do_compression=False)
sio.savemat(f'{out}/v5z.mat', V, do_compression=True)


from mat_h5 import write_v73  # noqa: E402  (sibling helper)

write_v73(f'{out}/v73.mat', V)

# --- big-endian Level 5, field by field ------------------------------------
def be_el(t, payload):
    if len(payload) <= 4:  # small data element
        return struct.pack('>HH', len(payload), t) + payload.ljust(4, b'\0')
    return struct.pack('>II', t, len(payload)) + payload + b'\0' * ((-len(payload)) % 8)


def be_matrix(name, cls, dims, body):
    inner = be_el(6, struct.pack('>II', cls, 0)) + be_el(5, struct.pack(f'>{len(dims)}i', *dims)) + be_el(1, name.encode()) + body
    return struct.pack('>II', 14, len(inner)) + inner


be = np.array([[1.25, -2.0, 3.0], [4.0, 5.5, -6.75]])
with open(f'{out}/be.mat', 'wb') as fh:
    fh.write(b'MATLAB 5.0 MAT-file, big-endian replica'.ljust(116, b' ') + b'\0' * 8 + struct.pack('>H', 0x0100) + b'MI')
    fh.write(be_matrix('bedouble', 6, [2, 3], be_el(9, struct.pack('>6d', *be.ravel(order='F')))))
    fh.write(be_matrix('beint16', 10, [1, 2], be_el(3, struct.pack('>2h', -300, 301))))
    fh.write(be_matrix('bechar', 4, [1, 3], be_el(4, struct.pack('>3H', *map(ord, 'abc')))))
back = sio.loadmat(f'{out}/be.mat')
BE = {'bedouble': back['bedouble'], 'beint16': back['beint16'], 'bechar': back['bechar']}

print(json.dumps({'v5': {k: canon(v) for k, v in V.items()}, 'be': {k: canon(v) for k, v in BE.items()}}))

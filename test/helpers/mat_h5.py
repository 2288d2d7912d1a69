"""MATLAB v7.3 layout written with h5py, shared by the replica scripts.

write_v73(path, variables) writes a dict of numpy values (and str, dict for
scalar structs, object arrays for cells, structured arrays for struct arrays)
as MATLAB v7.3 does: 512-byte user block with the MATLAB text, MATLAB_class
attributes, arrays transposed (HDF5 shape = MATLAB shape reversed), cells and
struct-array fields as object references into #refs#, empties as their dims
with MATLAB_empty = 1. Complex arrays are skipped.
"""
import h5py
import numpy as np

def h5_write(f, parent, name, v):
    """Write value v as MATLAB v7.3 does; returns the dataset or group."""
    if isinstance(v, dict):
        g = parent.create_group(name)
        g.attrs['MATLAB_class'] = np.bytes_('struct')
        for k, x in v.items():
            h5_write(f, g, k, x)
        return g
    if isinstance(v, str):
        v = np.array([v])
    v = np.asarray(v)
    if v.dtype.names:
        g = parent.create_group(name)
        g.attrs['MATLAB_class'] = np.bytes_('struct')
        for fld in v.dtype.names:
            refs = np.empty(v.shape, dtype=h5py.ref_dtype)
            for idx in np.ndindex(v.shape):
                refs[idx] = h5_ref(f, v[idx][fld])
            g.create_dataset(fld, data=refs.T)
        return g
    if v.dtype == object:
        refs = np.empty(v.shape, dtype=h5py.ref_dtype)
        for idx in np.ndindex(v.shape):
            refs[idx] = h5_ref(f, v[idx])
        d = parent.create_dataset(name, data=refs.T)
        d.attrs['MATLAB_class'] = np.bytes_('cell')
        return d
    if v.dtype.kind == 'U':
        rows = [str(s) for s in v.ravel()]
        codes = np.array([[ord(c) for c in r] for r in rows], dtype=np.uint16)
        d = parent.create_dataset(name, data=codes.T)
        d.attrs['MATLAB_class'] = np.bytes_('char')
        return d
    if v.size == 0:
        d = parent.create_dataset(name, data=np.array(v.shape[::-1], dtype=np.uint64))
        d.attrs['MATLAB_class'] = np.bytes_('double')
        d.attrs['MATLAB_empty'] = np.uint8(1)
        return d
    if np.iscomplexobj(v):
        return None  # complex v7.3 arrays are refused by the reader; not written
    cls = {'float64': 'double', 'float32': 'single', 'bool': 'logical'}.get(v.dtype.name, v.dtype.name)
    data = v.astype(np.uint8) if v.dtype == bool else v
    d = parent.create_dataset(name, data=data.T, compression='gzip' if v.size > 100 else None)
    d.attrs['MATLAB_class'] = np.bytes_(cls)
    return d


counter = [0]


def h5_ref(f, v):
    refs = f.require_group('#refs#')
    counter[0] += 1
    return h5_write(f, refs, f'r{counter[0]}', v).ref




def write_v73(path, variables):
    counter[0] = 0
    with h5py.File(path, 'w', userblock_size=512) as f:
        for k, v in variables.items():
            h5_write(f, f, k, v)
    with open(path, 'r+b') as fh:
        fh.write(b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Dec  3 07:00:00 2026 HDF5 schema 1.00 .'.ljust(116, b' ') + b'\0' * 8 + b'\x00\x02IM')

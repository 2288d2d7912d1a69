/**
 * `openMat(path)`: one entry point for both MAT-file generations, chosen
 * from the bytes: HDF5 (v7.3, signature after the 512-byte user block) or
 * Level 5 (v5–v7, IM/MI byte-order mark at byte 126).
 */
import * as fs from 'node:fs';
import { InputError } from '../../core/errors.js';
import type { MatFile } from './types.js';
import { openMatV5 } from './v5.js';
import { openMatV73 } from './v73.js';
import { isHdf5 } from './hdf5.js';

export async function openMat(path: string): Promise<MatFile> {
  if (!fs.existsSync(path)) throw new InputError(path, 'no such file');
  return isHdf5(path) ? openMatV73(path) : openMatV5(path);
}

/** Open, run `use`, close (also on failure). */
export async function withMat<T>(path: string, use: (m: MatFile) => T): Promise<T> {
  const m = await openMat(path);
  try {
    return use(m);
  } finally {
    m.close();
  }
}

/**
 * `brainalign info FILE.mat`: the variable directory (name, class, MATLAB
 * shape, complex/global flags, storage) read without decoding any data, so
 * it is instant on NMED-T's 700 MB files. Schema in docs/info-json.md.
 */
import { openMat } from './read.js';
import type { MatVariableInfo } from './types.js';

export interface MatInfo {
  version: '5' | '7.3';
  description: string;
  byteOrder: 'little' | 'big';
  variables: MatVariableInfo[];
}

export async function matInfo(file: string): Promise<MatInfo> {
  const m = await openMat(file);
  try {
    return { version: m.version, description: m.description, byteOrder: m.byteOrder, variables: m.variables };
  } finally {
    m.close();
  }
}

/** MATLAB MAT-files (v5–v7 and v7.3/HDF5): see src/io/mat/ and docs/formats-mat.md. */
export { openMat, withMat } from './mat/read.js';
export { openMatV5 } from './mat/v5.js';
export { rowMajor, toFloat64, expectNumeric, expectScalar, expectString, expectStrings, slabOf } from './mat/view.js';
export type { MatFile, MatValue, MatNumeric, MatChar, MatCell, MatStruct, MatClass, MatNumericClass, MatNumericData, MatVariableInfo } from './mat/types.js';
export { numel } from './mat/types.js';

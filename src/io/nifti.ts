/**
 * NIfTI-1/NIfTI-2 I/O for brainalign: headers, lazy data, streamed masked
 * time series, summaries for `brainalign info`, and NIfTI-1 writing.
 * The implementation lives in src/io/nifti/*; this file is the public face.
 */
export { readNiftiHeader, loadNifti, readMaskedTimeseries, openNifti, streamBlocks, checkDataFits } from './nifti/read.js';
export type { NiftiImage, MaskedTimeseries, OpenedNifti } from './nifti/read.js';
export type { NiftiHeader, NiftiExtension, DatatypeInfo } from './nifti/header.js';
export { datatypeInfo, unitNames } from './nifti/header.js';
export { bestAffine, qformAffine, sformAffine, baseAffine, affineToQform } from './nifti/affine.js';
export type { AffineSource } from './nifti/affine.js';
export type { Scaling, RawView } from './nifti/decode.js';
export type { SourceOptions } from './nifti/source.js';
export { writeNifti, buildNifti1Header } from './nifti/write.js';
export type { NiftiWriteInput } from './nifti/write.js';
export { niftiInfo } from './nifti/info.js';
export type { NiftiInfo, NiftiDataSummary } from './nifti/info.js';

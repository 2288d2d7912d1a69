/**
 * `brainalign info`: recognise a file by its magic bytes (not only its name)
 * and describe it with the reader of its format. The JSON shape is a stable
 * interface documented in docs/info-json.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { openForRead } from './fd.js';
import { checkDataFits, niftiInfo, openNifti, streamBlocks } from './nifti.js';
import { edfInfo } from './edf/info.js';
import { readEdfHeader } from './edf.js';
import { wavInfo } from './wav.js';
import { auInfo } from './au.js';
import { npyInfo } from './npy.js';
import { readTsv } from './tsv.js';
import { scanBids } from './bids.js';
import { matInfo } from './mat/info.js';
import { parseV5Header } from './mat/v5.js';
import { isHdf5 } from './mat/hdf5.js';

export const INFO_SCHEMA = 'brainalign.info/1';

export type Format = 'nifti' | 'edf' | 'wav' | 'au' | 'npy' | 'tsv' | 'bids' | 'mat';

export interface InfoDocument {
  schema: typeof INFO_SCHEMA;
  file: string;
  format: Format;
  info: unknown;
}

/** The format of `file`, from its first bytes, falling back to the extension for text formats. */
export function detectFormat(file: string): Format {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new InputError(file, 'no such file');
  }
  if (st.isDirectory()) {
    if (fs.existsSync(path.join(file, 'dataset_description.json'))) return 'bids';
    throw new InputError(file, 'is a folder without dataset_description.json (not a BIDS dataset)');
  }
  const head = Buffer.alloc(128);
  const { fd } = openForRead(file);
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 128, 0);
  } finally {
    fs.closeSync(fd);
  }
  const lower = file.toLowerCase();
  if (n >= 6 && head[0] === 0x93 && head.subarray(1, 6).toString('latin1') === 'NUMPY') return 'npy';
  if (n >= 4 && (head.subarray(0, 4).toString('latin1') === 'RIFF' || head.subarray(0, 4).toString('latin1') === 'RIFX')) return 'wav';
  if (n >= 4 && (head.subarray(0, 4).toString('latin1') === '.snd' || head.subarray(0, 4).toString('latin1') === 'dns.')) return 'au';
  if (n >= 8 && (head.subarray(0, 8).toString('latin1') === '0       ' || (head[0] === 0xff && head.subarray(1, 8).toString('latin1') === 'BIOSEMI')))
    return 'edf';
  // MAT-files: Level 5 carries a byte-order mark at byte 126, v7.3 is HDF5 behind a MATLAB text block.
  if (head.subarray(0, 6).toString('latin1') === 'MATLAB' && (parseV5Header(head.subarray(0, n)) !== null || isHdf5(file))) return 'mat';
  if (lower.endsWith('.mat') && isHdf5(file)) return 'mat';
  if (/\.(nii|nii\.gz|hdr|hdr\.gz|img|img\.gz)$/.test(lower)) return 'nifti';
  if (n >= 4 && (head.readInt32LE(0) === 348 || head.readInt32BE(0) === 348 || head.readInt32LE(0) === 540 || head.readInt32BE(0) === 540)) return 'nifti';
  if (/\.(edf|bdf|rec)$/.test(lower)) return 'edf';
  if (lower.endsWith('.wav')) return 'wav';
  if (lower.endsWith('.au') || lower.endsWith('.snd')) return 'au';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.mat'))
    throw new InputError(file, n < 128 ? `too short for a MAT-file (${n} bytes)` : 'not a MAT-file (no MATLAB header with an IM/MI mark, and not HDF5)');
  throw new InputError(file, 'unrecognised format (expected NIfTI, EDF/BDF, WAV, Sun/NeXT AU, NPY, TSV, MAT or a BIDS folder)');
}

function tsvInfo(file: string) {
  const t = readTsv(file);
  const sidecar = file.replace(/\.tsv$/i, '.json');
  return {
    columns: t.columns,
    rows: t.rows.length,
    sidecar: fs.existsSync(sidecar) ? path.basename(sidecar) : null,
  };
}

/**
 * Whether a dataset's image or recording can be read to its end: NIfTI sizes
 * against the header (gzip streams decompressed in bounded blocks, the only
 * way to see one cut short), EDF/BDF headers against the file size. Throws
 * the reader's InputError naming the file.
 */
function checkReadable(file: string): void {
  if (/\.nii(\.gz)?$/i.test(file)) {
    const o = openNifti(file);
    checkDataFits(o);
    if (/\.gz$/i.test(file)) streamBlocks(o, 1 << 20, () => {});
  } else if (/\.(edf|bdf)$/i.test(file)) readEdfHeader(file);
}

/** A BIDS dataset: subjects, and per datatype the files with their key sidecar values; every image is checked readable. */
function bidsInfo(root: string) {
  const ds = scanBids(root);
  for (const f of ds.files) checkReadable(f.path);
  const byType: Record<string, number> = {};
  for (const f of ds.files) byType[f.datatype] = (byType[f.datatype] ?? 0) + 1;
  return {
    name: ds.description.Name ?? null,
    bidsVersion: ds.description.BIDSVersion ?? null,
    subjects: ds.subjects,
    sessions: ds.sessions,
    filesPerDatatype: byType,
    files: ds.files.map((f) => ({
      path: path.relative(ds.root, f.path),
      datatype: f.datatype,
      suffix: f.suffix,
      entities: f.entities,
      repetitionTime: typeof f.sidecar.RepetitionTime === 'number' ? f.sidecar.RepetitionTime : null,
      samplingFrequency: typeof f.sidecar.SamplingFrequency === 'number' ? f.sidecar.SamplingFrequency : null,
      taskName: typeof f.sidecar.TaskName === 'string' ? f.sidecar.TaskName : null,
      events: f.events ? path.relative(ds.root, f.events) : null,
    })),
    warnings: ds.warnings,
  };
}

export async function describeFile(file: string): Promise<InfoDocument> {
  const format = detectFormat(file);
  const info =
    format === 'mat'
      ? await matInfo(file)
      : format === 'nifti'
        ? niftiInfo(file)
        : format === 'edf'
          ? edfInfo(file)
          : format === 'wav'
            ? wavInfo(file)
            : format === 'au'
              ? auInfo(file)
              : format === 'npy'
                ? npyInfo(file)
                : format === 'bids'
                  ? bidsInfo(file)
                  : tsvInfo(file);
  return { schema: INFO_SCHEMA, file, format, info };
}

/** Human-readable rendering: one `key: value` per line, nested objects indented, short arrays inline. */
export function renderInfo(doc: InfoDocument): string {
  const lines: string[] = [`${printable(doc.file)} (${doc.format})`];
  const emit = (v: unknown, indent: string, key: string) => {
    if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object') && v.length <= 16) {
      lines.push(`${indent}${key}: [${v.map(fmt).join(', ')}]`);
    } else if (Array.isArray(v)) {
      lines.push(`${indent}${key}: (${v.length})`);
      v.slice(0, 64).forEach((x, i) => emit(x, `${indent}  `, `[${i}]`));
      if (v.length > 64) lines.push(`${indent}  … ${v.length - 64} more`);
    } else if (v !== null && typeof v === 'object') {
      lines.push(`${indent}${key}:`);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) emit(x, `${indent}  `, printable(k));
    } else lines.push(`${indent}${key}: ${fmt(v)}`);
  };
  for (const [k, v] of Object.entries(doc.info as Record<string, unknown>)) emit(v, '  ', k);
  return `${lines.join('\n')}\n`;
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
  if (typeof v === 'string') return printable(v);
  return JSON.stringify(v);
}

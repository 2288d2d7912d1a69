/**
 * EDF/BDF header parsing. Every field is validated at the border so that the
 * record decoder can trust sizes: a header that passes here can never make
 * the reader index outside a buffer or allocate more than the file holds.
 */
import * as fs from 'node:fs';
import { InputError } from '../../core/errors.js';
import { openForRead, readFully } from '../fd.js';
import type { EdfFormat, EdfHeader, EdfSignalHeader, EdfVariant } from './types.js';
import { firstRecordOnset } from './tal.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function ascii(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) s += String.fromCharCode(b[i]);
  return s.replace(/[\s\0]+$/, '').replace(/^[\s\0]+/, '');
}

function num(where: string, field: string, text: string): number {
  // Some writers use a decimal comma; EDF says ASCII numbers, so this is the only leniency.
  const t = text.replace(',', '.');
  if (!NUMBER.test(t)) throw new InputError(where, `header field ${field} is not a number: "${text}"`);
  const v = Number(t);
  if (!Number.isFinite(v)) throw new InputError(where, `header field ${field} is not finite: "${text}"`);
  return v;
}

function int(where: string, field: string, text: string): number {
  if (!INTEGER.test(text)) throw new InputError(where, `header field ${field} is not an integer: "${text}"`);
  return Number(text);
}

/** Read exactly `len` bytes at `pos`, or fewer when the file ends. */
export function readAt(fd: number, pos: number, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  const got = readFully(fd, buf, pos);
  return got === len ? buf : buf.subarray(0, got);
}

/** Unique labels MNE style: each label that occurs k > 1 times becomes label-0 … label-(k-1). */
export function uniqueLabels(labels: string[]): string[] {
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  const seen = new Map<string, number>();
  const taken = new Set(labels.filter((l) => count.get(l) === 1));
  return labels.map((l) => {
    if (count.get(l) === 1) return l;
    let i = seen.get(l) ?? 0;
    let name = `${l}-${i}`;
    while (taken.has(name)) name = `${l}-${++i}`;
    seen.set(l, i + 1);
    taken.add(name);
    return name;
  });
}

function parseStart(where: string, dateField: string, timeField: string, recording: string): Date {
  const d = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(dateField);
  const t = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(timeField);
  if (!d) throw new InputError(where, `start date field is not dd.mm.yy: "${dateField}"`);
  if (!t) throw new InputError(where, `start time field is not hh.mm.ss: "${timeField}"`);
  const yy = Number(d[3]);
  // EDF clipping convention: yy 85–99 → 19yy, 00–84 → 20yy.
  let year = yy >= 85 ? 1900 + yy : 2000 + yy;
  let month = Number(d[2]);
  let day = Number(d[1]);
  // EDF+ carries a 4-digit year in the recording field; trust it when it agrees on day and month.
  const m = /^Startdate (\d\d)-([A-Z]{3})-(\d{4})/i.exec(recording);
  if (m) {
    const mon = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'].indexOf(m[2].toUpperCase()) + 1;
    if (mon === month && Number(m[1]) === day) year = Number(m[3]);
  }
  if (month < 1 || month > 12) month = 1;
  if (day < 1 || day > 31) day = 1;
  const hh = Number(t[1]);
  const mi = Number(t[2]);
  const ss = Number(t[3]);
  if (hh > 23 || mi > 59 || ss > 60) throw new InputError(where, `start time out of range: "${timeField}"`);
  return new Date(Date.UTC(year, month - 1, day, hh, mi, ss));
}

/**
 * Parse the header of an open EDF/BDF file. Returns the header with sizes checked
 * against the file length; startOffset is read from the first record's first TAL.
 */
export function parseEdfHeader(fd: number, where: string): EdfHeader {
  const fileSize = fs.fstatSync(fd).size;
  const fixed = readAt(fd, 0, 256);
  if (fixed.length < 256) throw new InputError(where, `truncated header: ${fixed.length} of 256 bytes`);
  let format: EdfFormat;
  let version: string;
  if (fixed[0] === 0xff && ascii(fixed, 1, 7) === 'BIOSEMI') {
    format = 'bdf';
    version = '\xffBIOSEMI';
  } else if (ascii(fixed, 0, 8) === '0') {
    format = 'edf';
    version = '0';
  } else {
    throw new InputError(where, `not an EDF or BDF file (version field "${ascii(fixed, 0, 8).slice(0, 8)}")`);
  }
  const patient = ascii(fixed, 8, 80);
  const recording = ascii(fixed, 88, 80);
  const startDateField = ascii(fixed, 168, 8);
  const startTimeField = ascii(fixed, 176, 8);
  const headerBytes = int(where, 'header bytes', ascii(fixed, 184, 8));
  const reserved = ascii(fixed, 192, 44);
  let nRecords = int(where, 'number of records', ascii(fixed, 236, 8));
  const recordDuration = num(where, 'record duration', ascii(fixed, 244, 8));
  const ns = int(where, 'number of signals', ascii(fixed, 252, 4));
  if (ns <= 0) throw new InputError(where, `number of signals must be positive, found ${ns}`);
  if (recordDuration < 0) throw new InputError(where, `negative record duration ${recordDuration}`);
  if (headerBytes !== 256 * (ns + 1)) {
    throw new InputError(where, `header size ${headerBytes} does not match ${ns} signals (expected ${256 * (ns + 1)})`);
  }
  const sh = readAt(fd, 256, 256 * ns);
  if (sh.length < 256 * ns) throw new InputError(where, `truncated header: ${256 + sh.length} of ${headerBytes} bytes`);
  const field = (k: number, off: number, width: number) => ascii(sh, ns * off + k * width, width);
  const bytesPerSample = format === 'bdf' ? 3 : 2;
  const plus = /^(EDF|BDF)\+[CD]/.exec(reserved);
  const signals: EdfSignalHeader[] = [];
  let byteOffset = 0;
  for (let k = 0; k < ns; k++) {
    const rawLabel = field(k, 0, 16);
    const isAnnotation = rawLabel === 'EDF Annotations' || rawLabel === 'BDF Annotations';
    const physMin = num(where, `physical minimum of signal ${k + 1}`, field(k, 16 + 80 + 8, 8));
    const physMax = num(where, `physical maximum of signal ${k + 1}`, field(k, 16 + 80 + 16, 8));
    const digMin = num(where, `digital minimum of signal ${k + 1}`, field(k, 16 + 80 + 24, 8));
    const digMax = num(where, `digital maximum of signal ${k + 1}`, field(k, 16 + 80 + 32, 8));
    const spr = int(where, `samples per record of signal ${k + 1}`, field(k, 16 + 80 + 40 + 80, 8));
    if (spr <= 0) throw new InputError(where, `samples per record of signal ${k + 1} must be positive, found ${spr}`);
    if (!isAnnotation && digMax <= digMin) {
      throw new InputError(where, `signal ${k + 1} "${rawLabel}": digital maximum ${digMax} is not above digital minimum ${digMin}`);
    }
    if (!isAnnotation && recordDuration === 0) {
      throw new InputError(where, `record duration is 0 but signal ${k + 1} "${rawLabel}" holds samples`);
    }
    // Precomputed so that the hot loop is one multiply-add: d·g + o ≡ (d − dmin)(pmax − pmin)/(dmax − dmin) + pmin.
    const gain = isAnnotation ? 1 : (physMax - physMin) / (digMax - digMin);
    const offset = isAnnotation ? 0 : physMin - digMin * gain;
    signals.push({
      label: rawLabel,
      rawLabel,
      transducer: field(k, 16, 80),
      unit: field(k, 16 + 80, 8),
      physMin,
      physMax,
      digMin,
      digMax,
      prefilter: field(k, 16 + 80 + 40, 80),
      samplesPerRecord: spr,
      reserved: field(k, 16 + 80 + 40 + 80 + 8, 32),
      rate: recordDuration > 0 ? spr / recordDuration : 0,
      isAnnotation,
      byteOffset,
      gain,
      offset,
    });
    byteOffset += spr * bytesPerSample;
  }
  const ordinary = signals.filter((s) => !s.isAnnotation);
  const uniq = uniqueLabels(ordinary.map((s) => s.rawLabel));
  ordinary.forEach((s, i) => (s.label = uniq[i]));
  const recordBytes = byteOffset;
  const dataBytes = fileSize - headerBytes;
  if (nRecords === -1) {
    // -1 means "still recording"; the file length is then the only count there is.
    nRecords = Math.floor(dataBytes / recordBytes);
  }
  if (nRecords <= 0) throw new InputError(where, `number of data records must be positive, found ${nRecords}`);
  if (nRecords * recordBytes !== dataBytes) {
    throw new InputError(
      where,
      `record count ${nRecords} disagrees with file size: expected ${headerBytes + nRecords * recordBytes} bytes, found ${fileSize}` +
        (dataBytes < nRecords * recordBytes ? ' (truncated data)' : ''),
    );
  }
  const variant = (plus ? `${format.toUpperCase()}+${reserved[4]}` : format.toUpperCase()) as EdfVariant;
  const header: EdfHeader = {
    path: where,
    format,
    variant,
    version,
    patient,
    recording,
    startDateField,
    startTimeField,
    startTime: parseStart(where, startDateField, startTimeField, recording),
    startOffset: 0,
    headerBytes,
    reserved,
    nRecords,
    recordDuration,
    signals,
    bytesPerSample,
    recordBytes,
    fileSize,
  };
  const ann = signals.find((s) => s.isAnnotation);
  if (ann) {
    const bytes = readAt(fd, headerBytes + ann.byteOffset, ann.samplesPerRecord * bytesPerSample);
    const first = firstRecordOnset(bytes, where);
    if (first !== null) {
      if (Math.abs(first) > 1e9) throw new InputError(where, `first record onset ${first} s is not a plausible start offset`);
      header.startOffset = first;
      header.startTime = new Date(header.startTime.getTime() + Math.floor(first * 1000 + 1e-6));
    }
  }
  return header;
}

/** Parse the header of the EDF/BDF file at `path`; of the data only the first record's first TAL is read. */
export function readEdfHeader(path: string): EdfHeader {
  const fd = openEdf(path);
  try {
    return parseEdfHeader(fd, path);
  } finally {
    fs.closeSync(fd);
  }
}

/** Open for reading, turning a missing/unreadable file into an InputError. */
export function openEdf(path: string): number {
  return openForRead(path).fd;
}

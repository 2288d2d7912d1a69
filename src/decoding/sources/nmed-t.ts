/**
 * NMED-T (Losorelli et al., ISMIR 2017) read directly from its MATLAB files,
 * as recordings for the same chain and segmentation BIDS EEG goes through:
 *  - cleaned: `song<N>_Imputed.mat` (N = 21…30), variable `data<N>`
 *    electrodes × time × participants at `fs` = 125 Hz (125 electrodes,
 *    average-referenced, filtered, bad channels imputed), participant ids in
 *    `subs<N>` when present. Each participant × song is one recording whose
 *    single stimulus event is the song at t = 0.
 *  - raw: `<PP>_<S>_raw.mat` (participant, session) with the EGI net's
 *    channels × time array and NetStation's DIN trigger cell (one column per
 *    event: code, …, onset); song events come from the trigger codes.
 * Neither kind carries electrode positions, so bad-channel detection must be
 * off (the cleaned data have bad channels imputed already).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../core/errors.js';
import { expectNumeric, expectScalar, expectString, expectStrings, openMat, toFloat64, type MatFile } from '../../io/mat.js';
import type { EegPrepConfig } from '../../signal/eeg/prep.js';
import type { NmedtConfig } from './config.js';
import type { StimulusEvent } from '../../signal/eeg/segment.js';
import type { Xyz } from '../../signal/eeg/montage.js';
import { segmentRecordings, type PreparedSubject, type Recording } from '../prep-study.js';

export const NMEDT_TASK = 'nmedt';

function findFile(root: string, name: string, sub: string): string | null {
  for (const d of [root, path.join(root, sub)]) {
    const f = path.join(d, name);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

function checkPrep(prep: EegPrepConfig): void {
  if (prep.badChannels.detect)
    throw new InputError(
      'prep.badChannels.detect',
      'NMED-T files carry no electrode positions (and the cleaned data have bad channels imputed): set it to false',
    );
}

/** Channels of a column-major channels × time (× 1) slab, as µV Float32Arrays. */
function channelsOf(data: Float64Array, nCh: number, nT: number, where: string): Float32Array[] {
  const out = Array.from({ length: nCh }, () => new Float32Array(nT));
  for (let t = 0; t < nT; t++) {
    for (let c = 0; c < nCh; c++) {
      const v = data[c + nCh * t];
      if (!Number.isFinite(v)) throw new InputError(where, `non-finite value at electrode ${c + 1}, sample ${t + 1}`);
      out[c][t] = v;
    }
  }
  return out;
}

const noPositions = (n: number): Xyz[] => Array.from({ length: n }, (): Xyz => [NaN, NaN, NaN]);
const labelsFor = (n: number): string[] => Array.from({ length: n }, (_, i) => `E${i + 1}`);

/** Participant column of `subject` in a song file: by the ids of subs<N> when present, else by number. */
function participantIndex(m: MatFile, n: number, subject: string, nPart: number): number {
  const num = Number(subject);
  if (!Number.isInteger(num) || num < 1) throw new InputError('subject', `NMED-T subjects are numbers (01…${nPart}), got ${subject}`);
  const subsVar = `subs${n}`;
  if (m.variables.some((v) => v.name === subsVar)) {
    const ids = idsOf(m, subsVar);
    const k = ids.findIndex((id) => Number((/(\d+)\s*$/.exec(id) ?? [])[1]) === num);
    if (k < 0) throw new InputError(`${m.path}: ${subsVar}`, `no participant ${subject} among ${ids.join(', ')}`);
    return k;
  }
  if (num > nPart) throw new InputError(m.path, `participant ${subject} beyond the ${nPart} in data${n}`);
  return num - 1;
}

function idsOf(m: MatFile, name: string): string[] {
  const v = m.read(name);
  const where = `${m.path}: ${name}`;
  if (v.kind === 'numeric') return Array.from(toFloat64(v.data), String);
  return expectStrings(v, where);
}

function* cleanedRecordings(root: string, files: MatFile[], songs: number[], subject: string, prep: EegPrepConfig): Generator<Recording> {
  for (let i = 0; i < files.length; i++) {
    const m = files[i];
    const n = songs[i];
    const name = `data${n}`;
    const info = m.variables.find((v) => v.name === name);
    if (!info) throw new InputError(m.path, `no variable ${name} (electrodes × time × participants)`);
    if (info.shape.length !== 3 && info.shape.length !== 2)
      throw new InputError(`${m.path}: ${name}`, `has shape [${info.shape.join(', ')}], expected electrodes × time × participants`);
    if (!m.variables.some((v) => v.name === 'fs')) throw new InputError(m.path, 'no variable fs (sampling rate)');
    const rate = expectScalar(m.read('fs'), `${m.path}: fs`);
    const [nCh, nT] = info.shape;
    const nPart = info.shape[2] ?? 1;
    const k = participantIndex(m, n, subject, nPart);
    const slab = expectNumeric(m.readSlab(name, k), `${m.path}: ${name}`);
    const data = channelsOf(toFloat64(slab.data), nCh, nT, `${m.path}: ${name}(:, :, ${k + 1})`);
    const events: StimulusEvent[] = [{ onset: 0, duration: nT / rate - Math.max(0, prep.shiftSec), stimId: `song${n}` }];
    yield { file: path.relative(root, m.path), input: { labels: labelsFor(nCh), rate, data, positions: noPositions(nCh) }, events };
  }
}

/** Song events of a raw file from its DIN cell; a song lasts until the next song or the end of the recording. */
export function dinSongEvents(din: ReturnType<MatFile['read']>, cfg: NmedtConfig, rate: number, nT: number, shiftSec: number, where: string): StimulusEvent[] {
  if (din.kind !== 'cell') throw new InputError(where, `is a ${din.class} array, expected NetStation's DIN cell`);
  const [rows, cols] = din.shape;
  if (rows < Math.max(cfg.dinCodeRow, cfg.dinOnsetRow))
    throw new InputError(where, `has ${rows} rows; dinCodeRow/dinOnsetRow ask for ${Math.max(cfg.dinCodeRow, cfg.dinOnsetRow)}`);
  const re = new RegExp(cfg.songCode);
  const songs = new Set(cfg.songs);
  const hits: { onset: number; song: number }[] = [];
  for (let j = 0; j < cols; j++) {
    const code = expectString(din.cells[cfg.dinCodeRow - 1 + rows * j], `${where}{${cfg.dinCodeRow},${j + 1}}`);
    const onsetRaw = expectScalar(din.cells[cfg.dinOnsetRow - 1 + rows * j], `${where}{${cfg.dinOnsetRow},${j + 1}}`);
    const m = re.exec(code);
    const song = m ? Number(m[1]) : NaN;
    if (!songs.has(song)) continue;
    hits.push({ onset: cfg.dinOnsetUnit === 'ms' ? onsetRaw / 1000 : (onsetRaw - 1) / rate, song });
  }
  hits.sort((a, b) => a.onset - b.onset);
  return hits.map((h, i) => {
    const end = i + 1 < hits.length ? hits[i + 1].onset : nT / rate;
    return { onset: h.onset, duration: end - h.onset - Math.max(0, shiftSec), stimId: `song${h.song}` };
  });
}

function* rawRecordings(root: string, files: MatFile[], cfg: NmedtConfig, prep: EegPrepConfig): Generator<Recording> {
  for (const m of files) {
    const where = `${m.path}: ${cfg.rawDataVar}`;
    const x = expectNumeric(m.read(cfg.rawDataVar), where);
    if (x.shape.length !== 2) throw new InputError(where, `has shape [${x.shape.join(', ')}], expected channels × time`);
    const [nCh, nT] = x.shape;
    const rate = m.variables.some((v) => v.name === 'fs') ? expectScalar(m.read('fs'), `${m.path}: fs`) : cfg.rawRateHz;
    const data = channelsOf(toFloat64(x.data), nCh, nT, where);
    if (!m.variables.some((v) => v.name === cfg.dinVar)) throw new InputError(m.path, `no trigger variable ${cfg.dinVar}`);
    const events = dinSongEvents(m.read(cfg.dinVar), cfg, rate, nT, prep.shiftSec, `${m.path}: ${cfg.dinVar}`);
    if (events.length === 0)
      throw new InputError(`${m.path}: ${cfg.dinVar}`, `no trigger code names a song ${cfg.songs.join(', ')} (nmedt.songCode = ${cfg.songCode})`);
    yield { file: path.relative(root, m.path), input: { labels: labelsFor(nCh), rate, data, positions: noPositions(nCh) }, events };
  }
}

/** NMED-T's cleaned files (one per song) for `subject`, preprocessed and segmented as eeg-prep does for BIDS. */
export async function prepareNmedtCleaned(root: string, subject: string, cfg: NmedtConfig, prep: EegPrepConfig): Promise<PreparedSubject> {
  checkPrep(prep);
  const files: MatFile[] = [];
  try {
    for (const n of cfg.songs) {
      const name = cfg.cleanedFile.replaceAll('{N}', String(n));
      const f = findFile(root, name, 'cleaned');
      if (!f) throw new InputError(root, `no ${name} (nor cleaned/${name})`);
      files.push(await openMat(f));
    }
    return segmentRecordings(cleanedRecordings(root, files, cfg.songs, subject, prep), prep, subject, NMEDT_TASK);
  } finally {
    for (const f of files) f.close();
  }
}

/** NMED-T's raw files of `subject` (all sessions), with song onsets from the DIN triggers. */
export async function prepareNmedtRaw(root: string, subject: string, cfg: NmedtConfig, prep: EegPrepConfig): Promise<PreparedSubject> {
  checkPrep(prep);
  const re = new RegExp(cfg.rawFile);
  const num = Number(subject);
  const found: string[] = [];
  for (const d of [root, path.join(root, 'raw')]) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).sort()) {
      const m = re.exec(f);
      if (m && Number(m[1]) === num) found.push(path.join(d, f));
    }
  }
  if (found.length === 0) throw new InputError(root, `no raw file of participant ${subject} (nmedt.rawFile = ${cfg.rawFile})`);
  const files: MatFile[] = [];
  try {
    for (const f of found) files.push(await openMat(f));
    return segmentRecordings(rawRecordings(root, files, cfg, prep), prep, subject, NMEDT_TASK);
  } finally {
    for (const f of files) f.close();
  }
}

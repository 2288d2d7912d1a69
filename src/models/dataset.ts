/**
 * Genre-classification data in the GTZAN layout (`<root>/<genre>/<genre>.000NN.wav` or `.au`):
 * listing, a stratified split by FILE (so windows of one clip never straddle
 * train and test), and log-mel loading.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAudioFile, readAudio } from '../io/audio.js';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/prng.js';
import { entriesByKey, mustGet } from '../core/lookup.js';
import { logMel, toMono, type LogMel, type LogMelOptions } from './features.js';

export interface ClipRef {
  /** `<genre>/<file>` relative to the root, the clip's stable id. */
  id: string;
  path: string;
  genre: string;
  label: number;
}

export interface Clip extends ClipRef {
  mel: LogMel;
}

export type SplitName = 'train' | 'val' | 'test';

/** Clips of a GTZAN-layout folder, genres (folder names) sorted, files sorted; label = genre index. */
export function listGtzan(root: string): { classes: string[]; clips: ClipRef[] } {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new InputError(root, 'not a folder');
  const classes = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  const clips: ClipRef[] = [];
  classes.forEach((genre, label) => {
    const files = fs.readdirSync(path.join(root, genre)).filter(isAudioFile).sort();
    for (const f of files) clips.push({ id: `${genre}/${f}`, path: path.join(root, genre, f), genre, label });
  });
  const used = classes.filter((g) => clips.some((c) => c.genre === g));
  if (used.length < 2) throw new InputError(root, 'needs at least two genre folders containing .wav or .au files');
  if (used.length !== classes.length) {
    // Empty folders would create labels with no examples; drop them and relabel.
    const idx = new Map(used.map((g, i) => [g, i]));
    return { classes: used, clips: clips.map((c) => ({ ...c, label: mustGet(idx, c.genre, 'genre labels') })) };
  }
  return { classes, clips };
}

/**
 * Stratified split by file: within each genre the files are shuffled with
 * rng.fork(genre), then the first round(n·testFraction) go to test, the next
 * round(n·valFraction) to val, the rest to train (each split gets at least
 * one file when the genre has three or more). Returns split name per clip id.
 */
export function splitByFile(clips: ClipRef[], opts: { seed: number; valFraction: number; testFraction: number }): Map<string, SplitName> {
  const rng = new Rng(opts.seed, 'split');
  const byGenre = new Map<string, ClipRef[]>();
  for (const c of clips) {
    const list = byGenre.get(c.genre) ?? [];
    list.push(c);
    byGenre.set(c.genre, list);
  }
  const out = new Map<string, SplitName>();
  for (const [genre, clipsOfGenre] of entriesByKey(byGenre)) {
    const list = clipsOfGenre.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    rng.fork(genre).shuffle(list);
    const n = list.length;
    let nTest = Math.round(n * opts.testFraction);
    let nVal = Math.round(n * opts.valFraction);
    if (n >= 3) {
      if (opts.testFraction > 0) nTest = Math.max(1, nTest);
      if (opts.valFraction > 0) nVal = Math.max(1, nVal);
    }
    nTest = Math.min(nTest, n - 1);
    nVal = Math.min(nVal, n - 1 - nTest);
    list.forEach((c, i) => out.set(c.id, i < nTest ? 'test' : i < nTest + nVal ? 'val' : 'train'));
  }
  return out;
}

/** Read each clip (mono mix) and compute its log-mel. */
export function readClips(refs: ClipRef[], melOpts: LogMelOptions): Clip[] {
  return refs.map((r) => {
    const w = readAudio(r.path);
    try {
      return { ...r, mel: logMel(toMono(w.channels), w.sampleRate, melOpts) };
    } catch (e) {
      if (e instanceof InputError) throw new InputError(r.path, e.problem);
      throw e;
    }
  });
}

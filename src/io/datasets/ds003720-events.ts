/**
 * OpenNeuro ds003720 (Nakai, Koide-Majima & Nishimoto 2021) events as
 * published: columns onset, duration, genre, track, start, end, where genre
 * is quoted ('disco'), track indexes the GTZAN file <genre>.000NN and
 * start/end are seconds within that 30-s track. Every run opens with a
 * lead-in clip (0–15 s) that repeats a clip of the design: in training runs
 * the previous run's last clip, in test runs the run's own last clip. The
 * test runs play one sequence of clips several times in a row (dataset
 * README; 10 clips × 4 in the published data).
 */
import { InputError } from '../../core/errors.js';
import { readEvents } from '../bids/events.js';

export interface Ds003720Event {
  /** Seconds from the first volume. */
  onset: number;
  /** Seconds. */
  duration: number;
  /** GTZAN genre folder name (quotes stripped). */
  genre: string;
  /** GTZAN track index within the genre (the NN of <genre>.000NN). */
  track: number;
  /** Excerpt start and end within the track, seconds. */
  start: number;
  end: number;
  /** brainalign's id of the excerpt: <genre>.<track, 5 digits>_<start in ms>ms. */
  stimId: string;
}

const COLUMNS = ['genre', 'track', 'start', 'end'] as const;

/** `'disco'` or `"disco"` → `disco`: the published files quote the genre. */
export function unquote(cell: string): string {
  const s = cell.trim();
  return s.length >= 2 && (s[0] === "'" || s[0] === '"') && s[s.length - 1] === s[0] ? s.slice(1, -1) : s;
}

/** The id of one excerpt: genre, GTZAN track and start (ms), so two excerpts of one track never collide. */
export function excerptId(genre: string, track: number, start: number): string {
  return `${genre}.${String(track).padStart(5, '0')}_${Math.round(start * 1000)}ms`;
}

/** GTZAN's own path of a track relative to the folder holding the genre folders (`genres/` of genres.tar.gz). */
export function gtzanTrackPath(genre: string, track: number, ext: string): string {
  return `${genre}/${genre}.${String(track).padStart(5, '0')}.${ext}`;
}

/** Reads one ds003720 events.tsv into typed events (seconds), in file order. */
export function readDs003720Events(file: string): Ds003720Event[] {
  return readEvents(file).map((e, i) => {
    const line = `line ${i + 2}`;
    for (const c of COLUMNS)
      if (e.extra[c] === undefined) throw new InputError(file, `no "${c}" column (ds003720 events have onset, duration, genre, track, start, end)`);
    const genre = unquote(e.extra.genre);
    if (!/^[a-z]+$/.test(genre)) throw new InputError(file, `${line}: genre "${e.extra.genre}" is not a GTZAN genre name`);
    const track = Number(e.extra.track);
    if (!Number.isInteger(track) || track < 0 || track > 99999) throw new InputError(file, `${line}: track "${e.extra.track}" is not a track index`);
    const start = Number(e.extra.start);
    const end = Number(e.extra.end);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end <= start) {
      throw new InputError(file, `${line}: excerpt start ${e.extra.start} s, end ${e.extra.end} s is not an interval`);
    }
    if (!(e.duration > 0)) throw new InputError(file, `${line}: duration must be a positive number of seconds`);
    return { onset: e.onset, duration: e.duration, genre, track, start, end, stimId: excerptId(genre, track, start) };
  });
}

/** One presentation of the repeated test sequence: volumes [firstVolume, firstVolume + nVolumes) of its run. */
export interface RepetitionBlock {
  firstVolume: number;
  nVolumes: number;
  /** The sequence's events, onsets relative to the block start. */
  events: Ds003720Event[];
}

export interface TestRunPlan {
  /** Clips per sequence. */
  period: number;
  blocks: RepetitionBlock[];
}

/**
 * Splits a test run into its repetitions: after the lead-in (the first
 * event), the events must be one sequence of `period` clips repeated a whole
 * number of times (at least twice) without gaps, each block starting on a
 * volume. The smallest such period is taken. Throws an InputError naming the
 * file when the run has no such structure.
 */
export function planTestRun(events: Ds003720Event[], tr: number, file: string): TestRunPlan {
  const body = events.slice(1);
  let period = 0;
  for (let p = 1; p <= body.length / 2; p++) {
    if (body.length % p !== 0) continue;
    if (body.every((e, i) => e.stimId === body[i % p].stimId)) {
      period = p;
      break;
    }
  }
  if (period === 0) throw new InputError(file, 'after the lead-in clip the test run does not repeat one clip sequence a whole number of times');
  const blocks: RepetitionBlock[] = [];
  for (let b = 0; b < body.length / period; b++) {
    const evs = body.slice(b * period, (b + 1) * period);
    const t0 = evs[0].onset;
    const last = evs[evs.length - 1];
    const span = last.onset + last.duration - t0;
    const firstVolume = t0 / tr;
    const nVolumes = span / tr;
    if (Math.abs(firstVolume - Math.round(firstVolume)) > 1e-6 || Math.abs(nVolumes - Math.round(nVolumes)) > 1e-6) {
      throw new InputError(file, `repetition ${b + 1} spans ${t0}–${t0 + span} s, not whole volumes of TR ${tr} s`);
    }
    blocks.push({ firstVolume: Math.round(firstVolume), nVolumes: Math.round(nVolumes), events: evs.map((e) => ({ ...e, onset: e.onset - t0 })) });
  }
  if (blocks.some((b) => b.nVolumes !== blocks[0].nVolumes)) throw new InputError(file, 'the repetitions of the test sequence differ in length');
  return { period, blocks };
}

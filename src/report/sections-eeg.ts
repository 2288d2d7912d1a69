/**
 * The EEG identification details section: top-1 per listener (so the control
 * can be read against the responders) and per song at the base window, and a
 * song confusion table for every decoder × split × window length.
 */
import type { ReportData } from './data.js';
import type { Section, Table } from './sections.js';
import { fmt } from './svg.js';

const ci = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? 'n/a' : `[${fmt(lo)}, ${fmt(hi)}]`);

/** Distinct values in first-seen order. */
const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

export function identificationDetailSection(d: ReportData): Section {
  const x = d.identificationDetail;
  const heading = 'Identification per listener, per song and confusions';
  if (!x || (x.perSubject.length === 0 && x.confusions.length === 0)) {
    return {
      id: 'identification-detail',
      heading,
      notRun: 'no per-listener identification tables among the inputs (run `brainalign decode-eeg`)',
      figures: [],
      tables: [],
      brainMaps: [],
    };
  }
  const tables: Table[] = [];
  const pairs = distinct(x.perSubject.map((r) => `${r.decoder} · ${r.split}`));
  const subjects = distinct(x.perSubject.map((r) => r.subject)).sort();
  if (pairs.length > 0) {
    const chance = x.perSubject.find((r) => r.chance !== null)?.chance ?? null;
    tables.push({
      caption: `Top-1 per listener at ${fmt(x.baseWindow)} s (mean combination): fraction correct [95 % bootstrap CI over items], p from label permutations${chance === null ? '' : `; chance ${fmt(chance, 3)}`}. The control carries no planted response and should sit at chance.`,
      columns: ['listener', ...pairs],
      rows: subjects.map((s) => [
        s,
        ...pairs.map((p) => {
          const r = x.perSubject.find((q) => q.subject === s && `${q.decoder} · ${q.split}` === p);
          return r ? `${fmt(r.top1)} ${ci(r.lo, r.hi)}${r.p === null ? '' : ` p ${fmt(r.p, 3)}`}` : 'n/a';
        }),
      ]),
    });
  }
  const songPairs = distinct(x.perSong.map((r) => `${r.decoder} · ${r.split}`));
  const songs = distinct(x.perSong.map((r) => r.song)).sort();
  if (songPairs.length > 0) {
    tables.push({
      caption: `Top-1 per song at ${fmt(x.baseWindow)} s (mean combination), listeners pooled, control included (n items in parentheses)`,
      columns: ['song', ...songPairs],
      rows: songs.map((s) => [
        s,
        ...songPairs.map((p) => {
          const r = x.perSong.find((q) => q.song === s && `${q.decoder} · ${q.split}` === p);
          return r ? `${fmt(r.top1)}${r.n === null ? '' : ` (${r.n})`}` : 'n/a';
        }),
      ]),
    });
  }
  for (const c of [...x.confusions].sort((a, b) => a.decoder.localeCompare(b.decoder) || a.split.localeCompare(b.split) || a.window - b.window)) {
    const total = c.counts.flat().reduce((u, v) => u + v, 0);
    tables.push({
      caption: `${c.decoder} (${c.split}), ${fmt(c.window)} s items: song heard (rows) × song identified (columns), counts summed over listeners (n = ${total})`,
      columns: ['heard \\ identified', ...c.songs],
      rows: c.songs.map((s, i) => [s, ...c.counts[i].map((v) => String(v))]),
    });
  }
  return { id: 'identification-detail', heading, notRun: null, figures: [], tables, brainMaps: [] };
}

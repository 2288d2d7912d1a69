/**
 * The EEG identification details in the report (src/report/load-eeg.ts,
 * sections-eeg.ts): per-listener top-1 at the base window with CI and p, per
 * song, and a confusion table for every decoder × split × window length,
 * read back from decode-eeg's group tables as written.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTsv } from '../../src/io/tsv.js';
import { readReportData } from '../../src/report/load.js';
import { buildSections } from '../../src/report/sections.js';
import { artifact, eegFiles } from '../helpers/report-artifacts.js';
import { tmpDir } from '../helpers/tmp.js';
import { defined } from '../helpers/defined.js';

test('per-listener and per-song top-1 at the base window, and confusions at every length (listeners pooled), come back as written', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const eeg = artifact(root, 'decode-eeg', 'ffff', {}, (d) => {
    eegFiles(d);
    writeTsv(
      path.join(d, 'group', 'desc-identification_persong.tsv'),
      ['decoder', 'split', 'window_s', 'combine', 'song', 'n_items', 'top1'],
      [
        { decoder: 'predann', split: 'loso', window_s: 2, combine: 'mean', song: 's1', n_items: 12, top1: 0.75 },
        { decoder: 'predann', split: 'loso', window_s: 2, combine: 'max', song: 's1', n_items: 12, top1: 0.1 },
        { decoder: 'predann', split: 'loso', window_s: 4, combine: 'mean', song: 's1', n_items: 6, top1: 0.9 },
      ],
    );
    writeTsv(
      path.join(d, 'group', 'desc-identification_confusions.tsv'),
      ['subject', 'decoder', 'split', 'window_s', 'true_stim', 'predicted_stim', 'count'],
      [
        { subject: 'all', decoder: 'predann', split: 'loso', window_s: 2, true_stim: 's1', predicted_stim: 's1', count: 5 },
        { subject: 'all', decoder: 'predann', split: 'loso', window_s: 2, true_stim: 's1', predicted_stim: 's2', count: 2 },
        { subject: 'all', decoder: 'predann', split: 'loso', window_s: 2, true_stim: 's2', predicted_stim: 's2', count: 7 },
        { subject: 'sub-01', decoder: 'predann', split: 'loso', window_s: 2, true_stim: 's1', predicted_stim: 's1', count: 99 },
        { subject: 'all', decoder: 'predann', split: 'loso', window_s: 4, true_stim: 's2', predicted_stim: 's1', count: 3 },
      ],
    );
  });
  const d = readReportData('eeg-identification', [eeg], { seed: 0, tmpDir: root });
  const x = defined(d.identificationDetail, 'the identification detail');
  t.is(x.baseWindow, 2);
  // eegFiles: top1 = 0.2 + 0.1·w + 0.05·(decoder index) + bonus (sub-02: 0.02), mean rule only.
  const at = (dec: string, s: string) =>
    defined(
      x.perSubject.find((r) => r.decoder === dec && r.subject === s),
      "the decoder's row for the subject",
    );
  t.true(Math.abs(at('predann', 'sub-01').top1 - 0.4) < 1e-9);
  t.true(Math.abs(at('regression', 'sub-02').top1 - 0.47) < 1e-9);
  t.is(at('predann', 'sub-01').p, 0.001);
  t.is(x.perSubject.length, 4, '2 decoders × 2 listeners; no pooled, no max-rule, no 4 s rows');
  t.deepEqual(x.perSong, [{ decoder: 'predann', split: 'loso', song: 's1', top1: 0.75, n: 12 }]);
  t.deepEqual(
    x.confusions.map((c) => [c.window, c.counts]),
    [
      [
        2,
        [
          [5, 2],
          [0, 7],
        ],
      ],
      [
        4,
        [
          [0, 0],
          [3, 0],
        ],
      ],
    ],
    'pooled rows only, one table per length',
  );
  const sec = defined(
    buildSections(d).find((s) => s.id === 'identification-detail'),
    'the identification-detail section',
  );
  t.is(sec.notRun, null);
  t.is(sec.tables.length, 4, 'per listener, per song, two confusion tables');
  t.deepEqual(
    sec.tables[0].rows.map((r) => r[0]),
    ['sub-01', 'sub-02'],
  );
  t.deepEqual(sec.tables[3].rows, [
    ['s1', '0', '0'],
    ['s2', '3', '0'],
  ]);
});

test('no decode-eeg input: the details section says what to run', (t) => {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const d = readReportData('eeg-identification', [], { seed: 0, tmpDir: root });
  const sec = defined(
    buildSections(d).find((s) => s.id === 'identification-detail'),
    'the identification-detail section',
  );
  t.regex(sec.notRun ?? '', /decode-eeg/);
});

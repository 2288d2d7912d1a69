/**
 * The report stage called as a function on hand-made train and decode-eeg
 * artifacts (test/helpers/report-artifacts.ts): the page has one figure per
 * SVG it publishes and as many as the summary counts, the 3-genre clip
 * confusion draws 3 × 3 = 9 cells, an artifact given twice is read once,
 * provenance paths are relative to the derivatives root, and the sections
 * without an input are the ones the summary lists as not run; errors name
 * the parameter or the folder.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { runReportStage } from '../../src/stages/report.js';
import { artifact, eegFiles, trainFiles } from '../helpers/report-artifacts.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-stage-report-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const ROOT = path.join(tmp, 'derivatives');
const train = artifact(ROOT, 'train', 'aaaa', { name: 'ban' }, (d) => trainFiles(d, { accuracy: 0.79, clipAccuracy: 0.9, p: 0.001 }));
const eeg = artifact(ROOT, 'decode-eeg', 'ffff', {}, (d) => eegFiles(d));

test('figures on the page = SVGs published = the summary’s count; 9 confusion cells; an input given twice is read once', async (t) => {
  const res = await runReportStage({ study: 'eeg-identification', inputs: [train, eeg, `${train}/`], png: false, root: ROOT, seed: 0 });
  t.is(res.page, path.join(ROOT, 'reports', 'eeg-identification.html'));
  const html = fs.readFileSync(res.page, 'utf8');
  const onPage = new Set([...html.matchAll(/data-figure="([^"]+)"/g)].map((m) => m[1]));
  const svgs = fs.readdirSync(path.join(ROOT, 'reports', 'figures')).filter((f) => f.startsWith('eeg-identification_') && f.endsWith('.svg'));
  t.is(svgs.length, onPage.size);
  t.regex(res.summary, new RegExp(`^eeg-identification: ${onPage.size} figures, 0 brain map\\(s\\)`));
  t.regex(html, /data-figure="training-ban-confusion" data-marks="9"/);
  t.is((html.match(/data-figure="training-ban-loss"/g) ?? []).length, 1, 'one training section for the twice-given artifact');
  t.regex(html, /artifacts\/decode-eeg\/ffff/);
  t.notRegex(html, new RegExp(ROOT.replaceAll('/', '\\/')), 'no absolute path of the derivatives root in the page');
});

test('a study with inputs missing lists its sections as not run; errors name inputs or the BIDS folder', async (t) => {
  const res = await runReportStage({ study: 'ban-bas', inputs: [train], png: false, root: ROOT, seed: 0 });
  const notRun = /; not run: (.*)$/.exec(res.summary)?.[1]?.split(', ') ?? [];
  t.true(notRun.length > 0, res.summary);
  const html = fs.readFileSync(res.page, 'utf8');
  for (const heading of notRun) t.true(html.includes(heading), heading);
  const none = await t.throwsAsync(runReportStage({ study: 'ban-bas', inputs: [], png: false, root: ROOT, seed: 0 }), { instanceOf: InputError });
  t.is(none?.where, 'inputs');
  const gone = path.join(tmp, 'nobids');
  const bids = await t.throwsAsync(runReportStage({ study: 'ban-bas', inputs: [train], bids: gone, png: false, root: ROOT, seed: 0 }), {
    instanceOf: InputError,
  });
  t.is(bids?.where, gone);
});

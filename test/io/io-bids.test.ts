import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  scanBids,
  readEvents,
  writeDatasetDescription,
  readDatasetDescription,
  resolveSidecar,
  findEvents,
  parseBidsName,
  formatBidsName,
  selectFiles,
} from '../../src/io/bids.js';
import { InputError } from '../../src/core/errors.js';
import { conformanceRoot } from '../helpers/conformance.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-bids-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

let treeCount = 0;
/** Build a dataset from { relative path: content } (objects become JSON); returns its root. */
function tree(files: Record<string, string | object>): string {
  const root = path.join(tmp, `ds${treeCount++}`);
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const DESC = { Name: 'mini', BIDSVersion: '1.9.0' };
const EVENTS = 'onset\tduration\ttrial_type\tstim_file\n0\t15\tmusic\tstimuli/a.wav\n15.5\tn/a\tn/a\tstimuli/b.wav\n';

function base(): Record<string, string | object> {
  return {
    'dataset_description.json': DESC,
    'participants.tsv': 'participant_id\tage\nsub-01\t30\nsub-02\tn/a\n',
    README: 'mini dataset\n',
    'task-music_bold.json': { RepetitionTime: 2.0, TaskName: 'music', SliceEncodingDirection: 'k' },
    'task-music_eeg.json': { SamplingFrequency: 512, TaskName: 'music' },
    'task-music_events.tsv': 'onset\tduration\n0\t600\n',
    'sub-01/sub-01_task-music_bold.json': { RepetitionTime: 1.8, FlipAngle: 70 },
    'sub-01/func/sub-01_task-music_bold.json': { EchoTime: 0.03 },
    'sub-01/func/sub-01_task-music_run-1_bold.nii.gz': '',
    'sub-01/func/sub-01_task-music_run-1_events.tsv': EVENTS,
    'sub-01/func/sub-01_task-music_run-2_bold.nii.gz': '',
    'sub-01/func/sub-01_task-music_run-2_bold.json': { RepetitionTime: 1.5 },
    'sub-02/ses-a/eeg/sub-02_ses-a_task-music_eeg.bdf': '',
    'sub-02/ses-a/eeg/sub-02_ses-a_task-music_channels.tsv': 'name\ttype\tunits\nFz\tEEG\tuV\n',
    'sub-02/ses-a/beh/sub-02_ses-a_task-music_beh.tsv': 'onset\tresponse\n1\tyes\n',
    'sub-02/ses-b/anat/sub-02_ses-b_T1w.nii.gz': '',
    'derivatives/brainalign/sub-01/func/sub-01_task-music_desc-x_bold.nii.gz': '',
  };
}

function expectInputError(t: ExecutionContext, f: () => unknown, where: RegExp, problem: RegExp): void {
  try {
    f();
    t.fail('expected an InputError');
  } catch (e) {
    t.true(e instanceof InputError, `not an InputError: ${String(e)}`);
    if (e instanceof InputError) {
      t.regex(e.where, where);
      t.regex(e.problem, problem);
    }
  }
}

test('scan finds subjects, sessions and the five data files with their datatype, entities and events', (t) => {
  const root = tree(base());
  const ds = scanBids(root);
  t.is(ds.description.Name, 'mini');
  t.deepEqual(ds.subjects, ['01', '02']);
  t.deepEqual(ds.sessions, { '01': [], '02': ['a', 'b'] });
  t.deepEqual(
    ds.participants?.map((p) => p.age),
    ['30', 'n/a'],
  );
  const rel = ds.files.map((f) => path.relative(root, f.path));
  t.deepEqual(rel, [
    'sub-01/func/sub-01_task-music_run-1_bold.nii.gz',
    'sub-01/func/sub-01_task-music_run-2_bold.nii.gz',
    'sub-02/ses-a/beh/sub-02_ses-a_task-music_beh.tsv',
    'sub-02/ses-a/eeg/sub-02_ses-a_task-music_eeg.bdf',
    'sub-02/ses-b/anat/sub-02_ses-b_T1w.nii.gz',
  ]);
  t.deepEqual(
    ds.files.map((f) => f.datatype),
    ['func', 'func', 'beh', 'eeg', 'anat'],
  );
  t.deepEqual(ds.files[0].entities, { sub: '01', task: 'music', run: '1' });
  t.is(ds.files[0].suffix, 'bold');
  t.is(ds.files[0].extension, '.nii.gz');
  // Own events.tsv beats the inherited top-level one; run-2 and the EEG file inherit task-music_events.tsv.
  t.is(ds.files[0].events, path.join(root, 'sub-01/func/sub-01_task-music_run-1_events.tsv'));
  t.is(ds.files[1].events, path.join(root, 'task-music_events.tsv'));
  t.is(ds.files[3].events, path.join(root, 'task-music_events.tsv'));
  t.is(ds.files[4].events, undefined);
  t.deepEqual(ds.warnings, []);
  t.deepEqual(
    selectFiles(ds, { suffix: 'bold', run: '2' }).map((f) => f.entities.run),
    ['2'],
  );
  t.is(selectFiles(ds, { datatype: 'eeg' }).length, 1);
});

test('sidecars merge root → subject → func folder → file: most specific RepetitionTime wins, other keys inherited', (t) => {
  const root = tree(base());
  const ds = scanBids(root);
  const [run1, run2] = ds.files;
  t.deepEqual(run1.sidecar, { RepetitionTime: 1.8, TaskName: 'music', SliceEncodingDirection: 'k', FlipAngle: 70, EchoTime: 0.03 });
  t.deepEqual(run2.sidecar, { RepetitionTime: 1.5, TaskName: 'music', SliceEncodingDirection: 'k', FlipAngle: 70, EchoTime: 0.03 });
  t.deepEqual(
    run2.sidecarFiles.map((f) => path.relative(root, f)),
    ['task-music_bold.json', 'sub-01/sub-01_task-music_bold.json', 'sub-01/func/sub-01_task-music_bold.json', 'sub-01/func/sub-01_task-music_run-2_bold.json'],
  );
  t.deepEqual(ds.files[3].sidecar, { SamplingFrequency: 512, TaskName: 'music' });
  t.deepEqual(ds.files[4].sidecar, {});
});

test('missing or inconsistent files are InputErrors naming the file', (t) => {
  const mutate = (f: (m: Record<string, string | object>) => void) => {
    const m = base();
    f(m);
    return tree(m);
  };
  expectInputError(t, () => scanBids(mutate((m) => delete m['dataset_description.json'])), /dataset_description\.json$/, /cannot read/);
  expectInputError(t, () => scanBids(mutate((m) => (m['dataset_description.json'] = { Name: 'x' }))), /dataset_description\.json$/, /BIDSVersion/);
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['participants.tsv'] = 'participant_id\nsub-01\nsub-02\nsub-03\n'))),
    /participants\.tsv$/,
    /sub-03.*no sub-03 folder/,
  );
  expectInputError(
    t,
    () =>
      scanBids(
        mutate((m) => {
          m['task-music_bold.json'] = { TaskName: 'music' };
          m['sub-01/sub-01_task-music_bold.json'] = { FlipAngle: 70 };
        }),
      ),
    /sub-01_task-music_run-1_bold\.nii\.gz$/,
    /no RepetitionTime/,
  );
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['sub-01/sub-01_task-music_bold.json'] = { RepetitionTime: '2s' }))),
    /sub-01\/sub-01_task-music_bold\.json$/,
    /RepetitionTime must be a positive number/,
  );
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['task-music_eeg.json'] = { SamplingFrequency: -5 }))),
    /task-music_eeg\.json$/,
    /SamplingFrequency must be a positive number/,
  );
  expectInputError(t, () => scanBids(mutate((m) => (m['task-music_eeg.json'] = {}))), /_eeg\.bdf$/, /SamplingFrequency/);
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['sub-01/func/sub-01_task-music_run-1_events.tsv'] = 'onset\ttrial_type\n0\tx\n'))),
    /run-1_events\.tsv$/,
    /no "duration" column/,
  );
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['sub-01/func/sub-02_task-music_run-3_bold.nii.gz'] = ''))),
    /sub-02_task-music_run-3_bold/,
    /says sub-02 but it lies in sub-01/,
  );
  expectInputError(t, () => scanBids(mutate((m) => (m['sub-02/ses-b/anat/sub-02_T1w.nii.gz'] = ''))), /sub-02_T1w/, /no session but it lies in ses-b/);
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['sub-01/func/sub-01_task-music_run-2_bold.json'] = '{"RepetitionTime": 1.5,'))),
    /run-2_bold\.json$/,
    /invalid JSON/,
  );
  expectInputError(
    t,
    () => scanBids(mutate((m) => (m['run-1_bold.json'] = { EchoTime: 0.02 }))),
    /run-1_bold\.nii\.gz$/,
    /ambiguous.*run-1_bold\.json.*task-music_bold\.json|ambiguous.*task-music_bold\.json.*run-1_bold\.json/,
  );
  expectInputError(t, () => scanBids(mutate((m) => (m['sub-02/func/sub-02_task-music_bold.nii.gz'] = ''))), /sub-02\/func$/, /session folders/);
  expectInputError(t, () => scanBids(path.join(tmp, 'no-such-root')), /no-such-root/, /not a folder/);
});

test('readEvents types onset/duration/trial_type, keeps extra columns, maps n/a to NaN/null and names bad lines', (t) => {
  const root = tree(base());
  const ev = readEvents(path.join(root, 'sub-01/func/sub-01_task-music_run-1_events.tsv'));
  t.is(ev.length, 2);
  t.deepEqual(ev[0], { onset: 0, duration: 15, trialType: 'music', extra: { stim_file: 'stimuli/a.wav' } });
  t.is(ev[1].onset, 15.5);
  t.true(Number.isNaN(ev[1].duration));
  t.is(ev[1].trialType, null);
  const bad = path.join(root, 'bad_events.tsv');
  fs.writeFileSync(bad, 'onset\tduration\n0\t1\nsoon\t1\n');
  expectInputError(t, () => readEvents(bad), /bad_events\.tsv$/, /line 3: column "onset": "soon" is not a number/);
  fs.writeFileSync(bad, 'onset\tduration\nn/a\t1\n');
  expectInputError(t, () => readEvents(bad), /bad_events\.tsv$/, /line 2: onset must be a finite number/);
  fs.writeFileSync(bad, 'onset\tduration\n0\t-1\n');
  expectInputError(t, () => readEvents(bad), /bad_events\.tsv$/, /duration must be ≥ 0/);
});

test('ds003720 (OpenNeuro): bold sidecar gives RepetitionTime 1.5, TaskName Training, 68 slice times; 41 events 15 s apart', (t) => {
  const root = path.join(conformanceRoot(), 'music_neuro/OpenNeuroDatasets__ds003720');
  const ds = scanBids(root);
  t.is(ds.description.BIDSVersion, '1.4.0');
  t.deepEqual(ds.subjects, ['001']);
  // The .nii files are git-annex links that were not copied: no data files, nothing to fail on.
  t.deepEqual(ds.files, []);
  const bold = path.join(root, 'sub-001/func/sub-001_task-Training_run-01_bold.nii');
  const { sidecar } = resolveSidecar(root, bold);
  t.is(sidecar.RepetitionTime, 1.5);
  t.is(sidecar.EchoTime, 0.03);
  t.is(sidecar.FlipAngle, 62);
  t.is(sidecar.TaskName, 'Training');
  t.is((sidecar.SliceTiming as number[]).length, 68);
  const evFile = findEvents(root, bold);
  t.is(evFile, path.join(root, 'sub-001/func/sub-001_task-Training_run-01_events.tsv'));
  const ev = readEvents(evFile as string);
  t.is(ev.length, 41);
  ev.forEach((e, i) => {
    t.is(e.onset, 15 * i);
    t.is(e.duration, 15);
    t.is(e.trialType, null);
  });
  t.deepEqual(Object.keys(ev[0].extra), ['genre', 'track', 'start', 'end']);
  t.is(ev[0].extra.genre, "'disco'");
  // The Test run's events do not apply to the Training run (task entity differs).
  t.is(findEvents(root, path.join(root, 'sub-001/func/sub-001_task-Other_run-01_bold.nii')), undefined);
});

test('file names: entities, suffix and multi-dot extension parse; names are built in canonical entity order', (t) => {
  t.deepEqual(parseBidsName('/x/sub-01_ses-2_task-music_acq-mb4_run-01_bold.nii.gz'), {
    entities: { sub: '01', ses: '2', task: 'music', acq: 'mb4', run: '01' },
    suffix: 'bold',
    extension: '.nii.gz',
  });
  t.is(parseBidsName('dataset_description.json'), null);
  t.is(parseBidsName('README'), null);
  t.is(parseBidsName('sub-01_sub-02_bold.nii'), null);
  t.is(formatBidsName({ desc: 'banT2T3', task: 'train', sub: '01' }, 'r', '.nii.gz'), 'sub-01_task-train_desc-banT2T3_r.nii.gz');
  t.is(formatBidsName({ sub: '01', run: 2, ses: undefined }, 'eeg', '.bdf'), 'sub-01_run-2_eeg.bdf');
  t.throws(() => formatBidsName({ sub: '0_1' }, 'bold', '.nii'), { instanceOf: InputError });
});

test('writeDatasetDescription writes a derivative description that reads back, atomically', (t) => {
  const root = path.join(tmp, 'deriv', 'brainalign');
  const f = writeDatasetDescription(root, {
    name: 'brainalign outputs',
    generatedBy: [{ Name: 'brainalign', Version: '0.1.0', CodeURL: 'https://example.org/brainalign' }],
    sourceDatasets: [{ DOI: '10.18112/openneuro.ds003720.v1.0.0' }],
  });
  t.is(f, path.join(root, 'dataset_description.json'));
  const d = readDatasetDescription(root);
  t.is(d.DatasetType, 'derivative');
  t.is(d.BIDSVersion, '1.9.0');
  t.deepEqual(d.GeneratedBy, [{ Name: 'brainalign', Version: '0.1.0', CodeURL: 'https://example.org/brainalign' }]);
  t.deepEqual(d.SourceDatasets, [{ DOI: '10.18112/openneuro.ds003720.v1.0.0' }]);
  t.deepEqual(fs.readdirSync(root), ['dataset_description.json']);
  t.throws(() => writeDatasetDescription(root, { name: 'x', generatedBy: [] }), { instanceOf: InputError });
});

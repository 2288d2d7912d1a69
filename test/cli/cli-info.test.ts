import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { conformanceRoot } from '../helpers/conformance.js';
import { writeNpy } from '../../src/io/npy.js';

const C = conformanceRoot();

function infoJson(t: { is(a: unknown, b: unknown, m?: string): void }, file: string) {
  const r = runCli(['info', '--json', file]);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { schema: string; format: string; info: Record<string, unknown> };
  t.is(doc.schema, 'brainalign.info/1');
  return doc;
}

test('info describes a NIfTI file: dims, dtype, affine source and a data summary', (t) => {
  const doc = infoJson(t, path.join(C, 'nifti/nipy__nibabel/nibabel/tests/data/example4d.nii.gz'));
  t.is(doc.format, 'nifti');
  t.deepEqual(doc.info.dims, [128, 96, 24, 2]);
  t.is(doc.info.datatype, 'int16');
  t.is(doc.info.affineSource, 'sform');
  const s = doc.info.summary as { count: number; min: number; max: number };
  t.is(s.count, 128 * 96 * 24 * 2);
  t.true(s.max > s.min);
});

test('info describes an EDF+ file: signals, rates, records, duration, annotations', (t) => {
  const doc = infoJson(t, path.join(C, 'edf/holgern__pyedflib/pyedflib/tests/data/test_generator.edf'));
  t.is(doc.format, 'edf');
  t.is(doc.info.records, 600);
  t.is(doc.info.duration, 600);
  const sig = doc.info.signals as { label: string; rate: number; physMin: number; physMax: number }[];
  t.is(sig.length, 11);
  t.is(sig[0].label, 'squarewave');
  t.true(sig.every((s) => s.rate === 200));
  const ann = doc.info.annotations as { onset: number; text: string }[];
  t.deepEqual(
    ann.map((a) => [a.onset, a.text]),
    [
      [0, 'Recording starts'],
      [600, 'Recording ends'],
    ],
  );
});

test('info describes a WAV and an NPY file', (t) => {
  const wav = infoJson(t, path.join(C, 'audio/_derived_from_librosa__data/sorohanro_-_solo-trumpet-06.wav'));
  t.is(wav.format, 'wav');
  t.is(wav.info.sampleRate, 22050);
  t.is(wav.info.frames, 117601);
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, 'x.npy');
  writeNpy(f, new Float32Array([1, 0, -2, 4, 0, 3]), [2, 3]);
  const npy = infoJson(t, f);
  t.is(npy.format, 'npy');
  t.deepEqual(npy.info.shape, [2, 3]);
  t.is(npy.info.dtype, 'float32');
  const s = npy.info.summary as { min: number; max: number; sum: number; nonzero: number };
  t.deepEqual([s.min, s.max, s.sum, s.nonzero], [-2, 4, 6, 4]);
  const text = runCli(['info', f]);
  t.is(text.code, 0);
  t.regex(text.stdout, /shape: \[2, 3\]/);
});

test('info on a broken or unknown file is one line and exit 2', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'broken.nii');
  fs.writeFileSync(bad, Buffer.alloc(100));
  const unknown = path.join(dir, 'notes.xyz');
  fs.writeFileSync(unknown, 'hello');
  for (const f of [bad, unknown, path.join(dir, 'missing.edf'), path.join(C, 'nifti/rii-mango__NIFTI-Reader-JS/data/not-nifti.nii')]) {
    const r = runCli(['info', f]);
    t.is(r.code, 2, `${f}: ${r.stderr}`);
    t.regex(r.stderr, /^brainalign: [^\n]+: [^\n]+\n$/, f);
  }
});

test('info on a BIDS folder lists the dataset name and subjects (OpenNeuro ds003720 metadata)', (t) => {
  const doc = infoJson(t, path.join(C, 'music_neuro/OpenNeuroDatasets__ds003720'));
  t.is(doc.format, 'bids');
  t.is(doc.info.name, 'Music Genre fMRI Dataset');
  t.is(doc.info.bidsVersion, '1.4.0');
  t.deepEqual(doc.info.subjects, ['001']);
});

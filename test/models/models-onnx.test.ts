/**
 * Activations of ONNX audio models (src/models/onnx/) against torch's own.
 * Two small models are exported from torch by test/helpers/onnx_models.py: a
 * 1-D conv net on the 16 kHz waveform and a conv + transformer block on a
 * log-mel (a 4-D map with a frequency axis, then a time × features sequence).
 * Methods check:
 * - every module's output, exposed by rewriting the graph's outputs, equals
 *   torch's forward-hook output on the same input to 1e-4;
 * - the features artifact equals torch's activations pooled to the row rate
 *   by an independent numpy transcription of the documented rule (columns
 *   tile the input span; a row averages the columns centred in it; frequency
 *   average-pooled into bins), with the time/channel/frequency axes planted
 *   by the test rather than probed;
 * - layers without a time axis (pooled head) are left out; --list-layers,
 *   layer patterns and a model the config does not declare behave as documented.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { writeWav } from '../../src/io/wav.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { readTsv } from '../../src/io/tsv.js';
import { onnxModelSchema, type OnnxModel } from '../../src/models/onnx/config.js';
import { openOnnx } from '../../src/models/onnx/session.js';
import { modelInput } from '../../src/models/onnx/input.js';
import { pyArgs } from '../helpers/python.js';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

process.env.BRAINALIGN_TEST_SOURCES = '1';
const tmp = tmpDir('ba-onnx-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const HELPER = path.join(REPO, 'test', 'helpers', 'onnx_models.py');
const SR = 16000;
const CLIP_SEC = [4.5, 3.2, 5];
const STIM = path.join(tmp, 'stimuli');

const CONV: OnnxModel = onnxModelSchema.parse({
  name: 'convwave',
  file: path.join(tmp, 'convwave.onnx'),
  input: { kind: 'waveform', sr: SR },
  performance: 0.5,
});
const MEL: OnnxModel = onnxModelSchema.parse({
  name: 'melformer',
  file: path.join(tmp, 'melformer.onnx'),
  input: { kind: 'logmel', sr: SR, nFft: 512, hop: 256, nMels: 20 },
  layers: ['front', 'block', 'block.ff'],
});
const CFG = path.join(tmp, 'cfg.json');

/** Tones with a slow amplitude modulation plus noise, seeded. */
function clip(sec: number, k: number): Float32Array {
  const rng = new Rng(3, `clip-${k}`);
  const x = new Float32Array(Math.round(sec * SR));
  const f0 = 220 * (k + 1);
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    x[i] = 0.3 * Math.sin(2 * Math.PI * f0 * t) * (1 + Math.sin(2 * Math.PI * 0.7 * t)) + 0.1 * Math.sin(2 * Math.PI * 3 * f0 * t) + 0.05 * rng.normal();
  }
  return x;
}
const clips = CLIP_SEC.map((s, k) => ({ id: `blues.0000${k}`, audio: clip(s, k) }));

test.before(() => {
  pyArgs(fs.readFileSync(HELPER, 'utf8'), 'export', tmp);
  for (const c of clips) writeWav(path.join(STIM, 'blues', `${c.id}.wav`), c.audio, SR, { encoding: 'float32' });
  fs.writeFileSync(CFG, JSON.stringify({ features: { tr: 0.5, freqBins: 3 }, onnx: { models: [CONV, MEL] } }));
});

/** torch's output of every hooked module of `name` on `input` (saved by the helper as .npz), compared in numpy against our .npy files. */
function compareWithTorch(
  name: string,
  input: Float32Array,
  dims: number[],
  ours: Record<string, string>,
): Record<string, { shape: number[]; torchShape: number[]; maxAbs: number; maxRef: number }> {
  const inp = path.join(tmp, `${name}-in.npy`);
  writeNpy(inp, input, dims);
  const ref = path.join(tmp, `${name}-ref.npz`);
  execFileSync('/usr/bin/python3', ['-W', 'ignore', HELPER, 'run', tmp, name, inp, ref]);
  return pyArgs(
    `
import json, sys, numpy as np
ref = np.load(sys.argv[1]); ours = json.loads(sys.argv[2])
out = {}
for mod, f in ours.items():
    a = np.load(f); r = ref[mod]
    out[mod] = {'shape': list(a.shape), 'torchShape': list(r.shape), 'maxAbs': float(np.abs(a - r).max()) if a.shape == r.shape else 1e9, 'maxRef': float(np.abs(r).max())}
print(json.dumps(out))`,
    ref,
    JSON.stringify(ours),
  );
}

async function rawCheck(t: import('ava').ExecutionContext, m: OnnxModel, torchNames: Record<string, string>): Promise<void> {
  const s = await openOnnx(m.file, m.layers, { threads: 1, inputName: null });
  const inp = modelInput(m.input, s.inputShape, clips[0].audio, SR, m.file);
  const outs = await s.run(inp.data, inp.dims);
  const ours: Record<string, string> = {};
  for (const [torchName, module] of Object.entries(torchNames)) {
    const layer = s.layers.find((l) => l.module === module);
    if (!layer) throw new Error(`${m.name}: no layer for module ${module} (${s.layers.map((l) => l.module).join(', ')})`);
    const o = outs.get(layer.tensor);
    if (!o?.data) throw new Error(`${m.name}: ${layer.tensor} not float32`);
    ours[torchName] = path.join(tmp, `${m.name}-${torchName}.npy`);
    writeNpy(ours[torchName], o.data, o.dims);
  }
  await s.release();
  const cmp = compareWithTorch(m.name, inp.data, inp.dims, ours);
  for (const [mod, c] of Object.entries(cmp)) {
    t.log(`${m.name}/${mod}: [${c.shape.join('×')}], max |onnx − torch| = ${c.maxAbs.toExponential(2)} (max |torch| ${c.maxRef.toFixed(3)})`);
    t.deepEqual(c.shape, c.torchShape, mod);
    t.true(c.maxAbs < 1e-4, `${mod}: ${c.maxAbs}`);
    t.true(c.maxRef > 0.05, `${mod} is not trivially zero`);
  }
}

test('conv net on the waveform: every module output equals torch’s to 1e-4', async (t) => {
  await rawCheck(t, CONV, { conv1: 'conv1', act1: 'act1', conv2: 'conv2', act2: 'act2' });
});

test('conv + transformer on the log-mel: every selected module output equals torch’s to 1e-4', async (t) => {
  await rawCheck(t, MEL, { front: 'front', block: 'block', 'block.ff': 'block.ff' });
});

/** Pools torch's activations by the documented rule in numpy; returns max |ours − reference| per area. */
const POOL_PY = `
import json, sys, numpy as np
spec = json.loads(sys.argv[1])
res = {}
for area, a in spec['areas'].items():
    rows = []
    for c in spec['clips']:
        x = np.load(c['acts'])[a['module']][0]          # drop the batch axis
        x = np.moveaxis(x, [a['time'] - 1, a['channels'] - 1], [-2, -1])   # (freq..., W, C)
        W, C = x.shape[-2], x.shape[-1]
        x = x.reshape(-1, W, C)
        H = x.shape[0]; bins = min(spec['bins'], H)
        cols = np.zeros((W, C, bins))
        for b in range(bins):
            h0, h1 = (b * H) // bins, ((b + 1) * H) // bins
            cols[:, :, b] = x[h0:h1].mean(axis=0)
        cols = cols.reshape(W, C * bins)           # feature index c*bins + b
        centre = (np.arange(W) + 0.5) * c['span'] / W
        nT = max(1, int(np.floor(c['dur'] * spec['rate'] + 1e-9)))
        k = np.floor(centre * spec['rate']).astype(int)
        out = np.zeros((nT, C * bins))
        for r in range(nT):
            sel = k == r
            out[r] = cols[sel].mean(axis=0) if sel.any() else cols[np.argmin(np.abs(centre - (r + 0.5) / spec['rate']))]
        rows.append(out)
    ref = np.concatenate(rows)
    ours = np.load(a['npy'])
    res[area] = {'shape': list(ours.shape), 'refShape': list(ref.shape), 'maxAbs': float(np.abs(ours - ref).max()) if ours.shape == ref.shape else 1e9}
print(json.dumps(res))`;

async function pooledCheck(
  t: import('ava').ExecutionContext,
  m: OnnxModel,
  planted: Record<string, { module: string; time: number; channels: number }>,
): Promise<void> {
  const stamp = path.join(tmp, 'stamps', `features-${m.name}.json`);
  const r = runCli(['features', '--onnx', m.name, '--stimuli', STIM, '--config', CFG, '--out', path.join(tmp, 'deriv'), '--stamp', stamp, '--quiet']);
  t.is(r.code, 0, r.stderr);
  const dir = path.resolve(path.dirname(stamp), (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string }).dir);
  const fj = JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8')) as { areas: string[]; rate: number };
  t.is(fj.rate, 2);
  t.deepEqual(
    readTsv(path.join(dir, 'stimuli.tsv')).rows.map((x) => Number(x.n_rows)),
    CLIP_SEC.map((s) => Math.floor(s * 2)),
  );
  // Torch's activations of every clip, on the input our code feeds (the waveform, or our log-mel).
  const s = await openOnnx(m.file, [], { threads: 1, inputName: null });
  const pairs: string[] = [];
  const specClips = clips.map((c, k) => {
    const inp = modelInput(m.input, s.inputShape, c.audio, SR, m.file);
    const f = path.join(tmp, `${m.name}-clip${k}.npy`);
    writeNpy(f, inp.data, inp.dims);
    const acts = path.join(tmp, `${m.name}-clip${k}.npz`);
    pairs.push(f, acts);
    return { acts, span: inp.duration, dur: c.audio.length / SR };
  });
  await s.release();
  execFileSync('/usr/bin/python3', ['-W', 'ignore', HELPER, 'run', tmp, m.name, ...pairs]);
  const areas: Record<string, { module: string; time: number; channels: number; npy: string }> = {};
  for (const [area, p] of Object.entries(planted)) {
    t.true(fj.areas.includes(area), `${area} in ${fj.areas.join(', ')}`);
    areas[area] = { ...p, npy: path.join(dir, m.name, area, 'iter-0.npy') };
  }
  const res = pyArgs<Record<string, { shape: number[]; refShape: number[]; maxAbs: number }>>(
    POOL_PY,
    JSON.stringify({ areas, clips: specClips, rate: 2, bins: 3 }),
  );
  for (const [area, c] of Object.entries(res)) {
    t.log(`${m.name}/${area}: features [${c.shape.join('×')}], max |ours − numpy pooling of torch| = ${c.maxAbs.toExponential(2)}`);
    t.deepEqual(c.shape, c.refShape);
    t.true(c.maxAbs < 1e-4, `${area}: ${c.maxAbs}`);
  }
  t.is(readNpy(areas[Object.keys(areas)[0]].npy).dtype, 'float32');
}

test('features artifact of the conv net = torch activations pooled to 2 Hz by the documented rule; the pooled head is left out', async (t) => {
  await pooledCheck(t, CONV, {
    '000-conv1': { module: 'conv1', time: 2, channels: 1 },
    '003-act2': { module: 'act2', time: 2, channels: 1 },
  });
  const d = JSON.parse(fs.readFileSync(path.join(tmp, 'stamps', 'features-convwave.json'), 'utf8')) as { dir: string };
  const fj = JSON.parse(fs.readFileSync(path.resolve(tmp, 'stamps', d.dir, 'features.json'), 'utf8')) as { areas: string[] };
  t.deepEqual(fj.areas, ['000-conv1', '001-act1', '002-conv2', '003-act2']);
});

test('same inputs in two stores: byte-identical ONNX features under the same stage key', (t) => {
  const run = (name: string): string => {
    const out = path.join(tmp, name);
    const st = path.join(out, 'stamps', 'f.json');
    const r = runCli(['features', '--onnx', 'convwave', '--stimuli', STIM, '--config', CFG, '--out', out, '--stamp', st, '--quiet']);
    if (r.code !== 0) throw new Error(r.stderr);
    return path.resolve(path.dirname(st), (JSON.parse(fs.readFileSync(st, 'utf8')) as { dir: string }).dir);
  };
  const [a, b] = [run('deriv-a'), run('deriv-b')];
  t.is(path.basename(a), path.basename(b));
  for (const area of ['000-conv1', '001-act1', '002-conv2', '003-act2']) {
    const f = path.join('convwave', area, 'iter-0.npy');
    t.true(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), f);
  }
});

test('features artifact of the log-mel transformer: the 4-D front end pooled over frequency bins, the token sequence over time', async (t) => {
  await pooledCheck(t, MEL, {
    '003-front': { module: 'front', time: 3, channels: 1 },
    '078-block': { module: 'block', time: 1, channels: 2 },
  });
});

test('--list-layers marks the module outputs as default layers; an undeclared model, a pattern matching nothing, a missing and a truncated file are one-line errors (exit 2)', (t) => {
  const l = runCli(['features', '--model', CONV.file, '--list-layers']);
  t.is(l.code, 0, l.stderr);
  const rows = l.stdout
    .split('\n')
    .filter((x) => x && !x.startsWith('#'))
    .slice(1)
    .map((x) => x.split('\t'));
  t.deepEqual(
    rows.filter((x) => x[0] === '*').map((x) => x[2]),
    ['conv1', 'act1', 'conv2', 'act2', 'head'],
  );
  t.true(rows.some((x) => x[3] === 'ReduceMean' && x[0] === ''));
  const undeclared = path.join(tmp, 'other.onnx');
  fs.copyFileSync(CONV.file, undeclared);
  const u = runCli(['features', '--model', undeclared, '--stimuli', STIM, '--config', CFG, '--out', path.join(tmp, 'deriv-x')]);
  t.is(u.code, 2);
  t.regex(u.stderr.trim(), /^brainalign: .*other\.onnx: declare the model under onnx\.models/);
  const badCfg = path.join(tmp, 'bad.json');
  fs.writeFileSync(badCfg, JSON.stringify({ onnx: { models: [{ ...CONV, layers: ['nosuch*'] }] } }));
  const b = runCli(['features', '--onnx', 'convwave', '--stimuli', STIM, '--config', badCfg, '--out', path.join(tmp, 'deriv-x')]);
  t.is(b.code, 2);
  t.regex(b.stderr.trim(), /^brainalign: .*convwave\.onnx: layer pattern "nosuch\*" matches no tensor, node or module/);
  t.is(b.stderr.trim().split('\n').length, 1);
  const missing = runCli(['features', '--model', path.join(tmp, 'missing.onnx'), '--list-layers']);
  t.is(missing.code, 2);
  t.regex(missing.stderr.trim(), /missing\.onnx: cannot read the ONNX model/);
  // A truncated file: the protobuf reader stops at the cut instead of reading past it.
  const cut = path.join(tmp, 'cut.onnx');
  fs.writeFileSync(cut, fs.readFileSync(CONV.file).subarray(0, 3000));
  const c = runCli(['features', '--model', cut, '--list-layers']);
  t.is(c.code, 2);
  t.regex(c.stderr.trim(), /^brainalign: .*cut\.onnx: (not a readable ONNX model|not an ONNX model)/);
  t.is(c.stderr.trim().split('\n').length, 1);
  t.false(fs.existsSync(path.join(tmp, 'deriv-x', 'artifacts', 'features')) && fs.readdirSync(path.join(tmp, 'deriv-x', 'artifacts', 'features')).length > 0);
});

/**
 * Why is PredANN at chance? Trains the EEG encoder on LOSO folds of the
 * mini-study EEG (scripts/lib/mini-eeg-set.ts) and prints, per epoch, the
 * loss, training-mode accuracy, validation CE/accuracy, and at the end the
 * held-out subject's window accuracy in eval mode.
 *
 *   npx tsx scripts/bench/predann-diagnose.ts [--fold sub-01] [--synth '{"eeg":{"repeats":6}}']
 *     [--encoder '{"epochs":40}'] [--decode '{"windowSec":3}'] [--lambda 0]
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { stripComments } from '../../src/cli/framework.js';
import { synthConfigSchema } from '../../src/synth/config.js';
import { eegIdentificationConfigSchema } from '../../src/decoding/config.js';
import { cutWindowRefs, losoFolds } from '../../src/decoding/windows.js';
import { predannFold } from '../../src/decoding/predann.js';
import { initBackend } from '../../src/models/backend.js';
import { Rng } from '../../src/core/prng.js';
import { miniEegSet } from '../lib/mini-eeg-set.js';

const { values: a } = parseArgs({
  options: {
    fold: { type: 'string', default: 'sub-01' },
    synth: { type: 'string', default: '{}' },
    encoder: { type: 'string', default: '{}' },
    decode: { type: 'string', default: '{}' },
    lambda: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const read = (f: string): Record<string, unknown> => stripComments(JSON.parse(fs.readFileSync(f, 'utf8'))) as Record<string, unknown>;
const base = read('pipelines/mini-study.json');
const over = JSON.parse(a.synth) as Record<string, Record<string, unknown>>;
const synth = synthConfigSchema.parse({
  ...base,
  ...over,
  eeg: { ...(base.eeg as object), ...(over.eeg ?? {}) },
  fmri: { subjects: 0 },
  behaviour: { subjects: 0 },
});
const raw = read('pipelines/eeg-identification.json') as { prep: object; decode: Record<string, unknown> };
const dOver = JSON.parse(a.decode) as Record<string, unknown>;
const cfg = eegIdentificationConfigSchema.parse({
  ...raw,
  decode: { ...raw.decode, ...dOver, encoder: { ...(raw.decode.encoder as object), ...(JSON.parse(a.encoder) as object) } },
});
const t0 = Date.now();
const { inputs } = miniEegSet(synth, cfg, 1);
const set = inputs.set;
process.stdout.write(`set: ${set.nSeg} segments × ${set.nCh} ch × ${set.nT} samples at ${set.rate} Hz (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
await initBackend('wasm');
const d = cfg.decode;
const win = Math.round(d.windowSec * set.rate);
const windows = cutWindowRefs(set.nSeg, set.nT, win, Math.round(d.hopSec * set.rate));
const songs = [...new Set(set.stimIds)].sort();
const songIndex = new Map(songs.map((s, i) => [s, i]));
const folds = losoFolds(windows, set).filter((f) => a.fold === 'all' || f.name === `loso-${a.fold}`);
const enc = { ...d.encoder, lambda: a.lambda !== undefined ? Number(a.lambda) : d.encoder.lambda };
const target = { kind: 'audio-cnn' as const, waveform: inputs.waveform, rate: d.audio.rate, config: d.audio };
for (const fold of folds) {
  const t1 = Date.now();
  const r = predannFold(set, windows, fold, win, target, songIndex, enc, Number(a.seed), new Rng(Number(a.seed), 'diag'));
  for (const h of r.history)
    process.stdout.write(
      `  ep ${h.epoch} loss ${h.loss.toFixed(3)} ce ${h.ce.toFixed(3)} ceA ${h.ce_audio.toFixed(3)} nce ${h.nce.toFixed(3)} train ${h.train_acc.toFixed(3)} val ${h.val_ce.toFixed(3)}/${h.val_acc.toFixed(3)}\n`,
    );
  const K = songs.length;
  let hit = 0;
  fold.test.forEach((w, i) => {
    const s = r.scores.subarray(i * K, (i + 1) * K);
    let b = 0;
    for (let j = 1; j < K; j++) if (s[j] > s[b]) b = j;
    if (b === songIndex.get(set.stimIds[windows[w].seg])) hit++;
  });
  process.stdout.write(
    `${fold.name}: train ${fold.train.length} windows, test ${fold.test.length}; best epoch ${r.bestEpoch}; test window top-1 ${(hit / fold.test.length).toFixed(3)} (chance ${(1 / K).toFixed(3)}); ${r.windowsPerSecond.toFixed(0)} win/s; ${((Date.now() - t1) / 1000).toFixed(0)} s\n`,
  );
}

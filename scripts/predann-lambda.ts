/**
 * Does InfoNCE help? PredANN (decode.encoder.lambda) against λ = 0 on the
 * mini-study's EEG design, over several seeds, on one split (default LOSO):
 * the synthetic study is simulated in memory from the synth config (EEG part
 * only), preprocessed and segmented with the identification config's `prep`,
 * and scored by decoding/lambda-study.ts (per-seed top-1 for responders and
 * the control, sign-flip test with bootstrap CI over seeds, pooled McNemar).
 *
 *   npx tsx scripts/predann-lambda.ts [--seeds 5] [--first-seed 1] [--split loso] [--study-seed 1]
 *     [--synth pipelines/mini-study.json] [--config pipelines/eeg-identification.json]
 *     [--out derivatives/predann-lambda.json]
 *   npx tsx scripts/predann-lambda.ts --merge a.json,b.json --out all.json   (seed ranges run apart)
 *
 * Numbers quoted in docs/eeg-identification.md come from this script.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { stripComments } from '../src/cli/framework.js';
import { synthConfigSchema } from '../src/synth/config.js';
import { eegIdentificationConfigSchema } from '../src/decoding/config.js';
import { mergeLambdaRuns, runLambdaSeeds, summarizeLambda, type LambdaRuns } from '../src/decoding/lambda-study.js';
import { writeJsonAtomic } from '../src/core/atomic.js';
import { initBackend } from '../src/models/backend.js';
import type { SplitKind } from '../src/decoding/windows.js';
import { miniEegSet } from './lib/mini-eeg-set.js';

const { values: a } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    'first-seed': { type: 'string', default: '1' },
    merge: { type: 'string' },
    split: { type: 'string', default: 'loso' },
    'study-seed': { type: 'string', default: '1' },
    synth: { type: 'string', default: 'pipelines/mini-study.json' },
    config: { type: 'string', default: 'pipelines/eeg-identification.json' },
    out: { type: 'string', default: 'derivatives/predann-lambda.json' },
  },
});
const read = (f: string): unknown => stripComments(JSON.parse(fs.readFileSync(f, 'utf8')));
const cfg = eegIdentificationConfigSchema.parse(read(a.config));
const split = a.split as SplitKind;

function report(runs: LambdaRuns, minutes: number): void {
  const res = summarizeLambda(runs, cfg.decode.encoder.lambda, split);
  fs.mkdirSync(path.dirname(a.out), { recursive: true });
  writeJsonAtomic(a.out, { ...res, runs, minutes, synth: a.synth, config: a.config, studySeed: Number(a['study-seed']), target: cfg.decode.predannTarget });
  for (const t of res.tests) {
    process.stdout.write(
      `${t.group}: top-1 λ = ${res.lambda} ${t.mean_lambda.toFixed(3)} vs λ = 0 ${t.mean_zero.toFixed(3)} (chance ${res.chance.toFixed(3)}); ` +
        `mean Δ ${t.signFlip.meanDiff.toFixed(3)} [${t.signFlip.lo.toFixed(3)}, ${t.signFlip.hi.toFixed(3)}], sign-flip p ${t.signFlip.p.toFixed(3)}${t.signFlip.exact ? ' (exact)' : ''}; ` +
        `McNemar pooled b ${t.mcnemar.b} c ${t.mcnemar.c} p ${t.mcnemar.p.toFixed(3)}\n`,
    );
  }
  process.stdout.write(`${minutes.toFixed(1)} min\n`);
}

if (a.merge) {
  const parts = a.merge.split(',').map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as { runs: LambdaRuns; minutes: number });
  report(
    mergeLambdaRuns(parts.map((p) => p.runs)),
    parts.reduce((s, p) => s + p.minutes, 0),
  );
} else {
  const synthRaw = read(a.synth) as Record<string, unknown>;
  const synth = synthConfigSchema.parse({ ...synthRaw, fmri: { subjects: 0 }, behaviour: { subjects: 0 } });
  const { inputs, controls } = miniEegSet(synth, cfg, Number(a['study-seed']));
  await initBackend('wasm');
  const first = Number(a['first-seed']);
  const seeds = Array.from({ length: Number(a.seeds) }, (_, i) => first + i);
  const t0 = Date.now();
  const runs = runLambdaSeeds(inputs, cfg.decode, split, seeds, controls, (rows) => {
    for (const r of rows)
      process.stdout.write(`seed ${r.seed} ${r.group}: λ ${r.top1_lambda.toFixed(3)} vs 0 ${r.top1_zero.toFixed(3)} (${r.n_items} items)\n`);
  });
  report(runs, (Date.now() - t0) / 60000);
}

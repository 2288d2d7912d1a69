/**
 * `brainalign train`: train BAN (or the CNN baseline, or a BAN ablation) on
 * the genre labels of a GTZAN-layout stimuli folder, as a cached stage. The
 * artifact holds the checkpoints the features stage reads
 * (`checkpoints/epoch-NNNN/`, `checkpoints/best/`), the training curve
 * (`metrics.tsv`), the split, and an evaluation: held-out test scores plus the
 * model's genre choice for every clip (`eval/predictions.tsv`), which the
 * align stage compares with the listeners' choices.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { notice } from '../core/progress.js';
import { readTsv, writeTsv } from '../io/tsv.js';
import { binomialUpperTail } from '../stats/binomial.js';
import { runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { stripAudioExtension } from '../io/audio.js';
import { modelStagesFileSchema, melOptions, toModelConfig, type ModelStagesFile } from '../models/config.js';
import { defineVerb, loadConfig, withStageOptions } from './framework.js';

/** Bumped when the train outputs change for the same inputs. */
const CODE_VERSION = 'train-2';

const ABLATIONS = ['none', 'no-recurrence', 'fewer-areas', 'no-skip'] as const;
type Ablation = (typeof ABLATIONS)[number];

/** What the features stage needs to know about a train artifact (written as train.json). */
export interface TrainManifest {
  name: string;
  arch: 'ban' | 'cnn';
  ablation: Ablation;
  classes: string[];
  mel: { sr: number; nFft: number; hop: number; nMels: number };
  bestEpoch: number;
  checkpoints: string[];
}

/** A clip of the stimuli folder with its study id (stimuli.tsv stim_id, else the file name without its audio extension). */
export interface StimulusRef {
  /** `<genre>/<file>`, the id the models library uses. */
  clip: string;
  stimId: string;
  fmriSet: string | null;
}

/**
 * The study ids of the clips in a GTZAN-layout folder: stimuli.tsv (synth's
 * `stim_id … path … fmri_set`) when present, matched by `<genre>/<file>`, else
 * the file name. Returns a map from the library's clip id.
 */
export function stimulusIds(stimDir: string, clipIds: string[]): Map<string, StimulusRef> {
  const out = new Map<string, StimulusRef>();
  const tsv = path.join(stimDir, 'stimuli.tsv');
  const byClip = new Map<string, { stimId: string; fmriSet: string | null }>();
  if (fs.existsSync(tsv)) {
    const t = readTsv(tsv);
    for (const c of ['stim_id', 'path']) if (!t.columns.includes(c)) throw new InputError(tsv, `missing column "${c}"`);
    for (const r of t.rows) {
      const parts = r.path.split('/');
      const key = parts.slice(-2).join('/');
      byClip.set(key, { stimId: r.stim_id, fmriSet: t.columns.includes('fmri_set') && r.fmri_set !== 'n/a' ? r.fmri_set : null });
    }
  }
  for (const clip of clipIds) {
    const hit = byClip.get(clip);
    if (byClip.size > 0 && !hit) throw new InputError(tsv, `clip ${clip} is in the folder but not in stimuli.tsv`);
    out.set(clip, hit ? { clip, ...hit } : { clip, stimId: stripAudioExtension(path.basename(clip)), fmriSet: null });
  }
  return out;
}

function softmaxRow(z: Float64Array): Float64Array {
  let mx = -Infinity;
  for (const v of z) mx = Math.max(mx, v);
  const e = z.map((v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export default defineVerb({
  command: 'train',
  describe: 'train BAN / CNN on the genre labels of a stimuli folder: checkpoints, training curve, held-out evaluation, per-clip predictions',
  builder: (y) =>
    withStageOptions(y)
      .option('stimuli', { type: 'string', demandOption: true, describe: 'GTZAN-layout folder <genre>/<genre>.000NN.wav (with stimuli.tsv from synth)' })
      .option('arch', { choices: ['ban', 'cnn'] as const, default: 'ban' as const, describe: 'recurrent BAN or the feed-forward CNN baseline' })
      .option('name', { type: 'string', describe: 'model name used in feature paths (default: the arch, or arch-ablation)' })
      .option('ablation', { choices: ABLATIONS, default: 'none' as const, describe: 'BAN ablation: iterations = 1, drop the last area, or no skip connections' })
      .option('backend', { choices: ['wasm', 'cpu', 'auto'] as const, describe: 'tfjs backend (default: train.backend of the config)' }),
  run: async (a) => {
    const cfg: ModelStagesFile = loadConfig(a.config, modelStagesFileSchema);
    const stimDir = path.resolve(a.stimuli);
    if (!fs.existsSync(stimDir) || !fs.statSync(stimDir).isDirectory()) throw new InputError(a.stimuli, 'no such stimuli folder');
    const arch = a.arch;
    const ablation = a.ablation;
    if (arch === 'cnn' && ablation !== 'none') throw new InputError('--ablation', 'ablations apply to --arch ban');
    const name = a.name ?? (ablation === 'none' ? arch : `${arch}-${ablation}`);
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InputError('--name', `use letters, digits, '.', '_' or '-' (it names a folder), got "${name}"`);
    const train = { ...cfg.train, backend: a.backend ?? cfg.train.backend };
    const { ablateConfig, parseModelConfig } = await import('../models/ban.js');
    let modelCfg = parseModelConfig(toModelConfig(cfg.model, arch), 'model');
    if (ablation === 'no-recurrence' || ablation === 'no-skip') modelCfg = ablateConfig(modelCfg, ablation);
    if (ablation === 'fewer-areas') {
      if (modelCfg.areas.length < 2) throw new InputError('--ablation', 'fewer-areas needs a model with at least two areas after A1');
      modelCfg = ablateConfig(modelCfg, `areas:${modelCfg.areas.length - 1}`);
    }
    const mel = melOptions(cfg.model);
    const t0 = Date.now();
    let line = '';
    const res = await runStage(
      {
        stage: 'train',
        codeVersion: CODE_VERSION,
        root: a.out ?? DEFAULT_ROOT,
        inputs: { stimuli: stimDir },
        params: { name, arch, ablation, model: modelCfg, mel, train },
        seed: a.seed,
        stamp: a.stamp,
      },
      async ({ dir, runtime }) => {
        line = await trainStage({ dir, stimDir, name, arch, ablation, modelCfg, mel, train, seed: a.seed, t0, runtime });
      },
    );
    if (res.upToDate) {
      const s = JSON.parse(fs.readFileSync(path.join(res.dir, 'eval', 'summary.json'), 'utf8')) as Record<string, unknown>;
      line = summaryLine(name, s);
    }
    process.stdout.write(`train: ${res.upToDate ? 'up to date' : 'done'} (${res.key}); ${line}\n`);
  },
});

function summaryLine(name: string, s: Record<string, unknown>): string {
  const f = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : 'n/a');
  return `${name}: test accuracy ${f(s.accuracy)} (windows), ${f(s.clip_accuracy)} (clips, n = ${String(s.n_test_clips)}), chance ${f(s.chance)}`;
}

interface TrainStageArgs {
  dir: string;
  stimDir: string;
  name: string;
  arch: 'ban' | 'cnn';
  ablation: Ablation;
  modelCfg: import('../models/ban.js').ModelConfig;
  mel: { sr: number; nFft: number; hop: number; nMels: number };
  train: ModelStagesFile['train'];
  seed: number;
  t0: number;
  /** Wall-clock facts for provenance.json (the stage's other files stay byte-identical across runs). */
  runtime: Record<string, unknown>;
}

/** The work of the stage: returns the one-line summary. */
async function trainStage(o: TrainStageArgs): Promise<string> {
  const { initBackend, wasmThreads } = await import('../models/backend.js');
  const { listGtzan, loadClips, splitByFile } = await import('../models/dataset.js');
  const { trainOnClips, windowLogits } = await import('../models/train.js');
  const backend = await initBackend(o.train.backend, { threads: o.train.threads });
  const { classes, clips: refs } = listGtzan(o.stimDir);
  const ids = stimulusIds(o.stimDir, refs.map((r) => r.id));
  const tr = o.train;
  let split: Map<string, 'train' | 'val' | 'test'>;
  if (tr.split === 'random') {
    split = splitByFile(refs, { seed: o.seed, valFraction: tr.valFraction, testFraction: tr.testFraction });
  } else {
    const isTest = (id: string): boolean => ids.get(id)?.fmriSet === 'test';
    if (!refs.some((r) => isTest(r.id))) throw new InputError(path.join(o.stimDir, 'stimuli.tsv'), 'train.split = fmri needs an fmri_set column with test clips');
    split = splitByFile(refs.filter((r) => !isTest(r.id)), { seed: o.seed, valFraction: tr.valFraction, testFraction: 0 });
    for (const r of refs) if (isTest(r.id)) split.set(r.id, 'test');
  }
  const clips = loadClips(refs, o.mel);
  const work = path.join(o.dir, '.work');
  const epochSeconds: number[] = [];
  o.runtime.epochSeconds = epochSeconds;
  const result = await trainOnClips(clips, classes, split, {
    outDir: work,
    config: o.modelCfg,
    seed: o.seed,
    epochs: tr.epochs,
    batchSize: tr.batchSize,
    lr: tr.lr,
    patience: tr.patience,
    checkpointEvery: tr.checkpointEvery,
    windowsPerClip: tr.windowsPerClip,
    gainDb: tr.gainDb,
    onEpoch: (row) => epochSeconds.push(row.seconds),
  });
  // The library's layout → the artifact's: checkpoints/{epoch-NNNN,best}, metrics.tsv; evaluation written below.
  fs.mkdirSync(path.join(o.dir, 'checkpoints'), { recursive: true });
  const ckDir = path.join(work, 'checkpoints');
  const checkpoints = fs.existsSync(ckDir) ? fs.readdirSync(ckDir).filter((d) => /^epoch-\d+$/.test(d)).sort() : [];
  for (const d of checkpoints) fs.renameSync(path.join(ckDir, d), path.join(o.dir, 'checkpoints', d));
  fs.renameSync(path.join(work, 'best'), path.join(o.dir, 'checkpoints', 'best'));
  for (const f of ['metrics.tsv', 'metrics.json']) fs.renameSync(path.join(work, f), path.join(o.dir, f));
  fs.rmSync(work, { recursive: true, force: true });

  const K = classes.length;
  const splitOf = (id: string): string => split.get(id) ?? 'unused';
  writeTsv(path.join(o.dir, 'split.tsv'), ['stim_id', 'genre', 'split'], clips.map((c) => ({ stim_id: ids.get(c.id)!.stimId, genre: c.genre, split: splitOf(c.id) })), {
    stim_id: { Description: 'stimulus id (stimuli.tsv)' },
    genre: { Description: 'true genre (folder name)' },
    split: { Description: 'role of the clip in training', Levels: { train: 'fitted', val: 'early stopping and best-checkpoint choice', test: 'held out; scored in eval/' } },
  });

  // Every clip's choice from its window logits averaged (eval mode), as evaluateClips scores clips.
  const { logits, clipOf } = windowLogits(result.model, clips);
  const sum = new Float64Array(clips.length * K);
  const count = new Int32Array(clips.length);
  for (let w = 0; w < clipOf.length; w++) {
    count[clipOf[w]]++;
    for (let j = 0; j < K; j++) sum[clipOf[w] * K + j] += logits[w * K + j];
  }
  const pCols = classes.map((g) => `p_${g}`);
  const conf = classes.map(() => new Array<number>(K).fill(0));
  const predRows = clips.map((c, i) => {
    const z = sum.slice(i * K, (i + 1) * K).map((v) => v / count[i]);
    const p = softmaxRow(z);
    let best = 0;
    for (let j = 1; j < K; j++) if (p[j] > p[best]) best = j;
    if (splitOf(c.id) === 'test') conf[c.label][best]++;
    const row: Record<string, string | number> = { stim_id: ids.get(c.id)!.stimId, true_genre: c.genre, predicted_genre: classes[best], split: splitOf(c.id) };
    classes.forEach((_, j) => (row[pCols[j]] = p[j]));
    return row;
  });
  const evalDir = path.join(o.dir, 'eval');
  writeTsv(path.join(evalDir, 'predictions.tsv'), ['stim_id', 'true_genre', 'predicted_genre', 'split', ...pCols], predRows, {
    stim_id: { Description: 'stimulus id (stimuli.tsv)' },
    true_genre: { Description: 'true genre' },
    predicted_genre: { Description: 'the model’s choice: argmax of the window logits averaged over the clip’s consecutive windows (best checkpoint, eval mode)' },
    split: { Description: 'role of the clip in training (train clips were fitted: their choices are not held-out)' },
    ...Object.fromEntries(classes.map((g, j) => [pCols[j], { Description: `softmax of the averaged logits: probability of ${g}` }])),
  });
  writeTsv(path.join(evalDir, 'confusion.tsv'), ['true_genre', ...classes], conf.map((r, t) => ({ true_genre: classes[t], ...Object.fromEntries(classes.map((g, j) => [g, r[j]])) })), {
    true_genre: { Description: 'true genre of held-out test clips; other columns: number of clips predicted as that genre (clip = averaged window logits)' },
  });
  const nTest = conf.reduce((s, r) => s + r.reduce((x, y) => x + y, 0), 0);
  const correct = conf.reduce((s, r, t) => s + r[t], 0);
  writeTsv(path.join(evalDir, 'per_genre.tsv'), ['genre', 'precision', 'recall', 'n'], classes.map((g, k) => {
    const n = conf[k].reduce((x, y) => x + y, 0);
    const predicted = conf.reduce((s, r) => s + r[k], 0);
    return { genre: g, precision: predicted ? conf[k][k] / predicted : null, recall: n ? conf[k][k] / n : null, n };
  }), {
    genre: { Description: 'genre' },
    precision: { Description: 'held-out test clips predicted as this genre that are this genre (n/a: none predicted)' },
    recall: { Description: 'held-out test clips of this genre predicted correctly (n/a: none held out)' },
    n: { Description: 'held-out test clips of this genre' },
  });
  const chance = 1 / K;
  const ev = result.evaluation;
  const summary = {
    model: o.name,
    arch: o.arch,
    ablation: o.ablation,
    accuracy: ev ? ev.accuracy : null,
    clip_accuracy: nTest ? correct / nTest : null,
    chance,
    n_test_clips: nTest,
    n_test_windows: ev ? ev.nWindows : 0,
    clip_binomial_p: nTest ? binomialUpperTail(correct, nTest, chance) : null,
    best_epoch: result.bestEpoch,
    epochs_run: result.history.length,
    n_parameters: result.model.parameterCount(),
    classes,
    backend,
    threads: backend === 'wasm' ? wasmThreads() : null,
  };
  writeJsonAtomic(path.join(evalDir, 'summary.json'), summary);
  const wallSeconds = (Date.now() - o.t0) / 1000;
  o.runtime.wallSeconds = wallSeconds;
  const manifest: TrainManifest = {
    name: o.name, arch: o.arch, ablation: o.ablation, classes, mel: o.mel, bestEpoch: result.bestEpoch, checkpoints,
  };
  writeJsonAtomic(path.join(o.dir, 'train.json'), manifest);
  result.model.dispose();
  const line = summaryLine(o.name, summary);
  notice(`train: ${line}; best epoch ${result.bestEpoch} of ${result.history.length}, ${wallSeconds.toFixed(0)} s on ${backend}`);
  return line;
}

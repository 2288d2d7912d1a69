/**
 * The train stage: train BAN (or the CNN baseline, or a BAN ablation) on the
 * genre labels of a GTZAN-layout stimuli folder, as a cached artifact. The
 * library (src/models/train.ts) writes the checkpoints, curve, split,
 * per-checkpoint predictions and held-out tables; the stage adds what only it
 * knows: the run's identity (train.json) and eval/summary.json with the exact
 * binomial p of the clip accuracy.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { runStage } from '../pipeline/stage.js';
import { binomialUpperTail } from '../stats/binomial.js';
import { melOptions, toModelConfig, type ModelStagesFile } from '../models/config.js';
import type { ModelConfig } from '../models/ban.js';
import type { Clip, SplitName } from '../models/dataset.js';
import { writeTrainManifest, type TrainAblation, type TrainArch } from '../artifacts/train-manifest.js';
import { readTrainSummary, writeTrainSummary, type TrainSummary } from '../artifacts/train-evaluation.js';
import type { StageOutcome, StageTarget } from './outcome.js';
import { readStudyStimuli, stimuliFolder, studyStimuliTable, type StudyStimulus } from './stimuli.js';
import { KERNEL_NUMERICS } from '../models/kernels/numerics.js';

/** Bumped when the train outputs change for the same inputs (train-3: predictions of every epoch checkpoint). */
export const TRAIN_CODE_VERSION = `train-3+${KERNEL_NUMERICS}`;

export interface TrainStageOptions extends StageTarget {
  /** GTZAN-layout folder `<genre>/<clip>.{wav,au}`, with stimuli.tsv from synth or `data prepare`. */
  stimuli: string;
  config: ModelStagesFile;
  arch: TrainArch;
  ablation: TrainAblation;
  /** Model name in feature paths (default: the arch, or arch-ablation). */
  name?: string;
  /** Overrides the config's train.backend. */
  backend?: 'wasm' | 'cpu' | 'auto';
}

/** The architecture a train run builds: the config's model section for `arch`, ablated. Errors name `ablation`. */
export async function stageModelConfig(cfg: ModelStagesFile, arch: TrainArch, ablation: TrainAblation): Promise<ModelConfig> {
  if (arch === 'cnn' && ablation !== 'none') throw new InputError('ablation', 'ablations apply to arch ban');
  const { ablateConfig, parseModelConfig } = await import('../models/ban.js');
  const base = parseModelConfig(toModelConfig(cfg.model, arch), 'model');
  if (ablation === 'no-recurrence' || ablation === 'no-skip') return ablateConfig(base, ablation);
  if (ablation === 'fewer-areas') {
    if (base.areas.length < 2) throw new InputError('ablation', 'fewer-areas needs a model with at least two areas after A1');
    return ablateConfig(base, `areas:${base.areas.length - 1}`);
  }
  return base;
}

export function summaryLine(s: TrainSummary): string {
  const f = (v: number | null): string => (v !== null && Number.isFinite(v) ? v.toFixed(3) : 'n/a');
  return `${s.model}: test accuracy ${f(s.accuracy)} (windows), ${f(s.clip_accuracy)} (clips, n = ${s.n_test_clips}), chance ${f(s.chance)}`;
}

export async function runTrainStage(o: TrainStageOptions): Promise<StageOutcome> {
  const stimDir = stimuliFolder(o.stimuli);
  const name = o.name ?? (o.ablation === 'none' ? o.arch : `${o.arch}-${o.ablation}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InputError('name', `use letters, digits, '.', '_' or '-' (it names a folder), got "${name}"`);
  const train = { ...o.config.train, backend: o.backend ?? o.config.train.backend };
  const modelCfg = await stageModelConfig(o.config, o.arch, o.ablation);
  const mel = melOptions(o.config.model);
  const t0 = Date.now();
  const res = await runStage(
    {
      stage: 'train',
      codeVersion: TRAIN_CODE_VERSION,
      root: o.root,
      inputs: { stimuli: stimDir },
      params: { name, arch: o.arch, ablation: o.ablation, model: modelCfg, mel, train },
      seed: o.seed,
      stamp: o.stamp,
    },
    async ({ dir, runtime }) => {
      const { initBackend, trainingKernelThreads, wasmThreads } = await import('../models/backend.js');
      const { listGtzan, readClips, splitByFile } = await import('../models/dataset.js');
      const { trainOnClips } = await import('../models/train.js');
      const backend = await initBackend(train.backend, { threads: train.threads });
      const { classes, clips: refs } = listGtzan(stimDir);
      const ids = stimulusIds(
        stimDir,
        refs.map((r) => r.id),
      );
      let split: Map<string, SplitName>;
      if (train.split === 'random') {
        split = splitByFile(refs, { seed: o.seed, valFraction: train.valFraction, testFraction: train.testFraction });
      } else {
        const isTest = (id: string): boolean => ids.get(id)?.fmriSet === 'test';
        if (!refs.some((r) => isTest(r.id))) throw new InputError(studyStimuliTable(stimDir), 'train.split = fmri needs an fmri_set column with test clips');
        split = splitByFile(
          refs.filter((r) => !isTest(r.id)),
          { seed: o.seed, valFraction: train.valFraction, testFraction: 0 },
        );
        for (const r of refs) if (isTest(r.id)) split.set(r.id, 'test');
      }
      const epochSeconds: number[] = [];
      runtime.epochSeconds = epochSeconds;
      const result = await trainOnClips(readClips(refs, mel), classes, split, {
        outDir: dir,
        config: modelCfg,
        seed: o.seed,
        epochs: train.epochs,
        batchSize: train.batchSize,
        lr: train.lr,
        patience: train.patience,
        checkpointEvery: train.checkpointEvery,
        windowsPerClip: train.windowsPerClip,
        gainDb: train.gainDb,
        stimId: (c: Clip) => (ids.get(c.id) as StudyStimulus).stimId,
        onEpoch: (row) => epochSeconds.push(row.seconds),
      });
      const ev = result.evaluation;
      const chance = 1 / classes.length;
      const summary: TrainSummary = {
        model: name,
        arch: o.arch,
        ablation: o.ablation,
        accuracy: ev.accuracy,
        clip_accuracy: ev.clipAccuracy,
        chance,
        n_test_clips: ev.nClips,
        n_test_windows: ev.nWindows,
        clip_binomial_p: ev.nClips ? binomialUpperTail(ev.correctClips, ev.nClips, chance) : null,
        best_epoch: result.bestEpoch,
        epochs_run: result.history.length,
        n_parameters: result.model.parameterCount(),
        classes,
        backend,
        threads: backend === 'wasm' ? trainingKernelThreads() || wasmThreads() : null,
      };
      writeTrainSummary(dir, summary);
      writeTrainManifest(dir, { name, arch: o.arch, ablation: o.ablation, classes, mel, bestEpoch: result.bestEpoch, checkpoints: result.checkpoints });
      result.model.dispose();
      const wallSeconds = (Date.now() - t0) / 1000;
      runtime.wallSeconds = wallSeconds;
      notice(`train: ${summaryLine(summary)}; best epoch ${result.bestEpoch} of ${result.history.length}, ${wallSeconds.toFixed(0)} s on ${backend}`);
    },
  );
  return { key: res.key, dir: res.dir, upToDate: res.upToDate, summary: summaryLine(readTrainSummary(res.dir)) };
}

/**
 * The study stimulus of every clip the models library lists (`<genre>/<file>`):
 * by stimuli.tsv when the folder has one (a clip it lacks is an error), else by file name.
 */
function stimulusIds(stimDir: string, clipIds: string[]): Map<string, StudyStimulus> {
  const hasTable = fs.existsSync(studyStimuliTable(stimDir));
  const byClip = new Map(readStudyStimuli(stimDir).map((s) => [s.clip, s]));
  const out = new Map<string, StudyStimulus>();
  for (const clip of clipIds) {
    const hit = byClip.get(clip);
    if (!hit)
      throw new InputError(
        hasTable ? studyStimuliTable(stimDir) : stimDir,
        `clip ${clip} is in the folder but not in ${hasTable ? 'stimuli.tsv' : 'the clip list'}`,
      );
    out.set(clip, hit);
  }
  return out;
}

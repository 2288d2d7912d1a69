/**
 * The features stage: time-resolved feature spaces of every stimulus, as a
 * cached artifact the encode and decode stages read (layout:
 * src/artifacts/features.ts). From a train artifact: the activations of every
 * area and recurrent iteration of one checkpoint, or of every saved epoch
 * checkpoint. Baselines: the log-mel, spectrotemporal modulation energy
 * (stm), BAN / CNN with random weights, or `flat`, the log-mel copied into
 * every BAN area, a model with no area→ROI mapping (docs/bas.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { progress } from '../core/progress.js';
import { readTsv } from '../io/tsv.js';
import { runStage } from '../pipeline/stage.js';
import { melOptions, toModelConfig, type ModelStagesFile } from '../models/config.js';
import type { Stimulus } from '../models/activations.js';
import { BEST_CHECKPOINT, CHECKPOINT_CHOICE } from '../artifacts/checkpoints.js';
import { openTrainArtifact, type TrainArtifact } from '../artifacts/train.js';
import { writeFeatureSeries, writeFeatureSet } from '../artifacts/features.js';
import { readStudyStimuli, stimuliFolder, type StudyStimulus } from './stimuli.js';
import { clipRowsOf, describeSpace, networkSpaces, storedSpaces, type FeatureBaseline, type NamedSpace, type PcaFit } from './features-spaces.js';
import type { StageOutcome, StageTarget } from './outcome.js';
import { ONNX_FEATURES_VERSION, type OnnxModel } from '../models/onnx/config.js';
import { KERNEL_NUMERICS } from '../models/kernels/numerics.js';

/** Bumped when the features outputs change for the same inputs (features-3: an epoch checkpoint is named as saved, epoch-NNNN). */
export const FEATURES_CODE_VERSION = `features-3+${KERNEL_NUMERICS}`;

export interface FeaturesStageOptions extends StageTarget {
  stimuli: string;
  config: ModelStagesFile;
  /** A train artifact folder (its checkpoints; with a baseline: its split and architecture). */
  trainDir: string | null;
  baseline: FeatureBaseline | null;
  /** An ONNX model declared in the config (src/models/onnx/): its layers are the areas. */
  onnx?: OnnxModel | null;
  /** best, all or epoch-N (default: features.checkpoint of the config). */
  checkpoint?: string;
  /** Rows per second, Hz (default features.rate, else 1/features.tr). */
  rate?: number;
  /** Principal components per space (default features.pca). */
  pca?: number;
  /** PCA fit set without a train artifact: ids one per line, or a TSV with stim_id [split]. */
  pcaFit?: string;
  backend?: 'wasm' | 'cpu' | 'auto';
}

/** Stimulus ids of the PCA fit set from a list file: one id per line, or a TSV with stim_id (and split: only split = train rows). */
function readIdList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, 'cannot read the list of training stimuli');
  }
  if (text.split('\n')[0].includes('\t')) {
    const t = readTsv(file);
    if (!t.columns.includes('stim_id')) throw new InputError(file, 'a TSV list needs a stim_id column');
    return t.rows.filter((r) => !t.columns.includes('split') || r.split === 'train').map((r) => r.stim_id);
  }
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const trainIds = (train: TrainArtifact): string[] =>
  train
    .split()
    .filter((r) => r.split === 'train')
    .map((r) => r.stimId);

/** The PCA fit set: the model's training clips, a given list, or the clips of the fMRI training runs. */
function pcaFitSet(o: FeaturesStageOptions, train: TrainArtifact | null, stims: StudyStimulus[], components: number): PcaFit {
  let fit: { ids: string[]; source: string };
  if (train) fit = { ids: trainIds(train), source: 'split.tsv of the train artifact (split = train)' };
  else if (o.pcaFit !== undefined) fit = { ids: readIdList(o.pcaFit), source: o.pcaFit };
  else {
    if (!stims.some((s) => s.fmriSet !== null))
      throw new InputError('pca', 'needs the training stimuli: a train artifact, a PCA fit list, or a stimuli.tsv with fmri_set');
    fit = { ids: stims.filter((s) => s.fmriSet === 'train').map((s) => s.stimId), source: 'stimuli.tsv (fmri_set = train)' };
  }
  const known = new Set(stims.map((s) => s.stimId));
  const unknown = fit.ids.filter((id) => !known.has(id));
  if (unknown.length) throw new InputError('pcaFit', `training stimuli not among the clips: ${unknown.slice(0, 3).join(', ')}`);
  if (fit.ids.length === 0) throw new InputError('pca', 'the PCA fit set is empty');
  return { components, ...fit };
}

export async function runFeaturesStage(o: FeaturesStageOptions): Promise<StageOutcome> {
  const cfg = o.config;
  const fc = cfg.features;
  const onnx = o.onnx ?? null;
  if (o.trainDir === null && o.baseline === null && onnx === null)
    throw new InputError('options', 'give a train artifact (model), an ONNX model or a baseline');
  if (onnx && (o.baseline !== null || o.trainDir !== null || o.checkpoint !== undefined))
    throw new InputError('onnx', 'an ONNX model takes neither a baseline, a train artifact nor a checkpoint');
  if (o.baseline !== null && o.checkpoint !== undefined) throw new InputError('checkpoint', 'a baseline has no checkpoints');
  const stimDir = stimuliFolder(o.stimuli);
  const rate = o.rate ?? fc.rate ?? 1 / fc.tr;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new InputError('rate', `must be a positive number of Hz, got ${String(o.rate)}`);
  const components = o.pca ?? fc.pca;
  if (components !== null && (!Number.isInteger(components) || components < 1))
    throw new InputError('pca', `expected a positive integer, got ${String(o.pca)}`);
  const train = o.trainDir ? openTrainArtifact(o.trainDir) : null;
  const checkpoint = o.baseline || onnx ? null : (o.checkpoint ?? fc.checkpoint);
  if (checkpoint !== null && !CHECKPOINT_CHOICE.test(checkpoint)) throw new InputError('checkpoint', `expected best, all or epoch-NNNN, got "${checkpoint}"`);
  let checkpoints: string[] = [];
  if (train && checkpoint === 'all') {
    checkpoints = train.epochCheckpoints();
    if (checkpoints.length === 0) throw new InputError('checkpoint', `${train.dir} saved no epoch checkpoints (train.checkpointEvery = 0)`);
  } else if (train && checkpoint !== null) checkpoints = [train.checkpoint(checkpoint).name];
  const modelName = onnx?.name ?? o.baseline ?? (train as TrainArtifact).manifest().name;
  const mel = train?.manifest().mel ?? melOptions(cfg.model);
  const stims = readStudyStimuli(stimDir);
  const pca = components === null ? null : pcaFitSet(o, train, stims, components);
  const backendKind = o.backend ?? cfg.train.backend;
  const inputs: Record<string, string> = { stimuli: stimDir };
  if (o.trainDir) inputs.model = o.trainDir;
  if (onnx) inputs.model = path.resolve(onnx.file);
  const params = {
    model: modelName,
    baseline: o.baseline,
    checkpoint,
    rate,
    pca: components,
    fitIds: pca?.ids ?? null,
    mel,
    reduce: { freqBins: fc.freqBins, iterations: fc.iterations },
    modulation: o.baseline === 'stm' ? fc.modulation : null,
    // A random network's architecture comes from the config only when no train artifact gives it.
    architecture: o.baseline === 'random-ban' || o.baseline === 'cnn-random' ? (train ? 'from --model' : cfg.model) : null,
    backend: o.baseline === 'logmel' || o.baseline === 'stm' || onnx ? null : backendKind,
    // Only present for ONNX models, so the keys of every other features artifact stay as they were.
    ...(onnx ? { onnx, onnxVersion: ONNX_FEATURES_VERSION } : {}),
  };
  let line = `${modelName}${checkpoint ? ` (${checkpoint})` : ''}`;
  const res = await runStage(
    { stage: 'features', codeVersion: FEATURES_CODE_VERSION, root: o.root, inputs, params, seed: o.seed, stamp: o.stamp },
    async ({ dir }) => {
      const { readAudio } = await import('../io/audio.js');
      const acts = await import('../models/activations.js');
      const { logMelStats, toMono } = await import('../models/features.js');
      // An ONNX model takes the audio at its own rate, not BAN's log-mel.
      const onnxLib = onnx ? await import('../models/onnx/features.js') : null;
      const clips = onnxLib ? onnxLib.readClips(stims) : null;
      const stimuli: Stimulus[] = clips
        ? clips.map((c) => ({ id: c.id, mel: { data: new Float32Array(0), nMels: 0, nFrames: 0, frameRate: 0 }, duration: c.audio.length / c.sr }))
        : stims.map((s) => {
            const w = readAudio(s.file);
            try {
              return acts.stimulusFromAudio(s.stimId, toMono(w.channels), w.sampleRate, mel);
            } catch (e) {
              if (e instanceof InputError) throw new InputError(s.file, e.problem);
              throw e;
            }
          });
      const about = onnx ? { ...describeSpace(null, fc.freqBins), units: 'layer output (arbitrary units)' } : describeSpace(o.baseline, fc.freqBins);
      const trainKey = train ? path.basename(train.dir) : null;
      const write = (outDir: string, ck: string | null, spaces: NamedSpace[], source: Record<string, unknown>): void => {
        const clips = clipRowsOf(stimuli, spaces[0].space);
        writeFeatureSet(
          outDir,
          { model: modelName, checkpoint: ck, rate, areas: [...new Set(spaces.map((s) => s.area))], source },
          clips,
          storedSpaces(acts, spaces, clips, pca, about),
        );
      };
      const bar = progress('features', Math.max(1, checkpoints.length) * stimuli.length);
      if (onnx && onnxLib && clips) {
        const { onnxActivations } = await import('../models/onnx/activations.js');
        const spaces = await onnxActivations(onnx, clips, { rate, freqBins: fc.freqBins, onClip: () => bar.tick() });
        bar.done();
        write(
          dir,
          null,
          spaces.map((s) => ({ area: s.layer.area, iteration: 0, space: s.space })),
          onnxLib.onnxSource(onnx, spaces),
        );
        line = `${onnx.name}: ${spaces.length} layers at ${rate.toFixed(4)} Hz`;
        return;
      }
      if (o.baseline === 'logmel' || o.baseline === 'stm') {
        const space =
          o.baseline === 'logmel'
            ? acts.logMelFeatures(stimuli, { rate })
            : acts.modulationFeatures(stimuli, { rate, freqBins: fc.freqBins, rates: fc.modulation.rates, scales: fc.modulation.scales });
        bar.done();
        write(dir, null, [{ area: o.baseline, iteration: 0, space }], { baseline: o.baseline, split_from: trainKey });
        line = `${o.baseline}: ${space.nFeatures} features × ${space.stimuli.reduce((s, x) => s + x.nT, 0)} rows at ${rate.toFixed(4)} Hz`;
        return;
      }
      if (o.baseline === 'flat') {
        // The same features in every area: s_r's specificity term is 0 by construction, so this
        // model isolates what the area→ROI mapping adds (docs/bas.md). Area names are BAN's, from
        // the config's model section, so the align stage pairs them with ROIs.
        const areas = ['a1', ...cfg.model.areas.map((x) => x.name)];
        const space = acts.logMelFeatures(stimuli, { rate });
        bar.done();
        write(
          dir,
          null,
          areas.map((area) => ({ area, iteration: 0, space })),
          { baseline: 'flat', copied: 'logmel', areas, area_names_from: 'config model section' },
        );
        line = `flat: the log-mel (${space.nFeatures} features) in each of ${areas.join(', ')} at ${rate.toFixed(4)} Hz`;
        return;
      }
      const { initBackend } = await import('../models/backend.js');
      await initBackend(backendKind, { threads: cfg.train.threads });
      const { readCheckpoint, readCheckpointManifest } = await import('../models/checkpoint.js');
      const { createModel } = await import('../models/ban.js');
      if (o.baseline === 'random-ban' || o.baseline === 'cnn-random') {
        const kind = o.baseline === 'random-ban' ? 'ban' : 'cnn';
        const base = train ? readCheckpointManifest(train.checkpoint(BEST_CHECKPOINT).dir).config : { ...toModelConfig(cfg.model, kind), nClasses: 10 };
        // Input normalisation as training would set it: log-mel mean and sd of the training clips
        // (the train artifact's split, else the PCA fit set, else all clips).
        const fitIds = train ? new Set(trainIds(train)) : pca ? new Set(pca.ids) : null;
        const norm = logMelStats(stimuli.filter((s) => !fitIds || fitIds.has(s.id)).map((s) => s.mel.data));
        const model = createModel({ ...base, kind, inputMean: norm.mean, inputStd: norm.std }, o.seed);
        const spaces = networkSpaces(acts, model, stimuli, fc, rate, () => bar.tick());
        model.dispose();
        bar.done();
        write(dir, null, spaces, { baseline: o.baseline, seed: o.seed, architecture_from: trainKey ?? 'config model section', split_from: trainKey });
        line = `${o.baseline}: ${spaces.length} area × iteration spaces at ${rate.toFixed(4)} Hz`;
        return;
      }
      const t = train as TrainArtifact;
      for (const ck of checkpoints) {
        const { dir: ckDir } = t.checkpoint(ck);
        const { model, meta } = readCheckpoint(ckDir);
        const spaces = networkSpaces(acts, model, stimuli, fc, rate, () => bar.tick());
        model.dispose();
        write(checkpoint === 'all' ? path.join(dir, ck) : dir, ck, spaces, {
          train_artifact: trainKey,
          checkpoint: path.relative(t.dir, ckDir),
          epoch: typeof meta.epoch === 'number' ? meta.epoch : null,
        });
      }
      bar.done();
      if (checkpoint === 'all') writeFeatureSeries(dir, { model: modelName, checkpoints, rate, source: { train_artifact: trainKey } });
      line = `${modelName} ${checkpoint === 'all' ? `${checkpoints.length} checkpoints` : checkpoints[0]} at ${rate.toFixed(4)} Hz`;
    },
  );
  return { key: res.key, dir: res.dir, upToDate: res.upToDate, summary: line };
}

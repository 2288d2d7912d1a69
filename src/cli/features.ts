/**
 * `brainalign features`: time-resolved feature spaces of every stimulus, as a
 * cached stage the encode and decode stages read. From a train artifact
 * (`--model`): the activations of every area and recurrent iteration of a
 * checkpoint (or of every saved checkpoint, for alignment over training).
 * Baselines (`--baseline`): the log-mel, spectrotemporal modulation energy
 * (stm), BAN / CNN with random weights, or `flat`: the log-mel copied into
 * every BAN area, a model with no area→ROI mapping (docs/bas.md).
 *
 * Layout (src/encoding/feature-store.ts reads it): `stimuli.tsv` (stim_id,
 * row_start, n_rows), `features.json`, and `<model>/<area>/iter-<k>.npy`
 * ((Σ rows) × features, float32) with a `.json` sidecar each; row k of a clip
 * covers [k/rate, (k+1)/rate) s of it. With `--checkpoint all` each saved
 * checkpoint gets a folder `epoch-NNNN/` holding that same layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { progress } from '../core/progress.js';
import { readTsv, writeTsv } from '../io/tsv.js';
import { writeNpy } from '../io/npy.js';
import { firstNonFinite } from '../core/finite.js';
import { isAudioFile, stripAudioExtension } from '../io/audio.js';
import { resolveArtifact, runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { modelStagesFileSchema, melOptions, toModelConfig, type ModelStagesFile } from '../models/config.js';
import type { FeatureSpace, Stimulus } from '../models/activations.js';
import type { AudioNet } from '../models/ban.js';
import { defineVerb, loadConfig, withStageOptions } from './framework.js';
import type { TrainManifest } from './train.js';
import { ONNX_FEATURES_VERSION, onnxFileSchema, type OnnxModel } from '../models/onnx/config.js';

/** Bumped when the features outputs change for the same inputs. */
const CODE_VERSION = 'features-2';

const BASELINES = ['logmel', 'stm', 'random-ban', 'cnn-random', 'flat'] as const;
type Baseline = (typeof BASELINES)[number];

interface StimEntry {
  stimId: string;
  file: string;
}

/** Clips in stimuli.tsv order (paths relative to the study root, i.e. the stimuli folder's parent), else <genre>/*.{wav,au} sorted. */
function listStimuli(stimDir: string): StimEntry[] {
  const tsv = path.join(stimDir, 'stimuli.tsv');
  if (fs.existsSync(tsv)) {
    const t = readTsv(tsv);
    for (const c of ['stim_id', 'path']) if (!t.columns.includes(c)) throw new InputError(tsv, `missing column "${c}"`);
    return t.rows.map((r) => {
      const rel = r.path.split('/').slice(-2).join('/');
      const file = path.join(stimDir, rel);
      if (!fs.existsSync(file)) throw new InputError(tsv, `clip ${r.stim_id}: ${rel} not found in ${stimDir}`);
      return { stimId: r.stim_id, file };
    });
  }
  const out: StimEntry[] = [];
  for (const g of fs.readdirSync(stimDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of fs.readdirSync(path.join(stimDir, g)).filter(isAudioFile).sort()) {
      out.push({ stimId: stripAudioExtension(f), file: path.join(stimDir, g, f) });
    }
  }
  if (out.length === 0) throw new InputError(stimDir, 'no stimuli.tsv and no <genre>/*.wav or *.au clips');
  return out;
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
  return text.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** One checkpoint folder of a train artifact by name: best, or epoch-N matched by number (any zero padding). */
function checkpointDir(trainDir: string, name: string): string {
  const root = path.join(trainDir, 'checkpoints');
  if (name === 'best') return path.join(root, 'best');
  const n = Number(/^epoch-(\d+)$/.exec(name)?.[1]);
  const hit = fs.existsSync(root) ? fs.readdirSync(root).find((d) => /^epoch-\d+$/.test(d) && Number(d.slice(6)) === n) : undefined;
  if (!hit) throw new InputError('--checkpoint', `${trainDir} has no checkpoint ${name} (saved: ${savedEpochs(trainDir).join(', ') || 'none'})`);
  return path.join(root, hit);
}

function savedEpochs(trainDir: string): string[] {
  const root = path.join(trainDir, 'checkpoints');
  return fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^epoch-\d+$/.test(d)).sort() : [];
}

function readManifest(trainDir: string): TrainManifest {
  const f = path.join(trainDir, 'train.json');
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as TrainManifest;
  } catch {
    throw new InputError(trainDir, '--model: not a train artifact (no readable train.json)');
  }
}

export default defineVerb({
  command: 'features',
  describe: 'feature spaces per area and recurrent iteration of a trained model (or a baseline) at a given row rate, for encoding and decoding',
  builder: (y) =>
    withStageOptions(y)
      .option('model', { type: 'string', describe: 'train stamp or artifact folder (its checkpoints; with --baseline: its split and architecture)' })
      .option('checkpoint', { type: 'string', describe: 'best, all or epoch-NNNN (default: features.checkpoint of the config)' })
      .option('baseline', { choices: BASELINES, describe: 'instead of a trained model: log-mel, spectrotemporal modulation energy, BAN/CNN with random weights, or flat (the log-mel in every BAN area)' })
      .option('stimuli', { type: 'string', describe: 'stimuli folder (<genre>/<genre>.000NN.wav, stimuli.tsv)' })
      .option('onnx', { type: 'string', describe: 'an ONNX model declared under onnx.models of the config, by name (or give --model X.onnx)' })
      .option('list-layers', { type: 'boolean', describe: 'with --model X.onnx: list its candidate layers and exit' })
      .option('rate', { type: 'number', describe: 'rows per second, Hz (default 1/TR from the config: 1/1.5 s for fMRI)' })
      .option('pca', { type: 'number', describe: 'reduce each space to K principal components fitted on training stimuli only' })
      .option('pca-fit', { type: 'string', describe: 'training stimuli for PCA when --model is not given: ids one per line, or a TSV with stim_id [split]' })
      .option('backend', { choices: ['wasm', 'cpu', 'auto'] as const, describe: 'tfjs backend (default: train.backend of the config)' }),
  run: async (a) => {
    const cfg: ModelStagesFile = loadConfig(a.config, modelStagesFileSchema);
    const fc = cfg.features;
    // ── ONNX models: src/models/onnx/ (docs/onnx-models.md) ──
    const onnxLib = a.onnx !== undefined || a['list-layers'] || /\.onnx$/i.test(a.model ?? '') ? await import('../models/onnx/features.js') : null;
    if (onnxLib && a['list-layers']) {
      if (!onnxLib.isOnnxPath(a.model)) throw new InputError('--list-layers', 'needs --model X.onnx');
      process.stdout.write(onnxLib.listLayers(a.model));
      return;
    }
    const onnx = onnxLib ? onnxLib.onnxModelFor(loadConfig(a.config, onnxFileSchema).onnx, a, a.config) : null;
    if (onnx && (a.baseline !== undefined || a.checkpoint !== undefined)) throw new InputError('--onnx', 'an ONNX model takes neither --baseline nor --checkpoint');
    // ──
    if (a.model === undefined && a.baseline === undefined && !onnx) throw new InputError('options', 'give --model (a train artifact or an .onnx file), --onnx or --baseline');
    if (a.stimuli === undefined) throw new InputError('--stimuli', 'the stimuli folder is required');
    if (a.baseline !== undefined && a.checkpoint !== undefined) throw new InputError('--checkpoint', 'a baseline has no checkpoints');
    const stimDir = path.resolve(a.stimuli);
    if (!fs.existsSync(stimDir) || !fs.statSync(stimDir).isDirectory()) throw new InputError(a.stimuli, 'no such stimuli folder');
    const rate = a.rate ?? fc.rate ?? 1 / fc.tr;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new InputError('--rate', `must be a positive number of Hz, got ${String(a.rate)}`);
    const pca = a.pca ?? fc.pca;
    if (pca !== null && (!Number.isInteger(pca) || pca < 1)) throw new InputError('--pca', `expected a positive integer, got ${String(a.pca)}`);
    const trainDir = a.model !== undefined && !onnx ? resolveArtifact(a.model, '--model') : null;
    const manifest = trainDir ? readManifest(trainDir) : null;
    const checkpoint = a.baseline || onnx ? null : (a.checkpoint ?? fc.checkpoint);
    if (checkpoint !== null && !/^(best|all|epoch-\d+)$/.test(checkpoint)) throw new InputError('--checkpoint', `expected best, all or epoch-NNNN, got "${checkpoint}"`);
    const checkpoints = checkpoint === 'all' ? savedEpochs(trainDir as string) : checkpoint ? [checkpoint] : [];
    if (checkpoint === 'all' && checkpoints.length === 0) throw new InputError('--checkpoint', `${trainDir} saved no epoch checkpoints (train.checkpointEvery = 0)`);
    if (checkpoint && checkpoint !== 'all') checkpointDir(trainDir as string, checkpoint);
    const modelName = onnx?.name ?? a.baseline ?? (manifest as TrainManifest).name;
    const mel = manifest?.mel ?? melOptions(cfg.model);
    const stims = listStimuli(stimDir);
    // The PCA fit set: the model's training clips, a given list, or the clips of the fMRI training runs.
    let fitIds: string[] | null = null;
    let fitSource = '';
    if (pca !== null) {
      if (trainDir) {
        fitIds = readTsv(path.join(trainDir, 'split.tsv')).rows.filter((r) => r.split === 'train').map((r) => r.stim_id);
        fitSource = 'split.tsv of the train artifact (split = train)';
      } else if (a['pca-fit'] !== undefined) {
        fitIds = readIdList(a['pca-fit']);
        fitSource = a['pca-fit'];
      } else {
        const tsv = path.join(stimDir, 'stimuli.tsv');
        const t = fs.existsSync(tsv) ? readTsv(tsv) : null;
        if (!t || !t.columns.includes('fmri_set')) throw new InputError('--pca', 'needs the training stimuli: --model, --pca-fit, or a stimuli.tsv with fmri_set');
        fitIds = t.rows.filter((r) => r.fmri_set === 'train').map((r) => r.stim_id);
        fitSource = 'stimuli.tsv (fmri_set = train)';
      }
      const known = new Set(stims.map((s) => s.stimId));
      const unknown = fitIds.filter((id) => !known.has(id));
      if (unknown.length) throw new InputError('--pca-fit', `training stimuli not among the clips: ${unknown.slice(0, 3).join(', ')}`);
      if (fitIds.length === 0) throw new InputError('--pca', 'the PCA fit set is empty');
    }
    const backendKind = a.backend ?? cfg.train.backend;
    const inputs: Record<string, string> = { stimuli: stimDir };
    if (trainDir) inputs.model = trainDir;
    if (onnx) inputs.model = path.resolve(onnx.file);
    const params = {
      model: modelName, baseline: a.baseline ?? null, checkpoint, rate, pca, fitIds, mel,
      reduce: { freqBins: fc.freqBins, iterations: fc.iterations },
      modulation: a.baseline === 'stm' ? fc.modulation : null,
      // A random network's architecture comes from the config only when no train artifact gives it.
      architecture: a.baseline === 'random-ban' || a.baseline === 'cnn-random' ? (trainDir ? 'from --model' : cfg.model) : null,
      backend: a.baseline === 'logmel' || a.baseline === 'stm' || onnx ? null : backendKind,
      ...(onnx ? { onnx, onnxVersion: ONNX_FEATURES_VERSION } : {}),
    };
    let line = '';
    const res = await runStage(
      { stage: 'features', codeVersion: CODE_VERSION, root: a.out ?? DEFAULT_ROOT, inputs, params, seed: a.seed, stamp: a.stamp },
      async ({ dir, key }) => {
        line = await featuresStage({
          dir, key, cfg, stims, mel, rate, pca, fitIds, fitSource, modelName, baseline: a.baseline ?? null,
          trainDir, checkpoints, all: checkpoint === 'all', seed: a.seed, backendKind, threads: cfg.train.threads, onnx,
        });
      },
    );
    if (res.upToDate) line = `${modelName}${checkpoint ? ` (${checkpoint})` : ''}`;
    process.stdout.write(`features: ${res.upToDate ? 'up to date' : 'done'} (${res.key}); ${line}\n`);
  },
});

interface FeaturesStageArgs {
  dir: string;
  key: string;
  cfg: ModelStagesFile;
  stims: StimEntry[];
  mel: { sr: number; nFft: number; hop: number; nMels: number };
  rate: number;
  pca: number | null;
  fitIds: string[] | null;
  fitSource: string;
  modelName: string;
  baseline: Baseline | null;
  trainDir: string | null;
  checkpoints: string[];
  all: boolean;
  seed: number;
  backendKind: 'wasm' | 'cpu' | 'auto';
  threads: number;
  onnx: OnnxModel | null;
}

/** A feature space as the store lays it out: area folder name and iteration. */
interface Named {
  area: string;
  iteration: number;
  space: FeatureSpace;
}

/** `<area>.<iteration>` (modelActivations) → area and iteration; a plain name → iteration 0. */
function splitName(space: FeatureSpace): { area: string; iteration: number } {
  const m = /^(.+)\.(\d+)$/.exec(space.name);
  return m ? { area: m[1], iteration: Number(m[2]) } : { area: space.name, iteration: 0 };
}

async function featuresStage(o: FeaturesStageArgs): Promise<string> {
  const { readAudio } = await import('../io/audio.js');
  const acts = await import('../models/activations.js');
  const { toMono } = await import('../models/features.js');
  // ── An ONNX model takes the audio at its own rate, not BAN's log-mel (src/models/onnx/).
  const onnxLib = o.onnx ? await import('../models/onnx/features.js') : null;
  const clips = onnxLib ? onnxLib.readClips(o.stims) : null;
  const stimuli: Stimulus[] = clips ? clips.map((c) => ({ id: c.id, mel: { data: new Float32Array(0), nMels: 0, nFrames: 0, frameRate: 0 }, duration: c.audio.length / c.sr })) : o.stims.map((s) => {
    const w = readAudio(s.file);
    try {
      return acts.stimulusFromAudio(s.stimId, toMono(w.channels), w.sampleRate, o.mel);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(s.file, e.problem);
      throw e;
    }
  });
  const fc = o.cfg.features;
  const reduce = { rate: o.rate, freqBins: fc.freqBins };
  const writeSet = (outDir: string, checkpoint: string | null, spaces: Named[], source: Record<string, unknown>): void => {
    let start = 0;
    const rows = stimuli.map((s, i) => {
      const n = spaces[0].space.stimuli[i].nT;
      const r = { stim_id: s.id, row_start: start, n_rows: n, duration: s.duration };
      start += n;
      return r;
    });
    writeTsv(path.join(outDir, 'stimuli.tsv'), ['stim_id', 'row_start', 'n_rows', 'duration'], rows, {
      stim_id: { Description: 'stimulus id (stimuli.tsv of the study)' },
      row_start: { Description: 'first row of this clip in every iter-<k>.npy' },
      n_rows: { Description: `rows of this clip: floor(duration × rate), at least 1; row k covers [k/rate, (k+1)/rate) s` },
      duration: { Description: 'clip duration', Units: 's' },
    });
    writeJsonAtomic(path.join(outDir, 'features.json'), {
      model: o.modelName, checkpoint, rate: o.rate, rows: start, areas: [...new Set(spaces.map((s) => s.area))], source,
    });
    for (const { area, iteration, space } of spaces) {
      let data = new Float32Array(start * space.nFeatures);
      let nF = space.nFeatures;
      let pcaInfo: Record<string, unknown> | null = null;
      let sp = space;
      if (o.pca !== null && o.fitIds) {
        const r = acts.pcaReduce(space, o.fitIds, o.pca);
        sp = r.space;
        nF = sp.nFeatures;
        data = new Float32Array(start * nF);
        pcaInfo = { components: nF, requested: o.pca, input_features: space.nFeatures, explained_variance: r.explained, fitted_on: `${o.fitIds.length} stimuli: ${o.fitSource}`, centred: true, scaled: false };
      }
      sp.stimuli.forEach((s, i) => data.set(s.data, rows[i].row_start * nF));
      // No artifact of NaN may be stamped: the encoders downstream would report every r as n/a.
      const bad = firstNonFinite(data);
      if (bad >= 0) {
        const row = Math.floor(bad / nF);
        const clip = rows.find((r) => row >= r.row_start && row < r.row_start + r.n_rows);
        throw new InputError(clip ? `stimulus ${clip.stim_id}` : '--stimuli', `${o.modelName}/${area} iteration ${iteration} gives ${data[bad]} at row ${row}; the audio or the network's weights are not finite`);
      }
      const file = path.join(outDir, o.modelName, area, `iter-${iteration}.npy`);
      writeNpy(file, data, [start, nF]);
      writeJsonAtomic(file.replace(/\.npy$/, '.json'), {
        model: o.modelName, checkpoint, area, iteration, shape: [start, nF], dtype: 'float32', axes: ['row', 'feature'],
        rate: o.rate, rate_units: 'Hz',
        windowing: `rows are consecutive windows of 1/rate s of each clip in stimuli.tsv order; a row averages the area's time columns whose centre lies in it (nearest column when none does); features are channels × bins, bins = ${o.baseline === 'logmel' || o.baseline === 'flat' ? 'every mel band (one channel)' : `min(${fc.freqBins}, the area's frequency rows)`}, average-pooled over frequency (index c·bins + b)`,
        units: o.onnx ? 'layer output (arbitrary units)' : o.baseline === 'logmel' || o.baseline === 'flat' ? 'dB' : o.baseline === 'stm' ? 'modulation energy (dB²)' : 'post-ReLU activation (arbitrary units)',
        pca: pcaInfo, source,
      });
    }
  };
  const relabel = (spaces: FeatureSpace[]): Named[] => spaces.map((space) => ({ ...splitName(space), space }));
  const bar = progress('features', Math.max(1, o.checkpoints.length) * stimuli.length);
  const run = (model: AudioNet): Named[] => {
    // One clip at a time so the bar moves; spaces concatenate in stimulus order.
    const per = stimuli.map((s) => {
      const r = acts.modelActivations(model, [s], { ...reduce, iterations: fc.iterations });
      bar.tick();
      return r;
    });
    return relabel(per[0].map((first, j) => ({
      name: first.name, nFeatures: first.nFeatures,
      stimuli: per.map((p) => p[j].stimuli[0]),
      clipMean: concat(per.map((p) => p[j].clipMean)),
    })));
  };
  const trainKey = o.trainDir ? path.basename(o.trainDir) : null;
  if (o.onnx && onnxLib && clips) {
    const { onnxActivations } = await import('../models/onnx/activations.js');
    const spaces = await onnxActivations(o.onnx, clips, { ...reduce, onClip: () => bar.tick() });
    bar.done();
    writeSet(o.dir, null, spaces.map((s) => ({ area: s.layer.area, iteration: 0, space: s.space })), onnxLib.onnxSource(o.onnx, spaces));
    return `${o.onnx.name}: ${spaces.length} layers at ${o.rate.toFixed(4)} Hz`;
  }
  // ──
  if (o.baseline === 'logmel' || o.baseline === 'stm') {
    const space = o.baseline === 'logmel'
      ? acts.logMelFeatures(stimuli, { rate: o.rate })
      : acts.modulationFeatures(stimuli, { ...reduce, rates: o.cfg.features.modulation.rates, scales: o.cfg.features.modulation.scales });
    bar.done();
    writeSet(o.dir, null, [{ area: o.baseline, iteration: 0, space }], { baseline: o.baseline, split_from: trainKey });
    return `${o.baseline}: ${space.nFeatures} features × ${space.stimuli.reduce((s, x) => s + x.nT, 0)} rows at ${o.rate.toFixed(4)} Hz`;
  }
  if (o.baseline === 'flat') {
    // The same features in every area: s_r's specificity term is 0 by construction, so this
    // model isolates what the area→ROI mapping adds (docs/bas.md). Area names are BAN's, from
    // the config's model section, so the align stage pairs them with ROIs.
    const areas = ['a1', ...o.cfg.model.areas.map((x) => x.name)];
    const space = acts.logMelFeatures(stimuli, { rate: o.rate });
    bar.done();
    writeSet(o.dir, null, areas.map((area) => ({ area, iteration: 0, space })), { baseline: 'flat', copied: 'logmel', areas, area_names_from: 'config model section' });
    return `flat: the log-mel (${space.nFeatures} features) in each of ${areas.join(', ')} at ${o.rate.toFixed(4)} Hz`;
  }
  const { initBackend } = await import('../models/backend.js');
  await initBackend(o.backendKind, { threads: o.threads });
  const { loadCheckpoint, readCheckpointManifest } = await import('../models/checkpoint.js');
  const { createModel } = await import('../models/ban.js');
  if (o.baseline === 'random-ban' || o.baseline === 'cnn-random') {
    const kind = o.baseline === 'random-ban' ? 'ban' : 'cnn';
    const base = o.trainDir ? readCheckpointManifest(checkpointDir(o.trainDir, 'best')).config : { ...toModelConfig(o.cfg.model, kind), nClasses: 10 };
    // Input normalisation as training would set it: log-mel mean and sd of the training clips
    // (--model's split, else the PCA fit set, else all clips).
    const trainIds = o.trainDir ? readTsv(path.join(o.trainDir, 'split.tsv')).rows.filter((r) => r.split === 'train').map((r) => r.stim_id) : o.fitIds;
    const fit = trainIds ? new Set(trainIds) : null;
    let n = 0, s1 = 0, s2 = 0;
    for (const s of stimuli) {
      if (fit && !fit.has(s.id)) continue;
      for (const v of s.mel.data) { n++; s1 += v; s2 += v * v; }
    }
    const mean = s1 / n;
    const model = createModel({ ...base, kind, inputMean: mean, inputStd: Math.sqrt(Math.max(s2 / n - mean * mean, 1e-12)) }, o.seed);
    const spaces = run(model);
    model.dispose();
    bar.done();
    writeSet(o.dir, null, spaces, { baseline: o.baseline, seed: o.seed, architecture_from: trainKey ?? 'config model section', split_from: trainKey });
    return `${o.baseline}: ${spaces.length} area × iteration spaces at ${o.rate.toFixed(4)} Hz`;
  }
  const trainDir = o.trainDir as string;
  for (const ck of o.checkpoints) {
    const ckDir = checkpointDir(trainDir, ck);
    const { model, meta } = loadCheckpoint(ckDir);
    const spaces = run(model);
    model.dispose();
    const name = o.all ? path.basename(ckDir) : ck;
    writeSet(o.all ? path.join(o.dir, name) : o.dir, name, spaces, {
      train_artifact: trainKey, checkpoint: path.relative(trainDir, ckDir), epoch: typeof meta.epoch === 'number' ? meta.epoch : null,
    });
  }
  bar.done();
  if (o.all) {
    writeJsonAtomic(path.join(o.dir, 'features.json'), { model: o.modelName, checkpoints: o.checkpoints, rate: o.rate, source: { train_artifact: trainKey } });
    fs.copyFileSync(path.join(o.dir, o.checkpoints[0], 'stimuli.tsv'), path.join(o.dir, 'stimuli.tsv'));
    fs.copyFileSync(path.join(o.dir, o.checkpoints[0], 'stimuli.json'), path.join(o.dir, 'stimuli.json'));
  }
  return `${o.modelName} ${o.all ? `${o.checkpoints.length} checkpoints` : o.checkpoints[0]} at ${o.rate.toFixed(4)} Hz`;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The mini-study as in-memory values: stimuli with their planted truth and
 * features, fMRI designs and planted brains, EEG recordings and behaviour.
 * Every part draws from its own labelled Rng stream, so the study is a pure
 * function of (config, seed) and changing one size does not reshuffle the rest.
 */
import { Rng } from '../core/prng.js';
import { amplitudeEnvelope, spectralFlux } from '../signal/envelope.js';
import { plantStudyAmbiguity, simulatePanel, type BehaviourTrial, type ClipAmbiguity } from './behaviour.js';
import type { GenreName, SynthConfig } from './config.js';
import { backgroundEeg, MONTAGE_16, MONTAGE_32, plantEeg, plantedResponse, type EegArtefacts, type PlantedEeg } from './eeg.js';
import { clipFeatures, featureNames, standardiseColumns } from './features.js';
import {
  chooseTestStims,
  designRuns,
  FEATURE_SPACES,
  plantBrain,
  runRegressors,
  type FeatureSpace,
  type PlantedBrain,
  type RunDesign,
  type SpaceFeatures,
} from './fmri.js';
import { buildLayout, type BrainLayout } from './layout.js';
import { BLEND_GROUPS, synthesiseClip, type ClipTruth } from './music.js';

export interface Stimulus {
  /** GTZAN-style id, e.g. "blues.00003". */
  id: string;
  genre: GenreName;
  genreIndex: number;
  /** Track number within the genre. */
  track: number;
  /** Path relative to the dataset root. */
  path: string;
  /** Audio as it will be stored (16-bit quantised), mono, in [−1, 1]. */
  audio: Float32Array;
  truth: ClipTruth;
}

export interface FmriSubject {
  id: string;
  runs: RunDesign[];
  /** regs[r][space]: HRF-convolved regressors of run r (nVols × F). */
  regs: Record<FeatureSpace, Float32Array>[];
  brain: PlantedBrain;
  /** Stream for noise rendering of run r: rng.fork(`run-${r}`). */
  rng: Rng;
}

export interface EegSubject {
  id: string;
  control: boolean;
  /** Presentation order (stimulus indices) and onsets, seconds. */
  order: number[];
  onsets: number[];
  planted: PlantedEeg;
  /** µV per channel. */
  data: Float32Array[];
  /** Noise-free planted response per channel (zeros for the control). */
  response: Float32Array[];
  /** Standardised envelope and flux predictors on the recording's time line. */
  env: Float32Array;
  flux: Float32Array;
  artefacts: EegArtefacts;
  gain: number;
}

export interface BehaviourSubject {
  id: string;
  trials: BehaviourTrial[];
  skill: number;
}

export interface Study {
  config: SynthConfig;
  seed: number;
  stimuli: Stimulus[];
  spaces: Record<FeatureSpace, SpaceFeatures>;
  layout: BrainLayout;
  testStims: number[];
  fmri: FmriSubject[];
  eeg: EegSubject[];
  confusion: Float64Array;
  /** Per stimulus: the planted genre ambiguity of listeners' judgements. */
  ambiguity: ClipAmbiguity[];
  behaviour: BehaviourSubject[];
}

/** BIDS subject label of the i-th subject (0-based): sub-01, sub-02, … */
export const subjectId = (i: number): string => `sub-${String(i + 1).padStart(2, '0')}`;

/** 16-bit quantisation exactly as writeWav's pcm16 stores it, so features match the files. */
function quantise16(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))) / 32768;
  return out;
}

/**
 * Synthesise every clip and its three feature spaces (standardised over the
 * whole stimulus set). `ambiguity[i]` (clip i in genre-major order) makes clip
 * i borrow strength × BLEND_GROUPS.length of its musical traits from the partner genre.
 */
export function makeStimuli(
  cfg: SynthConfig,
  rng: Rng,
  ambiguity?: readonly ClipAmbiguity[],
): { stimuli: Stimulus[]; spaces: Record<FeatureSpace, SpaceFeatures> } {
  const { genres, clipsPerGenre, clipSec, sampleRate } = cfg.stimuli;
  const stimuli: Stimulus[] = [];
  const low: Float32Array[] = [];
  const mid: Float32Array[] = [];
  const abs: Float32Array[] = [];
  genres.forEach((genre, gi) => {
    for (let c = 0; c < clipsPerGenre; c++) {
      const id = `${genre}.${String(c).padStart(5, '0')}`;
      const amb = ambiguity?.[stimuli.length];
      const blend = amb && amb.partner >= 0 ? { partner: genres[amb.partner], groups: Math.round(amb.strength * BLEND_GROUPS.length) } : undefined;
      const clip = synthesiseClip(genre, rng.fork(`stim/${id}`), sampleRate, clipSec, blend);
      const audio = quantise16(clip.audio);
      stimuli.push({ id, genre, genreIndex: gi, track: c, path: `stimuli/${genre}/${id}.wav`, audio, truth: clip.truth });
      const f = clipFeatures(audio, sampleRate, clip.truth, genres);
      low.push(f.low);
      mid.push(f.mid);
      abs.push(f.abstract);
    }
  });
  const names = featureNames(genres);
  standardiseColumns(low, names.low.length);
  standardiseColumns(mid, names.mid.length);
  standardiseColumns(abs, names.abstract.length);
  return {
    stimuli,
    spaces: { low: { names: names.low, perStim: low }, mid: { names: names.mid, perStim: mid }, abstract: { names: names.abstract, perStim: abs } },
  };
}

function makeFmri(
  cfg: SynthConfig,
  stimuli: Stimulus[],
  spaces: Record<FeatureSpace, SpaceFeatures>,
  layout: BrainLayout,
  testStims: number[],
  rng: Rng,
): FmriSubject[] {
  const out: FmriSubject[] = [];
  for (let s = 0; s < cfg.fmri.subjects; s++) {
    const id = subjectId(s);
    const srng = rng.fork(id);
    const runs = designRuns(stimuli.length, testStims, cfg.stimuli.clipSec, cfg.fmri, srng.fork('design'));
    const regs = runs.map((d) => {
      const r = {} as Record<FeatureSpace, Float32Array>;
      for (const sp of FEATURE_SPACES) r[sp] = runRegressors(d, cfg.fmri.tr, spaces[sp]);
      return r;
    });
    const brain = plantBrain(layout, runs, regs, spaces, cfg.fmri, srng.fork('plant'));
    out.push({ id, runs, regs, brain, rng: srng.fork('render') });
  }
  return out;
}

/** Per-clip envelope and flux at the EEG rate, each divided by its sound-on RMS over all clips. */
function eegPredictors(stimuli: Stimulus[], sr: number, rate: number): { env: Float32Array[]; flux: Float32Array[] } {
  const env = stimuli.map((s) => amplitudeEnvelope(s.audio, sr, rate));
  const flux = stimuli.map((s) => spectralFlux(s.audio, sr, rate));
  const norm = (xs: Float32Array[]): void => {
    let ss = 0;
    let n = 0;
    for (const x of xs)
      for (const v of x) {
        ss += v * v;
        n++;
      }
    const g = 1 / (Math.sqrt(ss / Math.max(1, n)) || 1);
    for (const x of xs) for (let i = 0; i < x.length; i++) x[i] *= g;
  };
  norm(env);
  norm(flux);
  return { env, flux };
}

/** Stimulus indices the EEG listeners hear: every clip, or `songs` of them taking each genre's first clip, then each genre's second, … */
export function eegSongs(stimuli: Stimulus[], songs: number | null): number[] {
  if (songs === null) return stimuli.map((_, i) => i);
  const seen = new Map<number, number>();
  const rank = stimuli.map((s) => {
    const r = seen.get(s.genreIndex) ?? 0;
    seen.set(s.genreIndex, r + 1);
    return r;
  });
  const byRank = stimuli.map((_, i) => i).sort((a, b) => rank[a] - rank[b] || stimuli[a].genreIndex - stimuli[b].genreIndex);
  return byRank.slice(0, Math.min(songs, stimuli.length)).sort((a, b) => a - b);
}

function makeEeg(cfg: SynthConfig, stimuli: Stimulus[], rng: Rng, firstIndex: number): EegSubject[] {
  const e = cfg.eeg;
  const channels = e.channels === 32 ? MONTAGE_32 : MONTAGE_16;
  const { env, flux } = eegPredictors(stimuli, cfg.stimuli.sampleRate, e.rate);
  const nSubj = e.subjects + (e.control ? 1 : 0);
  const out: EegSubject[] = [];
  const leadIn = 2;
  for (let s = 0; s < nSubj; s++) {
    const id = subjectId(firstIndex + s);
    const control = e.control && s === nSubj - 1;
    const srng = rng.fork(id);
    const heard = eegSongs(stimuli, e.songs).flatMap((st) => Array.from({ length: e.repeats }, () => st));
    const order = Array.from(srng.fork('order').permutation(heard.length), (k) => heard[k]);
    const onsets: number[] = [];
    let t = leadIn;
    for (const st of order) {
      const i0 = Math.round(t * e.rate);
      onsets.push(i0 / e.rate);
      t = i0 / e.rate + env[st].length / e.rate + e.gapSec;
    }
    const n = Math.round((t + 1) * e.rate);
    const uEnv = new Float32Array(n);
    const uFlux = new Float32Array(n);
    order.forEach((st, k) => {
      const i0 = Math.round(onsets[k] * e.rate);
      uEnv.set(env[st], i0);
      uFlux.set(flux[st], i0);
    });
    const planted = plantEeg(channels, e.rate, 1, srng.fork('plant'));
    const bg = backgroundEeg(channels, e.rate, n, srng.fork('background'));
    const unit = plantedResponse(planted, uEnv, uFlux);
    // Gain: response RMS at its best channel = responseSnr × that channel's brain-background RMS.
    let best = 0;
    let bestRms = 0;
    unit.forEach((x, c) => {
      let ss = 0;
      for (const v of x) ss += v * v;
      const r = Math.sqrt(ss / n);
      if (r > bestRms) {
        bestRms = r;
        best = c;
      }
    });
    const gain = control ? 0 : (e.responseSnr * bg.brainRms[best]) / (bestRms || 1);
    for (let i = 0; i < planted.kernelEnv.length; i++) planted.kernelEnv[i] *= gain;
    for (let i = 0; i < planted.kernelFlux.length; i++) planted.kernelFlux[i] *= gain;
    const response = unit.map((x) => x.map((v) => v * gain));
    const flat = channels.indexOf(bg.artefacts.flatChannel);
    const data = bg.data.map((x, c) => (c === flat ? x : x.map((v, i) => v + response[c][i])));
    out.push({ id, control, order, onsets, planted, data, response, env: uEnv, flux: uFlux, artefacts: bg.artefacts, gain });
  }
  return out;
}

/**
 * Simulate the whole study for `cfg` and `seed`. Returns every planted value
 * and recording in memory; BOLD volumes are rendered later, run by run (see
 * renderRun), to keep memory bounded.
 */
export function simulateStudy(cfg: SynthConfig, seed: number): Study {
  const root = new Rng(seed, 'synth');
  const { genres, clipsPerGenre } = cfg.stimuli;
  const stimGenre = genres.flatMap((_, gi) => Array.from({ length: clipsPerGenre }, () => gi));
  // One plan for the audio and the listeners: an ambiguous clip sounds partly like its partner genre, and people answer accordingly.
  const ambiguity = plantStudyAmbiguity(stimGenre, genres, cfg.behaviour, root, BLEND_GROUPS.length);
  const { stimuli, spaces } = makeStimuli(cfg, root.fork('stimuli'), ambiguity);
  const layout = buildLayout(cfg.fmri.grid, cfg.fmri.voxelMm);
  const testStims = chooseTestStims(stimGenre, cfg.fmri.testClips, root.fork('test-set'));
  const fmri = makeFmri(cfg, stimuli, spaces, layout, testStims, root.fork('fmri'));
  const eeg = makeEeg(cfg, stimuli, root.fork('eeg'), 0);
  const panel = simulatePanel(stimGenre, genres, cfg.behaviour, root, subjectId, BLEND_GROUPS.length);
  const behaviour: BehaviourSubject[] = panel.subjects;
  return { config: cfg, seed, stimuli, spaces, layout, testStims, fmri, eeg, confusion: panel.confusion, ambiguity: panel.ambiguity, behaviour };
}

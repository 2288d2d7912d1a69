/**
 * One model's sound-level study on a natural-sounds view (src/datasets/
 * nh2015.ts): every participant's voxels and every component are encoded
 * with nested layer choice (sound-level.ts), and every participant's voxel
 * RDM is compared with the model's by cross-validated layer RSA, with the
 * leave-one-participant-out RDM ceiling.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/prng.js';
import { readNpy } from '../io/npy.js';
import { readViewComponents, readViewParticipants, readViewStimuli, readViewVoxels, viewFiles } from '../artifacts/sound-view.js';
import { openFeatureStore, readFeatureSpace, type FeatureStore } from './feature-store.js';
import { crossValidatedLayerRsa, rdm, rsaNoiseCeiling, zscoreColumns, type LayerRdm } from './rsa.js';
import { encodeSounds, finiteMedian, scanSummary, soundAverages } from './sound-level.js';
import type { SoundsConfig } from './sound-config.js';

export interface SoundTarget {
  /** `sub-XX` or `component`. */
  kind: 'voxels' | 'component';
  label: string;
  n: number;
  medianR: number;
  /** Median noise-corrected r² (voxels) or r² (a component). */
  medianR2: number;
  medianReliability: number;
  /** Layer most voxels chose (their per-voxel modal layer). */
  topLayer: string;
  /** Fraction of targets whose modal layer is each layer. */
  layerShare: Record<string, number>;
}

export interface VoxelRows {
  label: string;
  voxelId: string[];
  r: Float32Array;
  r2: Float32Array;
  reliability: Float64Array;
  predictionReliability: Float32Array;
  layer: string[];
}

export interface RsaRow {
  label: string;
  score: number;
  sd: number;
  ceilingLower: number;
  ceilingUpper: number;
  topLayer: string;
}

export interface SoundStudyResult {
  model: string;
  layers: string[];
  targets: SoundTarget[];
  voxels: VoxelRows[];
  rsa: RsaRow[];
}

interface Participant {
  label: string;
  responses: string;
  voxelIds: string[];
}

/** The view's participants (participants.tsv) with their response files. */
export function viewParticipants(view: string): Participant[] {
  return readViewParticipants(view).map((r) => {
    const label = r.participant_id;
    return { label, responses: `${viewFiles.subjectBase(view, label)}_responses.npy`, voxelIds: readViewVoxels(view, label).map((x) => String(x.voxel_id)) };
  });
}

/** Sound ids of the view, in response order. */
export function viewSounds(view: string): string[] {
  return readViewStimuli(view).map((r) => r.stim_id);
}

function float32Of(file: string, shape: number): { data: Float32Array; shape: number[] } {
  const a = readNpy(file);
  if (a.shape.length !== shape) throw new InputError(file, `expected a ${shape}-D array, got (${a.shape.join(', ')})`);
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) throw new InputError(file, 'responses must be float');
  return { data: a.data instanceof Float32Array ? a.data : Float32Array.from(a.data), shape: a.shape };
}

function share(modal: Int32Array, names: string[]): { top: string; share: Record<string, number> } {
  const c = new Array<number>(names.length).fill(0);
  for (const m of modal) c[m]++;
  let best = 0;
  for (let l = 1; l < c.length; l++) if (c[l] > c[best]) best = l;
  return { top: names[best], share: Object.fromEntries(names.map((n, l) => [n, modal.length ? c[l] / modal.length : 0])) };
}

/** The model folders of a feature store, each with its sound × feature layers. */
export function modelLayers(store: FeatureStore, sounds: string[]): Map<string, { name: string; X: Float32Array; p: number }[]> {
  const out = new Map<string, { name: string; X: Float32Array; p: number }[]>();
  for (const sp of store.spaces) {
    const X = soundAverages(readFeatureSpace(sp), sp.nFeat, store.index, sounds, sp.file);
    const list = out.get(sp.model) ?? [];
    list.push({ name: `${sp.area}/iter-${sp.iteration}`, X, p: sp.nFeat });
    out.set(sp.model, list);
  }
  return out;
}

/** Runs the protocol for every model of a features artifact on the view. */
export function runSoundStudy(featuresDir: string, view: string, cfg: SoundsConfig, seed: number): SoundStudyResult[] {
  const sounds = viewSounds(view);
  const n = sounds.length;
  const participants = viewParticipants(view);
  const compFile = viewFiles.componentsNpy(view);
  const components = fs.existsSync(compFile) ? float32Of(compFile, 2) : null;
  const compNames = components ? readViewComponents(view).map((r) => r.name) : [];
  if (components && components.shape[0] !== n) throw new InputError(compFile, `${components.shape[0]} sounds, stimuli.tsv lists ${n}`);
  const results: SoundStudyResult[] = [];
  for (const [model, layers] of modelLayers(openFeatureStore(featuresDir), sounds)) {
    const names = layers.map((l) => l.name);
    const layerRdms: LayerRdm[] = layers.map((l) => ({ name: l.name, rdm: rdm(zscoreColumns(l.X, n, l.p), n, l.p) }));
    const targets: SoundTarget[] = [];
    const voxels: VoxelRows[] = [];
    const brainRdms: Float64Array[] = [];
    const rsaRaw: Omit<RsaRow, 'ceilingLower' | 'ceilingUpper'>[] = [];
    for (const p of participants) {
      const y = float32Of(p.responses, 3);
      const [ns, nv, nk] = y.shape;
      if (ns !== n) throw new InputError(p.responses, `${ns} sounds, stimuli.tsv lists ${n}`);
      const scans = scanSummary(y.data, n, nv, nk);
      const res = encodeSounds({
        layers,
        nSounds: n,
        Y: scans.mean,
        v: nv,
        alphas: cfg.alphas,
        outerFolds: cfg.outerFolds,
        innerFolds: cfg.innerFolds,
        rng: new Rng(seed, `encode-sounds/${model}/${p.label}`),
        reliability: scans.reliability,
        floor: cfg.reliabilityFloor,
        scans: cfg.correction === 'tuckute' ? { Y: y.data, k: nk } : undefined,
      });
      const s = share(res.modalLayer, names);
      targets.push({
        kind: 'voxels',
        label: p.label,
        n: nv,
        medianR: finiteMedian(res.r),
        medianR2: finiteMedian(res.r2),
        medianReliability: finiteMedian(scans.reliability),
        topLayer: s.top,
        layerShare: s.share,
      });
      voxels.push({
        label: p.label,
        voxelId: p.voxelIds,
        r: res.r,
        r2: res.r2,
        reliability: scans.reliability,
        predictionReliability: res.predictionReliability,
        layer: Array.from(res.modalLayer, (l) => names[l]),
      });
      const brain = rdm(zscoreColumns(scans.mean, n, nv), n, nv);
      brainRdms.push(brain);
      const cv = crossValidatedLayerRsa(layerRdms, brain, {
        rng: new Rng(seed, `rsa-sounds/${model}/${p.label}`),
        folds: cfg.rsaFolds,
        repeats: cfg.rsaRepeats,
      });
      const top = Object.entries(cv.chosen).sort((a, b) => b[1] - a[1])[0][0];
      rsaRaw.push({ label: p.label, score: cv.score, sd: cv.sd, topLayer: top });
    }
    const ceiling = brainRdms.length >= 2 ? rsaNoiseCeiling(brainRdms) : null;
    const rsa = rsaRaw.map((r, i) => ({
      ...r,
      ceilingLower: ceiling ? ceiling.perSubjectLower[i] : NaN,
      ceilingUpper: ceiling ? ceiling.perSubjectUpper[i] : NaN,
    }));
    if (components) {
      const nc = components.shape[1];
      const res = encodeSounds({
        layers,
        nSounds: n,
        Y: components.data,
        v: nc,
        alphas: cfg.alphas,
        outerFolds: cfg.outerFolds,
        innerFolds: cfg.innerFolds,
        rng: new Rng(seed, `encode-sounds/${model}/components`),
        reliability: null,
      });
      for (let c = 0; c < nc; c++) {
        targets.push({
          kind: 'component',
          label: compNames[c] ?? `component-${c + 1}`,
          n: 1,
          medianR: res.r[c],
          medianR2: res.r2[c],
          medianReliability: NaN,
          topLayer: names[res.modalLayer[c]],
          layerShare: share(res.modalLayer.subarray(c, c + 1), names).share,
        });
      }
    }
    results.push({ model, layers: names, targets, voxels, rsa });
  }
  return results;
}

/**
 * The feature spaces of the features stage, computed: activations of every
 * area and recurrent iteration of a network (trained checkpoint or random
 * weights), or a baseline (log-mel, spectrotemporal modulation, the log-mel
 * copied into every BAN area), each optionally reduced by PCA fitted on the
 * training stimuli only, laid out as src/artifacts/features.ts writes them.
 */
import type { AudioNet } from '../models/ban.js';
import type { FeatureSpace, Stimulus } from '../models/activations.js';
import type { FeaturesSection } from '../models/config.js';
import { layoutRows, type ClipRows, type FeatureSpaceData, type PcaInfo } from '../artifacts/features.js';

type Activations = typeof import('../models/activations.js');

export const FEATURE_BASELINES = ['logmel', 'stm', 'random-ban', 'cnn-random', 'flat'] as const;
export type FeatureBaseline = (typeof FEATURE_BASELINES)[number];

/** A space as the store lays it out: area folder and iteration. */
export interface NamedSpace {
  area: string;
  iteration: number;
  space: FeatureSpace;
}

/** `<area>.<iteration>` (modelActivations) → area and iteration; a plain name → iteration 0. */
export function nameSpace(space: FeatureSpace): NamedSpace {
  const m = /^(.+)\.(\d+)$/.exec(space.name);
  return m ? { area: m[1], iteration: Number(m[2]), space } : { area: space.name, iteration: 0, space };
}

/** The PCA fit set: stimulus ids and where they came from (for the sidecar). */
export interface PcaFit {
  components: number;
  ids: string[];
  source: string;
}

/** Row ranges of the clips, from the first space's per-clip row counts. */
export function clipRowsOf(stimuli: Stimulus[], first: FeatureSpace): ClipRows[] {
  return layoutRows(stimuli.map((s, i) => ({ stimId: s.id, nRows: first.stimuli[i].nT, duration: s.duration })));
}

/** What a row and a feature are, and the values' units, for a space of `baseline` (null: a network). */
export function describeSpace(baseline: FeatureBaseline | null, freqBins: number): { windowing: string; units: string } {
  const melOnly = baseline === 'logmel' || baseline === 'flat';
  return {
    windowing: `rows are consecutive windows of 1/rate s of each clip in stimuli.tsv order; a row averages the area's time columns whose centre lies in it (nearest column when none does); features are channels × bins, bins = ${melOnly ? 'every mel band (one channel)' : `min(${freqBins}, the area's frequency rows)`}, average-pooled over frequency (index c·bins + b)`,
    units: melOnly ? 'dB' : baseline === 'stm' ? 'modulation energy (dB²)' : 'post-ReLU activation (arbitrary units)',
  };
}

/** Each named space as the matrix the artifact stores (PCA applied one space at a time, so only one reduced copy is alive). */
export function* storedSpaces(
  acts: Activations,
  spaces: NamedSpace[],
  clips: ClipRows[],
  pca: PcaFit | null,
  about: { windowing: string; units: string },
): Generator<FeatureSpaceData> {
  const rows = clips.reduce((s, c) => s + c.nRows, 0);
  for (const { area, iteration, space } of spaces) {
    let sp = space;
    let info: PcaInfo | null = null;
    if (pca) {
      const r = acts.pcaReduce(space, pca.ids, pca.components);
      sp = r.space;
      info = {
        components: sp.nFeatures,
        requested: pca.components,
        input_features: space.nFeatures,
        explained_variance: r.explained,
        fitted_on: `${pca.ids.length} stimuli: ${pca.source}`,
        centred: true,
        scaled: false,
      };
    }
    const data = new Float32Array(rows * sp.nFeatures);
    sp.stimuli.forEach((s, i) => data.set(s.data, clips[i].rowStart * sp.nFeatures));
    yield { area, iteration, nFeatures: sp.nFeatures, data, pca: info, ...about };
  }
}

/** Activations of every area and iteration of `model`, one clip at a time so progress moves; spaces concatenate in stimulus order. */
export function networkSpaces(acts: Activations, model: AudioNet, stimuli: Stimulus[], fc: FeaturesSection, rate: number, tick: () => void): NamedSpace[] {
  const per = stimuli.map((s) => {
    const r = acts.modelActivations(model, [s], { rate, freqBins: fc.freqBins, iterations: fc.iterations });
    tick();
    return r;
  });
  return per[0].map((first, j) =>
    nameSpace({
      name: first.name,
      nFeatures: first.nFeatures,
      stimuli: per.map((p) => p[j].stimuli[0]),
      clipMean: concat(per.map((p) => p[j].clipMean)),
    }),
  );
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

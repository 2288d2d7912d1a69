/**
 * The methods paragraph of a report, generated from the provenance of the
 * artifacts it read, so the text states the parameters actually used rather
 * than the defaults someone believes were used.
 */
import type { ProvenanceEntry, Study } from './data.js';

const INTRO: Record<Study, string> = {
  'ban-bas':
    'A shallow recurrent network (BAN) was trained to classify the genre of music clips. The activations of each network area predicted the BOLD response of each auditory ROI by cross-validated ridge regression; held-out correlations were normalised by each voxel\'s noise ceiling. s_r averages the ceiling-normalised median r over the hypothesised area→ROI pairs, s_b compares the network\'s genre choices with the listeners\', and BAS combines the two; CIs are percentile bootstrap intervals.',
  alignment:
    'Several networks (and checkpoints of one network along training) were scored for brain alignment with the same encoding and BAS procedure, and alignment was related to genre-classification accuracy across models by a least-squares fit.',
  'eeg-identification':
    'EEG was segmented into windows of several lengths; a decoder mapped each window to stimulus features, and a window was counted as identified when the predicted features correlated best with those of the clip actually heard among the candidates. Accuracy is the fraction of held-out windows identified, against chance 1 / candidates.',
};

/** Flattens nested parameters into "a.b = v" strings, sorted by key; arrays longer than 8 are summarised. */
export function flattenParams(value: unknown, prefix = ''): string[] {
  if (value === null || value === undefined) return prefix ? [`${prefix} = none`] : [];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) {
      const shown = value.length > 8 ? [...value.slice(0, 4), '…', ...value.slice(-2)] : value;
      return [`${prefix} = [${shown.map(String).join(', ')}]${value.length > 8 ? ` (${value.length} values)` : ''}`];
    }
    return value.flatMap((v, i) => flattenParams(v, `${prefix}[${i}]`));
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return Object.keys(o).sort().flatMap((k) => flattenParams(o[k], prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix} = ${String(value)}`];
}

// Parameters a reader of the methods looks for first; the rest stays one click away.
const KEY_PARAMS = /^(name|arch|ablation|epochs|lr|batchSize|patience|alphas|folds|delays|ceiling|nBoot|level|nPerm|fdrQ|combine|performance|decoders|splits|windowSec|evalWindowsSec|rate|rateHz|subject|lambda|target)$/;

/**
 * The methods paragraph: the study's fixed description and, per stage read,
 * its key parameters (`text`) and all of them (`all`), with version and seed.
 */
export function methodsText(study: Study, provenance: ProvenanceEntry[]): { intro: string; stages: { stage: string; key: string; text: string; all: string[] }[] } {
  const stages = provenance.map((p) => {
    const all = flattenParams(p.params);
    const key = all.filter((line) => KEY_PARAMS.test(line.split(' = ')[0].split('.').pop()?.replace(/\[\d+\]$/, '') ?? ''));
    return {
      stage: p.stage,
      key: p.key,
      text: `${p.stage} (brainalign ${p.brainalign}, seed ${p.seed}): ${key.length ? key.join('; ') : all.length ? `${all.length} parameters` : 'no parameters'}.`,
      all,
    };
  });
  return { intro: INTRO[study], stages };
}

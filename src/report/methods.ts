/**
 * The methods paragraph of a report, generated from the provenance of the
 * artifacts it read, so the text states the parameters actually used rather
 * than the defaults someone believes were used.
 */
import type { ProvenanceEntry, Study } from './data.js';
import { alignConfigSchema, type AlignConfig } from '../scoring/config.js';
import { encodeConfigSchema, type EncodeConfig } from '../encoding/config.js';

const INTRO: Record<Study, string> = {
  'ban-bas':
    "A shallow recurrent network (BAN) was trained to classify the genre of music clips. The activations of each network area predicted the BOLD response of each auditory ROI; s_r scores the hypothesised area→ROI pairs per subject (how much of the ROI's noise-corrected explained variance the paired area explains, and how much more than the other areas do), s_b asks whether the network errs like the listeners on held-out clips (its softmax against their response distribution, normalised by a split-half listener ceiling), and BAS combines the two (definitions: docs/bas.md).",
  alignment: 'Several networks, their saved training checkpoints and untrained baselines were scored for brain alignment by voxel-wise encoding and by RSA.',
  'eeg-identification':
    "EEG was segmented at song onsets and cut into windows of several lengths. PredANN's EEG encoder was trained to classify the song with cross-entropy plus λ·InfoNCE towards the stop-gradient embedding of an audio network trained jointly on the same songs (λ = 0 is its baseline); linear backward models reconstructed stimulus features or the envelope and identified a window by the best-correlating candidate. Window scores were combined within longer windows, and accuracy is the fraction of held-out windows identified, against chance 1 / candidates (definitions: docs/eeg-identification.md).",
};

const list = (xs: readonly (number | string)[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
const pct = (x: number): string => `${+(100 * x).toFixed(2)} %`;

/** The encoding methods, from the `encode` section the encode stage ran with. */
export function encodeMethods(c: EncodeConfig): string {
  const design =
    c.response === 'fir'
      ? `a finite impulse response of ${c.delays.length} delays (${list(c.delays)} TRs, one weight per delay and feature, delays applied within runs)`
      : 'one canonical double-gamma HRF regressor per feature';
  const ceiling =
    c.ceiling === 'pairwise'
      ? 'the median correlation between pairs of test runs, stepped up to the number of runs by the Spearman–Brown formula'
      : 'the correlation between the means of two halves of the test runs (averaged over all distinct splits), stepped up by the Spearman–Brown formula';
  const nullText =
    c.nullScheme === 'phase'
      ? "phase randomisations of the prediction's test time course (the same random phases for all voxels, keeping its power spectrum and so its autocorrelation)"
      : `permutations that reorder ${c.blockSec}-s blocks of the prediction's test time axis (the same reordering for all voxels, keeping autocorrelation within blocks)`;
  const perm =
    c.nPerm > 0
      ? `Voxel and ROI (median r) p-values came from ${c.nPerm} ${nullText}, with Benjamini–Hochberg FDR at q = ${c.fdrQ} across voxels.`
      : 'No permutation p-values were computed (nPerm = 0).';
  return (
    `Features entered a ridge regression through ${design}. BOLD runs were cleaned of drift (DCT high-pass at ${c.highpassSec} s${c.linearDetrend ? ' and a linear trend' : ''}) and z-scored. ` +
    `The ridge penalty α was chosen per voxel from {${c.alphas.join(', ')}} by leave-one-run-out cross-validation over the task-${c.trainTask} runs (criterion: ${c.selectBy === 'r2' ? 'R²' : 'Pearson r'}), which also chose each voxel's recurrent iteration. ` +
    `Prediction accuracy is the Pearson r between the prediction and the mean of the repeated task-${c.testTask} runs. Voxel reliability is ${ceiling}; The area × ROI matrix divides the ROI's median r by the square root of its median voxel reliability, one ceiling per ROI rather than per voxel. ${perm}`
  );
}

/** The alignment, RSA and alignment-vs-performance methods, from the `align` section the align stage ran with. */
export function alignMethods(c: AlignConfig): string {
  const r = c.rsa;
  const dist = r.metric === 'correlation' ? '1 − Pearson correlation' : 'Euclidean distance';
  const cmp = r.comparison === 'spearman' ? 'Spearman rank correlation' : r.comparison === 'kendall-tau-a' ? 'Kendall τa' : 'Pearson correlation';
  const resp =
    r.response === 'glm'
      ? 'least-squares amplitude of its own canonical-HRF regressor, all test clips fitted jointly to the test-mean BOLD'
      : `mean BOLD from ${r.windowSec[0]} s after clip onset to ${r.windowSec[1]} s after offset`;
  return (
    `A model's encoding alignment is the mean over ${list(c.alignmentRois)} of the ceiling-normalised median r of its best layer per voxel, all subjects pooled. ` +
    `For RSA, each test clip's response pattern was the ${resp}; RDMs over clips were the ${dist} between patterns${r.zscore ? ', after z-scoring every voxel and every model feature across clips' : ''}, and brain and model RDMs were compared by ${cmp}. ` +
    `The model layer was chosen by ${r.folds}-fold cross-validation over stimuli: the cells between folds a and b took the layer that best matched the brain on the stimuli outside a and b, and the score compares the brain with this assembled RDM over all cells (${r.repeats} random fold assignments averaged). ` +
    `The RSA noise ceiling (leave one subject out, Nili et al. 2014) uses the same cells. ` +
    `Task performance is one held-out measure for every model and checkpoint: the accuracy of its genre choices on the test-split clips of its training run. ` +
    `Alignment was related to performance by Spearman's ρ across distinct models only (each represented by its trained model, else its last checkpoint), with a ${pct(c.level)} percentile-bootstrap CI over models (${c.nBoot} resamples); checkpoints of a model were analysed within that model (Spearman ρ over its checkpoints, no CI), never pooled across models. ` +
    `s_r is computed per subject on the noise-corrected explained variance max(r, 0)²/max(ρ, ${c.bas.reliabilityFloor}) of each voxel (ρ its reliability): for each area→ROI pair the mean of the ROI's median (level) and of its excess over the other paired areas (specificity), averaged over pairs and then subjects. ` +
    `s_b, BAS and their intervals follow docs/bas.md (${c.bas.combine} of s_r and s_b, ${c.bas.nBoot} bootstrap resamples over subjects and test clips for s_r and over listeners and clips for s_b, ${c.bas.nPerm} permutations of the correspondence contrast).`
  );
}

/** Parameters of the first provenance entry of `stage` under `key`, or undefined. */
function sectionOf(provenance: ProvenanceEntry[], stage: string, key: string): unknown {
  const p = provenance.find((x) => x.stage === stage && x.params !== null && typeof x.params === 'object' && key in (x.params as Record<string, unknown>));
  return p ? (p.params as Record<string, unknown>)[key] : undefined;
}

/**
 * The study's methods paragraph from the configs its stages actually ran
 * with (encode and align sections in provenance), so the text changes when
 * the config does; stages absent from the inputs are said to be absent.
 */
export function studyIntro(study: Study, provenance: ProvenanceEntry[]): string {
  if (study === 'eeg-identification') return INTRO[study];
  const enc = sectionOf(provenance, 'encode', 'encode');
  const al = sectionOf(provenance, 'align', 'align');
  const e = enc === undefined ? null : encodeConfigSchema.safeParse(enc);
  const a = al === undefined ? null : alignConfigSchema.safeParse(al);
  const parts = [INTRO[study]];
  parts.push(e?.success ? encodeMethods(e.data) : "No encode stage is among the report's inputs, so its parameters are not stated here.");
  if (a?.success) parts.push(alignMethods(a.data));
  else if (study === 'alignment') parts.push("No align stage is among the report's inputs, so the alignment, RSA and performance analyses are not described.");
  return parts.join(' ');
}

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
    return Object.keys(o)
      .sort()
      .flatMap((k) => flattenParams(o[k], prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix} = ${String(value)}`];
}

// Parameters a reader of the methods looks for first; the rest stays one click away.
const KEY_PARAMS =
  /^(name|arch|ablation|epochs|lr|batchSize|patience|alphas|folds|delays|response|ceiling|nBoot|level|nPerm|blockSec|fdrQ|combine|performance|decoders|splits|metric|comparison|zscore|repeats|windowSec|evalWindowsSec|rate|rateHz|subject|lambda|target)$/;

/**
 * The methods paragraph: the study's fixed description and, per stage read,
 * its key parameters (`text`) and all of them (`all`), with version and seed.
 */
export function methodsText(
  study: Study,
  provenance: ProvenanceEntry[],
): { intro: string; stages: { stage: string; key: string; text: string; all: string[] }[] } {
  const stages = provenance.map((p) => {
    const all = flattenParams(p.params);
    const key = all.filter((line) =>
      KEY_PARAMS.test(
        line
          .split(' = ')[0]
          .split('.')
          .pop()
          ?.replace(/\[\d+\]$/, '') ?? '',
      ),
    );
    return {
      stage: p.stage,
      key: p.key,
      text: `${p.stage} (brainalign ${p.brainalign}, seed ${p.seed}): ${key.length ? key.join('; ') : all.length ? `${all.length} parameters` : 'no parameters'}.`,
      all,
    };
  });
  return { intro: studyIntro(study, provenance), stages };
}

/**
 * The align stage as a library call: group encodings by (model, checkpoint),
 * compute BAS and the area × ROI correspondence per group, and across groups
 * the alignment–performance correlation and alignment by checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import type { Rng } from '../core/prng.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { finiteOrNull, readTsv, writeTsv } from '../io/tsv.js';
import type { BootstrapCi } from '../encoding/bootstrap.js';
import type { AlignConfig } from './config.js';
import { computeBas, neuralScore, type BasReport } from './bas.js';
import { areaRoiMatrix } from './correspondence.js';
import {
  alignmentScore, behaviourInput, hasListenerChoices, loadEncodings, modelRsa, nameKey, pooledAreaRoiInput, readHumanChoices, readModelChoices, readModelProbabilities, resolvePairNames, spearmanWithCi,
  type LoadedEncoding, type RsaResult,
} from './align.js';

export interface AlignGroup {
  model: string;
  checkpoint: string | null;
  label: string;
  trainDir: string | null;
  subjects: string[];
  /** s_r without bootstrap (always computed). */
  sR: number;
  /** Full BAS when the model's per-clip choices are available. */
  bas: BasReport | null;
  /** The model's genre choice per clip used for s_b (from eval/predictions.tsv or the checkpoint). */
  choices: Map<string, string> | null;
  matrix: { areas: string[]; rois: string[]; raw: Float64Array; normalised: Float64Array; ceilings: number[] };
  alignment: { score: number; perRoi: Record<string, number> };
  rsa: RsaResult | null;
  performance: number | null;
}

export interface AlignResult {
  groups: AlignGroup[];
  vsPerformance: { measure: string; ci: BootstrapCi; n: number }[];
  config: AlignConfig;
}

function readJson(file: string): Record<string, unknown> | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The train artifact an encoding's features came from: the --models folder named among the features' provenance inputs. */
function trainDirOf(e: LoadedEncoding, modelDirs: string[]): string | null {
  if (modelDirs.length === 1) return modelDirs[0];
  // A per-checkpoint store (features --checkpoint all) sits one level inside its artifact.
  const prov = readJson(path.join(e.index.featuresDir, 'provenance.json')) ?? readJson(path.join(path.dirname(e.index.featuresDir), 'provenance.json'));
  const ins = (prov?.inputs ?? {}) as Record<string, { path?: string }>;
  const paths = Object.values(ins).map((x) => (x.path ? path.resolve(x.path) : ''));
  return modelDirs.find((d) => paths.includes(path.resolve(d))) ?? null;
}

/** Task performance of a (model, checkpoint): eval/summary.json for the final/best model, metrics.tsv for an epoch checkpoint. */
function performanceOf(trainDir: string | null, checkpoint: string | null, key: AlignConfig['performance']): number | null {
  if (!trainDir) return null;
  const epoch = checkpoint ? /epoch-(\d+)/.exec(checkpoint)?.[1] : undefined;
  if (epoch === undefined) {
    const s = readJson(path.join(trainDir, 'eval', 'summary.json'));
    const v = s?.[key];
    return typeof v === 'number' ? v : null;
  }
  const f = path.join(trainDir, 'metrics.tsv');
  if (!fs.existsSync(f)) return null;
  const t = readTsv(f);
  const col = ['val_accuracy', 'val_acc', 'valAccuracy'].find((c) => t.columns.includes(c));
  const row = t.rows.find((r) => Number(r.epoch) === Number(epoch));
  return col && row ? Number(row[col]) : null;
}

/** Runs every analysis of the align stage. */
export async function runAlign(opts: { encodingDirs: string[]; modelDirs: string[]; bids: string; config: AlignConfig; rng: Rng }): Promise<AlignResult> {
  const cfg = opts.config;
  const encs = opts.encodingDirs.flatMap((d) => loadEncodings(d));
  const groups = new Map<string, LoadedEncoding[]>();
  for (const e of encs) {
    const k = `${e.index.model}\u0000${e.index.checkpoint ?? ''}`;
    const g = groups.get(k) ?? [];
    if (g.some((x) => x.index.subject === e.index.subject)) throw new InputError(e.dir, `sub-${e.index.subject} given twice for model ${e.index.model}`);
    g.push(e);
    groups.set(k, g);
  }
  let humans: ReturnType<typeof readHumanChoices> | null = null;
  const out: AlignGroup[] = [];
  for (const [, g] of [...groups.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const { model, checkpoint } = g[0].index;
    const label = checkpoint ? `${model}@${checkpoint}` : model;
    const rng = opts.rng.fork(label);
    const neural = pooledAreaRoiInput(g);
    const trainDir = trainDirOf(g[0], opts.modelDirs);
    // Baselines (log-mel, modulation filterbank) have no areas to pair with ROIs: they get
    // alignment and RSA scores but no s_r or BAS.
    let pairs: { area: string; roi: string }[] | null = null;
    try {
      pairs = resolvePairNames(cfg.bas.pairs, neural.areas, neural.rois);
    } catch (e) {
      if (!(e instanceof InputError) || groups.size === 1) throw e;
      notice(`align: ${label}: areas ${neural.areas.join(', ')} do not match align.bas.pairs; s_r and BAS are not computed`);
    }
    const idxPairs = (pairs ?? []).map((p) => [neural.areas.indexOf(p.area), neural.rois.indexOf(p.roi)] as [number, number]);
    const sR = pairs ? neuralScore(neural, idxPairs, cfg.bas.clip, { floor: cfg.bas.reliabilityFloor }).sR : NaN;
    let bas: BasReport | null = null;
    let choices: Map<string, string> | null = null;
    let probs: Map<string, Map<string, number>> | null = null;
    const ckptDir = trainDir && checkpoint ? path.join(trainDir, 'checkpoints', checkpoint) : null;
    if (ckptDir && checkpoint !== 'best' && fs.existsSync(ckptDir) && fs.existsSync(path.join(opts.bids, 'stimuli'))) {
      // eval/predictions.tsv describes the final model; an earlier checkpoint makes its own choices.
      const { predictClipGenres } = await import('./model-choices.js');
      ({ choices, probs } = await predictClipGenres(trainDir as string, path.join(opts.bids, 'stimuli'), checkpoint as string));
    } else if (trainDir && fs.existsSync(path.join(trainDir, 'eval', 'predictions.tsv'))) {
      choices = readModelChoices(trainDir);
      probs = readModelProbabilities(trainDir);
    } else if (trainDir && fs.existsSync(path.join(trainDir, 'checkpoints')) && fs.existsSync(path.join(opts.bids, 'stimuli'))) {
      notice(`align: ${label}: no eval/predictions.tsv; classifying ${path.join(opts.bids, 'stimuli')} with the checkpoint`);
      const { predictClipGenres } = await import('./model-choices.js');
      ({ choices, probs } = await predictClipGenres(trainDir, path.join(opts.bids, 'stimuli')));
    } else {
      notice(`align: ${label}: no eval/predictions.tsv or checkpoint in ${trainDir ?? '(no matching --models artifact)'}; s_b and BAS are not computed`);
    }
    if (choices && pairs && !hasListenerChoices(opts.bids)) {
      // Datasets without genre judgements (ds003720) still get s_r and the area × ROI matrix.
      notice(`align: ${label}: ${opts.bids} has no sub-*/beh/sub-*_task-genre_beh.tsv; s_b and BAS are not computed`);
    } else if (choices && pairs) {
      humans ??= readHumanChoices(opts.bids);
      const b = behaviourInput(choices, humans, probs);
      bas = computeBas(neural, b.input, { ...cfg.bas, pairs }, rng.fork('bas'));
    }
    const m = areaRoiMatrix(neural);
    let rsa: RsaResult | null = null;
    if (g[0].index.clips.length >= 6) {
      rsa = modelRsa(g, cfg.alignmentRois, { ...cfg.rsa, rng: rng.fork('rsa') });
    } else {
      notice(`align: ${label}: ${g[0].index.clips.length} test clips are too few for cross-validated RSA (need 6)`);
    }
    out.push({
      model, checkpoint, label, trainDir, subjects: g.map((e) => e.index.subject).sort(), sR, bas, choices,
      matrix: { areas: neural.areas, rois: neural.rois, raw: m.raw, normalised: m.normalised, ceilings: m.ceilings.map((c) => c.value) },
      alignment: alignmentScore(g, cfg.alignmentRois),
      rsa,
      performance: performanceOf(trainDir, checkpoint, cfg.performance),
    });
  }
  if (!out.some((g) => g.bas) && out.length === 1 && hasListenerChoices(opts.bids)) {
    throw new InputError('--models', 'BAS needs the model’s per-clip genre choices (eval/predictions.tsv): give the train artifact (with eval/predictions.tsv or checkpoints/) as --models');
  }
  const vsPerformance: AlignResult['vsPerformance'] = [];
  const withPerf = out.filter((g) => g.performance !== null && Number.isFinite(g.alignment.score));
  if (withPerf.length >= 3) {
    const perf = withPerf.map((g) => g.performance as number);
    vsPerformance.push({ measure: 'encoding', ci: spearmanWithCi(withPerf.map((g) => g.alignment.score), perf, { nBoot: cfg.nBoot, level: cfg.level, rng: opts.rng.fork('vs-perf/encoding') }), n: withPerf.length });
    const withRsa = withPerf.filter((g) => g.rsa);
    if (withRsa.length >= 3) {
      vsPerformance.push({ measure: 'rsa', ci: spearmanWithCi(withRsa.map((g) => (g.rsa as RsaResult).score), withRsa.map((g) => g.performance as number), { nBoot: cfg.nBoot, level: cfg.level, rng: opts.rng.fork('vs-perf/rsa') }), n: withRsa.length });
    }
  } else if (out.length > 1) {
    notice(`align: ${withPerf.length} models with a task performance; the alignment–performance correlation needs 3`);
  }
  return { groups: out, vsPerformance, config: cfg };
}

const num = finiteOrNull;

/** Writes bas.tsv, area_roi.tsv, correspondence.json and (several groups) the alignment tables into `dir`. */
export function writeAlignOutputs(dir: string, res: AlignResult): void {
  const basRows: Record<string, string | number | null>[] = [];
  for (const g of res.groups) {
    const b = g.bas;
    const est = (score: string, e: { estimate: number; lo: number; hi: number; se: number } | null, fallback: number | null) =>
      basRows.push({ model: g.model, checkpoint: g.checkpoint, score, estimate: num(e ? e.estimate : fallback), ci_lo: num(e?.lo), ci_hi: num(e?.hi), se: num(e?.se) });
    est('s_r', b?.sR ?? null, g.sR);
    est('s_b', b?.sB ?? null, null);
    est('bas', b?.bas ?? null, null);
  }
  const level = res.config.bas.level;
  writeTsv(path.join(dir, 'bas.tsv'), ['model', 'checkpoint', 'score', 'estimate', 'ci_lo', 'ci_hi', 'se'], basRows, {
    model: { Description: 'Model' },
    checkpoint: { Description: 'Checkpoint (n/a = the trained model)' },
    score: { Description: 'Which score', Levels: { s_r: 'neural: mean over subjects and area→ROI pairs of ½[level + specificity] of the median noise-corrected r² (docs/bas.md)', s_b: 'behavioural consistency with listeners: ceiling-normalised clip-difficulty and error profiles, unclipped (docs/bas.md)', bas: `BAS (${res.config.bas.combine} of s_r and s_b)` } },
    estimate: { Description: 'Score on the full data', Units: 'unitless' },
    ci_lo: { Description: `Lower end of the ${level * 100}% percentile bootstrap interval (s_r: subjects and their test clips; s_b: listeners and clips jointly)` },
    ci_hi: { Description: `Upper end of the ${level * 100}% percentile bootstrap interval` },
    se: { Description: 'Bootstrap standard error' },
  });
  const arRows: Record<string, string | number | null>[] = [];
  for (const g of res.groups) {
    const { areas, rois } = g.matrix;
    areas.forEach((a, i) => rois.forEach((r, k) => arRows.push({
      model: g.model, checkpoint: g.checkpoint, area: a, roi: r,
      median_r: num(g.matrix.raw[i * rois.length + k]), ceiling: num(g.matrix.ceilings[k]), r_norm: num(g.matrix.normalised[i * rois.length + k]),
    })));
  }
  writeTsv(path.join(dir, 'area_roi.tsv'), ['model', 'checkpoint', 'area', 'roi', 'median_r', 'ceiling', 'r_norm'], arRows, {
    model: { Description: 'Model' },
    checkpoint: { Description: 'Checkpoint' },
    area: { Description: 'Model area (iteration chosen per voxel by training CV)' },
    roi: { Description: 'Atlas ROI' },
    median_r: { Description: 'Median held-out r over the ROI voxels of all subjects', Units: 'unitless' },
    ceiling: { Description: 'sqrt(median voxel reliability) of the ROI', Units: 'unitless' },
    r_norm: { Description: 'median_r / ceiling (unclipped)', Units: 'unitless' },
  });
  writeJsonAtomic(path.join(dir, 'correspondence.json'), Object.fromEntries(res.groups.map((g) => [g.label, {
    model: g.model, checkpoint: g.checkpoint, subjects: g.subjects,
    pairs: g.bas?.config.pairs ?? null,
    correspondence: g.bas?.correspondence ?? null,
    pairScores: g.bas?.pairScores ?? null,
    perSubject: g.bas?.perSubject ?? null,
    behaviour: g.bas?.behaviour ?? null,
  }])));
  const choiceRows = res.groups.flatMap((g) => (g.choices ? [...g.choices].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([stim, genre]) => ({ model: g.model, checkpoint: g.checkpoint, stim_id: stim, predicted_genre: genre })) : []));
  if (choiceRows.length) {
    writeTsv(path.join(dir, 'model_choices.tsv'), ['model', 'checkpoint', 'stim_id', 'predicted_genre'], choiceRows, {
      model: { Description: 'Model' },
      checkpoint: { Description: 'Checkpoint' },
      stim_id: { Description: 'Clip' },
      predicted_genre: { Description: 'The model’s genre choice entering s_b' },
    });
  }
  if (res.groups.length < 2) return;
  const rois = res.config.alignmentRois;
  const roiCols = rois.map((r) => `r_norm_${nameKey(r)}`);
  writeTsv(path.join(dir, 'alignment.tsv'), ['model', 'checkpoint', 'alignment', 'rsa', 'performance', ...roiCols], res.groups.map((g) => ({
    model: g.model, checkpoint: g.checkpoint, alignment: num(g.alignment.score), rsa: num(g.rsa?.score), performance: num(g.performance),
    ...Object.fromEntries(rois.map((r, i) => [roiCols[i], num(Object.entries(g.alignment.perRoi).find(([k]) => nameKey(k) === nameKey(r))?.[1])])),
  })), {
    model: { Description: 'Model' },
    checkpoint: { Description: 'Checkpoint' },
    alignment: { Description: `Mean over ${rois.join(', ')} of the ceiling-normalised median r of the best layer per voxel (training CV), all subjects pooled`, Units: 'unitless' },
    rsa: { Description: 'Mean over ROIs and subjects of the cross-validated layer RSA (layer chosen on stimulus halves, scored on the other half)', Units: 'unitless' },
    performance: { Description: `Task performance (${res.config.performance})`, Units: 'fraction' },
    ...Object.fromEntries(rois.map((r, i) => [roiCols[i], { Description: `Ceiling-normalised median r of the best layer in ${r}` }])),
  });
  writeTsv(path.join(dir, 'alignment_vs_performance.tsv'), ['measure', 'spearman', 'ci_lo', 'ci_hi', 'n_models'], res.vsPerformance.map((v) => ({
    measure: v.measure, spearman: num(v.ci.estimate), ci_lo: num(v.ci.lo), ci_hi: num(v.ci.hi), n_models: v.n,
  })), {
    measure: { Description: 'Alignment measure', Levels: { encoding: 'alignment column of alignment.tsv', rsa: 'rsa column of alignment.tsv' } },
    spearman: { Description: 'Spearman correlation across models between alignment and performance' },
    ci_lo: { Description: `Lower end of the ${res.config.level * 100}% bootstrap interval (models resampled)` },
    ci_hi: { Description: 'Upper end of the bootstrap interval' },
    n_models: { Description: 'Models with both numbers' },
  });
  const ck = res.groups.filter((g) => g.checkpoint !== null);
  const epochOf = (c: string | null): number | null => {
    const m = c ? /(\d+)/.exec(c) : null;
    return m ? Number(m[1]) : null;
  };
  writeTsv(path.join(dir, 'alignment_by_checkpoint.tsv'), ['model', 'checkpoint', 'epoch', 'alignment', 'rsa', 'performance'], ck
    .sort((a, b) => (a.model !== b.model ? (a.model < b.model ? -1 : 1) : (epochOf(a.checkpoint) ?? 0) - (epochOf(b.checkpoint) ?? 0)))
    .map((g) => ({ model: g.model, checkpoint: g.checkpoint, epoch: epochOf(g.checkpoint), alignment: num(g.alignment.score), rsa: num(g.rsa?.score), performance: num(g.performance) })), {
    model: { Description: 'Model' },
    checkpoint: { Description: 'Checkpoint name' },
    epoch: { Description: 'Training epoch of the checkpoint (n/a when not numbered)' },
    alignment: { Description: 'As in alignment.tsv', Units: 'unitless' },
    rsa: { Description: 'As in alignment.tsv', Units: 'unitless' },
    performance: { Description: 'Validation accuracy at that epoch (metrics.tsv), when recorded', Units: 'fraction' },
  });
}

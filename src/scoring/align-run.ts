/**
 * The align stage as a library call: group encodings by (model, checkpoint),
 * compute BAS, the area × ROI correspondence and RSA per ROI per group, and
 * across groups the alignment–performance correlation across distinct models
 * and within each model over its checkpoints (align-performance.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import type { Rng } from '../core/prng.js';
import { finiteOrNull } from '../io/tsv.js';
import { writeAlign, type AreaRoiRow, type BasRow } from '../artifacts/align.js';
import type { AlignConfig } from './config.js';
import { bootstrapNeuralScore, computeBas, neuralScore, pairedDifference, type BasReport, type Estimate } from './bas.js';
import { areaRoiMatrix } from './correspondence.js';
import {
  alignmentScore,
  behaviourInput,
  hasListenerChoices,
  readEncodings,
  modelRsa,
  nameKey,
  pooledAreaRoiInput,
  readHumanChoices,
  resolvePairNames,
  type LoadedEncoding,
  type RsaResult,
} from './align.js';
import { alignmentVsPerformance, epochOf, finalPerModel, heldOutClipAccuracy, readTrainSplit, type VsPerformanceRow } from './align-performance.js';
import { modelChoices, predictionsOf } from './model-choices.js';

export interface AlignGroup {
  model: string;
  checkpoint: string | null;
  label: string;
  trainDir: string | null;
  subjects: string[];
  /** s_r without bootstrap (NaN when the model's areas match neither the pairs nor a single area). */
  sR: number;
  /** s_r with its bootstrap CI over subjects and test clips: BAS's s_r when BAS is computed, else s_r alone. */
  sRCi: Estimate | null;
  /** True for a model with one area (log-mel, modulation filterbank): every pair takes that area, so it is scored as a flat model (specificity 0). */
  sRSingleArea: boolean;
  /** The s_r bootstrap draws (shared stream: draw b resamples the same subjects and clips for every model) and what they resample. */
  sRReplicates: Float64Array | null;
  sRDesign: string;
  /** Full BAS when the model's per-clip choices are available. */
  bas: BasReport | null;
  /** The model's genre choice per clip used for s_b (the train artifact's predictions of this checkpoint). */
  choices: Map<string, string> | null;
  matrix: { areas: string[]; rois: string[]; raw: Float64Array; normalised: Float64Array; ceilings: number[] };
  alignment: { score: number; perRoi: Record<string, number> };
  rsa: RsaResult | null;
  /** Held-out clip accuracy of this (model, checkpoint) and the number of test clips it is over. */
  performance: number | null;
  nPerformanceClips: number | null;
}

/** s_r(a) − s_r(b) of two final models with its paired bootstrap CI over subjects and test clips. */
export interface SrDifference {
  a: string;
  b: string;
  difference: Estimate;
}

export interface AlignResult {
  groups: AlignGroup[];
  sRDifferences: SrDifference[];
  vsPerformance: VsPerformanceRow[];
  config: AlignConfig;
}

function readJson(file: string): Record<string, unknown> | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/**
 * The train artifact an encoding's features came from: the --models folder
 * named among the features' provenance inputs. A features artifact whose
 * provenance names none (a baseline such as log-mel) has no train artifact,
 * even when only one is given; without readable provenance a single --models
 * folder is assumed.
 */
function trainDirOf(e: LoadedEncoding, modelDirs: string[]): string | null {
  // A per-checkpoint store (features --checkpoint all) sits one level inside its artifact.
  const prov = readJson(path.join(e.index.featuresDir, 'provenance.json')) ?? readJson(path.join(path.dirname(e.index.featuresDir), 'provenance.json'));
  if (!prov) return modelDirs.length === 1 ? modelDirs[0] : null;
  const ins = (prov.inputs ?? {}) as Record<string, { path?: string }>;
  const paths = Object.values(ins).map((x) => (x.path ? path.resolve(x.path) : ''));
  return modelDirs.find((d) => paths.includes(path.resolve(d))) ?? null;
}

/**
 * Runs every analysis of the align stage. `declaredPerformance` gives the task
 * performance of models without a train artifact (ONNX models declared in the
 * config, src/models/onnx/config.ts), by model name.
 */
export async function runAlign(opts: {
  encodingDirs: string[];
  modelDirs: string[];
  bids: string;
  config: AlignConfig;
  rng: Rng;
  declaredPerformance?: Record<string, number>;
}): Promise<AlignResult> {
  const cfg = opts.config;
  const encs = opts.encodingDirs.flatMap((d) => readEncodings(d));
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
    // Baselines with one area (log-mel, modulation filterbank) have nothing to map onto the ROIs:
    // every pair takes their one area, which scores them exactly as a flat model (specificity 0).
    let pairs: { area: string; roi: string }[] | null = null;
    const sRSingleArea = neural.areas.length === 1 && groups.size > 1;
    try {
      pairs = resolvePairNames(sRSingleArea ? cfg.bas.pairs.map((p) => ({ ...p, area: neural.areas[0] })) : cfg.bas.pairs, neural.areas, neural.rois);
    } catch (e) {
      if (!(e instanceof InputError) || groups.size === 1) throw e;
      notice(`align: ${label}: areas ${neural.areas.join(', ')} do not match align.bas.pairs; s_r and BAS are not computed`);
    }
    const idxPairs = (pairs ?? []).map((p) => [neural.areas.indexOf(p.area), neural.rois.indexOf(p.roi)] as [number, number]);
    const sR = pairs ? neuralScore(neural, idxPairs, cfg.bas.clip, { floor: cfg.bas.reliabilityFloor }).sR : NaN;
    let bas: BasReport | null = null;
    let choices: Map<string, string> | null = null;
    let probs: Map<string, Map<string, number>> | null = null;
    // Each checkpoint's own choices, as the train stage wrote them when it saved the weights.
    if (trainDir && predictionsOf(trainDir, checkpoint)) {
      ({ choices, probs } = modelChoices(trainDir, checkpoint));
    } else {
      notice(
        `align: ${label}: no per-clip predictions for ${checkpoint ?? 'the trained model'} in ${trainDir ?? '(no matching --models artifact)'}; s_b and BAS are not computed`,
      );
    }
    if (choices && pairs && !hasListenerChoices(opts.bids)) {
      // Datasets without genre judgements (ds003720) still get s_r and the area × ROI matrix.
      notice(`align: ${label}: ${opts.bids} has no sub-*/beh/sub-*_task-genre_beh.tsv; s_b and BAS are not computed`);
    } else if (choices && pairs && !sRSingleArea) {
      humans ??= readHumanChoices(opts.bids);
      const b = behaviourInput(choices, humans, probs);
      bas = computeBas(neural, b.input, { ...cfg.bas, pairs }, rng.fork('bas'), opts.rng.fork('s_r-bootstrap'));
    }
    // Every model's s_r gets the same bootstrap over subjects and test clips, BAS or not, from one
    // stream shared by all models, so replicate b of two models resampled the same data (paired).
    const alone = !bas && pairs ? bootstrapNeuralScore(neural, { ...cfg.bas, pairs }, opts.rng.fork('s_r-bootstrap')) : null;
    const sRCi = bas?.sR ?? alone?.sR ?? null;
    const sRReplicates = bas?.sRReplicates ?? alone?.sRReplicates ?? null;
    const sRDesign = JSON.stringify([
      neural.subjects ?? [],
      (neural.timecourses ?? []).map((tc) => [tc.nClips, tc.nT, tc.voxels.length]),
      Array.from(neural.roiOfVoxel),
    ]);
    const m = areaRoiMatrix(neural);
    let rsa: RsaResult | null = null;
    if (g[0].index.clips.length >= 2 * cfg.rsa.folds) {
      rsa = modelRsa(g, neural.rois, { ...cfg.rsa, rng: rng.fork('rsa') }, cfg.alignmentRois);
    } else {
      notice(
        `align: ${label}: ${g[0].index.clips.length} test clips are too few for ${cfg.rsa.folds}-fold RSA (need ${2 * cfg.rsa.folds}); RSA is not computed`,
      );
    }
    // One held-out measure for every point: the test-split clips, classified by this very checkpoint.
    const perf = choices && trainDir ? heldOutClipAccuracy(choices, readTrainSplit(trainDir)) : null;
    if (trainDir && !perf) notice(`align: ${label}: no held-out clip choices (test split of ${trainDir}); its task performance is not known`);
    out.push({
      model,
      checkpoint,
      label,
      trainDir,
      subjects: g.map((e) => e.index.subject).sort(),
      sR,
      sRCi,
      sRSingleArea,
      sRReplicates,
      sRDesign,
      bas,
      choices,
      matrix: { areas: neural.areas, rois: neural.rois, raw: m.raw, normalised: m.normalised, ceilings: m.ceilings.map((c) => c.value) },
      alignment: alignmentScore(g, cfg.alignmentRois),
      rsa,
      performance: perf?.accuracy ?? (trainDir ? null : (opts.declaredPerformance?.[model] ?? null)),
      nPerformanceClips: perf?.n ?? null,
    });
  }
  if (!out.some((g) => g.bas) && out.length === 1 && hasListenerChoices(opts.bids)) {
    throw new InputError('modelDirs', 'BAS needs the model’s per-clip genre choices (eval/predictions.tsv): give its train artifact');
  }
  const points = out.map((g) => ({
    model: g.model,
    checkpoint: g.checkpoint,
    alignment: g.alignment.score,
    rsa: g.rsa?.score ?? null,
    performance: g.performance,
  }));
  const vsPerformance = alignmentVsPerformance(points, { nBoot: cfg.nBoot, level: cfg.level, rng: opts.rng.fork('vs-perf') });
  const nModels = finalPerModel(points).filter((p) => p.performance !== null).length;
  if (out.length > 1 && nModels < 3) {
    notice(`align: ${nModels} distinct models with a held-out performance; the across-model correlation needs 3 (checkpoints of one model do not count)`);
  }
  return { groups: out, sRDifferences: srDifferences(out, cfg.bas.level), vsPerformance, config: cfg };
}

/**
 * Paired s_r differences between every two final models (one per model, as in
 * the across-model analysis) whose bootstraps resampled the same subjects and
 * test clips. A ranking is claimed only where the interval excludes 0.
 */
function srDifferences(groups: AlignGroup[], level: number): SrDifference[] {
  const finals = finalPerModel(groups).filter((g) => g.sRReplicates && Number.isFinite(g.sR));
  const out: SrDifference[] = [];
  finals.forEach((a, i) =>
    finals.slice(i + 1).forEach((b) => {
      if (a.sRDesign !== b.sRDesign) {
        notice(`align: ${a.label} and ${b.label} were encoded on different subjects, clips or voxels; their s_r difference is not computed`);
        return;
      }
      out.push({ a: a.label, b: b.label, difference: pairedDifference(a.sR, b.sR, a.sRReplicates as Float64Array, b.sRReplicates as Float64Array, level) });
    }),
  );
  return out;
}

const num = finiteOrNull;

/** Writes the align artifact (artifacts/align.ts): bas.tsv, area_roi.tsv, correspondence.json and, as the run has them, choices, RSA and the alignment tables. */
export function writeAlignOutputs(dir: string, res: AlignResult): void {
  const bas: BasRow[] = [];
  for (const g of res.groups) {
    const b = g.bas;
    const est = (score: string, e: { estimate: number; lo: number; hi: number; se: number } | null, fallback: number | null): void => {
      bas.push({
        model: g.model,
        checkpoint: g.checkpoint,
        score,
        estimate: num(e ? e.estimate : fallback),
        ci_lo: num(e?.lo),
        ci_hi: num(e?.hi),
        se: num(e?.se),
      });
    };
    est('s_r', g.sRCi, g.sR);
    est('s_b', b?.sB ?? null, null);
    est('bas', b?.bas ?? null, null);
  }
  const level = res.config.bas.level;
  const areaRoi: AreaRoiRow[] = res.groups.flatMap((g) => {
    const { areas, rois } = g.matrix;
    return areas.flatMap((a, i) =>
      rois.map((r, k) => ({
        model: g.model,
        checkpoint: g.checkpoint,
        area: a,
        roi: r,
        median_r: num(g.matrix.raw[i * rois.length + k]),
        ceiling: num(g.matrix.ceilings[k]),
        r_norm: num(g.matrix.normalised[i * rois.length + k]),
      })),
    );
  });
  const correspondence = Object.fromEntries(
    res.groups.map((g) => [
      g.label,
      {
        model: g.model,
        checkpoint: g.checkpoint,
        subjects: g.subjects,
        pairs: g.bas?.config.pairs ?? null,
        correspondence: g.bas?.correspondence ?? null,
        pairScores: g.bas?.pairScores ?? null,
        perSubject: g.bas?.perSubject ?? null,
        behaviour: g.bas?.behaviour ?? null,
      },
    ]),
  );
  const modelChoices = res.groups.flatMap((g) =>
    g.choices
      ? [...g.choices]
          .sort((a, b) => (a[0] < b[0] ? -1 : 1))
          .map(([stim, genre]) => ({ model: g.model, checkpoint: g.checkpoint, stim_id: stim, predicted_genre: genre }))
      : [],
  );
  const rsaRows = res.groups.flatMap((g) =>
    g.rsa
      ? Object.entries(g.rsa.perRoi).map(([roi, x]) => ({
          model: g.model,
          checkpoint: g.checkpoint,
          roi,
          rsa: num(x.score),
          p_perm: num(x.p),
          ceiling_lower: num(x.ceilingLower),
          ceiling_upper: num(x.ceilingUpper),
          n_clips: x.nClips,
          n_cells: x.nCells,
        }))
      : [],
  );
  const r = res.config.rsa;
  const rois = res.config.alignmentRois;
  const roiCols = rois.map((x) => `r_norm_${nameKey(x)}`);
  const finals = new Set(finalPerModel(res.groups));
  const snapshots = res.groups.flatMap((g) => {
    const epoch = epochOf(g.checkpoint);
    return epoch === null || g.checkpoint === null ? [] : [{ g, checkpoint: g.checkpoint, epoch }];
  });
  writeAlign(dir, {
    bas: {
      rows: bas,
      describe: {
        score: {
          Description: 'Which score',
          Levels: {
            s_r: 'neural: mean over subjects and area→ROI pairs of ½[level + specificity] of the median noise-corrected r² (docs/bas.md)',
            s_b: 'behavioural consistency with listeners: ceiling-normalised clip-difficulty and error profiles, unclipped (docs/bas.md)',
            bas: `BAS (${res.config.bas.combine} of s_r and s_b)`,
          },
        },
        ci_lo: {
          Description: `Lower end of the ${level * 100}% percentile bootstrap interval (s_r: subjects and their test clips; s_b: listeners and clips jointly)`,
        },
        ci_hi: { Description: `Upper end of the ${level * 100}% percentile bootstrap interval` },
      },
    },
    areaRoi,
    correspondence,
    modelChoices,
    rsa: {
      rows: rsaRows,
      describe: {
        rsa: {
          Description: `Mean over subjects of the ${r.comparison} similarity between the brain RDM and the ${r.folds}-fold cross-validated model RDM (${r.repeats} fold assignments; RDM = ${r.metric === 'correlation' ? '1 − Pearson' : 'Euclidean'} over clip patterns${r.zscore ? ' z-scored per feature and voxel across clips' : ''})`,
          Units: 'unitless',
        },
        p_perm: { Description: `Permutation p of rsa: ${r.nPerm} test-clip label permutations of the brain RDMs (n/a: align.rsa.nPerm = 0)` },
      },
    },
    srDifferences: {
      rows: res.sRDifferences.map((d) => ({
        model_a: d.a,
        model_b: d.b,
        difference: num(d.difference.estimate),
        ci_lo: num(d.difference.lo),
        ci_hi: num(d.difference.hi),
        se: num(d.difference.se),
      })),
      describe: {
        ci_lo: {
          Description: `Lower end of the ${level * 100}% paired percentile bootstrap interval: each draw resamples subjects and their test clips once and scores both models on them`,
        },
      },
    },
    alignment:
      res.groups.length < 2
        ? null
        : {
            rows: res.groups.map((g) => ({
              model: g.model,
              checkpoint: g.checkpoint,
              epoch: epochOf(g.checkpoint),
              final: finals.has(g) ? 1 : 0,
              alignment: num(g.alignment.score),
              rsa: num(g.rsa?.score),
              performance: num(g.performance),
              n_test_clips: g.nPerformanceClips,
              ...Object.fromEntries(rois.map((x, i) => [roiCols[i], num(Object.entries(g.alignment.perRoi).find(([k]) => nameKey(k) === nameKey(x))?.[1])])),
            })),
            describe: {
              alignment: {
                Description: `Mean over ${rois.join(', ')} of the ceiling-normalised median r of the best layer per voxel (training CV), all subjects pooled`,
                Units: 'unitless',
              },
              rsa: { Description: `Mean over ${rois.join(', ')} and subjects of the cross-validated layer RSA (rsa.tsv)`, Units: 'unitless' },
            },
            roiColumns: {
              columns: roiCols,
              describe: Object.fromEntries(rois.map((x, i) => [roiCols[i], { Description: `Ceiling-normalised median r of the best layer in ${x}` }])),
            },
            vsPerformance: {
              rows: res.vsPerformance.map((v) => ({
                scope: v.scope,
                model: v.model,
                measure: v.measure,
                spearman: num(v.spearman),
                ci_lo: num(v.ci?.lo),
                ci_hi: num(v.ci?.hi),
                n: v.n,
              })),
              describe: {
                ci_lo: {
                  Description: `Lower end of the ${res.config.level * 100}% percentile bootstrap interval, distinct models resampled (n/a within a model: checkpoints are serially dependent)`,
                },
              },
            },
            byCheckpoint: snapshots
              .sort((a, b) => (a.g.model !== b.g.model ? (a.g.model < b.g.model ? -1 : 1) : a.epoch - b.epoch))
              .map(({ g, checkpoint, epoch }) => ({
                model: g.model,
                checkpoint,
                epoch,
                alignment: num(g.alignment.score),
                rsa: num(g.rsa?.score),
                performance: num(g.performance),
              })),
          },
  });
}

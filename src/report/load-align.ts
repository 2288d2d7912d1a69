/**
 * Report sections from an align artifact (artifacts/align.ts): BAS per
 * trained model, the area × ROI matrix of the first trained model, and
 * alignment against held-out performance (one point per model or checkpoint,
 * with the align stage's rank correlations).
 */
import { InputError } from '../core/errors.js';
import type { OpenedAlign } from '../artifacts/align.js';
import { epochOf } from '../scoring/align-performance.js';
import type { AlignmentSection, AreaRoi, BasSection } from './data.js';

/** A trained model's own rows (no checkpoint, or best/final), not an epoch snapshot's. */
const trained = (checkpoint: string | null): boolean => epochOf(checkpoint) === null;

/** BAS sections, one per trained model with an s_r; CI level from the run's summary. */
export function basSections(a: OpenedAlign): BasSection[] {
  const t = a.bas();
  const level = a.summary().level;
  const corr = Object.values(a.correspondence());
  const groups = new Map<string, Partial<Record<'s_r' | 's_b' | 'bas', BasSection['sR'] | null>>>();
  t.rows.forEach((r, i) => {
    if (!trained(r.checkpoint)) return;
    if (r.score !== 's_r' && r.score !== 's_b' && r.score !== 'bas')
      throw new InputError(t.file, `line ${i + 2}, column "score": expected s_r, s_b or bas, got "${r.score}"`);
    const g = groups.get(r.model) ?? {};
    groups.set(r.model, g);
    g[r.score] = r.estimate === null ? null : { estimate: r.estimate, lo: r.ci_lo, hi: r.ci_hi };
  });
  const out: BasSection[] = [];
  for (const [model, g] of groups) {
    if (!g.s_r) continue;
    const c = corr.find((v) => v.model === model && trained(v.checkpoint));
    out.push({
      model,
      sR: g.s_r,
      sB: g.s_b ?? null,
      bas: g.bas ?? null,
      level,
      pairs: (c?.pairScores ?? []).map((p) => ({ area: p.area, roi: p.roi, score: p.score })),
      correspondence: c?.correspondence ? { index: c.correspondence.contrast, p: c.correspondence.p } : null,
    });
  }
  return out;
}

/** The area × ROI matrix (ceiling-normalised median r) of the first trained model in area_roi.tsv, or null when it has no rows. */
export function areaRoiMatrix(a: OpenedAlign): AreaRoi | null {
  const t = a.areaRoi();
  const first = t.rows.find((r) => trained(r.checkpoint));
  if (!first) return null;
  const use = t.rows.filter((r) => r.model === first.model && r.checkpoint === first.checkpoint);
  const areas = [...new Set(use.map((r) => r.area))];
  const rois = [...new Set(use.map((r) => r.roi))];
  const values = new Array<number | null>(areas.length * rois.length).fill(null);
  for (const r of use) values[areas.indexOf(r.area) * rois.length + rois.indexOf(r.roi)] = r.r_norm;
  const c = Object.values(a.correspondence()).find((v) => v.model === first.model && v.checkpoint === first.checkpoint);
  return { measure: `ceiling-normalised median r (${first.model})`, areas, rois, values, pairs: (c?.pairs ?? []).map((p) => ({ area: p.area, roi: p.roi })) };
}

/** Alignment-vs-performance points (rows with both numbers) and the align stage's correlations; null when the run had one model. */
export function alignmentSection(a: OpenedAlign): AlignmentSection | null {
  const t = a.alignment();
  if (!t) return null;
  const points: AlignmentSection['points'] = [];
  for (const r of t.rows) {
    if (r.performance === null || r.alignment === null) continue;
    const snapshot = !trained(r.checkpoint);
    points.push({
      label: snapshot ? `${r.model} ${r.checkpoint}` : r.model,
      group: r.model,
      x: r.performance,
      y: r.alignment,
      ylo: null,
      yhi: null,
      y2: r.rsa,
      epoch: r.epoch === null ? null : Math.round(r.epoch),
      final: r.final === 1,
    });
  }
  const vs = a.vsPerformance();
  const summary: AlignmentSection['summary'] = (vs?.rows ?? []).map((r, i) => {
    if (r.scope !== 'within-model' && r.scope !== 'across-models')
      throw new InputError(vs?.file ?? a.dir, `line ${i + 2}, column "scope": expected across-models or within-model, got "${r.scope}"`);
    return { scope: r.scope, model: r.model, measure: r.measure, spearman: r.spearman, lo: r.ci_lo, hi: r.ci_hi, n: r.n };
  });
  return {
    xLabel: 'held-out clip accuracy (fraction)',
    yLabel: 'alignment: ceiling-normalised median r (unitless)',
    y2Label: points.some((p) => p.y2 !== null) ? 'RSA: cross-validated layer–ROI RDM correlation (unitless)' : null,
    points,
    summary,
    srDifferences: (a.srDifferences()?.rows ?? []).map((r) => ({ a: r.model_a, b: r.model_b, difference: r.difference, lo: r.ci_lo, hi: r.ci_hi })),
  };
}

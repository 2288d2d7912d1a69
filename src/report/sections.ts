/**
 * From ReportData to the report's sections: which figures and tables each
 * study shows, in which order, with captions that say what is drawn (n, CI
 * method, chance). A section whose data is absent is kept, marked "not run",
 * and names the stage that would fill it.
 */
import type { ReportData, Study } from './data.js';
import { barChart } from './figures/bars.js';
import { confusionMatrix } from './figures/confusion.js';
import { heatmap } from './figures/heatmap.js';
import { lineChart, type LineSeries } from './figures/line.js';
import { rankLabel, scatterRank, type RankStatistic } from './figures/scatter.js';
import { esc, fmt, type Figure } from './svg.js';
import { categorical } from './palette.js';
import { identificationDetailSection } from './sections-eeg.js';

export interface Table {
  caption: string;
  columns: string[];
  rows: string[][];
}

export interface Section {
  id: string;
  heading: string;
  /** null when the section has data; otherwise why not (the stage that was not run). */
  notRun: string | null;
  figures: Figure[];
  tables: Table[];
  /** Index into ReportData.brainMaps of maps shown in this section. */
  brainMaps: number[];
}

const SECTION_ORDER: Record<Study, string[]> = {
  'ban-bas': ['training', 'bas', 'roi', 'area-roi', 'brain'],
  alignment: ['alignment', 'bas', 'area-roi', 'roi', 'training', 'brain'],
  'eeg-identification': ['identification', 'identification-detail', 'training'],
};

/** The sections of a study's report, in reading order. */
export function buildSections(d: ReportData): Section[] {
  const build: Record<string, () => Section> = {
    training: () => trainingSection(d),
    bas: () => basSection(d),
    roi: () => roiSection(d),
    'area-roi': () => areaRoiSection(d),
    alignment: () => alignmentSection(d),
    identification: () => identificationSection(d),
    'identification-detail': () => identificationDetailSection(d),
    brain: () => brainSection(d),
  };
  const sections = SECTION_ORDER[d.study].map((k) => build[k]());
  // Figure ids name files: two models with the same name must not overwrite each other's figures.
  const seen = new Map<string, number>();
  for (const f of sections.flatMap((x) => x.figures)) {
    const n = (seen.get(f.id) ?? 0) + 1;
    seen.set(f.id, n);
    if (n > 1) {
      const id = `${f.id}-${n}`;
      f.svg = f.svg
        .replace(`id="fig-${esc(f.id)}"`, `id="fig-${esc(id)}"`)
        .replace(new RegExp(`t-${esc(f.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`, 'g'), `t-${esc(id)}"`);
      f.id = id;
    }
  }
  return sections;
}

function empty(id: string, heading: string, notRun: string): Section {
  return { id, heading, notRun, figures: [], tables: [], brainMaps: [] };
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const ci = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? 'n/a' : `[${fmt(lo)}, ${fmt(hi)}]`);
const pct = (v: number | null): string => (v === null ? 'n/a' : `${fmt(100 * v, 3)} %`);

function trainingSection(d: ReportData): Section {
  if (d.training.length === 0) return empty('training', 'Network training', 'no training artifact among the inputs (run `brainalign train`)');
  const figures: Figure[] = [];
  const tables: Table[] = [];
  for (const t of d.training) {
    const id = slug(t.model);
    const ep = t.epochs.map((e) => e.epoch);
    const series = (name: string, y: (number | null)[], dashed: boolean, color: string): LineSeries => ({ name, x: ep, y, dashed, color });
    figures.push(
      lineChart({
        id: `training-${id}-loss`,
        title: `${t.model}: loss per epoch`,
        xLabel: 'epoch',
        xInteger: true,
        yLabel: 'cross-entropy (nats)',
        series: [
          series(
            'train',
            t.epochs.map((e) => e.train_loss),
            false,
            '#0072B2',
          ),
          series(
            'validation',
            t.epochs.map((e) => e.val_loss),
            true,
            '#D55E00',
          ),
        ],
        caption: `Mean softmax cross-entropy on augmented training windows and on validation clips, ${t.epochs.length} epochs${t.bestEpoch !== null ? `; best validation epoch ${t.bestEpoch} (restored for evaluation)` : ''}.`,
      }),
    );
    figures.push(
      lineChart({
        id: `training-${id}-accuracy`,
        title: `${t.model}: accuracy per epoch`,
        xLabel: 'epoch',
        xInteger: true,
        yLabel: 'accuracy (fraction of windows)',
        series: [
          series(
            'train',
            t.epochs.map((e) => e.train_acc),
            false,
            '#0072B2',
          ),
          series(
            'validation',
            t.epochs.map((e) => e.val_acc),
            true,
            '#D55E00',
          ),
        ],
        references: t.chance !== null ? [{ y: t.chance, label: `chance ${fmt(t.chance, 2)}` }] : [],
        yDomain: [0, 1],
        caption: `Window-level genre accuracy; dashed line: chance (1 / ${t.classes.length} genres).`,
      }),
    );
    if (t.confusion) {
      const total = t.confusion.flat().reduce((s, v) => s + v, 0);
      figures.push(
        confusionMatrix({
          id: `training-${id}-confusion`,
          title: `${t.model}: test confusion`,
          classes: t.classes,
          counts: t.confusion,
          unit: t.confusionUnit,
          rowLabel: 'true genre',
          colLabel: 'predicted genre',
          caption: `Held-out test ${t.confusionUnit} (n = ${total}); colour = fraction of the true genre, numbers = counts; diagonal outlined.`,
        }),
      );
    }
    tables.push({
      caption: `${t.model}: held-out test performance (window accuracy ${pct(t.accuracy)}, clip accuracy ${pct(t.clipAccuracy)}${t.clipP !== null ? ` (binomial p = ${fmt(t.clipP, 2)} against chance)` : ''}, chance ${pct(t.chance)})`,
      columns: ['genre', 'precision', 'recall', 'support'],
      rows: t.perClass.map((c) => [c.genre, fmt(c.precision), fmt(c.recall), String(c.support)]),
    });
  }
  return { id: 'training', heading: 'Network training', notRun: null, figures, tables, brainMaps: [] };
}

function basSection(d: ReportData): Section {
  if (d.bas.length === 0) return empty('bas', 'Brain-like Auditory Score (BAS)', 'no BAS artifact among the inputs (run `brainalign align`)');
  const lvl = `${Math.round(100 * d.bas[0].level)} %`;
  const fig = barChart({
    id: 'bas-components',
    title: 'BAS and its components',
    categories: ['s_r (neural)', 's_b (behaviour)', 'BAS'],
    xLabel: 'score',
    yLabel: 'score (unitless, 0 … 1)',
    yDomain: [0, 1],
    series: d.bas.map((b) => ({
      name: b.model,
      values: [b.sR.estimate, b.sB?.estimate ?? null, b.bas?.estimate ?? null],
      lo: [b.sR.lo, b.sB?.lo ?? null, b.bas?.lo ?? null],
      hi: [b.sR.hi, b.sB?.hi ?? null, b.bas?.hi ?? null],
    })),
    caption: `Error bars: ${lvl} percentile bootstrap CIs (subjects and their test clips for s_r, listeners and clips jointly for s_b; s_b is unclipped, so a bar may leave 0 … 1).${d.bas.some((b) => !b.bas) ? ' Missing bars: s_b and BAS not computed (no per-clip genre choices of the model).' : ''}`,
  });
  const tables: Table[] = [
    {
      caption: `BAS ± ${lvl} CI`,
      columns: ['model', 's_r', `s_r ${lvl} CI`, 's_b', `s_b ${lvl} CI`, 'BAS', `BAS ${lvl} CI`, 'correspondence contrast', 'p (permutation)'],
      rows: d.bas.map((b) => [
        b.model,
        fmt(b.sR.estimate),
        ci(b.sR.lo, b.sR.hi),
        fmt(b.sB?.estimate ?? null),
        ci(b.sB?.lo ?? null, b.sB?.hi ?? null),
        fmt(b.bas?.estimate ?? null),
        ci(b.bas?.lo ?? null, b.bas?.hi ?? null),
        fmt(b.correspondence?.index ?? null),
        fmt(b.correspondence?.p ?? null),
      ]),
    },
  ];
  for (const b of d.bas.filter((x) => x.pairs.length > 0)) {
    tables.push({
      caption: `${b.model}: pair scores entering s_r (per pair ½[level + specificity] of the median noise-corrected r², averaged over subjects; docs/bas.md)`,
      columns: ['model area', 'ROI', 'score'],
      rows: b.pairs.map((p) => [p.area, p.roi, fmt(p.score)]),
    });
  }
  return { id: 'bas', heading: 'Brain-like Auditory Score (BAS)', notRun: null, figures: [fig], tables, brainMaps: [] };
}

function roiSection(d: ReportData): Section {
  const r = d.roiScores;
  if (!r || r.rows.length === 0)
    return empty('roi', 'Encoding scores per ROI and per area', 'no encoding ROI table among the inputs (run `brainalign encode`)');
  const rois = [...new Set(r.rows.map((x) => x.roi))];
  const groups = [...new Set(r.rows.map((x) => x.group))];
  const at = (g: string, roi: string) => r.rows.find((x) => x.group === g && x.roi === roi);
  const hasCi = r.rows.some((x) => x.lo !== null);
  const hasSubjects = r.rows.some((x) => x.subjects.length > 1);
  const figures: Figure[] = [
    barChart({
      id: 'roi-scores',
      title: 'Encoding score per ROI',
      categories: rois,
      xLabel: 'region of interest',
      yLabel: r.measure,
      series: groups.map((g) => ({
        name: g,
        values: rois.map((roi) => at(g, roi)?.score ?? null),
        lo: rois.map((roi) => at(g, roi)?.lo ?? null),
        hi: rois.map((roi) => at(g, roi)?.hi ?? null),
        points: rois.map((roi) => at(g, roi)?.subjects ?? []),
      })),
      caption: `Bars: ${r.measure} of each model area (colour) in each ROI${hasCi ? '; error bars: bootstrap CIs over voxels' : ''}${hasSubjects ? '; dots: individual subjects' : ''}.`,
    }),
  ];
  const pairs = d.areaRoi?.pairs ?? [];
  const paired = pairs.map((p) => ({ p, row: at(p.area, p.roi) })).filter((x) => x.row);
  if (paired.length > 0) {
    figures.push(
      barChart({
        id: 'area-scores',
        title: 'Each area at its hypothesised ROI',
        categories: paired.map((x) => `${x.p.area} → ${x.p.roi}`),
        xLabel: 'model area → ROI',
        yLabel: r.measure,
        series: [
          {
            name: 'score',
            values: paired.map((x) => x.row?.score ?? null),
            lo: paired.map((x) => x.row?.lo ?? null),
            hi: paired.map((x) => x.row?.hi ?? null),
            points: paired.map((x) => x.row?.subjects ?? []),
          },
        ],
        caption: `The hypothesised area→ROI pairs (s_r scores them on noise-corrected r², docs/bas.md)${hasCi ? '; error bars: bootstrap CIs over voxels' : ''}${hasSubjects ? '; dots: individual subjects' : ''}.`,
      }),
    );
  }
  const table: Table = {
    caption: `Per-ROI scores (${r.measure})`,
    columns: ['model area', 'ROI', 'score', 'CI', ...(hasSubjects ? ['subjects (min … max)'] : []), 'voxels'],
    rows: r.rows.map((x) => [
      x.group,
      x.roi,
      fmt(x.score),
      ci(x.lo, x.hi),
      ...(hasSubjects ? [x.subjects.length ? `${x.subjects.length} (${fmt(Math.min(...x.subjects))} … ${fmt(Math.max(...x.subjects))})` : 'n/a'] : []),
      x.nVoxels === null ? 'n/a' : String(x.nVoxels),
    ]),
  };
  return { id: 'roi', heading: 'Encoding scores per ROI and per area', notRun: null, figures, tables: [table], brainMaps: [] };
}

function areaRoiSection(d: ReportData): Section {
  const m = d.areaRoi;
  if (!m) return empty('area-roi', 'Area × ROI correspondence', 'no area × ROI matrix among the inputs (run `brainalign align`)');
  const outlined = m.pairs.map((p) => [m.areas.indexOf(p.area), m.rois.indexOf(p.roi)] as [number, number]).filter(([a, k]) => a >= 0 && k >= 0);
  const fig = heatmap({
    id: 'area-roi',
    title: 'Model area × brain ROI',
    rows: m.areas,
    cols: m.rois,
    values: m.values,
    rowLabel: 'model area',
    colLabel: 'brain ROI',
    valueLabel: m.measure,
    outlined,
    caption: `Colour: ${m.measure} (viridis); outlined: hypothesised pairs. A brain-like hierarchy puts the maximum of each row on its outlined cell.`,
  });
  const table: Table = {
    caption: `Area × ROI matrix (${m.measure})`,
    columns: ['model area', ...m.rois],
    rows: m.areas.map((a, i) => [a, ...m.rois.map((_, k) => fmt(m.values[i * m.rois.length + k]))]),
  };
  return { id: 'area-roi', heading: 'Area × ROI correspondence', notRun: null, figures: [fig], tables: [table], brainMaps: [] };
}

function alignmentSection(d: ReportData): Section {
  const a = d.alignment;
  if (!a || a.points.length === 0)
    return empty('alignment', 'Alignment versus task performance', 'no alignment table among the inputs (run `brainalign align` over several models)');
  const finals = a.points.filter((p) => p.final);
  // The figure prints the statistic of the table below it: the align stage's across-model Spearman, not one recomputed here.
  const across = (measure: string, n: number): RankStatistic => {
    const s = a.summary.find((x) => x.scope === 'across-models' && x.measure === measure);
    return s ? { spearman: s.spearman, lo: s.lo, hi: s.hi, n: s.n ?? n } : { spearman: null, lo: null, hi: null, n };
  };
  const why = (st: RankStatistic): string =>
    st.spearman === null ? ' ρ is not computed: the align stage needs at least 3 distinct models with a held-out performance.' : '';
  const figures: Figure[] = [];
  if (finals.length > 0) {
    const st = across('encoding', finals.length);
    figures.push(
      scatterRank({
        id: 'alignment-performance',
        title: 'Brain alignment vs task performance',
        xLabel: a.xLabel,
        yLabel: a.yLabel,
        points: finals.map((p) => ({ label: p.label, group: p.group, x: p.x, y: p.y, ylo: p.ylo, yhi: p.yhi })),
        statistic: st,
        caption: `One point per distinct model (its trained model, else its last checkpoint; earlier checkpoints are shown over training below, not here); error bars: bootstrap CIs of the alignment. Legend: ${rankLabel(st)}, Spearman rank correlation across models with a percentile-bootstrap CI over models, as in the table.${why(st)}`,
      }),
    );
  }
  const rsaFinals = finals.filter((p) => p.y2 !== null);
  if (a.y2Label && rsaFinals.length > 0) {
    const st = across('rsa', rsaFinals.length);
    figures.push(
      scatterRank({
        id: 'rsa-performance',
        title: 'RSA alignment vs task performance',
        xLabel: a.xLabel,
        yLabel: a.y2Label,
        points: rsaFinals.map((p) => ({ label: p.label, group: p.group, x: p.x, y: p.y2 ?? 0 })),
        statistic: st,
        caption: `The same distinct models scored by representational similarity instead of encoding. Legend: ${rankLabel(st)}.${why(st)}`,
      }),
    );
  }
  const withEpoch = a.points.filter((p) => p.epoch !== null);
  if (withEpoch.length > 1) {
    const groups = [...new Set(withEpoch.map((p) => p.group))];
    const within = a.summary.filter((x) => x.scope === 'within-model' && x.measure === 'encoding' && x.spearman !== null);
    figures.push(
      lineChart({
        id: 'alignment-checkpoints',
        title: 'Alignment over training',
        xLabel: 'training epoch',
        xInteger: true,
        yLabel: a.yLabel,
        series: groups.map((g) => {
          const pts = withEpoch.filter((p) => p.group === g).sort((u, v) => (u.epoch ?? 0) - (v.epoch ?? 0));
          return { name: g, x: pts.map((p) => p.epoch ?? 0), y: pts.map((p) => p.y), lo: pts.map((p) => p.ylo), hi: pts.map((p) => p.yhi) };
        }),
        caption: `Alignment of saved checkpoints against the epoch they were saved at (within each model); error bars: bootstrap CIs.${within.length ? ` Within-model Spearman ρ between alignment and held-out clip accuracy over checkpoints: ${within.map((x) => `${x.model} ${fmt(x.spearman)} (n = ${x.n ?? 'n/a'})`).join(', ')}.` : ''}`,
      }),
    );
  }
  const st = across('encoding', finals.length);
  const table: Table = {
    caption: `Alignment vs held-out performance (${rankLabel(st)} across distinct models; rows marked "no" are earlier checkpoints, analysed within their model)`,
    columns: ['model', 'group', 'epoch', 'across models', a.xLabel, a.yLabel, 'CI', ...(a.y2Label ? ['RSA'] : [])],
    rows: a.points.map((p) => [
      p.label,
      p.group,
      p.epoch === null ? 'n/a' : String(p.epoch),
      p.final ? 'yes' : 'no',
      fmt(p.x),
      fmt(p.y),
      ci(p.ylo, p.yhi),
      ...(a.y2Label ? [fmt(p.y2)] : []),
    ]),
  };
  const tables = [table];
  if (a.summary.length > 0) {
    tables.push({
      caption:
        'Alignment vs held-out clip accuracy as computed by the align stage (Spearman ρ; CI: percentile bootstrap over distinct models; none within a model, where checkpoints are serially dependent)',
      columns: ['scope', 'measure', 'Spearman ρ', 'CI', 'n'],
      rows: a.summary.map((x) => [
        x.scope === 'across-models' ? 'across models' : `within ${x.model ?? 'n/a'}`,
        x.measure,
        fmt(x.spearman),
        ci(x.lo, x.hi),
        x.n === null ? 'n/a' : String(x.n),
      ]),
    });
  }
  if (a.srDifferences?.length) {
    tables.push({
      caption:
        'Differences in s_r between models with a paired percentile-bootstrap CI (each draw resamples the subjects and their test clips once and scores both models on them); a ranking is supported only where the CI excludes 0',
      columns: ['model a', 'model b', 's_r(a) − s_r(b)', 'CI'],
      rows: a.srDifferences.map((x) => [x.a, x.b, fmt(x.difference), ci(x.lo, x.hi)]),
    });
  }
  return { id: 'alignment', heading: 'Alignment versus task performance', notRun: null, figures, tables, brainMaps: [] };
}

function identificationSection(d: ReportData): Section {
  const s = d.identification;
  if (!s || s.rows.length === 0)
    return empty('identification', 'Identification accuracy versus window length', 'no identification scores among the inputs (run `brainalign decode-eeg`)');
  const decoders = [...new Set(s.rows.map((r) => r.decoder))];
  const splits = [...new Set(s.rows.map((r) => r.split))];
  const subjects = [...new Set(s.rows.map((r) => r.subject))];
  // A line per decoder × split × subject; its name lists only what varies, colour = decoder, dash = split.
  const nameOf = (r: { decoder: string; split: string; subject: string }): string =>
    [
      decoders.length > 1 || (splits.length <= 1 && subjects.length <= 1) ? r.decoder : '',
      splits.length > 1 ? r.split : '',
      subjects.length > 1 ? (r.subject === 'all' ? 'pooled' : `sub-${r.subject.replace(/^sub-/, '')}`) : '',
    ]
      .filter((x) => x)
      .join(' · ');
  const keys = [...new Map(s.rows.map((r) => [`${r.decoder}|${r.split}|${r.subject}`, r])).values()];
  const windows = [...new Set(s.rows.map((r) => r.window))].sort((a, b) => a - b);
  const at = (k: { decoder: string; split: string; subject: string }, w: number) =>
    s.rows.find((r) => r.decoder === k.decoder && r.split === k.split && r.subject === k.subject && r.window === w);
  const DASH = [undefined, '6 4', '2 3'];
  const series: LineSeries[] = keys.map((k) => ({
    name: nameOf(k),
    x: windows,
    y: windows.map((w) => at(k, w)?.accuracy ?? null),
    lo: windows.map((w) => at(k, w)?.lo ?? null),
    hi: windows.map((w) => at(k, w)?.hi ?? null),
    color: categorical(decoders.indexOf(k.decoder)),
    dash: DASH[splits.indexOf(k.split) % DASH.length],
  }));
  const pooled = subjects.length === 1 && subjects[0] === 'all';
  const figures: Figure[] = [
    lineChart({
      id: 'identification-window',
      title: 'Music identification from EEG',
      xLabel: 'EEG window length (s)',
      yLabel: 'top-1 identification accuracy (fraction)',
      series,
      references: [{ y: s.chance, label: `chance ${fmt(s.chance, 2)}` }],
      yDomain: [0, 1],
      xLog: windows.length > 2 && windows[windows.length - 1] / windows[0] >= 8,
      caption: `Fraction of held-out EEG stretches whose song was ranked first among ${s.nCandidates ?? 'the'} candidates${pooled ? ', pooled over subjects' : ''}; error bars: 95 % percentile-bootstrap CIs over stretches; dashed: chance = ${fmt(s.chance, 3)}.`,
    }),
  ];
  for (const c of s.confusions) {
    const total = c.counts.flat().reduce((u, v) => u + v, 0);
    figures.push(
      confusionMatrix({
        id: `identification-confusion-${slug(c.decoder)}-${slug(c.split)}`,
        title: `${c.decoder} (${c.split}): song confusion`,
        classes: c.songs,
        counts: c.counts,
        unit: 'stretches',
        rowLabel: 'song heard',
        colLabel: 'song identified',
        caption: `Base window, mean combination, summed over subjects (n = ${total} stretches); colour = fraction of the song heard, numbers = counts.`,
      }),
    );
  }
  const table: Table = {
    caption: 'Top-1 identification accuracy (fraction correct [95 % CI]) per window length',
    columns: ['window (s)', ...series.map((x) => x.name)],
    rows: windows.map((w) => [
      fmt(w),
      ...keys.map((k) => {
        const r = at(k, w);
        return r ? `${fmt(r.accuracy)} ${ci(r.lo, r.hi)}` : 'n/a';
      }),
    ]),
  };
  return { id: 'identification', heading: 'Identification accuracy versus window length', notRun: null, figures, tables: [table], brainMaps: [] };
}

function brainSection(d: ReportData): Section {
  if (d.brainMaps.length === 0) return empty('brain', 'Voxel score maps', 'no voxel maps among the inputs (run `brainalign encode` in study mode)');
  const table: Table = {
    caption: 'Maps shown',
    columns: ['subject', 'map', 'background', 'display range'],
    rows: d.brainMaps.map((m) => [m.subject, m.mapName, m.backgroundKind ?? 'none', `${fmt(m.calMin)} … ${fmt(m.calMax)} ${m.units}`]),
  };
  return { id: 'brain', heading: 'Voxel score maps', notRun: null, figures: [], tables: [table], brainMaps: d.brainMaps.map((_, i) => i) };
}

/** HTML of a table (all cells escaped). */
export function tableHtml(t: Table): string {
  return (
    `<table><caption>${esc(t.caption)}</caption><thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>` +
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`
  );
}

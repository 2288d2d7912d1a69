/**
 * Report figures and page, from fixture data (no browser): every data value
 * becomes exactly one mark at the position its scale says, CIs span the
 * interval given, chance is a dashed line at chance, colours follow viridis
 * (checked against matplotlib's table) and Okabe–Ito, the fit matches an
 * independent regression, and the page is self-contained and deterministic.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { barChart } from '../../src/report/figures/bars.js';
import { lineChart } from '../../src/report/figures/line.js';
import { heatmap } from '../../src/report/figures/heatmap.js';
import { confusionMatrix } from '../../src/report/figures/confusion.js';
import { rankLabel, scatterRank } from '../../src/report/figures/scatter.js';
import { esc, fmt, niceTicks } from '../../src/report/svg.js';
import { OKABE_ITO, viridis, viridisRgb } from '../../src/report/palette.js';
import { buildSections } from '../../src/report/sections.js';
import { renderReport } from '../../src/report/page.js';
import { emptyReport, reportDataSchema } from '../../src/report/data.js';
import { methodsText } from '../../src/report/methods.js';
import { exportFigures } from '../../src/report/png.js';
import { fixtureReport, GENRES } from '../helpers/report-fixture.js';
import { tmpDir } from '../helpers/tmp.js';

/** Attributes of every element with class="mark" (or another class) in an SVG string. */
function elements(svg: string, cls = 'mark'): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of svg.matchAll(new RegExp(`<(\\w+)([^>]*\\bclass="${cls}"[^>]*)>`, 'g'))) {
    const attrs: Record<string, string> = { tag: m[1] };
    for (const a of m[2].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    out.push(attrs);
  }
  return out;
}

test("viridis matches matplotlib's 256-entry table within 3/255; Okabe–Ito is the published set", (t) => {
  const py = spawnSync(
    '/usr/bin/python3',
    ['-c', 'from matplotlib import cm\nimport json\nprint(json.dumps([[round(c*255) for c in cm.viridis(i)[:3]] for i in range(256)]))'],
    { encoding: 'utf8' },
  );
  t.is(py.status, 0, py.stderr);
  const table = JSON.parse(py.stdout) as number[][];
  let worst = 0;
  table.forEach((rgb, i) => {
    const got = viridisRgb(i / 255);
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[c] - rgb[c]));
  });
  t.true(worst <= 3, `largest channel difference ${worst}/255`);
  t.is(viridis(0), '#440154');
  t.is(viridis(1), '#fde725');
  t.deepEqual([...OKABE_ITO.slice(0, 3)], ['#0072B2', '#E69F00', '#009E73']);
});

test('nice ticks are 1/2/5 steps covering the range; numbers print with 3 significant digits', (t) => {
  t.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  t.deepEqual(niceTicks(0, 12, 6), [0, 2, 4, 6, 8, 10, 12]);
  t.deepEqual(niceTicks(-0.3, 0.7, 5), [-0.2, 0, 0.2, 0.4, 0.6]);
  t.is(fmt(0.123456), '0.123');
  t.is(fmt(12.5), '12.5');
  t.is(fmt(-0.5), '−0.5');
  t.is(fmt(null), 'n/a');
  t.is(fmt(2e-5), '2e-5');
});

test('bars: one rect per non-missing value, heights proportional to values, error bars span the CI', (t) => {
  const f = barChart({
    id: 'b',
    title: 'T',
    categories: ['A1', 'Belt', 'PB'],
    xLabel: 'ROI',
    yLabel: 'r',
    yDomain: [0, 1],
    series: [
      { name: 's1', values: [0.25, 0.5, null], lo: [0.2, 0.4, null], hi: [0.3, 0.6, null] },
      { name: 's2', values: [0.75, 1, 0.1] },
    ],
    references: [{ y: 0.1, label: 'chance' }],
    caption: 'c',
  });
  const rects = elements(f.svg);
  t.is(f.marks, 5);
  t.is(rects.length, 5);
  const h = rects.map((r) => Number(r.height));
  t.true(Math.abs(h[1] / h[0] - 2) < 0.01, `0.5/0.25 bar heights ratio ${h[1] / h[0]}`);
  t.true(Math.abs(h[2] / h[0] - 3) < 0.01);
  t.is(rects[0].fill, OKABE_ITO[0]);
  t.is(rects[2].fill, OKABE_ITO[1]);
  // CI of the first bar: vertical line from y(0.2) to y(0.3); its length is 0.1/0.25 of the bar height.
  const ci = [...f.svg.matchAll(/<g class="ci"[^>]*><line x1="[^"]*" x2="[^"]*" y1="([^"]*)" y2="([^"]*)"/g)];
  t.is(ci.length, 2);
  t.true(Math.abs(Math.abs(Number(ci[0][1]) - Number(ci[0][2])) - 0.4 * h[0]) < 0.05);
  const ref = elements(f.svg, 'reference');
  t.is(ref.length, 1);
  t.is(ref[0]['stroke-dasharray'], '5 4');
  t.true(Math.abs(Number(rects[0].y) + h[0] - Number(ref[0].y1) - 0.4 * h[0]) < 0.05, 'chance line at 0.1 = 0.4 × the 0.25 bar');
});

test('bars with individual values: one dot per value at its height, not counted as marks', (t) => {
  const f = barChart({
    id: 'p',
    title: 'T',
    categories: ['A1', 'Belt'],
    xLabel: 'ROI',
    yLabel: 'r',
    yDomain: [0, 1],
    caption: 'c',
    series: [{ name: 's', values: [0.5, 0.25], points: [[0.25, 0.75], [0.25]] }],
  });
  t.is(f.marks, 2);
  const dots = elements(f.svg, 'point');
  t.is(dots.length, 3);
  const bars = elements(f.svg);
  const base = Number(bars[0].y) + Number(bars[0].height);
  const h = Number(bars[0].height);
  // The bar of 0.5 has height h, so a dot at 0.25 sits h/2 above the axis and one at 0.75 1.5·h above it.
  t.true(Math.abs(base - Number(dots[0].cy) - 0.5 * h) < 0.05);
  t.true(Math.abs(base - Number(dots[1].cy) - 1.5 * h) < 0.05);
});

test('without Chromium the SVGs are written, PNGs skipped, and the notice names the missing executable', async (t) => {
  const dir = tmpDir();
  const saved = process.env.BRAINALIGN_CHROMIUM;
  process.env.BRAINALIGN_CHROMIUM = path.join(dir, 'no-chromium-here');
  t.teardown(() => {
    if (saved === undefined) delete process.env.BRAINALIGN_CHROMIUM;
    else process.env.BRAINALIGN_CHROMIUM = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const f = barChart({ id: 'x', title: 'T', categories: ['a'], xLabel: 'x', yLabel: 'y', series: [{ name: 's', values: [1] }], caption: 'c' });
  const r = await exportFigures([f], dir, (g) => g.id);
  t.is(r.svgs.length, 1);
  t.deepEqual(r.pngs, []);
  t.regex(r.notice ?? '', /Chromium not found at .*no-chromium-here: figures written as SVG only, PNGs skipped/);
});

test('line chart: missing points break the line and draw no mark; axis titles carry units', (t) => {
  const f = lineChart({
    id: 'l',
    title: 'loss',
    xLabel: 'epoch',
    yLabel: 'cross-entropy (nats)',
    caption: 'c',
    series: [
      { name: 'train', x: [0, 1, 2, 3], y: [2, 1.5, null, 1] },
      { name: 'val', x: [0, 1, 2, 3], y: [2.2, 1.8, 1.6, 1.5], dashed: true },
    ],
  });
  t.is(f.marks, 7);
  t.regex(f.svg, /class="ylabel"[^>]*>cross-entropy \(nats\)</);
  t.regex(f.svg, /class="xlabel"[^>]*>epoch</);
  const paths = [...f.svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
  t.is(paths[0].split('M').length - 1, 2, 'the train line restarts after the missing epoch');
  t.regex(f.svg, /stroke-dasharray="6 4"/);
});

test('heat map and confusion: n² cells; confusion colour is the row share, text the count', (t) => {
  const h = heatmap({
    id: 'h',
    title: 'T',
    rows: ['a', 'b'],
    cols: ['x', 'y', 'z'],
    values: [0, 0.5, 1, null, 0.25, 0.75],
    rowLabel: 'area',
    colLabel: 'ROI',
    valueLabel: 'r',
    domain: [0, 1],
    caption: 'c',
  });
  const cells = elements(h.svg);
  t.is(cells.length, 6);
  t.deepEqual(
    cells.map((c) => c.fill),
    [viridis(0), viridis(0.5), viridis(1), '#d9d9d9', viridis(0.25), viridis(0.75)],
  );
  const counts = [
    [6, 1, 1],
    [1, 6, 1],
    [1, 1, 2],
  ];
  const c = confusionMatrix({
    id: 'c',
    title: 'T',
    classes: GENRES.slice(0, 3),
    counts,
    unit: 'clips',
    rowLabel: 'true genre',
    colLabel: 'predicted genre',
    caption: 'c',
  });
  t.is(c.marks, 9);
  const fills = elements(c.svg).map((x) => x.fill);
  t.is(fills[0], viridis(6 / 8));
  t.is(fills[4], viridis(6 / 8));
  t.is(fills[8], viridis(2 / 4));
  t.regex(c.svg, />6<\/text>/);
  t.is(elements(c.svg, 'outline').length, 3, 'diagonal outlined');
});

test('alignment figure and table print the same statistic: the align stage’s across-model Spearman ρ; one circle per distinct model; no least-squares line', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const d = reportDataSchema.parse(fixtureReport('alignment', dir));
  const sec = buildSections(d).find((s) => s.id === 'alignment');
  const fig = sec?.figures.find((f) => f.id === 'alignment-performance');
  t.truthy(fig);
  t.is(fig?.marks, 3, 'ban (last checkpoint), cnn, random-ban — not the 4 earlier ban checkpoints');
  t.is(elements(fig?.svg ?? '', 'fit').length, 0);
  t.notRegex(fig?.svg ?? '', /Pearson|least-squares/);
  const label = 'Spearman ρ = 0.5 [−1, 1], n = 3';
  t.is(rankLabel({ spearman: 0.5, lo: -1, hi: 1, n: 3 }), label);
  t.true((fig?.svg ?? '').includes(esc(label)), 'figure legend');
  t.true(sec?.tables[0].caption.includes(label), 'table caption');
  t.deepEqual(sec?.tables[1].rows[0], ['across models', 'encoding', '0.5', '[−1, 1]', '3']);
  t.regex(sec?.figures.find((f) => f.id === 'alignment-checkpoints')?.caption ?? '', /Within-model Spearman ρ .*: ban 1 \(n = 5\)/);
  // Without an across-model statistic the figure says so instead of drawing a fit.
  const none = scatterRank({
    id: 's',
    title: 'T',
    xLabel: 'x',
    yLabel: 'y',
    points: [
      { label: 'a', group: 'g', x: 0.1, y: 0.2 },
      { label: 'b', group: 'g', x: 0.3, y: 0.1 },
    ],
    statistic: { spearman: null, lo: null, hi: null, n: 2 },
    caption: 'c',
  });
  t.is(none.marks, 2);
  t.regex(none.svg, /Spearman ρ: n\/a \(n = 2\)/);
});

test('a full fixture report: expected marks per figure, tables beside figures, self-contained, same bytes twice', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const d = reportDataSchema.parse(fixtureReport('ban-bas', dir));
  const sections = buildSections(d);
  const marks = Object.fromEntries(sections.flatMap((s) => s.figures).map((f) => [f.id, f.marks]));
  t.deepEqual(marks, {
    'training-ban-loss': 12 + 11,
    'training-ban-accuracy': 12 + 11,
    'training-ban-confusion': 100,
    'bas-components': 6,
    'roi-scores': 16,
    'area-scores': 4,
    'area-roi': 16,
  });
  for (const f of sections.flatMap((s) => s.figures)) t.is(elements(f.svg).length, f.marks, f.id);
  const html = renderReport(d, { niivue: '/* niivue */', figureDir: 'figures', pngs: true }, sections);
  t.is(html, renderReport(d, { niivue: '/* niivue */', figureDir: 'figures', pngs: true }));
  t.notRegex(html, /(src|href)="(https?:)?\/\//, 'nothing fetched from the network');
  t.notRegex(html, /<link\b/);
  t.regex(html, /BAS ± 95 % CI/);
  t.regex(html, /<td>0\.56<\/td><td>\[0\.5, 0\.61\]<\/td>/, 'BAS estimate and CI in the table');
  t.regex(html, /train \(brainalign 0\.1\.0-test, seed 7\): arch = ban; epochs = 12; lr = 0\.001\./, 'methods state the parameters used');
  t.regex(html, /fedcba9876543210/, 'provenance keys listed');
  t.is((html.match(/<canvas id="brain-canvas-/g) ?? []).length, 1);
});

test('sections without data say "not run" and name the stage; markup in names is escaped', (t) => {
  const d = emptyReport('eeg-identification', '0.1.0', 0);
  d.training.push({
    model: '<script>alert(1)</script>',
    epochs: [{ epoch: 0, train_loss: 1, train_acc: 0.5, val_loss: null, val_acc: null }],
    bestEpoch: null,
    classes: [],
    confusion: null,
    confusionUnit: 'windows',
    perClass: [],
    accuracy: null,
    clipAccuracy: null,
    chance: null,
    clipP: null,
  });
  const sections = buildSections(d);
  const id = sections.find((s) => s.id === 'identification');
  t.truthy(id?.notRun);
  t.regex(id?.notRun ?? '', /decode-eeg/);
  const html = renderReport(d, { niivue: null, figureDir: 'figures', pngs: false });
  t.regex(html, /Not run: no identification scores/);
  t.false(html.includes('<script>alert(1)</script>'));
  t.true(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.notRegex(html, /PNG<\/a>/, 'no PNG links when PNGs were not written');
});

test('two models with the same name get distinct figure ids (and files)', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const d = fixtureReport('ban-bas', dir);
  d.training.push(structuredClone(d.training[0]));
  const ids = buildSections(d)
    .flatMap((s) => s.figures)
    .filter((f) => f.id.startsWith('training-'))
    .map((f) => f.id);
  t.deepEqual(ids, [
    'training-ban-loss',
    'training-ban-accuracy',
    'training-ban-confusion',
    'training-ban-loss-2',
    'training-ban-accuracy-2',
    'training-ban-confusion-2',
  ]);
  const second = buildSections(d)
    .flatMap((s) => s.figures)
    .find((f) => f.id === 'training-ban-loss-2');
  t.regex(second?.svg ?? '', /id="fig-training-ban-loss-2"/);
  t.regex(second?.svg ?? '', /aria-labelledby="t-training-ban-loss-2"/);
});

test('methods text: key parameters in the sentence, all (sorted, long arrays summarised) behind it', (t) => {
  const m = methodsText('ban-bas', [
    {
      stage: 'encode',
      key: 'k',
      brainalign: '1.0',
      seed: 3,
      params: { ridge: { alphas: [0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7], folds: 5, solver: 'svd' }, delays: [1, 2, 3] },
      path: 'p',
    },
  ]);
  t.is(
    m.stages[0].text,
    'encode (brainalign 1.0, seed 3): delays = [1, 2, 3]; ridge.alphas = [0.1, 1, 10, 100, …, 1000000, 10000000] (9 values); ridge.folds = 5.',
  );
  t.deepEqual(m.stages[0].all, [
    'delays = [1, 2, 3]',
    'ridge.alphas = [0.1, 1, 10, 100, …, 1000000, 10000000] (9 values)',
    'ridge.folds = 5',
    'ridge.solver = svd',
  ]);
  t.regex(m.intro, /BAS/);
});

test('methods text is generated from the configs the stages ran with: delays, α grid, CV, ceiling, RSA and permutations change with the config; no least-squares fit or per-voxel ceiling is claimed', (t) => {
  const prov = (encode: unknown, align: unknown) => [
    { stage: 'encode', key: 'e', brainalign: '1.0', seed: 1, params: { subject: '01', encode }, path: 'p' },
    { stage: 'align', key: 'a', brainalign: '1.0', seed: 1, params: { align }, path: 'q' },
  ];
  const base = methodsText('alignment', prov({}, {})).intro;
  t.regex(base, /delays \(1, 2, 3, 4, 5 and 6 TRs/);
  t.regex(base, /\{0\.1, 1, 10, 100, 1000, 10000, 100000, 1000000\}/);
  t.regex(base, /leave-one-run-out cross-validation over the task-train runs \(criterion: R²\)/);
  t.regex(base, /median correlation between pairs of test runs/);
  t.regex(base, /1000 phase randomisations of the prediction/);
  t.regex(base, /max\(r, 0\)²\/max\(ρ, 0\.182\)/);
  t.regex(base, /z-scoring every voxel and every model feature across clips/);
  t.regex(base, /compared by Spearman rank correlation/);
  t.regex(base, /5-fold cross-validation over stimuli/);
  t.regex(base, /Spearman's ρ across distinct models only/);
  t.notRegex(base, /least-squares fit|per-voxel ceiling|Pearson r = /);
  const changed = methodsText(
    'alignment',
    prov(
      { delays: [1, 2, 3, 4], alphas: [1, 10], ceiling: 'split-half', nPerm: 0, selectBy: 'r' },
      { rsa: { metric: 'euclidean', comparison: 'kendall-tau-a', zscore: false, folds: 4, response: 'window' }, nBoot: 500, level: 0.9 },
    ),
  ).intro;
  t.not(changed, base);
  t.regex(changed, /delays \(1, 2, 3 and 4 TRs/);
  t.regex(methodsText('alignment', prov({ nullScheme: 'block', blockSec: 10 }, {})).intro, /1000 permutations that reorder 10-s blocks/);
  t.regex(changed, /\{1, 10\}/);
  t.regex(changed, /criterion: Pearson r/);
  t.regex(changed, /two halves of the test runs/);
  t.regex(changed, /No permutation p-values were computed/);
  t.regex(changed, /Euclidean distance/);
  t.notRegex(changed, /z-scoring/);
  t.regex(changed, /Kendall τa/);
  t.regex(changed, /4-fold/);
  t.regex(changed, /mean BOLD from 4 s after clip onset/);
  t.regex(changed, /90 % percentile-bootstrap CI over models \(500 resamples\)/);
  t.regex(methodsText('alignment', []).intro, /No encode stage is among/);
});

test('without PNG export the figures are still written as standalone SVG files, with a notice saying so', async (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = barChart({ id: 'x', title: 'T', categories: ['a'], xLabel: 'x', yLabel: 'y', series: [{ name: 's', values: [1] }], caption: 'c' });
  const r = await exportFigures([f], dir, (g) => `study_${g.id}`, { png: false });
  t.deepEqual(r.svgs, [path.join(dir, 'study_x.svg')]);
  t.deepEqual(r.pngs, []);
  t.regex(r.notice ?? '', /SVG only/);
  t.regex(fs.readFileSync(r.svgs[0], 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
});

/**
 * The natural-sounds report (NH2015 / B2021): one self-contained HTML page
 * with the per-model bar chart of noise-corrected r² (CI over participants)
 * and RSA against its ceiling, and the tables behind it.
 */
import type { SoundGroupRow } from '../scoring/sound-align.js';
import { soundEncodingTable, soundLayersTable, soundRsaTable } from '../artifacts/sound-encode.js';
import { formatTsvNumber, NA } from '../io/tsv.js';
import type { SoundAlignInput } from '../scoring/sound-align.js';
import { axisTitles, esc, fmt, linear, niceDomain, niceTicks, plotBox, px, svgDoc, errorBar } from './svg.js';
import { tableHtml } from './sections.js';
import { categorical } from './palette.js';

/** Bars of one value per model with optional intervals; unitless y. */
function barFigure(id: string, title: string, yLabel: string, rows: { label: string; value: number; lo?: number; hi?: number; ref?: number }[]): string {
  const box = plotBox();
  const vals = rows.flatMap((r) => [r.value, r.lo ?? NaN, r.hi ?? NaN, r.ref ?? NaN]).filter(Number.isFinite);
  const [y0, y1] = niceDomain(Math.min(0, ...vals), Math.max(0.1, ...vals));
  const y = linear([y0, y1], [box.top + box.height, box.top]);
  const bw = box.width / Math.max(1, rows.length);
  let body = '<g class="axes" stroke="#000000">';
  for (const v of niceTicks(y0, y1, 5)) {
    body += `<line x1="${px(box.left)}" x2="${px(box.left + box.width)}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="#e5e5e5"/>`;
    body += `<text x="${px(box.left - 8)}" y="${px(y(v))}" dy="0.32em" text-anchor="end" stroke="none">${esc(fmt(v))}</text>`;
  }
  body += `<line x1="${px(box.left)}" x2="${px(box.left)}" y1="${px(box.top)}" y2="${px(box.top + box.height)}"/></g>`;
  rows.forEach((r, i) => {
    const x = box.left + i * bw + bw * 0.2;
    const top = Number.isFinite(r.value) ? y(Math.max(r.value, y0)) : y(0);
    body += `<rect x="${px(x)}" y="${px(Math.min(top, y(0)))}" width="${px(bw * 0.6)}" height="${px(Math.abs(y(0) - top))}" fill="${categorical(i)}"><title>${esc(`${r.label}: ${fmt(r.value)}`)}</title></rect>`;
    if (r.lo !== undefined && r.hi !== undefined && Number.isFinite(r.lo) && Number.isFinite(r.hi)) body += errorBar(x + bw * 0.3, y(r.lo), y(r.hi));
    if (r.ref !== undefined && Number.isFinite(r.ref))
      body += `<line x1="${px(x - bw * 0.05)}" x2="${px(x + bw * 0.65)}" y1="${px(y(r.ref))}" y2="${px(y(r.ref))}" stroke="#000000" stroke-dasharray="4 3"/>`;
    body += `<text x="${px(x + bw * 0.3)}" y="${px(box.top + box.height + 16)}" text-anchor="middle">${esc(r.label)}</text>`;
  });
  body += axisTitles(box, 'model', yLabel);
  return svgDoc(id, title, body);
}

/** A table of the artifact as its file shows it: numbers as the TSV writes them, missing as n/a. */
function tableOf(caption: string, columns: Record<string, unknown>, rows: readonly Record<string, string | number | null>[]): string {
  const names = Object.keys(columns);
  const text = (v: string | number | null): string => (v === null ? NA : typeof v === 'number' ? formatTsvNumber(v) : v);
  return tableHtml({ caption, columns: names, rows: rows.map((r) => names.map((c) => text(r[c]))) });
}

export function renderSoundsReport(group: SoundGroupRow[], tables: SoundAlignInput, meta: { dataset: string; seed: number }): string {
  const r2Fig = barFigure(
    'ns-r2',
    'Voxel encoding: noise-corrected r²',
    'mean over participants of median r²',
    group.map((g) => ({ label: g.model, value: g.r2.estimate, lo: g.r2.lo, hi: g.r2.hi })),
  );
  const rsaFig = barFigure(
    'ns-rsa',
    'RSA with cross-validated layer choice',
    'Spearman ρ (dashes: lower ceiling)',
    group.map((g) => ({ label: g.model, value: g.rsa, ref: g.rsaCeilingLower })),
  );
  const summary = tableHtml({
    caption:
      'Per model: participants, mean median noise-corrected r² [95% bootstrap CI over participants], RSA, its ceiling, mean component r² and the layer most often chosen',
    columns: ['model', 'participants', 'r²', 'CI', 'RSA', 'ceiling (lower–upper)', 'component r²', 'top layer'],
    rows: group.map((g) => [
      g.model,
      String(g.participants),
      fmt(g.r2.estimate),
      `${fmt(g.r2.lo)} – ${fmt(g.r2.hi)}`,
      fmt(g.rsa),
      `${fmt(g.rsaCeilingLower)} – ${fmt(g.rsaCeilingUpper)}`,
      fmt(g.componentR2),
      g.topLayer,
    ]),
  });
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>brainalign: natural sounds</title>' +
    '<style>body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}caption{text-align:left;font-weight:bold}</style></head><body>' +
    `<h1>Natural sounds: encoding and RSA (${esc(meta.dataset)})</h1>` +
    '<p>Sound-level protocol of Pepino et al. and Tuckute et al. 2023: time-averaged activations of each layer; nested 5-fold ridge over the sounds, the inner folds choosing α and the layer per voxel, the outer folds scoring; ' +
    'r² corrected as max(r, 0)² / (max(ρ, 0.182)·max(ρ̂, 0.182)), ρ the Spearman–Brown reliability of the scan mean and ρ̂ that of predictions refit on single scans (or by ρ alone, as the study config sets); components scored as max(r, 0)². ' +
    `RSA: 1 − Pearson RDMs over z-scored columns compared by Spearman, layer chosen per stimulus-fold block; ceiling leave-one-participant-out. Seed ${meta.seed}. Equations: docs/real-data.md.</p>` +
    r2Fig +
    rsaFig +
    summary +
    tableOf('Per participant and component (encoding.tsv)', soundEncodingTable.columns, tables.encoding) +
    tableOf('RSA per participant (rsa.tsv)', soundRsaTable.columns, tables.rsa) +
    tableOf('Layer choice (layers.tsv)', soundLayersTable.columns, tables.layers) +
    '</body></html>\n'
  );
}

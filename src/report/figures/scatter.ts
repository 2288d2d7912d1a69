/**
 * Scatter of alignment against performance, annotated with the rank
 * correlation the tables report. No least-squares line: the study's statistic
 * is Spearman's ρ, which a straight fit through raw values would misstate.
 */
import { categorical } from '../palette.js';
import { axes, errorBar, esc, finiteOf, fmt, legend, linear, niceDomain, plotBox, px, svgDoc, type Figure, type LegendItem } from '../svg.js';

export interface ScatterPoint {
  label: string;
  group: string;
  x: number;
  y: number;
  ylo?: number | null;
  yhi?: number | null;
}

/** The statistic printed on the figure, as the align stage computed it (or null when not computed). */
export interface RankStatistic {
  spearman: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
}

export interface ScatterOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: ScatterPoint[];
  statistic: RankStatistic;
  caption: string;
}

/** "Spearman ρ = 0.5 [−0.5, 1], n = 4" (n/a when not computed). */
export function rankLabel(s: RankStatistic): string {
  const ci = s.lo !== null && s.hi !== null ? ` [${fmt(s.lo, 2)}, ${fmt(s.hi, 2)}]` : '';
  return s.spearman === null ? `Spearman ρ: n/a (n = ${s.n})` : `Spearman ρ = ${fmt(s.spearman, 2)}${ci}, n = ${s.n}`;
}

/** A scatter plot with the rank statistic in the legend; marks = one circle per point. */
export function scatterRank(o: ScatterOptions): Figure {
  const box = plotBox(190);
  const xd = niceDomain(Math.min(...o.points.map((p) => p.x)), Math.max(...o.points.map((p) => p.x)), 5);
  const ally = finiteOf(o.points.flatMap((p) => [p.y, p.ylo, p.yhi]));
  const yd = niceDomain(Math.min(...ally), Math.max(...ally), 5);
  const x = linear(xd, [box.left, box.left + box.width]);
  const y = linear(yd, [box.top + box.height, box.top]);
  let body = axes(box, x, y, o.xLabel, o.yLabel);
  const groups = [...new Set(o.points.map((p) => p.group))];
  let marks = 0;
  for (const p of o.points) {
    const color = categorical(groups.indexOf(p.group));
    if (p.ylo != null && p.yhi != null) body += errorBar(x(p.x), y(p.ylo), y(p.yhi), color, 3);
    body += `<circle class="mark" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="4.5" fill="${color}" stroke="#ffffff" stroke-width="0.8"><title>${esc(`${p.label}: ${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`;
    marks++;
  }
  const items: LegendItem[] = groups.map((g, i) => ({ label: g, color: categorical(i), kind: 'point' }));
  body += legend(items, box.left + box.width + 14, box.top + 8);
  body += `<text class="statistic" x="${px(box.left + box.width + 14)}" y="${px(box.top + 8 + items.length * 18 + 8)}" dy="0.32em">${esc(rankLabel(o.statistic))}</text>`;
  return { id: o.id, title: o.title, svg: svgDoc(o.id, o.title, body), marks, caption: o.caption };
}

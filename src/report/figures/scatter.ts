/**
 * Scatter with an ordinary least-squares fit: points coloured by group, CIs
 * on y as error bars, the fitted line, and Pearson r with n in the legend.
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

export interface ScatterOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: ScatterPoint[];
  caption: string;
}

/** Least-squares line y = a + b·x and Pearson r of the points (null when undefined: n < 3 or no spread). */
export function olsFit(xs: number[], ys: number[]): { intercept: number; slope: number; r: number } | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / n, my = ys.reduce((s, v) => s + v, 0) / n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx, dy = ys[i] - my;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope, r: sxy / Math.sqrt(sxx * syy) };
}

/** A scatter plot with fit; marks = one circle per point. */
export function scatterFit(o: ScatterOptions): Figure {
  const box = plotBox(170);
  const xd = niceDomain(Math.min(...o.points.map((p) => p.x)), Math.max(...o.points.map((p) => p.x)), 5);
  const ally = finiteOf(o.points.flatMap((p) => [p.y, p.ylo, p.yhi]));
  const yd = niceDomain(Math.min(...ally), Math.max(...ally), 5);
  const x = linear(xd, [box.left, box.left + box.width]);
  const y = linear(yd, [box.top + box.height, box.top]);
  let body = axes(box, x, y, o.xLabel, o.yLabel);
  const groups = [...new Set(o.points.map((p) => p.group))];
  const fit = olsFit(o.points.map((p) => p.x), o.points.map((p) => p.y));
  if (fit) {
    body += `<line class="fit" x1="${px(x(xd[0]))}" x2="${px(x(xd[1]))}" y1="${px(y(fit.intercept + fit.slope * xd[0]))}" y2="${px(y(fit.intercept + fit.slope * xd[1]))}" stroke="#000000" stroke-width="1.5" clip-path="url(#clip-${esc(o.id)})"/>`;
  }
  body = `<defs><clipPath id="clip-${esc(o.id)}"><rect x="${px(box.left)}" y="${px(box.top)}" width="${px(box.width)}" height="${px(box.height)}"/></clipPath></defs>` + body;
  let marks = 0;
  for (const p of o.points) {
    const color = categorical(groups.indexOf(p.group));
    if (p.ylo != null && p.yhi != null) body += errorBar(x(p.x), y(p.ylo), y(p.yhi), color, 3);
    body += `<circle class="mark" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="4.5" fill="${color}" stroke="#ffffff" stroke-width="0.8"><title>${esc(`${p.label}: ${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`;
    marks++;
  }
  const items: LegendItem[] = groups.map((g, i) => ({ label: g, color: categorical(i), kind: 'point' }));
  items.push({ label: fit ? `fit: r = ${fmt(fit.r, 2)}, n = ${o.points.length}` : `no fit (n = ${o.points.length})`, color: '#000000', kind: 'line' });
  body += legend(items, box.left + box.width + 14, box.top + 8);
  return { id: o.id, title: o.title, svg: svgDoc(o.id, o.title, body), marks, caption: o.caption };
}

/**
 * Grouped bars with CIs: categories along x, one coloured bar per series in
 * each category, CIs as error bars, optional dashed reference line.
 */
import { categorical } from '../palette.js';
import { axisTitles, errorBar, esc, finiteOf, fmt, legend, linear, niceDomain, niceTicks, plotBox, px, referenceLine, svgDoc, type Figure } from '../svg.js';

export interface BarSeries {
  name: string;
  /** One value per category; null = not computed (no bar). */
  values: (number | null)[];
  lo?: (number | null)[];
  hi?: (number | null)[];
  /** Individual values behind each bar (e.g. subjects), drawn as dots over it. */
  points?: number[][];
}

export interface BarOptions {
  id: string;
  title: string;
  categories: string[];
  xLabel: string;
  yLabel: string;
  series: BarSeries[];
  references?: { y: number; label: string }[];
  yDomain?: [number, number];
  caption: string;
}

/** A grouped bar chart; marks = one rect per non-missing value. */
export function barChart(o: BarOptions): Figure {
  const hasLegend = o.series.length > 1 || (o.references?.length ?? 0) > 0;
  const box = plotBox(hasLegend ? 150 : 24);
  const all = finiteOf(
    o.series
      .flatMap((s) => [...s.values, ...(s.lo ?? []), ...(s.hi ?? []), ...(s.points ?? []).flat()])
      .concat(
        (o.references ?? []).map((r) => r.y),
        [0],
      ),
  );
  const yd = o.yDomain ?? niceDomain(Math.min(...all), Math.max(...all), 5);
  const y = linear(yd, [box.top + box.height, box.top]);
  const nC = o.categories.length;
  const band = box.width / Math.max(1, nC);
  const inner = band * 0.8;
  const bw = inner / Math.max(1, o.series.length);
  const bottom = box.top + box.height;
  let body = '<g class="axes" stroke="#000000" stroke-width="1">';
  for (const v of niceTicks(yd[0], yd[1], 5)) {
    const yy = px(y(v));
    body += `<line x1="${px(box.left)}" x2="${px(box.left + box.width)}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`;
    body += `<line x1="${px(box.left - 5)}" x2="${px(box.left)}" y1="${yy}" y2="${yy}"/>`;
    body += `<text x="${px(box.left - 8)}" y="${yy}" dy="0.32em" text-anchor="end" stroke="none">${esc(fmt(v))}</text>`;
  }
  // Rotate labels only when the longest would overflow its band (≈ 6.5 px per character at 12 px).
  const rotate = o.categories.some((c) => c.length * 6.5 > band - 4);
  o.categories.forEach((c, i) => {
    const cx = box.left + band * (i + 0.5);
    body += rotate
      ? `<text transform="translate(${px(cx)},${px(bottom + 12)}) rotate(-30)" text-anchor="end" stroke="none">${esc(c)}</text>`
      : `<text x="${px(cx)}" y="${px(bottom + 18)}" text-anchor="middle" stroke="none">${esc(c)}</text>`;
  });
  body += `<line x1="${px(box.left)}" x2="${px(box.left)}" y1="${px(box.top)}" y2="${px(bottom)}"/>`;
  body += `<line x1="${px(box.left)}" x2="${px(box.left + box.width)}" y1="${px(y(Math.max(yd[0], Math.min(yd[1], 0))))}" y2="${px(y(Math.max(yd[0], Math.min(yd[1], 0))))}"/></g>`;
  body += axisTitles(box, o.xLabel, o.yLabel, rotate ? 50 : 42);
  let marks = 0;
  const zero = y(Math.max(yd[0], Math.min(yd[1], 0)));
  o.series.forEach((s, si) => {
    const color = categorical(si);
    body += `<g class="series" data-series="${esc(s.name)}">`;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const x0 = box.left + band * i + (band - inner) / 2 + bw * si;
      const yv = y(v);
      const ci = s.lo?.[i] != null && s.hi?.[i] != null ? ` [${fmt(s.lo[i])}, ${fmt(s.hi[i])}]` : '';
      body += `<rect class="mark" x="${px(x0 + 1)}" y="${px(Math.min(yv, zero))}" width="${px(Math.max(1, bw - 2))}" height="${px(Math.abs(zero - yv))}" fill="${color}"><title>${esc(`${s.name} · ${o.categories[i]}: ${fmt(v)}${ci}`)}</title></rect>`;
      marks++;
      const lo = s.lo?.[i],
        hi = s.hi?.[i];
      if (lo != null && hi != null) body += errorBar(x0 + bw / 2, y(lo), y(hi));
      // Individual values spread evenly across the middle half of the bar, so equal values do not hide each other.
      const pts = s.points?.[i] ?? [];
      pts.forEach((p, k) => {
        const cx = x0 + bw / 2 + (pts.length > 1 ? (k / (pts.length - 1) - 0.5) * bw * 0.5 : 0);
        body += `<circle class="point" cx="${px(cx)}" cy="${px(y(p))}" r="2.8" fill="#ffffff" stroke="#000000" stroke-width="1"/>`;
      });
    });
    body += '</g>';
  });
  for (const r of o.references ?? []) body += referenceLine(box, y, r.y, r.label);
  if (hasLegend) {
    body += legend(
      [
        ...o.series.map((s, i) => ({ label: s.name, color: categorical(i), kind: 'rect' as const })),
        ...(o.references ?? []).map((r) => ({ label: r.label, color: '#000000', kind: 'dashed' as const })),
      ],
      box.left + box.width + 16,
      box.top + 8,
    );
  }
  return { id: o.id, title: o.title, svg: svgDoc(o.id, o.title, body), marks, caption: o.caption };
}

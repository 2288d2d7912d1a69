/**
 * Line chart: one or more series over a numeric x axis, points as marks,
 * optional CIs as error bars, optional dashed reference lines (chance).
 */
import { categorical } from '../palette.js';
import {
  axes,
  errorBar,
  esc,
  finiteOf,
  legend,
  linear,
  niceDomain,
  niceTicks,
  plotBox,
  px,
  referenceLine,
  svgDoc,
  type Figure,
  type LegendItem,
} from '../svg.js';

export interface LineSeries {
  name: string;
  x: number[];
  /** null = missing (the line breaks there). */
  y: (number | null)[];
  lo?: (number | null)[];
  hi?: (number | null)[];
  dashed?: boolean;
  /** SVG stroke-dasharray (overrides `dashed`), e.g. '2 3'. */
  dash?: string;
  /** Defaults to the Okabe–Ito colour of the series index. */
  color?: string;
}

export interface LineOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  references?: { y: number; label: string }[];
  /** Fixed y range (data units), e.g. [0, 1] for accuracies. */
  yDomain?: [number, number];
  xLog?: boolean;
  /** Tick only whole numbers on x (epochs). */
  xInteger?: boolean;
  caption: string;
}

/** A line chart; marks = one circle per non-missing point. */
export function lineChart(o: LineOptions): Figure {
  const hasLegend = o.series.length > 1 || (o.references?.length ?? 0) > 0;
  const box = plotBox(hasLegend ? 150 : 24);
  const xs = o.series.flatMap((s) => s.x);
  const tx = (v: number): number => (o.xLog ? Math.log10(v) : v);
  const [x0, x1] = [Math.min(...xs.map(tx)), Math.max(...xs.map(tx))];
  // A log axis is ticked at the data's own x values, so pad it by 5 % instead of rounding out to nice ticks.
  const xd: [number, number] = o.xLog ? [x0 - 0.05 * (x1 - x0 || 1), x1 + 0.05 * (x1 - x0 || 1)] : niceDomain(x0, x1, 6);
  const ysAll = finiteOf(o.series.flatMap((s) => [...s.y, ...(s.lo ?? []), ...(s.hi ?? [])]).concat((o.references ?? []).map((r) => r.y)));
  const yd = o.yDomain ?? niceDomain(Math.min(...ysAll), Math.max(...ysAll), 5);
  const x = linear(xd, [box.left, box.left + box.width]);
  const y = linear(yd, [box.top + box.height, box.top]);
  const xTicks = o.xLog ? [...new Set(xs)].sort((a, b) => a - b).map(tx) : o.xInteger ? niceTicks(xd[0], xd[1], 6).filter(Number.isInteger) : undefined;
  let body = axes(box, x, y, o.xLabel, o.yLabel, { xTicks, xTickLabel: o.xLog ? (v) => String(Number((10 ** v).toPrecision(3))) : undefined });
  for (const r of o.references ?? []) body += referenceLine(box, y, r.y, r.label);
  let marks = 0;
  const items: LegendItem[] = [];
  // Series with CIs at shared x values are nudged apart by 4 px so their error bars stay readable.
  const withCi = o.series.filter((s) => s.lo && s.hi).length;
  o.series.forEach((s, si) => {
    const color = s.color ?? categorical(si);
    const nudge = withCi > 1 && s.lo && s.hi ? (si - (o.series.length - 1) / 2) * 4 : 0;
    const X = (v: number): number => x(tx(v)) + nudge;
    const dash = s.dash ?? (s.dashed ? '6 4' : undefined);
    items.push({ label: s.name, color, kind: 'line', dash });
    let d = '';
    let pen = false;
    s.x.forEach((xv, i) => {
      const yv = s.y[i];
      if (yv === null || !Number.isFinite(yv)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${px(X(xv))},${px(y(yv))}`;
      pen = true;
    });
    body += `<g class="series" data-series="${esc(s.name)}">`;
    if (d) body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
    s.x.forEach((xv, i) => {
      const yv = s.y[i];
      if (yv === null || !Number.isFinite(yv)) return;
      const lo = s.lo?.[i],
        hi = s.hi?.[i];
      if (lo !== undefined && lo !== null && hi !== undefined && hi !== null) body += errorBar(X(xv), y(lo), y(hi), color);
      body += `<circle class="mark" cx="${px(X(xv))}" cy="${px(y(yv))}" r="3" fill="${color}"><title>${esc(`${s.name}: x=${xv}, y=${yv}`)}</title></circle>`;
      marks++;
    });
    body += '</g>';
  });
  for (const r of o.references ?? []) items.push({ label: r.label, color: '#000000', kind: 'dashed' });
  if (hasLegend) body += legend(items, box.left + box.width + 16, box.top + 8);
  return { id: o.id, title: o.title, svg: svgDoc(o.id, o.title, body), marks, caption: o.caption };
}

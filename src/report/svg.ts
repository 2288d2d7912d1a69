/**
 * SVG building blocks shared by the figures: escaping, number formatting,
 * linear scales with "nice" ticks, the figure frame (title, fonts), axes with
 * labelled units, and legends. Output is plain strings with coordinates
 * rounded to 0.01 px, so the same data gives the same bytes.
 *
 * Every data mark (bar, point, cell) carries class="mark": the browser test
 * counts them against the data, so a figure that silently drops data fails.
 */

/** A rendered figure: standalone SVG text and the number of data marks it contains. */
export interface Figure {
  /** File stem and HTML id, e.g. 'training-ban-curves'. */
  id: string;
  title: string;
  svg: string;
  /** Number of elements with class "mark" in `svg`. */
  marks: number;
  /** One or two sentences under the figure: what is drawn, n, CI method. */
  caption: string;
}

export const FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif";

/** Text safe inside XML/HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A coordinate rounded to 0.01 px, as text. */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A number for people: `digits` significant digits, trailing zeros dropped, n/a for null/NaN. */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  let s: string;
  if (a >= 1e5 || a < 1e-3) s = v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  else {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
    s = v.toFixed(decimals);
    if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s.replace(/^-/, '−');
}

/** Tick values covering [lo, hi] at steps of 1, 2 or 5 × 10^k, about `n` of them. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9) * step;
  for (let v = first; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** Extends [lo, hi] outward to the enclosing nice ticks (a degenerate range gets ±0.5 or ±10 %). */
export function niceDomain(lo: number, hi: number, n = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi <= lo) {
    const d = lo === 0 ? 0.5 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const t = niceTicks(lo, hi, n);
  const step = t.length > 1 ? t[1] - t[0] : (hi - lo) / n;
  return [t[0] > lo ? t[0] - step : t[0], t[t.length - 1] < hi ? t[t.length - 1] + step : t[t.length - 1]];
}

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Linear map from `domain` (data units) to `range` (px). */
export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** Plot area inside the figure, px. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export const W = 560;
export const H = 360;
export const MARGIN = { left: 70, right: 24, top: 44, bottom: 56 };

/** The default plot box of a W×H figure, leaving `right` px for a legend. */
export function plotBox(right = MARGIN.right, width = W, height = H, bottom = MARGIN.bottom): Box {
  return { left: MARGIN.left, top: MARGIN.top, width: width - MARGIN.left - right, height: height - MARGIN.top - bottom };
}

/** A complete standalone SVG document with a title line and accessible name. */
export function svgDoc(id: string, title: string, body: string, width = W, height = H): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="fig-${esc(id)}" class="figure" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="t-${esc(id)}" font-family="${esc(FONT)}" font-size="12">` +
    `<title id="t-${esc(id)}">${esc(title)}</title>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<text x="${px(width / 2)}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>` +
    body +
    '</svg>'
  );
}

/** Left and bottom axes with ticks, grid lines and axis titles (which should carry units). */
export function axes(
  box: Box,
  x: Scale,
  y: Scale,
  xLabel: string,
  yLabel: string,
  opts: { xTicks?: number[]; yTicks?: number[]; xTickLabel?: (v: number) => string } = {},
): string {
  const xt = opts.xTicks ?? niceTicks(x.domain[0], x.domain[1], 6);
  const yt = opts.yTicks ?? niceTicks(y.domain[0], y.domain[1], 5);
  const bottom = box.top + box.height;
  const right = box.left + box.width;
  const label = opts.xTickLabel ?? ((v: number) => fmt(v));
  let s = '<g class="axes" stroke="#000000" stroke-width="1">';
  for (const v of yt) {
    const yy = px(y(v));
    s += `<line x1="${px(box.left)}" x2="${px(right)}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`;
    s += `<line x1="${px(box.left - 5)}" x2="${px(box.left)}" y1="${yy}" y2="${yy}"/>`;
    s += `<text x="${px(box.left - 8)}" y="${yy}" dy="0.32em" text-anchor="end" stroke="none">${esc(fmt(v))}</text>`;
  }
  for (const v of xt) {
    const xx = px(x(v));
    s += `<line x1="${xx}" x2="${xx}" y1="${px(bottom)}" y2="${px(bottom + 5)}"/>`;
    s += `<text x="${xx}" y="${px(bottom + 18)}" text-anchor="middle" stroke="none">${esc(label(v))}</text>`;
  }
  s += `<line x1="${px(box.left)}" x2="${px(box.left)}" y1="${px(box.top)}" y2="${px(bottom)}"/>`;
  s += `<line x1="${px(box.left)}" x2="${px(right)}" y1="${px(bottom)}" y2="${px(bottom)}"/>`;
  s += '</g>';
  s += axisTitles(box, xLabel, yLabel);
  return s;
}

/** Axis titles only (for figures drawing their own category axis). */
export function axisTitles(box: Box, xLabel: string, yLabel: string, xOffset = 42): string {
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  return (
    `<text class="xlabel" x="${px(cx)}" y="${px(box.top + box.height + xOffset)}" text-anchor="middle" font-size="13">${esc(xLabel)}</text>` +
    `<text class="ylabel" transform="translate(${px(box.left - 52)},${px(cy)}) rotate(-90)" text-anchor="middle" font-size="13">${esc(yLabel)}</text>`
  );
}

/** A dashed horizontal reference line (e.g. chance) across the plot box, labelled at its right end. */
export function referenceLine(box: Box, y: Scale, value: number, label: string): string {
  if (value < Math.min(...y.domain) || value > Math.max(...y.domain)) return '';
  const yy = px(y(value));
  return (
    `<line class="reference" x1="${px(box.left)}" x2="${px(box.left + box.width)}" y1="${yy}" y2="${yy}" stroke="#000000" stroke-width="1.2" stroke-dasharray="5 4"/>` +
    `<text x="${px(box.left + box.width - 4)}" y="${yy}" dy="-0.4em" text-anchor="end" font-size="11" fill="#333333">${esc(label)}</text>`
  );
}

export interface LegendItem {
  label: string;
  color: string;
  kind: 'line' | 'dashed' | 'rect' | 'point';
  /** stroke-dasharray of a 'line' item. */
  dash?: string;
}

/** A legend column starting at (x, y), one 18-px row per item. */
export function legend(items: LegendItem[], x: number, y: number): string {
  let s = '<g class="legend">';
  items.forEach((it, i) => {
    const yy = y + i * 18;
    if (it.kind === 'rect') s += `<rect x="${px(x)}" y="${px(yy - 6)}" width="12" height="12" fill="${it.color}"/>`;
    else if (it.kind === 'point') s += `<circle cx="${px(x + 6)}" cy="${px(yy)}" r="4" fill="${it.color}"/>`;
    else {
      const dash = it.kind === 'dashed' ? '5 4' : it.dash;
      s += `<line x1="${px(x)}" x2="${px(x + 22)}" y1="${px(yy)}" y2="${px(yy)}" stroke="${it.color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
    }
    s += `<text x="${px(x + (it.kind === 'rect' || it.kind === 'point' ? 18 : 28))}" y="${px(yy)}" dy="0.32em">${esc(it.label)}</text>`;
  });
  return `${s}</g>`;
}

/** A vertical error bar with caps (CI), px coordinates. */
export function errorBar(x: number, yLo: number, yHi: number, color = '#000000', cap = 4): string {
  return (
    `<g class="ci" stroke="${color}" stroke-width="1.3">` +
    `<line x1="${px(x)}" x2="${px(x)}" y1="${px(yLo)}" y2="${px(yHi)}"/>` +
    `<line x1="${px(x - cap)}" x2="${px(x + cap)}" y1="${px(yLo)}" y2="${px(yLo)}"/>` +
    `<line x1="${px(x - cap)}" x2="${px(x + cap)}" y1="${px(yHi)}" y2="${px(yHi)}"/></g>`
  );
}

/** Finite values of a list (for domains). */
export function finiteOf(values: (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
}

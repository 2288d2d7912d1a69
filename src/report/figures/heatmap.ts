/**
 * Heat map of a labelled matrix in viridis with a colour bar, the value
 * written in each cell, n/a cells hatched grey, and chosen cells outlined
 * (e.g. the hypothesised area→ROI pairs).
 */
import { textOn, viridis } from '../palette.js';
import { esc, finiteOf, fmt, linear, niceTicks, px, svgDoc, type Figure } from '../svg.js';

export interface HeatmapOptions {
  id: string;
  title: string;
  rows: string[];
  cols: string[];
  /** Row-major, rows × cols; null = not computed. */
  values: (number | null)[];
  /** Text in each cell; defaults to the formatted value. */
  cellText?: string[];
  rowLabel: string;
  colLabel: string;
  /** Colour-bar title with units. */
  valueLabel: string;
  /** Colour range (data units); defaults to the finite min/max. */
  domain?: [number, number];
  outlined?: [number, number][];
  caption: string;
}

/** A heat map; marks = one rect per cell (n/a cells included, drawn grey). */
export function heatmap(o: HeatmapOptions): Figure {
  const nR = o.rows.length,
    nC = o.cols.length;
  const longest = Math.max(...o.rows.map((r) => r.length));
  const left = Math.max(80, Math.min(160, 20 + 7 * longest));
  const cell = Math.max(22, Math.min(64, Math.floor(Math.min(440 / nC, 300 / nR))));
  const top = 44;
  const rotate = nC > 6 || o.cols.some((c) => c.length > 6);
  const colLabelSpace = rotate ? 12 + 6 * Math.max(...o.cols.map((c) => c.length)) : 24;
  const width = left + nC * cell + 110;
  const height = top + nR * cell + colLabelSpace + 30;
  const fin = finiteOf(o.values);
  let [lo, hi] = o.domain ?? [Math.min(...fin, 0), Math.max(...fin, 1e-9)];
  if (!(hi > lo)) hi = lo + 1;
  const t = (v: number): number => (v - lo) / (hi - lo);
  let body = '<g class="cells">';
  let marks = 0;
  for (let r = 0; r < nR; r++) {
    for (let c = 0; c < nC; c++) {
      const v = o.values[r * nC + c];
      const x = left + c * cell,
        y = top + r * cell;
      const ok = v !== null && Number.isFinite(v);
      const fill = ok ? viridis(t(v)) : '#d9d9d9';
      const label = o.cellText?.[r * nC + c] ?? fmt(v, 2);
      body += `<rect class="mark" x="${px(x)}" y="${px(y)}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ffffff" stroke-width="1"><title>${esc(`${o.rows[r]} × ${o.cols[c]}: ${ok ? fmt(v, 4) : 'n/a'}`)}</title></rect>`;
      marks++;
      if (cell >= 28)
        body += `<text x="${px(x + cell / 2)}" y="${px(y + cell / 2)}" dy="0.35em" text-anchor="middle" font-size="${cell >= 44 ? 12 : 10}" fill="${ok ? textOn(fill) : '#333333'}">${esc(label)}</text>`;
    }
  }
  body += '</g>';
  for (const [r, c] of o.outlined ?? []) {
    body += `<rect class="outline" x="${px(left + c * cell + 1.5)}" y="${px(top + r * cell + 1.5)}" width="${cell - 3}" height="${cell - 3}" fill="none" stroke="#D55E00" stroke-width="3"/>`;
  }
  o.rows.forEach((name, r) => {
    body += `<text x="${px(left - 6)}" y="${px(top + (r + 0.5) * cell)}" dy="0.32em" text-anchor="end">${esc(name)}</text>`;
  });
  const by = top + nR * cell;
  o.cols.forEach((name, c) => {
    const cx = left + (c + 0.5) * cell;
    body += rotate
      ? `<text transform="translate(${px(cx)},${px(by + 10)}) rotate(-45)" text-anchor="end">${esc(name)}</text>`
      : `<text x="${px(cx)}" y="${px(by + 16)}" text-anchor="middle">${esc(name)}</text>`;
  });
  body += `<text x="${px(left + (nC * cell) / 2)}" y="${px(by + colLabelSpace + 18)}" text-anchor="middle" font-size="13">${esc(o.colLabel)}</text>`;
  body += `<text transform="translate(16,${px(top + (nR * cell) / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${esc(o.rowLabel)}</text>`;
  // Colour bar: 32 stacked steps, ticks in data units.
  const cbx = left + nC * cell + 24,
    cbh = Math.max(120, nR * cell),
    steps = 32;
  const ys = linear([lo, hi], [top + cbh, top]);
  body += '<g class="colorbar">';
  for (let i = 0; i < steps; i++) {
    const y0 = top + cbh - ((i + 1) * cbh) / steps;
    body += `<rect x="${px(cbx)}" y="${px(y0)}" width="14" height="${px(cbh / steps + 0.5)}" fill="${viridis((i + 0.5) / steps)}"/>`;
  }
  for (const v of niceTicks(lo, hi, 4))
    body += `<line x1="${px(cbx + 14)}" x2="${px(cbx + 18)}" y1="${px(ys(v))}" y2="${px(ys(v))}" stroke="#000000"/><text x="${px(cbx + 21)}" y="${px(ys(v))}" dy="0.32em" font-size="11">${esc(fmt(v))}</text>`;
  body += `<text transform="translate(${px(cbx + 64)},${px(top + cbh / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(o.valueLabel)}</text></g>`;
  const h = Math.max(height, top + cbh + 20);
  return { id: o.id, title: o.title, svg: svgDoc(o.id, o.title, body, width, h), marks, caption: o.caption };
}

/**
 * Confusion matrix: true class down, predicted class across, colour = share
 * of the true class (row-normalised, so rare classes read as clearly as
 * common ones), text = raw counts.
 */
import { heatmap } from './heatmap.js';
import type { Figure } from '../svg.js';

export interface ConfusionOptions {
  id: string;
  title: string;
  classes: string[];
  /** Counts, [true][predicted]. */
  counts: number[][];
  /** What was counted, e.g. 'test windows'. */
  unit: string;
  /** Axis titles, e.g. 'true genre' and 'predicted genre'. */
  rowLabel: string;
  colLabel: string;
  caption: string;
}

/** A confusion matrix figure; marks = classes² cells. */
export function confusionMatrix(o: ConfusionOptions): Figure {
  const n = o.classes.length;
  const values: (number | null)[] = [];
  const text: string[] = [];
  for (let t = 0; t < n; t++) {
    const row = o.counts[t];
    const total = row.reduce((s, v) => s + v, 0);
    for (let p = 0; p < n; p++) {
      values.push(total > 0 ? row[p] / total : null);
      text.push(String(row[p]));
    }
  }
  return heatmap({
    id: o.id,
    title: o.title,
    rows: o.classes,
    cols: o.classes,
    values,
    cellText: text,
    rowLabel: o.rowLabel,
    colLabel: o.colLabel,
    valueLabel: `fraction of the row's ${o.unit}`,
    domain: [0, 1],
    outlined: o.classes.map((_, i) => [i, i] as [number, number]),
    caption: o.caption,
  });
}

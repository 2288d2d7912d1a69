/**
 * Figures as files for papers: every figure as standalone SVG, and as PNG
 * at 2× (≈ 190 dpi at the figure's print size) rendered by headless
 * Chromium. Without Chromium the SVGs are still written and the caller gets
 * a notice to print and to show on the page.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { hasChromium, launchChromium, chromiumPath, type Browser } from './browser.js';
import type { Figure } from './svg.js';

export interface ExportResult {
  svgs: string[];
  pngs: string[];
  /** Non-null when PNGs were skipped: one line saying why. */
  notice: string | null;
}

/**
 * Writes `<dir>/<name(fig)>.svg` for each figure and, when Chromium exists, the
 * matching PNG at `scale`× (default 2). `browser` reuses an open Chromium
 * (launched with device scale factor 1).
 */
export async function exportFigures(
  figures: Figure[],
  dir: string,
  name: (f: Figure) => string,
  opts: { png?: boolean; scale?: number; browser?: Browser } = {},
): Promise<ExportResult> {
  const svgs: string[] = [];
  for (const f of figures) {
    const file = path.join(dir, `${name(f)}.svg`);
    writeFileAtomic(file, `<?xml version="1.0" encoding="UTF-8"?>\n${f.svg}\n`);
    svgs.push(file);
  }
  if (figures.length === 0) return { svgs, pngs: [], notice: null };
  if (opts.png === false) return { svgs, pngs: [], notice: 'PNG export not requested; figures written as SVG only.' };
  if (!opts.browser && !hasChromium()) return { svgs, pngs: [], notice: `Chromium not found at ${chromiumPath()}: figures written as SVG only, PNGs skipped.` };
  const scale = opts.scale ?? 2;
  const browser = opts.browser ?? (await launchChromium());
  const pngs: string[] = [];
  const page = await browser.context.newPage();
  try {
    for (const f of figures) {
      // The SVG is vector: drawing it at scale× its size (viewBox unchanged) gives a sharp raster at any device scale.
      const big = f.svg.replace(
        /^<svg([^>]*?) width="([\d.]+)" height="([\d.]+)"/,
        (_m, pre: string, w: string, h: string) => `<svg${pre} width="${Number(w) * scale}" height="${Number(h) * scale}"`,
      );
      await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:#fff">${big}</body></html>`);
      const png = await page.locator('svg').first().screenshot({ type: 'png', omitBackground: false });
      const file = path.join(dir, `${name(f)}.png`);
      writeFileAtomic(file, png);
      pngs.push(file);
    }
  } finally {
    await page.close();
    if (!opts.browser) await browser.close();
  }
  return { svgs, pngs, notice: null };
}

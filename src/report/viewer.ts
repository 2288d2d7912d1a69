/**
 * Interactive brain maps in the report: NiiVue (WebGL2) inlined as its UMD
 * bundle, each map and its background volume inlined as base64 gzipped
 * NIfTI, so the page needs neither a server nor the network. The page keeps
 * the viewers in `window.brainViewers` (the browser test reads them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrainMap } from './data.js';
import { esc, fmt } from './svg.js';

/** Path of NiiVue's UMD bundle inside node_modules, or null when the package is not installed. */
export function niivueBundlePath(): string | null {
  try {
    // The package exports only its ESM entry; the UMD file sits in dist/ two levels up from it.
    const entry = fileURLToPath(import.meta.resolve('@niivue/niivue'));
    const umd = path.join(path.dirname(entry), '..', '..', 'dist', 'niivue.umd.js');
    return fs.existsSync(umd) ? umd : null;
  } catch {
    return null;
  }
}

/** The NiiVue bundle as script text safe to inline in HTML, or null when absent. */
export function niivueScript(): string | null {
  const p = niivueBundlePath();
  if (!p) return null;
  // An inline script ends at the first "</script"; escape it should a future bundle contain one.
  return fs.readFileSync(p, 'utf8').replace(/<\/script/gi, '<\\/script');
}

/** Markup for one map: the canvas, a caption, and a status line the loader script fills. */
export function viewerHtml(m: BrainMap, i: number): string {
  const bg = m.backgroundKind ? `over the ${esc(m.backgroundKind)}` : 'without a background volume';
  return (
    `<figure class="brain" id="brain-${i}"><div class="viewer-box"><canvas id="brain-canvas-${i}" width="900" height="320"></canvas></div>` +
    `<figcaption><b>${esc(m.title)}</b> — subject ${esc(m.subject)}, ${esc(m.mapName)} ${bg}; colour: viridis from ${esc(fmt(m.calMin))} to ${esc(fmt(m.calMax))} ${esc(m.units)} ` +
    `(voxels below ${esc(fmt(m.calMin))} transparent). Click a view to move the crosshair; scroll to change slice. ` +
    `<span class="viewer-status" id="brain-status-${i}">loading…</span></figcaption></figure>`
  );
}

/** The data block and loader script for all maps (placed once, after the NiiVue bundle). */
export function viewerScript(maps: BrainMap[]): string {
  const payload = maps.map((m) => ({
    map: m.mapBase64,
    mapName: m.mapName,
    bg: m.backgroundBase64,
    bgName: m.backgroundName,
    calMin: m.calMin,
    calMax: m.calMax,
  }));
  // JSON inside a script element: escape "<" so no payload byte can close the element.
  const json = JSON.stringify(payload).replace(/</g, '\\u003c');
  return (
    `<script type="application/json" id="brain-data">${json}</script>\n<script>\n` +
    `window.brainViewers = []; window.brainViewerErrors = [];\n` +
    `(async function () {\n` +
    `  const maps = JSON.parse(document.getElementById('brain-data').textContent);\n` +
    `  for (let i = 0; i < maps.length; i++) {\n` +
    `    const m = maps[i]; const status = document.getElementById('brain-status-' + i);\n` +
    `    try {\n` +
    `      if (typeof niivue === 'undefined') throw new Error('NiiVue bundle missing');\n` +
    `      const nv = new niivue.Niivue({ backColor: [1, 1, 1, 1], crosshairWidth: 0.6, crosshairWidthUnit: 'percent', crosshairColor: [0.84, 0.37, 0, 0.8], show3Dcrosshair: false, isColorbar: true, loadingText: 'loading…' });\n` +
    `      await nv.attachToCanvas(document.getElementById('brain-canvas-' + i));\n` +
    `      if (m.bg) nv.addVolume(await niivue.NVImage.loadFromBase64({ base64: m.bg, name: m.bgName, colormap: 'gray', colorbarVisible: false }));\n` +
    `      const v = await niivue.NVImage.loadFromBase64({ base64: m.map, name: m.mapName, colormap: 'viridis', cal_min: m.calMin, cal_max: m.calMax });\n` +
    `      nv.addVolume(v);\n` +
    `      nv.setInterpolation(true); // nearest neighbour: each voxel's own score, not a blur of its neighbours\n` +
    `      nv.setSliceType(nv.sliceTypeMultiplanar);\n` +
    `      nv.drawScene();\n` +
    `      window.brainViewers.push(nv);\n` +
    `      status.textContent = '';\n` +
    `    } catch (e) {\n` +
    `      window.brainViewerErrors.push(String(e && e.message || e));\n` +
    `      status.textContent = 'viewer failed: ' + String(e && e.message || e) + ' (WebGL2 needed)';\n` +
    `    }\n` +
    `  }\n` +
    `  window.brainViewersDone = true;\n` +
    `})();\n</script>`
  );
}

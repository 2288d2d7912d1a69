/**
 * The three study pages in headless Chromium (one launch for the file):
 * every figure is laid out with non-zero size and exactly the marks its data
 * call for, the page makes no network request, NiiVue loaded both volumes
 * (background + map) and drew non-background pixels, and the PNG export is
 * 2× the SVG size. Screenshots are saved in the test's temp dir
 * (BRAINALIGN_KEEP_SCREENSHOTS=dir copies them out for a look).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium, type Browser } from '../../src/report/browser.js';
import { buildSections } from '../../src/report/sections.js';
import { figureFileName, renderReport } from '../../src/report/page.js';
import { niivueScript } from '../../src/report/viewer.js';
import { exportFigures } from '../../src/report/png.js';
import { STUDIES, type Study } from '../../src/report/data.js';
import { fixtureReport, writeFixtureVolumes } from '../helpers/report-fixture.js';
import { tmpDir } from '../helpers/tmp.js';

const EXPECTED_MARKS: Record<Study, Record<string, number>> = {
  'ban-bas': {
    'training-ban-loss': 23,
    'training-ban-accuracy': 23,
    'training-ban-confusion': 100,
    'bas-components': 6,
    'roi-scores': 16,
    'area-scores': 4,
    'area-roi': 16,
  },
  alignment: {
    'alignment-performance': 3,
    'rsa-performance': 2,
    'alignment-checkpoints': 5,
    'bas-components': 6,
    'area-roi': 16,
    'roi-scores': 16,
    'area-scores': 4,
    'training-ban-loss': 23,
    'training-ban-accuracy': 23,
    'training-ban-confusion': 100,
  },
  'eeg-identification': {
    'identification-window': 15,
    'identification-confusion-predann-random-chunk': 16,
    'training-ban-loss': 23,
    'training-ban-accuracy': 23,
    'training-ban-confusion': 100,
  },
};

let browser: Browser;
let dir: string;

test.before(async () => {
  dir = tmpDir('brainalign-report-browser-');
  writeFixtureVolumes(dir);
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  const keep = process.env.BRAINALIGN_KEEP_SCREENSHOTS;
  if (keep) {
    fs.mkdirSync(keep, { recursive: true });
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.png'))) fs.copyFileSync(path.join(dir, f), path.join(keep, f));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

// In-page probes as source text (the test is compiled without DOM types).
/** Per figure: declared marks, marks found, layout size, marks with a non-empty bounding box. */
const FIGURE_PROBE = `[...document.querySelectorAll('figure.fig')].map((f) => {
  const svg = f.querySelector('svg'); const box = svg.getBoundingClientRect(); const marks = [...svg.querySelectorAll('.mark')];
  return { id: f.getAttribute('data-figure'), declared: Number(f.getAttribute('data-marks')), marks: marks.length, w: box.width, h: box.height,
    drawn: marks.filter((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length };
})`;
/** First viewer: its volumes and how many pixels of a fresh frame differ from the white background. */
const VIEWER_PROBE = `(() => {
  const nv = window.brainViewers[0];
  if (!nv) return { errors: window.brainViewerErrors, volumes: 0, nonWhite: 0, total: 0 };
  nv.drawScene(); // read the frame right after drawing it: WebGL may clear the buffer once a frame is presented
  const gl = nv.gl; const W = gl.drawingBufferWidth, H = gl.drawingBufferHeight; const px = new Uint8Array(W * H * 4);
  gl.readPixels(0, 0, W, H, gl.RGBA, gl.UNSIGNED_BYTE, px);
  let nonWhite = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240) nonWhite++;
  return { errors: window.brainViewerErrors, volumes: nv.volumes.length, nonWhite, total: W * H };
})()`;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): { w: number; h: number } {
  if (buf.readUInt32BE(0) !== 0x89504e47 || buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { w: buf.readUInt32BE(16), h: buf.readUInt32BE(20) };
}

for (const study of STUDIES) {
  test.serial(`${study}: every figure renders with its expected marks; brain viewer loads and draws; no network`, async (t) => {
    const data = fixtureReport(study, dir);
    const sections = buildSections(data);
    const html = renderReport(data, { niivue: niivueScript(), figureDir: 'figures', pngs: false }, sections);
    const file = path.join(dir, `${study}.html`);
    fs.writeFileSync(file, html);
    const page = await browser.context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    const figs = await page.evaluate<{ id: string; declared: number; marks: number; w: number; h: number; drawn: number }[]>(FIGURE_PROBE);
    t.deepEqual(Object.fromEntries(figs.map((f) => [f.id, f.marks])), EXPECTED_MARKS[study]);
    for (const f of figs) {
      t.true(f.w > 100 && f.h > 100, `${f.id}: laid out at ${f.w}×${f.h}`);
      t.is(f.declared, f.marks, `${f.id}: data-marks attribute`);
      t.is(f.drawn, f.marks, `${f.id}: every mark has a non-empty box`);
    }
    if (data.brainMaps.length > 0) {
      await page.waitForFunction('window.brainViewersDone === true', null, { timeout: 60000 });
      const v = await page.evaluate<{ errors: string[]; volumes: number; nonWhite: number; total: number }>(VIEWER_PROBE);
      t.deepEqual(v.errors, []);
      t.is(v.volumes, 2, 'background and score map');
      t.true(v.nonWhite > 0.05 * v.total, `viewer drew ${v.nonWhite} of ${v.total} pixels off the white background`);
      await page
        .locator('figure.brain')
        .first()
        .screenshot({ path: path.join(dir, `${study}-viewer.png`) });
    }
    t.deepEqual(errors, []);
    t.deepEqual(requests, [], 'the page fetches nothing');
    await page.screenshot({ path: path.join(dir, `${study}-page.png`), fullPage: true });
    await page.close();
  });
}

test.serial('PNG export: one PNG per figure at 2× the SVG size', async (t) => {
  const data = fixtureReport('eeg-identification', dir);
  const figures = buildSections(data).flatMap((s) => s.figures);
  const out = path.join(dir, 'figures');
  const r = await exportFigures(figures, out, (f) => figureFileName(data, f.id, 'png').replace(/\.png$/, ''), { browser });
  t.is(r.notice, null);
  t.is(r.pngs.length, figures.length);
  for (const [i, f] of figures.entries()) {
    const w = Number(/width="(\d+)"/.exec(f.svg)?.[1]);
    const h = Number(/height="(\d+)"/.exec(f.svg)?.[1]);
    const s = pngSize(fs.readFileSync(r.pngs[i]));
    t.deepEqual(s, { w: 2 * w, h: 2 * h }, f.id);
  }
});

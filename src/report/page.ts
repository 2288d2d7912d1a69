/**
 * Assembles one self-contained HTML page per study: inline CSS, inline SVG
 * figures with their number tables beside them, the NiiVue bundle and map
 * data inlined, a methods paragraph from provenance, and the provenance
 * table. Nothing is fetched when the page opens.
 */
import type { ReportData } from './data.js';
import { methodsText } from './methods.js';
import { buildSections, tableHtml, type Section } from './sections.js';
import { esc } from './svg.js';
import { viewerHtml, viewerScript } from './viewer.js';

const CSS = `
body{font-family:Helvetica,Arial,'Liberation Sans',sans-serif;font-size:15px;line-height:1.45;color:#111;margin:0;background:#fafafa}
main{max-width:1240px;margin:0 auto;padding:16px 28px 48px;background:#fff}
h1{font-size:26px;margin:12px 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
.meta{color:#444;font-size:13px}.notice{background:#fff4d6;border-left:4px solid #E69F00;padding:6px 10px;margin:8px 0}
.not-run{background:#f1f1f1;border-left:4px solid #999;padding:8px 12px;color:#333}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure.fig{margin:0;flex:0 1 auto;max-width:100%}figure.fig svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:13px;color:#333;max-width:620px;margin-top:4px}.files{font-size:12px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 12px}caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;font-variant-numeric:tabular-nums}thead th{background:#f0f0f0;text-align:center}tbody th{text-align:left;font-weight:normal}
figure.brain{margin:8px 0}.viewer-box{width:900px;max-width:100%;height:320px;background:#fff;border:1px solid #ddd}
.viewer-box canvas{width:100%;height:100%;display:block}.viewer-status{color:#a33}
nav a{margin-right:12px}code{font-size:12px}
`;

export interface PageOptions {
  /** NiiVue UMD bundle text (null: maps are listed but not shown interactively). */
  niivue: string | null;
  /** Relative folder of the SVG/PNG files beside the page (for the download links). */
  figureDir: string;
  /** Whether PNG files were written beside the SVGs. */
  pngs: boolean;
}

/** The study's page as an HTML string, and its sections (whose figures the caller writes as files). */
export function renderReport(d: ReportData, o: PageOptions, sections: Section[] = buildSections(d)): string {
  const methods = methodsText(d.study, d.provenance);
  let body = `<main><h1>${esc(d.title)}</h1>`;
  body += `<p class="meta">brainalign ${esc(d.brainalign)} · study <code>${esc(d.study)}</code> · seed ${d.seed} · ${d.provenance.length} input artifact(s)</p>`;
  for (const n of d.notices) body += `<p class="notice">${esc(n)}</p>`;
  body += `<nav>${sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.heading)}</a>`).join('')}<a href="#methods">Methods</a><a href="#provenance">Provenance</a></nav>`;
  for (const s of sections) body += sectionHtml(s, d, o);
  body += `<h2 id="methods">Methods</h2><p>${esc(methods.intro)}</p>`;
  if (methods.stages.length) {
    body += `<p>Parameters actually used, from each artifact's provenance (key ones; every parameter under "all"):</p><ul>`;
    body += methods.stages
      .map(
        (s) =>
          `<li>${esc(s.text)}${s.all.length ? ` <details><summary>all ${s.all.length}</summary><code>${s.all.map(esc).join('<br>')}</code></details>` : ''}</li>`,
      )
      .join('');
    body += '</ul>';
  } else body += '<p class="not-run">No stage artifacts were read, so no parameters can be stated.</p>';
  body += '<h2 id="provenance">Provenance</h2>';
  body += tableHtml({
    caption: 'Artifacts this report was built from',
    columns: ['stage', 'artifact key', 'brainalign', 'seed', 'folder'],
    rows: d.provenance.map((p) => [p.stage, p.key, p.brainalign, String(p.seed), p.path]),
  });
  body += '</main>';
  const showsMaps = sections.some((s) => s.brainMaps.length > 0);
  const scripts = showsMaps && o.niivue ? `<script>${o.niivue}</script>\n${viewerScript(d.brainMaps)}` : '';
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="generator" content="brainalign ${esc(d.brainalign)}"><title>${esc(d.title)}</title><style>${CSS}</style></head>` +
    `<body>${body}\n${scripts}</body></html>\n`
  );
}

function sectionHtml(s: Section, d: ReportData, o: PageOptions): string {
  let h = `<section id="${esc(s.id)}"><h2>${esc(s.heading)}</h2>`;
  if (s.notRun !== null) return `${h}<p class="not-run">Not run: ${esc(s.notRun)}.</p></section>`;
  h += '<div class="row">';
  for (const f of s.figures) {
    const files = `<a href="${esc(o.figureDir)}/${esc(figureFileName(d, f.id, 'svg'))}">SVG</a>${o.pngs ? ` · <a href="${esc(o.figureDir)}/${esc(figureFileName(d, f.id, 'png'))}">PNG</a>` : ''}`;
    h += `<figure class="fig" data-figure="${esc(f.id)}" data-marks="${f.marks}">${f.svg}<figcaption>${esc(f.caption)} <span class="files">${files}</span></figcaption></figure>`;
  }
  h += '</div>';
  if (s.brainMaps.length > 0) {
    if (o.niivue) for (const i of s.brainMaps) h += viewerHtml(d.brainMaps[i], i);
    else h += '<p class="notice">The NiiVue package was not found when this report was written, so the maps are listed but not shown.</p>';
  }
  h += `<div class="row">${s.tables.map(tableHtml).join('')}</div></section>`;
  return h;
}

/** File name of a figure beside the page: `<study>_<figure id>.<ext>`. */
export function figureFileName(d: Pick<ReportData, 'study'>, id: string, ext: 'svg' | 'png'): string {
  return `${d.study}_${id}.${ext}`;
}

/**
 * Stage artifacts → ReportData. Each input (a stamp or an artifact folder) is
 * read by the typed reader of the stage its provenance names (train, encode,
 * align, decode-eeg); other stages (features, eeg-prep, …) add only their
 * provenance to the methods. A section with no artifact stays empty (the page
 * says "not run"); a file that is missing or does not have its stage's
 * format is an InputError naming that file.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { openAlign } from '../artifacts/align.js';
import { openEncode } from '../artifacts/encode.js';
import { openIdentification } from '../artifacts/identification.js';
import { readJsonFile } from '../artifacts/json.js';
import { resolveArtifact } from '../pipeline/stage.js';
import { VERSION } from '../pipeline/version.js';
import { emptyReport, reportDataSchema, type ProvenanceEntry, type ReportData, type Study } from './data.js';
import { alignmentSection, areaRoiMatrix, basSections } from './load-align.js';
import { brainMap, poolRoiRows, roiRows, type RoiFile } from './load-encode.js';
import { eegTraining, identificationDetail, identificationSection } from './load-eeg.js';
import { readTrainForReport } from './load-train.js';

export { mapWindow, meanEpi } from './load-encode.js';

const provenanceFileSchema = z
  .object({
    key: z.string(),
    stage: z.string(),
    brainalign: z.string(),
    seed: z.number(),
    params: z.unknown(),
  })
  .loose();

/** Artifact folder and its provenance entry, from a stamp or a folder. */
export function readArtifact(input: string): { dir: string; provenance: ProvenanceEntry } {
  const dir = resolveArtifact(input, 'inputs');
  const p = readJsonFile(path.join(dir, 'provenance.json'), provenanceFileSchema);
  return { dir, provenance: { stage: p.stage, key: p.key, brainalign: p.brainalign, seed: p.seed, params: p.params ?? null, path: dir } };
}

/** Most interactive viewers on one page. */
export const MAX_MAPS = 8;

/** The model a train artifact trained: its `name` parameter. */
const trainParamsSchema = z.object({ name: z.string() }).loose();

/**
 * Read every input artifact into a ReportData for `study`. Sections the
 * inputs do not cover stay empty. `bids` (optional) supplies the mean-EPI
 * background of brain maps; `tmpDir` is scratch space.
 */
export function readReportData(study: Study, inputs: string[], opts: { seed: number; bids?: string; tmpDir: string }): ReportData {
  const d = emptyReport(study, VERSION, opts.seed);
  const roiPer: RoiFile[] = [];
  for (const input of inputs) {
    const { dir, provenance } = readArtifact(input);
    d.provenance.push(provenance);
    switch (provenance.stage) {
      case 'train': {
        const params = trainParamsSchema.safeParse(provenance.params);
        if (!params.success) throw new InputError(path.join(dir, 'provenance.json'), 'a train artifact names its model in params.name');
        d.training.push(readTrainForReport(dir, params.data.name));
        break;
      }
      case 'encode':
        for (const e of openEncode(dir)) {
          roiPer.push(roiRows(e));
          if (study === 'eeg-identification') continue;
          const map = brainMap(e, opts);
          if (map) d.brainMaps.push(map);
        }
        break;
      case 'align': {
        const a = openAlign(dir);
        d.bas.push(...basSections(a));
        d.areaRoi ??= areaRoiMatrix(a);
        const al = alignmentSection(a);
        if (al)
          d.alignment = d.alignment ? { ...d.alignment, points: [...d.alignment.points, ...al.points], summary: [...d.alignment.summary, ...al.summary] } : al;
        break;
      }
      case 'decode-eeg': {
        const a = openIdentification(dir);
        d.training.push(...eegTraining(a));
        const id = identificationSection(a);
        d.identificationDetail ??= identificationDetail(a);
        if (!id) d.notices.push(`decode-eeg artifact ${provenance.key} has identification tables without usable rows (no scored windows).`);
        else
          d.identification = d.identification
            ? { ...d.identification, rows: [...d.identification.rows, ...id.rows], confusions: [...d.identification.confusions, ...id.confusions] }
            : id;
        break;
      }
      default:
        break;
    }
  }
  // Browsers cap live WebGL contexts (Chromium: 16); a page with more viewers would lose the first ones.
  if (d.brainMaps.length > MAX_MAPS) {
    d.notices.push(`${d.brainMaps.length} voxel maps found; the first ${MAX_MAPS} are shown (browsers limit the number of live WebGL viewers).`);
    d.brainMaps = d.brainMaps.slice(0, MAX_MAPS);
  }
  d.roiScores = poolRoiRows(roiPer);
  d.provenance.sort((p, q) => (p.stage === q.stage ? p.key.localeCompare(q.key) : p.stage.localeCompare(q.stage)));
  return reportDataSchema.parse(d);
}

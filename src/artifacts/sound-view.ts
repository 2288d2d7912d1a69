/**
 * The natural-sounds view that `data prepare` builds from NH2015 / B2021
 * (src/datasets/nh2015.ts) and encode-sounds reads: participants.tsv,
 * stimuli/stimuli.tsv, responses/sub-XX_voxels.tsv and, with the component
 * file, responses/components.tsv, each with its sidecar. (The .npy arrays
 * and their JSON descriptions beside them are written and read by shape.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readTable, table, writeTable, type Row } from './table.js';

export const viewParticipantsTable = table(
  { participant_id: 'text', subj_idx: 'int', n_voxels: 'int', n_dropped: 'int' },
  {
    participant_id: { Description: 'sub-<subj_idx, 2 digits>' },
    subj_idx: { Description: 'subj_idx of the published voxel table' },
    n_voxels: { Description: 'voxels kept: every one of minScans scans finite for every sound' },
    n_dropped: { Description: 'voxels of this participant left out: fewer than minScans scans (n_reps) or a NaN in them' },
  },
);

export const viewStimuliTable = table(
  { stim_id: 'text', path: 'text', category: 'optText', duration: 'num', source: 'text' },
  {
    stim_id: { Description: 'sound id: the WAV name of neural_stim_meta.npy without .wav (aud_dnn’s stimulus id)' },
    path: { Description: 'WAV path relative to the view root (float32, resampled to the models’ rate)' },
    category: { Description: 'category label of components.mat (category_labels), n/a without it' },
    duration: { Description: 'sound duration', Units: 's' },
    source: { Description: 'published WAV, relative to ROOT' },
  },
);

export const viewVoxelsTable = table(
  { voxel_id: 'int', hemi: 'optText', x_ras: 'num', y_ras: 'num' },
  {
    voxel_id: { Description: 'voxel_id of the published meta table (B2021: the voxel’s column in vals, from 0)' },
    hemi: { Description: 'hemisphere (lh, rh)' },
    x_ras: { Description: 'x coordinate as published (RAS, on the flattened surface grid)' },
    y_ras: { Description: 'y coordinate as published' },
  },
);

export const viewComponentsTable = table(
  { index: 'int', name: 'text' },
  {
    index: { Description: 'column of components.npy' },
    name: { Description: 'component_names of components.mat' },
  },
);

export type ViewParticipantRow = Row<typeof viewParticipantsTable.columns>;
export type ViewStimulusRow = Row<typeof viewStimuliTable.columns>;
export type ViewVoxelRow = Row<typeof viewVoxelsTable.columns>;
export type ViewComponentRow = Row<typeof viewComponentsTable.columns>;

export const viewFiles = {
  participants: (view: string): string => path.join(view, 'participants.tsv'),
  stimuli: (view: string): string => path.join(view, 'stimuli', 'stimuli.tsv'),
  /** Without extension: `<base>_responses.npy|json` and `<base>_voxels.tsv`. */
  subjectBase: (view: string, participantId: string): string => path.join(view, 'responses', participantId),
  components: (view: string): string => path.join(view, 'responses', 'components.tsv'),
  componentsNpy: (view: string): string => path.join(view, 'responses', 'components.npy'),
};

export const writeViewParticipants = (view: string, rows: ViewParticipantRow[]): void => writeTable(viewFiles.participants(view), viewParticipantsTable, rows);
export const writeViewStimuli = (view: string, rows: ViewStimulusRow[]): void => writeTable(viewFiles.stimuli(view), viewStimuliTable, rows);
export const writeViewVoxels = (view: string, participantId: string, rows: ViewVoxelRow[]): void =>
  writeTable(`${viewFiles.subjectBase(view, participantId)}_voxels.tsv`, viewVoxelsTable, rows);
export const writeViewComponents = (view: string, rows: ViewComponentRow[]): void => writeTable(viewFiles.components(view), viewComponentsTable, rows);

export function readViewParticipants(view: string): ViewParticipantRow[] {
  const file = viewFiles.participants(view);
  if (!fs.existsSync(file)) throw new InputError(view, 'no participants.tsv: not a natural-sounds view (brainalign data prepare builds one)');
  return readTable(file, viewParticipantsTable).rows;
}
export const readViewStimuli = (view: string): ViewStimulusRow[] => readTable(viewFiles.stimuli(view), viewStimuliTable).rows;
export const readViewVoxels = (view: string, participantId: string): ViewVoxelRow[] =>
  readTable(`${viewFiles.subjectBase(view, participantId)}_voxels.tsv`, viewVoxelsTable).rows;
export const readViewComponents = (view: string): ViewComponentRow[] => readTable(viewFiles.components(view), viewComponentsTable).rows;

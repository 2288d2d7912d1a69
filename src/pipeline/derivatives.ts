/** The BIDS derivatives root: dataset_description.json with GeneratedBy. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../core/atomic.js';
import { VERSION } from './version.js';

export const DEFAULT_ROOT = path.join('derivatives', 'brainalign');

export function ensureDerivativesRoot(root: string): void {
  const desc = path.join(root, 'dataset_description.json');
  if (fs.existsSync(desc)) return;
  writeJsonAtomic(desc, {
    Name: 'brainalign derivatives',
    BIDSVersion: '1.9.0',
    DatasetType: 'derivative',
    GeneratedBy: [{ Name: 'brainalign', Version: VERSION, Description: 'Alignment of auditory networks with fMRI and EEG' }],
  });
}

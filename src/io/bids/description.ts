/**
 * dataset_description.json: read for raw datasets, written for the
 * derivatives brainalign produces.
 */
import * as path from 'node:path';
import { InputError } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/atomic.js';
import { readJsonObject } from './inheritance.js';

export interface GeneratedBy {
  Name: string;
  Version?: string;
  Description?: string;
  CodeURL?: string;
}

export interface DatasetDescription {
  Name: string;
  BIDSVersion: string;
  DatasetType?: 'raw' | 'derivative';
  GeneratedBy?: GeneratedBy[];
  [key: string]: unknown;
}

/** The BIDS version our derivative descriptions declare. */
export const BIDS_VERSION = '1.9.0';

/** Read and check `<root>/dataset_description.json` (Name and BIDSVersion are required strings). */
export function readDatasetDescription(root: string): DatasetDescription {
  const file = path.join(root, 'dataset_description.json');
  const v = readJsonObject(file);
  if (typeof v.Name !== 'string') throw new InputError(file, 'missing required string "Name"');
  if (typeof v.BIDSVersion !== 'string') throw new InputError(file, 'missing required string "BIDSVersion"');
  if (v.DatasetType !== undefined && v.DatasetType !== 'raw' && v.DatasetType !== 'derivative') {
    throw new InputError(file, `DatasetType must be "raw" or "derivative", got ${JSON.stringify(v.DatasetType)}`);
  }
  return v as DatasetDescription;
}

/**
 * Write `<root>/dataset_description.json` for a derivative dataset
 * atomically (stable key order). Returns the path written.
 */
export function writeDatasetDescription(
  root: string,
  desc: {
    name: string;
    generatedBy: GeneratedBy[];
    sourceDatasets?: { URL?: string; DOI?: string; Version?: string }[];
    bidsVersion?: string;
    extra?: Record<string, unknown>;
  },
): string {
  const file = path.join(root, 'dataset_description.json');
  if (desc.generatedBy.length === 0) throw new InputError(file, 'a derivative dataset needs at least one GeneratedBy entry');
  for (const g of desc.generatedBy) if (g.Name === '') throw new InputError(file, 'GeneratedBy entries need a Name');
  const out: Record<string, unknown> = {
    ...(desc.extra ?? {}),
    Name: desc.name,
    BIDSVersion: desc.bidsVersion ?? BIDS_VERSION,
    DatasetType: 'derivative',
    GeneratedBy: desc.generatedBy,
  };
  if (desc.sourceDatasets) out.SourceDatasets = desc.sourceDatasets;
  writeJsonAtomic(file, out);
  return file;
}

import * as fs from 'node:fs';
import { defineVerb } from './framework.js';
import { describeFile, renderInfo } from '../io/info.js';

export default defineVerb({
  command: 'info <file>',
  describe: 'header and data summary of a NIfTI, EDF/BDF, WAV, NPY, TSV or MATLAB (.mat v5/v7.3) file, or a BIDS folder',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'file or BIDS folder to describe' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output (schema in docs/info-json.md)' }),
  run: async (a) => {
    const info = await describeFile(a.file);
    if (a.json) fs.writeSync(1, `${JSON.stringify(info, null, 2)}\n`);
    else fs.writeSync(1, renderInfo(info));
  },
});

/**
 * `brainalign report`: options for the report stage (src/stages/report.ts)
 * and one call: the self-contained HTML page of a study with its figures as
 * SVG/PNG. Prints the page's path.
 */
import { resolveArtifact } from '../pipeline/stage.js';
import { STUDIES } from '../report/data.js';
import { runReportStage } from '../stages/report.js';
import { defineVerb, stageTarget, withStageOptions } from './framework.js';

export default defineVerb({
  command: 'report',
  describe: 'self-contained HTML report of a study (figures, tables, brain maps) with SVG/PNG figures',
  builder: (y) =>
    withStageOptions(y)
      .option('study', { choices: STUDIES, demandOption: true, describe: 'which study the page reports' })
      .option('inputs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'stamps or artifact folders of the stages to report (missing sections say "not run")',
      })
      .option('bids', { type: 'string', describe: 'BIDS folder: mean-EPI backgrounds for maps whose encode artifact has none' })
      .option('png', { type: 'boolean', default: true, describe: 'also render each figure as PNG in headless Chromium (--no-png: SVG only)' }),
  run: async (a) => {
    const inputs = a.inputs.map((p) => resolveArtifact(p, '--inputs'));
    const res = await runReportStage({ study: a.study, inputs, bids: a.bids, png: a.png, ...stageTarget(a) });
    process.stdout.write(`${res.page}\n`);
  },
  flags: { inputs: '--inputs' },
});

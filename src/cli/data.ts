import type { Argv } from 'yargs';
import { defineVerb, printOutcome, stageTarget, validateCommon, type CommonOptions } from './framework.js';
import { asFlagError } from './flags.js';
import { downloadSteps, readManifest, problemTable, verifyDataset } from '../io/manifest.js';
import { runDataPrepareStage } from '../stages/data-prepare.js';
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { printable } from '../core/printable.js';
import { writeStamp } from '../pipeline/stage.js';

export default defineVerb({
  command: 'data <action>',
  describe:
    "check a real dataset on disk against its manifest (data verify MANIFEST ROOT), or build brainalign's view of it (data prepare MANIFEST ROOT [--gtzan DIR])",
  builder: (y: Argv<CommonOptions>) =>
    y
      .command(
        'verify <manifest> <root>',
        'verify ROOT against MANIFEST: missing files, sizes, checksums, layout',
        (v) =>
          v
            .positional('manifest', { type: 'string', demandOption: true, describe: 'data-manifests/<name>.json' })
            .positional('root', { type: 'string', demandOption: true, describe: 'the dataset folder' })
            .option('checksums', { type: 'boolean', default: true, describe: 'hash files that list a sha256' })
            .option('stamp', { type: 'string', describe: 'stamp to write when the dataset passes (used by make)' })
            .strict(),
        (a) => {
          validateCommon(a);
          const m = readManifest(a.manifest);
          const problems = verifyDataset(m, a.root, a.manifest, { checksums: a.checksums });
          process.stdout.write(`${printable(m.name)}: ${printable(a.root)}\n${problemTable(problems)}${downloadSteps(m, problems)}`);
          if (problems.length > 0) throw new InputError(a.root, `${problems.length} problem(s) against ${a.manifest}`);
          if (a.stamp) {
            // The key names the manifest's content: a changed manifest re-runs what depends on the dataset.
            const key = sha256(fs.readFileSync(a.manifest, 'utf8')).slice(0, 16);
            writeStamp(a.stamp, { stage: 'dataset', key, dir: a.root, manifest: m.name });
          }
        },
      )
      .command(
        'prepare <manifest> <root>',
        "build brainalign's view of a dataset published in another layout (ds003720 + GTZAN, NH2015 / B2021) as a cached stage",
        (v) =>
          v
            .positional('manifest', { type: 'string', demandOption: true, describe: 'data-manifests/<name>.json with a mapping.adapter' })
            .positional('root', { type: 'string', demandOption: true, describe: 'the dataset folder' })
            .option('gtzan', { type: 'string', describe: 'ds003720 only: GTZAN folder holding the ten genre folders (<genre>/<genre>.000NN.au)' })
            .option('out', { type: 'string', describe: 'derivatives root (BIDS derivatives)' })
            .option('link', { type: 'string', describe: 'symlink to point at the view (make passes $(D)/input/<name>)' })
            .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' })
            .strict(),
        async (a) => {
          validateCommon(a);
          try {
            printOutcome('data prepare', await runDataPrepareStage({ manifest: a.manifest, dataset: a.root, gtzan: a.gtzan, link: a.link, ...stageTarget(a) }));
          } catch (e) {
            // A subcommand's errors do not pass through defineVerb's translation.
            throw asFlagError(e, a, { gtzan: '--gtzan', link: '--link' });
          }
        },
      )
      .demandCommand(1, 'give an action: verify or prepare'),
  run: () => {
    // Reached only through the subcommand above.
  },
});

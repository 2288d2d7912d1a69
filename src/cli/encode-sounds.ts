/**
 * `brainalign encode-sounds --features F --study VIEW`: the sound-level
 * encoding and RSA of NH2015 / B2021 (src/encoding/sound-study.ts) for every
 * model of one features artifact, as a cached stage.
 */
import * as path from 'node:path';
import { resolveArtifact, runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { soundsFileSchema } from '../encoding/sound-config.js';
import { defineVerb, loadConfig } from './framework.js';
import { InputError } from '../core/errors.js';
import * as fs from 'node:fs';

const CODE_VERSION = 'encode-sounds-1';

export default defineVerb({
  command: 'encode-sounds',
  describe: 'sound-level encoding (nested K-fold ridge with layer choice, noise-corrected r²) and RSA on a natural-sounds view (NH2015 / B2021)',
  builder: (y) =>
    y
      .option('features', { type: 'string', demandOption: true, describe: 'features stamp or artifact folder (activations of the view’s sounds)' })
      .option('study', { type: 'string', demandOption: true, describe: 'the natural-sounds view (brainalign data prepare with data-manifests/nh2015.json)' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: async (a) => {
    const cfg = loadConfig(a.config, soundsFileSchema).sounds;
    const featuresDir = resolveArtifact(a.features, '--features');
    if (!fs.existsSync(path.join(a.study, 'participants.tsv')))
      throw new InputError(a.study, 'not a natural-sounds view (no participants.tsv); build it with brainalign data prepare');
    const lib = await import('../encoding/sound-study.js');
    const { writeSoundOutputs } = await import('../encoding/sound-outputs.js');
    let line = '';
    const res = await runStage(
      {
        stage: 'encode-sounds',
        codeVersion: CODE_VERSION,
        root: a.out ?? DEFAULT_ROOT,
        inputs: {
          features: featuresDir,
          responses: path.join(a.study, 'responses'),
          stimuli: path.join(a.study, 'stimuli', 'stimuli.tsv'),
          participants: path.join(a.study, 'participants.tsv'),
        },
        params: { sounds: cfg },
        seed: a.seed,
        stamp: a.stamp,
      },
      ({ dir }) => {
        const results = lib.runSoundStudy(featuresDir, a.study, cfg, a.seed);
        writeSoundOutputs(dir, results);
        line = results
          .map((m) => {
            const vox = m.targets.filter((t) => t.kind === 'voxels');
            const med = vox.map((t) => t.medianR2).sort((x, y) => x - y)[Math.floor(vox.length / 2)];
            return `${m.model}: median corrected r² ${med !== undefined && Number.isFinite(med) ? med.toFixed(3) : 'n/a'} over ${vox.length} participant(s)`;
          })
          .join('; ');
      },
    );
    process.stdout.write(`encode-sounds: ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; ${line}` : ''}\n`);
  },
});

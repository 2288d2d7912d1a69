/**
 * The encode-sounds stage: the sound-level encoding and RSA of NH2015 /
 * B2021 (src/encoding/sound-study.ts) for every model of one features
 * artifact, on the natural-sounds view `data prepare` builds, as a cached
 * stage (tables: src/encoding/sound-outputs.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { runStage } from '../pipeline/stage.js';
import type { SoundsConfig } from '../encoding/sound-config.js';
import { stageSpec, type StageOutcome, type StageTarget } from './outcome.js';

const ENCODE_SOUNDS_CODE_VERSION = 'encode-sounds-1';

export interface EncodeSoundsOptions extends StageTarget {
  /** A features artifact folder: activations of the view's sounds. */
  featuresDir: string;
  /** The natural-sounds view (participants.tsv, responses/, stimuli/). */
  study: string;
  config: SoundsConfig;
}

const fmt = (x: number | undefined): string => (x !== undefined && Number.isFinite(x) ? x.toFixed(3) : 'n/a');

export async function runEncodeSoundsStage(o: EncodeSoundsOptions): Promise<StageOutcome> {
  const participants = path.join(o.study, 'participants.tsv');
  if (!fs.existsSync(participants)) throw new InputError(o.study, 'not a natural-sounds view (no participants.tsv); build it with brainalign data prepare');
  const { runSoundStudy } = await import('../encoding/sound-study.js');
  const { writeSoundOutputs } = await import('../encoding/sound-outputs.js');
  let line = '';
  const inputs = {
    features: o.featuresDir,
    responses: path.join(o.study, 'responses'),
    stimuli: path.join(o.study, 'stimuli', 'stimuli.tsv'),
    participants,
  };
  const res = await runStage(
    stageSpec(o, { stage: 'encode-sounds', codeVersion: ENCODE_SOUNDS_CODE_VERSION, inputs, params: { sounds: o.config } }),
    ({ dir }) => {
      const results = runSoundStudy(o.featuresDir, o.study, o.config, o.seed);
      writeSoundOutputs(dir, results);
      line = results
        .map((m) => {
          const vox = m.targets.filter((t) => t.kind === 'voxels');
          // The upper median over participants, as one number for the terminal.
          const med = vox.map((t) => t.medianR2).sort((x, y) => x - y)[Math.floor(vox.length / 2)];
          return `${m.model}: median corrected r² ${fmt(med)} over ${vox.length} participant(s)`;
        })
        .join('; ');
    },
  );
  return { ...res, summary: line };
}

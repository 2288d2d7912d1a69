/**
 * The align-sounds stage: the natural-sounds study's group table across
 * models (src/scoring/sound-align.ts) and its report, from encode-sounds
 * artifacts, published as reports/natural-sounds.html (src/artifacts/sound-align.ts).
 */
import { Rng } from '../core/prng.js';
import { runStage } from '../pipeline/stage.js';
import { writeNaturalSounds } from '../artifacts/sound-align.js';
import { stageSpec, type StageOutcome, type StageTarget } from './outcome.js';

const ALIGN_SOUNDS_CODE_VERSION = 'align-sounds-1';
/** Bootstrap resamples over participants for the r² CI. */
export const SOUNDS_N_BOOT = 2000;

export interface AlignSoundsOptions extends StageTarget {
  /** encode-sounds artifact folders, one per model. */
  encodings: string[];
  /** Dataset name for the report title. */
  dataset: string;
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

export async function runAlignSoundsStage(o: AlignSoundsOptions): Promise<StageOutcome> {
  const { readSoundEncodings, groupSoundScores } = await import('../scoring/sound-align.js');
  const { renderSoundsReport } = await import('../report/natural-sounds.js');
  const inputs = Object.fromEntries(o.encodings.map((d, i) => [`encoding-${String(i).padStart(3, '0')}`, d]));
  let line = '';
  const res = await runStage(
    stageSpec(o, {
      stage: 'align-sounds',
      codeVersion: ALIGN_SOUNDS_CODE_VERSION,
      inputs,
      params: { nBoot: SOUNDS_N_BOOT, dataset: o.dataset },
      publish: true,
    }),
    ({ dir }) => {
      const tables = readSoundEncodings(o.encodings);
      const group = groupSoundScores(tables, new Rng(o.seed, 'align-sounds'), SOUNDS_N_BOOT);
      const rows = group.map((g) => ({
        model: g.model,
        participants: g.participants,
        r2: g.r2.estimate,
        r2_ci_lo: g.r2.lo,
        r2_ci_hi: g.r2.hi,
        rsa: g.rsa,
        rsa_ceiling_lower: g.rsaCeilingLower,
        rsa_ceiling_upper: g.rsaCeilingUpper,
        component_r2: g.componentR2,
        top_layer: g.topLayer,
      }));
      writeNaturalSounds(dir, rows, SOUNDS_N_BOOT, renderSoundsReport(group, tables, { dataset: o.dataset, seed: o.seed }));
      line = group.map((g) => `${g.model} r² ${fmt(g.r2.estimate)}, RSA ${fmt(g.rsa)}`).join('; ');
    },
  );
  return { ...res, summary: line };
}

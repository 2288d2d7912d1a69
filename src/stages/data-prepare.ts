/**
 * The dataset stage (`data prepare`): a published dataset whose layout
 * differs from brainalign's (ds003720, whose events name GTZAN excerpts;
 * NH2015 / B2021, sound-level responses in NumPy/MATLAB files) becomes a
 * cached artifact holding brainalign's view of it (src/datasets/). A symlink
 * can point at the view, which is where make's STUDY sends every later stage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readManifest } from '../io/manifest.js';
import { runStage, writeStamp, type StageResult } from '../pipeline/stage.js';
import type { StageOutcome, StageTarget } from './outcome.js';

/** Bumped when the view changes for the same inputs. */
const DS003720_CODE_VERSION = 'ds003720-view-1';
const NH2015_CODE_VERSION = 'nh2015-view-1';

export interface DataPrepareOptions extends StageTarget {
  /** data-manifests/<name>.json with a mapping.adapter. */
  manifest: string;
  /** The dataset folder. */
  dataset: string;
  /** ds003720 only: the GTZAN folder of the ten genre folders. */
  gtzan?: string;
  /** A symlink to point at the view (replaced if it is one; never a file or folder). */
  link?: string;
}

/** Replaces `link` by a relative symlink to `target` (through a temp name, so readers never see it missing). */
function pointLink(link: string, target: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(link);
  } catch {
    st = null;
  }
  if (st && !st.isSymbolicLink()) throw new InputError('link', `${link} exists and is not a symlink; refusing to replace it`);
  const tmp = path.join(path.dirname(link), `.tmp-link-${process.pid}-${path.basename(link)}`);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.relative(path.dirname(path.resolve(link)), path.resolve(target)), tmp);
  fs.renameSync(tmp, link);
}

export async function runDataPrepareStage(o: DataPrepareOptions): Promise<StageOutcome> {
  const m = readManifest(o.manifest);
  const adapter = (m.mapping as { adapter?: unknown }).adapter;
  let line = '';
  let res: StageResult;
  if (adapter === 'nh2015') {
    const { nh2015Options, nh2015Inputs, buildNh2015View } = await import('../datasets/nh2015.js');
    const opts = nh2015Options(m.mapping, o.manifest);
    const inputs = { manifest: o.manifest, ...nh2015Inputs(o.dataset, opts) };
    res = await runStage({ stage: 'dataset', codeVersion: NH2015_CODE_VERSION, root: o.root, inputs, params: opts, seed: o.seed }, async ({ dir }) => {
      const s = await buildNh2015View(o.dataset, dir, opts);
      line = `${s.sounds} sounds, ${s.subjects.length} participant(s) (${s.subjects.reduce((n, x) => n + x.voxels, 0)} voxels), ${s.components} components`;
    });
  } else if (adapter === 'ds003720') {
    const gtzan = o.gtzan;
    if (!gtzan) throw new InputError('gtzan', 'ds003720 names GTZAN excerpts: give the GTZAN folder (the one holding the ten genre folders)');
    const { ds003720Options, scanDs003720, buildDs003720View } = await import('../datasets/ds003720.js');
    const opts = ds003720Options(m.mapping, o.manifest);
    const src = scanDs003720(o.dataset, gtzan, opts);
    const inputs: Record<string, string> = { manifest: o.manifest, description: path.join(o.dataset, 'dataset_description.json') };
    for (const sub of src.subjects) inputs[`sub-${sub}`] = path.join(o.dataset, `sub-${sub}`, 'func');
    for (const f of [...new Set(src.tracks.values())].sort()) inputs[`gtzan:${path.relative(gtzan, f)}`] = f;
    if (fs.existsSync(path.join(o.dataset, 'derivatives'))) inputs.derivatives = path.join(o.dataset, 'derivatives');
    res = await runStage(
      { stage: 'dataset', codeVersion: DS003720_CODE_VERSION, root: o.root, inputs, params: { adapter, ...opts }, seed: o.seed },
      ({ dir }) => {
        const s = buildDs003720View(o.dataset, gtzan, dir, src, opts);
        line = `${s.subjects.length} subject(s), ${s.stimuli} excerpts (${s.trainClips} train, ${s.testClips} test), ${s.repetitions} test repetitions; ${s.links.hardlink} runs hard-linked, ${s.links.symlink} symlinked`;
      },
    );
  } else
    throw new InputError(
      o.manifest,
      `mapping.adapter is ${JSON.stringify(adapter ?? null)}; data prepare knows "ds003720" and "nh2015" (other datasets are read as they are)`,
    );
  if (o.link) pointLink(o.link, res.dir);
  // The stamp last: make must not see the input ready before the link it reads through exists.
  if (o.stamp) writeStamp(o.stamp, { stage: 'dataset', key: res.key, dir: res.dir });
  return { ...res, summary: [line, o.link ? `view at ${o.link}` : ''].filter((s) => s).join('; ') };
}

/**
 * `brainalign data prepare MANIFEST ROOT [--gtzan DIR]`: a published dataset
 * whose layout differs from brainalign's (ds003720, whose events name GTZAN
 * excerpts; NH2015 / B2021, sound-level responses in NumPy/MATLAB files) becomes a cached stage artifact holding brainalign's view
 * of it (src/datasets/ds003720.ts). `--link PATH` points a stable symlink at
 * the artifact, which is where make's STUDY sends every later stage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { loadManifest } from '../io/manifest.js';
import { runStage, writeStamp } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';

export interface PrepareArgs {
  manifest: string;
  root: string;
  gtzan?: string;
  out?: string;
  stamp?: string;
  link?: string;
  seed: number;
}

/** Bumped when the view changes for the same inputs. */
const CODE_VERSION = 'ds003720-view-1';
const NH2015_CODE_VERSION = 'nh2015-view-1';

/** Replaces `link` by a relative symlink to `target` (through a temp name, so readers never see it missing). */
function pointLink(link: string, target: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(link);
  } catch {
    st = null;
  }
  if (st && !st.isSymbolicLink()) throw new InputError('--link', `${link} exists and is not a symlink; refusing to replace it`);
  const tmp = path.join(path.dirname(link), `.tmp-link-${process.pid}-${path.basename(link)}`);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.relative(path.dirname(path.resolve(link)), path.resolve(target)), tmp);
  fs.renameSync(tmp, link);
}

export async function runPrepare(a: PrepareArgs): Promise<void> {
  const m = loadManifest(a.manifest);
  const adapter = (m.mapping as { adapter?: unknown }).adapter;
  if (adapter === 'nh2015') return prepareNh2015(a, m.mapping);
  if (adapter !== 'ds003720')
    throw new InputError(
      a.manifest,
      `mapping.adapter is ${JSON.stringify(adapter ?? null)}; data prepare knows "ds003720" and "nh2015" (other datasets are read as they are)`,
    );
  if (!a.gtzan) throw new InputError('--gtzan', 'ds003720 names GTZAN excerpts: give --gtzan DIR (the folder holding the ten genre folders)');
  const { ds003720Options, scanDs003720, buildDs003720View } = await import('../datasets/ds003720.js');
  const opts = ds003720Options(m.mapping, a.manifest);
  const src = scanDs003720(a.root, a.gtzan, opts);
  const inputs: Record<string, string> = { manifest: a.manifest, description: path.join(a.root, 'dataset_description.json') };
  for (const sub of src.subjects) inputs[`sub-${sub}`] = path.join(a.root, `sub-${sub}`, 'func');
  for (const f of [...new Set(src.tracks.values())].sort()) inputs[`gtzan:${path.relative(a.gtzan, f)}`] = f;
  if (fs.existsSync(path.join(a.root, 'derivatives'))) inputs.derivatives = path.join(a.root, 'derivatives');
  let line = '';
  const res = await runStage(
    { stage: 'dataset', codeVersion: CODE_VERSION, root: a.out ?? DEFAULT_ROOT, inputs, params: { adapter, ...opts }, seed: a.seed },
    ({ dir }) => {
      const s = buildDs003720View(a.root, a.gtzan as string, dir, src, opts);
      line = `${s.subjects.length} subject(s), ${s.stimuli} excerpts (${s.trainClips} train, ${s.testClips} test), ${s.repetitions} test repetitions; ${s.links.hardlink} runs hard-linked, ${s.links.symlink} symlinked`;
    },
  );
  if (a.link) pointLink(a.link, res.dir);
  // The stamp last: make must not see the input ready before the link it reads through exists.
  if (a.stamp) writeStamp(a.stamp, { stage: 'dataset', key: res.key, dir: res.dir });
  process.stdout.write(`data prepare: ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; ${line}` : ''}${a.link ? `; view at ${a.link}` : ''}\n`);
}

/** NH2015 / B2021: the published NumPy/MATLAB responses and the 165 WAVs become the view encode-sounds reads (src/datasets/nh2015.ts). */
async function prepareNh2015(a: PrepareArgs, mapping: unknown): Promise<void> {
  const { nh2015Options, nh2015Inputs, buildNh2015View } = await import('../datasets/nh2015.js');
  const opts = nh2015Options(mapping, a.manifest);
  const inputs = { manifest: a.manifest, ...nh2015Inputs(a.root, opts) };
  let line = '';
  const res = await runStage(
    { stage: 'dataset', codeVersion: NH2015_CODE_VERSION, root: a.out ?? DEFAULT_ROOT, inputs, params: opts, seed: a.seed },
    async ({ dir }) => {
      const s = await buildNh2015View(a.root, dir, opts);
      line = `${s.sounds} sounds, ${s.subjects.length} participant(s) (${s.subjects.reduce((n, x) => n + x.voxels, 0)} voxels), ${s.components} components`;
    },
  );
  if (a.link) pointLink(a.link, res.dir);
  if (a.stamp) writeStamp(a.stamp, { stage: 'dataset', key: res.key, dir: res.dir });
  process.stdout.write(`data prepare: ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; ${line}` : ''}${a.link ? `; view at ${a.link}` : ''}\n`);
}

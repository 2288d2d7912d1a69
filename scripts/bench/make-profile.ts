/**
 * The per-stage wall/CPU table of a make run, from a store's provenance
 * (markdown for docs/performance.md), with the -jN projection.
 *
 *   npx tsx scripts/bench/make-profile.ts [derivatives/brainalign] [--jobs 2]
 */
import { readStageRuns, profileMarkdown } from '../../src/pipeline/make-profile.js';

const args = process.argv.slice(2);
const j = args.indexOf('--jobs');
const jobs = j >= 0 ? Number(args[j + 1]) : 2;
const root = args.find((a, i) => !a.startsWith('--') && (j < 0 || i !== j + 1)) ?? 'derivatives/brainalign';
process.stdout.write(profileMarkdown(readStageRuns(root), jobs));

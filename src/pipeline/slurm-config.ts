/**
 * What a study's jobs ask SLURM for: one default and per-target overrides,
 * matched by the make target's name (its stamp file name without `.json`).
 * pipelines/slurm.json documents every field.
 */
import { z } from 'zod';

const timePattern = /^(\d+-)?\d{1,2}(:\d{2}){0,2}$|^\d+$/;

const resourceFields = {
  cpus: z.number().int().min(1).describe('CPUs of the job (sbatch --cpus-per-task)'),
  mem: z
    .string()
    .regex(/^\d+[KMGT]?$/, 'a size like 4G or 500M')
    .describe('memory of the job (sbatch --mem), e.g. 4G'),
  time: z.string().regex(timePattern, 'a SLURM time like 30, 2:00:00 or 1-12:00:00').describe('wall-time limit (sbatch --time)'),
  partition: z.string().min(1).nullable().describe('partition (sbatch --partition); null: the cluster default'),
  account: z.string().min(1).nullable().describe('account to charge (sbatch --account); null: the user default'),
  retries: z.number().int().min(0).max(20).describe('resubmissions after a job is cancelled, pre-empted, killed or its node fails'),
};

export const slurmResourcesSchema = z.object(resourceFields).strict();
export type SlurmResources = z.output<typeof slurmResourcesSchema>;

export const slurmConfigSchema = z
  .object({
    default: slurmResourcesSchema
      .default({ cpus: 1, mem: '2G', time: '2:00:00', partition: null, account: null, retries: 2 })
      .describe('resources of every job no target rule matches'),
    targets: z
      .array(
        slurmResourcesSchema
          .partial()
          .extend({ match: z.string().min(1).describe('glob (* and ?) on the target name, e.g. "encode-*"') })
          .strict(),
      )
      .default([])
      .describe('per-target overrides; the first matching rule wins, fields it leaves out come from default'),
  })
  .strict();
export type SlurmConfig = z.output<typeof slurmConfigSchema>;

function globRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Resources of the job that builds `target` (a make target name, without folder or `.json`). */
export function resourcesFor(cfg: SlurmConfig, target: string): SlurmResources {
  const rule = cfg.targets.find((r) => globRegex(r.match).test(target));
  if (!rule) return cfg.default;
  const { match: _match, ...over } = rule;
  const defined = Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) as Partial<SlurmResources>;
  return { ...cfg.default, ...defined };
}

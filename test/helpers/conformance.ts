/**
 * Where the shared conformance files (other projects' test files with facts
 * their owners assert) live. Tests read them in place; they are never copied
 * into the repository.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the conformance root: $BRAINALIGN_CONFORMANCE, else `<repo>/../shared/conformance`. */
export function conformanceRoot(): string {
  const env = process.env.BRAINALIGN_CONFORMANCE;
  if (env !== undefined && env !== '') return path.resolve(env);
  return path.resolve(repoRoot, '..', 'shared', 'conformance');
}

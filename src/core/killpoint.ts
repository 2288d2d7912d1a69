/**
 * Test hook for crash safety. When BRAINALIGN_KILL_AT names a point (e.g.
 * `stage:rename`), the process SIGKILLs itself on reaching it, so tests can
 * prove that a kill at each rename or unlink of the store leaves nothing that
 * looks complete. With the variable unset this is one string compare.
 * Points: synth:aside, synth:in, synth:drop, stage:rename, publish:link,
 * publish:rename, stamp:write (docs/store.md).
 */
export function killPoint(name: string): void {
  if (process.env.BRAINALIGN_KILL_AT === name) process.kill(process.pid, 'SIGKILL');
}

/**
 * Entry point of the linalg layer: picks the OpenBLAS/LAPACKE addon when it is
 * built and loadable, else the portable TypeScript path (with one notice).
 * `BRAINALIGN_LINALG=portable` forces the fallback (e.g. to compare paths).
 */
import { notice } from '../core/progress.js';
import { nativeLinalg, nativeLoadError } from './native.js';
import { portableLinalg } from './portable.js';
import type { Linalg } from './types.js';

export type { Floats, GemmOptions, Linalg, SymEig, ThinSvd } from './types.js';
export { allocLike, copyOf } from './types.js';
export { nativeTrainingKernels, nativeLoadError, type NativeTrainingKernels } from './native.js';
export { setPortableGemm, portableGemmProvider, type Float32Gemm } from './portable.js';

let noticed = false;

/**
 * The Linalg implementation to use: native unless it is unavailable or portable
 * is asked for, by `prefer` or (when `prefer` is not given) by BRAINALIGN_LINALG=portable.
 */
export function getLinalg(opts: { prefer?: 'native' | 'portable' } = {}): Linalg {
  const prefer = opts.prefer ?? (process.env.BRAINALIGN_LINALG === 'portable' ? 'portable' : 'native');
  if (prefer === 'portable') return portableLinalg();
  const nat = nativeLinalg();
  if (nat) return nat;
  if (!noticed) {
    noticed = true;
    notice(`linalg: native OpenBLAS addon unavailable (${nativeLoadError()}); using the slower portable path`);
  }
  return portableLinalg();
}

/** True when the native addon loads (tests use this to parametrise over both paths). */
export function nativeAvailable(): boolean {
  return nativeLinalg() !== null;
}

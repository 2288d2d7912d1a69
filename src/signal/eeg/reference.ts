/**
 * EEG re-referencing: subtract, at every sample, the mean of the reference
 * channels (all good channels for the common average, or named channels such
 * as the mastoids).
 */
import { InputError } from '../../core/errors.js';

/**
 * Re-reference `data` (one Float32Array per channel, µV). `reference` is
 * 'average' (mean of every channel not in `exclude`) or a list of channel
 * labels. Excluded (bad) channels are still re-referenced, but never enter
 * the reference. Returns new arrays in the input units.
 */
export function rereference(data: Float32Array[], labels: string[], reference: 'average' | string[], exclude: Iterable<number> = []): Float32Array[] {
  if (data.length !== labels.length) throw new InputError('reference', `${data.length} channels but ${labels.length} labels`);
  const ex = new Set(exclude);
  let refIdx: number[];
  if (reference === 'average') {
    refIdx = labels.map((_, i) => i).filter((i) => !ex.has(i));
  } else {
    refIdx = reference.map((name) => {
      const i = labels.indexOf(name);
      if (i < 0) throw new InputError('reference', `reference channel "${name}" is not in the recording (${labels.join(', ')})`);
      return i;
    });
  }
  if (refIdx.length === 0) throw new InputError('reference', 'no channels left to form the reference');
  const n = data[0]?.length ?? 0;
  const ref = new Float64Array(n);
  for (const c of refIdx) {
    const x = data[c];
    for (let t = 0; t < n; t++) ref[t] += x[t];
  }
  for (let t = 0; t < n; t++) ref[t] /= refIdx.length;
  return data.map((x) => {
    const y = new Float32Array(n);
    for (let t = 0; t < n; t++) y[t] = x[t] - ref[t];
    return y;
  });
}

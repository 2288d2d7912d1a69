/**
 * A clip as an ONNX model's input tensor: mono audio resampled to the model's
 * rate, fed as the waveform or as a log-mel spectrogram (dB) laid out the
 * way the model's input shape says.
 */
import { InputError } from '../../core/errors.js';
import { resample } from '../../signal/resample.js';
import { logMel } from '../features.js';
import type { OnnxInput } from './config.js';

/** Declared shape of the model's input: numbers for fixed axes, strings or null for free ones. */
export type InputShape = readonly (number | string | null)[];

export interface ModelInput {
  data: Float32Array;
  dims: number[];
  /** Length of the input along its time axis, in seconds (the span the output columns tile). */
  duration: number;
}

/** Mono audio at `sr` Hz resampled to `to` Hz (unchanged when equal). */
function atRate(x: Float32Array, sr: number, to: number): Float32Array {
  return sr === to ? x : resample(x, sr, to);
}

/**
 * The input tensor for one clip. A waveform goes in as [n], [1, n] or
 * [1, 1, n] by the input's rank; a log-mel as [1, mel, time] or [1, 1, mel,
 * time] (or time before mel, by `layout` or by which axis has the fixed size
 * nMels).
 */
export function modelInput(spec: OnnxInput, shape: InputShape, mono: Float32Array, sr: number, file: string): ModelInput {
  const x = atRate(mono, sr, spec.sr);
  if (spec.kind === 'waveform') {
    const n = x.length;
    const dims = shape.length === 1 ? [n] : shape.length === 2 ? [1, n] : shape.length === 3 ? [1, 1, n] : null;
    if (!dims) throw new InputError(file, `a waveform input must have rank 1–3, the model's has rank ${shape.length}`);
    if (typeof shape[shape.length - 1] === 'number')
      throw new InputError(file, 'the model’s input has a fixed number of samples; export it with a dynamic time axis (docs/onnx-models.md)');
    return { data: x, dims, duration: n / spec.sr };
  }
  const m = logMel(x, spec.sr, { sr: spec.sr, nFft: spec.nFft, hop: spec.hop, nMels: spec.nMels });
  if (shape.length !== 3 && shape.length !== 4) throw new InputError(file, `a log-mel input must have rank 3 or 4, the model's has rank ${shape.length}`);
  const a = shape[shape.length - 2];
  const b = shape[shape.length - 1];
  const layout = spec.layout ?? (b === spec.nMels && a !== spec.nMels ? 'time-mel' : 'mel-time');
  const timeDim = layout === 'mel-time' ? b : a;
  if (typeof timeDim === 'number')
    throw new InputError(file, 'the model’s input has a fixed number of frames; export it with a dynamic time axis (docs/onnx-models.md)');
  const melDim = layout === 'mel-time' ? a : b;
  if (typeof melDim === 'number' && melDim !== spec.nMels)
    throw new InputError(file, `the model expects ${melDim} mel bands, the config gives nMels = ${spec.nMels}`);
  const T = m.nFrames;
  let data = m.data;
  if (layout === 'time-mel') {
    data = new Float32Array(m.nMels * T);
    for (let k = 0; k < m.nMels; k++) for (let t = 0; t < T; t++) data[t * m.nMels + k] = m.data[k * T + t];
  }
  const core = layout === 'mel-time' ? [m.nMels, T] : [T, m.nMels];
  return { data, dims: shape.length === 3 ? [1, ...core] : [1, 1, ...core], duration: T / m.frameRate };
}

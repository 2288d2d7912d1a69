/**
 * Activations of an ONNX model's layers over the stimuli, reduced to the
 * output rate exactly as BAN's areas are (reduceMap in ../activations.ts).
 *
 * Axes. An ONNX tensor carries no axis names, so the time axis is found by
 * running a probe: the first clip and its first 60 % — the axis whose length
 * changes is time. A layer with no such axis (a pooled embedding) or with two
 * (an attention map) has no time course at one rate and is left out with a
 * notice. Of the remaining axes, size-1 axes (the batch) are dropped, the
 * first other axis is the channels (PyTorch's N C … order) and the rest,
 * flattened, is frequency — average-pooled into freqBins bins like BAN's
 * frequency rows.
 *
 * Time. The W columns of a layer tile the input's span evenly: column j
 * covers [j·D/W, (j+1)·D/W) s of the clip (D = samples/sr for a waveform,
 * frames/frame rate for a log-mel) and sits at its centre; the row rule is
 * then BAN's (the mean of the columns whose centre lies in the row's 1/rate s).
 */
import { notice } from '../../core/progress.js';
import { InputError } from '../../core/errors.js';
import { assemble, reduceMap, type FeatureSpace, type ReduceOptions } from '../activations.js';
import type { OnnxModel } from './config.js';
import { modelInput } from './input.js';
import { openOnnx, type LayerTensor, type OpenedLayer, type OnnxSession } from './session.js';

/** One clip: mono audio at sr Hz. */
export interface OnnxClip {
  id: string;
  audio: Float32Array;
  sr: number;
  /** Source file, for messages. */
  file: string;
}

/** Axis roles of a layer's tensor: which axis is time, which channels, which are pooled as frequency. */
export interface AxisRoles {
  time: number;
  channels: number | null;
  freq: number[];
}

/**
 * Axis roles from the tensor's dims on the full clip and on the probe; null
 * when the layer has no single time axis.
 */
export function axisRoles(full: number[], probe: number[]): AxisRoles | null {
  if (full.length !== probe.length) return null;
  const moving = full.map((d, i) => (d !== probe[i] ? i : -1)).filter((i) => i >= 0);
  if (moving.length !== 1) return null;
  const rest = full.map((_, i) => i).filter((i) => i !== moving[0] && full[i] !== 1);
  return { time: moving[0], channels: rest.length ? rest[0] : null, freq: rest.slice(1) };
}

/** The tensor as BAN's (freq H × time W × channels C) map, data indexed [h][w][c]. */
export function toFreqTimeChannels(data: Float32Array, dims: number[], roles: AxisRoles): { data: Float32Array; H: number; W: number; C: number } {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  const W = dims[roles.time];
  const C = roles.channels === null ? 1 : dims[roles.channels];
  const H = roles.freq.reduce((p, a) => p * dims[a], 1);
  const out = new Float32Array(H * W * C);
  const cStride = roles.channels === null ? 0 : strides[roles.channels];
  for (let h = 0; h < H; h++) {
    // Offset of frequency index h over the (row-major) frequency axes.
    let rem = h;
    let hOff = 0;
    for (let k = roles.freq.length - 1; k >= 0; k--) {
      const a = roles.freq[k];
      hOff += (rem % dims[a]) * strides[a];
      rem = Math.floor(rem / dims[a]);
    }
    for (let w = 0; w < W; w++) {
      const base = hOff + w * strides[roles.time];
      const o = (h * W + w) * C;
      for (let c = 0; c < C; c++) out[o + c] = data[base + c * cStride];
    }
  }
  return { data: out, H, W, C };
}

/** Centre time (s) of each of W columns tiling a span of `span` s. */
export function tiledColumnTimes(W: number, span: number): Float64Array {
  const t = new Float64Array(W);
  for (let j = 0; j < W; j++) t[j] = ((j + 0.5) * span) / W;
  return t;
}

export interface OnnxLayerSpace {
  layer: OpenedLayer;
  roles: AxisRoles;
  space: FeatureSpace;
}

/** Runs the probe (first clip, its first 60 %) and decides each layer's axis roles; layers without one time axis are dropped. */
async function probeRoles(s: OnnxSession, m: OnnxModel, clip: OnnxClip): Promise<Map<string, AxisRoles>> {
  const full = modelInput(m.input, s.inputShape, clip.audio, clip.sr, m.file);
  const short = modelInput(m.input, s.inputShape, clip.audio.subarray(0, Math.max(1, Math.floor(clip.audio.length * 0.6))), clip.sr, m.file);
  const a = await s.run(full.data, full.dims);
  const b = await s.run(short.data, short.dims);
  const roles = new Map<string, AxisRoles>();
  const skipped: string[] = [];
  for (const l of s.layers) {
    const ta = a.get(l.tensor) as LayerTensor;
    const r = ta.data ? axisRoles(ta.dims, (b.get(l.tensor) as LayerTensor).dims) : null;
    if (r) roles.set(l.tensor, r);
    else skipped.push(`${l.tensor} (${ta.data ? `[${ta.dims.join('×')}], no single time axis` : ta.type})`);
  }
  if (skipped.length)
    notice(
      `features: ${m.name}: ${skipped.length} of ${s.layers.length} layers are not time courses and are left out: ${skipped.slice(0, 6).join('; ')}${skipped.length > 6 ? '; …' : ''}`,
    );
  if (roles.size === 0) throw new InputError(m.file, 'no selected layer is a floating-point tensor with one time axis');
  return roles;
}

/**
 * Every layer of `m` as a feature space over `clips` at `opts.rate` (one
 * FeatureSpace per layer, named by its area name, in forward order).
 */
export async function onnxActivations(m: OnnxModel, clips: OnnxClip[], opts: ReduceOptions & { onClip?: () => void }): Promise<OnnxLayerSpace[]> {
  if (clips.length === 0) throw new InputError(m.file, 'no stimuli');
  const s = await openOnnx(m.file, m.layers, { threads: m.threads, inputName: m.input.name });
  try {
    const roles = await probeRoles(s, m, clips[0]);
    const kept = s.layers.filter((l) => roles.has(l.tensor));
    const parts: Parameters<typeof assemble>[1][] = kept.map(() => []);
    for (const clip of clips) {
      const inp = modelInput(m.input, s.inputShape, clip.audio, clip.sr, clip.file);
      const outs = await s.run(inp.data, inp.dims);
      kept.forEach((l, i) => {
        const t = outs.get(l.tensor) as LayerTensor;
        const r = roles.get(l.tensor) as AxisRoles;
        if (!t.data || t.dims.length <= r.time)
          throw new InputError(clip.file, `${m.name}: layer ${l.tensor} is [${t.dims.join('×')}] ${t.type} here, unlike on the probe`);
        const map = toFreqTimeChannels(t.data as Float32Array, t.dims, r);
        const red = reduceMap({ ...map, colTimes: tiledColumnTimes(map.W, inp.duration) }, clip.audio.length / clip.sr, opts);
        parts[i].push({ id: clip.id, ...red });
      });
      opts.onClip?.();
    }
    return kept.map((l, i) => ({ layer: l, roles: roles.get(l.tensor) as AxisRoles, space: assemble(l.area, parts[i]) }));
  } finally {
    await s.release();
  }
}

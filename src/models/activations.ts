/**
 * Time-resolved feature spaces for encoding/RSA: activations of every area
 * (and every iteration of recurrent areas) of BAN/CNN models, baseline
 * features (log-mel, spectrotemporal modulation energy), and layers of user
 * TF.js models — all reduced the same way.
 *
 * Reduction. An area output is a map over (frequency H, time W, channels C).
 * Frequency is average-pooled into `freqBins` equal bins (min(freqBins, H));
 * the features are channels × bins, feature index c·bins + b. Time is
 * averaged within windows aligned to the requested rate: timepoint k covers
 * [k/rate, (k+1)/rate) seconds of the stimulus, and takes the mean of the
 * columns whose centre time falls inside it; a window with no column (rate
 * faster than the area's own column rate) takes the nearest column. The
 * number of timepoints is floor(duration·rate) (at least 1). The clip mean is
 * the average over all columns.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PCA } from 'ml-pca';
import { tf } from './backend.js';
import type { AudioNet } from './ban.js';
import { logMel, type LogMel, type LogMelOptions } from './features.js';
import { InputError } from '../core/errors.js';

/** One stimulus as the models see it. */
export interface Stimulus {
  id: string;
  mel: LogMel;
  /** Duration in seconds (of the audio). */
  duration: number;
}

/** A feature space over stimuli. */
export interface FeatureSpace {
  /** e.g. 'pb.3' (area pb, iteration 3), 'logmel', 'modulation', or a user layer name. */
  name: string;
  nFeatures: number;
  /** Per stimulus, in input order: nT × nFeatures row-major. */
  stimuli: { id: string; nT: number; data: Float32Array }[];
  /** nStimuli × nFeatures row-major: each stimulus' mean over all its time columns. */
  clipMean: Float32Array;
}

/** Build a stimulus from mono audio x at sr Hz with the model's log-mel settings. */
export function stimulusFromAudio(id: string, x: Float32Array, sr: number, melOpts: LogMelOptions = {}): Stimulus {
  return { id, mel: logMel(x, sr, melOpts), duration: x.length / sr };
}

/** A (freq × time × channel) map, data indexed [h][w][c] (NHWC without the batch). */
export interface Map3 {
  data: Float32Array;
  H: number;
  W: number;
  C: number;
  /** Centre time (s) of each column. */
  colTimes: Float64Array;
}

export interface ReduceOptions {
  /** Output rate in Hz (1/TR for fMRI, the EEG rate for EEG). */
  rate: number;
  /** Frequency bins kept after pooling (default 4). */
  freqBins?: number;
}

function timepoints(duration: number, rate: number): number {
  if (!(rate > 0)) throw new InputError('rate', `must be > 0 Hz, got ${rate}`);
  return Math.max(1, Math.floor(duration * rate + 1e-9));
}

/** Reduce a map to (nT × C·bins) at `rate` plus its clip mean; see module comment. */
export function reduceMap(m: Map3, duration: number, opts: ReduceOptions): { nT: number; data: Float32Array; mean: Float32Array; nFeatures: number } {
  const bins = Math.min(opts.freqBins ?? 4, m.H);
  const F = m.C * bins;
  // Pool frequency first: per column a (C·bins) vector.
  const cols = new Float32Array(m.W * F);
  for (let b = 0; b < bins; b++) {
    const h0 = Math.floor((b * m.H) / bins);
    const h1 = Math.floor(((b + 1) * m.H) / bins);
    const inv = 1 / (h1 - h0);
    for (let w = 0; w < m.W; w++) {
      for (let h = h0; h < h1; h++) {
        const src = (h * m.W + w) * m.C;
        for (let c = 0; c < m.C; c++) cols[w * F + c * bins + b] += m.data[src + c] * inv;
      }
    }
  }
  const nT = timepoints(duration, opts.rate);
  const out = new Float32Array(nT * F);
  const count = new Int32Array(nT);
  for (let w = 0; w < m.W; w++) {
    const k = Math.floor(m.colTimes[w] * opts.rate);
    if (k < 0 || k >= nT) continue;
    count[k]++;
    for (let f = 0; f < F; f++) out[k * F + f] += cols[w * F + f];
  }
  for (let k = 0; k < nT; k++) {
    if (count[k] > 0) {
      for (let f = 0; f < F; f++) out[k * F + f] /= count[k];
      continue;
    }
    const centre = (k + 0.5) / opts.rate;
    let best = 0;
    for (let w = 1; w < m.W; w++) if (Math.abs(m.colTimes[w] - centre) < Math.abs(m.colTimes[best] - centre)) best = w;
    out.set(cols.subarray(best * F, (best + 1) * F), k * F);
  }
  const mean = new Float32Array(F);
  for (let w = 0; w < m.W; w++) for (let f = 0; f < F; f++) mean[f] += cols[w * F + f] / m.W;
  return { nT, data: out, mean, nFeatures: F };
}

export function assemble(name: string, parts: { id: string; nT: number; data: Float32Array; mean: Float32Array; nFeatures: number }[]): FeatureSpace {
  const F = parts[0]?.nFeatures ?? 0;
  const clipMean = new Float32Array(parts.length * F);
  parts.forEach((p, i) => clipMean.set(p.mean, i * F));
  return { name, nFeatures: F, stimuli: parts.map((p) => ({ id: p.id, nT: p.nT, data: p.data })), clipMean };
}

/** Centre times (s) of columns that each cover `framesPerCol` input frames. */
function columnTimes(W: number, framesPerCol: number, frameRate: number): Float64Array {
  const t = new Float64Array(W);
  for (let j = 0; j < W; j++) t[j] = (j * framesPerCol + (framesPerCol - 1) / 2) / frameRate;
  return t;
}

/**
 * Activations of every area and iteration of `model` for every stimulus, each
 * reduced to `rate` (see module comment). The whole clip goes through the
 * network at once (it is fully convolutional up to the pooling decoder), with
 * eval-mode batch norm; the clip is padded at the end by repeating its last
 * frame to a multiple of the network's total stride, and columns past the
 * clip are dropped. Returns one FeatureSpace per (area, iteration), named
 * `<area>.<iteration>`, in forward order; with iterations 'last', one per
 * area (its final iteration, the area's output), named `<area>`.
 */
export function modelActivations(model: AudioNet, stimuli: Stimulus[], opts: ReduceOptions & { iterations?: 'all' | 'last' }): FeatureSpace[] {
  const cfg = model.config;
  const stride = 4 * 2 ** cfg.areas.length;
  const names = model.areaIterations();
  const parts: { id: string; nT: number; data: Float32Array; mean: Float32Array; nFeatures: number }[][] = names.map(() => []);
  for (const s of stimuli) {
    if (s.mel.nMels !== cfg.nMels) throw new InputError(s.id, `log-mel has ${s.mel.nMels} bands, model expects ${cfg.nMels}`);
    const padded = Math.max(stride, Math.ceil(s.mel.nFrames / stride) * stride);
    const buf = new Float32Array(cfg.nMels * padded);
    for (let m = 0; m < cfg.nMels; m++) {
      for (let f = 0; f < padded; f++) buf[m * padded + f] = s.mel.data[m * s.mel.nFrames + Math.min(f, s.mel.nFrames - 1)];
    }
    const maps = tf.tidy(() => {
      const r = model.forward(tf.tensor4d(buf, [1, cfg.nMels, padded, 1]), { training: false, collect: true });
      return r.acts.map((a) => ({ shape: a.tensor.shape, data: a.tensor.dataSync() as Float32Array }));
    });
    maps.forEach((mp, i) => {
      const [, H, Wp, C] = mp.shape;
      const per = padded / Wp;
      const W = Math.max(1, Math.ceil(s.mel.nFrames / per));
      // Drop padding columns: keep the first W of each row.
      const data = new Float32Array(H * W * C);
      for (let h = 0; h < H; h++) data.set(mp.data.subarray(h * Wp * C, (h * Wp + W) * C), h * W * C);
      const red = reduceMap({ data, H, W, C, colTimes: columnTimes(W, per, s.mel.frameRate) }, s.duration, opts);
      parts[i].push({ id: s.id, ...red });
    });
  }
  const all = names.map((n, i) => assemble(`${n.area}.${n.iteration}`, parts[i]));
  if (opts.iterations !== 'last') return all;
  // An area's output is its last iteration; name it by the area alone.
  return names.flatMap((n, i) => (i + 1 < names.length && names[i + 1].area === n.area ? [] : [{ ...all[i], name: n.area }]));
}

/** Log-mel baseline: the log-mel (dB) itself, frequency pooled to `freqBins` (default: all bands), at `rate`. */
export function logMelFeatures(stimuli: Stimulus[], opts: ReduceOptions): FeatureSpace {
  const parts = stimuli.map((s) => {
    const { nMels, nFrames, data } = s.mel;
    // [mel][frame] is already H×W×1.
    const red = reduceMap({ data, H: nMels, W: nFrames, C: 1, colTimes: columnTimes(nFrames, 1, s.mel.frameRate) }, s.duration, {
      rate: opts.rate,
      freqBins: opts.freqBins ?? nMels,
    });
    return { id: s.id, ...red };
  });
  return assemble('logmel', parts);
}

export interface ModulationOptions extends ReduceOptions {
  /** Temporal modulation rates in Hz (default 2, 4, 8, 16). */
  rates?: number[];
  /** Spectral modulation scales in cycles/octave (default 0.25, 0.5, 1, 2). */
  scales?: number[];
  /** Mel bands per octave, for converting scales (default: nMels / log2(fmax/fmin) with fmax = 11025 Hz, fmin = 64 Hz). */
  bandsPerOctave?: number;
}

/** Zero-mean complex Gabor kernel: cycles per sample `freq`, Gaussian σ = 0.5/freq samples (≈1 cycle), truncated at 3σ and at `maxHalf`. */
function gabor1d(freq: number, maxHalf: number): { re: Float64Array; im: Float64Array; half: number } {
  const sigma = 0.5 / freq;
  const half = Math.max(1, Math.min(maxHalf, Math.ceil(3 * sigma)));
  const n = 2 * half + 1;
  const env = new Float64Array(n);
  let es = 0;
  for (let i = 0; i < n; i++) {
    const u = i - half;
    env[i] = Math.exp(-(u * u) / (2 * sigma * sigma));
    es += env[i];
  }
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let mr = 0,
    mi = 0;
  for (let i = 0; i < n; i++) {
    const ph = 2 * Math.PI * freq * (i - half);
    mr += env[i] * Math.cos(ph);
    mi += env[i] * Math.sin(ph);
  }
  // Remove the envelope-weighted DC so a constant input gives zero response.
  const kr = mr / es,
    ki = mi / es;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const ph = 2 * Math.PI * freq * (i - half);
    re[i] = env[i] * (Math.cos(ph) - kr);
    im[i] = env[i] * (Math.sin(ph) - ki);
    norm += re[i] * re[i] + im[i] * im[i];
  }
  const s = 1 / Math.sqrt(norm);
  for (let i = 0; i < n; i++) {
    re[i] *= s;
    im[i] *= s;
  }
  return { re, im, half };
}

/**
 * Spectrotemporal modulation energy: the log-mel is filtered by separable
 * complex 2-D Gabor filters (temporal rate × spectral scale, both sweep
 * directions, upward first), and the squared magnitude
 * is the energy. Mel bands are treated as uniform on log frequency
 * (`bandsPerOctave`), an approximation above ~1 kHz and coarse below it.
 * Channels are ordered (rate, scale, direction); features = channels × bins.
 */
export function modulationFeatures(stimuli: Stimulus[], opts: ModulationOptions): FeatureSpace {
  const rates = opts.rates ?? [2, 4, 8, 16];
  const scales = opts.scales ?? [0.25, 0.5, 1, 2];
  const parts = stimuli.map((s) => {
    const { nMels: M, nFrames: T, data, frameRate } = s.mel;
    const bpo = opts.bandsPerOctave ?? M / Math.log2(11025 / 64);
    const C = rates.length * scales.length * 2;
    const energy = new Float32Array(M * T * C);
    let ch = 0;
    for (const rate of rates) {
      if (rate >= frameRate / 2) throw new InputError('rates', `${rate} Hz is at or above the frame Nyquist rate ${frameRate / 2} Hz`);
      const gt = gabor1d(rate / frameRate, T);
      // Temporal filtering (complex); edges hold the first/last frame so a
      // steady sound has no spurious onset modulation.
      const aRe = new Float64Array(M * T);
      const aIm = new Float64Array(M * T);
      for (let m = 0; m < M; m++) {
        for (let t = 0; t < T; t++) {
          let sr = 0,
            si = 0;
          for (let i = -gt.half; i <= gt.half; i++) {
            const tt = Math.min(T - 1, Math.max(0, t - i));
            const v = data[m * T + tt];
            sr += v * gt.re[i + gt.half];
            si += v * gt.im[i + gt.half];
          }
          aRe[m * T + t] = sr;
          aIm[m * T + t] = si;
        }
      }
      for (const scale of scales) {
        const fq = scale / bpo;
        if (fq >= 0.5) throw new InputError('scales', `${scale} cycles/octave exceeds the mel grid's Nyquist (${(bpo / 2).toFixed(2)})`);
        const gf = gabor1d(fq, M);
        // dir −1 pairs +rate with −scale: a ripple whose phase is constant
        // along rising frequency over time (upward sweep); +1 is downward.
        for (const dir of [-1, 1]) {
          for (let m = 0; m < M; m++) {
            for (let t = 0; t < T; t++) {
              let sr = 0,
                si = 0;
              for (let i = -gf.half; i <= gf.half; i++) {
                const mm = Math.min(M - 1, Math.max(0, m - i));
                const hr = gf.re[i + gf.half];
                const hi = dir * gf.im[i + gf.half];
                const xr = aRe[mm * T + t];
                const xi = aIm[mm * T + t];
                sr += xr * hr - xi * hi;
                si += xr * hi + xi * hr;
              }
              energy[(m * T + t) * C + ch] = sr * sr + si * si;
            }
          }
          ch++;
        }
      }
    }
    const red = reduceMap({ data: energy, H: M, W: T, C, colTimes: columnTimes(T, 1, frameRate) }, s.duration, opts);
    return { id: s.id, ...red };
  });
  return assemble('modulation', parts);
}

/** Read a TF.js model.json plus its weight files from disk into an in-memory IOHandler. */
export function fileModelHandler(modelJson: string): tf.io.IOHandler {
  let j: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    signature?: unknown;
    userDefinedMetadata?: Record<string, unknown>;
    modelInitializer?: unknown;
  };
  try {
    j = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  } catch (e) {
    throw new InputError(modelJson, `cannot read TF.js model.json: ${(e as Error).message}`);
  }
  if (!j.modelTopology || !Array.isArray(j.weightsManifest)) throw new InputError(modelJson, 'not a TF.js model.json (modelTopology/weightsManifest missing)');
  const specs: tf.io.WeightsManifestEntry[] = [];
  const bufs: Buffer[] = [];
  for (const group of j.weightsManifest) {
    for (const p of group.paths) {
      const file = path.resolve(path.dirname(modelJson), p);
      try {
        bufs.push(fs.readFileSync(file));
      } catch (e) {
        throw new InputError(file, `cannot read weights: ${(e as Error).message}`);
      }
    }
    specs.push(...group.weights);
  }
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: j.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData,
    format: j.format,
    generatedBy: j.generatedBy,
    convertedBy: j.convertedBy ?? undefined,
    signature: j.signature as tf.io.ModelArtifacts['signature'],
    userDefinedMetadata: j.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
  };
  return tf.io.fromMemory(artifacts);
}

export interface UserModelOptions extends ReduceOptions {
  /** Input layout: 'mel-time' = [N, nMels, frames, 1] (BAN's), 'time-mel' = [N, frames, nMels]. Default from the model's input rank. */
  layout?: 'mel-time' | 'time-mel';
}

/**
 * Activations of named layers (LayersModel) or nodes (GraphModel) of a TF.js
 * model on disk, for every stimulus. The clip's log-mel is cut into
 * consecutive windows of the model's fixed input length (the last one padded
 * by repeating the final frame); outputs are concatenated over windows. A
 * rank-4 output [N, H, W, C] is (freq, time, channels); rank-3 [N, T, C] is
 * time × channels; rank-2 [N, C] is one column per window. Reduced as in the
 * module comment. Returns one FeatureSpace per layer, named by the layer.
 */
export async function userModelActivations(modelJson: string, layers: string[], stimuli: Stimulus[], opts: UserModelOptions): Promise<FeatureSpace[]> {
  const raw = JSON.parse(fs.readFileSync(modelJson, 'utf8')) as { format?: string };
  const isGraph = raw.format === 'graph-model';
  let run: (x: tf.Tensor) => tf.Tensor[];
  let inShape: (number | null)[];
  let dispose: () => void;
  if (isGraph) {
    const g = await tf.loadGraphModel(fileModelHandler(modelJson));
    inShape = g.inputs[0].shape ?? [];
    run = (x) => {
      const r = g.execute(x, layers);
      return Array.isArray(r) ? r : [r];
    };
    dispose = () => g.dispose();
  } else {
    const m = await tf.loadLayersModel(fileModelHandler(modelJson));
    for (const name of layers) {
      try {
        m.getLayer(name);
      } catch {
        throw new InputError(modelJson, `no layer named '${name}' (layers: ${m.layers.map((l) => l.name).join(', ')})`);
      }
    }
    const sub = tf.model({ inputs: m.inputs, outputs: layers.map((n) => m.getLayer(n).output as tf.SymbolicTensor) });
    inShape = m.inputs[0].shape;
    run = (x) => {
      const r = sub.predict(x);
      return Array.isArray(r) ? r : [r];
    };
    dispose = () => m.dispose();
  }
  const layout = opts.layout ?? (inShape.length === 4 ? 'mel-time' : 'time-mel');
  const frames = layout === 'mel-time' ? inShape[2] : inShape[1];
  const nMelsIn = layout === 'mel-time' ? inShape[1] : inShape[2];
  if (typeof frames !== 'number' || typeof nMelsIn !== 'number')
    throw new InputError(modelJson, `input shape [${inShape.join(',')}] needs fixed mel and frame sizes`);
  const parts: { id: string; nT: number; data: Float32Array; mean: Float32Array; nFeatures: number }[][] = layers.map(() => []);
  for (const s of stimuli) {
    if (s.mel.nMels !== nMelsIn) throw new InputError(s.id, `log-mel has ${s.mel.nMels} bands, ${modelJson} expects ${nMelsIn}`);
    const nWin = Math.max(1, Math.ceil(s.mel.nFrames / frames));
    const per: { shape: number[]; data: Float32Array }[][] = layers.map(() => []);
    for (let w = 0; w < nWin; w++) {
      const buf = new Float32Array(nMelsIn * frames);
      for (let m = 0; m < nMelsIn; m++) {
        for (let f = 0; f < frames; f++) {
          const v = s.mel.data[m * s.mel.nFrames + Math.min(w * frames + f, s.mel.nFrames - 1)];
          if (layout === 'mel-time') buf[m * frames + f] = v;
          else buf[f * nMelsIn + m] = v;
        }
      }
      const outs = tf.tidy(() => {
        const x = layout === 'mel-time' ? tf.tensor4d(buf, [1, nMelsIn, frames, 1]) : tf.tensor3d(buf, [1, frames, nMelsIn]);
        return run(x).map((t) => ({ shape: t.shape.slice(1), data: t.dataSync() as Float32Array }));
      });
      outs.forEach((o, i) => per[i].push(o));
    }
    per.forEach((wins, i) => {
      const shp = wins[0].shape;
      let H: number, Wn: number, C: number;
      if (shp.length === 3) [H, Wn, C] = shp;
      else if (shp.length === 2) {
        H = 1;
        [Wn, C] = shp;
      } else if (shp.length === 1) {
        H = 1;
        Wn = 1;
        C = shp[0];
      } else throw new InputError(modelJson, `layer '${layers[i]}' output rank ${shp.length + 1} is not 2–4`);
      const framesPerCol = frames / Wn;
      const Wtot = Math.max(1, Math.min(nWin * Wn, Math.ceil(s.mel.nFrames / framesPerCol)));
      const data = new Float32Array(H * Wtot * C);
      for (let w = 0; w < Wtot; w++) {
        const win = wins[Math.floor(w / Wn)].data;
        const wc = w % Wn;
        for (let h = 0; h < H; h++) data.set(win.subarray((h * Wn + wc) * C, (h * Wn + wc + 1) * C), (h * Wtot + w) * C);
      }
      const red = reduceMap({ data, H, W: Wtot, C, colTimes: columnTimes(Wtot, framesPerCol, s.mel.frameRate) }, s.duration, opts);
      parts[i].push({ id: s.id, ...red });
    });
  }
  dispose();
  return layers.map((n, i) => assemble(n, parts[i]));
}

/**
 * PCA of a feature space to k components, fitted on the timepoints of the
 * stimuli in `trainIds` only (centred, not scaled), then applied to every
 * stimulus and to the clip means. Returns the projected space (name + '.pca')
 * and the explained-variance fractions of the kept components.
 */
export function pcaReduce(space: FeatureSpace, trainIds: string[], k: number): { space: FeatureSpace; explained: number[] } {
  const train = new Set(trainIds);
  const rows: number[][] = [];
  for (const s of space.stimuli) {
    if (!train.has(s.id)) continue;
    for (let t = 0; t < s.nT; t++) rows.push(Array.from(s.data.subarray(t * space.nFeatures, (t + 1) * space.nFeatures)));
  }
  if (rows.length < 2) throw new InputError('pca', 'needs at least two training timepoints to fit');
  const kk = Math.min(k, space.nFeatures, rows.length);
  const pca = new PCA(rows, { center: true, scale: false, method: rows.length > space.nFeatures ? 'covarianceMatrix' : 'SVD' });
  const project = (data: Float32Array, n: number): Float32Array => {
    const m: number[][] = [];
    for (let t = 0; t < n; t++) m.push(Array.from(data.subarray(t * space.nFeatures, (t + 1) * space.nFeatures)));
    const p = pca.predict(m, { nComponents: kk }).to2DArray();
    const out = new Float32Array(n * kk);
    p.forEach((r, t) => {
      for (let j = 0; j < kk; j++) out[t * kk + j] = r[j];
    });
    return out;
  };
  return {
    space: {
      name: `${space.name}.pca`,
      nFeatures: kk,
      stimuli: space.stimuli.map((s) => ({ id: s.id, nT: s.nT, data: project(s.data, s.nT) })),
      clipMean: project(space.clipMean, space.stimuli.length),
    },
    explained: pca.getExplainedVariance().slice(0, kk),
  };
}

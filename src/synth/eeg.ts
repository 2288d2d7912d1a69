/**
 * Synthetic EEG of a subject listening to a long concatenation of the clips.
 *
 *   x_c(t) = Σ_m A_m,c (k_m ∗ u_m)(t) + background_c(t) + artefacts_c(t)
 *
 * u_env is the amplitude envelope and u_flux the spectral flux of the audio at
 * the EEG rate (each divided by its sound-on sd, zero in gaps); k_m are
 * P1-N1-P2-shaped kernels over lags 0–400 ms in µV per unit; A_m are scalp
 * topographies of bilateral temporal-lobe dipoles. The background is spatially
 * mixed pink noise; artefacts are alpha bursts, 50 Hz line noise, blinks on
 * frontal channels, slow drift, one flat and one noisy channel.
 */
import type { Rng } from '../core/prng.js';
import { convolve } from '../signal/hrf.js';
import { electrodeXyz } from '../signal/eeg/montage.js';

export { electrodeXyz, MONTAGE_16, MONTAGE_32 } from '../signal/eeg/montage.js';

/**
 * Scalp potential of current dipoles at `pos` (inside the unit sphere) with
 * moments `mom`, by the infinite-homogeneous-medium formula
 * V = p·(r − r0)/|r − r0|³, normalised to unit RMS over channels.
 */
export function dipoleTopography(channels: string[], dipoles: { pos: number[]; mom: number[] }[]): Float32Array {
  const out = new Float32Array(channels.length);
  channels.forEach((ch, i) => {
    const r = electrodeXyz(ch);
    let v = 0;
    for (const d of dipoles) {
      const dx = [r[0] - d.pos[0], r[1] - d.pos[1], r[2] - d.pos[2]];
      const n3 = Math.hypot(dx[0], dx[1], dx[2]) ** 3;
      v += (d.mom[0] * dx[0] + d.mom[1] * dx[1] + d.mom[2] * dx[2]) / n3;
    }
    out[i] = v;
  });
  let s = 0;
  for (const v of out) s += v * v;
  const g = 1 / Math.sqrt(s / out.length);
  for (let i = 0; i < out.length; i++) out[i] *= g;
  return out;
}

/**
 * A sum of Gaussian deflections sampled at `rate` over lags 0..0.4 s:
 * peaks given as [latency s, amplitude, width s]. Returns the kernel (µV per unit input).
 */
export function componentKernel(rate: number, peaks: [number, number, number][]): Float32Array {
  const n = Math.floor(0.4 * rate) + 1;
  const k = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    for (const [lat, amp, w] of peaks) v += amp * Math.exp(-0.5 * ((t - lat) / w) ** 2);
    // Taper the last 50 ms so the kernel ends at zero inside the lag window.
    const taper = t > 0.35 ? 0.5 + 0.5 * Math.cos((Math.PI * (t - 0.35)) / 0.05) : 1;
    k[i] = v * taper;
  }
  return k;
}

export interface PlantedEeg {
  channels: string[];
  /** Envelope and flux kernels (µV per unit of the standardised predictor), lags 0..0.4 s at the EEG rate. */
  kernelEnv: Float32Array;
  kernelFlux: Float32Array;
  /** Unit-RMS topographies (one weight per channel). */
  topoEnv: Float32Array;
  topoFlux: Float32Array;
}

/**
 * Draw a subject's kernels and topographies. `gain` scales both kernels
 * (the planted response amplitude); latencies jitter per subject by ±10 ms.
 */
export function plantEeg(channels: string[], rate: number, gain: number, rng: Rng): PlantedEeg {
  const j = (): number => 0.01 * (rng.uniform() * 2 - 1);
  const kernelEnv = componentKernel(rate, [
    [0.05 + j(), 0.6, 0.012],
    [0.1 + j(), -1.0, 0.02],
    [0.18 + j(), 0.7, 0.035],
  ]);
  const kernelFlux = componentKernel(rate, [
    [0.12 + j(), -0.8, 0.025],
    [0.23 + j(), 0.6, 0.04],
  ]);
  for (let i = 0; i < kernelEnv.length; i++) kernelEnv[i] *= gain;
  for (let i = 0; i < kernelFlux.length; i++) kernelFlux[i] *= gain;
  // Bilateral auditory-cortex dipoles, roughly vertical (giving the fronto-central N1 with reversal at the mastoids).
  const tilt = (): number => 0.25 * rng.normal();
  const dip = (side: number, flux: boolean): { pos: number[]; mom: number[] } => ({
    pos: [0.45 * side, flux ? 0.05 : -0.02, 0.15],
    mom: [0.2 * side + tilt(), 0.25 + tilt(), 1],
  });
  const topoEnv = dipoleTopography(channels, [dip(-1, false), dip(1, false)]);
  const topoFlux = dipoleTopography(channels, [dip(-1, true), dip(1, true)]);
  return { channels, kernelEnv, kernelFlux, topoEnv, topoFlux };
}

/** The noise-free planted response, nChannels arrays of predictor length (µV). */
export function plantedResponse(p: PlantedEeg, env: Float32Array, flux: Float32Array): Float32Array[] {
  const re = convolve(env, p.kernelEnv);
  const rf = convolve(flux, p.kernelFlux);
  return p.channels.map((_, c) => {
    const x = new Float32Array(env.length);
    for (let t = 0; t < x.length; t++) x[t] = p.topoEnv[c] * re[t] + p.topoFlux[c] * rf[t];
    return x;
  });
}

export interface EegArtefacts {
  flatChannel: string;
  noisyChannel: string;
  blinkOnsets: number[];
  alphaBursts: { onset: number; duration: number }[];
}

/**
 * Background EEG and artefacts for `n` samples at `rate` (µV): pink noise
 * (Kellet's filter) mixed through smooth spatial patterns plus a private
 * part, occipital alpha bursts, 50 Hz line noise, blinks (frontal, decaying
 * with distance from the eyes), drift, one flat and one noisy channel.
 * Also returns each channel's RMS of the brain background alone (µV).
 */
export function backgroundEeg(channels: string[], rate: number, n: number, rng: Rng): { data: Float32Array[]; brainRms: number[]; artefacts: EegArtefacts } {
  const nc = channels.length;
  const xyz = channels.map(electrodeXyz);
  const pink = (r: Rng): Float32Array => {
    const y = new Float32Array(n);
    let b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0,
      b4 = 0,
      b5 = 0,
      b6 = 0;
    for (let i = 0; i < n; i++) {
      const w = r.normal();
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      y[i] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) / 3.5;
      b6 = w * 0.115926;
    }
    return y;
  };
  const data = channels.map(() => new Float32Array(n));
  // 6 shared sources with smooth (Gaussian-on-sphere) patterns + private noise, ~10 µV RMS per channel.
  const srcRng = rng.fork('sources');
  for (let s = 0; s < 6; s++) {
    const c = electrodeXyz(channels[srcRng.int(nc)]);
    const src = pink(srcRng.fork(`src${s}`));
    const amp = 6 * srcRng.range(0.6, 1.2);
    for (let ch = 0; ch < nc; ch++) {
      const d2 = (xyz[ch][0] - c[0]) ** 2 + (xyz[ch][1] - c[1]) ** 2 + (xyz[ch][2] - c[2]) ** 2;
      const w = amp * Math.exp(-d2 / 0.8);
      const x = data[ch];
      for (let i = 0; i < n; i++) x[i] += w * src[i];
    }
  }
  const privRng = rng.fork('private');
  for (let ch = 0; ch < nc; ch++) {
    const p = pink(privRng.fork(channels[ch]));
    const x = data[ch];
    for (let i = 0; i < n; i++) x[i] += 5 * p[i];
  }
  // Brain background RMS per channel, before artefacts: the reference for the response SNR.
  const brainRms = data.map((x) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return Math.sqrt(s / Math.max(1, n));
  });
  // Alpha bursts: 9–11 Hz, 1–3 s, Hann-windowed, strongest over occipito-parietal channels.
  const aRng = rng.fork('alpha');
  const alphaBursts: { onset: number; duration: number }[] = [];
  const occ = [0, -0.95, 0.3];
  const alphaW = xyz.map((p) => Math.exp(-((p[0] - occ[0]) ** 2 + (p[1] - occ[1]) ** 2 + (p[2] - occ[2]) ** 2) / 0.6));
  for (let t = aRng.range(0, 4); t < n / rate; t += aRng.range(2, 8)) {
    const dur = aRng.range(1, 3);
    const f = aRng.range(9, 11);
    const amp = aRng.range(8, 20);
    alphaBursts.push({ onset: t, duration: dur });
    const i0 = Math.round(t * rate);
    const len = Math.round(dur * rate);
    for (let i = 0; i < len && i0 + i < n; i++) {
      const v = amp * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / len)) * Math.sin((2 * Math.PI * f * i) / rate);
      for (let ch = 0; ch < nc; ch++) data[ch][i0 + i] += alphaW[ch] * v;
    }
  }
  // Blinks: ~15 per minute, 150–300 µV at the eyes, falling off with distance from the nearer eye (Fp1/Fp2 get ~40 %).
  const bRng = rng.fork('blinks');
  const eyes = [
    [-0.3, 1.0, -0.25],
    [0.3, 1.0, -0.25],
  ];
  const blinkW = xyz.map((p) => Math.exp(-Math.min(...eyes.map((e) => Math.hypot(p[0] - e[0], p[1] - e[1], p[2] - e[2]))) / 0.3));
  const blinkOnsets: number[] = [];
  for (let t = bRng.range(0.5, 4); t < n / rate - 0.5; t += bRng.range(1.5, 7)) {
    blinkOnsets.push(t);
    const amp = bRng.range(150, 300);
    const i0 = Math.round(t * rate);
    const len = Math.round(0.3 * rate);
    for (let i = 0; i < len && i0 + i < n; i++) {
      const v = amp * Math.sin((Math.PI * i) / len) ** 2;
      for (let ch = 0; ch < nc; ch++) data[ch][i0 + i] += blinkW[ch] * v;
    }
  }
  // Line noise and slow drift, per channel.
  const lRng = rng.fork('line');
  for (let ch = 0; ch < nc; ch++) {
    const a = lRng.range(1, 5);
    const ph = lRng.range(0, 2 * Math.PI);
    const da = lRng.range(10, 40);
    const df = lRng.range(0.005, 0.03);
    const dph = lRng.range(0, 2 * Math.PI);
    const x = data[ch];
    for (let i = 0; i < n; i++) {
      const t = i / rate;
      x[i] += a * Math.sin(2 * Math.PI * 50 * t + ph) + da * Math.sin(2 * Math.PI * df * t + dph);
    }
  }
  // One flat channel (amplifier disconnected) and one noisy channel (bad contact), never Cz/Fz.
  const cands = channels.filter((c) => c !== 'Cz' && c !== 'Fz');
  const flatChannel = cands[rng.fork('bad').int(cands.length)];
  const rest = cands.filter((c) => c !== flatChannel);
  const noisyChannel = rest[rng.fork('bad2').int(rest.length)];
  data[channels.indexOf(flatChannel)].fill(0);
  const nRng = rng.fork('noisy');
  const nx = data[channels.indexOf(noisyChannel)];
  for (let i = 0; i < n; i++) nx[i] += 60 * nRng.normal();
  return { data, brainRms, artefacts: { flatChannel, noisyChannel, blinkOnsets, alphaBursts } };
}

/**
 * Log-mel windows as network input: a batch of crops as one NHWC tensor, and
 * the eval-mode logits of every tiling window of a set of clips.
 */
import { tf } from './backend.js';
import type { AudioNet, ModelConfig } from './ban.js';
import type { Clip } from './dataset.js';
import { cropWindow, tilingStarts } from './features.js';

export interface WindowRef {
  clip: Clip;
  start: number;
  gainDb: number;
  label: number;
}

export function windowsTensor(ws: WindowRef[], cfg: ModelConfig): tf.Tensor4D {
  const per = cfg.nMels * cfg.frames;
  const buf = new Float32Array(ws.length * per);
  ws.forEach((w, i) => cropWindow(w.clip.mel, w.start, cfg.frames, buf, i * per, w.gainDb));
  return tf.tensor4d(buf, [ws.length, cfg.nMels, cfg.frames, 1]);
}

/**
 * Logits [nWindows × nClasses] of every tiling window of every clip (eval
 * mode), with the clip index of each window. Returns plain arrays.
 */
export function windowLogits(model: AudioNet, clips: Clip[], batchSize = 32): { logits: Float32Array; clipOf: Int32Array; nClasses: number } {
  const cfg = model.config;
  const ws: (WindowRef & { ci: number })[] = [];
  clips.forEach((clip, ci) => {
    for (const s of tilingStarts(clip.mel.nFrames, cfg.frames)) ws.push({ clip, start: s, gainDb: 0, label: clip.label, ci });
  });
  const logits = new Float32Array(ws.length * cfg.nClasses);
  for (let b = 0; b < ws.length; b += batchSize) {
    const batch = ws.slice(b, b + batchSize);
    const out = tf.tidy(() => model.forward(windowsTensor(batch, cfg), { training: false }).logits);
    logits.set(out.dataSync(), b * cfg.nClasses);
    out.dispose();
  }
  return { logits, clipOf: Int32Array.from(ws.map((w) => w.ci)), nClasses: cfg.nClasses };
}

/** Index of the largest entry of row `row` of a [rows × n] matrix (the first on ties). */
export function argmaxRow(a: Float32Array, row: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[row * n + j] > a[row * n + best]) best = j;
  return best;
}

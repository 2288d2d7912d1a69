/**
 * How hard are the synthetic genres? An independent proxy for the CNN the
 * models helper trains: per clip, the mean and sd of the log-mel spectrum
 * (40 mels, librosa-style via src/signal/mel.ts) plus the modulation power of
 * 8 mel-band envelopes at 1–3, 3–6, 6–12 Hz; features z-scored; nearest
 * class centroid with leave-one-clip-out. Target: clearly above chance, not
 * perfect. Usage: npx tsx scripts/bench/synth-genre-proxy.ts [seed...]
 */
import { Rng } from '../../src/core/prng.js';
import { defaultSynthConfig } from '../../src/synth/config.js';
import { makeStimuli } from '../../src/synth/study.js';
import { clipVector } from './clip-vector.js';

function leaveOneOut(vecs: number[][], labels: number[], k: number): { acc: number; confusion: number[][] } {
  const n = vecs.length;
  const d = vecs[0].length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const train = [...Array(n).keys()].filter((j) => j !== i);
    const mu = new Array<number>(d).fill(0);
    const sd = new Array<number>(d).fill(0);
    for (const j of train) for (let f = 0; f < d; f++) mu[f] += vecs[j][f] / train.length;
    for (const j of train) for (let f = 0; f < d; f++) sd[f] += (vecs[j][f] - mu[f]) ** 2 / train.length;
    const z = (v: number[]): number[] => v.map((x, f) => (x - mu[f]) / (Math.sqrt(sd[f]) || 1));
    const cent = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    const cnt = new Array<number>(k).fill(0);
    for (const j of train) {
      const zj = z(vecs[j]);
      cnt[labels[j]]++;
      for (let f = 0; f < d; f++) cent[labels[j]][f] += zj[f];
    }
    const zi = z(vecs[i]);
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let dist = 0;
      for (let f = 0; f < d; f++) dist += (zi[f] - cent[c][f] / cnt[c]) ** 2;
      if (dist < bestD) { bestD = dist; best = c; }
    }
    confusion[labels[i]][best]++;
    if (best === labels[i]) correct++;
  }
  return { acc: correct / n, confusion };
}

const seeds = process.argv.slice(2).map(Number);
const cfg = defaultSynthConfig();
const genres = cfg.stimuli.genres;
for (const seed of seeds.length ? seeds : [1]) {
  const { stimuli } = makeStimuli(cfg, new Rng(seed, 'synth').fork('stimuli'));
  const vecs = stimuli.map((s) => clipVector(s.audio, cfg.stimuli.sampleRate));
  const labels = stimuli.map((s) => s.genreIndex);
  const { acc, confusion } = leaveOneOut(vecs, labels, genres.length);
  console.log(`seed ${seed}: nearest-centroid leave-one-clip-out accuracy ${(100 * acc).toFixed(1)} % (chance ${(100 / genres.length).toFixed(1)} %, ${stimuli.length} clips)`);
  console.log(['true\\pred', ...genres.map((g) => g.slice(0, 5))].join('\t'));
  confusion.forEach((row, i) => console.log([genres[i].slice(0, 9), ...row].join('\t')));
}

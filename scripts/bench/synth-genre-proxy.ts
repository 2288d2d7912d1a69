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
import { leaveOneOutCentroidDistances } from './centroid-distances.js';

/** Nearest class centroid, leave one clip out (the first centroid on a tie). */
function leaveOneOut(vecs: number[][], labels: number[], k: number): { acc: number; confusion: number[][] } {
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  leaveOneOutCentroidDistances(vecs, labels, k).forEach((dist, i) => {
    const best = dist.indexOf(Math.min(...dist));
    confusion[labels[i]][best]++;
    if (best === labels[i]) correct++;
  });
  return { acc: correct / vecs.length, confusion };
}

const seeds = process.argv.slice(2).map(Number);
const cfg = defaultSynthConfig();
const genres = cfg.stimuli.genres;
for (const seed of seeds.length ? seeds : [1]) {
  const { stimuli } = makeStimuli(cfg, new Rng(seed, 'synth').fork('stimuli'));
  const vecs = stimuli.map((s) => clipVector(s.audio, cfg.stimuli.sampleRate));
  const labels = stimuli.map((s) => s.genreIndex);
  const { acc, confusion } = leaveOneOut(vecs, labels, genres.length);
  console.log(
    `seed ${seed}: nearest-centroid leave-one-clip-out accuracy ${(100 * acc).toFixed(1)} % (chance ${(100 / genres.length).toFixed(1)} %, ${stimuli.length} clips)`,
  );
  console.log(['true\\pred', ...genres.map((g) => g.slice(0, 5))].join('\t'));
  confusion.forEach((row, i) => console.log([genres[i].slice(0, 9), ...row].join('\t')));
}

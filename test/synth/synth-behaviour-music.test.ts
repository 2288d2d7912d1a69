/**
 * Behaviour follows the planted confusion matrix with the human-like
 * confusions, every subject errs; and the music carries what was planted:
 * tempo is recoverable from the audio's onset periodicity, distortion makes
 * metal spectrally flatter than classical, clips fit in full scale, and an
 * ambiguous clip borrows exactly its planted share of the partner genre's traits.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { spectralFlux } from '../../src/signal/envelope.js';
import { clipResponseRow, plantAmbiguity, plantedConfusion, plantStudyAmbiguity, simulateBehaviour } from '../../src/synth/behaviour.js';
import { GTZAN_GENRES, smallSynthConfig } from '../../src/synth/config.js';
import { BLEND_GROUPS, synthesiseClip } from '../../src/synth/music.js';
import { makeStimuli } from '../../src/synth/study.js';

const genres: string[] = [...GTZAN_GENRES];
const k = genres.length;

test('the planted confusion matrix is row-stochastic and its largest confusions are rock↔metal, jazz↔blues, disco↔pop', (t) => {
  const m = plantedConfusion(genres);
  const at = (a: string, b: string): number => m[genres.indexOf(a) * k + genres.indexOf(b)];
  for (let i = 0; i < k; i++) {
    const row = Array.from(m.subarray(i * k, (i + 1) * k));
    t.true(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    t.is(row.indexOf(Math.max(...row)), i, `${genres[i]} is most often called ${genres[i]}`);
  }
  const topConfusion = (g: string): string => {
    const i = genres.indexOf(g);
    let best = -1;
    for (let j = 0; j < k; j++) if (j !== i && (best < 0 || m[i * k + j] > m[i * k + best])) best = j;
    return genres[best];
  };
  t.is(topConfusion('rock'), 'metal');
  t.is(topConfusion('metal'), 'rock');
  t.is(topConfusion('jazz'), 'blues');
  t.is(topConfusion('blues'), 'jazz');
  t.is(topConfusion('disco'), 'pop');
  t.is(topConfusion('pop'), 'disco');
  t.true(at('classical', 'metal') < 0.03);
});

test('simulated judgements reproduce the planted rows (within 4 SE) and every subject is below 100 %', (t) => {
  const m = plantedConfusion(genres);
  // 400 presentations per genre for one subject.
  const stimGenre = Array.from({ length: 400 * k }, (_, i) => i % k);
  const { trials, skill } = simulateBehaviour(stimGenre, m, k, new Rng(3, 'beh'));
  const counts = new Float64Array(k * k);
  for (const tr of trials) counts[tr.trueGenre * k + tr.response]++;
  for (let i = 0; i < k; i++) {
    const row = Array.from(m.subarray(i * k, (i + 1) * k));
    row[i] *= skill;
    const s = row.reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) {
      const p = row[j] / s;
      const se = Math.sqrt((p * (1 - p)) / 400);
      t.true(Math.abs(counts[i * k + j] / 400 - p) < 4 * se + 1e-9, `${genres[i]}→${genres[j]}: ${counts[i * k + j] / 400} vs ${p}`);
    }
  }
  for (let s = 0; s < 20; s++) {
    const r = simulateBehaviour(genres.map((_, i) => i).concat(genres.map((_, i) => i)), m, k, new Rng(s, 'subj'));
    const acc = r.trials.filter((x) => x.response === x.trueGenre).length / r.trials.length;
    t.true(acc < 1, `subject ${s} accuracy ${acc}`);
    t.true(r.trials.every((x) => x.rt > 0.2 && x.rt < 10));
  }
});

/** Tempo from the autocorrelation of spectral flux at 100 Hz, searched in 50–200 bpm, folded to the planted octave. */
function fluxTempo(x: Float32Array, sr: number): number[] {
  const f = spectralFlux(x, sr, 100);
  const n = f.length;
  const m = f.reduce((a, b) => a + b, 0) / n;
  const ac = (lag: number): number => {
    let s = 0;
    for (let i = lag; i < n; i++) s += (f[i] - m) * (f[i - lag] - m);
    return s / (n - lag);
  };
  const lags: [number, number][] = [];
  for (let lag = 30; lag <= 120; lag++) lags.push([lag, ac(lag)]);
  lags.sort((a, b) => b[1] - a[1]);
  return lags.slice(0, 3).map(([lag]) => 6000 / lag);
}

test('tempo is recoverable from drum-driven clips: a top-3 flux autocorrelation peak lies at the planted beat period or its double/half (±4 %)', (t) => {
  let hits = 0;
  let total = 0;
  for (const g of ['disco', 'rock', 'pop', 'hiphop', 'metal'] as const) {
    for (let c = 0; c < 4; c++) {
      const clip = synthesiseClip(g, new Rng(21, `${g}/${c}`), 22050, 6);
      const bpm = clip.truth.tempoBpm;
      const cands = fluxTempo(clip.audio, 22050);
      const ok = cands.some((est) => [0.5, 1, 2].some((m) => Math.abs(est - m * bpm) / (m * bpm) < 0.04));
      if (ok) hits++;
      total++;
    }
  }
  t.log(`${hits}/${total} clips`);
  t.true(hits / total >= 0.85, `${hits}/${total}`);
});

test('clips are full-length, within [−1, 1], and distortion leaves metal spectrally flatter than classical', (t) => {
  const flatness = (x: Float32Array): number => {
    // Mean over 2048-sample frames of geometric/arithmetic mean of |DFT|² at 64 bins in 100–5000 Hz.
    let acc = 0;
    let nf = 0;
    for (let s = 0; s + 2048 <= x.length; s += 4096) {
      let lg = 0;
      let ar = 0;
      for (let b = 0; b < 64; b++) {
        const f = 100 + (b * 4900) / 63;
        let re = 0;
        let im = 0;
        for (let i = 0; i < 2048; i++) {
          const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 2048);
          re += w * x[s + i] * Math.cos((2 * Math.PI * f * i) / 22050);
          im -= w * x[s + i] * Math.sin((2 * Math.PI * f * i) / 22050);
        }
        const p = re * re + im * im + 1e-12;
        lg += Math.log(p);
        ar += p;
      }
      acc += Math.exp(lg / 64) / (ar / 64);
      nf++;
    }
    return acc / nf;
  };
  let metal = 0;
  let classical = 0;
  for (let c = 0; c < 3; c++) {
    const m = synthesiseClip('metal', new Rng(4, `m${c}`), 22050, 3);
    const cl = synthesiseClip('classical', new Rng(4, `c${c}`), 22050, 3);
    for (const x of [m.audio, cl.audio]) {
      t.is(x.length, 3 * 22050);
      t.true(x.every((v) => Math.abs(v) <= 1));
    }
    metal += flatness(m.audio) / 3;
    classical += flatness(cl.audio) / 3;
  }
  t.log(`spectral flatness: metal ${metal.toFixed(3)}, classical ${classical.toFixed(3)}`);
  t.true(metal > 2 * classical);
});

test('planted clip ambiguity: 30 % of clips get a partner from their genre’s confusion row; listeners’ errors concentrate on those clips and go to the partner as planted (within 4 SE)', (t) => {
  const m = plantedConfusion(genres);
  const stimGenre = Array.from({ length: 20 * k }, (_, i) => i % k);
  const amb = plantAmbiguity(stimGenre, m, k, { fraction: 0.3, strength: [0.3, 0.6] }, new Rng(5, 'amb'));
  const ambiguous = amb.map((a, c) => (a.partner >= 0 ? c : -1)).filter((c) => c >= 0);
  t.is(ambiguous.length, 60);
  for (const c of ambiguous) {
    t.not(amb[c].partner, stimGenre[c], 'the partner is another genre');
    t.true(amb[c].strength >= 0.3 && amb[c].strength < 0.6);
  }
  // Partners follow the genre's confusion row: 1000 rock clips are mistakable for metal as often as C[rock, metal] / Σ_{k≠rock} C[rock, k].
  const rock = genres.indexOf('rock');
  const metal = genres.indexOf('metal');
  const rockAmb = plantAmbiguity(
    Array.from({ length: 1000 }, () => rock),
    m,
    k,
    { fraction: 1, strength: [0.3, 0.6] },
    new Rng(6, 'amb'),
  );
  const offRow = Array.from(m.subarray(rock * k, (rock + 1) * k)).reduce((s, p, j) => (j === rock ? s : s + p), 0);
  const pMetal = m[rock * k + metal] / offRow;
  const share = rockAmb.filter((a) => a.partner === metal).length / 1000;
  t.log(`rock clips made mistakable for metal: ${share} (planted ${pMetal.toFixed(3)})`);
  t.true(Math.abs(share - pMetal) < 4 * Math.sqrt((pMetal * (1 - pMetal)) / 1000));
  // 200 listeners of skill 1 on average (skills are drawn): partner share on ambiguous clips vs the planted row.
  const nL = 200;
  const partnerHits = new Float64Array(stimGenre.length);
  const errors = new Float64Array(stimGenre.length);
  const skills: number[] = [];
  for (let h = 0; h < nL; h++) {
    const r = simulateBehaviour(stimGenre, m, k, new Rng(h, 'listener'), amb);
    skills.push(r.skill);
    for (const tr of r.trials) {
      if (tr.response !== tr.trueGenre) errors[tr.stim]++;
      if (tr.response === amb[tr.stim].partner) partnerHits[tr.stim]++;
    }
  }
  for (const c of ambiguous) {
    const expected = skills.reduce((s, sk) => s + clipResponseRow(m, k, stimGenre[c], amb[c], sk)[amb[c].partner], 0) / nL;
    const se = Math.sqrt((expected * (1 - expected)) / nL);
    t.true(Math.abs(partnerHits[c] / nL - expected) < 4 * se, `clip ${c}: partner share ${partnerHits[c] / nL} vs ${expected}`);
  }
  const meanErr = (cs: number[]): number => cs.reduce((s, c) => s + errors[c], 0) / cs.length / nL;
  const plain = stimGenre.map((_, c) => c).filter((c) => amb[c].partner < 0);
  t.log(`error rate: ambiguous clips ${meanErr(ambiguous).toFixed(3)}, others ${meanErr(plain).toFixed(3)}`);
  t.true(meanErr(ambiguous) > meanErr(plain) + 0.2);
  for (let g = 0; g < k; g++) {
    const row = clipResponseRow(m, k, g, { partner: (g + 1) % k, strength: 0.4 }, 1.1);
    t.true(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  }
});

test('acoustic ambiguity: a clip borrowing m of the 8 musical traits takes exactly those from the partner genre’s profile; m = 0 leaves the clip byte-identical', (t) => {
  const plain = synthesiseClip('classical', new Rng(8, 'blend'), 22050, 3);
  const none = synthesiseClip('classical', new Rng(8, 'blend'), 22050, 3, { partner: 'metal', groups: 0 });
  t.deepEqual(none.audio, plain.audio);
  t.is(none.truth.partner, null);
  // Classical has no drums and no distortion; metal always has both.
  t.is(plain.truth.drumLevel, 0);
  t.is(plain.truth.distortion, 0);
  const all = synthesiseClip('classical', new Rng(8, 'blend'), 22050, 3, { partner: 'metal', groups: BLEND_GROUPS.length });
  t.deepEqual(all.truth.partnerGroups, [...BLEND_GROUPS]);
  t.true(all.truth.drumLevel > 0 && all.truth.distortion > 0);
  let withDrums = 0;
  for (let c = 0; c < 40; c++) {
    const x = synthesiseClip('classical', new Rng(9, `blend-${c}`), 8000, 1, { partner: 'metal', groups: 3 });
    t.is(x.truth.partnerGroups.length, 3);
    t.is(x.truth.partner, 'metal');
    // A trait not borrowed keeps the clip's own profile.
    t.is(x.truth.drumLevel > 0, x.truth.partnerGroups.includes('drums'));
    t.is(x.truth.distortion > 0, x.truth.partnerGroups.includes('texture'));
    if (x.truth.drumLevel > 0) withDrums++;
  }
  // Each trait is borrowed with probability 3/8: 15 of 40 expected (binomial sd 3.1).
  t.log(`drums borrowed in ${withDrums}/40 clips (expected 15)`);
  t.true(withDrums >= 6 && withDrums <= 24);
});

test('one plan for audio and listeners: every ambiguous clip of a study borrows round(a·8) traits, a is a multiple of 1/8, and the other clips are synthesised as without the plan', (t) => {
  const cfg = smallSynthConfig();
  const genresS = cfg.stimuli.genres;
  const stimGenre = genresS.flatMap((_, g) => Array.from({ length: cfg.stimuli.clipsPerGenre }, () => g));
  const plan = plantStudyAmbiguity(stimGenre, genresS, { ...cfg.behaviour, ambiguousFraction: 0.5 }, new Rng(0, 'synth'), BLEND_GROUPS.length);
  const withPlan = makeStimuli(cfg, new Rng(0, 'synth').fork('stimuli'), plan).stimuli;
  const without = makeStimuli(cfg, new Rng(0, 'synth').fork('stimuli')).stimuli;
  t.is(plan.filter((a) => a.partner >= 0).length, 3);
  plan.forEach((a, c) => {
    t.is(Math.abs(a.strength * 8 - Math.round(a.strength * 8)) < 1e-12, true);
    t.is(withPlan[c].truth.partnerGroups.length, Math.round(a.strength * 8));
    t.is(withPlan[c].truth.partner, a.partner >= 0 ? genresS[a.partner] : null);
    if (a.partner < 0) t.deepEqual(withPlan[c].audio, without[c].audio);
    else t.notDeepEqual(withPlan[c].audio, without[c].audio);
  });
});

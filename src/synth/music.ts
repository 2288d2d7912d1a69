/**
 * Genre-like music synthesis. Each genre is a distribution over arrangements
 * (tempo, groove, drum pattern, chord progression, bass and comping style,
 * timbre, distortion, dynamics) rather than a fixed template, and the
 * distributions overlap where GTZAN genres do (rock↔metal share distortion
 * and tempi, jazz↔blues share swing and seventh chords, disco↔pop share
 * four-on-the-floor and tempi), so telling genres apart takes learning.
 */
import type { Rng } from '../core/prng.js';
import type { GenreName } from './config.js';
import { getOrCreate } from '../core/lookup.js';

export type ChordQuality = 'maj' | 'min' | 'dom7' | 'min7' | 'maj7' | 'power';
export const CHORD_QUALITIES: readonly ChordQuality[] = ['maj', 'min', 'dom7', 'min7', 'maj7', 'power'];
const QUALITY_INTERVALS: Record<ChordQuality, number[]> = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  dom7: [0, 4, 7, 10],
  min7: [0, 3, 7, 10],
  maj7: [0, 4, 7, 11],
  power: [0, 7, 12],
};
export const PITCH_CLASSES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** A chord relative to the key: semitones above the tonic, and its quality. */
type RelChord = [number, ChordQuality];

type ChordStyle = 'pad' | 'arpeggio' | 'strum' | 'chug' | 'offbeat' | 'stab' | 'comp';
type BassStyle = 'none' | 'cello' | 'root8' | 'rootfifth' | 'walking' | 'octave' | 'sub' | 'reggae';

interface Timbre {
  /** Harmonic amplitude ∝ k^(−rolloff). */
  rolloff: number;
  /** Extra gain on odd harmonics (clarinet/square-like when > 1). */
  oddBoost: number;
  maxHarmonics: number;
  attack: number;
  /** Exponential decay time constant, seconds (Infinity = sustained). */
  decay: number;
  release: number;
}

interface GenreProfile {
  tempo: [number, number];
  swing: [number, number];
  minorProb: number;
  progressions: { major: RelChord[][]; minor: RelChord[][] };
  chordsPerBar: number;
  drums: { prob: number; patterns: DrumPattern[] };
  drumLevel: [number, number];
  chordStyles: ChordStyle[];
  bassStyles: BassStyle[];
  chordTimbre: [Timbre, Timbre];
  leadTimbre: [Timbre, Timbre];
  distortion: [number, number];
  noise: [number, number];
  melodyDensity: [number, number];
  melodyOctave: [number, number];
  swell: [number, number];
  loudness: [number, number];
}

/** 16-step probabilities per drum voice for one 4/4 bar. */
interface DrumPattern {
  kick: number[];
  snare: number[];
  hat: number[];
  open?: number[];
  ride?: number[];
}

const z16 = (): number[] => new Array<number>(16).fill(0);
const at = (steps: number[], p = 1): number[] => {
  const a = z16();
  for (const s of steps) a[s] = p;
  return a;
};
const every = (step: number, p = 1, phase = 0): number[] => z16().map((_, i) => (i % step === phase ? p : 0));

const ROCK_BEAT: DrumPattern = { kick: [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0.4, 0, 0, 0, 0, 0], snare: at([4, 12]), hat: every(2, 0.95) };
const METAL_BEAT: DrumPattern = { kick: every(1, 0.9), snare: at([4, 12]), hat: every(2, 0.6), ride: every(4, 0.8) };
const FOUR_FLOOR: DrumPattern = { kick: every(4), snare: at([4, 12]), hat: every(1, 0.7), open: every(4, 0.9, 2) };
const POP_BEAT: DrumPattern = { kick: [1, 0, 0, 0, 0, 0, 0.3, 0, 1, 0, 0, 0, 0, 0, 0, 0], snare: at([4, 12]), hat: every(2, 0.9) };
const HIPHOP_BEAT: DrumPattern = { kick: [1, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0.4, 0, 0], snare: at([4, 12]), hat: every(1, 0.8) };
const ONE_DROP: DrumPattern = { kick: at([8]), snare: at([8], 0.9), hat: every(2, 0.85) };
const SWING_RIDE: DrumPattern = { kick: every(4, 0.25), snare: every(2, 0.12), hat: at([4, 12], 0.8), ride: [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0] };
const SHUFFLE: DrumPattern = { kick: at([0, 8]), snare: at([4, 12]), hat: every(2, 0.9) };
const COUNTRY_TRAIN: DrumPattern = { kick: at([0, 8]), snare: every(2, 0.5, 0).map((p, i) => (i % 4 === 2 ? 0.7 : p * 0)), hat: every(2, 0.7) };

const STRINGS: Timbre = { rolloff: 1.0, oddBoost: 1, maxHarmonics: 12, attack: 0.12, decay: Infinity, release: 0.25 };
const PIANO: Timbre = { rolloff: 1.5, oddBoost: 1, maxHarmonics: 10, attack: 0.005, decay: 0.9, release: 0.15 };
const GUITAR: Timbre = { rolloff: 1.1, oddBoost: 1.2, maxHarmonics: 14, attack: 0.004, decay: 0.6, release: 0.05 };
const TWANG: Timbre = { rolloff: 0.8, oddBoost: 1.4, maxHarmonics: 16, attack: 0.003, decay: 0.35, release: 0.04 };
const ORGAN: Timbre = { rolloff: 1.8, oddBoost: 2.0, maxHarmonics: 8, attack: 0.01, decay: Infinity, release: 0.05 };
const EPIANO: Timbre = { rolloff: 2.2, oddBoost: 1, maxHarmonics: 6, attack: 0.005, decay: 0.7, release: 0.1 };
const SYNTH: Timbre = { rolloff: 0.7, oddBoost: 1, maxHarmonics: 20, attack: 0.01, decay: 1.5, release: 0.08 };
const SAX: Timbre = { rolloff: 1.3, oddBoost: 1.6, maxHarmonics: 12, attack: 0.04, decay: Infinity, release: 0.06 };
const FLUTE: Timbre = { rolloff: 2.5, oddBoost: 1, maxHarmonics: 5, attack: 0.06, decay: Infinity, release: 0.1 };

const PROFILES: Record<GenreName, GenreProfile> = {
  blues: {
    tempo: [68, 104],
    swing: [0.22, 0.33],
    minorProb: 0.2,
    progressions: {
      major: [
        [
          [0, 'dom7'],
          [0, 'dom7'],
          [5, 'dom7'],
          [0, 'dom7'],
          [7, 'dom7'],
          [5, 'dom7'],
          [0, 'dom7'],
          [7, 'dom7'],
        ],
        [
          [0, 'dom7'],
          [5, 'dom7'],
          [0, 'dom7'],
          [7, 'dom7'],
        ],
      ],
      minor: [
        [
          [0, 'min7'],
          [5, 'min7'],
          [0, 'min7'],
          [7, 'dom7'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 0.9, patterns: [SHUFFLE, SWING_RIDE] },
    drumLevel: [0.5, 0.9],
    chordStyles: ['strum', 'comp'],
    bassStyles: ['walking', 'rootfifth'],
    chordTimbre: [GUITAR, EPIANO],
    leadTimbre: [GUITAR, SAX],
    distortion: [0.3, 2.5],
    noise: [0.005, 0.02],
    melodyDensity: [0.25, 0.5],
    melodyOctave: [4, 5],
    swell: [0, 0.2],
    loudness: [0.1, 0.16],
  },
  classical: {
    tempo: [56, 116],
    swing: [0, 0],
    minorProb: 0.45,
    progressions: {
      major: [
        [
          [0, 'maj'],
          [5, 'maj'],
          [7, 'dom7'],
          [0, 'maj'],
        ],
        [
          [0, 'maj'],
          [9, 'min'],
          [2, 'min'],
          [7, 'dom7'],
        ],
        [
          [0, 'maj'],
          [7, 'maj'],
          [9, 'min'],
          [4, 'min'],
        ],
      ],
      minor: [
        [
          [0, 'min'],
          [5, 'min'],
          [7, 'dom7'],
          [0, 'min'],
        ],
        [
          [0, 'min'],
          [8, 'maj'],
          [3, 'maj'],
          [7, 'dom7'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 0, patterns: [] },
    drumLevel: [0, 0],
    chordStyles: ['pad', 'arpeggio'],
    bassStyles: ['cello', 'none'],
    chordTimbre: [STRINGS, PIANO],
    leadTimbre: [STRINGS, FLUTE],
    distortion: [0, 0],
    noise: [0.001, 0.006],
    melodyDensity: [0.2, 0.55],
    melodyOctave: [4, 6],
    swell: [0.3, 0.7],
    loudness: [0.04, 0.12],
  },
  country: {
    tempo: [92, 132],
    swing: [0, 0.08],
    minorProb: 0.05,
    progressions: {
      major: [
        [
          [0, 'maj'],
          [5, 'maj'],
          [0, 'maj'],
          [7, 'maj'],
        ],
        [
          [0, 'maj'],
          [0, 'maj'],
          [5, 'maj'],
          [7, 'dom7'],
        ],
        [
          [0, 'maj'],
          [7, 'maj'],
          [5, 'maj'],
          [0, 'maj'],
        ],
      ],
      minor: [
        [
          [0, 'min'],
          [5, 'maj'],
          [7, 'maj'],
          [0, 'min'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 0.9, patterns: [COUNTRY_TRAIN, ROCK_BEAT] },
    drumLevel: [0.35, 0.7],
    chordStyles: ['strum'],
    bassStyles: ['rootfifth'],
    chordTimbre: [TWANG, GUITAR],
    leadTimbre: [TWANG, FLUTE],
    distortion: [0, 0.6],
    noise: [0.003, 0.01],
    melodyDensity: [0.35, 0.6],
    melodyOctave: [4, 5],
    swell: [0, 0.15],
    loudness: [0.1, 0.16],
  },
  disco: {
    tempo: [110, 132],
    swing: [0, 0.05],
    minorProb: 0.6,
    progressions: {
      major: [
        [
          [0, 'maj7'],
          [9, 'min7'],
          [2, 'min7'],
          [7, 'dom7'],
        ],
        [
          [0, 'maj7'],
          [5, 'maj7'],
        ],
      ],
      minor: [
        [
          [0, 'min7'],
          [5, 'min7'],
        ],
        [
          [0, 'min7'],
          [10, 'dom7'],
          [8, 'maj7'],
          [7, 'dom7'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 1, patterns: [FOUR_FLOOR] },
    drumLevel: [0.75, 1],
    chordStyles: ['stab', 'offbeat'],
    bassStyles: ['octave'],
    chordTimbre: [SYNTH, STRINGS],
    leadTimbre: [SYNTH, STRINGS],
    distortion: [0, 0.3],
    noise: [0.003, 0.01],
    melodyDensity: [0.3, 0.6],
    melodyOctave: [4, 6],
    swell: [0, 0.1],
    loudness: [0.13, 0.2],
  },
  hiphop: {
    tempo: [78, 102],
    swing: [0.05, 0.2],
    minorProb: 0.8,
    progressions: {
      major: [
        [
          [0, 'maj7'],
          [9, 'min7'],
        ],
        [
          [0, 'maj'],
          [0, 'maj'],
          [5, 'maj'],
          [5, 'maj'],
        ],
      ],
      minor: [
        [
          [0, 'min'],
          [8, 'maj'],
          [3, 'maj'],
          [10, 'maj'],
        ],
        [
          [0, 'min7'],
          [5, 'min7'],
        ],
        [
          [0, 'min'],
          [0, 'min'],
          [8, 'maj'],
          [7, 'min'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 1, patterns: [HIPHOP_BEAT] },
    drumLevel: [0.85, 1],
    chordStyles: ['pad', 'stab'],
    bassStyles: ['sub'],
    chordTimbre: [EPIANO, PIANO],
    leadTimbre: [EPIANO, FLUTE],
    distortion: [0, 0.5],
    noise: [0.004, 0.02],
    melodyDensity: [0.05, 0.25],
    melodyOctave: [4, 5],
    swell: [0, 0.1],
    loudness: [0.13, 0.2],
  },
  jazz: {
    tempo: [96, 176],
    swing: [0.2, 0.33],
    minorProb: 0.3,
    progressions: {
      major: [
        [
          [2, 'min7'],
          [7, 'dom7'],
          [0, 'maj7'],
          [9, 'dom7'],
        ],
        [
          [0, 'maj7'],
          [9, 'min7'],
          [2, 'min7'],
          [7, 'dom7'],
        ],
        [
          [4, 'min7'],
          [9, 'dom7'],
          [2, 'min7'],
          [7, 'dom7'],
        ],
      ],
      minor: [
        [
          [2, 'min7'],
          [7, 'dom7'],
          [0, 'min7'],
          [0, 'min7'],
        ],
        [
          [0, 'min7'],
          [5, 'dom7'],
          [10, 'maj7'],
          [3, 'maj7'],
        ],
      ],
    },
    chordsPerBar: 2,
    drums: { prob: 0.95, patterns: [SWING_RIDE] },
    drumLevel: [0.3, 0.6],
    chordStyles: ['comp'],
    bassStyles: ['walking'],
    chordTimbre: [PIANO, EPIANO],
    leadTimbre: [SAX, PIANO],
    distortion: [0, 0],
    noise: [0.002, 0.008],
    melodyDensity: [0.35, 0.7],
    melodyOctave: [4, 5],
    swell: [0.05, 0.25],
    loudness: [0.07, 0.13],
  },
  metal: {
    tempo: [100, 184],
    swing: [0, 0],
    minorProb: 1,
    progressions: {
      major: [
        [
          [0, 'power'],
          [10, 'power'],
          [5, 'power'],
          [0, 'power'],
        ],
      ],
      minor: [
        [
          [0, 'power'],
          [1, 'power'],
          [0, 'power'],
          [3, 'power'],
        ],
        [
          [0, 'power'],
          [8, 'power'],
          [10, 'power'],
          [0, 'power'],
        ],
        [
          [0, 'power'],
          [5, 'power'],
          [3, 'power'],
          [6, 'power'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 1, patterns: [METAL_BEAT, METAL_BEAT, ROCK_BEAT] },
    drumLevel: [0.8, 1],
    chordStyles: ['chug', 'chug', 'strum'],
    bassStyles: ['root8'],
    chordTimbre: [GUITAR, SYNTH],
    leadTimbre: [GUITAR, SYNTH],
    distortion: [3, 12],
    noise: [0.01, 0.04],
    melodyDensity: [0.05, 0.4],
    melodyOctave: [4, 6],
    swell: [0, 0.05],
    loudness: [0.16, 0.24],
  },
  pop: {
    tempo: [92, 128],
    swing: [0, 0.06],
    minorProb: 0.25,
    progressions: {
      major: [
        [
          [0, 'maj'],
          [7, 'maj'],
          [9, 'min'],
          [5, 'maj'],
        ],
        [
          [9, 'min'],
          [5, 'maj'],
          [0, 'maj'],
          [7, 'maj'],
        ],
        [
          [0, 'maj'],
          [5, 'maj'],
          [9, 'min'],
          [7, 'maj'],
        ],
      ],
      minor: [
        [
          [0, 'min'],
          [8, 'maj'],
          [3, 'maj'],
          [10, 'maj'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 1, patterns: [POP_BEAT, POP_BEAT, FOUR_FLOOR] },
    drumLevel: [0.6, 0.9],
    chordStyles: ['strum', 'pad', 'stab'],
    bassStyles: ['root8', 'octave'],
    chordTimbre: [SYNTH, PIANO],
    leadTimbre: [SYNTH, FLUTE],
    distortion: [0, 0.8],
    noise: [0.002, 0.01],
    melodyDensity: [0.35, 0.65],
    melodyOctave: [4, 6],
    swell: [0, 0.15],
    loudness: [0.12, 0.19],
  },
  reggae: {
    tempo: [64, 92],
    swing: [0.04, 0.15],
    minorProb: 0.5,
    progressions: {
      major: [
        [
          [0, 'maj'],
          [5, 'maj'],
        ],
        [
          [0, 'maj'],
          [5, 'maj'],
          [7, 'maj'],
          [5, 'maj'],
        ],
      ],
      minor: [
        [
          [0, 'min'],
          [10, 'maj'],
        ],
        [
          [0, 'min'],
          [5, 'min'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 1, patterns: [ONE_DROP, ONE_DROP, POP_BEAT] },
    drumLevel: [0.55, 0.85],
    chordStyles: ['offbeat'],
    bassStyles: ['reggae'],
    chordTimbre: [ORGAN, GUITAR],
    leadTimbre: [ORGAN, FLUTE],
    distortion: [0, 0.4],
    noise: [0.003, 0.012],
    melodyDensity: [0.1, 0.35],
    melodyOctave: [4, 5],
    swell: [0, 0.1],
    loudness: [0.1, 0.17],
  },
  rock: {
    tempo: [96, 152],
    swing: [0, 0.04],
    minorProb: 0.35,
    progressions: {
      major: [
        [
          [0, 'maj'],
          [5, 'maj'],
          [7, 'maj'],
          [5, 'maj'],
        ],
        [
          [0, 'maj'],
          [10, 'maj'],
          [5, 'maj'],
          [0, 'maj'],
        ],
        [
          [0, 'power'],
          [5, 'power'],
          [7, 'power'],
          [0, 'power'],
        ],
      ],
      minor: [
        [
          [0, 'min'],
          [10, 'maj'],
          [8, 'maj'],
          [10, 'maj'],
        ],
        [
          [0, 'power'],
          [3, 'power'],
          [5, 'power'],
          [3, 'power'],
        ],
      ],
    },
    chordsPerBar: 1,
    drums: { prob: 1, patterns: [ROCK_BEAT, ROCK_BEAT, METAL_BEAT] },
    drumLevel: [0.7, 0.95],
    chordStyles: ['strum', 'chug', 'strum'],
    bassStyles: ['root8'],
    chordTimbre: [GUITAR, ORGAN],
    leadTimbre: [GUITAR, SYNTH],
    distortion: [1, 5],
    noise: [0.006, 0.025],
    melodyDensity: [0.2, 0.5],
    melodyOctave: [4, 5],
    swell: [0, 0.1],
    loudness: [0.14, 0.21],
  },
};

/** One chord of the clip's timeline. */
export interface ChordEvent {
  onset: number;
  /** Pitch class of the root, 0 = C. */
  root: number;
  quality: ChordQuality;
}

/** What the synthesiser chose for a clip: the ground truth behind its abstract features. */
export interface ClipTruth {
  genre: GenreName;
  tempoBpm: number;
  /** Pitch class of the tonic, 0 = C. */
  keyRoot: number;
  mode: 'major' | 'minor';
  /** e.g. "A minor". */
  key: string;
  /** Delay of the off-beat eighth as a fraction of an eighth (0 = straight, 0.33 = triplet shuffle). */
  swing: number;
  /** Drum-kit level (0 = no drums); the planted "beat strength". */
  drumLevel: number;
  distortion: number;
  chordStyle: string;
  bassStyle: string;
  /** Beat times within the clip, seconds. */
  beats: number[];
  chords: ChordEvent[];
  /** RMS of the final clip (full scale = 1). */
  rms: number;
  /** Planted acoustic ambiguity: the partner genre (null = none) and the groups synthesised from its profile. */
  partner: GenreName | null;
  partnerGroups: BlendGroup[];
}

/**
 * The parameter groups an ambiguous clip can borrow from its partner genre.
 * Each group is a whole musical trait, so a clip that borrows m of them
 * sounds like its own genre in 8 − m traits and like the partner in m.
 */
export const BLEND_GROUPS = ['rhythm', 'drums', 'harmony', 'comping', 'bass', 'lead', 'texture', 'dynamics'] as const;
export type BlendGroup = (typeof BLEND_GROUPS)[number];

/** A planted acoustic ambiguity: `groups` of BLEND_GROUPS are synthesised from `partner`'s profile. */
export interface ClipBlend {
  partner: GenreName;
  /** How many groups come from the partner (0 … BLEND_GROUPS.length). */
  groups: number;
}

/** Which profile each group draws from: the clip's own genre, or the partner for `blend.groups` groups chosen at random. */
function groupSources(genre: GenreName, blend: ClipBlend | undefined, rng: Rng): Record<BlendGroup, GenreName> {
  const src = Object.fromEntries(BLEND_GROUPS.map((g) => [g, genre])) as Record<BlendGroup, GenreName>;
  if (!blend) return src;
  const order = rng.permutation(BLEND_GROUPS.length);
  for (let i = 0; i < Math.min(blend.groups, BLEND_GROUPS.length); i++) src[BLEND_GROUPS[order[i]]] = blend.partner;
  return src;
}

/** The profile a clip is synthesised from: each group's fields taken from that group's source genre. */
function blendedProfile(src: Record<BlendGroup, GenreName>): GenreProfile {
  const of = (g: BlendGroup): GenreProfile => PROFILES[src[g]];
  const harmony = of('harmony');
  return {
    tempo: of('rhythm').tempo,
    swing: of('rhythm').swing,
    // Chord rate goes with the progressions it was written for.
    minorProb: harmony.minorProb,
    progressions: harmony.progressions,
    chordsPerBar: harmony.chordsPerBar,
    drums: of('drums').drums,
    drumLevel: of('drums').drumLevel,
    chordStyles: of('comping').chordStyles,
    chordTimbre: of('comping').chordTimbre,
    bassStyles: of('bass').bassStyles,
    leadTimbre: of('lead').leadTimbre,
    melodyDensity: of('lead').melodyDensity,
    melodyOctave: of('lead').melodyOctave,
    distortion: of('texture').distortion,
    noise: of('texture').noise,
    swell: of('dynamics').swell,
    loudness: of('dynamics').loudness,
  };
}

export interface SynthClip {
  /** Mono audio in [−1, 1] at the requested sample rate. */
  audio: Float32Array;
  truth: ClipTruth;
}

const midiToHz = (m: number): number => 440 * 2 ** ((m - 69) / 12);
const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)];
const draw = (rng: Rng, r: [number, number]): number => rng.range(r[0], r[1]);

/** Blend two timbres with weight u ∈ [0, 1] so instrument mixes vary continuously within a genre. */
function blendTimbre(a: Timbre, b: Timbre, u: number): Timbre {
  const lerp = (x: number, y: number): number => x + (y - x) * u;
  const decay = !Number.isFinite(a.decay) && !Number.isFinite(b.decay) ? Infinity : lerp(Math.min(a.decay, 4), Math.min(b.decay, 4));
  return {
    rolloff: lerp(a.rolloff, b.rolloff),
    oddBoost: lerp(a.oddBoost, b.oddBoost),
    maxHarmonics: Math.round(lerp(a.maxHarmonics, b.maxHarmonics)),
    attack: lerp(a.attack, b.attack),
    decay,
    release: lerp(a.release, b.release),
  };
}

const TABLE = 2048;

/** One period of the band-limited waveform: harmonics up to 0.45·sr/f0. */
function wavetable(t: Timbre, f0: number, sr: number, brightness: number): Float32Array {
  const nh = Math.max(1, Math.min(t.maxHarmonics, Math.floor((0.45 * sr) / f0)));
  // Tables depend only on (timbre, brightness, harmonic count): build each once.
  const perTimbre = getOrCreate(tableCache, t, () => new Map<string, Float32Array>());
  const key = `${brightness}/${nh}`;
  const hit = perTimbre.get(key);
  if (hit) return hit;
  const tab = new Float32Array(TABLE + 1);
  let norm = 0;
  for (let k = 1; k <= nh; k++) {
    const a = k ** (-t.rolloff / brightness) * (k % 2 === 1 ? t.oddBoost : 1);
    norm += a * a;
    for (let i = 0; i < TABLE; i++) tab[i] += a * Math.sin((2 * Math.PI * k * i) / TABLE);
  }
  const g = 1 / Math.sqrt(norm / 2);
  for (let i = 0; i < TABLE; i++) tab[i] *= g;
  tab[TABLE] = tab[0];
  perTimbre.set(key, tab);
  return tab;
}

const tableCache = new WeakMap<Timbre, Map<string, Float32Array>>();

interface Voice {
  timbre: Timbre;
  brightness: number;
  detune: number;
}

/** Add a note (wavetable oscillator under an attack/decay/release envelope) into buf. */
function addNote(buf: Float32Array, sr: number, t0: number, dur: number, midi: number, amp: number, v: Voice, rng: Rng): void {
  const f0 = midiToHz(midi) * (1 + v.detune * (rng.uniform() - 0.5));
  const tab = wavetable(v.timbre, f0, sr, v.brightness);
  const { attack, decay, release } = v.timbre;
  const i0 = Math.max(0, Math.round(t0 * sr));
  const nOn = Math.round(dur * sr);
  const nRel = Math.round(release * sr);
  const i1 = Math.min(buf.length, i0 + nOn + nRel);
  const inc = (f0 * TABLE) / sr;
  let phase = rng.uniform() * TABLE;
  const aN = Math.max(1, attack * sr);
  const kDecay = Number.isFinite(decay) ? Math.exp(-1 / (decay * sr)) : 1;
  let dec = 1;
  let relStart = 0;
  for (let i = i0; i < i1; i++) {
    const n = i - i0;
    let e = n < aN ? n / aN : dec;
    if (n >= aN) dec *= kDecay;
    if (n === nOn) relStart = e;
    if (n >= nOn) e = relStart * (1 - (n - nOn) / Math.max(1, nRel));
    const p = phase | 0;
    const fr = phase - p;
    buf[i] += amp * e * (tab[p] + fr * (tab[p + 1] - tab[p]));
    phase += inc;
    if (phase >= TABLE) phase -= TABLE;
  }
}

interface DrumKit {
  kick: Float32Array;
  snare: Float32Array;
  hat: Float32Array;
  open: Float32Array;
  ride: Float32Array;
}

/** Synthesised drum samples: a pitch-swept sine kick, tone+noise snare, high-passed noise hats, inharmonic ride. */
function makeKit(sr: number, rng: Rng): DrumKit {
  const len = (s: number): number => Math.round(s * sr);
  const kick = new Float32Array(len(0.35));
  const kf0 = rng.range(45, 60);
  const kf1 = rng.range(120, 170);
  const kTau = rng.range(0.1, 0.14);
  let ph = 0;
  for (let i = 0; i < kick.length; i++) {
    const t = i / sr;
    const f = kf0 + (kf1 - kf0) * Math.exp(-t / 0.03);
    ph += (2 * Math.PI * f) / sr;
    kick[i] = Math.sin(ph) * Math.exp(-t / kTau) + (i < 40 ? 0.3 * (rng.uniform() - 0.5) : 0);
  }
  const snare = new Float32Array(len(0.25));
  const st = rng.range(170, 220);
  const tau = rng.range(0.06, 0.11);
  let lp = 0;
  for (let i = 0; i < snare.length; i++) {
    const t = i / sr;
    const nz = rng.uniform() * 2 - 1;
    lp += 0.5 * (nz - lp);
    snare[i] = (0.5 * Math.sin(2 * Math.PI * st * t) * Math.exp(-t / 0.05) + 0.8 * (nz - 0.5 * lp)) * Math.exp(-t / tau);
  }
  const hatNoise = (dur: number, tauH: number): Float32Array => {
    const h = new Float32Array(len(dur));
    let prev = 0;
    for (let i = 0; i < h.length; i++) {
      const nz = rng.uniform() * 2 - 1;
      h[i] = (nz - prev) * 0.5 * Math.exp(-i / sr / tauH);
      prev = nz;
    }
    return h;
  };
  const hat = hatNoise(0.08, rng.range(0.015, 0.03));
  const open = hatNoise(0.35, rng.range(0.1, 0.18));
  const ride = new Float32Array(len(0.6));
  const partials = [1, 1.47, 2.09, 2.56, 3.14].map((r) => r * rng.range(420, 520));
  for (let i = 0; i < ride.length; i++) {
    const t = i / sr;
    let s = 0;
    for (const f of partials) s += Math.sin(2 * Math.PI * f * t);
    ride[i] = (0.12 * s + 0.3 * (rng.uniform() - 0.5)) * Math.exp(-t / 0.3);
  }
  return { kick, snare, hat, open, ride };
}

function addSample(buf: Float32Array, sample: Float32Array, t0: number, sr: number, gain: number): void {
  const i0 = Math.round(t0 * sr);
  const n = Math.min(sample.length, buf.length - i0);
  for (let i = Math.max(0, -i0); i < n; i++) buf[i0 + i] += gain * sample[i];
}

/** Scale degrees (semitones) of the melody scale for a genre and mode. */
function scaleFor(genre: GenreName, mode: 'major' | 'minor'): number[] {
  if (genre === 'blues') return [0, 3, 5, 6, 7, 10];
  if (genre === 'metal') return [0, 1, 3, 5, 7, 8, 10];
  if (genre === 'jazz') return mode === 'major' ? [0, 2, 4, 5, 7, 9, 10, 11] : [0, 2, 3, 5, 7, 9, 10];
  if (genre === 'country' || genre === 'reggae') return mode === 'major' ? [0, 2, 4, 7, 9] : [0, 3, 5, 7, 10];
  return mode === 'major' ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 10];
}

/**
 * Synthesise one clip of `durSec` seconds of genre `genre` at `sr` Hz. All
 * choices come from `rng`, so a clip is a pure function of (genre, stream,
 * blend). With `blend`, `blend.groups` of the BLEND_GROUPS (chosen on the
 * stream's own `blend` fork, so the other draws are unchanged) follow the
 * partner genre's profile. Returns mono audio in [−1, 1] and what was planted.
 */
export function synthesiseClip(genre: GenreName, rng: Rng, sr: number, durSec: number, blend?: ClipBlend): SynthClip {
  const src = groupSources(genre, blend, rng.fork('blend'));
  const P = blendedProfile(src);
  const n = Math.round(durSec * sr);
  const tempo = draw(rng, P.tempo);
  const swing = draw(rng, P.swing);
  const mode: 'major' | 'minor' = rng.uniform() < P.minorProb ? 'minor' : 'major';
  const keyRoot = rng.int(12);
  const prog = pick(rng, P.progressions[mode]);
  const progOffset = rng.int(prog.length);
  const beat = 60 / tempo;
  const bar = 4 * beat;
  const nBars = Math.ceil(durSec / bar) + 1;
  const chordDur = bar / P.chordsPerBar;
  const hasDrums = rng.uniform() < P.drums.prob;
  const drumLevel = hasDrums ? draw(rng, P.drumLevel) : 0;
  const pattern = hasDrums ? pick(rng, P.drums.patterns) : null;
  const chordStyle = pick(rng, P.chordStyles);
  const bassStyle = pick(rng, P.bassStyles);
  const chordVoice: Voice = { timbre: blendTimbre(P.chordTimbre[0], P.chordTimbre[1], rng.uniform()), brightness: rng.range(0.8, 1.25), detune: 0.004 };
  const leadVoice: Voice = { timbre: blendTimbre(P.leadTimbre[0], P.leadTimbre[1], rng.uniform()), brightness: rng.range(0.8, 1.25), detune: 0.002 };
  const bassVoice: Voice = {
    timbre: { rolloff: 2.2, oddBoost: 1, maxHarmonics: 6, attack: 0.01, decay: bassStyle === 'sub' ? 1.2 : 0.5, release: 0.05 },
    brightness: 1,
    detune: 0,
  };
  const distortion = draw(rng, P.distortion);
  const noiseLevel = draw(rng, P.noise);
  const gains = {
    drums: drumLevel * Math.exp(0.25 * rng.normal()),
    bass: 0.5 * Math.exp(0.25 * rng.normal()),
    chords: 0.45 * Math.exp(0.3 * rng.normal()),
    lead: 0.4 * Math.exp(0.3 * rng.normal()),
  };

  // Step k (16th note) time, with swing delaying the off-beat eighth.
  const stepTime = (k: number): number => {
    const b = Math.floor(k / 4);
    const sub = k % 4;
    const eighth = beat / 2;
    const pos = sub < 2 ? ((sub * eighth) / 2) * (1 + swing) : eighth * (1 + swing) + (((sub - 2) * eighth) / 2) * (1 - swing);
    return b * beat + pos;
  };
  const chordAt = (ci: number): ChordEvent => {
    const rc = prog[(ci + progOffset) % prog.length];
    return { onset: ci * chordDur, root: (keyRoot + rc[0]) % 12, quality: rc[1] };
  };
  const nChords = Math.ceil(durSec / chordDur) + 1;
  const chords: ChordEvent[] = [];
  for (let ci = 0; ci < nChords; ci++) chords.push(chordAt(ci));

  // Drums
  const drums = new Float32Array(n);
  if (pattern) {
    const kit = makeKit(sr, rng.fork('kit'));
    for (let b = 0; b < nBars; b++) {
      for (let s = 0; s < 16; s++) {
        const t = b * bar + stepTime(s);
        if (t >= durSec) continue;
        const vel = (): number => rng.range(0.75, 1);
        if (rng.uniform() < pattern.kick[s]) addSample(drums, kit.kick, t, sr, 1.0 * vel());
        if (rng.uniform() < pattern.snare[s]) addSample(drums, kit.snare, t, sr, 0.7 * vel());
        if (rng.uniform() < pattern.hat[s]) addSample(drums, kit.hat, t, sr, (s % 4 === 0 ? 0.35 : 0.25) * vel());
        if (pattern.open && rng.uniform() < pattern.open[s]) addSample(drums, kit.open, t, sr, 0.25 * vel());
        if (pattern.ride && rng.uniform() < pattern.ride[s]) addSample(drums, kit.ride, t, sr, 0.25 * vel());
      }
    }
  }

  // Chords (comping)
  const chordBuf = new Float32Array(n);
  const chordBase = 52 + rng.int(6); // around E3..A3
  const voicing = (c: ChordEvent): number[] => {
    let r = chordBase + ((((c.root - chordBase) % 12) + 12) % 12);
    if (r > chordBase + 6) r -= 12;
    return QUALITY_INTERVALS[c.quality].map((iv) => r + iv);
  };
  const stepsPerChord = 16 / P.chordsPerBar;
  for (let ci = 0; ci < nChords; ci++) {
    const c = chords[ci];
    const notes = voicing(c);
    const stepAbs = (s: number): number => {
      const k = ci * stepsPerChord + s;
      return Math.floor(k / 16) * bar + stepTime(k % 16);
    };
    const hit = (s: number, len: number, amp: number, strum = 0): void => {
      const t = stepAbs(s);
      if (t >= durSec) return;
      notes.forEach((m, j) => addNote(chordBuf, sr, t + j * strum, len, m, amp / Math.sqrt(notes.length), chordVoice, rng));
    };
    switch (chordStyle) {
      case 'pad':
        hit(0, chordDur * 0.98, 0.8);
        break;
      case 'arpeggio':
        for (let s = 0; s < stepsPerChord; s += 2) {
          const t = stepAbs(s);
          if (t < durSec) addNote(chordBuf, sr, t, beat * 0.9, notes[(s / 2) % notes.length] + (s >= 8 ? 12 : 0), 0.7, chordVoice, rng);
        }
        break;
      case 'strum':
        for (let s = 0; s < stepsPerChord; s += 4) hit(s, beat * 0.9, s === 0 ? 0.9 : 0.7, 0.012);
        if (rng.uniform() < 0.5) hit(stepsPerChord - 2, beat * 0.4, 0.5, 0.01);
        break;
      case 'chug':
        for (let s = 0; s < stepsPerChord; s += 2) hit(s, beat * 0.35, s % 8 === 0 ? 1 : 0.75);
        break;
      case 'offbeat':
        for (let s = 2; s < stepsPerChord; s += 4) hit(s, beat * 0.3, 0.8);
        break;
      case 'stab':
        for (let s = 2; s < stepsPerChord; s += 4) if (rng.uniform() < 0.8) hit(s, beat * 0.25, 0.8);
        if (rng.uniform() < 0.5) hit(0, beat * 0.5, 0.6);
        break;
      case 'comp':
        for (let s = 0; s < stepsPerChord; s += 2) if (rng.uniform() < 0.35) hit(s, beat * rng.range(0.3, 1.2), rng.range(0.5, 0.9));
        break;
    }
  }

  // Bass
  const bassBuf = new Float32Array(n);
  const bassNote = (root: number): number => 36 + ((((root - 36) % 12) + 12) % 12);
  for (let ci = 0; ci < nChords; ci++) {
    const c = chords[ci];
    const r = bassNote(c.root);
    const iv = QUALITY_INTERVALS[c.quality];
    const t0 = ci * chordDur;
    const beatsInChord = Math.round(chordDur / beat);
    const put = (t: number, len: number, m: number, a: number): void => {
      if (t < durSec) addNote(bassBuf, sr, t, len, m, a, bassVoice, rng);
    };
    switch (bassStyle) {
      case 'none':
        break;
      case 'cello':
        put(t0, chordDur * 0.95, r, 0.7);
        break;
      case 'root8':
        for (let e = 0; e < beatsInChord * 2; e++) put(t0 + (e * beat) / 2, beat * 0.45, r, 0.8);
        break;
      case 'rootfifth':
        for (let b = 0; b < beatsInChord; b += 2) put(t0 + b * beat, beat * 0.8, b % 4 === 0 ? r : r + 7, 0.85);
        break;
      case 'walking':
        for (let b = 0; b < beatsInChord; b++) put(t0 + b * beat, beat * 0.85, b === 0 ? r : r + pick(rng, iv.concat([2, 5, 9])), 0.8);
        break;
      case 'octave':
        for (let e = 0; e < beatsInChord * 2; e++) put(t0 + (e * beat) / 2, beat * 0.3, r + (e % 2) * 12, 0.8);
        break;
      case 'sub':
        put(t0, beat * 1.5, r, 1.0);
        if (rng.uniform() < 0.7) put(t0 + 2.5 * beat, beat * 1.2, r, 0.8);
        break;
      case 'reggae':
        put(t0 + 0.5 * beat, beat * 0.4, r, 0.9);
        put(t0 + 1.5 * beat, beat * 0.4, r + iv[1], 0.7);
        put(t0 + 2.5 * beat, beat * 0.9, r + 7, 0.8);
        break;
    }
  }

  // Lead melody: a random walk on the scale, rhythm on 8ths with genre density.
  const leadBuf = new Float32Array(n);
  const scale = scaleFor(src.harmony, mode);
  const octave = Math.round(draw(rng, P.melodyOctave));
  const density = draw(rng, P.melodyDensity);
  let deg = rng.int(scale.length);
  const nEighths = Math.ceil(durSec / (beat / 2));
  for (let e = 0; e < nEighths; e++) {
    if (rng.uniform() >= density) continue;
    deg += rng.int(5) - 2;
    const oct = Math.floor(deg / scale.length);
    const m = 12 * (octave + 1) + keyRoot + 12 * oct + scale[((deg % scale.length) + scale.length) % scale.length];
    if (m < 55 || m > 96) deg = rng.int(scale.length);
    const t = Math.floor(e / 2) * beat + (e % 2 === 0 ? 0 : (beat / 2) * (1 + swing));
    addNote(leadBuf, sr, t, (beat / 2) * rng.range(0.8, 2.5), Math.min(96, Math.max(55, m)), 0.6, leadVoice, rng);
  }

  // Distortion on the guitar-like buses: tanh waveshaping, normalised so the gain changes timbre not level.
  if (distortion > 0.05) {
    const shape = (b: Float32Array): void => {
      let pk = 1e-9;
      for (let i = 0; i < n; i++) pk = Math.max(pk, Math.abs(b[i]));
      const g = distortion / pk;
      const norm = Math.tanh(distortion);
      for (let i = 0; i < n; i++) b[i] = (Math.tanh(g * b[i]) / norm) * pk;
    };
    shape(chordBuf);
    if (src.texture === 'metal' || src.texture === 'rock') shape(leadBuf);
  }

  const out = new Float32Array(n);
  const swellDepth = draw(rng, P.swell);
  const swellRate = rng.range(0.08, 0.25);
  const swellPhase = rng.range(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const dyn = 1 - swellDepth * 0.5 * (1 + Math.sin(2 * Math.PI * swellRate * t + swellPhase));
    out[i] = dyn * (gains.drums * drums[i] + gains.bass * bassBuf[i] + gains.chords * chordBuf[i] + gains.lead * leadBuf[i]);
  }
  // Noise floor (tape hiss / amp noise), scaled to the music's RMS.
  let ss = 0;
  for (let i = 0; i < n; i++) ss += out[i] * out[i];
  const rms0 = Math.sqrt(ss / n) || 1e-6;
  for (let i = 0; i < n; i++) out[i] += noiseLevel * 5 * rms0 * (rng.uniform() * 2 - 1);
  // Loudness: normalise to a drawn RMS, soft-limit (metal is the most compressed), fade the edges.
  const target = draw(rng, P.loudness);
  ss = 0;
  for (let i = 0; i < n; i++) ss += out[i] * out[i];
  const g = target / (Math.sqrt(ss / n) || 1e-6);
  const fade = Math.round(0.01 * sr);
  ss = 0;
  for (let i = 0; i < n; i++) {
    let v = Math.tanh(g * out[i] * 1.2) / 1.2;
    if (i < fade) v *= i / fade;
    if (i >= n - fade) v *= (n - 1 - i) / fade;
    out[i] = v;
    ss += v * v;
  }
  const beats: number[] = [];
  for (let b = 0; b * beat < durSec; b++) beats.push(b * beat);
  return {
    audio: out,
    truth: {
      genre,
      tempoBpm: tempo,
      keyRoot,
      mode,
      key: `${PITCH_CLASSES[keyRoot]} ${mode}`,
      swing,
      drumLevel,
      distortion,
      chordStyle,
      bassStyle,
      beats,
      chords: chords.filter((c) => c.onset < durSec),
      rms: Math.sqrt(ss / n),
      partner: blend && blend.groups > 0 ? blend.partner : null,
      partnerGroups: BLEND_GROUPS.filter((g) => src[g] !== genre),
    },
  };
}

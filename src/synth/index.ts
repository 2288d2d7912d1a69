/**
 * The synthetic mini-study generator: `generateStudy(config, seed, outDir)`
 * simulates every part (pure, in memory) and writes the BIDS dataset and its
 * ground truth. See docs/mini-study.md for the generative model.
 */
import type { SynthConfig } from './config.js';
import { simulateStudy, type Study } from './study.js';
import { writeStudy } from './write.js';

export { synthConfigSchema, defaultSynthConfig, smallSynthConfig, SMALL_SYNTH_INPUT, GTZAN_GENRES } from './config.js';
export type { SynthConfig } from './config.js';
export { simulateStudy, subjectId } from './study.js';
export type { Study, Stimulus, FmriSubject, EegSubject, BehaviourSubject } from './study.js';
export { writeStudy, ATLAS_FILES } from './write.js';

/** Simulate and write the study; returns the in-memory study (planted truth included). */
export function generateStudy(config: SynthConfig, seed: number, outDir: string): Study {
  const study = simulateStudy(config, seed);
  writeStudy(study, outDir);
  return study;
}

/**
 * The default BAN architecture (docs/ban.md): the study config's `model`
 * section (config.ts) and parseModelConfig (ban.ts) both default to it. A
 * module of its own so the config schemas can use it without loading tfjs.
 */
export const BAN_DEFAULTS = {
  nMels: 48,
  frames: 96,
  a1Width: 16,
  a1Kernel: 7,
  a1Kernel2: 3,
  blockKernel: 3,
  scale: 2,
  skip: true,
  areas: [
    { name: 'belt', width: 24, times: 2 },
    { name: 'pb', width: 32, times: 3 },
    { name: 't', width: 48, times: 2 },
  ],
  fcHidden: [32],
  bnMomentum: 0.1,
  bnEpsilon: 1e-5,
} as const;

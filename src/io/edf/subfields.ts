/**
 * Structured readings of free-text header fields: the EDF+ patient and
 * recording subfields, and the analogue filter band from the prefilter field.
 */
import type { EdfHeader } from './types.js';

export interface PlusIdentification {
  patient: { code: string; sex: string; birthdate: string; name: string; additional: string };
  recording: { startdate: string; admincode: string; technician: string; equipment: string; additional: string };
}

/** EDF+ subfields: space-separated, 'X' = unknown → '', underscores → spaces. Null for non-plus files. */
export function plusIdentification(h: EdfHeader): PlusIdentification | null {
  if (!h.variant.includes('+')) return null;
  const sub = (text: string, n: number): string[] => {
    const parts = text.split(' ').filter((p) => p !== '');
    const head = parts.slice(0, n).map((p) => (p === 'X' ? '' : p.replace(/_/g, ' ')));
    while (head.length < n) head.push('');
    head.push(parts.slice(n).join(' ').replace(/_/g, ' '));
    return head;
  };
  const [code, sex, birthdate, name, pAdd] = sub(h.patient, 4);
  const [, startdate, admincode, technician, equipment, rAdd] = sub(h.recording, 5);
  return {
    patient: { code, sex, birthdate, name, additional: pAdd },
    recording: { startdate, admincode, technician, equipment, additional: rAdd },
  };
}

function hz(text: string, key: 'HP' | 'LP'): number | null {
  const m = new RegExp(`${key}:\\s*([0-9.]+)\\s*(m?Hz)?`, 'i').exec(text);
  if (!m || !Number.isFinite(Number(m[1]))) return null;
  return m[2] && m[2].toLowerCase() === 'mhz' ? Number(m[1]) / 1000 : Number(m[1]);
}

/**
 * File-level filter band in Hz, following MNE: the highest high-pass and the lowest
 * low-pass over ordinary signals; "DC" or no HP means 0, no LP means half the fastest rate.
 */
export function prefilterBand(h: EdfHeader): { highpass: number; lowpass: number } {
  const sigs = h.signals.filter((s) => !s.isAnnotation);
  const nyquist = Math.max(0, ...sigs.map((s) => s.rate)) / 2;
  let highpass = 0;
  let lowpass = nyquist;
  for (const s of sigs) {
    const hp = hz(s.prefilter, 'HP');
    const lp = hz(s.prefilter, 'LP');
    if (hp !== null && hp > highpass) highpass = hp;
    if (lp !== null && lp < lowpass) lowpass = lp;
  }
  return { highpass, lowpass };
}

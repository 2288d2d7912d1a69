/**
 * EDF+ time-stamped annotation lists (TALs): `±onset[\x15duration]\x14text\x14…\x00`.
 * Parsed on bytes, because UTF-8 never uses the delimiter bytes 0x00/0x14/0x15
 * inside a multi-byte character; text is decoded only once cut out.
 */
import { InputError } from '../../core/errors.js';

const ONSET = /^[+-]\d+(\.\d*)?$/;
const DURATION = /^\d+(\.\d*)?$/;
const utf8 = new TextDecoder('utf-8');

export interface RawTal {
  /** Seconds as written (relative to the file's header start time, before the sub-second shift). */
  onset: number;
  duration: number | null;
  texts: string[];
}

function latin(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
  return out;
}

/** All TALs in one record's bytes of one annotation signal. Returns them in file order. */
export function parseTals(b: Uint8Array, where: string): RawTal[] {
  const tals: RawTal[] = [];
  let i = 0;
  const n = b.length;
  while (i < n) {
    if (b[i] === 0) {
      i++;
      continue;
    }
    let end = b.indexOf(0, i);
    if (end < 0) end = n;
    const sep = b.indexOf(0x14, i);
    if (sep < 0 || sep > end) throw new InputError(where, `annotation TAL without a 0x14 after its onset at byte ${i}`);
    let dsep = b.indexOf(0x15, i);
    if (dsep > sep) dsep = -1;
    const onsetText = latin(b, i, dsep >= 0 ? dsep : sep);
    if (!ONSET.test(onsetText)) throw new InputError(where, `annotation onset is not ±seconds: "${onsetText.slice(0, 20)}"`);
    let duration: number | null = null;
    if (dsep >= 0) {
      const dText = latin(b, dsep + 1, sep);
      if (dText !== '') {
        if (!DURATION.test(dText)) throw new InputError(where, `annotation duration is not seconds: "${dText.slice(0, 20)}"`);
        duration = Number(dText);
      }
    }
    const texts: string[] = [];
    let s = sep + 1;
    while (s < end) {
      let e = b.indexOf(0x14, s);
      if (e < 0 || e > end) e = end;
      texts.push(utf8.decode(b.subarray(s, e)));
      s = e + 1;
    }
    // "+0\x14\x14\x00" yields one empty text: the time-keeping marker.
    if (texts.length === 0) texts.push('');
    tals.push({ onset: Number(onsetText), duration, texts });
    i = end + 1;
  }
  return tals;
}

/** Onset (s) of the time-keeping TAL that opens a record, or null when the record has none. */
export function recordOnsetOf(tals: RawTal[]): number | null {
  return tals.length > 0 && tals[0].texts[0] === '' ? tals[0].onset : null;
}

/** Onset (s) of the first record's time-keeping TAL; null if absent. Used for the sub-second start. */
export function firstRecordOnset(b: Uint8Array, where: string): number | null {
  const end = b.indexOf(0);
  return recordOnsetOf(parseTals(end >= 0 ? b.subarray(0, end + 1) : b, where));
}

/** Seconds as TAL text: sign, up to 7 decimals, no trailing zeros (EDF+ forbids exponents). */
export function formatSeconds(x: number, signed: boolean): string {
  let s = Math.abs(x)
    .toFixed(7)
    .replace(/\.?0+$/, '');
  if (s === '') s = '0';
  return signed ? (x < 0 ? '-' : '+') + s : s;
}

const enc = new TextEncoder();

/** One TAL as bytes; texts lose any delimiter bytes they contain. */
export function encodeTal(onset: number, duration: number | null, texts: string[]): Uint8Array {
  let s = formatSeconds(onset, true);
  if (duration !== null) s += `\x15${formatSeconds(duration, false)}`;
  s += '\x14';
  for (const t of texts) s += `${t.replace(/[\x00\x14\x15]/g, ' ')}\x14`;
  s += '\x00';
  return enc.encode(s);
}

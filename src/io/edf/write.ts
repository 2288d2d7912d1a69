/**
 * writeEdf: EDF+C / BDF+C with an annotation signal whose every record opens
 * with a time-keeping TAL. Digital ranges use the full width of the sample
 * type so quantisation error is (physMax − physMin) / 65535 or / 16777215.
 */
import { writeChunksAtomic } from '../../core/atomic.js';
import { InputError } from '../../core/errors.js';
import { encodeTal, formatSeconds } from './tal.js';
import type { EdfWriteInput, EdfWriteSignal } from './types.js';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Records per write chunk; bounds memory for long recordings. */
const CHUNK_TARGET_BYTES = 8 * 1024 * 1024;

function field(where: string, value: string, width: number): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new InputError(where, `must be printable ASCII for EDF: "${value}"`);
  if (value.length > width) throw new InputError(where, `longer than the ${width} characters EDF allows: "${value}"`);
  return value.padEnd(width, ' ');
}

/**
 * Shortest text of at most 8 characters for x, rounded away from the data
 * (down for a minimum, up for a maximum) so no sample falls outside the range.
 */
export function formatRangeNumber(where: string, x: number, dir: 'down' | 'up'): string {
  if (!Number.isFinite(x)) throw new InputError(where, `not a finite number: ${x}`);
  const plain = String(x);
  if (plain.length <= 8 && !plain.includes('e')) return plain;
  const intDigits = Math.max(1, Math.floor(Math.log10(Math.abs(x) || 1)) + 1);
  const room = 8 - intDigits - (x < 0 ? 1 : 0) - 1;
  if (room < 0) {
    if (intDigits + (x < 0 ? 1 : 0) > 8) throw new InputError(where, `${x} does not fit in 8 characters`);
    const r = dir === 'down' ? Math.floor(x) : Math.ceil(x);
    return String(r);
  }
  const scale = 10 ** room;
  const r = (dir === 'down' ? Math.floor(x * scale) : Math.ceil(x * scale)) / scale;
  let s = r.toFixed(room).replace(/\.?0+$/, '');
  if (s === '-0' || s === '') s = '0';
  if (s.length > 8) throw new InputError(where, `${x} does not fit in 8 characters`);
  return s;
}

function edfDate(d: Date): { date: string; time: string; startdate: string } {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${p2(d.getUTCDate())}.${p2(d.getUTCMonth() + 1)}.${p2(d.getUTCFullYear() % 100)}`,
    time: `${p2(d.getUTCHours())}.${p2(d.getUTCMinutes())}.${p2(d.getUTCSeconds())}`,
    startdate: `${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`,
  };
}

interface Plan {
  s: EdfWriteSignal;
  spr: number;
  physMin: string;
  physMax: string;
  /** digital = round(x · a + b), from the physical range as written in the header. */
  a: number;
  b: number;
}

/**
 * Write `rec` to `path` atomically as EDF+C (format 'edf', 16-bit) or BDF+C
 * ('bdf', 24-bit). A startTime with milliseconds is kept as the sub-second
 * onset of the first record. Signals shorter than the longest are an error;
 * the last record is padded by repeating each signal's last sample.
 */
export function writeEdf(path: string, rec: EdfWriteInput): void {
  const bdf = rec.format === 'bdf';
  const bps = bdf ? 3 : 2;
  const dMin = bdf ? -8388608 : -32768;
  const dMax = bdf ? 8388607 : 32767;
  const dur = rec.recordDuration;
  if (!(dur > 0) || !Number.isFinite(dur)) throw new InputError('recordDuration', `must be positive seconds, got ${dur}`);
  const durText = formatSeconds(dur, false);
  if (durText.length > 8 || Math.abs(Number(durText) - dur) > 1e-9) throw new InputError('recordDuration', `${dur} s does not fit the 8-character field`);
  if (rec.signals.length === 0) throw new InputError(path, 'no signals to write');
  if (rec.signals.length > 9998) throw new InputError(path, `too many signals (${rec.signals.length})`);

  const plans: Plan[] = rec.signals.map((s, i) => {
    const where = `signal ${i + 1} "${s.label}"`;
    const sprF = s.rate * dur;
    const spr = Math.round(sprF);
    if (!(spr > 0) || Math.abs(sprF - spr) > 1e-6) throw new InputError(where, `rate ${s.rate} Hz × record ${dur} s is not a whole number of samples`);
    if (!(s.physMax > s.physMin)) throw new InputError(where, `physMax ${s.physMax} must exceed physMin ${s.physMin}`);
    const physMin = formatRangeNumber(where, s.physMin, 'down');
    const physMax = formatRangeNumber(where, s.physMax, 'up');
    const pMin = Number(physMin);
    const pMax = Number(physMax);
    const a = (dMax - dMin) / (pMax - pMin);
    return { s, spr, physMin, physMax, a, b: dMin - pMin * a };
  });
  const nRecords = Math.max(...plans.map((p) => Math.ceil(p.s.data.length / p.spr)), 1);
  for (const p of plans) {
    if (Math.ceil(p.s.data.length / p.spr) !== nRecords) {
      throw new InputError(`signal "${p.s.label}"`, `lasts ${p.s.data.length / p.s.rate} s, others ${nRecords * dur} s`);
    }
  }

  const sub = (((rec.startTime.getTime() % 1000) + 1000) % 1000) / 1000;
  const recOnset = (k: number) => sub + k * dur;
  // Each annotation goes in the record holding its onset; TALs carry absolute onsets anyway.
  const perRecord: Uint8Array[][] = Array.from({ length: nRecords }, (_, k) => [encodeTal(recOnset(k), null, [''])]);
  for (const an of rec.annotations ?? []) {
    if (!Number.isFinite(an.onset)) throw new InputError(path, `annotation "${an.text}" has onset ${an.onset}`);
    if (an.duration !== undefined && !(an.duration >= 0)) throw new InputError(path, `annotation "${an.text}" has duration ${an.duration}`);
    const k = Math.min(nRecords - 1, Math.max(0, Math.floor(an.onset / dur)));
    perRecord[k].push(encodeTal(an.onset + sub, an.duration ?? null, [an.text]));
  }
  // A loop, not Math.max(...): long recordings have more records than a call may take arguments.
  let maxTal = 0;
  for (const l of perRecord)
    maxTal = Math.max(
      maxTal,
      l.reduce((n, b) => n + b.length, 0),
    );
  const annSpr = Math.ceil(maxTal / bps);

  const { date, time, startdate } = edfDate(new Date(rec.startTime.getTime() - sub * 1000));
  const ns = plans.length + 1;
  let h = '';
  h += field('version', bdf ? ' BIOSEMI' : '0', 8);
  h += field('patient', rec.patient ?? 'X X X X', 80);
  const recording = rec.recording ?? 'X X X';
  h += field('recording', recording.startsWith('Startdate ') ? recording : `Startdate ${startdate} ${recording}`, 80);
  h += date + time;
  h += field('header bytes', String(256 * (ns + 1)), 8);
  h += field('reserved', bdf ? 'BDF+C' : 'EDF+C', 44);
  h += field('records', String(nRecords), 8);
  h += field('recordDuration', durText, 8);
  h += field('signals', String(ns), 4);
  const annLabel = bdf ? 'BDF Annotations' : 'EDF Annotations';
  const col = (f: (p: Plan | null) => string) => plans.map((p) => f(p)).join('') + f(null);
  h += col((p) => field('label', p ? p.s.label : annLabel, 16));
  h += col((p) => field('transducer', p ? (p.s.transducer ?? '') : '', 80));
  h += col((p) => field('unit', p ? p.s.unit : '', 8));
  h += col((p) => field('physMin', p ? p.physMin : '-1', 8));
  h += col((p) => field('physMax', p ? p.physMax : '1', 8));
  h += col(() => field('digMin', String(dMin), 8));
  h += col(() => field('digMax', String(dMax), 8));
  h += col((p) => field('prefilter', p ? (p.s.prefilter ?? '') : '', 80));
  h += col((p) => field('samples', String(p ? p.spr : annSpr), 8));
  h += col(() => ' '.repeat(32));
  const head = new Uint8Array(h.length);
  for (let i = 0; i < h.length; i++) head[i] = h.charCodeAt(i);
  if (bdf) head[0] = 0xff;

  const recordBytes = (plans.reduce((n, p) => n + p.spr, 0) + annSpr) * bps;
  const perChunk = Math.max(1, Math.floor(CHUNK_TARGET_BYTES / recordBytes));
  function* chunks(): Generator<Uint8Array> {
    yield head;
    for (let k0 = 0; k0 < nRecords; k0 += perChunk) {
      const count = Math.min(perChunk, nRecords - k0);
      const out = new Uint8Array(count * recordBytes);
      for (let r = 0; r < count; r++) {
        const k = k0 + r;
        let p = r * recordBytes;
        for (const pl of plans) {
          const x = pl.s.data;
          const last = x.length - 1;
          const first = k * pl.spr;
          for (let i = 0; i < pl.spr; i++) {
            const v = x[Math.min(first + i, last)];
            if (Number.isNaN(v)) throw new InputError(`signal "${pl.s.label}"`, `sample ${first + i} is NaN`);
            let d = Math.round(v * pl.a + pl.b);
            d = Math.min(dMax, Math.max(dMin, d));
            out[p] = d & 0xff;
            out[p + 1] = (d >> 8) & 0xff;
            if (bdf) out[p + 2] = (d >> 16) & 0xff;
            p += bps;
          }
        }
        let q = p;
        for (const t of perRecord[k]) {
          out.set(t, q);
          q += t.length;
        }
      }
      yield out;
    }
  }
  writeChunksAtomic(path, chunks());
}

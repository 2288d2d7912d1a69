/**
 * Benchmark: full decode of a 128-channel, 1 kHz, 10-minute BDF to float32,
 * ours (readEdf) vs MNE 1.3 (read_raw_bdf(preload=True)) in the same run.
 * Each reader runs in its own fresh process so peak RSS is its own.
 *
 *   npx tsx scripts/bench/edf.ts            # generate, time both, print ratios
 *   npx tsx scripts/bench/edf.ts decode F N # (internal) time readEdf on F, best of N
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/prng.js';
import { readEdf, writeEdf } from '../../src/io/edf.js';

interface Timing {
  seconds: number;
  maxRssMB: number;
  baseRssMB: number;
  checksum: number;
}

/** Peak resident set of this process image in MB (VmHWM; unlike ru_maxrss it is not inherited across exec). */
function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One full decode; a function of its own so the arrays die when it returns. */
function decodeOnce(file: string): { seconds: number; checksum: number } {
  const t0 = process.hrtime.bigint();
  const rec = readEdf(file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let checksum = 0;
  for (const s of rec.signals) checksum += s.data[s.data.length >> 1];
  return { seconds, checksum };
}

function decodeHere(file: string, reps: number): Timing {
  const baseRssMB = peakRssMB();
  const gc = (globalThis as { gc?: () => void }).gc;
  let best = Infinity;
  let checksum = 0;
  for (let r = 0; r < reps; r++) {
    // Drop the previous repetition's arrays first, as MNE's `del raw` does, so peak RSS is one decode's.
    gc?.();
    const once = decodeOnce(file);
    best = Math.min(best, once.seconds);
    checksum = once.checksum;
  }
  return { seconds: best, maxRssMB: peakRssMB(), baseRssMB, checksum };
}

const MNE_DECODE = `
import sys, time, json, re, mne
mne.set_log_level('ERROR')
def hwm():
    return int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)) / 1024
f, reps = sys.argv[1], int(sys.argv[2])
base = hwm()
best = float('inf')
for _ in range(reps):
    t0 = time.perf_counter()
    raw = mne.io.read_raw_bdf(f, preload=True)
    best = min(best, time.perf_counter() - t0)
    d = raw._data
    checksum = float(sum(d[i, d.shape[1] // 2] for i in range(d.shape[0]))) * 1e6
    del raw, d
print(json.dumps({'seconds': best, 'maxRssMB': hwm(), 'baseRssMB': base, 'checksum': checksum}))
`;

function main(): void {
  const nCh = 128;
  const rate = 1000;
  const seconds = 600;
  const reps = 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-edf-'));
  const file = path.join(dir, 'bench.bdf');
  try {
    const rng = new Rng(5, 'bench/edf');
    const n = rate * seconds;
    const signals = Array.from({ length: nCh }, (_, c) => {
      const data = new Float32Array(n);
      const f = 5 + (c % 30);
      for (let i = 0; i < n; i++) data[i] = 50 * Math.sin((2 * Math.PI * f * i) / rate) + 5 * rng.normal();
      return { label: `EEG${String(c + 1).padStart(3, '0')}`, unit: 'uV', rate, physMin: -400, physMax: 400, data };
    });
    const tw = process.hrtime.bigint();
    writeEdf(file, { format: 'bdf', startTime: new Date(Date.UTC(2024, 0, 1)), recordDuration: 1, signals, annotations: [{ onset: 1, text: 'start' }] });
    const writeSec = Number(process.hrtime.bigint() - tw) / 1e9;
    const mb = fs.statSync(file).size / 1e6;
    console.log(
      `file: ${nCh} ch × ${rate} Hz × ${seconds} s BDF+C, ${mb.toFixed(1)} MB (written in ${writeSec.toFixed(2)} s, ${(mb / writeSec).toFixed(0)} MB/s)`,
    );
    // Warm the page cache so both readers see the same (memory-speed) storage.
    fs.readFileSync(file).length;
    const self = fileURLToPath(import.meta.url);
    const ours = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '--import=tsx', self, 'decode', file, String(reps)], { encoding: 'utf8', maxBuffer: 1 << 20 }),
    ) as Timing;
    const mne = JSON.parse(execFileSync('/usr/bin/python3', ['-c', MNE_DECODE, file, String(reps)], { encoding: 'utf8' })) as Timing;
    const row = (name: string, t: Timing) =>
      `${name.padEnd(22)} ${t.seconds.toFixed(3).padStart(7)} s  ${(mb / t.seconds).toFixed(0).padStart(6)} MB/s  peak RSS ${t.maxRssMB.toFixed(0).padStart(6)} MB (before read ${t.baseRssMB.toFixed(0)} MB)`;
    console.log(`best of ${reps} full decodes to float32 (MNE: float64, its only output):`);
    console.log(row('brainalign readEdf', ours));
    console.log(row('MNE 1.3 read_raw_bdf', mne));
    console.log(`speed ratio (ours / MNE, MB/s): ${(mne.seconds / ours.seconds).toFixed(2)}×   peak RSS ratio: ${(ours.maxRssMB / mne.maxRssMB).toFixed(2)}`);
    console.log(`checksum (sum of the middle sample of every channel, µV): ours ${ours.checksum.toFixed(3)}  MNE ${mne.checksum.toFixed(3)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'decode') {
  console.log(JSON.stringify(decodeHere(process.argv[3], Number(process.argv[4] ?? '1'))));
} else {
  main();
}

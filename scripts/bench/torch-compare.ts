/**
 * Shared plumbing of the training benchmarks against PyTorch: the machine is
 * shared, so brainalign and PyTorch runs alternate (one brainalign child, then
 * one PyTorch process, per thread count and round) and each round's ratio is
 * reported, with the median over rounds. Each side runs in its own process so
 * thread counts are set before anything starts (wasm fixes its pool at init).
 */
import { execFileSync } from 'node:child_process';

/** The last line of a child's output, where it prints its JSON. */
function lastLine(text: string): string {
  const t = text.trimEnd();
  return t.slice(t.lastIndexOf('\n') + 1);
}

export interface Rate {
  /** Windows per wall-clock second. */
  rate: number;
  /** Windows per CPU second of the process (all its threads): less sensitive to other users' load. */
  cpuRate?: number;
  [k: string]: unknown;
}

/** Value of `--name` on the command line, or `def`. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Re-run this script with `--child` and extra arguments; returns the JSON its last line prints. */
export function runChild(script: string, extra: string[]): Rate {
  const out = execFileSync(process.execPath, [...process.execArgv, script, '--child', ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(lastLine(out)) as Rate;
}

/** Run a PyTorch script with /usr/bin/python3; null (with the reason printed once) when torch is missing. */
let torchMissing = false;
export function runTorch(code: string, args: string[]): Rate | null {
  if (torchMissing) return null;
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(lastLine(out)) as Rate;
  } catch (e) {
    torchMissing = true;
    console.log(`PyTorch reference unavailable (apt-get install -y python3-torch): ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

/**
 * For each round and thread count: brainalign, then PyTorch. Prints one line
 * per pair and the median ratio per thread count.
 */
export function interleave(label: string, rounds: number, threads: number[], ours: (th: number) => Rate, torch: (th: number) => Rate | null): void {
  const ratios = new Map<number, number[]>();
  const cpuRatios = new Map<number, number[]>();
  for (let r = 1; r <= rounds; r++) {
    for (const th of threads) {
      const a = ours(th);
      const b = torch(th);
      const line = `${label} round ${r}, ${th} thread${th === 1 ? '' : 's'}: brainalign ${a.rate.toFixed(1)} windows/s`;
      if (!b) {
        console.log(`${line}; PyTorch unavailable`);
        continue;
      }
      const q = a.rate / b.rate;
      ratios.set(th, [...(ratios.get(th) ?? []), q]);
      let cpuNote = '';
      if (a.cpuRate && b.cpuRate) {
        const qc = a.cpuRate / b.cpuRate;
        cpuRatios.set(th, [...(cpuRatios.get(th) ?? []), qc]);
        cpuNote = `; per CPU second ${a.cpuRate.toFixed(1)} vs ${b.cpuRate.toFixed(1)}, ratio ${qc.toFixed(2)}`;
      }
      console.log(`${line}, PyTorch ${b.rate.toFixed(1)} windows/s, ratio ${q.toFixed(2)}${cpuNote}`);
    }
  }
  for (const [th, qs] of ratios) {
    const qc = cpuRatios.get(th);
    console.log(
      `${label}, ${th} thread${th === 1 ? '' : 's'}: median ratio brainalign/PyTorch ${median(qs).toFixed(2)} wall` +
        (qc ? `, ${median(qc).toFixed(2)} per CPU second` : '') +
        ` over ${qs.length} round(s)`,
    );
  }
}

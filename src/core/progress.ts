/**
 * Progress bars on stderr. Silent when stderr is not a TTY or --quiet is set,
 * so logs and CI output stay clean. Bars appear only after ~2 s so short work
 * never flickers.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

let quietGlobal = false;

export function setQuiet(q: boolean): void {
  quietGlobal = q;
}

export function isQuiet(): boolean {
  return quietGlobal;
}

const NOOP: Progress = { tick() {}, done() {} };

export function progress(label: string, total: number, opts: { delayMs?: number } = {}): Progress {
  if (quietGlobal || !process.stderr.isTTY || total <= 0) return NOOP;
  const delay = opts.delayMs ?? 2000;
  const start = Date.now();
  let value = 0;
  let bar: cliProgress.SingleBar | null = null;
  return {
    tick(n = 1) {
      value += n;
      if (!bar && Date.now() - start >= delay && value < total) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${label} [{bar}] {value}/{total} eta {eta_formatted}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, value);
      } else if (bar) {
        bar.update(value);
      }
    },
    done() {
      if (bar) {
        bar.update(total);
        bar.stop();
      }
    },
  };
}

/** One-line notices (not errors) on stderr, also silenced by --quiet. */
export function notice(msg: string): void {
  if (!quietGlobal) process.stderr.write(`brainalign: ${msg}\n`);
}

/**
 * Positional reads from file descriptors, shared by the binary readers so a
 * file is read by position in bounded pieces instead of loaded whole
 * (readFileSync also refuses files over 2 GiB).
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';

/** Largest text file (TSV, JSON sidecar) read whole; real ones are kilobytes. */
export const MAX_TEXT_BYTES = 64 << 20;

/**
 * Opens `file` read-only; returns the descriptor and the file size in bytes.
 * O_NONBLOCK makes opening a FIFO return at once instead of waiting for a
 * writer, and anything but a regular file is refused before a byte is read
 * (a FIFO would block, /dev/zero never ends). A failure is an InputError.
 */
export function openForRead(file: string, failure = 'cannot open'): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError(file, `${failure} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new InputError(file, st.isDirectory() ? 'is a folder, not a file' : 'not a regular file (FIFO, socket or device)');
  }
  return { fd, size: st.size };
}

/** The whole of a UTF-8 text file of at most MAX_TEXT_BYTES; a failure is an InputError. */
export function readText(file: string): string {
  const { fd, size } = openForRead(file, 'cannot read');
  try {
    if (size > MAX_TEXT_BYTES) throw new InputError(file, `${size} bytes is too large for a text table or sidecar (limit ${MAX_TEXT_BYTES >> 20} MiB)`);
    const buf = Buffer.alloc(size);
    const n = readFully(fd, buf, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads into `dst` from byte `pos` until it is full or the file ends; returns the number of bytes read. */
export function readFully(fd: number, dst: Uint8Array, pos: number): number {
  let got = 0;
  while (got < dst.length) {
    // A single readSync is limited to just under 2 GiB; read big spans in 1 GiB steps.
    const n = fs.readSync(fd, dst, got, Math.min(dst.length - got, 1 << 30), pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Positional reads from file descriptors, shared by the binary readers so a
 * file is read by position in bounded pieces instead of loaded whole
 * (readFileSync also refuses files over 2 GiB).
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';

/** Opens `file` read-only; returns the descriptor and the file size in bytes. A failure is an InputError 'cannot open: …'. */
export function openForRead(file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new InputError(file, `cannot open: ${(e as Error).message}`);
  }
  return { fd, size: fs.fstatSync(fd).size };
}

/** The whole of a UTF-8 text file; a failure is an InputError 'cannot read: …'. */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`);
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

/**
 * HDF5 access for the v7.3 reader: h5wasm (HDF5 compiled to WebAssembly,
 * loaded on first use), the signature and superblock checks done before HDF5
 * sees a file, and the wrapper that keeps HDF5's failures to one line.
 */
import * as fs from 'node:fs';
import nodeFs from 'node:fs';
import { InputError } from '../../core/errors.js';

export type H5 = typeof import('h5wasm/node');
export type H5Dataset = InstanceType<H5['Dataset']>;
export type H5Group = InstanceType<H5['Group']>;
export type H5File = InstanceType<H5['File']>;

let h5: H5 | null = null;

/** Load and initialise h5wasm once (a few hundred ms; only v7.3 files need it). */
export async function loadH5(): Promise<H5> {
  if (!h5) {
    const mod = await import('h5wasm/node');
    await mod.ready;
    h5 = mod;
  }
  return h5;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether `path` is HDF5 (signature at byte 0 or, as MATLAB writes it, after the 512-byte user block). */
export function isHdf5(path: string): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    for (const pos of [0, 512, 1024, 2048]) if (fs.readSync(fd, b, 0, 8, pos) === 8 && b.equals(HDF5_SIGNATURE)) return true;
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Run an h5wasm call with HDF5's stderr muted; its failures become one-line
 * InputErrors. HDF5 prints a 30-line error stack for every failure, and
 * h5wasm's Node build (Emscripten NODERAWFS) writes it with fs.writeSync to
 * fd 2 directly, so the only way to keep our one-line errors is to drop fd-2
 * writes for the duration of the (synchronous) call.
 */
export function quietly<T>(where: string, f: () => T): T {
  const write = nodeFs.writeSync;
  const passOn = write as (...a: unknown[]) => number;
  nodeFs.writeSync = ((fd: number, data: NodeJS.ArrayBufferView | string, ...rest: unknown[]) =>
    fd === 2
      ? typeof data === 'string'
        ? Buffer.byteLength(data)
        : typeof rest[1] === 'number'
          ? rest[1]
          : data.byteLength
      : passOn(fd, data, ...rest)) as typeof nodeFs.writeSync;
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(where, `corrupt HDF5 data (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    nodeFs.writeSync = write;
  }
}

/**
 * HDF5 superblock check before HDF5 sees the file: the end-of-file address it
 * records must not lie beyond the file (the common damage: a cut download).
 */
export function checkSuperblock(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const b = Buffer.alloc(64);
    for (const pos of [0, 512, 1024, 2048]) {
      const n = fs.readSync(fd, b, 0, 64, pos);
      if (n < 16 || !b.subarray(0, 8).equals(HDF5_SIGNATURE)) continue;
      const version = b[8];
      const offsets = version <= 1 ? b[13] : b[9];
      if (offsets !== 8 && offsets !== 4) throw new InputError(path, `HDF5 superblock with ${offsets}-byte addresses`);
      const at = (version === 0 ? 24 : version === 1 ? 28 : 12) + 2 * offsets;
      if (at + offsets > n) throw new InputError(path, 'truncated HDF5 superblock');
      const eof = offsets === 8 ? Number(b.readBigUInt64LE(at)) : b.readUInt32LE(at);
      if (eof > size) throw new InputError(path, `truncated file: HDF5 records ${eof} bytes, the file has ${size}`);
      return;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Sequential byte sources over plain or gzipped files, read in bounded
 * chunks. No source ever holds the whole file: readFileSync refuses files
 * over 2 GiB and BOLD runs can be larger, and a masked read should cost
 * about one volume of memory, not one run.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../../core/errors.js';
import { openForRead } from '../fd.js';
import { SyncZlib } from './zlib-sync.js';

export interface ByteSource {
  /** Fill dst[0..n) from the current position; returns bytes read (< n only at end of data). */
  readInto(dst: Uint8Array, n: number): number;
  /** Advance by n bytes; returns bytes skipped (< n only at end of data). */
  skip(n: number): number;
  /** Bytes consumed so far (decompressed offset for gzip). */
  readonly position: number;
  /** Total size if known without reading (plain files), else undefined. */
  readonly size: number | undefined;
  close(): void;
}

export interface SourceOptions {
  /** Bytes per readSync call (compressed bytes for gzip). Small values exercise the chunk seams in tests. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK = 1 << 20;
const GZ_SLICE = 64 * 1024;

/** Open `path` as a ByteSource, gunzipping on the fly when it starts with the gzip magic 1f 8b. */
export function openSource(path: string, opts: SourceOptions = {}): ByteSource {
  if (!fs.existsSync(path)) throw new InputError(path, 'file not found');
  const { fd } = openForRead(path);
  try {
    const size = fs.fstatSync(fd).size;
    const magic = new Uint8Array(2);
    const got = fs.readSync(fd, magic, 0, 2, 0);
    const chunk = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK);
    if (got === 2 && magic[0] === 0x1f && magic[1] === 0x8b) return new GzipSource(fd, path, chunk);
    return new PlainSource(fd, size, chunk);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

class PlainSource implements ByteSource {
  position = 0;
  constructor(
    private fd: number,
    readonly size: number,
    private chunk: number,
  ) {}

  readInto(dst: Uint8Array, n: number): number {
    let done = 0;
    while (done < n) {
      const want = Math.min(this.chunk, n - done);
      const got = fs.readSync(this.fd, dst, done, want, this.position);
      if (got === 0) break;
      done += got;
      this.position += got;
    }
    return done;
  }

  skip(n: number): number {
    const step = Math.min(n, this.size - this.position);
    const s = Math.max(0, step);
    this.position += s;
    return s;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Gunzips the file on the fly, one compressed chunk at a time (see zlib-sync.ts for why this is synchronous). */
class GzipSource implements ByteSource {
  position = 0;
  readonly size = undefined;
  private filePos = 0;
  private ended = false;
  private pending: Buffer[] = [];
  private pendingOff = 0;
  private pendingBytes = 0;
  private z: SyncZlib;
  private inBuf: Buffer;
  private inPos = 0;
  private inLen = 0;

  constructor(
    private fd: number,
    private path: string,
    chunk: number,
  ) {
    this.z = new SyncZlib(zlib.createGunzip({ chunkSize: Math.max(64 * 1024, Math.min(chunk, 4 << 20)) }));
    this.inBuf = Buffer.allocUnsafe(chunk);
  }

  /**
   * Inflate the next slice of compressed input. Slices are at most 64 KiB:
   * deflate can expand ~1000-fold, so a 1 MiB slice of an all-zero run could
   * otherwise yield a gigabyte in one call.
   */
  private pump(): void {
    if (this.inPos === this.inLen) {
      const got = fs.readSync(this.fd, this.inBuf, 0, this.inBuf.length, this.filePos);
      if (got === 0) {
        this.ended = true;
        return;
      }
      this.filePos += got;
      this.inPos = 0;
      this.inLen = got;
    }
    const end = Math.min(this.inLen, this.inPos + GZ_SLICE);
    const slice = this.inBuf.subarray(this.inPos, end);
    this.inPos = end;
    let out: Buffer;
    try {
      out = this.z.process(slice, zlib.constants.Z_SYNC_FLUSH);
    } catch (e) {
      this.ended = true;
      const msg = e instanceof Error ? e.message : String(e);
      const at = this.filePos - (this.inLen - this.inPos);
      throw new InputError(this.path, `corrupt gzip data within the first ${at} compressed bytes: ${msg}`);
    }
    if (out.length > 0) {
      this.pending.push(out);
      this.pendingBytes += out.length;
    }
  }

  readInto(dst: Uint8Array, n: number): number {
    return this.take(n, dst);
  }

  skip(n: number): number {
    return this.take(n, null);
  }

  /** Consumes up to n decompressed bytes, copying them into dst unless it is null; returns how many. */
  private take(n: number, dst: Uint8Array | null): number {
    let done = 0;
    while (done < n) {
      if (this.pendingBytes === 0) {
        if (this.ended) break;
        this.pump();
        continue;
      }
      const head = this.pending[0];
      const take = Math.min(head.length - this.pendingOff, n - done);
      dst?.set(head.subarray(this.pendingOff, this.pendingOff + take), done);
      this.consume(take);
      done += take;
    }
    this.position += done;
    return done;
  }

  private consume(k: number): void {
    this.pendingOff += k;
    this.pendingBytes -= k;
    if (this.pendingOff === this.pending[0].length) {
      this.pending.shift();
      this.pendingOff = 0;
    }
  }

  close(): void {
    this.z.close();
    fs.closeSync(this.fd);
  }
}

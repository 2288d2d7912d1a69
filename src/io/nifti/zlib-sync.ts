/**
 * Synchronous, incremental use of Node's native zlib engines. Node exposes
 * no public synchronous *streaming* (de)compression: gzipSync/gunzipSync need
 * the whole buffer at once, the stream API is asynchronous, and pure-JS
 * inflate runs at about a third of the speed. So this drives an engine's
 * `_processChunk` directly; that call closes the native handle after each
 * chunk, which we prevent by replacing `close` with a no-op around it (the technique npm's
 * tar/minizlib uses). Every output chunk is a fresh Buffer.
 */
import type * as zlib from 'node:zlib';

interface NativeHandle {
  close(): void;
}

interface EngineInternals {
  _handle: NativeHandle | null;
  _processChunk(chunk: Uint8Array, flush: number): Buffer;
}

/** One native zlib engine (Gunzip, Gzip, or Inflate for zlib streams) driven synchronously, chunk by chunk. */
export class SyncZlib {
  private handle: NativeHandle | null;
  private readonly internals: EngineInternals;

  constructor(private readonly engine: zlib.Gunzip | zlib.Gzip | zlib.Inflate) {
    this.internals = engine as unknown as EngineInternals;
    this.handle = this.internals._handle;
    // A failing chunk is reported by the throw from process(); zlib also
    // emits 'error' on the next tick, which must not become an uncaught exception.
    engine.on('error', () => {});
    if (!this.handle || typeof this.internals._processChunk !== 'function') {
      throw new Error('this Node version lacks the zlib internals brainalign uses for streaming gzip');
    }
  }

  /** Feed `input`; returns all output zlib produces for it (flush: a zlib.constants.Z_* flush flag). */
  process(input: Uint8Array, flush: number): Buffer {
    const handle = this.handle;
    if (!handle) throw new Error('zlib engine already closed');
    const close = handle.close;
    const before = this.engine.listeners('error');
    handle.close = () => {};
    let ok = false;
    try {
      const out = this.internals._processChunk(input, flush);
      ok = true;
      return out;
    } finally {
      handle.close = close;
      if (ok) this.internals._handle = handle;
      else this.handle = null;
      // processChunkSync adds an 'error' listener on every call; drop it again.
      for (const l of this.engine.listeners('error')) {
        if (!before.includes(l)) this.engine.removeListener('error', l as (...args: unknown[]) => void);
      }
    }
  }

  close(): void {
    if (this.handle) {
      this.internals._handle = this.handle;
      this.handle = null;
      this.engine.close();
    }
  }
}

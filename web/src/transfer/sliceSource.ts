// Where the sender's bytes come from: a file read in slices, in order, and
// hashed (SHA-256 of the whole file) on the way. The sender asks a
// SliceSource for a stream per file and sends what it yields; reading and
// hashing happen either here on the page's thread (InThreadSliceSource) or
// in a module worker (WorkerSliceSource, the default in browsers), which
// reads the next slices and hashes them while the page sends the previous
// ones, and hands each slice over without a copy (a transferred ArrayBuffer).
//
// A stream starts from a hash snapshot (see sha256.ts): bytes between the
// snapshot and the first byte to send are read and hashed, not handed out.

import { realTimers, type TimerHandle, type Timers } from '../util/timers';
import { HASH_CHECKPOINT_BYTES, IncrementalSha256, type HashSnapshot, type Sha256EngineName } from './sha256';

export const SLICE_BYTES = 2 * 1024 * 1024;
/** Slices the worker may read ahead of the page. */
export const READ_AHEAD_SLICES = 3;
/** How long a new worker may take to say it is ready before the page reads by itself. */
export const WORKER_READY_MS = 5_000;

/** What is read of a File: its size and slices. */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** The file could not be read (deleted, changed since it was chosen): the message says which and why. */
export class ReadError extends Error {
  override readonly name = 'ReadError';
}

/** The reader itself stopped (the worker died): the stream can be opened again elsewhere. */
export class SourceFailed extends Error {
  override readonly name = 'SourceFailed';
}

export interface SliceRequest {
  blob: BlobLike;
  /** For messages: the file's path in the transfer. */
  path: string;
  size: number;
  /** The first byte to hand out; bytes before it (from the snapshot on) are read and hashed only. */
  start: number;
  /** A hash snapshot of this file at or below `start` taken by `engine`, or null to hash from byte 0. */
  hashFrom: (engine: Sha256EngineName) => HashSnapshot | null;
}

export interface SliceStream {
  /** The next slice in order (the first one begins at `start`), null after the last. */
  next(): Promise<Uint8Array | null>;
  /** The hex SHA-256 of the whole file, once next() has returned null. */
  readonly sha256: string | null;
  /** Stops reading (the rest is not wanted). */
  close(): void;
}

export interface SliceSource {
  /** Opens a stream of `request`'s file; `onSnapshot` gets the hash state every checkpoint (for later restarts). */
  open(request: SliceRequest, onSnapshot: (snapshot: HashSnapshot) => void): SliceStream;
  /** Ends the source (and its worker); open streams stop. */
  close(): void;
}

export interface ReadOptions {
  sliceBytes?: number;
  checkpointBytes?: number;
}

/**
 * Reads `request`'s file from `hash.position` in slices (one read ahead),
 * hashes every byte, reports a snapshot every `checkpointBytes`, and yields
 * the slices from `request.start` on; returns the file's hex SHA-256.
 */
export async function* readSlices(
  request: SliceRequest,
  hash: IncrementalSha256,
  onSnapshot: (snapshot: HashSnapshot) => void,
  { sliceBytes = SLICE_BYTES, checkpointBytes = HASH_CHECKPOINT_BYTES }: ReadOptions = {},
): AsyncGenerator<Uint8Array, string> {
  const { blob, path, size, start } = request;
  if (blob.size !== size) throw new ReadError(`${path} changed size since it was chosen`);
  const read = (at: number): Promise<Uint8Array> => {
    const end = Math.min(size, at + sliceBytes);
    const promise = Promise.resolve()
      .then(() => blob.slice(at, end).arrayBuffer())
      .then((buffer) => {
        if (buffer.byteLength !== end - at) throw new Error(`${path} changed since it was chosen`);
        return new Uint8Array(buffer);
      })
      .catch((error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        throw new ReadError(`Could not read ${path}: ${text}`);
      });
    promise.catch(() => undefined); // an abandoned read-ahead must not be an unhandled rejection
    return promise;
  };
  let position = hash.position;
  let snapshotAt = position;
  let next = position < size ? read(position) : null;
  while (next) {
    const bytes = await next;
    const at = position;
    position += bytes.byteLength;
    next = position < size ? read(position) : null;
    hash.update(bytes);
    if (position - snapshotAt >= checkpointBytes) {
      snapshotAt = position;
      onSnapshot(hash.snapshot());
    }
    if (position > start) yield at >= start ? bytes : bytes.subarray(start - at);
  }
  return hash.digestHex();
}

/** A hash to continue `request` from: its snapshot if `hash`'s engine took one, else from 0. */
function startHash(request: SliceRequest, hash: IncrementalSha256): IncrementalSha256 {
  const snapshot = request.hashFrom(hash.engineName);
  if (snapshot && snapshot.position <= request.start) hash.restore(snapshot);
  return hash;
}

/** Reads and hashes on the calling thread. */
export class InThreadSliceSource implements SliceSource {
  private readonly streams = new Set<SliceStream>();

  /** `createHash`: JavaScript by default (synchronous: tests with fake timers stay deterministic). */
  constructor(
    private readonly options: ReadOptions & { createHash?: () => IncrementalSha256 | Promise<IncrementalSha256> } = {},
  ) {}

  open(request: SliceRequest, onSnapshot: (snapshot: HashSnapshot) => void): SliceStream {
    const made = (this.options.createHash ?? IncrementalSha256.create)();
    const start = (hash: IncrementalSha256) => readSlices(request, startHash(request, hash), onSnapshot, this.options);
    let slices: AsyncGenerator<Uint8Array, string> | Promise<AsyncGenerator<Uint8Array, string>> =
      made instanceof IncrementalSha256 ? start(made) : made.then(start);
    const streams = this.streams;
    let closed = false;
    const stream: SliceStream = {
      sha256: null,
      async next() {
        if (closed) return null;
        slices = await slices;
        const result = await slices.next();
        if (!result.done) return result.value;
        (stream as { sha256: string | null }).sha256 = result.value;
        streams.delete(stream);
        return null;
      },
      close() {
        closed = true;
        streams.delete(stream);
        void Promise.resolve(slices)
          .then((generator) => generator.return(''))
          .catch(() => undefined);
      },
    };
    streams.add(stream);
    return stream;
  }

  close(): void {
    for (const stream of [...this.streams]) stream.close();
  }
}

// ---- the worker ----

/** Page → worker. */
export type ToSliceWorker =
  | {
      t: 'open';
      id: number;
      blob: BlobLike;
      path: string;
      size: number;
      start: number;
      from: HashSnapshot | null;
      sliceBytes: number;
      checkpointBytes: number;
    }
  | { t: 'pull'; id: number; n: number }
  | { t: 'close'; id: number };

/** Worker → page. */
export type FromSliceWorker =
  | { t: 'ready'; engine: Sha256EngineName }
  | { t: 'slice'; id: number; buffer: ArrayBuffer; byteOffset: number; byteLength: number }
  | { t: 'snapshot'; id: number; snapshot: HashSnapshot }
  | { t: 'end'; id: number; sha256: string }
  /** `read`: the file could not be read; `source`: the worker could not go on (hashing failed). */
  | { t: 'error'; id: number; kind: 'read' | 'source'; message: string };

/** What the page needs of a Worker (a fake one in tests). */
export interface WorkerLike {
  postMessage(message: ToSliceWorker): void;
  onmessage: ((event: { data: FromSliceWorker }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  terminate(): void;
}

/**
 * The worker's side (sliceWorker.ts runs it): one reading loop per open
 * stream, reading only as far ahead as the page has pulled.
 */
export class SliceWorkerHost {
  private readonly streams = new Map<number, { credit: number; closed: boolean; wake: (() => void) | null }>();
  private engine: Promise<Sha256EngineName> | null = null;
  /** Hashes of finished streams, reused (a folder of 10,000 files needs no 10,000 WebAssembly instances). */
  private readonly spare: IncrementalSha256[] = [];

  constructor(
    private readonly post: (message: FromSliceWorker, transfer?: Transferable[]) => void,
    private readonly options: { createHash?: () => Promise<IncrementalSha256> } = {},
  ) {}

  private createHash(): Promise<IncrementalSha256> {
    return (this.options.createHash ?? IncrementalSha256.createFast)();
  }

  private async takeHash(): Promise<IncrementalSha256> {
    const hash = this.spare.pop();
    if (!hash) return this.createHash();
    hash.reset();
    return hash;
  }

  private giveBack(hash: IncrementalSha256): void {
    if (this.spare.length < 4) this.spare.push(hash);
  }

  /** Makes a first hash (compiling the WebAssembly once) and says which engine the snapshots are for. */
  async start(): Promise<void> {
    this.engine ??= this.createHash().then((hash) => {
      this.spare.push(hash);
      return hash.engineName;
    });
    this.post({ t: 'ready', engine: await this.engine });
  }

  handle(message: ToSliceWorker): void {
    switch (message.t) {
      case 'open':
        this.streams.set(message.id, { credit: 0, closed: false, wake: null });
        void this.run(message);
        break;
      case 'pull': {
        const stream = this.streams.get(message.id);
        if (!stream) return;
        stream.credit += message.n;
        stream.wake?.();
        break;
      }
      case 'close': {
        const stream = this.streams.get(message.id);
        if (!stream) return;
        stream.closed = true;
        this.streams.delete(message.id);
        stream.wake?.();
        break;
      }
    }
  }

  private async run(open: Extract<ToSliceWorker, { t: 'open' }>): Promise<void> {
    const { id } = open;
    const state = this.streams.get(id)!;
    const request: SliceRequest = {
      blob: open.blob,
      path: open.path,
      size: open.size,
      start: open.start,
      hashFrom: (engine) => (open.from && open.from.engine === engine ? open.from : null),
    };
    let hash: IncrementalSha256 | null = null;
    try {
      hash = startHash(request, await this.takeHash());
      const slices = readSlices(request, hash, (snapshot) => this.post({ t: 'snapshot', id, snapshot }), {
        sliceBytes: open.sliceBytes,
        checkpointBytes: open.checkpointBytes,
      });
      for (;;) {
        while (state.credit <= 0 && !state.closed) await new Promise<void>((resolve) => (state.wake = resolve));
        state.wake = null;
        if (state.closed) {
          await slices.return('');
          return;
        }
        const result = await slices.next();
        if (state.closed) {
          await slices.return('');
          return;
        }
        if (result.done) {
          this.post({ t: 'end', id, sha256: result.value });
          break;
        }
        state.credit -= 1;
        const bytes = result.value;
        const buffer = bytes.buffer as ArrayBuffer;
        this.post({ t: 'slice', id, buffer, byteOffset: bytes.byteOffset, byteLength: bytes.byteLength }, [buffer]);
      }
    } catch (error) {
      const kind = error instanceof ReadError ? 'read' : 'source';
      if (!state.closed) this.post({ t: 'error', id, kind, message: error instanceof Error ? error.message : String(error) });
    } finally {
      this.streams.delete(id);
      if (hash) this.giveBack(hash);
    }
  }
}

interface WorkerStream {
  slices: Uint8Array[];
  done: boolean;
  sha256: string | null;
  error: Error | null;
  waiter: (() => void) | null;
  onSnapshot: (snapshot: HashSnapshot) => void;
}

/**
 * Reads and hashes in a worker. Until the worker says it is ready, streams
 * wait; if it fails to start (or does not say so in `readyMs`), this source
 * reads on the page's thread instead. A worker that dies later fails its
 * open streams with SourceFailed.
 */
export class WorkerSliceSource implements SliceSource {
  private worker: WorkerLike | null = null;
  private fallback: InThreadSliceSource | null = null;
  private engine: Sha256EngineName | null = null;
  private readonly ready: Promise<void>;
  private resolveReady: () => void = () => undefined;
  private readyTimer: TimerHandle | null = null;
  private readonly streams = new Map<number, WorkerStream>();
  private nextId = 1;
  private closed = false;
  private readonly timers: Timers;
  private readonly readAhead: number;

  constructor(
    createWorker: () => WorkerLike,
    private readonly options: ReadOptions & { timers?: Timers; readyMs?: number; readAhead?: number } = {},
  ) {
    this.timers = options.timers ?? realTimers;
    this.readAhead = options.readAhead ?? READ_AHEAD_SLICES;
    this.ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
    try {
      const worker = createWorker();
      this.worker = worker;
      worker.onmessage = (event) => this.onMessage(event.data);
      worker.onerror = () => this.failWorker('The reading worker stopped');
      this.readyTimer = this.timers.setTimeout(() => this.failWorker('The reading worker did not start'), options.readyMs ?? WORKER_READY_MS);
    } catch {
      this.useFallback();
    }
  }

  /** 'worker' once the worker is ready, 'page' when reading on the page's thread, null while starting. */
  get mode(): 'worker' | 'page' | null {
    if (this.fallback) return 'page';
    return this.engine ? 'worker' : null;
  }

  open(request: SliceRequest, onSnapshot: (snapshot: HashSnapshot) => void): SliceStream {
    let inner: SliceStream | null = null;
    let closed = false;
    const id = this.nextId++;
    const state: WorkerStream = { slices: [], done: false, sha256: null, error: null, waiter: null, onSnapshot };
    // Waits for the worker, then opens the stream there (or on the page if the worker failed).
    const opened = this.ready.then(() => {
      if (closed || this.closed) return;
      if (this.fallback) {
        inner = this.fallback.open(request, onSnapshot);
        return;
      }
      if (!this.worker) {
        state.error = new SourceFailed('The reading worker stopped');
        return;
      }
      this.streams.set(id, state);
      const from = this.engine ? request.hashFrom(this.engine) : null;
      this.worker?.postMessage({
        t: 'open',
        id,
        blob: request.blob,
        path: request.path,
        size: request.size,
        start: request.start,
        from,
        sliceBytes: this.options.sliceBytes ?? SLICE_BYTES,
        checkpointBytes: this.options.checkpointBytes ?? HASH_CHECKPOINT_BYTES,
      });
      this.worker?.postMessage({ t: 'pull', id, n: this.readAhead });
    });
    const stream: SliceStream = {
      sha256: null,
      next: async () => {
        await opened;
        if (closed) return null;
        if (inner) {
          const bytes = await inner.next();
          if (bytes === null) (stream as { sha256: string | null }).sha256 = inner.sha256;
          return bytes;
        }
        for (;;) {
          const slice = state.slices.shift();
          if (slice) {
            this.worker?.postMessage({ t: 'pull', id, n: 1 });
            return slice;
          }
          if (state.error) throw state.error;
          if (state.done) {
            (stream as { sha256: string | null }).sha256 = state.sha256;
            return null;
          }
          if (closed || this.closed) return null;
          await new Promise<void>((resolve) => (state.waiter = resolve));
          state.waiter = null;
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        inner?.close();
        if (this.streams.delete(id)) this.worker?.postMessage({ t: 'close', id });
        state.waiter?.();
      },
    };
    return stream;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearReadyTimer();
    this.fallback?.close();
    for (const state of this.streams.values()) state.waiter?.();
    this.streams.clear();
    this.worker?.terminate();
    this.worker = null;
    this.resolveReady();
  }

  private onMessage(message: FromSliceWorker): void {
    if (this.closed) return;
    if (message.t === 'ready') {
      this.engine = message.engine;
      this.clearReadyTimer();
      this.resolveReady();
      return;
    }
    const state = this.streams.get(message.id);
    if (!state) return;
    switch (message.t) {
      case 'slice':
        state.slices.push(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
        break;
      case 'snapshot':
        state.onSnapshot(message.snapshot);
        return;
      case 'end':
        state.done = true;
        state.sha256 = message.sha256;
        this.streams.delete(message.id);
        break;
      case 'error':
        state.error = message.kind === 'read' ? new ReadError(message.message) : new SourceFailed(message.message);
        this.streams.delete(message.id);
        break;
    }
    state.waiter?.();
  }

  /** The worker failed: before it was ready, read on the page instead; after, fail the open streams. */
  private failWorker(text: string): void {
    if (this.closed || this.fallback) return;
    this.clearReadyTimer();
    this.worker?.terminate();
    this.worker = null;
    if (this.engine === null) {
      this.useFallback();
      return;
    }
    for (const state of this.streams.values()) {
      state.error = new SourceFailed(text);
      state.waiter?.();
    }
    this.streams.clear();
  }

  private useFallback(): void {
    this.fallback = new InThreadSliceSource({ createHash: IncrementalSha256.createFast, ...this.options });
    this.resolveReady();
  }

  private clearReadyTimer(): void {
    if (this.readyTimer !== null) this.timers.clearTimeout(this.readyTimer);
    this.readyTimer = null;
  }
}

/**
 * The page's default: a module worker; where there are no workers (Node, in
 * tests) the calling thread with the JavaScript engine, which is synchronous.
 */
export function createSliceSource(options: ReadOptions & { timers?: Timers } = {}): SliceSource {
  if (typeof Worker !== 'function') return new InThreadSliceSource(options);
  return new WorkerSliceSource(
    () => new Worker(new URL('./sliceWorker.ts', import.meta.url), { type: 'module', name: 'peerdrop-reader' }) as unknown as WorkerLike,
    options,
  );
}

// A SliceSource that reads and hashes in a module worker, which reads the next
// slices while the page sends the previous ones.

import { realTimers, type TimerHandle, type Timers } from '../util/timers';
import { InThreadSliceSource } from './InThreadSliceSource';
import { HASH_CHECKPOINT_BYTES, IncrementalSha256, type HashSnapshot, type Sha256EngineName } from './sha256';
import {
  READ_AHEAD_SLICES,
  ReadError,
  SLICE_BYTES,
  SourceFailed,
  WORKER_READY_MS,
  type ReadOptions,
  type SliceRequest,
  type SliceSource,
  type SliceStream,
} from './sliceSource';
import type { FromSliceWorker, WorkerLike } from './sliceWorkerProtocol';

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

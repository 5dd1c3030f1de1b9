// The worker's side of WorkerSliceSource: reads and hashes the files the
// page names and hands the slices back without a copy.

import { IncrementalSha256, type Sha256EngineName } from './sha256';
import { ReadError, readSlices, startHash, type SliceRequest } from './sliceSource';
import type { FromSliceWorker, ToSliceWorker } from './sliceWorkerProtocol';

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

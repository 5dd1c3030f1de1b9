// A worker for WorkerSliceSource that runs SliceWorkerHost on this thread:
// messages cross in microtasks (as they would cross threads: later, in order),
// slices are handed over as the worker would (the worker's view of the
// buffer is detached by a transfer: here, by structuredClone's transfer).

import { IncrementalSha256 } from '../../src/transfer/sha256';
import { SliceWorkerHost } from '../../src/transfer/SliceWorkerHost';
import type { FromSliceWorker, ToSliceWorker, WorkerLike } from '../../src/transfer/sliceWorkerProtocol';

export class FakeSliceWorker implements WorkerLike {
  onmessage: ((event: { data: FromSliceWorker }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  terminated = false;
  readonly host: SliceWorkerHost;
  /** Messages the page posted, in order. */
  readonly received: ToSliceWorker[] = [];
  /** Slices handed to the page. */
  slicesPosted = 0;
  /** The worker's own buffers of the slices it handed over (detached once moved). */
  readonly handedOver: ArrayBuffer[] = [];

  constructor(options: { wasm?: boolean; start?: boolean } = {}) {
    this.host = new SliceWorkerHost(
      (message, transfer) => {
        if (this.terminated) return;
        if (message.t === 'slice') {
          this.slicesPosted += 1;
          this.handedOver.push(message.buffer);
        }
        const moved = transfer && transfer.length > 0 ? structuredClone(message, { transfer }) : message;
        queueMicrotask(() => {
          if (!this.terminated) this.onmessage?.({ data: moved });
        });
      },
      { createHash: options.wasm ? IncrementalSha256.createFast : async () => IncrementalSha256.create() },
    );
    if (options.start !== false) queueMicrotask(() => void this.host.start());
  }

  postMessage(message: ToSliceWorker): void {
    if (this.terminated) return;
    this.received.push(message);
    queueMicrotask(() => {
      if (!this.terminated) this.host.handle(message);
    });
  }

  terminate(): void {
    this.terminated = true;
  }

  /** The worker dies (an error event, as a crashed worker gives). */
  crash(): void {
    this.terminated = true;
    this.onerror?.({ message: 'crashed' });
  }
}

// The messages between the page (WorkerSliceSource) and its reading worker
// (SliceWorkerHost, run by sliceWorker.ts).

import type { BlobLike } from './sliceSource';
import type { HashSnapshot, Sha256EngineName } from './sha256';

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

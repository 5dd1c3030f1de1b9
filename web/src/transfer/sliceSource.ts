// Where the sender's bytes come from: a file read in slices, in order, and
// hashed (SHA-256 of the whole file) on the way. The sender asks a
// SliceSource for a stream per file and sends what it yields; reading and
// hashing happen either on the page's thread (InThreadSliceSource) or
// in a module worker (WorkerSliceSource, the default in browsers), which
// reads the next slices and hashes them while the page sends the previous
// ones, and hands each slice over without a copy (a transferred ArrayBuffer).
//
// A stream starts from a hash snapshot (see sha256.ts): bytes between the
// snapshot and the first byte to send are read and hashed, not handed out.

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
export function startHash(request: SliceRequest, hash: IncrementalSha256): IncrementalSha256 {
  const snapshot = request.hashFrom(hash.engineName);
  if (snapshot && snapshot.position <= request.start) hash.restore(snapshot);
  return hash;
}

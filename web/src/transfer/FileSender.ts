// The sending side of one accepted transfer: reads each file in 2 MiB slices,
// hashes it (SHA-256, whole file, also the prefix a resume skips), and sends it
// on the transfer's `xfer:<tid>` channel in messages of up to the peer's
// message size, keeping the channel's bufferedAmount between a low and a high
// mark and never more than `durable + credit` past the receiver's last ack.
// Files go in index order; the next file starts without waiting for the
// previous one's verdict. Every xfer_accept starts a new run on a new channel
// from the offsets it names (a resume, or the receiver asking to rewind).

import { realTimers, type TimerHandle, type Timers } from '../util/timers';
import type { DataChannelLike } from '../rtc/PeerSession';
import { HashCheckpoints, type IncrementalSha256 } from './sha256';
import { encodeDataMessage, payloadSize, type ResumeOffset, type TransferControlMessage, type XferAck } from './wire';

export const SLICE_BYTES = 2 * 1024 * 1024;
export const LOW_MARK = 1024 * 1024;
export const HIGH_MARK = 4 * 1024 * 1024;

/** What the sender needs of a File: its size and slices it can read. */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface SenderFile {
  i: number;
  path: string;
  size: number;
}

export type SenderEvent =
  /** Every byte of every file went out and each xfer_file_end was sent. */
  | { type: 'allSent' }
  /** The channel closed under a run: wait for the connection and resume. */
  | { type: 'channelClosed' }
  /** A file could not be read (deleted or changed since it was chosen). */
  | { type: 'readError'; i: number; error: string }
  /** Counters moved (bytes sent, acks): for throttled progress. */
  | { type: 'progress' };

export interface FileSenderOptions {
  tid: string;
  files: readonly SenderFile[];
  /** The File per index (null while missing, e.g. after a reload). */
  blob: (i: number) => BlobLike | null;
  sendControl: (message: TransferControlMessage) => boolean;
  onEvent: (event: SenderEvent) => void;
  timers?: Timers;
  sliceBytes?: number;
  lowMark?: number;
  highMark?: number;
  /** Timer fallback for a missed bufferedamountlow. */
  pollMs?: number;
  /** Distance between hash snapshots (restarts within this page's life re-read from the nearest). */
  hashCheckpointBytes?: number;
}

class Aborted extends Error {}
class ChannelGone extends Error {}
class ReadFailed extends Error {
  constructor(
    message: string,
    readonly i: number,
  ) {
    super(message);
  }
}

/** Is this the error send() throws when the channel's queue is full? */
export function isQueueFull(error: unknown): boolean {
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null)) return false;
  const e = error as { name?: unknown; message?: unknown };
  return e.name === 'OperationError' || (typeof e.message === 'string' && /queue.*full|full.*queue/i.test(e.message));
}

export class FileSender {
  private readonly files: readonly SenderFile[];
  private readonly byIndex = new Map<number, SenderFile>();
  private readonly base: number[] = [];
  private readonly timers: Timers;
  private readonly sliceBytes: number;
  private readonly lowMark: number;
  private readonly highMark: number;
  private readonly pollMs: number;
  private readonly checkpoints = new Map<number, HashCheckpoints>();
  /** Files the receiver reported (ok or not): never sent again. */
  private readonly finished = new Set<number>();
  private accepted = new Map<number, number>();
  private generation = 0;
  private channel: DataChannelLike | null = null;
  private waiter: (() => void) | null = null;
  private sentPosition = 0;
  private limit = -1;
  private lastAck: XferAck | null = null;
  private sentBytes = 0;
  private running = false;
  readonly total: number;

  constructor(private readonly options: FileSenderOptions) {
    this.files = [...options.files].sort((a, b) => a.i - b.i);
    let at = 0;
    for (const f of this.files) {
      this.base[f.i] = at;
      this.byIndex.set(f.i, f);
      at += f.size;
    }
    this.total = at;
    this.timers = options.timers ?? realTimers;
    this.sliceBytes = options.sliceBytes ?? SLICE_BYTES;
    this.lowMark = options.lowMark ?? LOW_MARK;
    this.highMark = options.highMark ?? HIGH_MARK;
    this.pollMs = options.pollMs ?? 100;
  }

  /** Bytes put on data channels (resends included). */
  get bytesSent(): number {
    return this.sentBytes;
  }

  /** Bytes the receiver holds durably, as far as its acks and verdicts tell. */
  get bytesDurable(): number {
    let sum = 0;
    for (const f of this.files) sum += this.fileDurable(f.i);
    return sum;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Durable bytes of file `i` (its size once the receiver reported it). */
  fileDurable(i: number): number {
    const file = this.byIndex.get(i);
    if (!file) return 0;
    if (this.finished.has(i)) return file.size;
    const ack = this.lastAck;
    if (ack) {
      if (i < ack.i) return file.size;
      if (i === ack.i) return Math.min(file.size, ack.durable);
    }
    return Math.min(file.size, this.accepted.get(i) ?? 0);
  }

  /**
   * Starts (or restarts) sending on `channel` from the offsets the receiver
   * named; the previous run stops and its channel is closed.
   */
  start(channel: DataChannelLike, resume: readonly ResumeOffset[], maxMessageSize: number | null): void {
    this.abortRun();
    const generation = ++this.generation;
    this.accepted = new Map(resume.map((r) => [r.i, r.offset]));
    this.lastAck = null;
    this.limit = -1; // nothing may go out before the receiver's first ack
    this.channel = channel;
    channel.bufferedAmountLowThreshold = this.lowMark;
    channel.onbufferedamountlow = () => this.wake();
    channel.onclose = () => this.wake();
    channel.onopen = () => this.wake();
    this.running = true;
    void this.run(generation, channel, payloadSize(maxMessageSize)).finally(() => {
      if (this.generation === generation) this.running = false;
    });
  }

  /** The receiver's flow-control message for the current run. */
  ack(message: XferAck): void {
    const base = this.base[message.i];
    if (base === undefined) return;
    this.lastAck = message;
    this.limit = base + message.durable + message.credit;
    this.wake();
    this.options.onEvent({ type: 'progress' });
  }

  /** The receiver reported file `i` finished (verified, or failed): it is never sent again. */
  fileFinished(i: number): void {
    this.finished.add(i);
    this.wake();
  }

  isFinished(i: number): boolean {
    return this.finished.has(i);
  }

  /** Stops the run and closes its channel (cancel, connection lost, done). */
  stop(): void {
    this.abortRun();
    this.generation += 1;
  }

  // ---- the run ----

  private abortRun(): void {
    this.generation += 1;
    const channel = this.channel;
    this.channel = null;
    this.running = false;
    if (channel) {
      channel.onbufferedamountlow = null;
      channel.onclose = null;
      channel.onopen = null;
      try {
        channel.close();
      } catch {
        // already closed
      }
    }
    this.wake();
  }

  private async run(generation: number, channel: DataChannelLike, payload: number): Promise<void> {
    try {
      for (const file of this.files) {
        this.check(generation);
        if (this.finished.has(file.i)) continue;
        await this.sendFile(generation, channel, file, payload);
      }
      this.check(generation);
      this.options.onEvent({ type: 'allSent' });
    } catch (error) {
      if (error instanceof Aborted || this.generation !== generation) return;
      if (error instanceof ChannelGone) this.options.onEvent({ type: 'channelClosed' });
      else if (error instanceof ReadFailed) this.options.onEvent({ type: 'readError', i: error.i, error: error.message });
      else this.options.onEvent({ type: 'readError', i: -1, error: String(error) });
    }
  }

  private async sendFile(generation: number, channel: DataChannelLike, file: SenderFile, payload: number): Promise<void> {
    const blob = this.options.blob(file.i);
    if (!blob) throw new ReadFailed(`${file.path} is not selected`, file.i);
    if (blob.size !== file.size) {
      throw new ReadFailed(`${file.path} changed size since it was chosen`, file.i);
    }
    const start = Math.min(file.size, Math.max(0, this.accepted.get(file.i) ?? 0));
    let checkpoints = this.checkpoints.get(file.i);
    if (!checkpoints) {
      checkpoints = new HashCheckpoints(this.options.hashCheckpointBytes);
      this.checkpoints.set(file.i, checkpoints);
    }
    const hash = checkpoints.from(start);
    // The prefix the receiver already holds: read and hashed, not sent.
    for await (const bytes of this.slices(generation, blob, file, hash.position, start)) {
      this.hashSlice(hash, checkpoints, bytes);
    }
    this.sentPosition = (this.base[file.i] ?? 0) + start;
    let offset = start;
    for await (const bytes of this.slices(generation, blob, file, start, file.size)) {
      this.hashSlice(hash, checkpoints, bytes);
      await this.sendSlice(generation, channel, file.i, offset, bytes, payload);
      offset += bytes.byteLength;
    }
    this.check(generation);
    if (this.finished.has(file.i)) return;
    this.options.sendControl({ t: 'xfer_file_end', tid: this.options.tid, i: file.i, size: file.size, sha256: hash.digestHex() });
  }

  private hashSlice(hash: IncrementalSha256, checkpoints: HashCheckpoints, bytes: Uint8Array): void {
    hash.update(bytes);
    checkpoints.note(hash);
  }

  /** The file's bytes [from, to) in slices, one read ahead of the consumer. */
  private async *slices(generation: number, blob: BlobLike, file: SenderFile, from: number, to: number): AsyncGenerator<Uint8Array> {
    const read = (start: number): Promise<Uint8Array> => {
      const end = Math.min(to, start + this.sliceBytes);
      const promise = blob
        .slice(start, end)
        .arrayBuffer()
        .then((buffer) => {
          if (buffer.byteLength !== end - start) throw new Error(`${file.path} changed since it was chosen`);
          return new Uint8Array(buffer);
        })
        .catch((error: unknown) => {
          const text = error instanceof Error ? error.message : String(error);
          throw new ReadFailed(`Could not read ${file.path}: ${text}`, file.i);
        });
      promise.catch(() => undefined); // an abandoned read-ahead must not be an unhandled rejection
      return promise;
    };
    let position = from;
    let next = position < to ? read(position) : null;
    while (next) {
      const bytes = await next;
      this.check(generation);
      position += bytes.byteLength;
      next = position < to ? read(position) : null;
      yield bytes;
    }
  }

  private async sendSlice(
    generation: number,
    channel: DataChannelLike,
    index: number,
    offset: number,
    bytes: Uint8Array,
    payload: number,
  ): Promise<void> {
    let at = 0;
    while (at < bytes.byteLength) {
      const n = Math.min(payload, bytes.byteLength - at);
      // Wait for room in the channel's buffer and in the receiver's credit.
      while (!this.hasRoom(generation, channel, n)) await this.sleep();
      const message = encodeDataMessage(index, offset + at, bytes.subarray(at, at + n));
      try {
        channel.send(message);
      } catch (error) {
        if (channel.readyState !== 'open') throw new ChannelGone();
        if (!isQueueFull(error)) throw error;
        await this.sleep(); // the queue is full: wait for it to drain, then the same message again
        continue;
      }
      at += n;
      this.sentPosition += n;
      this.sentBytes += n;
      this.options.onEvent({ type: 'progress' });
    }
  }

  private hasRoom(generation: number, channel: DataChannelLike, n: number): boolean {
    this.check(generation);
    if (channel.readyState === 'closing' || channel.readyState === 'closed') throw new ChannelGone();
    if (channel.readyState !== 'open') return false;
    return channel.bufferedAmount < this.highMark && this.sentPosition + n <= this.limit;
  }

  private check(generation: number): void {
    if (this.generation !== generation) throw new Aborted();
  }

  /** Until bufferedamountlow, an ack, the channel's state changing, or the poll timer. */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | null = null;
      const done = () => {
        if (timer !== null) this.timers.clearTimeout(timer);
        timer = null;
        if (this.waiter === done) this.waiter = null;
        resolve();
      };
      const previous = this.waiter;
      this.waiter = done;
      previous?.();
      timer = this.timers.setTimeout(done, this.pollMs);
    });
  }

  private wake(): void {
    this.waiter?.();
  }
}

// The sending side of one accepted transfer: gets each file's bytes in 2 MiB
// slices from a SliceSource (read and hashed in a worker: SHA-256 of the whole
// file, also of the prefix a resume skips), and sends them on the transfer's
// `xfer:<tid>` channel in messages of up to the peer's message size, keeping
// the channel's bufferedAmount between a low and a high mark and never more
// than `durable + credit` past the receiver's last ack. Files go in index
// order; the next file starts without waiting for the previous one's verdict.
// Every xfer_accept starts a new run on a new channel from the offsets it
// names (a resume, or the receiver asking to rewind).

import { realTimers, type TimerHandle, type Timers } from '../util/timers';
import type { FileChannel } from './FileChannel';
import { HashCheckpoints, IncrementalSha256 } from './sha256';
import { InThreadSliceSource } from './InThreadSliceSource';
import { createSliceSource } from './WorkerSliceSource';
import {
  ReadError,
  SLICE_BYTES,
  SourceFailed,
  type BlobLike,
  type ReadOptions,
  type SliceSource,
  type SliceStream,
} from './sliceSource';
import {
  DATA_HEADER_BYTES,
  encodeDataMessageInto,
  payloadSize,
  type ResumeOffset,
  type TransferControlMessage,
  type XferAck,
} from './wire';

export { SLICE_BYTES, type BlobLike };
export const LOW_MARK = 1024 * 1024;
export const HIGH_MARK = 4 * 1024 * 1024;

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
  /** Where bytes are read and hashed, one per run (default: a worker in browsers, the page's thread elsewhere). */
  source?: (options: ReadOptions) => SliceSource;
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
  private channel: FileChannel | null = null;
  private waiter: (() => void) | null = null;
  private sentPosition = 0;
  private limit = -1;
  private lastAck: XferAck | null = null;
  private sentBytes = 0;
  private running = false;
  private source: SliceSource | null = null;
  /** Every data message is built here: channel.send() copies it (no buffer per message, no garbage). */
  private scratch = new Uint8Array(0);
  /** The worker died once: read on the page's thread from then on. */
  private sourceBroken = false;
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
  start(channel: FileChannel, resume: readonly ResumeOffset[], maxMessageSize: number | null): void {
    this.abortRun();
    const generation = ++this.generation;
    this.accepted = new Map(resume.map((r) => [r.i, r.offset]));
    this.lastAck = null;
    this.limit = -1; // nothing may go out before the receiver's first ack
    this.channel = channel;
    this.source = this.newSource();
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
    this.source?.close();
    this.source = null;
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

  private async run(generation: number, channel: FileChannel, payload: number): Promise<void> {
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

  private newSource(): SliceSource {
    const options: ReadOptions = { sliceBytes: this.sliceBytes };
    if (this.options.hashCheckpointBytes !== undefined) options.checkpointBytes = this.options.hashCheckpointBytes;
    if (this.sourceBroken) return new InThreadSliceSource({ ...options, createHash: IncrementalSha256.createFast });
    return (this.options.source ?? createSliceSource)(options);
  }

  private async sendFile(generation: number, channel: FileChannel, file: SenderFile, payload: number): Promise<void> {
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
    const marks = checkpoints;
    // From `offset`: the bytes before it (from the nearest snapshot on) are read and hashed, not sent.
    const open = (offset: number): SliceStream =>
      this.sourceOf(generation).open(
        { blob, path: file.path, size: file.size, start: offset, hashFrom: (engine) => marks.from(offset, engine) },
        (snapshot) => marks.add(snapshot),
      );
    this.sentPosition = (this.base[file.i] ?? 0) + start;
    let offset = start;
    let stream = open(offset);
    try {
      for (;;) {
        let bytes: Uint8Array | null;
        try {
          bytes = await stream.next();
        } catch (error) {
          this.check(generation);
          if (error instanceof SourceFailed && !this.sourceBroken) {
            // The worker died: go on reading here from where we are.
            stream.close();
            this.sourceBroken = true;
            this.source?.close();
            this.source = this.newSource();
            stream = open(offset);
            continue;
          }
          if (error instanceof ReadError) throw new ReadFailed(error.message, file.i);
          throw error;
        }
        this.check(generation);
        if (!bytes) break;
        await this.sendSlice(generation, channel, file.i, offset, bytes, payload);
        offset += bytes.byteLength;
      }
    } finally {
      stream.close();
    }
    this.check(generation);
    if (this.finished.has(file.i)) return;
    const sha256 = stream.sha256;
    if (sha256 === null) throw new ReadFailed(`${file.path} could not be hashed`, file.i);
    this.options.sendControl({ t: 'xfer_file_end', tid: this.options.tid, i: file.i, size: file.size, sha256 });
  }

  private sourceOf(generation: number): SliceSource {
    this.check(generation);
    if (!this.source) throw new Aborted();
    return this.source;
  }

  private async sendSlice(
    generation: number,
    channel: FileChannel,
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
      if (this.scratch.byteLength < DATA_HEADER_BYTES + n) this.scratch = new Uint8Array(DATA_HEADER_BYTES + payload);
      const message = encodeDataMessageInto(this.scratch, index, offset + at, bytes.subarray(at, at + n));
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

  private hasRoom(generation: number, channel: FileChannel, n: number): boolean {
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

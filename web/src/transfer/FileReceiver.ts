// The receiving side of one accepted transfer. It opens the files at its own
// daemon (a few ahead of the data, never all 10,000 at once), answers the
// sender with the offsets to start from, forwards every data message to the
// daemon as a binary frame (rewriting the header in place: no copy of the
// bytes), turns the daemon's durable offsets into xfer_acks with a credit
// window, and finishes each file when its xfer_file_end and all its bytes are
// in. Whenever the stream can no longer continue where it is (the daemon
// restarted, a frame was refused, bytes are missing) it sends a new
// xfer_accept with fresh offsets and waits for the sender's new channel.
// DaemonFileHandles keeps each file's handle at the daemon (open, refused frames, finish).

import type { FileChannel } from './FileChannel';
import { realTimers, type Timers } from '../util/timers';
import { DaemonFileHandles, type FileHandleEvent } from './DaemonFileHandles';
import type { DaemonFileEvent, DaemonFilePort } from './DaemonFiles';
import { ReceiverCredit } from './ReceiverCredit';
import { ReceivingFiles, type FileProgress, type ReceivingFile } from './ReceivingFiles';
import {
  decodeDataHeader,
  rewriteAsDaemonFrame,
  type OfferedFile,
  type ResumeOffset,
  type TransferControlMessage,
  type XferFileEnd,
} from './wire';

export const CREDIT_WINDOW = 16 * 1024 * 1024;
export const OPEN_AHEAD = 16;

export type FileResult = { ok: true; name: string } | { ok: false; error: string };

export type ReceiverEvent =
  | { type: 'progress' }
  /** A file was verified and moved in place, or failed. */
  | { type: 'fileDone'; i: number; result: FileResult }
  /** Every file has a result. */
  | { type: 'allDone' }
  /** The transfer cannot go on (a name refused, no space, ...): cancel it with `reason`. */
  | { type: 'fatal'; reason: string; text: string }
  /** Waiting for our daemon (it restarted or the page lost it). */
  | { type: 'daemonWait'; waiting: boolean };

export interface FileReceiverOptions {
  tid: string;
  peer: string;
  files: readonly OfferedFile[];
  daemon: DaemonFilePort;
  sendControl: (message: TransferControlMessage) => boolean;
  onEvent: (event: ReceiverEvent) => void;
  /** Results known from before a reload. */
  results?: ReadonlyMap<number, FileResult>;
  timers?: Timers;
  window?: number;
  openAhead?: number;
  ackIntervalMs?: number;
}

export class FileReceiver {
  private readonly files: ReceivingFiles;
  private readonly credit: ReceiverCredit;
  private readonly handles: DaemonFileHandles;
  private channel: FileChannel | null = null;
  /** After an xfer_accept: data counts only from the sender's next channel. */
  private awaitingChannel = false;
  private rewindWanted = false;
  private answering = false;
  private stopped = false;
  private daemonWaiting = false;
  /** An answer (xfer_accept) is due as soon as our daemon is back. */
  private answerPending = false;
  /** The daemon refused a file (or its frames): the transfer is over. */
  private failed = false;
  private readonly offDaemon: () => void;
  readonly total: number;

  constructor(private readonly options: FileReceiverOptions) {
    const timers = options.timers ?? realTimers;
    this.files = new ReceivingFiles(options.files, options.results);
    this.total = this.files.total;
    this.credit = new ReceiverCredit({
      tid: options.tid,
      files: this.files,
      daemon: options.daemon,
      timers,
      window: options.window ?? CREDIT_WINDOW,
      ackIntervalMs: options.ackIntervalMs ?? 250,
      sendControl: options.sendControl,
    });
    this.handles = new DaemonFileHandles({
      tid: options.tid,
      peer: options.peer,
      files: this.files,
      daemon: options.daemon,
      timers,
      openAhead: options.openAhead ?? OPEN_AHEAD,
      onEvent: (event) => this.onHandles(event),
    });
    this.offDaemon = options.daemon.on((event) => this.onDaemon(event));
  }

  // ---- counters for the UI ----

  get bytesReceived(): number {
    return this.files.bytesReceived;
  }

  get bytesDurable(): number {
    return this.files.bytesDurable;
  }

  fileProgress(i: number): FileProgress | null {
    return this.files.progress(i);
  }

  results(): Map<number, FileResult> {
    return this.files.results();
  }

  get allDone(): boolean {
    return this.files.allDone;
  }

  // ---- the transfer ----

  /**
   * Answers an accepted offer or an xfer_resume: opens the first files (again,
   * if the daemon forgot them), then sends xfer_accept with where each file
   * continues, the verdicts of files already done, and a first ack.
   * Resolves false when a file was refused (the transfer is then over).
   */
  async answer(): Promise<boolean> {
    if (this.stopped) return false;
    if (this.answering) {
      this.rewindWanted = true;
      return true;
    }
    if (!this.options.daemon.ready) {
      this.answerPending = true;
      this.setDaemonWaiting(true);
      return true;
    }
    this.answerPending = false;
    this.answering = true;
    try {
      await this.handles.openWindow();
      if (this.stopped || this.failed) return false;
      this.sendAccept();
      return true;
    } finally {
      this.answering = false;
    }
  }

  /** The sender's `xfer:<tid>` channel (a new one after every xfer_accept). */
  attachChannel(channel: FileChannel): void {
    if (this.stopped) {
      channel.close();
      return;
    }
    const previous = this.channel;
    if (previous && previous !== channel) {
      previous.onmessage = null;
      previous.onclose = null;
    }
    this.channel = channel;
    this.awaitingChannel = false;
    channel.onmessage = (event) => {
      if (this.channel !== channel || this.awaitingChannel) return;
      if (event.data instanceof ArrayBuffer) this.onData(event.data);
    };
    channel.onclose = () => {
      if (this.channel === channel) this.channel = null;
    };
    if (this.rewindWanted) this.rewind();
  }

  fileEnd(message: XferFileEnd): void {
    const f = this.files.get(message.i);
    if (!f || this.stopped) return;
    if (f.result) {
      // Done before (e.g. the sender did not hear it): tell again.
      this.sendFileDone(f);
      return;
    }
    f.end = message;
    if (message.size !== f.size) {
      this.setResult(f, { ok: false, error: 'size_mismatch' });
      return;
    }
    // An empty file (or one past the open window) may have no handle yet.
    if (!this.handles.isOpen(f) && !f.opening && this.options.daemon.ready) void this.handles.open(f);
    this.handles.finishIfComplete(f);
  }

  /** The peer connection went away: the channel with it. Handles stay open (for a quick resume). */
  connectionDown(): void {
    const channel = this.channel;
    this.channel = null;
    if (channel) {
      channel.onmessage = null;
      channel.onclose = null;
    }
    this.credit.cancel();
  }

  /** Ends the receiver (done, cancelled by either side): nothing more is sent or forwarded. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connectionDown();
    this.offDaemon();
    this.credit.stop();
    this.handles.stop();
    for (const f of this.files.list) f.queue = [];
  }

  // ---- data ----

  private onData(buffer: ArrayBuffer): void {
    const header = decodeDataHeader(buffer);
    if (!header) return;
    const f = this.files.get(header.index);
    if (!f || f.result) return;
    if (this.handles.isOpen(f) && f.queue.length === 0) {
      this.forward(f, buffer);
    } else if (this.options.daemon.ready) {
      f.queue.push(buffer);
      if (!f.opening) void this.handles.open(f);
    } else {
      // Our daemon is away: these bytes are lost; ask for them again once it is back.
      this.rewindWanted = true;
    }
    this.credit.noteWsBuffer();
  }

  private forward(f: ReceivingFile, buffer: ArrayBuffer): void {
    const header = decodeDataHeader(buffer);
    if (!header || f.handle === null) return;
    const end = header.offset + header.length;
    if (end > f.size) return; // past the file's end: not ours to write
    if (header.offset > f.next) {
      // A gap: bytes went missing (an old channel, a restart). Start again from what is held.
      this.rewind();
      return;
    }
    if (end <= f.next) return; // all of it is held already (a resend)
    const skip = f.next - header.offset;
    const frame = rewriteAsDaemonFrame(buffer, f.handle, f.next, skip);
    if (!this.options.daemon.sendBinary(frame)) {
      this.rewindWanted = true;
      return;
    }
    f.next = end;
    this.options.onEvent({ type: 'progress' });
    this.handles.finishIfComplete(f);
  }

  private setResult(f: ReceivingFile, result: FileResult): void {
    this.files.setResult(f, result);
    this.sendFileDone(f);
    this.options.onEvent({ type: 'fileDone', i: f.i, result });
    this.credit.flush();
    if (this.allDone) {
      this.credit.stopWsPoll();
      this.options.onEvent({ type: 'allDone' });
      return;
    }
    void this.handles.openWindow();
  }

  private sendFileDone(f: ReceivingFile): void {
    const result = f.result;
    if (!result) return;
    this.options.sendControl(
      result.ok
        ? { t: 'xfer_file_done', tid: this.options.tid, i: f.i, ok: true, name: result.name }
        : { t: 'xfer_file_done', tid: this.options.tid, i: f.i, ok: false, error: result.error },
    );
  }

  // ---- files at the daemon ----

  private onHandles(event: FileHandleEvent): void {
    switch (event.type) {
      case 'opened': {
        const f = event.f;
        const queued = f.queue;
        f.queue = [];
        for (const buffer of queued) this.forward(f, buffer);
        this.handles.finishIfComplete(f);
        break;
      }
      case 'finished':
        this.setResult(event.f, event.result);
        break;
      case 'daemonAway':
        this.rewindWanted = true;
        break;
      case 'handleDropped':
        this.rewind();
        break;
      case 'fatal':
        this.failed = true;
        this.options.onEvent(event);
        break;
    }
  }

  // ---- flow control ----

  private sendAccept(): void {
    const resume: ResumeOffset[] = this.files.list.map((f) => ({
      i: f.i,
      offset: f.result ? f.size : this.handles.isOpen(f) ? f.next : 0,
    }));
    this.rewindWanted = false;
    this.awaitingChannel = true;
    // Bytes on the old channel no longer count; what was queued for unopened files is kept (trimmed later).
    this.options.sendControl({ t: 'xfer_accept', tid: this.options.tid, resume });
    for (const f of this.files.list) if (f.result) this.sendFileDone(f);
    this.credit.forget();
    this.credit.flush();
  }

  /** Asks the sender to start again from what is held now (at most one request until its channel arrives). */
  private rewind(): void {
    if (this.stopped) return;
    if (this.awaitingChannel || this.answering || !this.options.daemon.ready) {
      this.rewindWanted = true;
      return;
    }
    void this.answer();
  }

  private onDaemon(event: DaemonFileEvent): void {
    if (this.stopped) return;
    switch (event.type) {
      case 'down':
        for (const f of this.files.list) f.handle = null;
        this.rewindWanted = true;
        this.setDaemonWaiting(true);
        this.credit.flush(); // credit 0 while the daemon is away
        break;
      case 'up':
        this.setDaemonWaiting(false);
        if (this.answerPending || (this.rewindWanted && !this.awaitingChannel && this.channel)) void this.answer();
        else if (this.rewindWanted) {
          // The sender's next channel (or its xfer_resume) asks again; open the files now.
          void this.handles.openWindow();
        }
        break;
      case 'progress': {
        const m = event.message;
        if (m.tid !== this.options.tid || (m.peer !== undefined && m.peer !== this.options.peer)) return;
        const f = this.files.get(m.i);
        if (!f || f.result) return;
        if (m.durable > f.durable) {
          f.durable = Math.min(f.size, m.durable);
          f.frameErrors = 0;
          this.options.onEvent({ type: 'progress' });
          this.credit.request();
        }
        break;
      }
      case 'frameError':
        this.handles.frameRefused(event.handle, event.code, event.error);
        break;
    }
  }

  private setDaemonWaiting(waiting: boolean): void {
    if (this.daemonWaiting === waiting) return;
    this.daemonWaiting = waiting;
    this.options.onEvent({ type: 'daemonWait', waiting });
  }
}

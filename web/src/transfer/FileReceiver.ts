// The receiving side of one accepted transfer. It opens the files at its own
// daemon (a few ahead of the data, never all 10,000 at once), answers the
// sender with the offsets to start from, forwards every data message to the
// daemon as a binary frame (rewriting the header in place: no copy of the
// bytes), turns the daemon's durable offsets into xfer_acks with a credit
// window, and finishes each file when its xfer_file_end and all its bytes are
// in. Whenever the stream can no longer continue where it is (the daemon
// restarted, a frame was refused, bytes are missing) it sends a new
// xfer_accept with fresh offsets and waits for the sender's new channel.

import type { FileChannel } from './FileChannel';
import { realTimers, type Timers } from '../util/timers';
import { DaemonFileError, type DaemonFileEvent, type DaemonFilePort } from './DaemonFiles';
import { ReceiverCredit } from './ReceiverCredit';
import { OPEN_ERROR_REASON, openErrorText } from './receiveErrors';
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
/** Refused frames of one file without progress in between before the transfer is given up. */
export const MAX_FRAME_ERRORS = 5;

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
  private readonly timers: Timers;
  private readonly openAhead: number;
  private readonly credit: ReceiverCredit;
  private channel: FileChannel | null = null;
  /** After an xfer_accept: data counts only from the sender's next channel. */
  private awaitingChannel = false;
  private rewindWanted = false;
  private answering = false;
  private stopped = false;
  private daemonWaiting = false;
  /** An answer (xfer_accept) is due as soon as our daemon is back. */
  private answerPending = false;
  /** A file was refused by the daemon: the transfer is over. */
  private failed = false;
  private readonly offDaemon: () => void;
  readonly total: number;

  constructor(private readonly options: FileReceiverOptions) {
    this.timers = options.timers ?? realTimers;
    this.openAhead = options.openAhead ?? OPEN_AHEAD;
    this.files = new ReceivingFiles(options.files, options.results);
    this.total = this.files.total;
    this.credit = new ReceiverCredit({
      tid: options.tid,
      files: this.files,
      daemon: options.daemon,
      timers: this.timers,
      window: options.window ?? CREDIT_WINDOW,
      ackIntervalMs: options.ackIntervalMs ?? 250,
      sendControl: options.sendControl,
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
      const ok = await this.openWindow();
      if (!ok || this.stopped) return false;
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
    const open = f.handle !== null && f.connection === this.options.daemon.connection;
    if (!open && !f.opening && this.options.daemon.ready) void this.openFile(f);
    this.maybeFinish(f);
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
    for (const f of this.files.list) f.queue = [];
  }

  // ---- data ----

  private onData(buffer: ArrayBuffer): void {
    const header = decodeDataHeader(buffer);
    if (!header) return;
    const f = this.files.get(header.index);
    if (!f || f.result) return;
    if (f.handle !== null && f.connection === this.options.daemon.connection && f.queue.length === 0) {
      this.forward(f, buffer);
    } else if (this.options.daemon.ready) {
      f.queue.push(buffer);
      if (!f.opening) void this.openFile(f);
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
    this.maybeFinish(f);
  }

  private maybeFinish(f: ReceivingFile): void {
    const end = f.end;
    if (!end || f.result || f.finishing || f.next < f.size || f.handle === null) return;
    if (f.connection !== this.options.daemon.connection) return;
    f.finishing = true;
    this.options.daemon
      .finish({ handle: f.handle, size: end.size, sha256: end.sha256 })
      .then((answer) => {
        f.finishing = false;
        if (this.stopped) return;
        if (answer.ok) this.setResult(f, { ok: true, name: answer.name ?? f.name ?? f.path });
        else this.setResult(f, { ok: false, error: answer.code ?? 'failed' });
      })
      .catch((error: unknown) => {
        f.finishing = false;
        if (this.stopped) return;
        const code = error instanceof DaemonFileError ? error.code : 'failed';
        // The daemon went away before it answered: the file is finished again once it is back.
        if (code === 'disconnected' || code === 'timeout') {
          f.handle = null;
          this.rewindWanted = true;
          return;
        }
        this.setResult(f, { ok: false, error: code });
      });
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
    void this.openWindow();
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

  // ---- opening files ----

  /** Opens the next files without a handle (up to `openAhead` open at once); false on a refused name. */
  private async openWindow(): Promise<boolean> {
    const connection = this.options.daemon.connection;
    const waits: Promise<void>[] = [];
    let open = 0;
    for (const f of this.files.open()) {
      if (open >= this.openAhead) break;
      open += 1;
      if (f.opening) waits.push(f.opening);
      else if (f.handle === null || f.connection !== connection) waits.push(this.openFile(f));
    }
    await Promise.all(waits);
    return !this.stopped && !this.failed;
  }

  private openFile(f: ReceivingFile): Promise<void> {
    if (f.opening) return f.opening;
    const daemon = this.options.daemon;
    const promise = daemon
      .open({ peer: this.options.peer, tid: this.options.tid, i: f.i, path: f.path, size: f.size })
      .then((opened) => {
        f.opening = null;
        if (this.stopped) return;
        f.handle = opened.handle;
        f.connection = daemon.connection;
        f.name = opened.name || f.path;
        f.durable = Math.min(f.size, opened.offset);
        // What the daemon holds now is where this file continues.
        f.next = Math.min(f.size, opened.offset);
        f.inUseRetries = 0;
        const queued = f.queue;
        f.queue = [];
        for (const buffer of queued) this.forward(f, buffer);
        this.maybeFinish(f);
      })
      .catch((error: unknown) => {
        f.opening = null;
        if (this.stopped) return;
        const code = error instanceof DaemonFileError ? error.code : 'failed';
        const text = error instanceof Error ? error.message : String(error);
        if (code === 'disconnected' || code === 'timeout') {
          this.rewindWanted = true; // opened again when the daemon is back
          return;
        }
        if (code === 'in_use' && f.inUseRetries < 10) {
          // e.g. the tab before a reload still had it open: the daemon closes it soon.
          f.inUseRetries += 1;
          f.opening = promise;
          return new Promise<void>((resolve) => {
            this.timers.setTimeout(() => {
              f.opening = null;
              void this.openFile(f).then(resolve);
            }, 1_000);
          });
        }
        this.failed = true;
        this.options.onEvent({ type: 'fatal', reason: OPEN_ERROR_REASON[code] ?? code, text: openErrorText(code, f.path, text) });
      });
    f.opening = promise;
    return promise;
  }

  // ---- flow control ----

  private sendAccept(): void {
    const resume: ResumeOffset[] = this.files.list.map((f) => ({
      i: f.i,
      offset: f.result ? f.size : f.handle !== null && f.connection === this.options.daemon.connection ? f.next : 0,
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
          void this.openWindow();
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
      case 'frameError': {
        const f = this.files.list.find((x) => x.handle === event.handle && x.connection === this.options.daemon.connection);
        if (!f || f.result) return;
        if (event.code === 'too_large') {
          this.setResult(f, { ok: false, error: 'size_mismatch' });
          return;
        }
        f.handle = null;
        f.frameErrors += 1;
        if (event.code === 'disk_full' || f.frameErrors > MAX_FRAME_ERRORS) {
          // Not something a fresh start fixes: stop instead of sending the same bytes forever.
          this.failed = true;
          const reason = event.code === 'disk_full' ? 'no_space' : event.code;
          this.options.onEvent({ type: 'fatal', reason, text: openErrorText(event.code, f.path, event.error) });
          return;
        }
        // unknown_handle, out_of_order, in_use (taken over), a passing write error:
        // open it again and continue from what the daemon holds.
        this.rewind();
        break;
      }
    }
  }

  private setDaemonWaiting(waiting: boolean): void {
    if (this.daemonWaiting === waiting) return;
    this.daemonWaiting = waiting;
    this.options.onEvent({ type: 'daemonWait', waiting });
  }
}

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
import { realTimers, type TimerHandle, type Timers } from '../util/timers';
import { DaemonFileError, type DaemonFileEvent, type DaemonFilePort } from './DaemonFiles';
import { Throttle } from './progress';
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
/** Above this many bytes queued on the WebSocket the receiver gives no new credit. */
export const WS_HIGH_MARK = 8 * 1024 * 1024;
export const WS_LOW_MARK = 2 * 1024 * 1024;
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

interface FileState {
  readonly i: number;
  readonly path: string;
  readonly size: number;
  readonly base: number;
  handle: number | null;
  /** The daemon connection the handle belongs to. */
  connection: number;
  opening: Promise<void> | null;
  /** The daemon's name for it (sanitized, then final). */
  name: string | null;
  /** Bytes forwarded to the daemon (or held by it). */
  next: number;
  durable: number;
  end: XferFileEnd | null;
  finishing: boolean;
  result: FileResult | null;
  /** Data that arrived before the file was open. */
  queue: ArrayBuffer[];
  inUseRetries: number;
  /** Frames the daemon refused since this file last made progress. */
  frameErrors: number;
}

const OPEN_ERROR_REASON: Record<string, string> = {
  bad_name: 'bad_name',
  too_large: 'no_space',
  disk_full: 'no_space',
  no_space: 'no_space',
};

export class FileReceiver {
  private readonly files: FileState[] = [];
  private readonly byIndex = new Map<number, FileState>();
  private readonly timers: Timers;
  private readonly window: number;
  private readonly openAhead: number;
  private readonly ackThrottle: Throttle;
  private channel: FileChannel | null = null;
  /** After an xfer_accept: data counts only from the sender's next channel. */
  private awaitingChannel = false;
  private rewindWanted = false;
  private answering = false;
  private wsPaused = false;
  private wsPoll: TimerHandle | null = null;
  private lastAck = '';
  private stopped = false;
  private daemonWaiting = false;
  /** An answer (xfer_accept) is due as soon as our daemon is back. */
  private answerPending = false;
  /** A file was refused by the daemon: the transfer is over. */
  private failed = false;
  private readonly offDaemon: () => void;
  /** Files with a verdict, and the position of the first one without (the lists are long for folders). */
  private doneCount = 0;
  private lowest = 0;
  readonly total: number;

  constructor(private readonly options: FileReceiverOptions) {
    this.timers = options.timers ?? realTimers;
    this.window = options.window ?? CREDIT_WINDOW;
    this.openAhead = options.openAhead ?? OPEN_AHEAD;
    let base = 0;
    for (const f of [...options.files].sort((a, b) => a.i - b.i)) {
      const result = options.results?.get(f.i) ?? null;
      const state: FileState = {
        i: f.i,
        path: f.path,
        size: f.size,
        base,
        handle: null,
        connection: -1,
        opening: null,
        name: result?.ok ? result.name : null,
        next: result ? f.size : 0,
        durable: result ? f.size : 0,
        end: null,
        finishing: false,
        result,
        queue: [],
        inUseRetries: 0,
        frameErrors: 0,
      };
      base += f.size;
      this.files.push(state);
      this.byIndex.set(f.i, state);
    }
    this.total = base;
    this.doneCount = this.files.filter((f) => f.result !== null).length;
    this.advanceLowest();
    this.ackThrottle = new Throttle(this.timers, options.ackIntervalMs ?? 250, () => this.sendAck());
    this.offDaemon = options.daemon.on((event) => this.onDaemon(event));
  }

  // ---- counters for the UI ----

  get bytesReceived(): number {
    return this.files.reduce((sum, f) => sum + Math.min(f.size, f.next), 0);
  }

  get bytesDurable(): number {
    return this.files.reduce((sum, f) => sum + Math.min(f.size, f.durable), 0);
  }

  fileProgress(i: number): { received: number; durable: number; result: FileResult | null; name: string | null } | null {
    const f = this.byIndex.get(i);
    return f ? { received: Math.min(f.size, f.next), durable: Math.min(f.size, f.durable), result: f.result, name: f.name } : null;
  }

  results(): Map<number, FileResult> {
    const map = new Map<number, FileResult>();
    for (const f of this.files) if (f.result) map.set(f.i, f.result);
    return map;
  }

  get allDone(): boolean {
    return this.doneCount === this.files.length;
  }

  private advanceLowest(): void {
    while (this.lowest < this.files.length && this.files[this.lowest]!.result !== null) this.lowest += 1;
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
    const f = this.byIndex.get(message.i);
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
    this.ackThrottle.cancel();
  }

  /** Ends the receiver (done, cancelled by either side): nothing more is sent or forwarded. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connectionDown();
    this.offDaemon();
    this.stopWsPoll();
    for (const f of this.files) f.queue = [];
  }

  // ---- data ----

  private onData(buffer: ArrayBuffer): void {
    const header = decodeDataHeader(buffer);
    if (!header) return;
    const f = this.byIndex.get(header.index);
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
    this.noteWsBuffer();
  }

  private forward(f: FileState, buffer: ArrayBuffer): void {
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

  private maybeFinish(f: FileState): void {
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

  private setResult(f: FileState, result: FileResult): void {
    if (f.result === null) this.doneCount += 1;
    f.result = result;
    this.advanceLowest();
    f.queue = [];
    if (result.ok) {
      f.name = result.name;
      f.durable = f.size;
      f.next = f.size;
    }
    f.handle = null;
    this.sendFileDone(f);
    this.options.onEvent({ type: 'fileDone', i: f.i, result });
    this.ackThrottle.flush();
    if (this.allDone) {
      this.stopWsPoll();
      this.options.onEvent({ type: 'allDone' });
      return;
    }
    void this.openWindow();
  }

  private sendFileDone(f: FileState): void {
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
    for (let k = this.lowest; k < this.files.length; k++) {
      const f = this.files[k]!;
      if (f.result) continue;
      if (open >= this.openAhead) break;
      open += 1;
      if (f.opening) waits.push(f.opening);
      else if (f.handle === null || f.connection !== connection) waits.push(this.openFile(f));
    }
    await Promise.all(waits);
    return !this.stopped && !this.failed;
  }

  private openFile(f: FileState): Promise<void> {
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
    const resume: ResumeOffset[] = this.files.map((f) => ({
      i: f.i,
      offset: f.result ? f.size : f.handle !== null && f.connection === this.options.daemon.connection ? f.next : 0,
    }));
    this.rewindWanted = false;
    this.awaitingChannel = true;
    // Bytes on the old channel no longer count; what was queued for unopened files is kept (trimmed later).
    this.options.sendControl({ t: 'xfer_accept', tid: this.options.tid, resume });
    for (const f of this.files) if (f.result) this.sendFileDone(f);
    this.lastAck = '';
    this.ackThrottle.flush();
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
        for (const f of this.files) f.handle = null;
        this.rewindWanted = true;
        this.setDaemonWaiting(true);
        this.ackThrottle.flush(); // credit 0 while the daemon is away
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
        const f = this.byIndex.get(m.i);
        if (!f || f.result) return;
        if (m.durable > f.durable) {
          f.durable = Math.min(f.size, m.durable);
          f.frameErrors = 0;
          this.options.onEvent({ type: 'progress' });
          this.ackThrottle.request();
        }
        break;
      }
      case 'frameError': {
        const f = this.files.find((x) => x.handle === event.handle && x.connection === this.options.daemon.connection);
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

  /** The file acks refer to: the first one not yet durable to its end. */
  private ackPoint(): FileState | null {
    let last: FileState | null = null;
    for (let k = this.lowest; k < this.files.length; k++) {
      const f = this.files[k]!;
      if (f.result) continue;
      if (f.durable < f.size) return f;
      last = f;
    }
    return last;
  }

  private credit(): number {
    if (!this.options.daemon.ready || this.wsPaused) return 0;
    return this.window;
  }

  private sendAck(): void {
    if (this.stopped) return;
    const f = this.ackPoint();
    if (!f) return;
    const message = { t: 'xfer_ack' as const, tid: this.options.tid, i: f.i, durable: Math.min(f.size, f.durable), credit: this.credit() };
    const key = `${message.i}:${message.durable}:${message.credit}`;
    if (key === this.lastAck) return;
    if (this.options.sendControl(message)) this.lastAck = key;
  }

  /** Watches the WebSocket's queue: no new credit while the daemon does not keep up. */
  private noteWsBuffer(): void {
    if (this.wsPaused || this.options.daemon.bufferedAmount <= WS_HIGH_MARK) return;
    this.wsPaused = true;
    this.ackThrottle.flush();
    this.wsPoll = this.timers.setInterval(() => {
      if (this.options.daemon.bufferedAmount > WS_LOW_MARK && this.options.daemon.ready) return;
      this.wsPaused = false;
      this.stopWsPoll();
      this.ackThrottle.flush();
    }, 50);
  }

  private stopWsPoll(): void {
    if (this.wsPoll !== null) this.timers.clearInterval(this.wsPoll);
    this.wsPoll = null;
  }
}

export function openErrorText(code: string, path: string, text: string): string {
  switch (code) {
    case 'bad_name':
      return `The name \u201c${path}\u201d cannot be used on this computer`;
    case 'disk_full':
    case 'no_space':
      return 'There is not enough space on this computer for these files';
    case 'too_large':
      return `\u201c${path}\u201d is larger than this computer accepts`;
    default:
      return `PeerDrop on this computer could not store \u201c${path}\u201d: ${text}`;
  }
}

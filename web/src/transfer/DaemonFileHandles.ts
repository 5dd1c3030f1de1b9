// A receiver's files at its own daemon, handle by handle: opening them (a few
// ahead of the data, again after the daemon restarted, retrying while another
// tab still holds one), the frames the daemon refuses, and finishing each file
// when its xfer_file_end and all its bytes are in. What comes of it goes to the
// receiver as an event.

import type { Timers } from '../util/timers';
import { DaemonFileError, type DaemonFilePort } from './DaemonFiles';
import type { FileResult } from './FileReceiver';
import { OPEN_ERROR_REASON, openErrorText } from './receiveErrors';
import type { ReceivingFile, ReceivingFiles } from './ReceivingFiles';

/** How often a file the daemon says is in use is tried again, a second apart. */
export const MAX_IN_USE_RETRIES = 10;
export const IN_USE_RETRY_MS = 1_000;
/** Refused frames of one file without progress in between before the transfer is given up. */
export const MAX_FRAME_ERRORS = 5;

export type FileHandleEvent =
  /** `f` has a handle now and continues at `f.next`: forward what was queued for it. */
  | { type: 'opened'; f: ReceivingFile }
  /** The daemon finished `f`: verified and moved in place, or not. */
  | { type: 'finished'; f: ReceivingFile; result: FileResult }
  /** The daemon went away before it answered: the file is opened or finished again once it is back. */
  | { type: 'daemonAway' }
  /** A frame was refused and the handle is gone: start again from what the daemon holds. */
  | { type: 'handleDropped' }
  /** A name refused, no space, frames refused again and again: the transfer cannot go on. */
  | { type: 'fatal'; reason: string; text: string };

export interface DaemonFileHandlesOptions {
  tid: string;
  peer: string;
  files: ReceivingFiles;
  daemon: DaemonFilePort;
  timers: Timers;
  openAhead: number;
  onEvent: (event: FileHandleEvent) => void;
}

export class DaemonFileHandles {
  private stopped = false;

  constructor(private readonly options: DaemonFileHandlesOptions) {}

  /** `f` has a handle of the daemon's current connection. */
  isOpen(f: ReceivingFile): boolean {
    return f.handle !== null && f.connection === this.options.daemon.connection;
  }

  /** Opens the next files without a handle (up to `openAhead` open at once); resolves when they are open or refused. */
  async openWindow(): Promise<void> {
    const connection = this.options.daemon.connection;
    const waits: Promise<void>[] = [];
    let open = 0;
    for (const f of this.options.files.open()) {
      if (open >= this.options.openAhead) break;
      open += 1;
      if (f.opening) waits.push(f.opening);
      else if (f.handle === null || f.connection !== connection) waits.push(this.open(f));
    }
    await Promise.all(waits);
  }

  /** Opens `f` at the daemon (once: a second call while it opens gets the same promise). */
  open(f: ReceivingFile): Promise<void> {
    if (f.opening) return f.opening;
    const { daemon, peer, tid } = this.options;
    const promise = daemon
      .open({ peer, tid, i: f.i, path: f.path, size: f.size })
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
        this.options.onEvent({ type: 'opened', f });
      })
      .catch((error: unknown) => {
        f.opening = null;
        if (this.stopped) return;
        const code = error instanceof DaemonFileError ? error.code : 'failed';
        const text = error instanceof Error ? error.message : String(error);
        if (code === 'disconnected' || code === 'timeout') {
          this.options.onEvent({ type: 'daemonAway' }); // opened again when the daemon is back
          return;
        }
        if (code === 'in_use' && f.inUseRetries < MAX_IN_USE_RETRIES) {
          // e.g. the tab before a reload still had it open: the daemon closes it soon.
          f.inUseRetries += 1;
          f.opening = promise;
          return new Promise<void>((resolve) => {
            this.options.timers.setTimeout(() => {
              f.opening = null;
              void this.open(f).then(resolve);
            }, IN_USE_RETRY_MS);
          });
        }
        this.options.onEvent({ type: 'fatal', reason: OPEN_ERROR_REASON[code] ?? code, text: openErrorText(code, f.path, text) });
      });
    f.opening = promise;
    return promise;
  }

  /** Asks the daemon to finish `f` once its xfer_file_end and all its bytes are in (and it is open). */
  finishIfComplete(f: ReceivingFile): void {
    const end = f.end;
    if (!end || f.result || f.finishing || f.next < f.size || f.handle === null) return;
    if (f.connection !== this.options.daemon.connection) return;
    f.finishing = true;
    this.options.daemon
      .finish({ handle: f.handle, size: end.size, sha256: end.sha256 })
      .then((answer) => {
        f.finishing = false;
        if (this.stopped) return;
        if (answer.ok) this.finished(f, { ok: true, name: answer.name ?? f.name ?? f.path });
        else this.finished(f, { ok: false, error: answer.code ?? 'failed' });
      })
      .catch((error: unknown) => {
        f.finishing = false;
        if (this.stopped) return;
        const code = error instanceof DaemonFileError ? error.code : 'failed';
        // The daemon went away before it answered: the file is finished again once it is back.
        if (code === 'disconnected' || code === 'timeout') {
          f.handle = null;
          this.options.onEvent({ type: 'daemonAway' });
          return;
        }
        this.finished(f, { ok: false, error: code });
      });
  }

  /** The daemon refused a frame of `handle` (an error without a ref). */
  frameRefused(handle: number, code: string, error: string): void {
    const f = this.options.files.list.find((x) => x.handle === handle && x.connection === this.options.daemon.connection);
    if (!f || f.result) return;
    if (code === 'too_large') {
      this.finished(f, { ok: false, error: 'size_mismatch' });
      return;
    }
    f.handle = null;
    f.frameErrors += 1;
    if (code === 'disk_full' || f.frameErrors > MAX_FRAME_ERRORS) {
      // Not something a fresh start fixes: stop instead of sending the same bytes forever.
      const reason = code === 'disk_full' ? 'no_space' : code;
      this.options.onEvent({ type: 'fatal', reason, text: openErrorText(code, f.path, error) });
      return;
    }
    // unknown_handle, out_of_order, in_use (taken over), a passing write error:
    // open it again and continue from what the daemon holds.
    this.options.onEvent({ type: 'handleDropped' });
  }

  /** No more events: answers that come later change nothing. */
  stop(): void {
    this.stopped = true;
  }

  private finished(f: ReceivingFile, result: FileResult): void {
    this.options.onEvent({ type: 'finished', f, result });
  }
}

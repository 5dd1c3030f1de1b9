// Uploads the bytes of one lane transfer that a page sends: each file in
// index order, `PUT /api/transfers/TID/files/INDEX?offset=N` with the File
// (or its slice from N) as the body, which Chromium streams from disk without
// copies in JavaScript. The daemon forwards them to the peer as they come.
//
// - 204: the daemon holds the whole file; the next one.
// - 409 {code: "offset", uploaded: M}: the daemon holds M bytes; go on from M.
// - The daemon does not answer (network error, 5xx): again after a backoff
//   (the next PUT's 409 says where to go on), up to `maxAttempts` in a row.
// - 404: the transfer is gone (cancelled, or its peer forgotten): stop.
// - Anything else: stop with the daemon's sentence.

import { backoffDelay, type BackoffOptions } from '../daemon/DaemonSocket';
import { LaneApiError, type UploadBody, type UploadResult } from '../daemon/laneApi';
import { realTimers, type TimerHandle, type Timers } from '../util/timers';

/** What the uploader needs of the daemon's API. */
export interface UploadPort {
  upload(tid: string, index: number, offset: number, body: UploadBody, signal?: AbortSignal): Promise<UploadResult>;
}

export interface UploadItem {
  index: number;
  file: Blob;
  /** Bytes of it the daemon held when the upload started. */
  uploaded: number;
}

export type UploadOutcome =
  | { type: 'done' }
  /** stop() was called (the tab goes away, or the person cancelled). */
  | { type: 'stopped' }
  /** The daemon knows no such transfer any more. */
  | { type: 'gone' }
  | { type: 'failed'; error: string };

export interface LaneUploaderOptions {
  api: UploadPort;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffOptions;
  /** Failures in a row (no answer, 5xx) before giving up. */
  maxAttempts?: number;
  /** A file is whole at the daemon. */
  onFileDone?: (index: number) => void;
}

export const UPLOAD_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 15_000 };
export const UPLOAD_MAX_ATTEMPTS = 20;

export class LaneUploader {
  private readonly abort = new AbortController();
  private readonly timers: Timers;
  private wake: (() => void) | null = null;
  private sleepTimer: TimerHandle | null = null;
  private running: Promise<UploadOutcome> | null = null;

  constructor(
    readonly tid: string,
    private readonly items: readonly UploadItem[],
    private readonly options: LaneUploaderOptions,
  ) {
    this.timers = options.timers ?? realTimers;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Uploads every file (once; later calls get the same outcome). */
  run(): Promise<UploadOutcome> {
    this.running ??= this.uploadAll();
    return this.running;
  }

  stop(): void {
    if (this.stopped) return;
    this.abort.abort();
    if (this.sleepTimer !== null) this.timers.clearTimeout(this.sleepTimer);
    this.sleepTimer = null;
    this.wake?.();
  }

  private async uploadAll(): Promise<UploadOutcome> {
    const items = [...this.items].sort((a, b) => a.index - b.index);
    for (const item of items) {
      const outcome = await this.uploadFile(item);
      if (outcome) return outcome;
      this.options.onFileDone?.(item.index);
    }
    return { type: 'done' };
  }

  /** Null when the daemon holds the whole file; else why the upload ends. */
  private async uploadFile(item: UploadItem): Promise<UploadOutcome | null> {
    const size = item.file.size;
    let offset = Math.min(item.uploaded, size);
    let failures = 0;
    // An empty file still gets its one PUT; a file the daemon holds whole none.
    if (offset >= size && size > 0) return null;
    for (;;) {
      if (this.stopped) return { type: 'stopped' };
      let result: UploadResult;
      try {
        const body = offset === 0 ? item.file : item.file.slice(offset);
        result = await this.options.api.upload(this.tid, item.index, offset, body, this.abort.signal);
      } catch (error) {
        if (this.stopped) return { type: 'stopped' };
        const status = error instanceof LaneApiError ? error.status : 0;
        if (status === 404) return { type: 'gone' };
        if (status !== 0 && status < 500) return { type: 'failed', error: errorText(error) };
        failures++;
        if (failures >= (this.options.maxAttempts ?? UPLOAD_MAX_ATTEMPTS)) return { type: 'failed', error: errorText(error) };
        await this.sleep(backoffDelay(failures, this.options.random ?? Math.random, this.options.backoff ?? UPLOAD_BACKOFF));
        continue;
      }
      if (result.type === 'done') return null;
      // 409: the daemon holds `uploaded` bytes. All of them: the file is whole.
      if (result.uploaded >= size) return null;
      if (result.uploaded === offset) {
        // It says it holds what we started from: a refusal in disguise; do not spin.
        failures++;
        if (failures >= (this.options.maxAttempts ?? UPLOAD_MAX_ATTEMPTS)) {
          return { type: 'failed', error: 'PeerDrop on this computer keeps refusing the bytes of this file.' };
        }
        await this.sleep(backoffDelay(failures, this.options.random ?? Math.random, this.options.backoff ?? UPLOAD_BACKOFF));
        continue;
      }
      offset = result.uploaded;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      this.sleepTimer = this.timers.setTimeout(() => {
        this.sleepTimer = null;
        this.wake?.();
      }, ms);
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

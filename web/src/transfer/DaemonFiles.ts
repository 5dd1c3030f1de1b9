// The receiving page's side of "Between a page and its own daemon": file_open
// and file_finish as requests with refs, file_cancel, binary frames, and the
// file_progress and frame-error pushes, over the page's DaemonSocket. Handles
// belong to one WebSocket connection: when it drops, every open file of this
// tab is closed by the daemon and must be opened again (`connection` changes).

import type { DaemonSocket } from '../daemon/DaemonSocket';
import type {
  DaemonMessage,
  FileFinishedMessage,
  FileOpenedMessage,
  FileProgressMessage,
} from '../daemon/protocol';
import { Emitter, realTimers, type TimerHandle, type Timers } from '../util/timers';

export class DaemonFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DaemonFileError';
  }
}

export interface OpenFileArgs {
  peer: string;
  tid: string;
  i: number;
  path: string;
  size: number;
}

export interface FinishFileArgs {
  handle: number;
  size: number;
  sha256: string;
}

export type DaemonFileEvent =
  /** The daemon (re)connected and greeted us: open files again. */
  | { type: 'up' }
  /** The connection dropped: every handle of this tab is gone. */
  | { type: 'down' }
  | { type: 'progress'; message: FileProgressMessage }
  /** A binary frame was refused. */
  | { type: 'frameError'; handle: number; code: string; error: string };

/** What receivers use of their daemon (a fake one in tests). */
export interface DaemonFilePort {
  /** Number of the current connection; handles from another one are gone. */
  readonly connection: number;
  /** Connected and greeted: requests and frames can go. */
  readonly ready: boolean;
  readonly bufferedAmount: number;
  open(args: OpenFileArgs): Promise<FileOpenedMessage>;
  finish(args: FinishFileArgs): Promise<FileFinishedMessage>;
  cancel(peer: string, tid: string): void;
  sendBinary(frame: Uint8Array): boolean;
  on(listener: (event: DaemonFileEvent) => void): () => void;
}

interface Pending {
  kind: 'open' | 'finish';
  resolve: (message: DaemonMessage) => void;
  reject: (error: DaemonFileError) => void;
  timer: TimerHandle;
}

export class DaemonFiles implements DaemonFilePort {
  private readonly pending = new Map<string, Pending>();
  private readonly events = new Emitter<DaemonFileEvent>();
  private readonly timers: Timers;
  private nextRef = 1;
  private greeted = false;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly socket: DaemonSocket,
    options: { timers?: Timers; requestTimeoutMs?: number } = {},
  ) {
    this.timers = options.timers ?? realTimers;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 20_000;
    this.unsubscribe = [
      socket.onMessage((message) => {
        if (message.type === 'welcome') {
          this.greeted = true;
          this.events.emit({ type: 'up' });
        }
      }),
      socket.onStatus((status) => {
        if (status.state !== 'connected' && this.greeted) {
          this.greeted = false;
          this.failAll('disconnected', 'Lost contact with PeerDrop on this computer');
          this.events.emit({ type: 'down' });
        }
      }),
    ];
  }

  private readonly requestTimeoutMs: number;

  get connection(): number {
    return this.socket.connection;
  }

  get ready(): boolean {
    return this.greeted && this.socket.status.state === 'connected';
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  on(listener: (event: DaemonFileEvent) => void): () => void {
    return this.events.on(listener);
  }

  open(args: OpenFileArgs): Promise<FileOpenedMessage> {
    return this.request('open', (ref) => ({ type: 'file_open', ref, ...args })) as Promise<FileOpenedMessage>;
  }

  finish(args: FinishFileArgs): Promise<FileFinishedMessage> {
    return this.request('finish', (ref) => ({ type: 'file_finish', ref, ...args })) as Promise<FileFinishedMessage>;
  }

  cancel(peer: string, tid: string): void {
    this.socket.send({ type: 'file_cancel', peer, tid });
  }

  sendBinary(frame: Uint8Array): boolean {
    if (!this.ready) return false;
    return this.socket.sendBinary(frame as Uint8Array<ArrayBuffer>);
  }

  /**
   * Takes the daemon messages that concern files (answers to our refs, progress,
   * frame errors); true if it took `message` (the caller then ignores it).
   */
  handle(message: DaemonMessage): boolean {
    switch (message.type) {
      case 'file_opened':
      case 'file_finished': {
        const ref = String(message.ref);
        const pending = this.pending.get(ref);
        if (!pending) return true;
        this.settle(ref);
        pending.resolve(message);
        return true;
      }
      case 'file_progress':
        this.events.emit({ type: 'progress', message });
        return true;
      case 'error': {
        const ref = message.ref === undefined ? '' : String(message.ref);
        const pending = this.pending.get(ref);
        if (pending) {
          this.settle(ref);
          pending.reject(new DaemonFileError(message.code, message.error));
          return true;
        }
        if (message.handle !== undefined && (message.ref === undefined || message.ref === null)) {
          this.events.emit({ type: 'frameError', handle: message.handle, code: message.code, error: message.error });
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.failAll('disconnected', 'The page is closing');
    this.events.clear();
  }

  private request(kind: 'open' | 'finish', build: (ref: string) => Parameters<DaemonSocket['send']>[0]): Promise<DaemonMessage> {
    const ref = `f${this.nextRef++}`;
    return new Promise<DaemonMessage>((resolve, reject) => {
      if (!this.ready || !this.socket.send(build(ref))) {
        reject(new DaemonFileError('disconnected', 'PeerDrop on this computer is not connected'));
        return;
      }
      const timer = this.timers.setTimeout(() => {
        if (!this.pending.has(ref)) return;
        this.pending.delete(ref);
        reject(new DaemonFileError('timeout', 'PeerDrop on this computer did not answer in time'));
      }, this.requestTimeoutMs);
      this.pending.set(ref, { kind, resolve, reject, timer });
    });
  }

  private settle(ref: string): void {
    const pending = this.pending.get(ref);
    if (!pending) return;
    this.timers.clearTimeout(pending.timer);
    this.pending.delete(ref);
  }

  private failAll(code: string, text: string): void {
    const all = [...this.pending.entries()];
    this.pending.clear();
    for (const [, pending] of all) {
      this.timers.clearTimeout(pending.timer);
      pending.reject(new DaemonFileError(code, text));
    }
  }
}

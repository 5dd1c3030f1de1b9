// The WebSocket to this machine's daemon (`/ws` on the page's own origin). It
// reconnects by itself with exponential backoff and jitter, and tells its
// listeners whether it is connected and, if not, when it tries again.

import { Emitter, realTimers, type TimerHandle, type Timers } from '../util/timers';
import { parseDaemonMessage, type DaemonMessage, type UiMessage } from './protocol';

/** The part of the browser's WebSocket this module uses (a fake one in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued by send() and not yet handed to the network (browsers have it; fakes may not). */
  readonly bufferedAmount?: number;
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export type DaemonSocketStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected' }
  | { state: 'reconnecting'; attempt: number; nextAttemptAt: number }
  | { state: 'stopped' };

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Largest delay, ms (jitter included). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 10_000 };

/**
 * Delay before reconnect attempt number `attempt` (1 = the first retry):
 * base × 2^(attempt−1), times a jitter factor in [0.75, 1.25), never over the cap.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const raw = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  const jittered = raw * (0.75 + 0.5 * random());
  return Math.round(Math.min(options.capMs, jittered));
}

export interface DaemonSocketOptions {
  url?: string;
  createSocket?: WebSocketFactory;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffOptions;
  /** A connection attempt that has not opened after this long is abandoned. */
  openTimeoutMs?: number;
}

const OPEN = 1;

/** This page's daemon's WebSocket, with the control token (a WebSocket takes no headers from a page). */
export function defaultDaemonUrl(token: string | null = null): string {
  const loc = globalThis.location;
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export class DaemonSocket {
  private readonly url: string;
  private readonly createSocket: WebSocketFactory;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly openTimeoutMs: number;
  private socket: WebSocketLike | null = null;
  private retryTimer: TimerHandle | null = null;
  private openTimer: TimerHandle | null = null;
  private attempt = 0;
  private opened = 0;
  private currentStatus: DaemonSocketStatus = { state: 'stopped' };
  private readonly messages = new Emitter<DaemonMessage>();
  private readonly statuses = new Emitter<DaemonSocketStatus>();
  private readonly malformed = new Emitter<string>();

  constructor(options: DaemonSocketOptions = {}) {
    this.url = options.url ?? defaultDaemonUrl();
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.openTimeoutMs = options.openTimeoutMs ?? 5_000;
  }

  get status(): DaemonSocketStatus {
    return this.currentStatus;
  }

  onMessage(listener: (message: DaemonMessage) => void): () => void {
    return this.messages.on(listener);
  }

  onStatus(listener: (status: DaemonSocketStatus) => void): () => void {
    return this.statuses.on(listener);
  }

  /** Frames that were not a known, well-formed message (for the debug log). */
  onMalformed(listener: (text: string) => void): () => void {
    return this.malformed.on(listener);
  }

  start(): void {
    if (this.currentStatus.state !== 'stopped') return;
    this.attempt = 0;
    this.open();
  }

  stop(): void {
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) this.detach(socket).close();
    this.setStatus({ state: 'stopped' });
  }

  /** Counts the connections that opened: a new number means the daemon forgot this tab's open files. */
  get connection(): number {
    return this.opened;
  }

  /** Bytes sent on the current connection and not yet on the network (0 when not connected). */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /**
   * Sends a binary frame (file bytes, docs/protocol.md "Between a page and its
   * own daemon") if the daemon is connected; false if it is not.
   */
  sendBinary(data: ArrayBuffer | ArrayBufferView<ArrayBuffer>): boolean {
    const socket = this.socket;
    if (!socket || this.currentStatus.state !== 'connected' || socket.readyState !== OPEN) return false;
    try {
      socket.send(data);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a message if the daemon is connected; false if it is not (nothing is queued). */
  send(message: UiMessage): boolean {
    const socket = this.socket;
    if (!socket || this.currentStatus.state !== 'connected' || socket.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  private open(): void {
    this.retryTimer = null;
    this.setStatus({ state: 'connecting', attempt: this.attempt });
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.openTimer = this.timers.setTimeout(() => {
      this.openTimer = null;
      if (this.socket === socket) this.lost(socket);
    }, this.openTimeoutMs);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.clearOpenTimer();
      this.opened += 1;
      this.setStatus({ state: 'connected' });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      const message = parseDaemonMessage(event.data);
      if (!message) {
        this.malformed.emit(event.data.slice(0, 200));
        return;
      }
      // A welcome means the daemon took us: the next loss starts the backoff afresh.
      if (message.type === 'welcome') this.attempt = 0;
      this.messages.emit(message);
    };
    socket.onerror = () => {
      // onclose follows; nothing to do here.
    };
    socket.onclose = () => {
      if (this.socket === socket) this.lost(socket);
    };
  }

  private lost(socket: WebSocketLike): void {
    this.clearOpenTimer();
    this.socket = null;
    try {
      this.detach(socket).close();
    } catch {
      // already closed
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.random, this.backoff);
    this.setStatus({ state: 'reconnecting', attempt: this.attempt, nextAttemptAt: this.timers.now() + delay });
    this.retryTimer = this.timers.setTimeout(() => this.open(), delay);
  }

  private detach(socket: WebSocketLike): WebSocketLike {
    socket.onopen = null;
    socket.onclose = null;
    socket.onerror = null;
    socket.onmessage = null;
    return socket;
  }

  private clearOpenTimer(): void {
    if (this.openTimer !== null) this.timers.clearTimeout(this.openTimer);
    this.openTimer = null;
  }

  private clearTimers(): void {
    this.clearOpenTimer();
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setStatus(status: DaemonSocketStatus): void {
    this.currentStatus = status;
    this.statuses.emit(status);
  }
}

// Requests to this page's daemon and the replies that carry their `ref`: it
// numbers the refs, hands each reply to whoever waits for it, and ends what
// can no longer be answered (a timeout, or the connection that would have
// carried the answer is gone). Messages that answer nothing are the caller's.

import { realTimers, type Timers } from '../util/timers';
import type {
  AckMessage,
  DaemonMessage,
  DeliveredMessage,
  ErrorMessage,
  ExpiredMessage,
  IceServersMessage,
  UiMessage,
} from './protocol';
import type { DaemonSocket } from './DaemonSocket';

/** The daemon messages that answer a ref. */
export type RefReply = AckMessage | DeliveredMessage | ExpiredMessage | IceServersMessage | ErrorMessage;

/** What the client uses of the socket. */
export type DaemonClientSocket = Pick<DaemonSocket, 'send' | 'onStatus'>;

export interface DaemonClientOptions {
  timers?: Timers;
  /** Tracked messages kept at most; past that the oldest is forgotten. */
  maxTracked?: number;
}

/** A request that got no answer: the daemon refused it, did not answer in time, or went away. */
export class DaemonRequestError extends Error {
  override readonly name = 'DaemonRequestError';
}

interface Waiter {
  /** Returns true when nothing more is expected for this ref. */
  reply(reply: RefReply): boolean;
  /** The connection dropped; null: the ref outlives it (the daemon may still answer on the next one). */
  lost: (() => void) | null;
}

const DEFAULT_MAX_TRACKED = 2_000;

export class DaemonClient {
  private readonly timers: Timers;
  private readonly maxTracked: number;
  private readonly waiting = new Map<string, Waiter>();
  private nextRef = 1;
  private connected = false;
  private readonly offStatus: () => void;

  constructor(
    private readonly socket: DaemonClientSocket,
    options: DaemonClientOptions = {},
  ) {
    this.timers = options.timers ?? realTimers;
    this.maxTracked = options.maxTracked ?? DEFAULT_MAX_TRACKED;
    this.offStatus = socket.onStatus((status) => {
      const connected = status.state === 'connected';
      if (this.connected && !connected) this.connectionLost();
      this.connected = connected;
    });
  }

  /**
   * Sends `build(ref)` and hands every reply with that ref to `onReply` until
   * it returns true. Tracking outlives a reconnect (the daemon sends a late
   * `expired` to the page's next connection). False when nothing was sent.
   */
  track(prefix: string, build: (ref: string) => UiMessage, onReply: (reply: RefReply) => boolean): boolean {
    const ref = this.newRef(prefix);
    if (!this.socket.send(build(ref))) return false;
    this.waiting.set(ref, { reply: onReply, lost: null });
    this.forgetOldest();
    return true;
  }

  /**
   * Sends `build(ref)` and resolves with the first reply `answer` takes
   * (returns non-undefined for). Rejects with a DaemonRequestError when the
   * daemon answers `error`, after `timeoutMs`, when the message cannot be sent,
   * or when the connection drops first (the answer would have gone to it).
   */
  request<T>(prefix: string, build: (ref: string) => UiMessage, answer: (reply: RefReply) => T | undefined, timeoutMs: number): Promise<T> {
    const ref = this.newRef(prefix);
    return new Promise<T>((resolve, reject) => {
      if (!this.socket.send(build(ref))) {
        reject(new DaemonRequestError('PeerDrop on this computer is not connected'));
        return;
      }
      const finish = (error: DaemonRequestError | null, value?: T) => {
        this.timers.clearTimeout(timer);
        this.waiting.delete(ref);
        if (error) reject(error);
        else resolve(value as T);
      };
      const timer = this.timers.setTimeout(() => finish(new DaemonRequestError('the daemon did not answer in time')), timeoutMs);
      this.waiting.set(ref, {
        reply: (reply) => {
          if (reply.type === 'error') {
            finish(new DaemonRequestError(reply.error));
            return true;
          }
          const value = answer(reply);
          if (value === undefined) return false;
          finish(null, value);
          return true;
        },
        lost: () => finish(new DaemonRequestError('Lost contact with PeerDrop on this computer')),
      });
    });
  }

  /** Hands a reply to whoever waits for its ref; false when the message answers nothing pending (the caller's). */
  handle(message: DaemonMessage): boolean {
    if (!isRefReply(message) || message.ref === undefined) return false;
    const ref = String(message.ref);
    const waiter = this.waiting.get(ref);
    if (!waiter) return false;
    if (waiter.reply(message)) this.waiting.delete(ref);
    return true;
  }

  /** How many refs still wait for a reply. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Stops listening; pending requests fail. */
  dispose(): void {
    this.offStatus();
    this.connectionLost();
    this.waiting.clear();
  }

  private newRef(prefix: string): string {
    return `${prefix}${this.nextRef++}`;
  }

  private connectionLost(): void {
    for (const waiter of [...this.waiting.values()]) waiter.lost?.();
  }

  private forgetOldest(): void {
    if (this.waiting.size <= this.maxTracked) return;
    for (const [ref, waiter] of this.waiting) {
      if (waiter.lost) continue; // requests end by themselves (answer, timeout or loss)
      this.waiting.delete(ref);
      return;
    }
  }
}

function isRefReply(message: DaemonMessage): message is RefReply {
  switch (message.type) {
    case 'ack':
    case 'delivered':
    case 'expired':
    case 'ice_servers':
    case 'error':
      return true;
    default:
      return false;
  }
}

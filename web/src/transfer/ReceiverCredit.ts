// The receiver's side of flow control: xfer_acks (at most one per interval,
// and at once when asked) with what the daemon holds and a credit window,
// which is 0 while the daemon is away or its WebSocket has too much queued.

import type { TimerHandle, Timers } from '../util/timers';
import type { DaemonFilePort } from './DaemonFiles';
import { Throttle } from './progress';
import type { ReceivingFiles } from './ReceivingFiles';
import type { TransferControlMessage } from './wire';

/** Above this many bytes queued on the WebSocket the receiver gives no new credit. */
export const WS_HIGH_MARK = 8 * 1024 * 1024;
export const WS_LOW_MARK = 2 * 1024 * 1024;

export interface ReceiverCreditOptions {
  tid: string;
  files: ReceivingFiles;
  daemon: DaemonFilePort;
  timers: Timers;
  window: number;
  ackIntervalMs: number;
  sendControl: (message: TransferControlMessage) => boolean;
}

export class ReceiverCredit {
  private readonly throttle: Throttle;
  private lastAck = '';
  private wsPaused = false;
  private wsPoll: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly options: ReceiverCreditOptions) {
    this.throttle = new Throttle(options.timers, options.ackIntervalMs, () => this.sendAck());
  }

  /** An ack soon (bytes became durable). */
  request(): void {
    this.throttle.request();
  }

  /** An ack now (a file ended, the credit changed). */
  flush(): void {
    this.throttle.flush();
  }

  /** The next ack is sent even if it says what the last one said (a new channel starts). */
  forget(): void {
    this.lastAck = '';
  }

  /** No ack is due (the connection went). */
  cancel(): void {
    this.throttle.cancel();
  }

  /** Watches the WebSocket's queue: no new credit while the daemon does not keep up. */
  noteWsBuffer(): void {
    const { daemon } = this.options;
    if (this.wsPaused || daemon.bufferedAmount <= WS_HIGH_MARK) return;
    this.wsPaused = true;
    this.throttle.flush();
    this.wsPoll = this.options.timers.setInterval(() => {
      if (daemon.bufferedAmount > WS_LOW_MARK && daemon.ready) return;
      this.wsPaused = false;
      this.stopWsPoll();
      this.throttle.flush();
    }, 50);
  }

  stopWsPoll(): void {
    if (this.wsPoll !== null) this.options.timers.clearInterval(this.wsPoll);
    this.wsPoll = null;
  }

  stop(): void {
    this.stopped = true;
    this.throttle.cancel();
    this.stopWsPoll();
  }

  private credit(): number {
    if (!this.options.daemon.ready || this.wsPaused) return 0;
    return this.options.window;
  }

  private sendAck(): void {
    if (this.stopped) return;
    const f = this.options.files.ackPoint();
    if (!f) return;
    const message = { t: 'xfer_ack' as const, tid: this.options.tid, i: f.i, durable: Math.min(f.size, f.durable), credit: this.credit() };
    const key = `${message.i}:${message.durable}:${message.credit}`;
    if (key === this.lastAck) return;
    if (this.options.sendControl(message)) this.lastAck = key;
  }
}

// What both directions of a transfer share: who and what it is, its state
// (transferState's reducer, the only place its phase and flags change), the
// files' verdicts, keeping it in the store, and its view. OutgoingTransfer
// and IncomingTransfer add their side of the protocol.

import type { Timers } from '../util/timers';
import type { DaemonFilePort } from './DaemonFiles';
import type { FileResult } from './FileReceiver';
import type { PeerLink } from './PeerLink';
import { RateMeter } from './progress';
import { resultsToStored, type StoredTransfer } from './store';
import { errorText, initialStatus, isTerminal, transferReducer, type TransferDirection, type TransferEvent, type TransferStatus } from './transferState';
import { transferView, type FileBytes, type TransferHookInfo, type TransferView } from './transferView';
import type { OfferedFile, TransferControlMessage } from './wire';

/** What a transfer uses of the hub that owns it. */
export interface TransferServices {
  readonly timers: Timers;
  readonly daemon: DaemonFilePort;
  /** Monotonic ms for the benchmark hook. */
  monotonicNow(): number;
  /** The peer's connection, if it has one. */
  link(peer: string): PeerLink | undefined;
  peerName(peer: string): string;
  save(record: StoredTransfer): void;
  saveSoon(tid: string): void;
  /** The transfer ended: it is no longer kept. */
  ended(tid: string): void;
  /** Its state changed (the views are stale; a change notice follows). */
  stale(): void;
  /** Bytes moved (the views follow at most a few times a second). */
  progress(): void;
  /** Something shown changed. */
  changed(): void;
}

export abstract class Transfer {
  abstract readonly direction: TransferDirection;
  readonly total: number;
  private current: TransferStatus = initialStatus();
  protected results = new Map<number, FileResult>();
  private readonly meter = new RateMeter();
  /** performance.now() when the offsets were first exchanged, and when it ended. */
  protected startedAt: number | null = null;
  protected doneAt: number | null = null;

  constructor(
    readonly tid: string,
    readonly peer: string,
    readonly files: readonly OfferedFile[],
    readonly createdAt: number,
    protected readonly services: TransferServices,
  ) {
    this.total = files.reduce((s, f) => s + f.size, 0);
  }

  get status(): TransferStatus {
    return this.current;
  }

  get terminal(): boolean {
    return isTerminal(this.current.phase);
  }

  /** Takes back what a previous page knew: the verdicts, and paused (for `pause`). */
  restore(record: StoredTransfer, results: Map<number, FileResult>, pause: 'files' | 'connection'): void {
    this.results = results;
    this.dispatch({ type: 'RESTORED', accepted: record.accepted, pause });
  }

  // ---- what the hub hands on ----

  /** The peer's control channel is open: an owed cancel goes first. */
  peerUp(link: PeerLink): void {
    const owed = this.current.cancelPending;
    if (owed) {
      link.sendControl({ t: 'xfer_cancel', tid: this.tid, reason: owed });
      this.dispatch({ type: 'CANCEL_DELIVERED' });
    }
    if (!this.terminal) this.connectionUp(link);
  }

  /** The connection dropped: a running transfer pauses (an offer waits as it is). */
  peerDown(): void {
    if (this.terminal) return;
    this.connectionDown();
    const { phase, pause } = this.current;
    if (phase !== 'offered' && !(phase === 'paused' && pause === 'files')) this.dispatch({ type: 'PAUSE', reason: 'connection' });
  }

  abstract control(message: TransferControlMessage, link: PeerLink | undefined): void;

  /** Our person cancels. */
  cancel(): void {
    if (this.terminal) return;
    const link = this.services.link(this.peer);
    if (!link?.connected || !link.sendControl({ t: 'xfer_cancel', tid: this.tid, reason: 'cancelled' })) {
      this.dispatch({ type: 'OWE_CANCEL', reason: 'cancelled' });
    }
    this.dispatch({ type: 'CANCEL', reason: 'cancelled', byPeer: false });
  }

  /** Stops the sending or receiving (the transfer ended, or the page goes). */
  abstract stop(): void;

  // ---- views ----

  view(now: number): TransferView {
    const bytesDone = this.bytesDone();
    const running = this.current.phase === 'running';
    if (running) this.meter.sample(now, bytesDone);
    else this.meter.reset();
    return transferView({
      tid: this.tid,
      peerId: this.peer,
      peerName: this.services.peerName(this.peer),
      direction: this.direction,
      status: this.current,
      files: this.files,
      total: this.total,
      createdAt: this.createdAt,
      results: this.results,
      missing: this.missingFiles(),
      bytesDone,
      bytesMoved: this.bytesMoved(),
      speed: running ? this.meter.rate(now) : null,
      fileBytes: (i) => this.fileBytes(i),
    });
  }

  hookInfo(): TransferHookInfo {
    return {
      tid: this.tid,
      direction: this.direction,
      peer: this.peer,
      state: this.current.phase,
      total: this.total,
      bytesSent: this.bytesMoved(),
      bytesDurable: this.bytesDone(),
      startedAt: this.startedAt,
      doneAt: this.doneAt,
    };
  }

  /** The record to keep while it is unfinished; null once it ended. */
  record(): StoredTransfer | null {
    if (this.terminal) return null;
    return {
      v: 1,
      tid: this.tid,
      peer: this.peer,
      peerName: this.services.peerName(this.peer),
      direction: this.direction,
      files: [...this.files],
      accepted: this.current.accepted,
      createdAt: this.createdAt,
      results: resultsToStored(this.results),
    };
  }

  /** Files the sender has no File for. */
  missingFiles(): readonly OfferedFile[] {
    return [];
  }

  // ---- for the two sides ----

  protected abstract connectionUp(link: PeerLink): void;
  protected abstract connectionDown(): void;
  /** Bytes the receiving daemon holds, from the live sender or receiver (null without one). */
  protected abstract liveBytesDurable(): number | null;
  protected abstract bytesMoved(): number;
  protected abstract fileBytes(i: number): FileBytes;

  protected dispatch(event: TransferEvent): void {
    const before = this.current;
    this.current = transferReducer(before, event);
    if (this.current === before) return;
    if (this.terminal && !isTerminal(before.phase)) {
      this.stop();
      if (this.doneAt === null) this.doneAt = this.services.monotonicNow();
      this.services.ended(this.tid);
    }
    this.services.stale();
  }

  protected persist(): void {
    const record = this.record();
    if (record) this.services.save(record);
  }

  protected noteStarted(): void {
    if (this.startedAt === null) this.startedAt = this.services.monotonicNow();
  }

  /** Sends an xfer_cancel now, or owes it to the peer until it is connected again. */
  protected tellCancel(reason: string): void {
    if (!this.services.link(this.peer)?.sendControl({ t: 'xfer_cancel', tid: this.tid, reason })) {
      this.dispatch({ type: 'OWE_CANCEL', reason });
    }
  }

  /** A file's verdict. */
  protected setResult(i: number, result: FileResult): void {
    this.results.set(i, result);
    this.services.saveSoon(this.tid);
  }

  /** Every file has a verdict: done, or failed with the first failure in words. */
  protected checkAllDone(): void {
    if (this.results.size < this.files.length) return; // results hold valid indexes only
    this.stop();
    this.doneAt = this.services.monotonicNow();
    const failed = [...this.results.values()].filter((r) => !r.ok);
    if (failed.length === 0) {
      this.dispatch({ type: 'DONE' });
      return;
    }
    const first = failed[0] as { ok: false; error: string };
    const text =
      failed.length === this.files.length && this.files.length === 1
        ? errorText(first.error)
        : `${failed.length} of ${this.files.length} files failed (${errorText(first.error)})`;
    this.dispatch({ type: 'FAIL', reason: first.error, text });
  }

  private bytesDone(): number {
    if (this.current.phase === 'done') return this.total;
    return this.liveBytesDurable() ?? this.files.reduce((s, f) => s + (this.results.get(f.i)?.ok ? f.size : 0), 0);
  }
}

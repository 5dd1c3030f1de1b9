// Every transfer of this page, both directions: it routes what the peers say
// (offers, control messages, data channels) and what our person wants to the
// OutgoingTransfer or IncomingTransfer concerned, takes back the unfinished
// transfers a previous page left in the store, and hands React their views.
// No React, no protocol of its own.

import type { StorageLike } from '../settings/theme';
import { Emitter, realTimers, type Timers } from '../util/timers';
import type { DaemonFilePort } from './DaemonFiles';
import type { FileChannel } from './FileChannel';
import { IncomingTransfer } from './IncomingTransfer';
import { OfferAssembler } from './OfferAssembler';
import { OutgoingTransfer } from './OutgoingTransfer';
import type { PeerLink } from './PeerLink';
import type { PickedFile } from './pickFiles';
import { Throttle } from './progress';
import { StorageTransferStore, resultsFromStored, type StoredTransfer, type TransferStore } from './store';
import type { Transfer, TransferServices } from './Transfer';
import { TransferPersistence } from './TransferPersistence';
import type { TransferHookInfo, TransferView } from './transferView';
import { MAX_FILES, newTid, tidOfLabel, type OfferedFile, type TransferControlMessage, type XferOffer } from './wire';

export interface TransferHubOptions {
  daemon: DaemonFilePort;
  /** Where unfinished transfers are kept across reloads and crashes (IndexedDB in the browser). */
  store?: TransferStore;
  /** Without `store`: a synchronous Storage for them (tests; localStorage where there is no IndexedDB). */
  storage?: (StorageLike & { readonly length?: number; key?(index: number): string | null }) | null;
  timers?: Timers;
  /** Monotonic ms for the benchmark hook (performance.now in the browser). */
  monotonicNow?: () => number;
  /** Accept this peer's requests without asking (the user ticked "always accept": settings.autoAccept). */
  autoAccept: (peerId: string) => boolean;
  /** Saves "always accept connections and files from this peer". */
  setAutoAccept?: (peerId: string, on: boolean) => Promise<void>;
  /** A file was received and verified (refresh the received list). */
  onReceived?: () => void;
  peerName: (peerId: string) => string;
  createTid?: () => string;
  /** Progress reaches the views at most this often. */
  progressIntervalMs?: number;
}

export class TransferHub {
  private readonly transfers = new Map<string, Transfer>();
  private readonly links = new Map<string, PeerLink>();
  private readonly offers = new OfferAssembler();
  private readonly changes = new Emitter<void>();
  private readonly timers: Timers;
  private readonly progressThrottle: Throttle;
  private readonly persistence: TransferPersistence;
  private readonly services: TransferServices;
  private cached: readonly TransferView[] | null = null;
  private readonly offDaemon: () => void;
  /**
   * While the stored transfers are being loaded: what the peers said meanwhile,
   * handled in order once they are known (a resume must find its transfer).
   */
  private backlog: (() => void)[] | null = null;

  constructor(private readonly options: TransferHubOptions) {
    const timers = (this.timers = options.timers ?? realTimers);
    const monotonicNow = options.monotonicNow ?? (() => globalThis.performance?.now() ?? timers.now());
    this.persistence = new TransferPersistence(
      options.store ?? new StorageTransferStore(options.storage ?? null),
      timers,
      (tid) => this.transfers.get(tid)?.record() ?? null,
    );
    this.progressThrottle = new Throttle(timers, options.progressIntervalMs ?? 250, () => this.changed());
    this.services = {
      timers,
      daemon: options.daemon,
      monotonicNow,
      link: (peer) => this.links.get(peer),
      peerName: (peer) => options.peerName(peer),
      save: (record) => this.persistence.save(record),
      saveSoon: (tid) => this.persistence.saveSoon(tid),
      ended: (tid) => this.persistence.forget(tid),
      stale: () => {
        this.cached = null;
      },
      progress: () => this.progressThrottle.request(),
      changed: () => this.changed(),
    };
    this.offDaemon = options.daemon.on(() => this.changed());
  }

  // ---- setup ----

  /**
   * Takes back the unfinished transfers a previous page left in the store:
   * at once from a synchronous store, else when they are loaded (peer events
   * wait until then). Resolves when they are shown.
   */
  restore(): Promise<void> {
    let loaded: StoredTransfer[] | Promise<StoredTransfer[]>;
    try {
      loaded = this.persistence.store.load();
    } catch {
      loaded = [];
    }
    if (Array.isArray(loaded)) {
      this.adopt(loaded);
      return Promise.resolve();
    }
    this.backlog ??= [];
    return loaded
      .then(
        (records) => this.adopt(records),
        () => this.changed(),
      )
      .finally(() => {
        const waiting = this.backlog ?? [];
        this.backlog = null;
        for (const handle of waiting) handle();
      });
  }

  /** Runs `handle` now, or after the stored transfers are loaded. */
  private whenRestored(handle: () => void): boolean {
    if (!this.backlog) return false;
    this.backlog.push(handle);
    return true;
  }

  private adopt(records: readonly StoredTransfer[]): void {
    for (const record of records) {
      if (this.transfers.has(record.tid)) continue;
      if (record.direction === 'out') {
        // The File objects died with the page: the person selects them again.
        this.outgoing(record.tid, record.peer, record.files, record.createdAt).restore(record, resultsFromStored(record.results), 'files');
      } else if (record.accepted) {
        this.incoming(record.tid, record.peer, record.files, record.createdAt).restore(record, resultsFromStored(record.results), 'connection');
      } else {
        // An unanswered offer: the sender offers it again when it reconnects.
        this.persistence.forget(record.tid);
      }
    }
    this.changed();
  }

  setLink(peerId: string, link: PeerLink | null): void {
    if (link) this.links.set(peerId, link);
    else {
      this.peerDown(peerId);
      if (!this.whenRestored(() => this.links.delete(peerId))) this.links.delete(peerId);
    }
  }

  // ---- the connection to a peer ----

  /** The control channel to the peer is open (first time, after an ICE restart, or a new session). */
  peerUp(peerId: string): void {
    if (this.whenRestored(() => this.peerUp(peerId))) return;
    const link = this.links.get(peerId);
    if (!link) return;
    for (const t of this.transfersOf(peerId)) t.peerUp(link);
    this.changed();
  }

  /** The connection dropped (reconnecting, closed or failed): running transfers pause. */
  peerDown(peerId: string): void {
    if (this.whenRestored(() => this.peerDown(peerId))) return;
    for (const t of this.transfersOf(peerId)) t.peerDown();
    this.changed();
  }

  /** A transfer message from the peer's control channel. */
  control(peerId: string, message: TransferControlMessage): void {
    if (this.whenRestored(() => this.control(peerId, message))) return;
    if (message.t === 'xfer_offer') {
      this.onOfferFrame(peerId, message);
      return;
    }
    const t = this.transfers.get(message.tid);
    const link = this.links.get(peerId);
    if (!t || t.peer !== peerId) {
      // Someone asks about a transfer we do not know (e.g. it was cancelled here, or another browser).
      if ((message.t === 'xfer_resume' || message.t === 'xfer_accept') && link) {
        link.sendControl({ t: 'xfer_cancel', tid: message.tid, reason: 'unknown' });
      }
      return;
    }
    t.control(message, link);
    this.changed();
  }

  /** The peer opened a data channel `xfer:<tid>` (we receive that transfer). */
  fileChannel(peerId: string, channel: FileChannel): void {
    if (this.whenRestored(() => this.fileChannel(peerId, channel))) return;
    const tid = tidOfLabel(channel.label);
    const t = tid ? this.transfers.get(tid) : undefined;
    if (t instanceof IncomingTransfer && t.peer === peerId && t.takeChannel(channel)) return;
    try {
      channel.close();
    } catch {
      // already closed
    }
  }

  // ---- intents of the person ----

  /**
   * Sends files to a peer: a new request, unless they are exactly files a
   * paused transfer to this peer is missing (selected again after a reload),
   * which then resumes. Returns the transfer id.
   */
  sendFiles(peerId: string, picked: readonly PickedFile[]): string | null {
    if (picked.length === 0) return null;
    for (const t of this.transfersOf(peerId)) {
      if (!(t instanceof OutgoingTransfer) || t.terminal || t.missingFiles().length === 0) continue;
      if (t.match(picked) === picked.length) {
        t.afterReselect();
        return t.tid;
      }
    }
    const chosen = picked.slice(0, MAX_FILES);
    const files = chosen.map((p, i) => {
      const file: OfferedFile = { i, path: p.path, size: p.file.size };
      if (Number.isFinite(p.file.lastModified) && p.file.lastModified > 0) file.mtime = p.file.lastModified;
      return file;
    });
    const tid = this.options.createTid?.() ?? newTid();
    const t = this.outgoing(tid, peerId, files, this.timers.now());
    t.attach(chosen);
    t.offer(this.links.get(peerId));
    this.changed();
    return tid;
  }

  /** Files chosen again for a paused transfer (matched by name and size). Returns how many matched. */
  reselect(tid: string, picked: readonly PickedFile[]): number {
    const t = this.transfers.get(tid);
    if (!(t instanceof OutgoingTransfer) || t.terminal) return 0;
    const matched = t.match(picked);
    if (matched > 0) t.afterReselect();
    this.changed();
    return matched;
  }

  /** The receiving person accepted (optionally: always from this peer). */
  accept(tid: string, always = false): void {
    const t = this.transfers.get(tid);
    if (!(t instanceof IncomingTransfer) || t.status.phase !== 'offered') return;
    if (always) void this.options.setAutoAccept?.(t.peer, true).catch(() => undefined);
    t.accept();
    this.changed();
  }

  decline(tid: string): void {
    const t = this.transfers.get(tid);
    if (!(t instanceof IncomingTransfer) || t.status.phase !== 'offered') return;
    t.decline();
    this.changed();
  }

  cancel(tid: string): void {
    const t = this.transfers.get(tid);
    if (!t || t.terminal) return;
    t.cancel();
    this.changed();
  }

  /** Removes a finished transfer from the list. */
  dismiss(tid: string): void {
    const t = this.transfers.get(tid);
    if (!t?.terminal) return;
    if (t.status.cancelPending) return; // still to tell the peer
    this.transfers.delete(tid);
    this.changed();
  }

  // ---- views ----

  subscribe = (listener: () => void): (() => void) => this.changes.on(listener);

  views(): readonly TransferView[] {
    // Peer names come from outside (a restored transfer is shown before its peer is listed): a new name is a new view.
    if (this.cached && this.cached.every((v) => v.peerName === this.options.peerName(v.peerId))) return this.cached;
    const now = this.timers.now();
    this.cached = [...this.transfers.values()].sort((a, b) => b.createdAt - a.createdAt).map((t) => t.view(now));
    return this.cached;
  }

  /** Offers waiting for our person, oldest first. */
  incomingOffers(): readonly TransferView[] {
    return this.views()
      .filter((v) => v.direction === 'in' && v.phase === 'offered')
      .reverse();
  }

  hookInfo(): TransferHookInfo[] {
    return [...this.transfers.values()].map((t) => t.hookInfo());
  }

  dispose(): void {
    this.backlog = null;
    for (const t of this.transfers.values()) t.stop();
    this.progressThrottle.cancel();
    this.persistence.dispose();
    this.offDaemon();
    this.changes.clear();
  }

  // ---- internals ----

  private onOfferFrame(peerId: string, frame: XferOffer): void {
    const link = this.links.get(peerId);
    const known = this.transfers.get(frame.tid);
    const outcome = this.offers.add(peerId, frame, known !== undefined);
    switch (outcome.type) {
      case 'none':
        return;
      case 'decline':
        link?.sendControl({ t: 'xfer_decline', tid: frame.tid, reason: 'bad_offer' });
        return;
      case 'again':
        if (known instanceof IncomingTransfer && known.peer === peerId) known.offeredAgain(link);
        return;
      case 'complete': {
        const t = this.incoming(frame.tid, peerId, outcome.files, this.timers.now());
        if (this.options.autoAccept(peerId)) this.accept(t.tid);
        this.changed();
      }
    }
  }

  private *transfersOf(peerId: string): Iterable<Transfer> {
    for (const t of this.transfers.values()) if (t.peer === peerId) yield t;
  }

  private outgoing(tid: string, peer: string, files: readonly OfferedFile[], createdAt: number): OutgoingTransfer {
    const t = new OutgoingTransfer(tid, peer, files, createdAt, this.services);
    this.transfers.set(tid, t);
    return t;
  }

  private incoming(tid: string, peer: string, files: readonly OfferedFile[], createdAt: number): IncomingTransfer {
    const t = new IncomingTransfer(tid, peer, files, createdAt, this.services, () => this.options.onReceived?.());
    this.transfers.set(tid, t);
    return t;
  }

  private changed(): void {
    this.cached = null;
    this.changes.emit();
  }
}

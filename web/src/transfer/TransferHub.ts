// Every transfer of this page, both directions: offers and answers on the
// control channel, a FileSender or FileReceiver per accepted transfer, the
// state reducer per transfer, resume when a peer connection comes back (or
// after a reload or a crash, from the store), and the views React renders. No React.

import type { StorageLike } from '../settings/theme';
import type { FileChannel } from './FileChannel';
import { Emitter, realTimers, type Timers } from '../util/timers';
import type { DaemonFilePort } from './DaemonFiles';
import { FileReceiver, type FileResult, type ReceiverEvent } from './FileReceiver';
import { FileSender, type BlobLike, type SenderEvent } from './FileSender';
import { baseName, type PickedFile } from './pickFiles';
import { RateMeter, Throttle, etaSeconds } from './progress';
import {
  StorageTransferStore,
  resultsFromStored,
  resultsToStored,
  type StoredTransfer,
  type TransferStore,
} from './store';
import {
  errorText,
  initialStatus,
  isTerminal,
  phaseText,
  transferReducer,
  type PauseReason,
  type TransferDirection,
  type TransferEvent,
  type TransferPhase,
  type TransferStatus,
} from './transferState';
import {
  MAX_FILES,
  channelLabel,
  newTid,
  offerFrames,
  tidOfLabel,
  type OfferedFile,
  type TransferControlMessage,
  type XferOffer,
} from './wire';

/** What the hub needs of one peer's connection (PeerController gives it). */
export interface PeerLink {
  /** The control channel is open. */
  readonly connected: boolean;
  readonly name: string;
  /** Sends a control frame; false when there is no open channel. */
  sendControl(message: TransferControlMessage): boolean;
  /** Sends an already encoded control frame (offers are cut in several). */
  sendControlText(frame: string): boolean;
  openFileChannel(label: string): FileChannel | null;
  readonly maxMessageSize: number | null;
}

export type TransferFileStatus = 'waiting' | 'sending' | 'receiving' | 'checking' | 'verified' | 'failed';

export interface TransferFileView {
  i: number;
  path: string;
  size: number;
  /** Bytes held durably by the receiving daemon. */
  done: number;
  status: TransferFileStatus;
  /** The final name on the receiving computer (when verified). */
  name: string | null;
  error: string | null;
  /** The sender has no File for it (after a reload). */
  missing: boolean;
}

export interface TransferView {
  tid: string;
  peerId: string;
  peerName: string;
  direction: TransferDirection;
  phase: TransferPhase;
  pause: PauseReason | null;
  /** "Sending", "Paused — …", "Done", "Failed: …" */
  stateText: string;
  /** A problem in plain words (failed files, a read error), or null. */
  problem: string | null;
  files: readonly TransferFileView[];
  fileCount: number;
  total: number;
  /** Bytes held durably by the receiving daemon. */
  bytesDone: number;
  /** Bytes put on the channel (sender) or passed to the daemon (receiver). */
  bytesMoved: number;
  /** Bytes per second over the last seconds, null if unknown. */
  speed: number | null;
  etaSeconds: number | null;
  /** Every file was verified (SHA-256 matched on the receiving disk). */
  verified: boolean;
  canCancel: boolean;
  canDismiss: boolean;
  /** Names of files to select again (sender, after a reload). */
  missingFiles: readonly string[];
  createdAt: number;
}

/** window.__peerdrop.transfers: what benchmarks read. Times are performance.now(). */
export interface TransferHookInfo {
  tid: string;
  direction: TransferDirection;
  peer: string;
  state: TransferPhase;
  total: number;
  bytesSent: number;
  bytesDurable: number;
  startedAt: number | null;
  doneAt: number | null;
}

export interface TransferHubOptions {
  daemon: DaemonFilePort;
  /** Where unfinished transfers are kept across reloads and crashes (IndexedDB in the browser). */
  store?: TransferStore;
  /** Without `store`: a synchronous Storage for them (tests; localStorage where there is no IndexedDB). */
  storage?: (StorageLike & { readonly length?: number; key?(index: number): string | null }) | null;
  timers?: Timers;
  /** Monotonic ms for the benchmark hook (performance.now in the browser). */
  monotonicNow?: () => number;
  /** Accept this peer's requests without asking (settings.autoAccept, or the testing hook). */
  autoAccept: (peerId: string) => boolean;
  /** Saves "always accept files from this peer". */
  setAutoAccept?: (peerId: string, on: boolean) => Promise<void>;
  /** A file was received and verified (refresh the received list). */
  onReceived?: () => void;
  peerName: (peerId: string) => string;
  createTid?: () => string;
  /** Progress reaches the views at most this often. */
  progressIntervalMs?: number;
}

interface Transfer {
  tid: string;
  peer: string;
  direction: TransferDirection;
  files: OfferedFile[];
  total: number;
  createdAt: number;
  status: TransferStatus;
  failure: string | null;
  blobs: Map<number, BlobLike>;
  sender: FileSender | null;
  receiver: FileReceiver | null;
  results: Map<number, FileResult>;
  allSent: boolean;
  meter: RateMeter;
  startedAt: number | null;
  doneAt: number | null;
  /** An xfer_cancel to deliver when the peer is connected again. */
  cancelPending: string | null;
  accepted: boolean;
}

interface PartialOffer {
  peer: string;
  files: OfferedFile[];
  total: number;
}

export class TransferHub {
  private readonly transfers = new Map<string, Transfer>();
  private readonly links = new Map<string, PeerLink>();
  private readonly partialOffers = new Map<string, PartialOffer>();
  private readonly changes = new Emitter<void>();
  private readonly timers: Timers;
  private readonly monotonicNow: () => number;
  private readonly progressThrottle: Throttle;
  private readonly saveThrottle: Throttle;
  private readonly dirty = new Set<string>();
  private cached: readonly TransferView[] | null = null;
  private readonly offDaemon: () => void;
  private readonly store: TransferStore;
  /**
   * While the stored transfers are being loaded: what the peers said meanwhile,
   * handled in order once they are known (a resume must find its transfer).
   */
  private backlog: (() => void)[] | null = null;

  constructor(private readonly options: TransferHubOptions) {
    this.store = options.store ?? new StorageTransferStore(options.storage ?? null);
    this.timers = options.timers ?? realTimers;
    this.monotonicNow = options.monotonicNow ?? (() => globalThis.performance?.now() ?? this.timers.now());
    this.progressThrottle = new Throttle(this.timers, options.progressIntervalMs ?? 250, () => this.progressTick());
    this.saveThrottle = new Throttle(this.timers, 1_000, () => this.saveDirty());
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
      loaded = this.store.load();
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
      const transfer = this.create(record.tid, record.peer, record.direction, record.files, record.createdAt);
      transfer.results = resultsFromStored(record.results);
      transfer.accepted = record.accepted;
      if (record.direction === 'out') {
        // The File objects died with the page: the person selects them again.
        transfer.status = transferReducer(transfer.status, { type: 'PAUSE', reason: 'files' });
      } else if (record.accepted) {
        transfer.status = { ...transfer.status, phase: 'paused', pause: 'connection' };
      } else {
        // An unanswered offer: the sender offers it again when it reconnects.
        this.transfers.delete(record.tid);
        this.store.remove(record.tid);
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
    for (const t of this.transfers.values()) {
      if (t.peer !== peerId) continue;
      if (t.cancelPending) {
        link.sendControl({ t: 'xfer_cancel', tid: t.tid, reason: t.cancelPending });
        t.cancelPending = null;
      }
      if (isTerminal(t.status.phase) || t.direction !== 'out') continue;
      if (t.status.phase === 'offered') {
        if (this.missingFiles(t).length === 0) this.sendOffer(t, link);
      } else this.resumeOutgoing(t, link);
    }
    this.changed();
  }

  /** The connection dropped (reconnecting, closed or failed): running transfers pause. */
  peerDown(peerId: string): void {
    if (this.whenRestored(() => this.peerDown(peerId))) return;
    for (const t of this.transfers.values()) {
      if (t.peer !== peerId || isTerminal(t.status.phase)) continue;
      t.sender?.stop();
      t.receiver?.connectionDown();
      if (t.status.phase !== 'offered' && !(t.status.phase === 'paused' && t.status.pause === 'files')) {
        this.dispatch(t, { type: 'PAUSE', reason: 'connection' });
      }
    }
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
    if (t.direction === 'out') this.onSenderMessage(t, message, link);
    else this.onReceiverMessage(t, message, link);
    this.changed();
  }

  /** The peer opened a data channel `xfer:<tid>` (we receive that transfer). */
  fileChannel(peerId: string, channel: FileChannel): void {
    if (this.whenRestored(() => this.fileChannel(peerId, channel))) return;
    const tid = tidOfLabel(channel.label);
    const t = tid ? this.transfers.get(tid) : undefined;
    if (!t || t.peer !== peerId || t.direction !== 'in' || !t.receiver || isTerminal(t.status.phase)) {
      try {
        channel.close();
      } catch {
        // already closed
      }
      return;
    }
    t.receiver.attachChannel(channel);
  }

  // ---- intents of the person ----

  /**
   * Sends files to a peer: a new request, unless they are exactly files a
   * paused transfer to this peer is missing (selected again after a reload),
   * which then resumes. Returns the transfer id.
   */
  sendFiles(peerId: string, picked: readonly PickedFile[]): string | null {
    if (picked.length === 0) return null;
    for (const t of this.transfers.values()) {
      if (t.peer !== peerId || t.direction !== 'out' || isTerminal(t.status.phase)) continue;
      if (this.missingFiles(t).length === 0) continue;
      const matched = this.match(t, picked);
      if (matched === picked.length) {
        this.afterReselect(t);
        return t.tid;
      }
    }
    const files = picked.slice(0, MAX_FILES).map((p, i) => {
      const file: OfferedFile = { i, path: p.path, size: p.file.size };
      if (Number.isFinite(p.file.lastModified) && p.file.lastModified > 0) file.mtime = p.file.lastModified;
      return file;
    });
    const tid = this.options.createTid?.() ?? newTid();
    const t = this.create(tid, peerId, 'out', files, this.timers.now());
    picked.slice(0, MAX_FILES).forEach((p, i) => t.blobs.set(i, p.file));
    this.persist(t);
    const link = this.links.get(peerId);
    if (link?.connected) this.sendOffer(t, link);
    this.changed();
    return tid;
  }

  /** Files chosen again for a paused transfer (matched by name and size). Returns how many matched. */
  reselect(tid: string, picked: readonly PickedFile[]): number {
    const t = this.transfers.get(tid);
    if (!t || t.direction !== 'out' || isTerminal(t.status.phase)) return 0;
    const matched = this.match(t, picked);
    if (matched > 0) this.afterReselect(t);
    this.changed();
    return matched;
  }

  /** The receiving person accepted (optionally: always from this peer). */
  accept(tid: string, always = false): void {
    const t = this.transfers.get(tid);
    if (!t || t.direction !== 'in' || t.status.phase !== 'offered') return;
    if (always) void this.options.setAutoAccept?.(t.peer, true).catch(() => undefined);
    this.dispatch(t, { type: 'ACCEPT' });
    t.accepted = true;
    this.persist(t);
    this.startReceiver(t);
    this.changed();
  }

  decline(tid: string): void {
    const t = this.transfers.get(tid);
    if (!t || t.direction !== 'in' || t.status.phase !== 'offered') return;
    this.links.get(t.peer)?.sendControl({ t: 'xfer_decline', tid, reason: 'declined' });
    this.dispatch(t, { type: 'DECLINE', reason: 'declined', byPeer: false });
    this.changed();
  }

  cancel(tid: string): void {
    const t = this.transfers.get(tid);
    if (!t || isTerminal(t.status.phase)) return;
    const link = this.links.get(t.peer);
    if (t.direction === 'in' && t.status.phase === 'offered') {
      this.decline(tid);
      return;
    }
    if (!link?.connected || !link.sendControl({ t: 'xfer_cancel', tid, reason: 'cancelled' })) t.cancelPending = 'cancelled';
    this.dispatch(t, { type: 'CANCEL', reason: 'cancelled', byPeer: false });
    // The receiver's daemon throws the partial files away.
    if (t.direction === 'in') this.options.daemon.cancel(t.peer, t.tid);
    this.changed();
  }

  /** Removes a finished transfer from the list. */
  dismiss(tid: string): void {
    const t = this.transfers.get(tid);
    if (!t || !isTerminal(t.status.phase)) return;
    if (t.cancelPending) return; // still to tell the peer
    this.transfers.delete(tid);
    this.changed();
  }

  // ---- views ----

  subscribe = (listener: () => void): (() => void) => this.changes.on(listener);

  views(): readonly TransferView[] {
    // Peer names come from outside (a restored transfer is shown before its peer is listed): a new name is a new view.
    if (this.cached && this.cached.every((v) => v.peerName === this.options.peerName(v.peerId))) return this.cached;
    const now = this.timers.now();
    this.cached = [...this.transfers.values()].sort((a, b) => b.createdAt - a.createdAt).map((t) => this.view(t, now));
    return this.cached;
  }

  /** Offers waiting for our person, oldest first. */
  incomingOffers(): readonly TransferView[] {
    return this.views()
      .filter((v) => v.direction === 'in' && v.phase === 'offered')
      .reverse();
  }

  hookInfo(): TransferHookInfo[] {
    return [...this.transfers.values()].map((t) => ({
      tid: t.tid,
      direction: t.direction,
      peer: t.peer,
      state: t.status.phase,
      total: t.total,
      bytesSent: t.sender?.bytesSent ?? t.receiver?.bytesReceived ?? 0,
      bytesDurable: this.bytesDone(t),
      startedAt: t.startedAt,
      doneAt: t.doneAt,
    }));
  }

  dispose(): void {
    this.backlog = null;
    for (const t of this.transfers.values()) {
      t.sender?.stop();
      t.receiver?.stop();
    }
    this.progressThrottle.cancel();
    this.saveDirty();
    this.saveThrottle.cancel();
    this.offDaemon();
    this.changes.clear();
  }

  // ---- sender ----

  private sendOffer(t: Transfer, link: PeerLink): void {
    for (const frame of offerFrames(t.tid, t.files)) if (!link.sendControlText(frame)) return;
  }

  private resumeOutgoing(t: Transfer, link: PeerLink): void {
    if (this.missingFiles(t).length > 0) {
      this.dispatch(t, { type: 'PAUSE', reason: 'files' });
      return;
    }
    if (!link.connected) {
      this.dispatch(t, { type: 'PAUSE', reason: 'connection' });
      return;
    }
    if (link.sendControl({ t: 'xfer_resume', tid: t.tid })) this.dispatch(t, { type: 'RESUMING' });
  }

  private onSenderMessage(t: Transfer, message: TransferControlMessage, link: PeerLink | undefined): void {
    switch (message.t) {
      case 'xfer_accept': {
        if (isTerminal(t.status.phase)) {
          link?.sendControl({ t: 'xfer_cancel', tid: t.tid, reason: t.status.phase === 'cancelled' ? 'cancelled' : 'unknown' });
          return;
        }
        if (this.missingFiles(t).length > 0) {
          this.dispatch(t, { type: 'PAUSE', reason: 'files' });
          return;
        }
        const channel = link?.openFileChannel(channelLabel(t.tid)) ?? null;
        if (!channel || !link) {
          this.dispatch(t, { type: 'PAUSE', reason: 'connection' });
          return;
        }
        t.accepted = true;
        this.persist(t);
        if (!t.sender) t.sender = this.makeSender(t, link);
        for (const [i] of t.results) t.sender.fileFinished(i);
        t.allSent = false;
        t.sender.start(channel, message.resume, link.maxMessageSize);
        if (t.startedAt === null) t.startedAt = this.monotonicNow();
        this.dispatch(t, { type: 'RUNNING' });
        break;
      }
      case 'xfer_ack':
        t.sender?.ack(message);
        break;
      case 'xfer_file_done': {
        const file = t.files[message.i]; // files are in index order, i = position
        if (!file || t.results.has(message.i)) return;
        t.results.set(message.i, message.ok ? { ok: true, name: message.name ?? file.path } : { ok: false, error: message.error ?? 'failed' });
        t.sender?.fileFinished(message.i);
        this.markDirty(t);
        this.checkAllDone(t);
        break;
      }
      case 'xfer_decline':
        t.sender?.stop();
        this.dispatch(t, { type: 'DECLINE', reason: message.reason, byPeer: true });
        break;
      case 'xfer_cancel':
        t.sender?.stop();
        this.dispatch(t, { type: 'CANCEL', reason: message.reason, byPeer: true });
        break;
      default:
        break; // receiver-bound messages are not for a sender
    }
  }

  private makeSender(t: Transfer, link: PeerLink): FileSender {
    return new FileSender({
      tid: t.tid,
      files: t.files,
      blob: (i) => t.blobs.get(i) ?? null,
      sendControl: (message) => this.links.get(t.peer)?.sendControl(message) ?? link.sendControl(message),
      onEvent: (event) => this.onSenderEvent(t, event),
      timers: this.timers,
    });
  }

  private onSenderEvent(t: Transfer, event: SenderEvent): void {
    switch (event.type) {
      case 'progress':
        this.progressThrottle.request();
        return;
      case 'allSent':
        t.allSent = true;
        break;
      case 'channelClosed': {
        // The channel died while the connection lives on: ask where to continue.
        const link = this.links.get(t.peer);
        if (link?.connected) this.resumeOutgoing(t, link);
        else this.dispatch(t, { type: 'PAUSE', reason: 'connection' });
        break;
      }
      case 'readError': {
        t.sender?.stop();
        t.failure = event.error;
        const link = this.links.get(t.peer);
        if (!link?.sendControl({ t: 'xfer_cancel', tid: t.tid, reason: 'read_error' })) t.cancelPending = 'read_error';
        this.dispatch(t, { type: 'FAIL', reason: 'read_error' });
        break;
      }
    }
    this.changed();
  }

  private missingFiles(t: Transfer): OfferedFile[] {
    if (t.direction !== 'out') return [];
    return t.files.filter((f) => !t.results.has(f.i) && !t.blobs.has(f.i));
  }

  /** Attaches picked files to the missing ones they match (path, else name; same size; same mtime when both known). */
  private match(t: Transfer, picked: readonly PickedFile[]): number {
    const byPath = new Map<string, OfferedFile[]>();
    const byName = new Map<string, OfferedFile[]>();
    const add = (map: Map<string, OfferedFile[]>, key: string, f: OfferedFile) => {
      const list = map.get(key);
      if (list) list.push(f);
      else map.set(key, [f]);
    };
    for (const f of this.missingFiles(t)) {
      add(byPath, `${f.path}\0${f.size}`, f);
      add(byName, `${baseName(f.path)}\0${f.size}`, f);
    }
    let matched = 0;
    for (const p of picked) {
      const fits = (f: OfferedFile) =>
        !t.blobs.has(f.i) && (f.mtime === undefined || !(p.file.lastModified > 0) || f.mtime === p.file.lastModified);
      const size = p.file.size;
      const hit =
        byPath.get(`${p.path}\0${size}`)?.find(fits) ?? byName.get(`${baseName(p.path)}\0${size}`)?.find(fits);
      if (hit) {
        t.blobs.set(hit.i, p.file);
        matched += 1;
      }
    }
    return matched;
  }

  private afterReselect(t: Transfer): void {
    if (this.missingFiles(t).length > 0) return;
    const link = this.links.get(t.peer);
    if (!t.accepted) {
      // Never answered: offer it again.
      this.dispatch(t, { type: 'OFFER_AGAIN' });
      if (link?.connected) this.sendOffer(t, link);
    } else if (link?.connected) this.resumeOutgoing(t, link);
    else this.dispatch(t, { type: 'PAUSE', reason: 'connection' });
    this.changed();
  }

  // ---- receiver ----

  private onOfferFrame(peerId: string, frame: XferOffer): void {
    const link = this.links.get(peerId);
    if (frame.unreadable) {
      // Files this page cannot take: say so instead of leaving the sender waiting.
      if (this.partialOffers.get(frame.tid)?.peer === peerId) this.partialOffers.delete(frame.tid);
      if (!this.transfers.has(frame.tid)) link?.sendControl({ t: 'xfer_decline', tid: frame.tid, reason: 'bad_offer' });
      return;
    }
    const known = this.transfers.get(frame.tid);
    if (known) {
      this.partialOffers.delete(frame.tid);
      if (frame.more) return;
      // The sender offered again (it did not hear our answer).
      if (known.peer !== peerId || known.direction !== 'in') return;
      if (known.status.phase === 'declined') link?.sendControl({ t: 'xfer_decline', tid: frame.tid, reason: known.status.reason ?? 'declined' });
      else if (isTerminal(known.status.phase)) link?.sendControl({ t: 'xfer_cancel', tid: frame.tid, reason: 'cancelled' });
      else if (known.status.phase !== 'offered') this.answerResume(known);
      return;
    }
    let partial = this.partialOffers.get(frame.tid);
    if (!partial || partial.peer !== peerId) {
      partial = { peer: peerId, files: [], total: frame.total };
      this.partialOffers.set(frame.tid, partial);
    }
    partial.files.push(...frame.files);
    if (partial.files.length > MAX_FILES) {
      this.partialOffers.delete(frame.tid);
      link?.sendControl({ t: 'xfer_decline', tid: frame.tid, reason: 'bad_offer' });
      return;
    }
    if (frame.more) return;
    this.partialOffers.delete(frame.tid);
    const files = partial.files;
    const sum = files.reduce((s, f) => s + f.size, 0);
    const ordered = files.every((f, k) => f.i === k);
    if (files.length === 0 || !ordered || sum !== frame.total) {
      link?.sendControl({ t: 'xfer_decline', tid: frame.tid, reason: 'bad_offer' });
      return;
    }
    const t = this.create(frame.tid, peerId, 'in', files, this.timers.now());
    if (this.options.autoAccept(peerId)) this.accept(t.tid);
    this.changed();
  }

  private onReceiverMessage(t: Transfer, message: TransferControlMessage, link: PeerLink | undefined): void {
    switch (message.t) {
      case 'xfer_resume':
        if (isTerminal(t.status.phase)) {
          if (t.status.phase === 'done') {
            for (const [i, r] of t.results) link?.sendControl(fileDoneMessage(t.tid, i, r));
          } else link?.sendControl({ t: 'xfer_cancel', tid: t.tid, reason: t.status.phase === 'cancelled' ? 'cancelled' : 'unknown' });
          return;
        }
        if (t.status.phase === 'offered') return; // still asking our person
        this.answerResume(t);
        break;
      case 'xfer_file_end':
        t.receiver?.fileEnd(message);
        break;
      case 'xfer_cancel':
        t.receiver?.stop();
        this.options.daemon.cancel(t.peer, t.tid);
        this.dispatch(t, { type: 'CANCEL', reason: message.reason, byPeer: true });
        break;
      default:
        break;
    }
  }

  private answerResume(t: Transfer): void {
    if (!t.receiver) this.startReceiver(t);
    else {
      this.dispatch(t, { type: 'RESUMING' });
      void t.receiver.answer();
    }
  }

  private startReceiver(t: Transfer): void {
    const receiver = new FileReceiver({
      tid: t.tid,
      peer: t.peer,
      files: t.files,
      daemon: this.options.daemon,
      results: t.results,
      timers: this.timers,
      sendControl: (message) => {
        const sent = this.links.get(t.peer)?.sendControl(message) ?? false;
        if (message.t === 'xfer_accept' && sent && t.receiver === receiver) {
          if (t.startedAt === null) t.startedAt = this.monotonicNow();
          this.dispatch(t, { type: 'RUNNING' });
          this.changed();
        }
        return sent;
      },
      onEvent: (event) => this.onReceiverEvent(t, event),
    });
    t.receiver = receiver;
    if (t.status.phase === 'paused') this.dispatch(t, { type: 'RESUMING' });
    void receiver.answer();
  }

  private onReceiverEvent(t: Transfer, event: ReceiverEvent): void {
    switch (event.type) {
      case 'progress':
        this.progressThrottle.request();
        return;
      case 'fileDone':
        t.results.set(event.i, event.result);
        this.markDirty(t);
        if (event.result.ok) this.options.onReceived?.();
        break;
      case 'allDone':
        this.checkAllDone(t);
        break;
      case 'fatal': {
        t.receiver?.stop();
        this.options.daemon.cancel(t.peer, t.tid);
        t.failure = event.text;
        const link = this.links.get(t.peer);
        if (t.status.phase === 'accepting') {
          link?.sendControl({ t: 'xfer_decline', tid: t.tid, reason: event.reason });
          this.dispatch(t, { type: 'FAIL', reason: event.reason });
        } else {
          if (!link?.sendControl({ t: 'xfer_cancel', tid: t.tid, reason: event.reason })) t.cancelPending = event.reason;
          this.dispatch(t, { type: 'FAIL', reason: event.reason });
        }
        break;
      }
      case 'daemonWait':
        if (event.waiting) this.dispatch(t, { type: 'PAUSE', reason: 'daemon' });
        else if (t.status.phase === 'paused' && t.status.pause === 'daemon') this.dispatch(t, { type: 'RESUMING' });
        break;
    }
    this.changed();
  }

  // ---- both ----

  private create(tid: string, peer: string, direction: TransferDirection, files: OfferedFile[], createdAt: number): Transfer {
    const t: Transfer = {
      tid,
      peer,
      direction,
      files,
      total: files.reduce((s, f) => s + f.size, 0),
      createdAt,
      status: initialStatus(),
      failure: null,
      blobs: new Map(),
      sender: null,
      receiver: null,
      results: new Map(),
      allSent: false,
      meter: new RateMeter(),
      startedAt: null,
      doneAt: null,
      cancelPending: null,
      accepted: false,
    };
    this.transfers.set(tid, t);
    return t;
  }

  private checkAllDone(t: Transfer): void {
    if (t.results.size < t.files.length) return; // results hold valid indexes only
    t.sender?.stop();
    t.receiver?.stop();
    t.doneAt = this.monotonicNow();
    const failed = [...t.results.values()].filter((r) => !r.ok);
    if (failed.length === 0) this.dispatch(t, { type: 'DONE' });
    else {
      const first = failed[0] as { ok: false; error: string };
      t.failure =
        failed.length === t.files.length && t.files.length === 1
          ? errorText(first.error)
          : `${failed.length} of ${t.files.length} files failed (${errorText(first.error)})`;
      this.dispatch(t, { type: 'FAIL', reason: first.error });
    }
  }

  private dispatch(t: Transfer, event: TransferEvent): void {
    const before = t.status;
    t.status = transferReducer(before, event);
    if (t.status === before) return;
    if (isTerminal(t.status.phase)) {
      t.sender?.stop();
      t.receiver?.stop();
      if (t.doneAt === null) t.doneAt = this.monotonicNow();
      this.dirty.delete(t.tid);
      this.store.remove(t.tid);
    }
    this.cached = null;
  }

  private persist(t: Transfer): void {
    if (isTerminal(t.status.phase)) return;
    const record: StoredTransfer = {
      v: 1,
      tid: t.tid,
      peer: t.peer,
      peerName: this.options.peerName(t.peer),
      direction: t.direction,
      files: t.files,
      accepted: t.accepted,
      createdAt: t.createdAt,
      results: resultsToStored(t.results),
    };
    this.store.save(record);
  }

  private markDirty(t: Transfer): void {
    this.dirty.add(t.tid);
    this.saveThrottle.request();
  }

  private saveDirty(): void {
    for (const tid of this.dirty) {
      const t = this.transfers.get(tid);
      if (t) this.persist(t);
    }
    this.dirty.clear();
  }

  private progressTick(): void {
    this.changed();
  }

  private bytesDone(t: Transfer): number {
    if (t.status.phase === 'done') return t.total;
    if (t.direction === 'out') {
      if (t.sender) return t.sender.bytesDurable;
    } else if (t.receiver) return t.receiver.bytesDurable;
    return t.files.reduce((s, f) => s + (t.results.get(f.i)?.ok ? f.size : 0), 0);
  }

  private view(t: Transfer, now: number): TransferView {
    const peerName = this.options.peerName(t.peer);
    const bytesDone = this.bytesDone(t);
    const running = t.status.phase === 'running';
    if (running) t.meter.sample(now, bytesDone);
    else t.meter.reset();
    const speed = running ? t.meter.rate(now) : null;
    const missing = this.missingFiles(t);
    const missingSet = new Set(missing.map((f) => f.i));
    const files = t.files.map((f): TransferFileView => {
      const result = t.results.get(f.i) ?? null;
      let done = 0;
      let status: TransferFileStatus = 'waiting';
      if (t.direction === 'out' && t.sender) done = t.sender.fileDurable(f.i);
      if (t.direction === 'in' && t.receiver) done = t.receiver.fileProgress(f.i)?.durable ?? 0;
      if (result) {
        status = result.ok ? 'verified' : 'failed';
        if (result.ok) done = f.size;
      } else if (running || t.status.phase === 'resuming') {
        const moved =
          t.direction === 'out' ? done > 0 || (t.sender?.fileDurable(f.i) ?? 0) > 0 : (t.receiver?.fileProgress(f.i)?.received ?? 0) > 0;
        if (done >= f.size && f.size > 0) status = 'checking';
        else if (moved) status = t.direction === 'out' ? 'sending' : 'receiving';
      }
      return {
        i: f.i,
        path: f.path,
        size: f.size,
        done,
        status,
        name: result?.ok ? result.name : null,
        error: result && !result.ok ? errorText(result.error) : null,
        missing: missingSet.has(f.i),
      };
    });
    let stateText = phaseText(t.status, t.direction, peerName, t.failure);
    if (running && t.direction === 'out' && t.allSent) stateText = 'Checking\u2026';
    const failedFiles = files.filter((f) => f.status === 'failed');
    const problem =
      t.status.phase === 'failed'
        ? null
        : failedFiles.length > 0
          ? `${failedFiles[0]!.path}: ${failedFiles[0]!.error ?? 'failed'}`
          : t.failure;
    return {
      tid: t.tid,
      peerId: t.peer,
      peerName,
      direction: t.direction,
      phase: t.status.phase,
      pause: t.status.pause,
      stateText,
      problem,
      files,
      fileCount: t.files.length,
      total: t.total,
      bytesDone,
      bytesMoved: t.sender?.bytesSent ?? t.receiver?.bytesReceived ?? 0,
      speed,
      etaSeconds: running ? etaSeconds(t.total - bytesDone, speed) : null,
      verified: t.status.phase === 'done',
      canCancel: !isTerminal(t.status.phase),
      canDismiss: isTerminal(t.status.phase),
      missingFiles: missing.map((f) => f.path),
      createdAt: t.createdAt,
    };
  }

  private changed(): void {
    this.cached = null;
    this.changes.emit();
  }
}

function fileDoneMessage(tid: string, i: number, r: FileResult): TransferControlMessage {
  return r.ok ? { t: 'xfer_file_done', tid, i, ok: true, name: r.name } : { t: 'xfer_file_done', tid, i, ok: false, error: r.error };
}

// The page's side of the transfer lane (files daemon to daemon): takes the
// daemon's `transfers` pushes, sends picked files (POST /api/transfers, then
// LaneUploader), resumes an upload the page left unfinished when the same
// files are offered to the same peer again (laneResumeStore), answers offers
// and cancels. The state lives in the pure laneReducer; this class does the
// I/O and says when it changed.

import type { DaemonMessage } from '../daemon/protocol';
import { LaneApiError } from '../daemon/laneApi';
import { isFinalLaneState, type LaneFileToSend, type LaneUploadTransfer } from '../daemon/laneProtocol';
import type { BackoffOptions } from '../daemon/DaemonSocket';
import type { PickedFile } from '../transfer/pickFiles';
import type { TransferView } from '../transfer/transferView';
import { Emitter, realTimers, type Timers } from '../util/timers';
import { fileToSend, matchExactly, matchSome, type LaneResumeRecord, type LaneResumeStore } from './laneResumeStore';
import { dialogQueue, initialLaneModel, laneReducer, laneSpeed, listedTransfers, type LaneEvent, type LaneModel } from './laneState';
import { LaneUploader, type UploadItem, type UploadPort } from './LaneUploader';
import { laneOfferView, laneTransferView } from './laneView';

/** What the lane needs of the daemon's HTTP API (LaneApi; a fake in tests). */
export interface LanePort extends UploadPort {
  send(peer: string, files: readonly LaneFileToSend[]): Promise<LaneUploadTransfer>;
  get(tid: string): Promise<LaneUploadTransfer>;
  answer(tid: string, accept: boolean): Promise<void>;
  cancel(tid: string): Promise<void>;
}

export interface LaneControllerOptions {
  api: LanePort;
  store: LaneResumeStore;
  timers?: Timers;
  /** The name the page shows for a peer (`pushed`: the daemon's name for it). */
  peerName?: (peerId: string, pushed: string) => string;
  /** "Always accept connections and files from …" (the existing trust setting). */
  setAutoAccept?: (peerId: string, on: boolean) => Promise<void>;
  random?: () => number;
  backoff?: BackoffOptions;
  maxAttempts?: number;
}

/** A note stays this long. */
export const NOTE_MS = 15_000;

export class LaneController {
  private model: LaneModel = initialLaneModel();
  private readonly timers: Timers;
  private readonly changes = new Emitter<void>();
  private readonly records = new Map<string, LaneResumeRecord>();
  private readonly uploaders = new Map<string, LaneUploader>();
  /** Records checked with GET because a push did not list them. */
  private readonly checked = new Set<string>();
  private readonly loaded: Promise<void>;
  /** Sends under way (POST not answered yet), by peer and files. */
  private readonly sending = new Map<string, Promise<string | null>>();
  private notes: { id: number; text: string }[] = [];
  private nextNote = 1;
  private disposed = false;

  constructor(private readonly options: LaneControllerOptions) {
    this.timers = options.timers ?? realTimers;
    this.loaded = options.store
      .load()
      .then((records) => {
        for (const record of records) if (!this.records.has(record.tid)) this.records.set(record.tid, record);
        this.reconcile();
      })
      .catch(() => undefined);
  }

  subscribe(listener: () => void): () => void {
    return this.changes.on(listener);
  }

  /** Resolves when the stored records are loaded (tests). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Takes the daemon's `transfers` push; false for any other message. */
  handle(message: DaemonMessage): boolean {
    if (message.type !== 'transfers') return false;
    this.dispatch({ type: 'PUSH', message, now: this.timers.now() });
    this.reconcile();
    return true;
  }

  has(tid: string): boolean {
    return this.model.transfers.some((t) => t.tid === tid) || this.model.offers.some((o) => o.tid === tid) || this.records.has(tid);
  }

  /**
   * Sends the picked files to `peerId` over the lane. The same files (paths,
   * sizes, modification times) offered to the same peer before, by a page
   * that did not finish uploading them, continue that transfer. The tid, or
   * null when it could not be sent (a note says why).
   */
  send(peerId: string, picked: readonly PickedFile[]): Promise<string | null> {
    if (picked.length === 0) return Promise.resolve(null);
    // The same drop twice while the first is still being offered: one transfer.
    const key = `${peerId}\n${picked.map((p) => JSON.stringify(fileToSend(p))).sort().join('\n')}`;
    const pending = this.sending.get(key);
    if (pending) return pending;
    const sent = this.sendNow(peerId, picked).finally(() => this.sending.delete(key));
    this.sending.set(key, sent);
    return sent;
  }

  private async sendNow(peerId: string, picked: readonly PickedFile[]): Promise<string | null> {
    await this.loaded;
    for (const record of [...this.records.values()]) {
      if (record.peer !== peerId) continue;
      const match = matchExactly(record, picked);
      if (!match) continue;
      if (this.uploaders.has(record.tid)) return record.tid;
      const resumed = await this.resume(record, match);
      if (resumed) return record.tid;
    }
    const files = picked.map(fileToSend);
    let transfer: LaneUploadTransfer;
    try {
      transfer = await this.options.api.send(peerId, files);
    } catch (error) {
      this.note(`Could not send to ${this.peerName(peerId, peerId.slice(0, 8))}: ${errorText(error)}`);
      return null;
    }
    // Kept even if the tab is going away: a later page resumes it.
    const record: LaneResumeRecord = { v: 1, tid: transfer.tid, peer: peerId, files, createdAt: this.timers.now() };
    this.records.set(record.tid, record);
    this.options.store.save(record);
    if (this.disposed) return transfer.tid;
    this.dispatch({ type: 'FILES', tid: record.tid, files: files.map(({ path, size }) => ({ path, size })) });
    const uploaded = new Map(transfer.files.map((f) => [f.index, f.uploaded]));
    this.startUpload(
      record.tid,
      picked.map((p, index) => ({ index, file: p.file, uploaded: uploaded.get(index) ?? 0 })),
    );
    return record.tid;
  }

  /** The person chose files again for a paused transfer of this page: continues it with those among its files. */
  async reselect(tid: string, picked: readonly PickedFile[]): Promise<boolean> {
    await this.loaded;
    const record = this.records.get(tid);
    if (!record || this.uploaders.has(tid)) return false;
    const match = matchSome(record, picked);
    if (match.size === 0) {
      this.note('Those are not the files of this transfer: choose the same files (same names, sizes and dates).');
      return false;
    }
    return this.resume(record, match);
  }

  /** Accepts (with "always accept" for its sender) or declines an offer from the dialog. */
  async answer(tid: string, accept: boolean, always = false): Promise<void> {
    const offer = this.model.offers.find((o) => o.tid === tid);
    const name = offer ? this.peerName(offer.peer, offer.peerName) : 'the sender';
    this.dispatch({ type: 'ANSWERING', tid });
    if (accept && always && offer && this.options.setAutoAccept) {
      this.options.setAutoAccept(offer.peer, true).catch((error: unknown) => {
        this.note(`Could not save \u201calways accept\u201d for ${name}: ${errorText(error)}`);
      });
    }
    try {
      await this.options.api.answer(tid, accept);
    } catch (error) {
      if (error instanceof LaneApiError && error.status === 404) {
        this.note(`The offer from ${name} no longer waits: it was answered elsewhere or it expired.`);
      } else {
        this.dispatch({ type: 'ANSWER_FAILED', tid });
        this.note(`Could not answer ${name}: ${errorText(error)}`);
      }
    }
  }

  /** Cancels a transfer, either direction (DELETE /api/transfers/TID). */
  async cancel(tid: string): Promise<void> {
    this.uploaders.get(tid)?.stop();
    try {
      await this.options.api.cancel(tid);
    } catch (error) {
      if (!(error instanceof LaneApiError && error.status === 404)) {
        this.note(`Could not cancel: ${errorText(error)}`);
        return;
      }
    }
    this.forget(tid);
  }

  /** Removes an ended transfer from the list (this page only). */
  dismiss(tid: string): void {
    this.dispatch({ type: 'DISMISS', tid });
  }

  /** Every lane transfer to list, newest first, as TransferProgress shows it. */
  transferViews(): TransferView[] {
    const now = this.timers.now();
    return listedTransfers(this.model).map((t) =>
      laneTransferView(t, {
        peerName: this.peerName(t.peer, t.peerName),
        upload: this.model.uploads[t.tid] ?? null,
        files: this.model.files[t.tid] ?? [],
        speed: laneSpeed(this.model, t.tid, now),
      }),
    );
  }

  /** Offers to ask about, oldest first: one dialog each. */
  offerViews(): TransferView[] {
    return dialogQueue(this.model).map((o) => laneOfferView(o, this.peerName(o.peer, o.peerName)));
  }

  /** Short notes for the page (an offer answered elsewhere, a send that failed). */
  currentNotes(): string[] {
    return this.notes.map((n) => n.text);
  }

  /** The page goes away: uploads stop (the transfers pause at the daemon and resume from a later page). */
  dispose(): void {
    this.disposed = true;
    for (const uploader of this.uploaders.values()) uploader.stop();
    this.uploaders.clear();
    this.changes.clear();
  }

  // ---- inside ----

  private peerName(peerId: string, pushed: string): string {
    return this.options.peerName?.(peerId, pushed) ?? pushed;
  }

  /** Continues a recorded transfer with the matched files; false when it cannot be continued (ended or unknown). */
  private async resume(record: LaneResumeRecord, match: ReadonlyMap<number, PickedFile>): Promise<boolean> {
    let transfer: LaneUploadTransfer;
    try {
      transfer = await this.options.api.get(record.tid);
    } catch (error) {
      if (error instanceof LaneApiError && error.status === 404) {
        this.forget(record.tid);
        return false;
      }
      this.note(`Could not resume the transfer to ${this.peerName(record.peer, record.peer.slice(0, 8))}: ${errorText(error)}`);
      return true;
    }
    if (isFinalLaneState(transfer.state)) {
      this.forget(record.tid);
      return false;
    }
    if (this.disposed || this.uploaders.has(record.tid)) return true;
    const uploaded = new Map(transfer.files.map((f) => [f.index, f.uploaded]));
    const items: UploadItem[] = [];
    const lacking: string[] = [];
    record.files.forEach((file, index) => {
      const held = uploaded.get(index) ?? 0;
      const picked = match.get(index);
      if (picked) items.push({ index, file: picked.file, uploaded: held });
      else if (held < file.size || file.size === 0) lacking.push(file.path);
    });
    if (lacking.length > 0) {
      const more = lacking.length > 3 ? ` and ${lacking.length - 3} more` : '';
      this.note(`Choose these files too, to resume: ${lacking.slice(0, 3).join(', ')}${more}.`);
      return true;
    }
    this.dispatch({ type: 'FILES', tid: record.tid, files: record.files.map(({ path, size }) => ({ path, size })) });
    this.startUpload(record.tid, items);
    return true;
  }

  private startUpload(tid: string, items: UploadItem[]): void {
    const uploader = new LaneUploader(tid, items, {
      api: this.options.api,
      timers: this.timers,
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      ...(this.options.maxAttempts ? { maxAttempts: this.options.maxAttempts } : {}),
    });
    this.uploaders.set(tid, uploader);
    this.dispatch({ type: 'UPLOAD', tid, upload: { state: 'uploading' } });
    void uploader.run().then((outcome) => {
      if (this.uploaders.get(tid) !== uploader) return;
      this.uploaders.delete(tid);
      if (this.disposed) return;
      switch (outcome.type) {
        case 'done':
          // The daemon holds every byte: nothing is left to resume from a page.
          this.dispatch({ type: 'UPLOAD', tid, upload: { state: 'uploaded' } });
          this.dropRecord(tid);
          break;
        case 'gone':
          this.forget(tid);
          break;
        case 'failed':
          this.dispatch({ type: 'UPLOAD', tid, upload: { state: 'failed', error: outcome.error } });
          break;
        case 'stopped':
          this.dispatch({ type: 'UPLOAD', tid, upload: this.records.has(tid) ? { state: 'paused' } : null });
          break;
      }
    });
  }

  /**
   * Records against the daemon's list: an ended transfer's record goes; an
   * unfinished one no upload runs for here is paused (its files must be
   * chosen again); one the push does not list is asked about once.
   */
  private reconcile(): void {
    if (!this.model.pushed) return;
    for (const record of [...this.records.values()]) {
      const transfer = this.model.transfers.find((t) => t.tid === record.tid);
      if (!transfer) {
        if (!this.checked.has(record.tid)) {
          this.checked.add(record.tid);
          void this.options.api.get(record.tid).then(
            (t) => {
              if (isFinalLaneState(t.state)) this.forget(record.tid);
            },
            (error: unknown) => {
              if (error instanceof LaneApiError && error.status === 404) this.forget(record.tid);
            },
          );
        }
        continue;
      }
      if (isFinalLaneState(transfer.state)) {
        this.uploaders.get(record.tid)?.stop();
        this.uploaders.delete(record.tid);
        this.forget(record.tid);
      } else if (!this.uploaders.has(record.tid) && !this.model.uploads[record.tid]) {
        this.dispatch({ type: 'UPLOAD', tid: record.tid, upload: { state: 'paused' } });
        this.dispatch({ type: 'FILES', tid: record.tid, files: record.files.map(({ path, size }) => ({ path, size })) });
      }
    }
  }

  /** Nothing of this transfer is left for the page to do. */
  private forget(tid: string): void {
    this.dropRecord(tid);
    if (this.model.uploads[tid]) this.dispatch({ type: 'UPLOAD', tid, upload: null });
  }

  private dropRecord(tid: string): void {
    if (!this.records.delete(tid)) return;
    this.options.store.remove(tid);
  }

  private note(text: string): void {
    if (this.disposed) return;
    const id = this.nextNote++;
    this.notes = [...this.notes, { id, text }].slice(-3);
    this.timers.setTimeout(() => {
      this.notes = this.notes.filter((n) => n.id !== id);
      this.changes.emit();
    }, NOTE_MS);
    this.changes.emit();
  }

  private dispatch(event: LaneEvent): void {
    this.model = laneReducer(this.model, event);
    this.changes.emit();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

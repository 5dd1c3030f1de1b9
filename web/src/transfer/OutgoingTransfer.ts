// The sending side of one transfer: the offer, resuming (xfer_resume), the
// FileSender once the receiver accepted, the receiver's verdicts, and the
// Files themselves (gone after a reload until the person selects them again).

import { FileSender, type BlobLike, type SenderEvent } from './FileSender';
import type { PeerLink } from './PeerLink';
import { baseName, type PickedFile } from './pickFiles';
import { Transfer } from './Transfer';
import type { FileBytes } from './transferView';
import { channelLabel, offerFrames, type OfferedFile, type TransferControlMessage } from './wire';

export class OutgoingTransfer extends Transfer {
  readonly direction = 'out' as const;
  private readonly blobs = new Map<number, BlobLike>();
  private sender: FileSender | null = null;

  /** The Files of a new request, by position. */
  attach(picked: readonly PickedFile[]): void {
    picked.forEach((p, i) => this.blobs.set(i, p.file));
  }

  override missingFiles(): OfferedFile[] {
    return this.files.filter((f) => !this.results.has(f.i) && !this.blobs.has(f.i));
  }

  /** Attaches picked files to the missing ones they match (path, else name; same size; same mtime when both known). */
  match(picked: readonly PickedFile[]): number {
    const byPath = new Map<string, OfferedFile[]>();
    const byName = new Map<string, OfferedFile[]>();
    const add = (map: Map<string, OfferedFile[]>, key: string, f: OfferedFile) => {
      const list = map.get(key);
      if (list) list.push(f);
      else map.set(key, [f]);
    };
    for (const f of this.missingFiles()) {
      add(byPath, `${f.path}\0${f.size}`, f);
      add(byName, `${baseName(f.path)}\0${f.size}`, f);
    }
    let matched = 0;
    for (const p of picked) {
      const fits = (f: OfferedFile) =>
        !this.blobs.has(f.i) && (f.mtime === undefined || !(p.file.lastModified > 0) || f.mtime === p.file.lastModified);
      const size = p.file.size;
      const hit =
        byPath.get(`${p.path}\0${size}`)?.find(fits) ?? byName.get(`${baseName(p.path)}\0${size}`)?.find(fits);
      if (hit) {
        this.blobs.set(hit.i, p.file);
        matched += 1;
      }
    }
    return matched;
  }

  /** Files were selected again: with none missing, offer again (never answered) or resume. */
  afterReselect(): void {
    if (this.missingFiles().length > 0) return;
    const link = this.services.link(this.peer);
    if (!this.status.accepted) {
      this.dispatch({ type: 'OFFER_AGAIN' });
      if (link?.connected) this.sendOffer(link);
    } else if (link?.connected) this.resume(link);
    else this.dispatch({ type: 'PAUSE', reason: 'connection' });
    this.services.changed();
  }

  /** A new request: kept, and offered if the peer is connected. */
  offer(link: PeerLink | undefined): void {
    this.persist();
    if (link?.connected) this.sendOffer(link);
  }

  control(message: TransferControlMessage, link: PeerLink | undefined): void {
    switch (message.t) {
      case 'xfer_accept': {
        if (this.terminal) {
          link?.sendControl({ t: 'xfer_cancel', tid: this.tid, reason: this.status.phase === 'cancelled' ? 'cancelled' : 'unknown' });
          return;
        }
        if (this.missingFiles().length > 0) {
          this.dispatch({ type: 'PAUSE', reason: 'files' });
          return;
        }
        const channel = link?.openFileChannel(channelLabel(this.tid)) ?? null;
        if (!channel || !link) {
          this.dispatch({ type: 'PAUSE', reason: 'connection' });
          return;
        }
        this.dispatch({ type: 'PEER_ACCEPTED' });
        this.persist();
        const sender = (this.sender ??= this.makeSender(link));
        for (const [i] of this.results) sender.fileFinished(i);
        this.dispatch({ type: 'SEND_START' });
        sender.start(channel, message.resume, link.maxMessageSize);
        this.noteStarted();
        this.dispatch({ type: 'RUNNING' });
        break;
      }
      case 'xfer_ack':
        this.sender?.ack(message);
        break;
      case 'xfer_file_done': {
        const file = this.files[message.i]; // files are in index order, i = position
        if (!file || this.results.has(message.i)) return;
        this.setResult(message.i, message.ok ? { ok: true, name: message.name ?? file.path } : { ok: false, error: message.error ?? 'failed' });
        this.sender?.fileFinished(message.i);
        this.checkAllDone();
        break;
      }
      case 'xfer_decline':
        this.sender?.stop();
        this.dispatch({ type: 'DECLINE', reason: message.reason, byPeer: true });
        break;
      case 'xfer_cancel':
        this.sender?.stop();
        this.dispatch({ type: 'CANCEL', reason: message.reason, byPeer: true });
        break;
      default:
        break; // receiver-bound messages are not for a sender
    }
  }

  stop(): void {
    this.sender?.stop();
  }

  protected connectionUp(link: PeerLink): void {
    if (this.status.phase === 'offered') {
      if (this.missingFiles().length === 0) this.sendOffer(link);
    } else this.resume(link);
  }

  protected connectionDown(): void {
    this.sender?.stop();
  }

  protected liveBytesDurable(): number | null {
    return this.sender ? this.sender.bytesDurable : null;
  }

  protected bytesMoved(): number {
    return this.sender?.bytesSent ?? 0;
  }

  protected fileBytes(i: number): FileBytes {
    const durable = this.sender?.fileDurable(i) ?? 0;
    return { durable, moved: durable > 0 };
  }

  private sendOffer(link: PeerLink): void {
    for (const frame of offerFrames(this.tid, this.files)) if (!link.sendControlText(frame)) return;
  }

  /** Asks the receiver where to continue (xfer_resume), if the files and the connection are there. */
  private resume(link: PeerLink): void {
    if (this.missingFiles().length > 0) {
      this.dispatch({ type: 'PAUSE', reason: 'files' });
      return;
    }
    if (!link.connected) {
      this.dispatch({ type: 'PAUSE', reason: 'connection' });
      return;
    }
    if (link.sendControl({ t: 'xfer_resume', tid: this.tid })) this.dispatch({ type: 'RESUMING' });
  }

  private makeSender(link: PeerLink): FileSender {
    return new FileSender({
      tid: this.tid,
      files: this.files,
      blob: (i) => this.blobs.get(i) ?? null,
      sendControl: (message) => this.services.link(this.peer)?.sendControl(message) ?? link.sendControl(message),
      onEvent: (event) => this.onSenderEvent(event),
      timers: this.services.timers,
    });
  }

  private onSenderEvent(event: SenderEvent): void {
    switch (event.type) {
      case 'progress':
        this.services.progress();
        return;
      case 'allSent':
        this.dispatch({ type: 'ALL_SENT' });
        break;
      case 'channelClosed': {
        // The channel died while the connection lives on: ask where to continue.
        const link = this.services.link(this.peer);
        if (link?.connected) this.resume(link);
        else this.dispatch({ type: 'PAUSE', reason: 'connection' });
        break;
      }
      case 'readError':
        this.sender?.stop();
        this.tellCancel('read_error');
        this.dispatch({ type: 'FAIL', reason: 'read_error', text: event.error });
        break;
    }
    this.services.changed();
  }
}

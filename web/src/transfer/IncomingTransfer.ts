// The receiving side of one transfer: the person's answer to the offer, the
// FileReceiver that answers the sender with offsets (first, after xfer_resume
// and whenever the stream must start over), and the verdicts it reports.

import type { FileChannel } from './FileChannel';
import { FileReceiver, type FileResult, type ReceiverEvent } from './FileReceiver';
import type { PeerLink } from './PeerLink';
import { Transfer, type TransferServices } from './Transfer';
import type { FileBytes } from './transferView';
import type { OfferedFile, TransferControlMessage } from './wire';

export class IncomingTransfer extends Transfer {
  readonly direction = 'in' as const;
  private receiver: FileReceiver | null = null;

  constructor(
    tid: string,
    peer: string,
    files: readonly OfferedFile[],
    createdAt: number,
    services: TransferServices,
    /** A file was received and verified. */
    private readonly onReceived: () => void,
  ) {
    super(tid, peer, files, createdAt, services);
  }

  /** Our person (or auto-accept) said yes. */
  accept(): void {
    if (this.status.phase !== 'offered') return;
    this.dispatch({ type: 'ACCEPT' });
    this.persist();
    this.startReceiver();
  }

  /** Our person said no. */
  decline(): void {
    if (this.status.phase !== 'offered') return;
    this.services.link(this.peer)?.sendControl({ t: 'xfer_decline', tid: this.tid, reason: 'declined' });
    this.dispatch({ type: 'DECLINE', reason: 'declined', byPeer: false });
  }

  /** An unanswered offer is declined; otherwise the daemon throws the partial files away. */
  override cancel(): void {
    if (this.terminal) return;
    if (this.status.phase === 'offered') {
      this.decline();
      return;
    }
    super.cancel();
    this.services.daemon.cancel(this.peer, this.tid);
  }

  /** The sender offered again (it did not hear our answer): answer again. */
  offeredAgain(link: PeerLink | undefined): void {
    const { phase, reason } = this.status;
    if (phase === 'declined') link?.sendControl({ t: 'xfer_decline', tid: this.tid, reason: reason ?? 'declined' });
    else if (this.terminal) link?.sendControl({ t: 'xfer_cancel', tid: this.tid, reason: 'cancelled' });
    else if (phase !== 'offered') this.answerResume();
  }

  /** The sender's `xfer:<tid>` data channel; false when it is not wanted (nothing to receive). */
  takeChannel(channel: FileChannel): boolean {
    if (!this.receiver || this.terminal) return false;
    this.receiver.attachChannel(channel);
    return true;
  }

  control(message: TransferControlMessage, link: PeerLink | undefined): void {
    switch (message.t) {
      case 'xfer_resume':
        if (this.terminal) {
          if (this.status.phase === 'done') {
            for (const [i, r] of this.results) link?.sendControl(fileDoneMessage(this.tid, i, r));
          } else link?.sendControl({ t: 'xfer_cancel', tid: this.tid, reason: this.status.phase === 'cancelled' ? 'cancelled' : 'unknown' });
          return;
        }
        if (this.status.phase === 'offered') return; // still asking our person
        this.answerResume();
        break;
      case 'xfer_file_end':
        this.receiver?.fileEnd(message);
        break;
      case 'xfer_cancel':
        this.receiver?.stop();
        this.services.daemon.cancel(this.peer, this.tid);
        this.dispatch({ type: 'CANCEL', reason: message.reason, byPeer: true });
        break;
      default:
        break;
    }
  }

  stop(): void {
    this.receiver?.stop();
  }

  protected connectionUp(): void {
    // The sender resumes (xfer_resume); the receiver answers.
  }

  protected connectionDown(): void {
    this.receiver?.connectionDown();
  }

  protected liveBytesDurable(): number | null {
    return this.receiver ? this.receiver.bytesDurable : null;
  }

  protected bytesMoved(): number {
    return this.receiver?.bytesReceived ?? 0;
  }

  protected fileBytes(i: number): FileBytes {
    const progress = this.receiver?.fileProgress(i);
    return { durable: progress?.durable ?? 0, moved: (progress?.received ?? 0) > 0 };
  }

  private answerResume(): void {
    if (!this.receiver) this.startReceiver();
    else {
      this.dispatch({ type: 'RESUMING' });
      void this.receiver.answer();
    }
  }

  private startReceiver(): void {
    const receiver = new FileReceiver({
      tid: this.tid,
      peer: this.peer,
      files: this.files,
      daemon: this.services.daemon,
      results: this.results,
      timers: this.services.timers,
      sendControl: (message) => {
        const sent = this.services.link(this.peer)?.sendControl(message) ?? false;
        if (message.t === 'xfer_accept' && sent && this.receiver === receiver) {
          this.noteStarted();
          this.dispatch({ type: 'RUNNING' });
          this.services.changed();
        }
        return sent;
      },
      onEvent: (event) => this.onReceiverEvent(event),
    });
    this.receiver = receiver;
    if (this.status.phase === 'paused') this.dispatch({ type: 'RESUMING' });
    void receiver.answer();
  }

  private onReceiverEvent(event: ReceiverEvent): void {
    switch (event.type) {
      case 'progress':
        this.services.progress();
        return;
      case 'fileDone':
        this.setResult(event.i, event.result);
        if (event.result.ok) this.onReceived();
        break;
      case 'allDone':
        this.checkAllDone();
        break;
      case 'fatal':
        this.receiver?.stop();
        this.services.daemon.cancel(this.peer, this.tid);
        if (this.status.phase === 'accepting') {
          this.services.link(this.peer)?.sendControl({ t: 'xfer_decline', tid: this.tid, reason: event.reason });
        } else this.tellCancel(event.reason);
        this.dispatch({ type: 'FAIL', reason: event.reason, text: event.text });
        break;
      case 'daemonWait':
        if (event.waiting) this.dispatch({ type: 'PAUSE', reason: 'daemon' });
        else if (this.status.phase === 'paused' && this.status.pause === 'daemon') this.dispatch({ type: 'RESUMING' });
        break;
    }
    this.services.changed();
  }
}

function fileDoneMessage(tid: string, i: number, r: FileResult): TransferControlMessage {
  return r.ok ? { t: 'xfer_file_done', tid, i, ok: true, name: r.name } : { t: 'xfer_file_done', tid, i, ok: false, error: r.error };
}
